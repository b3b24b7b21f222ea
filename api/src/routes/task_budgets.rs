//! Task budgets (taakgericht, seed 003 §3.3): a fixed annual budget per
//! contract, task product and year, set from planned clients × hours per
//! client × the task product's hourly tariff on 1 January (indexed like any
//! tariff), plus start-up costs in the contract's first year (at most 5%).
//! The monthly funding run pays it in instalments (1/12 a month, or the
//! schedule's weights); the settlement compares budget, paid and the
//! planned with the realised clients.

use domain::catalogue;
use std::collections::BTreeMap;

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::Datelike;
use domain::funding::{
    bands_of, contract_municipalities, hourly_price, schedule_of, split_weights, task_figures,
};
use entities::{
    enums::{FundingVariant, TaskBudgetSplit},
    funding::{check_startup, deviation_percent, split_by_weight, IntensityBand},
    money::{cents_to_euros, euros_to_cents},
    schema::{contract, contract_product_group, task_budget, task_instalment},
    RegionScope, TenantEntity, TenantRecord,
};
use rust_decimal::Decimal;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    auth::{ManageContracts, ReadRegion, Scoped},
    error::{ApiError, ApiResult, Problem},
    input::{Body, Check},
    pagination::{fetch_page, Page, PageQuery},
    state::AppState,
};
use domain::codes::CodeBook;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TaskBudgetIn {
    /// The lot's task product (funding variant `task`); its tariff is the
    /// price per hour.
    #[schema(example = "02C01")]
    pub product_code: String,
    #[schema(example = 2026)]
    pub year: i32,
    /// One intensity for all clients: `plannedClients` × `hoursPerClient`.
    /// Either these two or `intensityBands`.
    #[schema(example = 900)]
    pub planned_clients: Option<i64>,
    /// Hours per client per year, a decimal string.
    #[schema(example = "40")]
    pub hours_per_client: Option<String>,
    /// A mix of intensities: clients per band at their hours per year.
    pub intensity_bands: Option<Vec<IntensityBand>>,
    /// Start-up costs in euros: the contract's first year only, at most 5%
    /// of the annual budget.
    #[schema(example = "117000.00")]
    pub start_up: Option<String>,
    /// How the budget is shared among the municipalities; `none` by default.
    #[schema(value_type = Option<TaskBudgetSplit>)]
    pub split: Option<String>,
    /// Planned clients per municipality (CBS code), for the
    /// `planned-clients` split.
    #[schema(example = json!({"GM0307": 500, "GM0308": 400}))]
    pub planned_clients_per_municipality: Option<BTreeMap<String, i64>>,
    /// Twelve monthly weights (January first): `[1,0,0,1,0,0,1,0,0,1,0,0]`
    /// pays quarterly. 1/12 a month when unset.
    pub schedule: Option<Vec<u32>>,
}

/// One instalment paid by the monthly funding run.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InstalmentOut {
    #[schema(example = "2026-01")]
    pub month: String,
    #[schema(value_type = String, example = "195000.00")]
    pub amount: Decimal,
}

/// A municipality's share of a split task budget.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MunicipalityShareOut {
    #[schema(example = "GM0307")]
    pub municipality_cbs: String,
    /// Inhabitants or planned clients, as the split counts them.
    pub weight: i64,
    /// The share of the total (budget + start-up).
    #[schema(value_type = String)]
    pub total: Decimal,
    #[schema(value_type = String)]
    pub paid: Decimal,
}

/// Budget, paid and the planned against the realised clients.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SettlementOut {
    #[schema(value_type = String)]
    pub total: Decimal,
    #[schema(value_type = String)]
    pub paid: Decimal,
    /// Total − paid: what the remaining instalments (or the final
    /// settlement) still pay.
    #[schema(value_type = String)]
    pub balance: Decimal,
    pub planned_clients: i64,
    /// Distinct clients with an allocation of the task product with the
    /// contractor in the year.
    pub realised_clients: i64,
    /// (realised − planned) / planned, whole percent toward zero.
    pub deviation_percent: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TaskBudgetOut {
    pub id: Uuid,
    pub contract_id: Uuid,
    pub provider_agb: String,
    pub product_code: String,
    pub year: i32,
    pub planned_clients: i64,
    pub intensity_bands: Vec<IntensityBand>,
    /// The task product's tariff on 1 January; `null` while it has none.
    #[schema(value_type = Option<String>, example = "65.00")]
    pub hourly_price: Option<Decimal>,
    /// Σ clients × hours × hourly price, rounded to cents half away from zero.
    #[schema(value_type = Option<String>, example = "2340000.00")]
    pub annual_budget: Option<Decimal>,
    #[schema(value_type = String, example = "117000.00")]
    pub start_up: Decimal,
    pub split: TaskBudgetSplit,
    pub schedule: Vec<u32>,
    pub instalments: Vec<InstalmentOut>,
    pub municipalities: Vec<MunicipalityShareOut>,
    pub settlement: Option<SettlementOut>,
}

async fn to_out<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    names: &CodeBook,
    budget: task_budget::Model,
) -> ApiResult<TaskBudgetOut> {
    let figures = task_figures(db, scope, &budget).await?;
    let contract = contract::Entity::find_scoped(db, scope, budget.contract_id).await?;
    let instalments = task_instalment::Entity::scoped(scope)
        .filter(task_instalment::Column::TaskBudgetId.eq(budget.id))
        .order_by_asc(task_instalment::Column::Month)
        .all(db)
        .await?;
    let weights = split_weights(db, scope, &budget).await?;
    let keyed: Vec<(String, i64)> = weights
        .iter()
        .map(|(m, w)| (m.cbs_code.clone(), *w))
        .collect();
    let (total, paid) = figures
        .as_ref()
        .map_or((0, 0), |f| (f.total_cents, f.paid_cents));
    let shares_of_total = split_by_weight(total, &keyed);
    let shares_of_paid = split_by_weight(paid, &keyed);
    let municipalities = keyed
        .iter()
        .zip(shares_of_total.iter().zip(&shares_of_paid))
        .map(|((cbs, weight), ((_, t), (_, p)))| MunicipalityShareOut {
            municipality_cbs: cbs.clone(),
            weight: *weight,
            total: cents_to_euros(*t),
            paid: cents_to_euros(*p),
        })
        .collect();
    let planned = i64::from(budget.planned_clients);
    Ok(TaskBudgetOut {
        id: budget.id,
        contract_id: budget.contract_id,
        provider_agb: contract
            .map(|c| names.provider(c.provider_id))
            .unwrap_or_default(),
        product_code: names.product(budget.product_id),
        year: budget.year,
        planned_clients: planned,
        intensity_bands: bands_of(&budget),
        hourly_price: figures
            .as_ref()
            .map(|f| cents_to_euros(f.hourly_price_cents)),
        annual_budget: figures.as_ref().map(|f| cents_to_euros(f.annual_cents)),
        start_up: cents_to_euros(budget.startup_cents),
        split: budget.split,
        schedule: schedule_of(&budget).to_vec(),
        instalments: instalments
            .into_iter()
            .map(|i| InstalmentOut {
                month: i.month.format("%Y-%m").to_string(),
                amount: cents_to_euros(i.amount_cents),
            })
            .collect(),
        municipalities,
        settlement: figures.map(|f| SettlementOut {
            total: cents_to_euros(f.total_cents),
            paid: cents_to_euros(f.paid_cents),
            balance: cents_to_euros(f.total_cents - f.paid_cents),
            planned_clients: planned,
            realised_clients: f.realised_clients,
            deviation_percent: deviation_percent(planned, f.realised_clients),
        }),
    })
}

/// The intensity bands the input describes, checked.
fn bands(check: &mut Check, input: &TaskBudgetIn) -> Option<Vec<IntensityBand>> {
    let single = match (input.planned_clients, &input.hours_per_client) {
        (Some(clients), Some(hours)) => {
            let hours = check.euros("hoursPerClient", hours);
            hours.map(|hours| vec![IntensityBand { clients, hours }])
        }
        (None, None) => None,
        _ => {
            check.require_rule(
                false,
                "hoursPerClient",
                "plannedClients and hoursPerClient go together",
            );
            None
        }
    };
    let bands = match (single, input.intensity_bands.clone()) {
        (Some(b), None) | (None, Some(b)) => b,
        _ => {
            check.require_rule(
                false,
                "intensityBands",
                "give either plannedClients with hoursPerClient, or intensityBands",
            );
            return None;
        }
    };
    let ok = !bands.is_empty()
        && bands.iter().all(|b| {
            (1..=1_000_000).contains(&b.clients)
                && b.hours > Decimal::ZERO
                && b.hours <= Decimal::from(8_784)
        });
    check.require_rule(
        ok,
        "intensityBands",
        "each band needs 1 to 1000000 clients and more than 0, at most 8784 hours a year",
    );
    ok.then_some(bands)
}

/// Set a task budget for a contract's task product and year.
#[utoipa::path(
    tag = "funding",
    params(("regionCode" = String, Path, description = "Region code"), ("id" = Uuid, Path, description = "Contract id")),
    request_body = TaskBudgetIn,
    responses(
        (status = 201, body = TaskBudgetOut),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/regions/{regionCode}/contracts/{id}/task-budgets")]
pub async fn create_task_budget(
    state: web::Data<AppState>,
    auth: Scoped<ManageContracts>,
    path: web::Path<(String, Uuid)>,
    body: Body<TaskBudgetIn>,
) -> ApiResult<HttpResponse> {
    let input = body.take()?;
    let mut check = Check::new();
    check.year("year", input.year);
    let bands = bands(&mut check, &input);
    let startup = match &input.start_up {
        Some(text) => check.euros("startUp", text).and_then(|e| {
            check.require_rule(e >= Decimal::ZERO, "startUp", "cannot be negative");
            euros_to_cents(e)
        }),
        None => Some(0),
    };
    let split = match &input.split {
        Some(text) => check.one_of::<TaskBudgetSplit>("split", text),
        None => Some(TaskBudgetSplit::None),
    };
    check.require_rule(
        (split == Some(TaskBudgetSplit::PlannedClients))
            == input.planned_clients_per_municipality.is_some(),
        "plannedClientsPerMunicipality",
        "required with the planned-clients split, and only then",
    );
    if let Some(planned) = &input.planned_clients_per_municipality {
        check.require_rule(
            planned.values().all(|n| *n >= 0) && planned.values().any(|n| *n > 0),
            "plannedClientsPerMunicipality",
            "counts are 0 or more, at least one above 0",
        );
    }
    let schedule: Option<[u32; 12]> = match &input.schedule {
        Some(weights) => {
            let fixed: Option<[u32; 12]> = weights.as_slice().try_into().ok();
            let ok =
                fixed.is_some_and(|w| w.iter().any(|x| *x > 0) && w.iter().all(|x| *x <= 1_000));
            check.require_rule(
                ok,
                "schedule",
                "twelve weights from 0 to 1000, at least one above 0",
            );
            fixed
        }
        None => None,
    };
    let (bands, startup, split) =
        check.done(bands.zip(startup).zip(split).map(|((b, s), p)| (b, s, p)))?;

    let scope = &auth.scope;
    let txn = entities::transaction::begin_write(&state.db).await?;
    let contract = contract::Entity::scoped(scope)
        .filter(contract::Column::Id.eq(path.1))
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let product = catalogue::product(&txn, scope, &input.product_code).await?;
    let mut check = Check::new();
    check.require_rule(
        product
            .as_ref()
            .is_some_and(|p| p.funding_variant == FundingVariant::Task),
        "productCode",
        "must be a task-funded product of this region",
    );
    let covered = match &product {
        Some(p) => contract_product_group::Entity::scoped(scope)
            .filter(contract_product_group::Column::ContractId.eq(contract.id))
            .filter(contract_product_group::Column::ProductGroupId.eq(p.product_group_id))
            .one(&txn)
            .await?
            .is_some(),
        None => true,
    };
    check.require_rule(
        covered,
        "productCode",
        "the contract does not cover this product's group (lot)",
    );
    let price = match &product {
        Some(p) => hourly_price(&txn, scope, p.id, contract.provider_id, input.year).await?,
        None => None,
    };
    check.require_rule(
        product.is_none() || price.is_some(),
        "productCode",
        &format!("the task product has no tariff on 1 January {}", input.year),
    );
    let annual = price.and_then(|p| entities::funding::annual_budget_cents(&bands, p));
    if let Some(annual) = annual {
        let first_year = contract.start_date.year() == input.year;
        if let Err(e) = check_startup(startup, annual, first_year) {
            check.require_rule(false, "startUp", &e);
        }
    }
    if let Some(planned) = &input.planned_clients_per_municipality {
        let covered = contract_municipalities(&txn, scope, contract.id).await?;
        check.require_rule(
            planned
                .keys()
                .all(|cbs| covered.iter().any(|m| m.cbs_code == *cbs)),
            "plannedClientsPerMunicipality",
            "names a municipality the contract does not cover",
        );
    }
    check.finish()?;
    let product = product.ok_or(ApiError::NotFound)?;
    let exists = task_budget::Entity::scoped(scope)
        .filter(task_budget::Column::ContractId.eq(contract.id))
        .filter(task_budget::Column::ProductId.eq(product.id))
        .filter(task_budget::Column::Year.eq(input.year))
        .one(&txn)
        .await?
        .is_some();
    if exists {
        return Err(ApiError::conflict(
            "ZR-TASK-BUDGET-EXISTS",
            format!(
                "The contract has a task budget for {} in {} already.",
                product.code, input.year
            ),
        ));
    }
    let now = entities::clock::now();
    let planned_clients: i64 = bands.iter().map(|b| b.clients).sum();
    let saved = task_budget::ActiveModel {
        region_id: Set(scope.region_id),
        id: Set(Uuid::now_v7()),
        contract_id: Set(contract.id),
        product_id: Set(product.id),
        year: Set(input.year),
        planned_clients: Set(i32::try_from(planned_clients).unwrap_or(i32::MAX)),
        intensity_bands: Set(serde_json::to_value(&bands).unwrap_or_default()),
        startup_cents: Set(startup),
        split: Set(split),
        planned_clients_per_municipality: Set(input
            .planned_clients_per_municipality
            .as_ref()
            .map(|p| serde_json::json!(p))),
        schedule: Set(schedule.map(|s| serde_json::json!(s))),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let names = CodeBook::load(&txn, scope).await?;
    let out = to_out(&txn, scope, &names, saved).await?;
    auth.audit()
        .record(&txn, "create", "task-budget", out.id, &out)
        .await?;
    txn.commit().await?;
    Ok(HttpResponse::Created().json(out))
}

/// A contract's task budgets, by year.
#[utoipa::path(
    tag = "funding",
    params(("regionCode" = String, Path, description = "Region code"), ("id" = Uuid, Path, description = "Contract id"), PageQuery),
    responses((status = 200, body = Page<TaskBudgetOut>), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/contracts/{id}/task-budgets")]
pub async fn list_task_budgets(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    path: web::Path<(String, Uuid)>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let page = query.validate()?;
    let scope = &auth.scope;
    let contract = contract::Entity::scoped(scope)
        .filter(contract::Column::Id.eq(path.1))
        .filter(auth.party.contracts())
        .one(&state.db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let select = task_budget::Entity::scoped(scope)
        .filter(task_budget::Column::ContractId.eq(contract.id))
        .order_by_asc(task_budget::Column::Year)
        .order_by_asc(task_budget::Column::Id);
    let (items, total) = fetch_page(&state.db, select, page).await?;
    let names = CodeBook::load(&state.db, scope).await?;
    let mut out = Vec::with_capacity(items.len());
    for budget in items {
        out.push(to_out(&state.db, scope, &names, budget).await?);
    }
    Ok(Page::new(out, page, total).respond(&req))
}

/// A task budget with its instalments, shares and settlement.
#[utoipa::path(
    tag = "funding",
    params(("regionCode" = String, Path, description = "Region code"), ("id" = Uuid, Path, description = "Task budget id")),
    responses((status = 200, body = TaskBudgetOut), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/task-budgets/{id}")]
pub async fn get_task_budget(
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    path: web::Path<(String, Uuid)>,
) -> ApiResult<web::Json<TaskBudgetOut>> {
    let scope = &auth.scope;
    let budget = task_budget::Entity::find_scoped(&state.db, scope, path.1)
        .await?
        .ok_or(ApiError::NotFound)?;
    // A provider sees the budgets of its own contracts only.
    contract::Entity::scoped(scope)
        .filter(contract::Column::Id.eq(budget.contract_id))
        .filter(auth.party.contracts())
        .one(&state.db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let names = CodeBook::load(&state.db, scope).await?;
    Ok(web::Json(to_out(&state.db, scope, &names, budget).await?))
}
