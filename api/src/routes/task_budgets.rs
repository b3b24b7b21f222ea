//! Task budgets (taakgericht, seed 003 §3.3): a fixed annual budget per
//! contract, task product and year, set from planned clients × hours per
//! client × the task product's hourly tariff on 1 January (indexed like any
//! tariff), plus start-up costs in the contract's first year (at most 5%).
//! The monthly funding run pays it in instalments (1/12 a month, or the
//! schedule's weights); the settlement compares budget, paid and the
//! planned with the realised clients.

use std::collections::BTreeMap;

use domain::task_budgets::{
    self, Instalment, MunicipalityShare, NewTaskBudget, Settlement, TaskBudget,
};
use entities::{
    enums::TaskBudgetSplit,
    funding::IntensityBand,
    money::euros_to_cents,
    schema::{contract, task_budget},
    TenantEntity, TenantRecord,
};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::prelude::*;
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

impl From<Instalment> for InstalmentOut {
    fn from(i: Instalment) -> Self {
        Self {
            month: i.month,
            amount: i.amount,
        }
    }
}

impl From<MunicipalityShare> for MunicipalityShareOut {
    fn from(m: MunicipalityShare) -> Self {
        Self {
            municipality_cbs: m.municipality_cbs,
            weight: m.weight,
            total: m.total,
            paid: m.paid,
        }
    }
}

impl From<Settlement> for SettlementOut {
    fn from(s: Settlement) -> Self {
        Self {
            total: s.total,
            paid: s.paid,
            balance: s.balance,
            planned_clients: s.planned_clients,
            realised_clients: s.realised_clients,
            deviation_percent: s.deviation_percent,
        }
    }
}

impl From<TaskBudget> for TaskBudgetOut {
    fn from(b: TaskBudget) -> Self {
        Self {
            id: b.id,
            contract_id: b.contract_id,
            provider_agb: b.provider_agb,
            product_code: b.product_code,
            year: b.year,
            planned_clients: b.planned_clients,
            intensity_bands: b.intensity_bands,
            hourly_price: b.hourly_price,
            annual_budget: b.annual_budget,
            start_up: b.start_up,
            split: b.split,
            schedule: b.schedule,
            instalments: b.instalments.into_iter().map(InstalmentOut::from).collect(),
            municipalities: b
                .municipalities
                .into_iter()
                .map(MunicipalityShareOut::from)
                .collect(),
            settlement: b.settlement.map(SettlementOut::from),
        }
    }
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
    let new = NewTaskBudget {
        product_code: input.product_code,
        year: input.year,
        bands,
        startup_cents: startup,
        split,
        planned_clients_per_municipality: input.planned_clients_per_municipality,
        schedule,
    };
    let txn = entities::transaction::begin_write(&state.db).await?;
    let out = TaskBudgetOut::from(
        task_budgets::create(&txn, &auth.scope, &auth.audit(), path.1, new).await?,
    );
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
        out.push(TaskBudgetOut::from(
            task_budgets::describe(&state.db, scope, &names, budget).await?,
        ));
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
    Ok(web::Json(TaskBudgetOut::from(
        task_budgets::describe(&state.db, scope, &names, budget).await?,
    )))
}
