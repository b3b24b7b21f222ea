//! Budget ceilings (budgetplafonds): a cap on approved spend in a year, per
//! provider, product group (or several groups combined) or municipality, or
//! a combination of them.
//! Approved declarations add to `spent`; running allocations add their
//! remaining volume × tariff to `committed`; crossing the region's alert
//! levels records a signal (`.../budget-signals`, 70 % by default), which
//! is followed by a consultation within two weeks (`PATCH
//! .../budget-signals/{id}`). Only a provider's ceiling can be hard (its
//! spending room, Contractstandaard Wmo 1.2 art. 1.5): it refuses a new
//! allocation (or a raise) that takes its forecast over the amount, a
//! client stop, except crisis care; it never refuses payment of delivered
//! care (seed 002 §5.3). Ceilings of a product group or municipality alone
//! steer by signals and forecasts only.

use chrono::NaiveDate;
use domain::catalogue;
use domain::ceilings::{
    self, BudgetCeiling, CeilingChange, CeilingNames, Consultation, NewCeiling, ReachCodes,
};
use entities::{
    money::{cents_to_euros, euros_to_cents},
    schema::{budget_ceiling, budget_signal},
    RegionScope, TenantEntity,
};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::prelude::*;

/// A budget ceiling with its use so far.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BudgetCeilingOut {
    pub id: Uuid,
    /// Unset: every provider's spend in the group or municipality.
    pub provider_agb: Option<String>,
    /// The ceiling's one product group; unset for a ceiling that combines
    /// groups (see `productGroupCodes`) or reaches all care.
    pub product_group_code: Option<String>,
    /// Every product group the ceiling reaches, by code in order: its one
    /// group, or the groups it combines; unset for all care.
    #[schema(example = json!(["07", "10"]))]
    pub product_group_codes: Option<Vec<String>>,
    pub municipality_cbs: Option<String>,
    #[schema(example = 2025)]
    pub year: i32,
    #[schema(value_type = String, example = "250000.00")]
    pub amount: Decimal,
    /// The room in the year: the amount, or for a provider whose first
    /// contract in the year starts during it, the amount × its days from
    /// the start to 31 December / the year's days (rounded to cents half
    /// away from zero). The percentages, the signals and the client stop
    /// measure against it.
    #[schema(value_type = String, example = "250000.00")]
    pub room: Decimal,
    /// A hard ceiling (a provider's only) refuses new allocations (and
    /// raises) that take its forecast over the amount: a client stop, 422
    /// `ZR-ALLOC-CEILING`; crisis products are never refused.
    pub hard: bool,
    /// Approved spend so far.
    #[schema(value_type = String, example = "201000.00")]
    pub spent: Decimal,
    /// Spent as a percentage of the amount, rounded to 2 decimals for display.
    #[schema(value_type = String, example = "80.40")]
    pub used_percent: Decimal,
    /// What the running allocations in reach still commit in the year: each
    /// one's volume × tariff (or budget share) from the day after its last
    /// approved line to its end or 31 December.
    #[schema(value_type = String, example = "30000.00")]
    pub committed: Decimal,
    /// Spent + committed.
    #[schema(value_type = String, example = "231000.00")]
    pub forecast: Decimal,
    /// The forecast as a percentage of the amount, rounded to 2 decimals.
    #[schema(value_type = String, example = "92.40")]
    pub forecast_percent: Decimal,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BudgetCeilingIn {
    /// At least one of provider, product group(s) and municipality.
    pub provider_agb: Option<String>,
    pub product_group_code: Option<String>,
    /// Product groups one ceiling combines (a provider's spending room may
    /// span groups, Contractstandaard Wmo 1.2 art. 1.5): it counts the spend
    /// and commitments of all of them together. Not with
    /// `productGroupCode` (422); at least one code.
    #[schema(example = json!(["07", "10"]))]
    pub product_group_codes: Option<Vec<String>>,
    pub municipality_cbs: Option<String>,
    pub year: i32,
    #[schema(example = "250000.00")]
    pub amount: String,
    /// Only with a provider: 422 `ZR-CEILING-HARD-PROVIDER` otherwise.
    #[serde(default)]
    pub hard: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BudgetCeilingPatch {
    pub amount: Option<String>,
    pub hard: Option<bool>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct CeilingFilter {
    pub provider_agb: Option<String>,
    pub year: Option<i32>,
}

/// A ceiling crossed an alert level.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BudgetSignalOut {
    pub id: Uuid,
    pub budget_ceiling_id: Uuid,
    /// `spent`: approved spend crossed the level; `forecast`: an allocation
    /// took the forecast (spent + committed) over it.
    #[schema(example = "spent")]
    pub kind: String,
    #[schema(example = 80)]
    pub level_percent: i32,
    /// Spend (or forecast) when the level was crossed.
    #[schema(value_type = String)]
    pub spent: Decimal,
    /// When the signal was raised: the provider is told in writing.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// The consultation with the provider is due within two weeks of the
    /// signal (Contractstandaard Wmo 1.2 art. 1.5): the raise date + 14 days.
    pub consult_by: NaiveDate,
    /// When the provider was consulted; `null` until recorded.
    pub consulted_on: Option<NaiveDate>,
    /// What the consultation agreed (a raised room, a client stop, …).
    pub outcome: Option<String>,
}

/// The consultation that followed a signal.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BudgetSignalPatch {
    #[schema(value_type = NaiveDate, example = "2026-03-12")]
    pub consulted_on: String,
    #[schema(example = "Room raised by € 20,000.00 from April")]
    pub outcome: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct SignalFilter {
    pub budget_ceiling_id: Option<Uuid>,
}

/// A signal is followed by a consultation within two weeks.
const CONSULT_WITHIN_DAYS: u64 = 14;

impl From<budget_signal::Model> for BudgetSignalOut {
    fn from(s: budget_signal::Model) -> Self {
        Self {
            id: s.id,
            budget_ceiling_id: s.budget_ceiling_id,
            kind: s.kind,
            level_percent: s.level_percent,
            spent: cents_to_euros(s.spent_cents),
            consult_by: s.created_at.date_naive() + chrono::Days::new(CONSULT_WITHIN_DAYS),
            created_at: s.created_at,
            consulted_on: s.consulted_on,
            outcome: s.outcome,
        }
    }
}

impl From<BudgetCeiling> for BudgetCeilingOut {
    fn from(c: BudgetCeiling) -> Self {
        Self {
            id: c.id,
            provider_agb: c.provider_agb,
            product_group_code: c.product_group_code,
            product_group_codes: c.product_group_codes,
            municipality_cbs: c.municipality_cbs,
            year: c.year,
            amount: c.amount,
            room: c.room,
            hard: c.hard,
            spent: c.spent,
            used_percent: c.used_percent,
            committed: c.committed,
            forecast: c.forecast,
            forecast_percent: c.forecast_percent,
        }
    }
}

/// The ceilings' views, for a page of them (the dashboard's too).
pub struct Names(CeilingNames);

impl Names {
    pub async fn load<C: ConnectionTrait>(db: &C, scope: &RegionScope) -> ApiResult<Self> {
        Ok(Self(CeilingNames::load(db, scope).await?))
    }

    pub async fn out<C: ConnectionTrait>(
        &self,
        db: &C,
        scope: &RegionScope,
        c: budget_ceiling::Model,
    ) -> ApiResult<BudgetCeilingOut> {
        Ok(self.0.describe(db, scope, c).await?.into())
    }
}

fn positive_cents(check: &mut Check, text: &str) -> Option<i64> {
    let euros = check.euros("amount", text)?;
    check.require(euros > Decimal::ZERO, "amount", "must be positive");
    euros_to_cents(euros).filter(|c| *c > 0)
}

/// Set a budget ceiling.
#[utoipa::path(
    tag = "budget-ceilings",
    params(("regionCode" = String, Path, description = "Region code")),
    request_body = BudgetCeilingIn,
    responses((status = 201, body = BudgetCeilingOut), (status = 400, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[post("/regions/{regionCode}/budget-ceilings")]
pub async fn create_budget_ceiling(
    state: web::Data<AppState>,
    auth: Scoped<ManageContracts>,
    body: Body<BudgetCeilingIn>,
) -> ApiResult<HttpResponse> {
    let input = body.take()?;
    let mut check = Check::new();
    check.year("year", input.year);
    let amount = positive_cents(&mut check, &input.amount);
    let txn = entities::transaction::begin_write(&state.db).await?;
    let codes = ReachCodes {
        provider_agb: input.provider_agb,
        product_group_code: input.product_group_code,
        product_group_codes: input.product_group_codes,
        municipality_cbs: input.municipality_cbs,
    };
    let reach = ceilings::resolve_reach(&txn, &auth.scope, &mut check, &codes).await?;
    let amount = check.done(amount)?;
    let new = NewCeiling {
        reach,
        year: input.year,
        amount_cents: amount,
        hard: input.hard,
    };
    let out =
        BudgetCeilingOut::from(ceilings::create(&txn, &auth.scope, &auth.audit(), new).await?);
    txn.commit().await?;
    Ok(HttpResponse::Created().json(out))
}

/// List budget ceilings with their use.
#[utoipa::path(
    tag = "budget-ceilings",
    params(("regionCode" = String, Path, description = "Region code"), CeilingFilter, PageQuery),
    responses((status = 200, body = Page<BudgetCeilingOut>)),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/budget-ceilings")]
pub async fn list_budget_ceilings(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    filter: web::Query<CeilingFilter>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let page = query.validate()?;
    let mut check = Check::new();
    if let Some(year) = filter.year {
        check.year("year", year);
    }
    check.finish()?;
    let scope = &auth.scope;
    let mut select = budget_ceiling::Entity::scoped(scope)
        .order_by_asc(budget_ceiling::Column::Year)
        .order_by_asc(budget_ceiling::Column::Id);
    select = select.filter(auth.party.budget_ceilings());
    if let Some(agb) = &filter.provider_agb {
        let id = catalogue::provider(&state.db, scope, agb)
            .await?
            .map(|p| p.id);
        select = select.filter(budget_ceiling::Column::ProviderId.eq(id.unwrap_or_default()));
    }
    if let Some(year) = filter.year {
        select = select.filter(budget_ceiling::Column::Year.eq(year));
    }
    let (items, total) = fetch_page(&state.db, select, page).await?;
    let names = Names::load(&state.db, scope).await?;
    let mut out = Vec::with_capacity(items.len());
    for c in items {
        out.push(names.out(&state.db, scope, c).await?);
    }
    Ok(Page::new(out, page, total).respond(&req))
}

/// Get a budget ceiling.
#[utoipa::path(
    tag = "budget-ceilings",
    params(("regionCode" = String, Path, description = "Region code"), ("id" = Uuid, Path, description = "Ceiling id")),
    responses((status = 200, body = BudgetCeilingOut), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/budget-ceilings/{id}")]
pub async fn get_budget_ceiling(
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    path: web::Path<(String, Uuid)>,
) -> ApiResult<web::Json<BudgetCeilingOut>> {
    let found = budget_ceiling::Entity::scoped(&auth.scope)
        .filter(budget_ceiling::Column::Id.eq(path.1))
        .filter(auth.party.budget_ceilings())
        .one(&state.db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let names = Names::load(&state.db, &auth.scope).await?;
    Ok(web::Json(names.out(&state.db, &auth.scope, found).await?))
}

/// Change a ceiling's amount or hardness.
#[utoipa::path(
    tag = "budget-ceilings",
    params(("regionCode" = String, Path, description = "Region code"), ("id" = Uuid, Path, description = "Ceiling id")),
    request_body = BudgetCeilingPatch,
    responses((status = 200, body = BudgetCeilingOut), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[patch("/regions/{regionCode}/budget-ceilings/{id}")]
pub async fn update_budget_ceiling(
    state: web::Data<AppState>,
    auth: Scoped<ManageContracts>,
    path: web::Path<(String, Uuid)>,
    body: Body<BudgetCeilingPatch>,
) -> ApiResult<web::Json<BudgetCeilingOut>> {
    let input = body.take()?;
    let mut check = Check::new();
    let amount = input
        .amount
        .as_deref()
        .map(|a| positive_cents(&mut check, a));
    check.finish()?;
    let change = CeilingChange {
        amount_cents: amount.flatten(),
        hard: input.hard,
    };
    let txn = entities::transaction::begin_write(&state.db).await?;
    let out = BudgetCeilingOut::from(
        ceilings::change(&txn, &auth.scope, &auth.audit(), path.1, change).await?,
    );
    txn.commit().await?;
    Ok(web::Json(out))
}

/// Remove a budget ceiling (and its signals).
#[utoipa::path(
    tag = "budget-ceilings",
    params(("regionCode" = String, Path, description = "Region code"), ("id" = Uuid, Path, description = "Ceiling id")),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[delete("/regions/{regionCode}/budget-ceilings/{id}")]
pub async fn delete_budget_ceiling(
    state: web::Data<AppState>,
    auth: Scoped<ManageContracts>,
    path: web::Path<(String, Uuid)>,
) -> ApiResult<HttpResponse> {
    let txn = entities::transaction::begin_write(&state.db).await?;
    ceilings::delete(&txn, &auth.scope, &auth.audit(), path.1).await?;
    txn.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Budget signals: alert levels crossed by approved spend, newest first.
#[utoipa::path(
    tag = "budget-ceilings",
    params(("regionCode" = String, Path, description = "Region code"), SignalFilter, PageQuery),
    responses((status = 200, body = Page<BudgetSignalOut>)),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/budget-signals")]
pub async fn list_budget_signals(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Scoped<ManageContracts>,
    filter: web::Query<SignalFilter>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let page = query.validate()?;
    let mut select =
        budget_signal::Entity::scoped(&auth.scope).order_by_desc(budget_signal::Column::Id);
    if let Some(id) = filter.budget_ceiling_id {
        select = select.filter(budget_signal::Column::BudgetCeilingId.eq(id));
    }
    let (items, total) = fetch_page(&state.db, select, page).await?;
    let out = items.into_iter().map(BudgetSignalOut::from).collect();
    Ok(Page::new(out, page, total).respond(&req))
}

/// Record the consultation that followed a signal (when, and its outcome).
#[utoipa::path(
    tag = "budget-ceilings",
    params(("regionCode" = String, Path, description = "Region code"), ("id" = Uuid, Path, description = "Signal id")),
    request_body = BudgetSignalPatch,
    responses((status = 200, body = BudgetSignalOut), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[patch("/regions/{regionCode}/budget-signals/{id}")]
pub async fn update_budget_signal(
    state: web::Data<AppState>,
    auth: Scoped<ManageContracts>,
    path: web::Path<(String, Uuid)>,
    body: Body<BudgetSignalPatch>,
) -> ApiResult<web::Json<BudgetSignalOut>> {
    let input = body.take()?;
    let mut check = Check::new();
    let on = check.date("consultedOn", &input.consulted_on);
    let on = check.done(on)?;
    let consultation = Consultation {
        consulted_on: on,
        outcome: input.outcome,
    };
    let txn = entities::transaction::begin_write(&state.db).await?;
    let saved =
        ceilings::record_consultation(&txn, &auth.scope, &auth.audit(), path.1, consultation)
            .await?;
    txn.commit().await?;
    Ok(web::Json(saved.into()))
}
