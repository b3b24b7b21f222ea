//! The region's policies (its rules as data), as every operation and job
//! reads them.

use entities::{
    policy::{PolicyRules, REGION_SCOPE},
    schema::policy,
    RegionScope, TenantEntity,
};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, QueryFilter};

/// The stored policy of `kind` for `scope_key`, if the region has set it.
pub async fn find<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    kind: &str,
    scope_key: &str,
) -> Result<Option<policy::Model>, DbErr> {
    policy::Entity::scoped(scope)
        .filter(policy::Column::Kind.eq(kind))
        .filter(policy::Column::ScopeKey.eq(scope_key))
        .one(db)
        .await
}

/// The rules of `kind` for `scope_key`, if set and valid.
pub async fn rules<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    kind: &str,
    scope_key: &str,
) -> Result<Option<PolicyRules>, DbErr> {
    Ok(find(db, scope, kind, scope_key)
        .await?
        .and_then(|p| PolicyRules::parse(&p.kind, p.body).ok()))
}

/// The region-wide rules of a policy `kind`, if set and valid.
pub async fn region_rules<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    kind: &str,
) -> Result<Option<PolicyRules>, DbErr> {
    rules(db, scope, kind, REGION_SCOPE).await
}
