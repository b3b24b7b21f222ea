//! The region's catalogue and parties by their natural keys: municipalities
//! by CBS code, product groups and products by code, providers by AGB code.
//! Every way in (the JSON API, the iWmo messages, the demo, the jobs)
//! resolves the codes it is given through here.

use entities::{
    schema::{municipality, product, product_group, provider},
    RegionScope, TenantEntity,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::error::DomainResult;

pub mod tariffs;

/// A catalogue resource addressed by a natural key unique in its region.
pub trait NaturalKey: TenantEntity {
    /// The column that holds the key (CBS code, code, AGB code).
    const KEY: Self::Column;
}

impl NaturalKey for municipality::Entity {
    const KEY: Self::Column = municipality::Column::CbsCode;
}

impl NaturalKey for product_group::Entity {
    const KEY: Self::Column = product_group::Column::Code;
}

impl NaturalKey for product::Entity {
    const KEY: Self::Column = product::Column::Code;
}

impl NaturalKey for provider::Entity {
    const KEY: Self::Column = provider::Column::AgbCode;
}

/// The region's row of `E` with natural key `key`, if any.
pub async fn find<E: NaturalKey, C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    key: &str,
) -> DomainResult<Option<<E as EntityTrait>::Model>> {
    Ok(E::scoped(scope).filter(E::KEY.eq(key)).one(db).await?)
}

/// A municipality of the region by CBS code.
pub async fn municipality<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    cbs: &str,
) -> DomainResult<Option<municipality::Model>> {
    find::<municipality::Entity, _>(db, scope, cbs).await
}

/// A product group of the region by code.
pub async fn product_group<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    code: &str,
) -> DomainResult<Option<product_group::Model>> {
    find::<product_group::Entity, _>(db, scope, code).await
}

/// A product of the region by code.
pub async fn product<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    code: &str,
) -> DomainResult<Option<product::Model>> {
    find::<product::Entity, _>(db, scope, code).await
}

/// A provider of the region by AGB code.
pub async fn provider<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    agb: &str,
) -> DomainResult<Option<provider::Model>> {
    find::<provider::Entity, _>(db, scope, agb).await
}
