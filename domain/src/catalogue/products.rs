//! Products of the catalogue (iWmo product codes), by code: priced per
//! unit, in a product group; a temporary-intensive product scales up a main
//! product, an arrangement is paid per period, and a product may be closed
//! to new clients from a date (its current clients keep it).

use std::collections::HashMap;

use chrono::NaiveDate;

use entities::{
    enums::{ArrangementPeriod, FundingVariant, Unit},
    schema::{product, product_group},
    RegionScope, TenantEntity,
};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, QueryFilter, Set};
use serde::Serialize;
use uuid::Uuid;

use super::{audited, existing, Item};
use crate::{
    audit::Audit,
    check::Check,
    error::{DomainError, DomainResult},
};

/// A product as the region knows it: its group and main product by code.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Product {
    pub code: String,
    pub name: String,
    pub product_group_code: String,
    pub iwmo_category: String,
    pub unit: Unit,
    pub funding_variant: FundingVariant,
    pub intensive_for: Option<String>,
    pub arrangement_period: Option<ArrangementPeriod>,
    /// From this date no new clients (seed 002 §4.3).
    pub closed_to_new_clients_from: Option<NaiveDate>,
    /// Crisis care: never refused by a budget ceiling.
    pub crisis: bool,
}

impl Item for product::Entity {
    const RESOURCE: &'static str = "product";
    type Value = Product;

    async fn describe<C: ConnectionTrait>(
        db: &C,
        scope: &RegionScope,
        rows: Vec<product::Model>,
    ) -> DomainResult<Vec<Product>> {
        let groups: HashMap<Uuid, String> = product_group::Entity::scoped(scope)
            .filter(product_group::Column::Id.is_in(rows.iter().map(|p| p.product_group_id)))
            .all(db)
            .await?
            .into_iter()
            .map(|g| (g.id, g.code))
            .collect();
        let main_ids: Vec<Uuid> = rows
            .iter()
            .filter_map(|p| p.intensive_for_product_id)
            .collect();
        let mains: HashMap<Uuid, String> = match main_ids.is_empty() {
            true => HashMap::new(),
            false => product::Entity::scoped(scope)
                .filter(product::Column::Id.is_in(main_ids))
                .all(db)
                .await?
                .into_iter()
                .map(|p| (p.id, p.code))
                .collect(),
        };
        Ok(rows
            .into_iter()
            .map(|m| Product {
                product_group_code: groups.get(&m.product_group_id).cloned().unwrap_or_default(),
                intensive_for: m
                    .intensive_for_product_id
                    .and_then(|id| mains.get(&id).cloned()),
                code: m.code,
                name: m.name,
                iwmo_category: m.iwmo_category,
                unit: m.unit,
                funding_variant: m.funding_variant,
                arrangement_period: m.arrangement_period,
                closed_to_new_clients_from: m.closed_to_new_clients_from,
                crisis: m.crisis,
            })
            .collect())
    }
}

/// A product to add.
pub struct NewProduct {
    pub code: String,
    pub name: String,
    pub product_group_code: String,
    pub iwmo_category: String,
    pub unit: Unit,
    pub funding_variant: FundingVariant,
    pub intensive_for: Option<String>,
    pub arrangement_period: Option<ArrangementPeriod>,
    pub closed_to_new_clients_from: Option<NaiveDate>,
    pub crisis: bool,
}

/// What a change may change.
pub struct ProductChange {
    pub name: Option<String>,
    pub product_group_code: Option<String>,
    pub iwmo_category: Option<String>,
    pub unit: Option<Unit>,
    pub funding_variant: Option<FundingVariant>,
    pub intensive_for: Option<String>,
    pub arrangement_period: Option<ArrangementPeriod>,
    /// `Some(Some(date))` closes the product to new clients from the date,
    /// `Some(None)` opens it again, `None` leaves it as it is.
    pub closed_to_new_clients_from: Option<Option<NaiveDate>>,
    pub crisis: Option<bool>,
}

async fn group_of<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    code: &str,
) -> DomainResult<product_group::Model> {
    super::product_group(db, scope, code).await?.ok_or_else(|| {
        DomainError::unprocessable("productGroupCode", "no such product group in this region")
    })
}

/// The links a product may carry, checked: a temporary-intensive product
/// (hour or minute) belongs to a main product of the same region that is
/// no temporary-intensive product itself; an arrangement is output-funded.
async fn check_links<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    code: &str,
    unit: Unit,
    variant: FundingVariant,
    intensive_for: Option<&str>,
    arrangement: Option<ArrangementPeriod>,
) -> DomainResult<Option<Uuid>> {
    let mut check = Check::new();
    check.require_rule(
        arrangement.is_none() || variant == FundingVariant::Output,
        "arrangementPeriod",
        "an arrangement is output-funded (fundingVariant output)",
    );
    let mut main_id = None;
    if let Some(main_code) = intensive_for {
        let main = super::product(db, scope, main_code).await?;
        let fits = main
            .as_ref()
            .is_some_and(|m| m.code != code && m.intensive_for_product_id.is_none());
        check.require_rule(
            fits,
            "intensiveFor",
            "must name another main product of this region",
        );
        check.require_rule(
            matches!(unit, Unit::Hour | Unit::Minute),
            "unit",
            "a temporary-intensive product is counted in hours (or minutes)",
        );
        main_id = main.map(|m| m.id);
    }
    check.finish()?;
    Ok(main_id)
}

pub async fn create<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    audit: &Audit,
    new: NewProduct,
) -> DomainResult<Product> {
    let group = group_of(db, scope, &new.product_group_code).await?;
    let main_id = check_links(
        db,
        scope,
        &new.code,
        new.unit,
        new.funding_variant,
        new.intensive_for.as_deref(),
        new.arrangement_period,
    )
    .await?;
    let row = product::ActiveModel {
        region_id: Set(scope.region_id),
        id: Set(Uuid::now_v7()),
        code: Set(new.code),
        name: Set(new.name.trim().to_owned()),
        product_group_id: Set(group.id),
        iwmo_category: Set(new.iwmo_category),
        unit: Set(new.unit),
        funding_variant: Set(new.funding_variant),
        intensive_for_product_id: Set(main_id),
        arrangement_period: Set(new.arrangement_period),
        closed_to_new_clients_from: Set(new.closed_to_new_clients_from),
        crisis: Set(new.crisis),
        created_at: Set(entities::clock::now()),
    }
    .insert(db)
    .await?;
    audited::<product::Entity, C>(db, scope, audit, "create", row).await
}

pub async fn change<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    audit: &Audit,
    code: &str,
    change: ProductChange,
) -> DomainResult<Product> {
    let found = existing::<product::Entity, C>(db, scope, code).await?;
    let main_id = check_links(
        db,
        scope,
        &found.code,
        change.unit.unwrap_or(found.unit),
        change.funding_variant.unwrap_or(found.funding_variant),
        change.intensive_for.as_deref(),
        change.arrangement_period.or(found.arrangement_period),
    )
    .await?;
    let mut row: product::ActiveModel = found.into();
    if let Some(id) = main_id {
        row.intensive_for_product_id = Set(Some(id));
    }
    if let Some(period) = change.arrangement_period {
        row.arrangement_period = Set(Some(period));
    }
    if let Some(closed) = change.closed_to_new_clients_from {
        row.closed_to_new_clients_from = Set(closed);
    }
    if let Some(crisis) = change.crisis {
        row.crisis = Set(crisis);
    }
    if let Some(name) = change.name {
        row.name = Set(name.trim().to_owned());
    }
    if let Some(code) = &change.product_group_code {
        row.product_group_id = Set(group_of(db, scope, code).await?.id);
    }
    if let Some(category) = change.iwmo_category {
        row.iwmo_category = Set(category);
    }
    if let Some(unit) = change.unit {
        row.unit = Set(unit);
    }
    if let Some(variant) = change.funding_variant {
        row.funding_variant = Set(variant);
    }
    let row = row.update(db).await?;
    audited::<product::Entity, C>(db, scope, audit, "update", row).await
}
