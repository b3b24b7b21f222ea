//! Background job runs of a region: status and progress (0–100).

use entities::{enums::JobStatus, schema::job_run, TenantEntity, TenantRecord};
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::prelude::*;

/// One run of a background job.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JobOut {
    pub id: Uuid,
    /// e.g. `indexation-preview`, `indexation-apply`.
    pub kind: String,
    pub status: JobStatus,
    /// 0 to 100.
    pub progress: i32,
    pub result: Option<serde_json::Value>,
    pub error: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub started_at: Option<chrono::DateTime<chrono::Utc>>,
    pub finished_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<job_run::Model> for JobOut {
    fn from(m: job_run::Model) -> Self {
        Self {
            id: m.id,
            kind: m.kind,
            status: m.status,
            progress: m.progress,
            result: m.result,
            error: m.error,
            created_at: m.created_at,
            started_at: m.started_at,
            finished_at: m.finished_at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct JobFilter {
    pub kind: Option<String>,
    #[param(value_type = Option<JobStatus>)]
    pub status: Option<String>,
}

/// List job runs, newest first.
#[utoipa::path(
    tag = "jobs",
    params(("regionCode" = String, Path, description = "Region code"), JobFilter, PageQuery),
    responses((status = 200, body = Page<JobOut>)),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/jobs")]
pub async fn list_jobs(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Scoped<ReadJobs>,
    filter: web::Query<JobFilter>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let page = query.validate()?;
    let mut check = Check::new();
    let status = filter
        .status
        .as_deref()
        .map(|s| check.one_of::<JobStatus>("status", s));
    check.finish()?;
    let mut select = job_run::Entity::scoped(&auth.scope).order_by_desc(job_run::Column::Id);
    if let Some(kind) = &filter.kind {
        select = select.filter(job_run::Column::Kind.eq(kind.as_str()));
    }
    if let Some(Some(status)) = status {
        select = select.filter(job_run::Column::Status.eq(status));
    }
    let (items, total) = fetch_page(&state.db, select, page).await?;
    Ok(Page::new(items.into_iter().map(JobOut::from).collect(), page, total).respond(&req))
}

/// Get a job run: watch `progress` and `status`.
#[utoipa::path(
    tag = "jobs",
    params(("regionCode" = String, Path, description = "Region code"), ("id" = Uuid, Path, description = "Job run id")),
    responses((status = 200, body = JobOut), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/jobs/{id}")]
pub async fn get_job(
    state: web::Data<AppState>,
    auth: Scoped<ReadJobs>,
    path: web::Path<(String, Uuid)>,
) -> ApiResult<web::Json<JobOut>> {
    let found = job_run::Entity::find_scoped(&state.db, &auth.scope, path.1)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(web::Json(found.into()))
}
