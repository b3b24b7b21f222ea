//! The region's policies (its rules as data), as every operation and job
//! reads them.

use chrono::{DateTime, Utc};
use entities::{
    policy::{kinds, PolicyRules, REGION_SCOPE},
    schema::policy,
    RegionScope, TenantEntity, TenantRecord,
};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, QueryFilter, Set};
use serde::Serialize;

use crate::{
    audit::Audit,
    catalogue,
    error::{DomainError, DomainResult},
};

/// One policy: the rules of a kind for a scope (a product or group code, a
/// CBS code or `region`). The audit trail records it; the API's
/// `PolicyOut` shows it field for field.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Policy {
    pub kind: String,
    pub scope: String,
    pub rules: serde_json::Value,
    pub updated_at: DateTime<Utc>,
}

impl From<policy::Model> for Policy {
    fn from(m: policy::Model) -> Self {
        Self {
            kind: m.kind,
            scope: m.scope_key,
            rules: m.body,
            updated_at: m.updated_at,
        }
    }
}

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

/// Refuses a scope that does not exist for the kind (422 on `scope`).
async fn check_scope<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    kind: &str,
    scope_key: &str,
) -> DomainResult<()> {
    let known = match kind {
        kinds::TEMPORARY_INTENSIVE | kinds::ABSENCE_DAY => {
            catalogue::product(db, scope, scope_key).await?.is_some()
        }
        kinds::CONTRACT_ADMISSION | kinds::ENROLMENT_REQUIREMENTS => {
            catalogue::product_group(db, scope, scope_key)
                .await?
                .is_some()
        }
        kinds::INDEXATION | kinds::WAITING_NORM | kinds::COVERAGE if scope_key != REGION_SCOPE => {
            catalogue::product_group(db, scope, scope_key)
                .await?
                .is_some()
        }
        kinds::SELF_EMPLOYED | kinds::CLOSED_PRODUCT_GROUPS | kinds::PROVIDER_CAPS => {
            catalogue::municipality(db, scope, scope_key)
                .await?
                .is_some()
        }
        _ => scope_key == REGION_SCOPE,
    };
    if known {
        Ok(())
    } else {
        Err(DomainError::unprocessable(
            "scope",
            format!("{scope_key:?} is not a scope of {kind} policies in this region"),
        ))
    }
}

/// Sets (creates or replaces) the rules of `kind` for `scope_key`, once
/// the scope is known to the region.
pub async fn put<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    audit: &Audit,
    (kind, scope_key): (&str, &str),
    rules: &PolicyRules,
) -> DomainResult<Policy> {
    check_scope(db, scope, kind, scope_key).await?;
    let body = serde_json::to_value(rules).map_err(|e| DomainError::Internal(e.to_string()))?;
    let now = entities::clock::now();
    let saved = match find(db, scope, kind, scope_key).await? {
        Some(existing) => {
            let mut model: policy::ActiveModel = existing.into();
            model.body = Set(body);
            model.updated_at = Set(now);
            model.update(db).await?
        }
        None => {
            policy::ActiveModel {
                region_id: Set(scope.region_id),
                id: Set(uuid::Uuid::now_v7()),
                kind: Set(kind.to_owned()),
                scope_key: Set(scope_key.to_owned()),
                body: Set(body),
                updated_at: Set(now),
            }
            .insert(db)
            .await?
        }
    };
    let out = Policy::from(saved);
    audit
        .record(db, "put", "policy", format!("{kind}/{scope_key}"), &out)
        .await?;
    Ok(out)
}

/// Removes the policy of `kind` for `scope_key`.
pub async fn delete<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    audit: &Audit,
    (kind, scope_key): (&str, &str),
) -> DomainResult<()> {
    let existing = find(db, scope, kind, scope_key)
        .await?
        .ok_or(DomainError::NotFound)?;
    policy::Entity::delete_scoped_by_id(db, scope, existing.id).await?;
    audit
        .record(
            db,
            "delete",
            "policy",
            format!("{kind}/{scope_key}"),
            serde_json::json!({}),
        )
        .await?;
    Ok(())
}
