//! Municipal budget frameworks (begroting, e.g. seed 003's € 18 M
//! "richtinggevend kader"): an amount per municipality, law and year, shown
//! with what is realised (approved spend and paid task instalments), what
//! running allocations and task budgets still commit, and the forecast to
//! year end. The monthly funding run signals each alert level the forecast
//! reaches (`.../funding-signals`), once.

use domain::catalogue;
use domain::frameworks::{self, BudgetFramework, FrameworkAmount, FrameworkContext};
use entities::{
    enums::Law,
    money::cents_to_euros,
    schema::{budget_framework, funding_signal},
    TenantEntity,
};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::prelude::*;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BudgetFrameworkIn {
    #[schema(example = "18000000.00")]
    pub amount: String,
}

/// A municipality's budget for a law and year, with its figures.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BudgetFrameworkOut {
    pub id: Uuid,
    #[schema(example = "GM0307")]
    pub municipality_cbs: String,
    pub law: Law,
    #[schema(example = 2026)]
    pub year: i32,
    #[schema(value_type = String, example = "18000000.00")]
    pub amount: Decimal,
    /// Approved spend in the year plus the municipality's share of the
    /// task instalments paid.
    #[schema(value_type = String)]
    pub realised: Decimal,
    /// What running allocations and task budgets still commit this year.
    #[schema(value_type = String)]
    pub committed: Decimal,
    /// The larger of realised × 12 / months closed (linear) and realised +
    /// committed.
    #[schema(value_type = String)]
    pub forecast: Decimal,
    /// The forecast as a percentage of the amount, 2 decimals.
    #[schema(value_type = String, example = "96.40")]
    pub forecast_percent: Decimal,
    /// Whole months of the year closed on the day of the answer.
    pub months_closed: u32,
    /// The region's alert levels the forecast has reached.
    pub levels_reached: Vec<i32>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct FrameworkFilter {
    pub year: Option<i32>,
    pub municipality_cbs: Option<String>,
}

impl From<BudgetFramework> for BudgetFrameworkOut {
    fn from(f: BudgetFramework) -> Self {
        Self {
            id: f.id,
            municipality_cbs: f.municipality_cbs,
            law: f.law,
            year: f.year,
            amount: f.amount,
            realised: f.realised,
            committed: f.committed,
            forecast: f.forecast,
            forecast_percent: f.forecast_percent,
            months_closed: f.months_closed,
            levels_reached: f.levels_reached,
        }
    }
}

/// Set a municipality's budget framework for a law and year (201 when new).
#[utoipa::path(
    tag = "funding",
    params(
        ("regionCode" = String, Path, description = "Region code"),
        ("municipalityCbs" = String, Path, description = "Municipality CBS code"),
        ("law" = Law, Path, description = "wmo or jeugdwet"),
        ("year" = i32, Path, description = "Year"),
    ),
    request_body = BudgetFrameworkIn,
    responses(
        (status = 200, body = BudgetFrameworkOut),
        (status = 201, body = BudgetFrameworkOut),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/regions/{regionCode}/budget-frameworks/{municipalityCbs}/{law}/{year}")]
pub async fn put_budget_framework(
    state: web::Data<AppState>,
    auth: Scoped<ManageContracts>,
    path: web::Path<(String, String, String, i32)>,
    body: Body<BudgetFrameworkIn>,
) -> ApiResult<HttpResponse> {
    let input = body.take()?;
    let (_, cbs, law, year) = path.into_inner();
    let mut check = Check::new();
    let law = check.one_of::<Law>("law", &law);
    check.year("year", year);
    let amount = check.euros("amount", &input.amount);
    check.require(
        amount.is_some_and(|a| a > Decimal::ZERO),
        "amount",
        "must be positive",
    );
    let amount = amount.and_then(entities::money::euros_to_cents);
    let (law, amount) = check.done(law.zip(amount))?;
    let input = FrameworkAmount {
        municipality_cbs: cbs,
        law,
        year,
        amount_cents: amount,
    };
    let txn = entities::transaction::begin_write(&state.db).await?;
    let put = frameworks::put(&txn, &auth.scope, &auth.audit(), input).await?;
    txn.commit().await?;
    let (created, out) = (put.created, BudgetFrameworkOut::from(put.framework));
    Ok(if created {
        HttpResponse::Created().json(out)
    } else {
        HttpResponse::Ok().json(out)
    })
}

/// The municipalities' budget frameworks with realised, committed and forecast.
#[utoipa::path(
    tag = "funding",
    params(("regionCode" = String, Path, description = "Region code"), FrameworkFilter, PageQuery),
    responses((status = 200, body = Page<BudgetFrameworkOut>)),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/budget-frameworks")]
pub async fn list_budget_frameworks(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Scoped<ManageContracts>,
    filter: web::Query<FrameworkFilter>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let page = query.validate()?;
    let mut check = Check::new();
    if let Some(year) = filter.year {
        check.year("year", year);
    }
    check.finish()?;
    let scope = &auth.scope;
    let mut select = budget_framework::Entity::scoped(scope)
        .order_by_asc(budget_framework::Column::Year)
        .order_by_asc(budget_framework::Column::Id);
    if let Some(year) = filter.year {
        select = select.filter(budget_framework::Column::Year.eq(year));
    }
    if let Some(cbs) = &filter.municipality_cbs {
        let id = catalogue::municipality(&state.db, scope, cbs)
            .await?
            .map(|m| m.id);
        select = select.filter(budget_framework::Column::MunicipalityId.eq(id.unwrap_or_default()));
    }
    let (items, total) = fetch_page(&state.db, select, page).await?;
    let context = FrameworkContext::load(&state.db, scope).await?;
    let mut out = Vec::with_capacity(items.len());
    for framework in items {
        out.push(BudgetFrameworkOut::from(
            context.describe(&state.db, scope, framework).await?,
        ));
    }
    Ok(Page::new(out, page, total).respond(&req))
}

/// A signal of the monthly funding run.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FundingSignalOut {
    pub id: Uuid,
    /// `framework-forecast`: a budget framework's forecast reached
    /// `levelPercent`; `task-clients`: a task budget's realised clients
    /// are over (during the year) or under (after it) the plan by more
    /// than the `task-budget` policy's margin.
    #[schema(example = "framework-forecast")]
    pub kind: String,
    /// The budget framework or task budget.
    pub subject_id: Uuid,
    #[schema(example = "2026")]
    pub period: String,
    #[schema(example = 80)]
    pub level_percent: i32,
    #[schema(value_type = Option<String>)]
    pub amount: Option<Decimal>,
    pub detail: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct FundingSignalFilter {
    pub subject_id: Option<Uuid>,
}

/// Funding signals, newest first.
#[utoipa::path(
    tag = "funding",
    params(("regionCode" = String, Path, description = "Region code"), FundingSignalFilter, PageQuery),
    responses((status = 200, body = Page<FundingSignalOut>)),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/funding-signals")]
pub async fn list_funding_signals(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Scoped<ManageContracts>,
    filter: web::Query<FundingSignalFilter>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let page = query.validate()?;
    let mut select =
        funding_signal::Entity::scoped(&auth.scope).order_by_desc(funding_signal::Column::Id);
    if let Some(id) = filter.subject_id {
        select = select.filter(funding_signal::Column::SubjectId.eq(id));
    }
    let (items, total) = fetch_page(&state.db, select, page).await?;
    let out = items
        .into_iter()
        .map(|s| FundingSignalOut {
            id: s.id,
            kind: s.kind,
            subject_id: s.subject_id,
            period: s.period,
            level_percent: s.level_percent,
            amount: s.amount_cents.map(cents_to_euros),
            detail: s.detail,
            created_at: s.created_at,
        })
        .collect();
    Ok(Page::new(out, page, total).respond(&req))
}
