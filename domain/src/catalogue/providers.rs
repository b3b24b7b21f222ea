//! Providers (zorgaanbieders) admitted to the region, by AGB code.

use chrono::NaiveDate;
use entities::{schema::provider, RegionScope};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde::Serialize;

use super::{audited, existing, Item};
use crate::{audit::Audit, error::DomainResult};

/// A provider as the region knows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Provider {
    pub agb_code: String,
    pub kvk_number: String,
    pub name: String,
    pub uses_self_employed: bool,
    pub integrity_checked_on: Option<NaiveDate>,
    pub financial_checked_on: Option<NaiveDate>,
}

impl From<provider::Model> for Provider {
    fn from(m: provider::Model) -> Self {
        Self {
            agb_code: m.agb_code,
            kvk_number: m.kvk_number,
            name: m.name,
            uses_self_employed: m.uses_self_employed,
            integrity_checked_on: m.integrity_checked_on,
            financial_checked_on: m.financial_checked_on,
        }
    }
}

impl Item for provider::Entity {
    const RESOURCE: &'static str = "provider";
    type Value = Provider;

    async fn describe<C: ConnectionTrait>(
        _db: &C,
        _scope: &RegionScope,
        rows: Vec<provider::Model>,
    ) -> DomainResult<Vec<Provider>> {
        Ok(rows.into_iter().map(Provider::from).collect())
    }
}

/// A provider to register.
pub struct NewProvider {
    pub agb_code: String,
    pub kvk_number: String,
    pub name: String,
    pub uses_self_employed: bool,
    pub integrity_checked_on: Option<NaiveDate>,
    pub financial_checked_on: Option<NaiveDate>,
}

/// What a change may change; a check date is only ever recorded, never
/// cleared.
pub struct ProviderChange {
    pub kvk_number: Option<String>,
    pub name: Option<String>,
    pub uses_self_employed: Option<bool>,
    pub integrity_checked_on: Option<NaiveDate>,
    pub financial_checked_on: Option<NaiveDate>,
}

pub async fn create<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    audit: &Audit,
    new: NewProvider,
) -> DomainResult<Provider> {
    let row = provider::ActiveModel {
        region_id: Set(scope.region_id),
        id: Set(uuid::Uuid::now_v7()),
        agb_code: Set(new.agb_code),
        kvk_number: Set(new.kvk_number),
        name: Set(new.name.trim().to_owned()),
        uses_self_employed: Set(new.uses_self_employed),
        integrity_checked_on: Set(new.integrity_checked_on),
        financial_checked_on: Set(new.financial_checked_on),
        created_at: Set(entities::clock::now()),
    }
    .insert(db)
    .await?;
    audited::<provider::Entity, C>(db, scope, audit, "create", row).await
}

pub async fn change<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    audit: &Audit,
    agb: &str,
    change: ProviderChange,
) -> DomainResult<Provider> {
    let mut row: provider::ActiveModel = existing::<provider::Entity, C>(db, scope, agb)
        .await?
        .into();
    if let Some(kvk) = change.kvk_number {
        row.kvk_number = Set(kvk);
    }
    if let Some(name) = change.name {
        row.name = Set(name.trim().to_owned());
    }
    if let Some(flag) = change.uses_self_employed {
        row.uses_self_employed = Set(flag);
    }
    if let Some(date) = change.integrity_checked_on {
        row.integrity_checked_on = Set(Some(date));
    }
    if let Some(date) = change.financial_checked_on {
        row.financial_checked_on = Set(Some(date));
    }
    let row = row.update(db).await?;
    audited::<provider::Entity, C>(db, scope, audit, "update", row).await
}
