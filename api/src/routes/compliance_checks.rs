//! The compliance register (seeds 000 §4.5, 001, 004 §10): each provider's
//! checks (Bibob integrity screening, financial check, Governance Code,
//! WNT, quality mark) with outcome, date and validity, "altijd …
//! gedurende de looptijd". The latest check of a kind decides; one that
//! failed or expired blocks new allocations and enrolments of the provider
//! for the kinds the `compliance` policy names. The daily watch signals
//! what expires within the policy's horizon (`GET .../contract-signals`).

use chrono::NaiveDate;
use domain::catalogue;
use domain::compliance::{self, ComplianceCheck, NewCheck};
use domain::contract_watch::compliance_policy;
use entities::{
    contract_life::latest_per_kind,
    enums::{CheckOutcome, ComplianceKind, ContractSignalKind},
    schema::{compliance_check, contract_signal},
    TenantEntity,
};
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::prelude::*;
use domain::codes::CodeBook;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ComplianceCheckIn {
    #[schema(value_type = ComplianceKind)]
    pub kind: String,
    #[schema(value_type = CheckOutcome)]
    pub outcome: String,
    #[schema(value_type = NaiveDate, example = "2026-02-01")]
    pub checked_on: String,
    /// The last day a passed check holds; none when it does not lapse.
    #[schema(value_type = Option<NaiveDate>, example = "2027-01-31")]
    pub valid_until: Option<String>,
    #[schema(example = "Bibob questionnaire and KvK extract reviewed")]
    pub note: Option<String>,
}

/// Where a check stands today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CheckStanding {
    Valid,
    /// Valid, but it lapses within the `compliance` policy's horizon.
    Expiring,
    Expired,
    Failed,
}

impl From<compliance::CheckStanding> for CheckStanding {
    fn from(s: compliance::CheckStanding) -> Self {
        match s {
            compliance::CheckStanding::Valid => Self::Valid,
            compliance::CheckStanding::Expiring => Self::Expiring,
            compliance::CheckStanding::Expired => Self::Expired,
            compliance::CheckStanding::Failed => Self::Failed,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ComplianceCheckOut {
    pub id: Uuid,
    pub provider_agb: String,
    pub kind: ComplianceKind,
    pub outcome: CheckOutcome,
    pub checked_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub note: Option<String>,
    pub standing: CheckStanding,
    /// Whether this is the provider's latest check of its kind (the one that decides).
    pub latest: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<ComplianceCheck> for ComplianceCheckOut {
    fn from(c: ComplianceCheck) -> Self {
        Self {
            id: c.id,
            provider_agb: c.provider_agb,
            kind: c.kind,
            outcome: c.outcome,
            checked_on: c.checked_on,
            valid_until: c.valid_until,
            note: c.note,
            standing: c.standing.into(),
            latest: c.latest,
            created_at: c.created_at,
        }
    }
}

/// Record a check of a provider.
#[utoipa::path(
    tag = "providers",
    params(("regionCode" = String, Path, description = "Region code"), ("agbCode" = String, Path, description = "Provider AGB code")),
    request_body = ComplianceCheckIn,
    responses(
        (status = 201, body = ComplianceCheckOut),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/regions/{regionCode}/providers/{agbCode}/compliance-checks")]
pub async fn create_compliance_check(
    state: web::Data<AppState>,
    auth: Scoped<ManageContracts>,
    path: web::Path<(String, String)>,
    body: Body<ComplianceCheckIn>,
) -> ApiResult<HttpResponse> {
    let input = body.take()?;
    let mut check = Check::new();
    let kind = check.one_of::<ComplianceKind>("kind", &input.kind);
    let outcome = check.one_of::<CheckOutcome>("outcome", &input.outcome);
    let checked_on = check.date("checkedOn", &input.checked_on);
    let valid_until = check.optional_date("validUntil", input.valid_until.as_deref());
    if let Some(note) = &input.note {
        check.name("note", note, 2000);
    }
    if let Some(on) = checked_on {
        check.require_rule(
            on <= entities::clock::now().date_naive(),
            "checkedOn",
            "a check is recorded once it was made: not in the future",
        );
    }
    if let (Some(on), Some(Some(until))) = (checked_on, valid_until) {
        check.require_rule(until >= on, "validUntil", "must not be before checkedOn");
    }
    let txn = entities::transaction::begin_write(&state.db).await?;
    let provider = catalogue::provider(&txn, &auth.scope, &path.1)
        .await?
        .ok_or(ApiError::NotFound)?;
    let (((kind, outcome), checked_on), valid_until) =
        check.done(kind.zip(outcome).zip(checked_on).zip(valid_until))?;
    let new = NewCheck {
        kind,
        outcome,
        checked_on,
        valid_until,
        note: input.note,
    };
    let body = ComplianceCheckOut::from(
        compliance::record(&txn, &auth.scope, &auth.audit(), provider, new).await?,
    );
    txn.commit().await?;
    Ok(HttpResponse::Created().json(body))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct RegisterFilter {
    /// Only this provider's checks.
    pub provider_agb: Option<String>,
    /// Only the latest checks (default) or every check (`false`).
    pub latest_only: Option<bool>,
    /// Only checks standing so today: `valid`, `expiring`, `expired` or `failed`.
    #[param(pattern = "^(valid|expiring|expired|failed)$")]
    pub standing: Option<String>,
}

/// The compliance register: the latest check of each kind per provider
/// (every check with `latestOnly=false`), with where it stands today.
#[utoipa::path(
    tag = "providers",
    params(("regionCode" = String, Path, description = "Region code"), RegisterFilter),
    responses(
        (status = 200, body = Vec<ComplianceCheckOut>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/compliance-checks")]
pub async fn list_compliance_checks(
    state: web::Data<AppState>,
    auth: Scoped<Monitor>,
    filter: web::Query<RegisterFilter>,
) -> ApiResult<web::Json<Vec<ComplianceCheckOut>>> {
    let wanted = match filter.standing.as_deref() {
        None => None,
        Some("valid") => Some(CheckStanding::Valid),
        Some("expiring") => Some(CheckStanding::Expiring),
        Some("expired") => Some(CheckStanding::Expired),
        Some("failed") => Some(CheckStanding::Failed),
        Some(_) => {
            return Err(ApiError::invalid(
                "standing",
                "must be valid, expiring, expired or failed",
            ))
        }
    };
    let db = &state.db;
    let scope = &auth.scope;
    let mut select = compliance_check::Entity::scoped(scope)
        .order_by_asc(compliance_check::Column::ProviderId)
        .order_by_asc(compliance_check::Column::Kind)
        .order_by_asc(compliance_check::Column::CheckedOn);
    if let Some(agb) = &filter.provider_agb {
        let id = catalogue::provider(db, scope, agb).await?.map(|p| p.id);
        select = select.filter(compliance_check::Column::ProviderId.eq(id.unwrap_or_default()));
    }
    let checks = select.all(db).await?;
    let mut by_provider: std::collections::BTreeMap<Uuid, Vec<compliance_check::Model>> =
        Default::default();
    for c in checks {
        by_provider.entry(c.provider_id).or_default().push(c);
    }
    let policy = compliance_policy(db, scope).await?;
    let today = entities::clock::now().date_naive();
    let codes = CodeBook::load(db, scope).await?;
    let mut items = Vec::new();
    for (provider_id, checks) in &by_provider {
        let latest: Vec<Uuid> = latest_per_kind(checks).iter().map(|c| c.id).collect();
        for c in checks {
            let is_latest = latest.contains(&c.id);
            if filter.latest_only.unwrap_or(true) && !is_latest {
                continue;
            }
            let item = ComplianceCheckOut::from(compliance::describe(
                c,
                codes.provider(*provider_id),
                today,
                policy.horizon_days,
                is_latest,
            ));
            if wanted.is_none_or(|w| w == item.standing) {
                items.push(item);
            }
        }
    }
    Ok(web::Json(items))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct SignalFilter {
    #[param(value_type = Option<ContractSignalKind>)]
    pub kind: Option<String>,
}

/// A signal of the daily watch (or of a contract over the EU threshold).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContractSignalOut {
    pub id: Uuid,
    pub kind: ContractSignalKind,
    /// The compliance check, or the contract.
    pub subject_id: Uuid,
    pub provider_agb: Option<String>,
    /// The day the check expires or expired, or the contract's last day
    /// (its start for `eu-threshold`).
    pub due_on: NaiveDate,
    pub detail: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl ContractSignalOut {
    pub fn of(s: contract_signal::Model, codes: &CodeBook) -> Self {
        Self {
            id: s.id,
            kind: s.kind,
            subject_id: s.subject_id,
            provider_agb: s.provider_id.map(|id| codes.provider(id)),
            due_on: s.due_on,
            detail: s.detail,
            created_at: s.created_at,
        }
    }
}

/// Contract signals, newest first: checks expiring or expired, contracts
/// ending with allocations past their end, values over the EU threshold.
#[utoipa::path(
    tag = "contracts",
    params(("regionCode" = String, Path, description = "Region code"), SignalFilter, PageQuery),
    responses(
        (status = 200, body = Page<ContractSignalOut>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/contract-signals")]
pub async fn list_contract_signals(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Scoped<Monitor>,
    filter: web::Query<SignalFilter>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let page = query.validate()?;
    let mut check = Check::new();
    let kind = filter
        .kind
        .as_deref()
        .map(|k| check.one_of::<ContractSignalKind>("kind", k));
    check.finish()?;
    let mut select = contract_signal::Entity::scoped(&auth.scope)
        .order_by_desc(contract_signal::Column::CreatedAt)
        .order_by_desc(contract_signal::Column::Id);
    if let Some(Some(kind)) = kind {
        select = select.filter(contract_signal::Column::Kind.eq(kind));
    }
    let (items, total) = fetch_page(&state.db, select, page).await?;
    let codes = CodeBook::load(&state.db, &auth.scope).await?;
    let out: Vec<ContractSignalOut> = items
        .into_iter()
        .map(|s| ContractSignalOut::of(s, &codes))
        .collect();
    Ok(Page::new(out, page, total).respond(&req))
}
