//! The region's catalogue and parties by their natural keys: municipalities
//! by CBS code, product groups and products by code, providers by AGB code.
//! Every way in (the JSON API, the iWmo messages, the demo, the jobs)
//! resolves the codes it is given through here.
//!
//! The four keyed resources share one path ([`Item`]): get, describe,
//! save-and-audit and delete are written once here; each resource's module
//! adds only what is its own (what a new one is made of, what a change may
//! change, the rules between its fields).

use entities::{
    schema::{municipality, product, product_group, provider},
    RegionScope, TenantEntity, TenantRecord,
};
use sea_orm::{
    sea_query::ValueType, ColumnTrait, ConnectionTrait, EntityTrait, ModelTrait, QueryFilter,
};
use serde::Serialize;
use uuid::Uuid;

use crate::{
    audit::Audit,
    error::{DomainError, DomainResult},
};

pub mod municipalities;
pub mod product_groups;
pub mod products;
pub mod providers;
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

/// A keyed catalogue resource with the value the region knows it by.
pub trait Item: NaturalKey + TenantRecord {
    /// Its name in the audit trail (`product-group`).
    const RESOURCE: &'static str;
    /// The resource as the region knows it: the audit trail records it and
    /// the API shows it field for field.
    type Value: Serialize + Send;

    /// Describes rows (a page's worth), reading what they refer to at once.
    #[allow(async_fn_in_trait)]
    async fn describe<C: ConnectionTrait>(
        db: &C,
        scope: &RegionScope,
        rows: Vec<Self::Model>,
    ) -> DomainResult<Vec<Self::Value>>;
}

/// The natural key of a row.
pub fn key_of<E: NaturalKey>(row: &E::Model) -> String {
    <String as ValueType>::try_from(row.get(E::KEY)).unwrap_or_default()
}

/// The id of a row.
fn id_of<E: TenantRecord>(row: &E::Model) -> Uuid {
    <Uuid as ValueType>::try_from(row.get(E::id_column())).unwrap_or_default()
}

/// Resolves a list of natural keys given in `field` (named `what` in the
/// messages) to ids, reporting an empty list and each unknown or repeated
/// key in `check`.
pub async fn resolve<E: NaturalKey + TenantRecord, C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    check: &mut crate::check::Check,
    (field, what): (&str, &str),
    keys: &[String],
) -> DomainResult<Vec<Uuid>> {
    check.require(
        !keys.is_empty(),
        field,
        &format!("must name at least one {what}"),
    );
    let mut ids = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        match find::<E, C>(db, scope, key)
            .await?
            .map(|row| id_of::<E>(&row))
        {
            Some(id) if !ids.contains(&id) => ids.push(id),
            Some(_) => check.fail_rule(format!("{field}[{i}]"), "is listed twice"),
            None => check.fail_rule(
                format!("{field}[{i}]"),
                format!("no such {what} in this region"),
            ),
        }
    }
    Ok(ids)
}

/// The region's row of `T` with natural key `key`, or not found.
pub async fn existing<T: NaturalKey, C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    key: &str,
) -> DomainResult<<T as EntityTrait>::Model> {
    find::<T, C>(db, scope, key)
        .await?
        .ok_or(DomainError::NotFound)
}

/// One row described.
pub async fn describe_one<T: Item, C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    row: T::Model,
) -> DomainResult<T::Value> {
    T::describe(db, scope, vec![row])
        .await?
        .pop()
        .ok_or_else(|| DomainError::Internal("a described row went missing".into()))
}

/// The region's `T` with natural key `key`, described.
pub async fn get<T: Item, C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    key: &str,
) -> DomainResult<T::Value> {
    let row = existing::<T, C>(db, scope, key).await?;
    describe_one::<T, C>(db, scope, row).await
}

/// Describes a row just stored and writes its audit event (`create`,
/// `update`) with that description, in the caller's transaction.
pub async fn audited<T: Item, C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    audit: &Audit,
    action: &str,
    row: T::Model,
) -> DomainResult<T::Value> {
    let key = key_of::<T>(&row);
    let value = describe_one::<T, C>(db, scope, row).await?;
    audit.record(db, action, T::RESOURCE, key, &value).await?;
    Ok(value)
}

/// Removes the region's `T` with natural key `key`; a row something still
/// refers to is refused by the database (`ZR-IN-USE`).
pub async fn delete<T: Item, C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    audit: &Audit,
    key: &str,
) -> DomainResult<()> {
    let row = existing::<T, C>(db, scope, key).await?;
    T::delete_scoped_by_id(db, scope, id_of::<T>(&row)).await?;
    audit
        .record(
            db,
            "delete",
            T::RESOURCE,
            key_of::<T>(&row),
            serde_json::json!({}),
        )
        .await
}
