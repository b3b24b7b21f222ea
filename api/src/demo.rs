//! `api --demo`: the five regions of DOMAIN.md as their seed documents
//! describe them ([`regions`]: lots, products with their iWmo category,
//! procurement forms, terms and start dates, the regional rules), stored
//! as the office keeps them ([`catalogue`]), with a year of care made
//! through the allocation and declaration services ([`activity`]), so
//! that reports, outflow checks, ceilings and an indexation run have
//! figures at once, and a compliance register whose first contract watch
//! has run ([`insert_checks`]). A region that already exists is left alone.

mod activity;
mod catalogue;
mod regions;
mod steering;

use chrono::{Duration, NaiveDate};
use domain::vault::DataKeys;
use entities::{
    enums::{CheckOutcome, ComplianceKind},
    schema::{compliance_check, provider, region},
    RegionScope,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, Set,
};
use uuid::Uuid;

pub use activity::window;

/// Loads every demo region that does not exist yet; returns how many it
/// added. `client_key_secret` makes the clients' pseudonyms, as the
/// allocation handlers do.
pub async fn load(
    db: &DatabaseConnection,
    client_key_secret: &str,
    keys: &DataKeys,
) -> Result<usize, String> {
    load_on(
        db,
        client_key_secret,
        keys,
        entities::clock::now().date_naive(),
    )
    .await
}

/// [`load`] as on `today`: the year of care is the twelve months before it.
pub async fn load_on(
    db: &DatabaseConnection,
    client_key_secret: &str,
    keys: &DataKeys,
    today: chrono::NaiveDate,
) -> Result<usize, String> {
    let mut added = 0;
    for (index, demo) in regions::REGIONS.iter().enumerate() {
        #[allow(clippy::disallowed_methods)] // checks for the tenant itself
        let exists = region::Entity::find()
            .filter(region::Column::Code.eq(demo.code))
            .one(db)
            .await;
        if exists.map_err(|e| e.to_string())?.is_some() {
            continue;
        }
        let failed = |e: String| format!("demo region {}: {e}", demo.code);
        let txn = entities::transaction::begin_write(db)
            .await
            .map_err(|e| e.to_string())?;
        let catalogue = catalogue::insert(&txn, index, demo, catalogue::years_shown(today))
            .await
            .map_err(|e| failed(e.to_string()))?;
        let year = activity::generate(
            &txn,
            index as u64,
            demo,
            &catalogue,
            client_key_secret,
            today,
        )
        .await
        .map_err(|e| failed(e.to_string()))?;
        let steered = steering::generate(
            &txn,
            index as u64,
            (demo, &catalogue),
            (client_key_secret, keys),
            today,
        )
        .await
        .map_err(|e| failed(e.to_string()))?;
        insert_checks(&txn, &catalogue.scope, &catalogue.providers, today)
            .await
            .map_err(|e| failed(e.to_string()))?;
        txn.commit().await.map_err(|e| e.to_string())?;
        domain::contract_watch::run_day_in(db, &catalogue.scope, today)
            .await
            .map_err(|e| failed(e.to_string()))?;
        domain::steering::signal_region(db, &catalogue.scope, today)
            .await
            .map_err(|e| failed(e.to_string()))?;
        tracing::info!(region = demo.code, ?steered, "demo steering data");
        if year.refused > 0 || year.unexpected > 0 {
            tracing::warn!(
                region = demo.code,
                refused = year.refused,
                unexpected = year.unexpected,
                "demo data: some allocations or lines came out otherwise than planned"
            );
        }
        tracing::info!(
            region = demo.code,
            allocations = year.allocations,
            lines = year.lines,
            rejected = year.rejected,
            "demo region loaded"
        );
        added += 1;
    }
    Ok(added)
}

/// Every provider's Bibob screening (three years) and yearly financial
/// check, all passed; the first provider's financial check runs out six
/// weeks after `today`, so the register shows one expiring.
async fn insert_checks<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    providers: &[provider::Model],
    today: NaiveDate,
) -> Result<(), DbErr> {
    for (i, p) in providers.iter().enumerate() {
        let financial_until = today + Duration::days(if i == 0 { 42 } else { 200 });
        let checks = [
            (
                ComplianceKind::Integrity,
                today - Duration::days(400),
                today + Duration::days(695),
            ),
            (
                ComplianceKind::Financial,
                today - Duration::days(165),
                financial_until,
            ),
        ];
        for (kind, checked_on, valid_until) in checks {
            compliance_check::ActiveModel {
                region_id: Set(scope.region_id),
                id: Set(Uuid::now_v7()),
                provider_id: Set(p.id),
                kind: Set(kind),
                outcome: Set(CheckOutcome::Passed),
                checked_on: Set(checked_on),
                valid_until: Set(Some(valid_until)),
                note: Set(None),
                created_at: Set(entities::clock::now()),
            }
            .insert(db)
            .await?;
        }
    }
    Ok(())
}
