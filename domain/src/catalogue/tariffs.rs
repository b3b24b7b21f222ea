//! Tariffs (tarieven): the price of a product for a period, for the whole
//! region or per provider and/or municipality. Versions of one line
//! (product, provider, municipality) never overlap; a tariff a declaration
//! was priced with is closed, never removed.

use std::collections::HashMap;

use chrono::NaiveDate;
use entities::{
    money::cents_to_euros,
    period::periods_overlap,
    schema::{declaration_line, municipality, product, provider, tariff},
    RegionScope, TenantEntity, TenantRecord,
};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, PaginatorTrait, QueryFilter, QuerySelect, Set,
};
use serde::Serialize;
use uuid::Uuid;

use crate::{
    audit::Audit,
    codes::codes_of,
    error::{DomainError, DomainResult},
};

/// A tariff as the region knows it: its product, provider and municipality
/// by their codes and its price in euros. The audit trail records it; the
/// API's `TariffOut` shows it field for field.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Tariff {
    pub id: Uuid,
    pub product_code: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    /// Euros per unit of the product.
    pub price: Decimal,
    pub provider_agb: Option<String>,
    pub municipality_cbs: Option<String>,
    pub supersedes_id: Option<Uuid>,
    pub indexation_run_id: Option<Uuid>,
}

/// Codes for the ids a page of tariffs refers to, to describe them.
pub struct TariffCodes {
    products: HashMap<Uuid, String>,
    providers: HashMap<Uuid, String>,
    municipalities: HashMap<Uuid, String>,
}

impl TariffCodes {
    pub async fn load<C: ConnectionTrait>(
        db: &C,
        scope: &RegionScope,
        tariffs: &[tariff::Model],
    ) -> DomainResult<Self> {
        Ok(Self {
            products: codes_of::<product::Entity, _>(
                db,
                scope,
                tariffs.iter().map(|t| t.product_id),
                product::Column::Code,
            )
            .await?,
            providers: codes_of::<provider::Entity, _>(
                db,
                scope,
                tariffs.iter().filter_map(|t| t.provider_id),
                provider::Column::AgbCode,
            )
            .await?,
            municipalities: codes_of::<municipality::Entity, _>(
                db,
                scope,
                tariffs.iter().filter_map(|t| t.municipality_id),
                municipality::Column::CbsCode,
            )
            .await?,
        })
    }

    pub fn describe(&self, t: tariff::Model) -> Tariff {
        Tariff {
            id: t.id,
            product_code: self
                .products
                .get(&t.product_id)
                .cloned()
                .unwrap_or_default(),
            valid_from: t.valid_from,
            valid_to: t.valid_to,
            price: cents_to_euros(t.price_cents),
            provider_agb: t
                .provider_id
                .and_then(|id| self.providers.get(&id).cloned()),
            municipality_cbs: t
                .municipality_id
                .and_then(|id| self.municipalities.get(&id).cloned()),
            supersedes_id: t.supersedes_id,
            indexation_run_id: t.indexation_run_id,
        }
    }
}

/// The tariff as the region knows it.
pub async fn describe<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    t: tariff::Model,
) -> DomainResult<Tariff> {
    let codes = TariffCodes::load(db, scope, std::slice::from_ref(&t)).await?;
    Ok(codes.describe(t))
}

/// Refuses a period that overlaps another version of the same tariff line
/// (409 `ZR-TARIFF-OVERLAP`).
pub async fn ensure_no_overlap<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    candidate: &tariff::Model,
) -> DomainResult<()> {
    // Serialise tariff writes per product: on PostgreSQL two concurrent
    // inserts would otherwise both see no overlap (SQLite has one writer).
    product::Entity::scoped(scope)
        .filter(product::Column::Id.eq(candidate.product_id))
        .lock_exclusive()
        .one(db)
        .await?;
    let siblings = tariff::Entity::scoped(scope)
        .filter(tariff::Column::ProductId.eq(candidate.product_id))
        .filter(entities::tenancy::eq_or_null(
            tariff::Column::ProviderId,
            candidate.provider_id,
        ))
        .filter(entities::tenancy::eq_or_null(
            tariff::Column::MunicipalityId,
            candidate.municipality_id,
        ))
        .filter(tariff::Column::Id.ne(candidate.id))
        .all(db)
        .await?;
    if let Some(other) = siblings.iter().find(|o| {
        periods_overlap(
            candidate.valid_from,
            candidate.valid_to,
            o.valid_from,
            o.valid_to,
        )
    }) {
        return Err(DomainError::conflict(
            "ZR-TARIFF-OVERLAP",
            format!(
                "The period overlaps tariff {} ({} to {}) for the same product, provider and municipality.",
                other.id,
                other.valid_from,
                other.valid_to.map(|d| d.to_string()).unwrap_or_else(|| "open".into())
            ),
        ));
    }
    Ok(())
}

/// A new tariff version, its references resolved (a provider and a
/// municipality only for a differentiated tariff).
pub struct NewTariff {
    pub product_id: Uuid,
    pub provider_id: Option<Uuid>,
    pub municipality_id: Option<Uuid>,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub price_cents: i64,
}

/// Stores a tariff version unless it overlaps another of its line.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    audit: &Audit,
    input: NewTariff,
) -> DomainResult<Tariff> {
    let candidate = tariff::Model {
        region_id: scope.region_id,
        id: Uuid::now_v7(),
        product_id: input.product_id,
        provider_id: input.provider_id,
        municipality_id: input.municipality_id,
        valid_from: input.valid_from,
        valid_to: input.valid_to,
        price_cents: input.price_cents,
        supersedes_id: None,
        indexation_run_id: None,
        created_at: entities::clock::now(),
    };
    ensure_no_overlap(db, scope, &candidate).await?;
    let model = tariff::ActiveModel::from(candidate).insert(db).await?;
    let out = describe(db, scope, model).await?;
    audit.record(db, "create", "tariff", out.id, &out).await?;
    Ok(out)
}

/// A closing date and/or a corrected price; what is `None` stays.
pub struct TariffChange {
    pub valid_to: Option<NaiveDate>,
    pub price_cents: Option<i64>,
}

/// Closes a tariff or corrects its price, unless the version then overlaps
/// another of its line. The caller has checked the period against
/// `existing.valid_from`.
pub async fn change<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    audit: &Audit,
    existing: tariff::Model,
    change: TariffChange,
) -> DomainResult<Tariff> {
    let mut updated = existing.clone();
    if let Some(to) = change.valid_to {
        updated.valid_to = Some(to);
    }
    if let Some(cents) = change.price_cents {
        updated.price_cents = cents;
    }
    ensure_no_overlap(db, scope, &updated).await?;
    let mut model: tariff::ActiveModel = existing.into();
    model.valid_to = Set(updated.valid_to);
    model.price_cents = Set(updated.price_cents);
    let out = describe(db, scope, model.update(db).await?).await?;
    audit.record(db, "update", "tariff", out.id, &out).await?;
    Ok(out)
}

/// Removes a tariff no declaration was priced with (409 `ZR-IN-USE`
/// otherwise: such a tariff is closed instead).
pub async fn delete<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    audit: &Audit,
    id: Uuid,
) -> DomainResult<()> {
    let existing = tariff::Entity::find_scoped(db, scope, id)
        .await?
        .ok_or(DomainError::NotFound)?;
    let used = declaration_line::Entity::scoped(scope)
        .filter(declaration_line::Column::TariffId.eq(existing.id))
        .count(db)
        .await?;
    if used > 0 {
        return Err(DomainError::conflict(
            "ZR-IN-USE",
            "Declarations were priced with this tariff; close it with validTo instead.",
        ));
    }
    tariff::Entity::delete_scoped_by_id(db, scope, existing.id).await?;
    audit
        .record(db, "delete", "tariff", existing.id, serde_json::json!({}))
        .await?;
    Ok(())
}
