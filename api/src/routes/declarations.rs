//! Declarations (declaraties): a provider submits a batch of delivered units;
//! every line is approved with an amount or rejected with a reason code. The
//! batch is one transaction, and the `Idempotency-Key` header makes a retry
//! return the first result instead of storing anything twice.

use std::collections::HashMap;

use chrono::NaiveDate;
use entities::{
    declaration_rules::LineIn,
    enums::{DebitCredit, LineStatus, Unit},
    money::{cents_to_euros, euros_to_cents},
    schema::{declaration_batch, declaration_line},
    RegionScope, TenantEntity,
};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder, QuerySelect};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::prelude::*;
use domain::declarations::{self as service, Submission};

pub const MAX_LINES: usize = 10_000;
/// Twelve digits: € 10 billion in cents for a budget line; beyond it no
/// amount fits the integer cents the ledger keeps (spec.rs states it).
pub const MAX_DELIVERED_VOLUME: i64 = 999_999_999_999;

/// One line of a batch.
// Serialize: the idempotency hash is taken over the parsed request, so the
// same lines with other whitespace or key order are the same request.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LineInput {
    #[schema(example = 100001)]
    pub allocation_number: i64,
    #[schema(example = "BW0A1")]
    pub product_code: String,
    /// First day of the period; the tariff of this day applies.
    #[schema(value_type = NaiveDate, example = "2025-03-01")]
    pub period_start: String,
    /// Last day; the period lies within one calendar month.
    #[schema(value_type = NaiveDate, example = "2025-03-31")]
    pub period_end: String,
    /// Whole units of the allocation's unit (cents for a budget).
    #[schema(example = 31)]
    pub delivered_volume: i64,
    /// Optional: the amount the provider computed, checked against volume × tariff (9346).
    #[schema(example = "2991.50")]
    pub declared_amount: Option<String>,
    /// Optional: the tariff the provider used, checked against the contract tariff (0611).
    #[schema(example = "96.50")]
    pub declared_tariff: Option<String>,
    /// Optional: the unit, checked against the allocation's (9341).
    #[schema(value_type = Option<Unit>)]
    pub unit: Option<String>,
    /// Optional: the provider's own reference for the line (iWmo
    /// ReferentieNummer), unique per provider and law (8021). A line with a
    /// reference follows the prestatie rules of iWmo: whole calendar months
    /// within the allocation (9387/9388) and no second debit for a period
    /// (9389).
    #[schema(example = "RN2025-0001")]
    pub reference_number: Option<String>,
    /// `debit` (the default) or `credit`: a credit reverses the approved
    /// debit named by `previousReferenceNumber`, for its whole amount.
    #[schema(value_type = Option<DebitCredit>)]
    pub debit_credit: Option<String>,
    /// For a credit: the reference number of the debit it reverses.
    pub previous_reference_number: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BatchIn {
    /// 1 to 10,000 lines.
    pub lines: Vec<LineInput>,
}

/// The verdict on one line.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LineOut {
    /// Position in the batch, from 1.
    pub line_no: i32,
    pub allocation_number: i64,
    pub product_code: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub delivered_volume: i64,
    pub status: LineStatus,
    /// iWmo return code (e.g. `9321`) or our own (`ZR01`…`ZR07`); see the README.
    pub reason_code: Option<String>,
    pub reason: Option<String>,
    /// Approved amount in euros; negative for a credit.
    #[schema(value_type = Option<String>, example = "2991.50")]
    pub amount: Option<Decimal>,
    pub reference_number: Option<String>,
    pub debit_credit: DebitCredit,
    pub previous_reference_number: Option<String>,
    /// Whether an approved credit has reversed this line.
    pub reversed: bool,
}

/// A submitted batch and its verdicts.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BatchOut {
    pub id: Uuid,
    pub idempotency_key: String,
    pub submitted_by: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub line_count: i32,
    pub approved_count: i32,
    pub rejected_count: i32,
    #[schema(value_type = String, example = "2991.50")]
    pub approved_amount: Decimal,
    /// Every line (in `GET .../declarations/{id}` only on request: see `.../lines`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<LineOut>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct LineFilter {
    /// `approved` or `rejected`.
    #[param(value_type = Option<LineStatus>)]
    pub status: Option<String>,
}

fn line_out(l: &declaration_line::Model) -> LineOut {
    LineOut {
        line_no: l.line_no,
        allocation_number: l.allocation_number,
        product_code: l.product_code.clone(),
        period_start: l.period_start,
        period_end: l.period_end,
        delivered_volume: l.delivered_volume,
        status: l.status,
        reason_code: l.reason_code.clone(),
        reason: l.reason.clone(),
        amount: l.amount_cents.map(cents_to_euros),
        reference_number: l.reference_number.clone(),
        debit_credit: if l.credit {
            DebitCredit::Credit
        } else {
            DebitCredit::Debit
        },
        previous_reference_number: l.previous_reference.clone(),
        reversed: l.reversed_by.is_some(),
    }
}

fn batch_out(b: declaration_batch::Model, lines: &[declaration_line::Model]) -> BatchOut {
    let approved: i64 = lines.iter().filter_map(|l| l.amount_cents).sum();
    BatchOut {
        id: b.id,
        idempotency_key: b.idempotency_key,
        submitted_by: b.submitted_by,
        created_at: b.created_at,
        line_count: b.line_count,
        approved_count: b.approved_count,
        rejected_count: b.line_count - b.approved_count,
        approved_amount: cents_to_euros(approved),
        lines: lines.iter().map(line_out).collect(),
    }
}

fn idempotency_key(req: &HttpRequest) -> ApiResult<String> {
    let key = req
        .headers()
        .get("Idempotency-Key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .ok_or_else(|| ApiError::invalid("Idempotency-Key", "the header is required"))?;
    if key.is_empty() || key.len() > 200 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::invalid(
            "Idempotency-Key",
            "must be 1 to 200 visible ASCII characters",
        ));
    }
    Ok(key.to_owned())
}

fn parse_lines(lines: &[LineInput]) -> ApiResult<Vec<LineIn>> {
    let mut check = Check::new();
    if lines.is_empty() || lines.len() > MAX_LINES {
        check.fail("lines", format!("must hold 1 to {MAX_LINES} lines"));
    }
    let mut parsed = Vec::with_capacity(lines.len());
    for (i, l) in lines.iter().enumerate() {
        let field = |name: &str| format!("lines[{i}].{name}");
        let start = check.date(&field("periodStart"), &l.period_start);
        let end = check.date(&field("periodEnd"), &l.period_end);
        let amount = l
            .declared_amount
            .as_deref()
            .map(|a| check.euros(&field("declaredAmount"), a));
        let tariff = l
            .declared_tariff
            .as_deref()
            .map(|t| check.euros(&field("declaredTariff"), t));
        let unit = l
            .unit
            .as_deref()
            .map(|u| check.one_of::<Unit>(&field("unit"), u));
        check.require(
            l.product_code.chars().count() <= 5,
            &field("productCode"),
            "must be at most 5 characters",
        );
        check.require(
            l.delivered_volume <= MAX_DELIVERED_VOLUME,
            &field("deliveredVolume"),
            "must be at most 999999999999",
        );
        for (name, reference) in [
            ("referenceNumber", &l.reference_number),
            ("previousReferenceNumber", &l.previous_reference_number),
        ] {
            if let Some(r) = reference {
                check.require(
                    (1..=20).contains(&r.chars().count()),
                    &field(name),
                    "must be 1 to 20 characters",
                );
            }
        }
        let direction = l
            .debit_credit
            .as_deref()
            .map(|d| check.one_of::<DebitCredit>(&field("debitCredit"), d));
        let credit = matches!(direction, Some(Some(DebitCredit::Credit)));
        check.require_rule(
            !credit || (l.reference_number.is_some() && l.previous_reference_number.is_some()),
            &field("previousReferenceNumber"),
            "a credit line needs its own referenceNumber and the debit's previousReferenceNumber",
        );
        check.require_rule(
            credit || l.previous_reference_number.is_none(),
            &field("previousReferenceNumber"),
            "only a credit line names a previous reference",
        );
        if let (Some(start), Some(end)) = (start, end) {
            parsed.push(LineIn {
                declared_amount_cents: amount.flatten().and_then(euros_to_cents),
                declared_tariff_cents: tariff.flatten().and_then(euros_to_cents),
                unit: unit.flatten(),
                reference: l.reference_number.clone(),
                credit,
                previous_reference: l.previous_reference_number.clone(),
                ..LineIn::debit(
                    l.allocation_number,
                    l.product_code.clone(),
                    (start, end),
                    l.delivered_volume,
                )
            });
        }
    }
    check.finish()?;
    Ok(parsed)
}

async fn stored_result<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    batch: declaration_batch::Model,
) -> ApiResult<BatchOut> {
    let lines = declaration_line::Entity::scoped(scope)
        .filter(declaration_line::Column::BatchId.eq(batch.id))
        .order_by_asc(declaration_line::Column::LineNo)
        .all(db)
        .await?;
    Ok(batch_out(batch, &lines))
}

/// The answer to a repeated key: the first result for the same body, 409 for another.
async fn replay<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    existing: declaration_batch::Model,
    hash: &str,
) -> ApiResult<HttpResponse> {
    if existing.request_hash != hash {
        return Err(ApiError::conflict(
            "ZR-IDEMPOTENCY-KEY-REUSED",
            "This Idempotency-Key was used for a different batch; use a new key for new declarations.",
        ));
    }
    let out = stored_result(db, scope, existing).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Idempotent-Replayed", "true"))
        .json(out))
}

/// Submit a batch of declaration lines (at most 10,000) with an
/// `Idempotency-Key` header. Each line is approved or rejected with a reason
/// code; the batch is stored in one transaction. The same key and body
/// return the first result (`Idempotent-Replayed: true`); the same key with
/// another body is a 409. Keys belong to the submitter (a provider by its
/// AGB, anyone else by token subject): another party's key is never seen.
/// A provider token declares only its own allocations.
#[utoipa::path(
    tag = "declarations",
    params(
        ("regionCode" = String, Path, description = "Region code"),
        ("Idempotency-Key" = String, Header, description = "Unique per batch; repeat it to retry safely"),
    ),
    request_body = BatchIn,
    responses(
        (status = 201, body = BatchOut),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The key was used for another body", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/regions/{regionCode}/declarations")]
pub async fn submit_declarations(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Scoped<Declare>,
    body: Body<BatchIn>,
) -> ApiResult<HttpResponse> {
    let key = idempotency_key(&req)?;
    let input = body.take()?;
    // Hashed as it is written: a 10,000-line batch's bytes are not kept
    // beside the batch while it is assessed (they showed at the api's peak).
    let mut hasher = Sha256::new();
    serde_json::to_writer(&mut hasher, &input).map_err(|e| ApiError::Internal(e.to_string()))?;
    let hash: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let scope = &auth.scope;
    let submitter = auth.submitter();
    if let Some(existing) = service::find_by_key(&state.db, scope, &submitter, &key).await? {
        return replay(&state.db, scope, existing, &hash).await;
    }
    let lines = parse_lines(&input.lines)?;
    let submission = Submission {
        idempotency_key: key.clone(),
        request_hash: hash.clone(),
        submitter: submitter.clone(),
        // An unknown AGB has the nil id and declares for nobody: every line is "not yours".
        declarer: auth.party.provider_id(),
    };
    let txn = entities::transaction::begin_write(&state.db).await?;
    let submitted = match service::submit(&txn, scope, &auth.audit(), submission, &lines).await {
        Ok(submitted) => submitted,
        Err(domain::DomainError::Conflict {
            code: "ZR-DUPLICATE",
            ..
        }) => {
            // Another request with the same key won the race: answer as a retry.
            txn.rollback().await?;
            // Or a concurrent batch took one of its reference numbers first.
            let existing = service::find_by_key(&state.db, scope, &submitter, &key)
                .await?
                .ok_or_else(|| {
                    ApiError::conflict(
                        "ZR-CONCURRENT-BATCH",
                        "A concurrent batch took one of these reference numbers; send the batch again.",
                    )
                })?;
            return replay(&state.db, scope, existing, &hash).await;
        }
        Err(e) => return Err(e.into()),
    };
    txn.commit().await?;
    let out = batch_out(submitted.batch, &submitted.lines);
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!(
                "/api/v1/regions/{}/declarations/{}",
                auth.region.code, out.id
            ),
        ))
        .json(out))
}

/// The batches the caller's party sees (`parties.rs`).
fn visible_batches<P: Permission>(auth: &Scoped<P>) -> sea_orm::Select<declaration_batch::Entity> {
    declaration_batch::Entity::scoped(&auth.scope).filter(
        auth.party
            .declaration_batches(&auth.scope, &auth.claims.caller()),
    )
}

/// List submitted batches, newest first (without their lines).
#[utoipa::path(
    tag = "declarations",
    params(("regionCode" = String, Path, description = "Region code"), PageQuery),
    responses((status = 200, body = Page<BatchOut>)),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/declarations")]
pub async fn list_declarations(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let page = query.validate()?;
    let select = visible_batches(&auth).order_by_desc(declaration_batch::Column::Id);
    let (items, total) = fetch_page(&state.db, select, page).await?;
    let totals = visible_totals(&state.db, &auth, items.iter().map(|b| b.id)).await?;
    let out = items
        .into_iter()
        .map(|b| with_totals(batch_out(b, &[]), &totals))
        .collect();
    Ok(Page::new(out, page, total).respond(&req))
}

/// Get a batch's totals.
#[utoipa::path(
    tag = "declarations",
    params(("regionCode" = String, Path, description = "Region code"), ("id" = Uuid, Path, description = "Batch id")),
    responses((status = 200, body = BatchOut), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/declarations/{id}")]
pub async fn get_declaration(
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    path: web::Path<(String, Uuid)>,
) -> ApiResult<web::Json<BatchOut>> {
    let batch = visible_batches(&auth)
        .filter(declaration_batch::Column::Id.eq(path.1))
        .one(&state.db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let totals = visible_totals(&state.db, &auth, [batch.id]).await?;
    Ok(web::Json(with_totals(batch_out(batch, &[]), &totals)))
}

/// Lines, approved lines and approved cents per batch, over the lines the
/// caller's party sees (a provider is not told another's amounts).
async fn visible_totals<C: ConnectionTrait, P: Permission>(
    db: &C,
    auth: &Scoped<P>,
    batch_ids: impl IntoIterator<Item = Uuid>,
) -> ApiResult<HashMap<Uuid, (i32, i32, i64)>> {
    use sea_orm::sea_query::Expr;
    let rows: Vec<(Uuid, LineStatus, i64, Option<i64>)> =
        declaration_line::Entity::scoped(&auth.scope)
            .select_only()
            .column(declaration_line::Column::BatchId)
            .column(declaration_line::Column::Status)
            .column_as(Expr::cust("COUNT(*)"), "lines")
            // PostgreSQL sums a bigint as numeric.
            .column_as(Expr::cust("CAST(SUM(amount_cents) AS BIGINT)"), "cents")
            .filter(declaration_line::Column::BatchId.is_in(batch_ids))
            .filter(
                auth.party
                    .declaration_lines(&auth.scope, &auth.claims.caller()),
            )
            .group_by(declaration_line::Column::BatchId)
            .group_by(declaration_line::Column::Status)
            .into_tuple()
            .all(db)
            .await?;
    let mut totals: HashMap<Uuid, (i32, i32, i64)> = HashMap::new();
    for (batch, status, lines, cents) in rows {
        let entry = totals.entry(batch).or_default();
        entry.0 += lines as i32;
        if status == LineStatus::Approved {
            entry.1 += lines as i32;
            entry.2 += cents.unwrap_or(0);
        }
    }
    Ok(totals)
}

fn with_totals(mut out: BatchOut, totals: &HashMap<Uuid, (i32, i32, i64)>) -> BatchOut {
    let (lines, approved, cents) = totals.get(&out.id).copied().unwrap_or_default();
    out.line_count = lines;
    out.approved_count = approved;
    out.rejected_count = lines - approved;
    out.approved_amount = cents_to_euros(cents);
    out
}

/// A batch's lines with their verdicts, in order; filter by status.
#[utoipa::path(
    tag = "declarations",
    params(("regionCode" = String, Path, description = "Region code"), ("id" = Uuid, Path, description = "Batch id"), LineFilter, PageQuery),
    responses((status = 200, body = Page<LineOut>), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/declarations/{id}/lines")]
pub async fn list_declaration_lines(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    path: web::Path<(String, Uuid)>,
    filter: web::Query<LineFilter>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let page = query.validate()?;
    let mut check = Check::new();
    let status = filter
        .status
        .as_deref()
        .map(|s| check.one_of::<LineStatus>("status", s));
    check.finish()?;
    let batch = visible_batches(&auth)
        .filter(declaration_batch::Column::Id.eq(path.1))
        .one(&state.db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut select = declaration_line::Entity::scoped(&auth.scope)
        .filter(declaration_line::Column::BatchId.eq(batch.id))
        .order_by_asc(declaration_line::Column::LineNo);
    if let Some(Some(status)) = status {
        select = select.filter(declaration_line::Column::Status.eq(status));
    }
    let select = select.filter(
        auth.party
            .declaration_lines(&auth.scope, &auth.claims.caller()),
    );
    let (items, total) = fetch_page(&state.db, select, page).await?;
    Ok(Page::new(items.iter().map(line_out).collect(), page, total).respond(&req))
}
