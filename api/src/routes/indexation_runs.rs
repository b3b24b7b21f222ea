//! Indexation runs: `POST` enqueues a preview of next year's tariffs; a
//! region admin's approval enqueues the apply. At most one run per region and
//! year stands (a failed preview frees the year); approving twice is a 409.

use domain::indexation;
use entities::{
    money::cents_to_euros,
    schema::{indexation_proposal as proposal, indexation_run as run},
    RegionScope, TenantEntity,
};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::prelude::*;
use domain::codes::CodeBook;

/// An indexation run (indexatie) for one year.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RunOut {
    pub id: Uuid,
    #[schema(example = 2026)]
    pub year: i32,
    /// `queued`, `previewed`, `approved`, `applied` or `failed`.
    pub status: String,
    /// Index percentage per product group code, e.g. `{"BEG": "4.96"}`.
    pub indices: Option<serde_json::Value>,
    pub proposed_count: i32,
    pub skipped_count: i32,
    pub preview_job_id: Option<Uuid>,
    pub apply_job_id: Option<Uuid>,
    pub requested_by: Option<String>,
    pub approved_by: Option<String>,
    pub error: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub approved_at: Option<chrono::DateTime<chrono::Utc>>,
    pub applied_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<run::Model> for RunOut {
    fn from(m: run::Model) -> Self {
        Self {
            id: m.id,
            year: m.year,
            status: m.status,
            indices: m.indices,
            proposed_count: m.proposed_count,
            skipped_count: m.skipped_count,
            preview_job_id: m.preview_job_id,
            apply_job_id: m.apply_job_id,
            requested_by: m.requested_by,
            approved_by: m.approved_by,
            error: m.error,
            created_at: m.created_at,
            approved_at: m.approved_at,
            applied_at: m.applied_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RunIn {
    /// The year the new tariffs start (1 January).
    #[schema(example = 2026)]
    pub year: i32,
}

/// One proposed (or skipped) new tariff.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProposalOut {
    /// The version valid on 31 December.
    pub tariff_id: Uuid,
    pub product_code: String,
    pub product_group_code: String,
    pub provider_agb: Option<String>,
    pub municipality_cbs: Option<String>,
    #[schema(value_type = String, example = "70.00")]
    pub old_price: Decimal,
    #[schema(value_type = Option<String>, example = "73.47")]
    pub new_price: Option<Decimal>,
    #[schema(example = "4.96")]
    pub index_percent: Option<String>,
    /// `proposed`, `skipped` or `applied`.
    pub status: String,
    pub skip_reason: Option<String>,
    pub new_tariff_id: Option<Uuid>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ProposalQuery {
    /// `json` (paged, the default) or `csv` (every proposal).
    #[param(pattern = "^(json|csv)$")]
    pub format: Option<String>,
    /// `proposed`, `skipped` or `applied`.
    pub status: Option<String>,
}

pub struct Names(CodeBook);

impl Names {
    pub async fn load<C: ConnectionTrait>(db: &C, scope: &RegionScope) -> ApiResult<Self> {
        Ok(Self(CodeBook::load(db, scope).await?))
    }

    pub fn out(&self, p: proposal::Model) -> ProposalOut {
        ProposalOut {
            tariff_id: p.tariff_id,
            product_code: self.0.product(p.product_id),
            product_group_code: self.0.group(p.product_group_id),
            provider_agb: p.provider_id.map(|id| self.0.provider(id)),
            municipality_cbs: p.municipality_id.map(|id| self.0.municipality(id)),
            old_price: cents_to_euros(p.old_price_cents),
            new_price: p.new_price_cents.map(cents_to_euros),
            index_percent: p.index_percent,
            status: p.status,
            skip_reason: p.skip_reason,
            new_tariff_id: p.new_tariff_id,
        }
    }
}

pub async fn find_run<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    id: Uuid,
) -> ApiResult<run::Model> {
    Ok(indexation::find_run(db, scope, id).await?)
}

/// Start an indexation run for `year`: checks that every product group with
/// tariffs has a policy and its index figures (422 naming the series and
/// year otherwise), then enqueues the preview. 409 while another run for the
/// year stands.
#[utoipa::path(
    tag = "indexation",
    params(("regionCode" = String, Path, description = "Region code")),
    request_body = RunIn,
    responses(
        (status = 202, description = "The preview is queued", body = RunOut),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Index figures or a policy are missing", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database or the job queue is unavailable; nothing was changed (`Retry-After`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/regions/{regionCode}/indexation-runs")]
pub async fn create_run(
    state: web::Data<AppState>,
    auth: Scoped<ManageCatalogue>,
    body: Body<RunIn>,
) -> ApiResult<HttpResponse> {
    let input = body.take()?;
    let mut check = Check::new();
    check.year("year", input.year);
    check.finish()?;
    let scope = &auth.scope;
    indexation::check_ready(&state.db, scope, input.year).await?;
    let txn = entities::transaction::begin_write(&state.db).await?;
    let (saved, job) = indexation::request(&txn, scope, &auth.audit(), input.year).await?;
    let run_id = saved.id;
    state.queue.push_and_commit(&state.db, txn, job).await?;
    Ok(HttpResponse::Accepted()
        .insert_header((
            "Location",
            format!(
                "/api/v1/regions/{}/indexation-runs/{run_id}",
                auth.region.code
            ),
        ))
        .json(RunOut::from(saved)))
}

/// List indexation runs, newest first.
#[utoipa::path(
    tag = "indexation",
    params(("regionCode" = String, Path, description = "Region code"), PageQuery),
    responses((status = 200, body = Page<RunOut>)),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/indexation-runs")]
pub async fn list_runs(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let page = query.validate()?;
    let select = run::Entity::scoped(&auth.scope).order_by_desc(run::Column::Id);
    let (items, total) = fetch_page(&state.db, select, page).await?;
    Ok(Page::new(items.into_iter().map(RunOut::from).collect(), page, total).respond(&req))
}

/// Get an indexation run: its status, index per product group and counts.
#[utoipa::path(
    tag = "indexation",
    params(("regionCode" = String, Path, description = "Region code"), ("id" = Uuid, Path, description = "Run id")),
    responses((status = 200, body = RunOut), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/indexation-runs/{id}")]
pub async fn get_run(
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    path: web::Path<(String, Uuid)>,
) -> ApiResult<web::Json<RunOut>> {
    Ok(web::Json(
        find_run(&state.db, &auth.scope, path.1).await?.into(),
    ))
}

/// The run's proposals: paged JSON, or every proposal as CSV (`format=csv`).
#[utoipa::path(
    tag = "indexation",
    params(("regionCode" = String, Path, description = "Region code"), ("id" = Uuid, Path, description = "Run id"), ProposalQuery, PageQuery),
    responses(
        // One 200 with both bodies: two `status = 200` entries would keep only the last.
        (status = 200, description = "A page of proposals as JSON (default), or every proposal as CSV (`format=csv`)", content(
            (Page<ProposalOut> = "application/json"),
            (String = "text/csv"),
        )),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/indexation-runs/{id}/proposals")]
pub async fn list_proposals(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    path: web::Path<(String, Uuid)>,
    filter: web::Query<ProposalQuery>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let csv = crate::csv::wants_csv(filter.format.as_deref())?;
    let page = query.validate()?;
    let scope = &auth.scope;
    let found = find_run(&state.db, scope, path.1).await?;
    let mut select = proposal::Entity::scoped(scope)
        .filter(proposal::Column::RunId.eq(found.id))
        .filter(auth.party.indexation_proposals())
        .order_by_asc(proposal::Column::Id);
    if let Some(status) = &filter.status {
        select = select.filter(proposal::Column::Status.eq(status.as_str()));
    }
    let names = Names::load(&state.db, scope).await?;
    if csv {
        let mut csv = crate::csv::Csv::new(&[
            "tariffId",
            "productCode",
            "productGroupCode",
            "providerAgb",
            "municipalityCbs",
            "oldPrice",
            "newPrice",
            "indexPercent",
            "status",
            "skipReason",
            "newTariffId",
        ]);
        for p in select
            .all(&state.db)
            .await?
            .into_iter()
            .map(|p| names.out(p))
        {
            let opt = |v: Option<String>| v.unwrap_or_default();
            csv.row([
                p.tariff_id.to_string(),
                p.product_code,
                p.product_group_code,
                opt(p.provider_agb),
                opt(p.municipality_cbs),
                p.old_price.to_string(),
                opt(p.new_price.map(|d| d.to_string())),
                opt(p.index_percent),
                p.status,
                opt(p.skip_reason),
                opt(p.new_tariff_id.map(|id| id.to_string())),
            ]);
        }
        return Ok(csv.respond(&format!("indexation-{}-{}.csv", found.year, found.id)));
    }
    let (items, total) = fetch_page(&state.db, select, page).await?;
    Ok(Page::new(
        items.into_iter().map(|p| names.out(p)).collect(),
        page,
        total,
    )
    .respond(&req))
}

/// Approve a previewed run (region admins): enqueues the apply. 409 when the
/// run is not previewed (still queued, already approved or applied, failed).
#[utoipa::path(
    tag = "indexation",
    params(("regionCode" = String, Path, description = "Region code"), ("id" = Uuid, Path, description = "Run id")),
    responses(
        (status = 202, description = "The apply is queued", body = RunOut),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database or the job queue is unavailable; nothing was changed (`Retry-After`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/regions/{regionCode}/indexation-runs/{id}/approval")]
pub async fn approve_run(
    state: web::Data<AppState>,
    auth: Scoped<ManageCatalogue>,
    path: web::Path<(String, Uuid)>,
) -> ApiResult<HttpResponse> {
    let scope = &auth.scope;
    let txn = entities::transaction::begin_write(&state.db).await?;
    let (approved, apply) = indexation::approve(&txn, scope, &auth.audit(), path.1).await?;
    state.queue.push_and_commit(&state.db, txn, apply).await?;
    Ok(HttpResponse::Accepted().json(RunOut::from(approved)))
}
