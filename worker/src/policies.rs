//! The region's policies as the jobs read them.

use entities::{
    policy::{PolicyRules, REGION_SCOPE},
    schema::policy,
    RegionScope, TenantEntity,
};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, QueryFilter};

/// The region-wide rules of a policy `kind`, if set and valid.
pub async fn region_rules<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    kind: &str,
) -> Result<Option<PolicyRules>, DbErr> {
    Ok(policy::Entity::scoped(scope)
        .filter(policy::Column::Kind.eq(kind))
        .filter(policy::Column::ScopeKey.eq(REGION_SCOPE))
        .one(db)
        .await?
        .and_then(|p| PolicyRules::parse(&p.kind, p.body).ok()))
}
