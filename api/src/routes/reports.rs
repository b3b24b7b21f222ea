//! Monitoring reports (regionale monitor): made on demand (`POST`) or by the
//! monthly schedule, served as JSON, as CSV files in a zip, or as an XLSX
//! workbook, because the offices work in spreadsheets.

use chrono::NaiveDate;
use entities::{schema::monitoring_report as report, TenantEntity, TenantRecord};
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QueryTrait};
use serde_json::Value;
use uuid::Uuid;

use domain::codes::CodeBook;

use super::prelude::*;
use crate::report_files;
use domain::report_requests::{self, own_municipality, ReportRequest};

/// A monitoring report; `content` holds its tables once `status` is `done`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReportOut {
    pub id: Uuid,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// `queued`, `done` or `failed`.
    pub status: String,
    pub job_id: Option<Uuid>,
    /// `productGroups` (seed 002 Table 1: approved amount, contracted providers,
    /// providers with clients, clients, top-3 and top-10 share in percent, or
    /// null ("n.v.t.") with the reason in `top3ShareNotApplicable` /
    /// `top10ShareNotApplicable`: `excluded-group`, `few-clients`,
    /// `few-providers`), `municipalities` (spend, per inhabitant, clients,
    /// allocations), `flows` (inflow, outflow, throughflow), `budgetCeilings`,
    /// `temporaryIntensive`, `contractsEnding` (in the 12 months after `to`),
    /// `compliance` (checks of the register failed or expired at `to`),
    /// `referrers` (spend and clients per product group and referrer type,
    /// COD327), `places` (place-days, occupied days and occupancy per month
    /// and product), `stackedCare` (stacked allocation pairs per product
    /// group).
    pub content: Option<Value>,
    pub requested_by: Option<String>,
    pub error: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// A municipality's own report; `null` for the region's.
    pub municipality_cbs: Option<String>,
    /// The cut-off: only allocations made, declaration batches recorded
    /// and messages received by this moment count. `null` for a report
    /// made before cut-offs existed.
    pub as_of: Option<chrono::DateTime<chrono::Utc>>,
}

impl ReportOut {
    fn of(m: report::Model, codes: &CodeBook) -> Self {
        Self {
            municipality_cbs: m.municipality_id.map(|id| codes.municipality(id)),
            id: m.id,
            from: m.period_from,
            to: m.period_to,
            status: m.status,
            job_id: m.job_run_id,
            content: m.content,
            requested_by: m.requested_by,
            error: m.error,
            created_at: m.created_at,
            as_of: m.as_of,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReportIn {
    /// One municipality's report (its spend, clients, allocations, the
    /// contracts serving it). A municipality's own token always gets its
    /// own; the office may ask for any.
    #[schema(example = "GM0202")]
    pub municipality_cbs: Option<String>,
    /// The first day of a month.
    #[schema(value_type = NaiveDate, example = "2025-01-01")]
    pub from: String,
    /// The last day of a month.
    #[schema(value_type = NaiveDate, example = "2025-12-31")]
    pub to: String,
    /// The cut-off, an RFC 3339 moment with its offset, not in the future
    /// (422); by default the moment of the request. Only allocations made,
    /// declaration batches recorded and messages received by then count,
    /// so the same report made again later gives the same figures.
    #[schema(value_type = Option<chrono::DateTime<chrono::Utc>>, example = "2026-01-05T23:59:59+01:00")]
    pub as_of: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ReportFormat {
    /// `json` (the default), `csv` (a zip with one CSV per table, the API's
    /// field names), `csv-excel` (the same tables for Dutch Excel: Dutch
    /// headers, `;`, decimal comma, UTF-8 BOM) or `xlsx` (Dutch headers,
    /// euro and percent formats, Table 1 in seed 002's layout).
    #[param(pattern = "^(json|csv|csv-excel|xlsx)$")]
    pub format: Option<String>,
}

/// A file's bytes (`type: string, format: binary`), not a JSON array.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)] // only its schema is used
pub struct FileBytes(Vec<u8>);

/// Make a report for a period (202; watch `jobId`).
#[utoipa::path(
    tag = "reports",
    params(("regionCode" = String, Path, description = "Region code")),
    request_body = ReportIn,
    responses(
        (status = 202, body = ReportOut),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A rule between fields: the period (whole months, `to` not before `from`, at most ten years), `asOf` in the future, another municipality's report", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database or the job queue is unavailable; nothing was changed (`Retry-After`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/regions/{regionCode}/reports")]
pub async fn create_report(
    state: web::Data<AppState>,
    auth: Scoped<ReadMonitor>,
    body: Body<ReportIn>,
) -> ApiResult<HttpResponse> {
    let input = body.take()?;
    let txn = entities::transaction::begin_write(&state.db).await?;
    let asked = ReportRequest {
        from: &input.from,
        to: &input.to,
        municipality_cbs: input.municipality_cbs.as_deref(),
    };
    let (saved, job) = report_requests::request_as_of(
        &txn,
        &auth.scope,
        &auth.party,
        &auth.audit(),
        asked,
        input.as_of.as_deref(),
    )
    .await?;
    let codes = CodeBook::load(&txn, &auth.scope).await?;
    let out = ReportOut::of(saved, &codes);
    state.queue.push_and_commit(&state.db, txn, job).await?;
    Ok(HttpResponse::Accepted().json(out))
}

/// List reports, newest first (with their tables).
#[utoipa::path(
    tag = "reports",
    params(("regionCode" = String, Path, description = "Region code"), PageQuery),
    responses((status = 200, body = Page<ReportOut>)),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/reports")]
pub async fn list_reports(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Scoped<ReadMonitor>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let page = query.validate()?;
    let select = report::Entity::scoped(&auth.scope)
        .apply_if(own_municipality(&auth.party), |q, (id, _)| {
            q.filter(report::Column::MunicipalityId.eq(id))
        })
        .order_by_desc(report::Column::Id);
    let (items, total) = fetch_page(&state.db, select, page).await?;
    let codes = CodeBook::load(&state.db, &auth.scope).await?;
    Ok(Page::new(
        items
            .into_iter()
            .map(|m| ReportOut::of(m, &codes))
            .collect(),
        page,
        total,
    )
    .respond(&req))
}

/// Get a report as JSON, as CSV files in a zip (`format=csv` for programs,
/// `format=csv-excel` for Dutch Excel) or as an XLSX workbook
/// (`format=xlsx`, one sheet per table, Dutch headers).
#[utoipa::path(
    tag = "reports",
    params(("regionCode" = String, Path, description = "Region code"), ("id" = Uuid, Path, description = "Report id"), ReportFormat),
    responses(
        (status = 200, description = "The report as JSON (default), CSV files in a zip (`format=csv` or `csv-excel`, one per table) or an XLSX workbook (`format=xlsx`)", content(
            (ReportOut = "application/json"),
            (inline(FileBytes) = "application/zip"),
            (inline(FileBytes) = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The report is not done yet", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/reports/{id}")]
pub async fn get_report(
    state: web::Data<AppState>,
    auth: Scoped<ReadMonitor>,
    path: web::Path<(String, Uuid)>,
    format: web::Query<ReportFormat>,
) -> ApiResult<HttpResponse> {
    let found = report::Entity::find_scoped(&state.db, &auth.scope, path.1)
        .await?
        .filter(|r| {
            own_municipality(&auth.party).is_none_or(|(id, _)| r.municipality_id == Some(id))
        })
        .ok_or(ApiError::NotFound)?;
    let file = |ext: &str| {
        format!(
            "attachment; filename=\"report-{}-{}-{}.{ext}\"",
            found.period_from, found.period_to, found.id
        )
    };
    let content = || {
        found.content.clone().ok_or_else(|| {
            ApiError::conflict(
                "ZR-REPORT-NOT-READY",
                format!("The report is {}.", found.status),
            )
        })
    };
    match format.format.as_deref() {
        None | Some("json") => {
            let codes = CodeBook::load(&state.db, &auth.scope).await?;
            Ok(HttpResponse::Ok().json(ReportOut::of(found.clone(), &codes)))
        }
        Some(kind @ ("csv" | "csv-excel")) => {
            let bytes = if kind == "csv" {
                report_files::csv_zip(&content()?)
            } else {
                report_files::excel_csv_zip(&content()?)
            };
            Ok(HttpResponse::Ok()
                .content_type("application/zip")
                .insert_header(("Content-Disposition", file("zip")))
                .body(bytes.map_err(ApiError::Internal)?))
        }
        Some("xlsx") => {
            let bytes =
                report_files::xlsx(&content()?).map_err(|e| ApiError::Internal(e.to_string()))?;
            Ok(HttpResponse::Ok()
                .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
                .insert_header(("Content-Disposition", file("xlsx")))
                .body(bytes))
        }
        Some(_) => Err(ApiError::invalid(
            "format",
            "must be json, csv, csv-excel or xlsx",
        )),
    }
}
