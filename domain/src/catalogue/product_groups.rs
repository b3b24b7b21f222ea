//! Product groups (percelen / segmenten) of the catalogue, each under one law.

use entities::{enums::Law, schema::product_group, RegionScope};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde::Serialize;

use super::{audited, existing, Item};
use crate::{audit::Audit, error::DomainResult};

/// A product group as the region knows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductGroup {
    pub code: String,
    pub name: String,
    pub law: Law,
}

impl From<product_group::Model> for ProductGroup {
    fn from(m: product_group::Model) -> Self {
        Self {
            code: m.code,
            name: m.name,
            law: m.law,
        }
    }
}

impl Item for product_group::Entity {
    const RESOURCE: &'static str = "product-group";
    type Value = ProductGroup;

    async fn describe<C: ConnectionTrait>(
        _db: &C,
        _scope: &RegionScope,
        rows: Vec<product_group::Model>,
    ) -> DomainResult<Vec<ProductGroup>> {
        Ok(rows.into_iter().map(ProductGroup::from).collect())
    }
}

/// A new product group.
pub struct NewProductGroup {
    pub code: String,
    pub name: String,
    pub law: Law,
}

/// What a change may change.
pub struct ProductGroupChange {
    pub name: Option<String>,
    pub law: Option<Law>,
}

pub async fn create<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    audit: &Audit,
    new: NewProductGroup,
) -> DomainResult<ProductGroup> {
    let row = product_group::ActiveModel {
        region_id: Set(scope.region_id),
        id: Set(uuid::Uuid::now_v7()),
        code: Set(new.code),
        name: Set(new.name.trim().to_owned()),
        law: Set(new.law),
        created_at: Set(entities::clock::now()),
    }
    .insert(db)
    .await?;
    audited::<product_group::Entity, C>(db, scope, audit, "create", row).await
}

pub async fn change<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    audit: &Audit,
    code: &str,
    change: ProductGroupChange,
) -> DomainResult<ProductGroup> {
    let mut row: product_group::ActiveModel = existing::<product_group::Entity, C>(db, scope, code)
        .await?
        .into();
    if let Some(name) = change.name {
        row.name = Set(name.trim().to_owned());
    }
    if let Some(law) = change.law {
        row.law = Set(law);
    }
    let row = row.update(db).await?;
    audited::<product_group::Entity, C>(db, scope, audit, "update", row).await
}
