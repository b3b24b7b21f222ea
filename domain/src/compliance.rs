//! The compliance register (seeds 000 §4.5, 001, 004 §10): each provider's
//! checks with outcome, date and validity. The latest check of a kind
//! decides, and where it stands today (the `compliance` policy's horizon
//! warns ahead) is part of how the register shows it.

use chrono::{DateTime, NaiveDate, Utc};
use entities::{
    contract_life::{latest_per_kind, standing, Standing},
    enums::{CheckOutcome, ComplianceKind},
    schema::{compliance_check, provider},
    RegionScope, TenantEntity,
};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, QueryFilter, Set};
use serde::Serialize;
use uuid::Uuid;

use crate::{audit::Audit, contract_watch::compliance_policy, error::DomainResult};

/// Where a check stands today, as the register and its audit trail name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckStanding {
    Valid,
    Expiring,
    Expired,
    Failed,
}

impl From<Standing> for CheckStanding {
    fn from(s: Standing) -> Self {
        match s {
            Standing::Valid => Self::Valid,
            Standing::Expiring => Self::Expiring,
            Standing::Expired => Self::Expired,
            Standing::Failed => Self::Failed,
        }
    }
}

/// A check of the register with where it stands. The audit trail records
/// it; the API's `ComplianceCheckOut` shows it field for field.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ComplianceCheck {
    pub id: Uuid,
    pub provider_agb: String,
    pub kind: ComplianceKind,
    pub outcome: CheckOutcome,
    pub checked_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub note: Option<String>,
    pub standing: CheckStanding,
    /// Whether this is the provider's latest check of its kind.
    pub latest: bool,
    pub created_at: DateTime<Utc>,
}

/// The check as the register shows it on `today`, warning `horizon_days`
/// ahead.
pub fn describe(
    c: &compliance_check::Model,
    agb: String,
    today: NaiveDate,
    horizon_days: u32,
    latest: bool,
) -> ComplianceCheck {
    ComplianceCheck {
        id: c.id,
        provider_agb: agb,
        kind: c.kind,
        outcome: c.outcome,
        checked_on: c.checked_on,
        valid_until: c.valid_until,
        note: c.note.clone(),
        standing: standing(c, today, horizon_days).into(),
        latest,
        created_at: c.created_at,
    }
}

/// A check to record.
pub struct NewCheck {
    pub kind: ComplianceKind,
    pub outcome: CheckOutcome,
    pub checked_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub note: Option<String>,
}

/// Records a check of `provider` and audits it as the register shows it,
/// saying whether it is now the latest of its kind (a check dated before
/// an earlier-recorded one is not).
pub async fn record<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    audit: &Audit,
    provider: provider::Model,
    new: NewCheck,
) -> DomainResult<ComplianceCheck> {
    let saved = compliance_check::ActiveModel {
        region_id: Set(scope.region_id),
        id: Set(Uuid::now_v7()),
        provider_id: Set(provider.id),
        kind: Set(new.kind),
        outcome: Set(new.outcome),
        checked_on: Set(new.checked_on),
        valid_until: Set(new.valid_until),
        note: Set(new.note.map(|n| n.trim().to_owned())),
        created_at: Set(entities::clock::now()),
    }
    .insert(db)
    .await?;
    let policy = compliance_policy(db, scope).await?;
    let today = entities::clock::now().date_naive();
    let all = compliance_check::Entity::scoped(scope)
        .filter(compliance_check::Column::ProviderId.eq(provider.id))
        .filter(compliance_check::Column::Kind.eq(new.kind))
        .all(db)
        .await?;
    let latest = latest_per_kind(&all)
        .first()
        .is_some_and(|l| l.id == saved.id);
    let out = describe(
        &saved,
        provider.agb_code,
        today,
        policy.horizon_days,
        latest,
    );
    audit
        .record(db, "create", "compliance-check", out.id, &out)
        .await?;
    Ok(out)
}
