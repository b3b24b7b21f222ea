//! Outflow checks (drempels): on demand or by the yearly schedule, count
//! each contracted provider's clients and flag those under the region's
//! threshold; the office then marks the contract `outflow-proposed` and
//! terminates it through `.../contracts/{id}`.

use chrono::NaiveDate;
use domain::outflow;
use entities::{
    schema::{outflow_check as check, outflow_flag as flag},
    TenantEntity, TenantRecord,
};
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::prelude::*;
use domain::codes::CodeBook;

/// An outflow check.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OutflowCheckOut {
    pub id: Uuid,
    pub as_of: NaiveDate,
    pub window_from: NaiveDate,
    pub window_to: NaiveDate,
    /// `queued`, `done` or `failed`.
    pub status: String,
    pub job_id: Option<Uuid>,
    /// Provider-and-scope pairs counted.
    pub checked_count: i32,
    /// Of those, with zero clients or below the threshold.
    pub flagged_count: i32,
    /// The `outflow-threshold` policy applied.
    pub policy: Option<serde_json::Value>,
    pub requested_by: Option<String>,
    pub error: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<check::Model> for OutflowCheckOut {
    fn from(m: check::Model) -> Self {
        Self {
            id: m.id,
            as_of: m.as_of,
            window_from: m.window_from,
            window_to: m.window_to,
            status: m.status,
            job_id: m.job_run_id,
            checked_count: m.checked_count,
            flagged_count: m.flagged_count,
            policy: m.policy,
            requested_by: m.requested_by,
            error: m.error,
            created_at: m.created_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OutflowCheckIn {
    /// The check date (default today): the window is the last full calendar
    /// year before it, or the twelve months up to it, as the policy says.
    #[schema(value_type = Option<NaiveDate>, example = "2026-01-15")]
    pub as_of: Option<String>,
}

impl FlagOut {
    pub fn of(f: flag::Model, codes: &CodeBook) -> Self {
        Self {
            provider_agb: codes.provider(f.provider_id),
            product_group_code: f.product_group_id.map(|id| codes.group(id)),
            municipality_cbs: f.municipality_id.map(|id| codes.municipality(id)),
            contract_id: f.contract_id,
            clients: f.clients,
            threshold: f.threshold,
            verdict: f.verdict,
        }
    }
}

/// A provider's count in one scope, with its verdict.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FlagOut {
    pub provider_agb: String,
    pub product_group_code: Option<String>,
    pub municipality_cbs: Option<String>,
    /// The contract to act on (mark `outflow-proposed`, then terminate).
    pub contract_id: Option<Uuid>,
    pub clients: i64,
    pub threshold: i64,
    /// `zero-clients`, `below-threshold`, `grace` or `ok`.
    pub verdict: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct FlagQuery {
    /// `flagged` (zero clients or below the threshold; the default), `all`,
    /// or one verdict.
    #[param(pattern = "^(flagged|all|zero-clients|below-threshold|grace|ok)$")]
    pub verdict: Option<String>,
    /// `json` (paged, the default) or `csv` (every row).
    #[param(pattern = "^(json|csv)$")]
    pub format: Option<String>,
}

/// Run an outflow check now (202; watch `jobId`). 422 without an
/// `outflow-threshold` policy.
#[utoipa::path(
    tag = "outflow",
    params(("regionCode" = String, Path, description = "Region code")),
    request_body = OutflowCheckIn,
    responses(
        (status = 202, body = OutflowCheckOut),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/regions/{regionCode}/outflow-checks")]
pub async fn create_check(
    state: web::Data<AppState>,
    auth: Scoped<ManageContracts>,
    body: Body<OutflowCheckIn>,
) -> ApiResult<HttpResponse> {
    let input = body.take()?;
    let mut check = Check::new();
    let as_of = check.optional_date("asOf", input.as_of.as_deref());
    let as_of = check
        .done(as_of)?
        .unwrap_or_else(|| entities::clock::now().date_naive());
    let txn = entities::transaction::begin_write(&state.db).await?;
    let (saved, job) = outflow::request_check(&txn, &auth.scope, &auth.audit(), as_of).await?;
    state.queue.push_and_commit(&state.db, txn, job).await?;
    Ok(HttpResponse::Accepted().json(OutflowCheckOut::from(saved)))
}

/// List outflow checks, newest first.
#[utoipa::path(
    tag = "outflow",
    params(("regionCode" = String, Path, description = "Region code"), PageQuery),
    responses((status = 200, body = Page<OutflowCheckOut>)),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/outflow-checks")]
pub async fn list_checks(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let page = query.validate()?;
    let select = check::Entity::scoped(&auth.scope).order_by_desc(check::Column::Id);
    let (items, total) = fetch_page(&state.db, select, page).await?;
    Ok(Page::new(
        items.into_iter().map(OutflowCheckOut::from).collect(),
        page,
        total,
    )
    .respond(&req))
}

/// Get an outflow check.
#[utoipa::path(
    tag = "outflow",
    params(("regionCode" = String, Path, description = "Region code"), ("id" = Uuid, Path, description = "Check id")),
    responses((status = 200, body = OutflowCheckOut), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/outflow-checks/{id}")]
pub async fn get_check(
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    path: web::Path<(String, Uuid)>,
) -> ApiResult<web::Json<OutflowCheckOut>> {
    let found = check::Entity::find_scoped(&state.db, &auth.scope, path.1)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(web::Json(found.into()))
}

/// The check's verdicts: the flagged ones by default; paged JSON or CSV.
#[utoipa::path(
    tag = "outflow",
    params(("regionCode" = String, Path, description = "Region code"), ("id" = Uuid, Path, description = "Check id"), FlagQuery, PageQuery),
    responses(
        (status = 200, description = "A page of verdicts as JSON (default), or every verdict as CSV (`format=csv`)", content(
            (Page<FlagOut> = "application/json"),
            (String = "text/csv"),
        )),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/outflow-checks/{id}/flags")]
pub async fn list_flags(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    path: web::Path<(String, Uuid)>,
    filter: web::Query<FlagQuery>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let csv = crate::csv::wants_csv(filter.format.as_deref())?;
    let page = query.validate()?;
    let found = check::Entity::find_scoped(&state.db, &auth.scope, path.1)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut select = flag::Entity::scoped(&auth.scope)
        .filter(flag::Column::CheckId.eq(found.id))
        .filter(auth.party.outflow_flags())
        .order_by_asc(flag::Column::Id);
    select = match filter.verdict.as_deref() {
        None | Some("flagged") => {
            select.filter(flag::Column::Verdict.is_in(["zero-clients", "below-threshold"]))
        }
        Some("all") => select,
        Some(v @ ("zero-clients" | "below-threshold" | "grace" | "ok")) => {
            select.filter(flag::Column::Verdict.eq(v))
        }
        Some(_) => {
            return Err(ApiError::invalid(
                "verdict",
                "must be flagged, all, zero-clients, below-threshold, grace or ok",
            ))
        }
    };
    let codes = CodeBook::load(&state.db, &auth.scope).await?;
    let out = |f: flag::Model| FlagOut::of(f, &codes);
    if csv {
        let mut csv = crate::csv::Csv::new(&[
            "providerAgb",
            "productGroupCode",
            "municipalityCbs",
            "contractId",
            "clients",
            "threshold",
            "verdict",
        ]);
        for f in select.all(&state.db).await?.into_iter().map(out) {
            csv.row([
                f.provider_agb,
                f.product_group_code.unwrap_or_default(),
                f.municipality_cbs.unwrap_or_default(),
                f.contract_id.map(|id| id.to_string()).unwrap_or_default(),
                f.clients.to_string(),
                f.threshold.to_string(),
                f.verdict,
            ]);
        }
        return Ok(csv.respond(&format!("outflow-flags-{}.csv", found.id)));
    }
    let (items, total) = fetch_page(&state.db, select, page).await?;
    Ok(Page::new(items.into_iter().map(out).collect(), page, total).respond(&req))
}
