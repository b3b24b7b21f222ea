//! Steering signals: a client waiting past the norm, a municipality short of
//! providers in a group, stacked care. Each is raised once per (kind,
//! subject): seeing the same situation again the next day adds nothing.

use chrono::NaiveDate;
use entities::{enums::SteeringSignalKind, schema::steering_signal, RegionScope, TenantEntity};
use sea_orm::{
    sea_query::OnConflict, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, Select, Set,
};
use uuid::Uuid;

/// What a new signal is about.
#[derive(Debug, Clone, Default)]
pub struct Subject {
    /// Unique per kind: the allocation id (waiting norm), `"<cbs>:<group>"`
    /// (coverage), the two allocation ids joined by `:`, lower first
    /// (care overlap).
    pub key: String,
    pub provider_id: Option<Uuid>,
    pub municipality_id: Option<Uuid>,
    pub product_group_id: Option<Uuid>,
    pub allocation_id: Option<Uuid>,
}

/// Raises the signal unless one of `kind` for this subject exists; returns
/// whether it is new.
pub async fn raise<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    kind: SteeringSignalKind,
    subject: Subject,
    observed_on: NaiveDate,
    detail: String,
) -> Result<bool, DbErr> {
    let inserted = steering_signal::Entity::insert(steering_signal::ActiveModel {
        region_id: Set(scope.region_id),
        id: Set(Uuid::now_v7()),
        kind: Set(kind),
        subject: Set(subject.key),
        provider_id: Set(subject.provider_id),
        municipality_id: Set(subject.municipality_id),
        product_group_id: Set(subject.product_group_id),
        allocation_id: Set(subject.allocation_id),
        observed_on: Set(observed_on),
        detail: Set(detail),
        created_at: Set(entities::clock::now()),
    })
    .on_conflict(
        OnConflict::columns([
            steering_signal::Column::RegionId,
            steering_signal::Column::Kind,
            steering_signal::Column::Subject,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(inserted > 0)
}

/// The region's signals, newest first, of one kind or all.
pub fn newest_first(
    scope: &RegionScope,
    kind: Option<SteeringSignalKind>,
) -> Select<steering_signal::Entity> {
    let select = steering_signal::Entity::scoped(scope)
        .order_by_desc(steering_signal::Column::CreatedAt)
        .order_by_desc(steering_signal::Column::Id);
    match kind {
        Some(kind) => select.filter(steering_signal::Column::Kind.eq(kind)),
        None => select,
    }
}
