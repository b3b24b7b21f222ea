//! Task budgets (taakgericht, seed 003 §3.3): setting one for a contract's
//! task product and year under the rules that need the region's data (a
//! task product of a lot the contract covers, with a tariff on 1 January,
//! start-up costs within bounds, a split over covered municipalities), and
//! describing one with its instalments, shares and settlement.

use std::collections::BTreeMap;

use chrono::Datelike;
use entities::{
    enums::{FundingVariant, TaskBudgetSplit},
    funding::{check_startup, deviation_percent, split_by_weight, IntensityBand},
    money::cents_to_euros,
    schema::{contract, contract_product_group, task_budget, task_instalment},
    RegionScope, TenantEntity, TenantRecord,
};
use rust_decimal::Decimal;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;
use uuid::Uuid;

use crate::{
    audit::Audit,
    catalogue,
    check::Check,
    codes::CodeBook,
    error::{DomainError, DomainResult},
    funding::{
        bands_of, contract_municipalities, hourly_price, schedule_of, split_weights, task_figures,
    },
};

/// A task budget with its figures: the audit trail records it, the API's
/// `TaskBudgetOut` shows it field for field.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskBudget {
    pub id: Uuid,
    pub contract_id: Uuid,
    pub provider_agb: String,
    pub product_code: String,
    pub year: i32,
    pub planned_clients: i64,
    pub intensity_bands: Vec<IntensityBand>,
    /// `None` while the task product has no tariff on 1 January.
    pub hourly_price: Option<Decimal>,
    pub annual_budget: Option<Decimal>,
    pub start_up: Decimal,
    pub split: TaskBudgetSplit,
    pub schedule: Vec<u32>,
    pub instalments: Vec<Instalment>,
    pub municipalities: Vec<MunicipalityShare>,
    pub settlement: Option<Settlement>,
}

/// One instalment the monthly funding run paid; `month` as `YYYY-MM`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Instalment {
    pub month: String,
    pub amount: Decimal,
}

/// A municipality's share of a split task budget.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MunicipalityShare {
    pub municipality_cbs: String,
    pub weight: i64,
    pub total: Decimal,
    pub paid: Decimal,
}

/// Budget, paid and the planned against the realised clients.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Settlement {
    pub total: Decimal,
    pub paid: Decimal,
    pub balance: Decimal,
    pub planned_clients: i64,
    pub realised_clients: i64,
    pub deviation_percent: Option<i64>,
}

/// The budget with its figures as of now; `names` is loaded once for a
/// page of budgets.
pub async fn describe<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    names: &CodeBook,
    budget: task_budget::Model,
) -> DomainResult<TaskBudget> {
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
        .map(|((cbs, weight), ((_, t), (_, p)))| MunicipalityShare {
            municipality_cbs: cbs.clone(),
            weight: *weight,
            total: cents_to_euros(*t),
            paid: cents_to_euros(*p),
        })
        .collect();
    let planned = i64::from(budget.planned_clients);
    Ok(TaskBudget {
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
            .map(|i| Instalment {
                month: i.month.format("%Y-%m").to_string(),
                amount: cents_to_euros(i.amount_cents),
            })
            .collect(),
        municipalities,
        settlement: figures.map(|f| Settlement {
            total: cents_to_euros(f.total_cents),
            paid: cents_to_euros(f.paid_cents),
            balance: cents_to_euros(f.total_cents - f.paid_cents),
            planned_clients: planned,
            realised_clients: f.realised_clients,
            deviation_percent: deviation_percent(planned, f.realised_clients),
        }),
    })
}

/// A new task budget, its input checked for form: the product by its code
/// (the rules that need the region's data are `create`'s).
#[derive(Debug, Clone)]
pub struct NewTaskBudget {
    pub product_code: String,
    pub year: i32,
    pub bands: Vec<IntensityBand>,
    pub startup_cents: i64,
    pub split: TaskBudgetSplit,
    /// Planned clients by CBS code, for the planned-clients split.
    pub planned_clients_per_municipality: Option<BTreeMap<String, i64>>,
    /// Twelve monthly weights; `None` pays 1/12 a month.
    pub schedule: Option<[u32; 12]>,
}

/// Sets a task budget for the contract (not found: 404): 422s for a product
/// that is not a task product of a covered lot, without a tariff on
/// 1 January, start-up costs out of bounds or a split naming an uncovered
/// municipality; 409 when the contract has one for the product and year.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    audit: &Audit,
    contract_id: Uuid,
    input: NewTaskBudget,
) -> DomainResult<TaskBudget> {
    let contract = contract::Entity::scoped(scope)
        .filter(contract::Column::Id.eq(contract_id))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    let product = catalogue::product(db, scope, &input.product_code).await?;
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
            .one(db)
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
        Some(p) => hourly_price(db, scope, p.id, contract.provider_id, input.year).await?,
        None => None,
    };
    check.require_rule(
        product.is_none() || price.is_some(),
        "productCode",
        &format!("the task product has no tariff on 1 January {}", input.year),
    );
    let annual = price.and_then(|p| entities::funding::annual_budget_cents(&input.bands, p));
    if let Some(annual) = annual {
        let first_year = contract.start_date.year() == input.year;
        if let Err(e) = check_startup(input.startup_cents, annual, first_year) {
            check.require_rule(false, "startUp", &e);
        }
    }
    if let Some(planned) = &input.planned_clients_per_municipality {
        let covered = contract_municipalities(db, scope, contract.id).await?;
        check.require_rule(
            planned
                .keys()
                .all(|cbs| covered.iter().any(|m| m.cbs_code == *cbs)),
            "plannedClientsPerMunicipality",
            "names a municipality the contract does not cover",
        );
    }
    check.finish()?;
    let product = product.ok_or(DomainError::NotFound)?;
    let exists = task_budget::Entity::scoped(scope)
        .filter(task_budget::Column::ContractId.eq(contract.id))
        .filter(task_budget::Column::ProductId.eq(product.id))
        .filter(task_budget::Column::Year.eq(input.year))
        .one(db)
        .await?
        .is_some();
    if exists {
        return Err(DomainError::conflict(
            "ZR-TASK-BUDGET-EXISTS",
            format!(
                "The contract has a task budget for {} in {} already.",
                product.code, input.year
            ),
        ));
    }
    let now = entities::clock::now();
    let planned_clients: i64 = input.bands.iter().map(|b| b.clients).sum();
    let saved = task_budget::ActiveModel {
        region_id: Set(scope.region_id),
        id: Set(Uuid::now_v7()),
        contract_id: Set(contract.id),
        product_id: Set(product.id),
        year: Set(input.year),
        planned_clients: Set(i32::try_from(planned_clients).unwrap_or(i32::MAX)),
        intensity_bands: Set(serde_json::to_value(&input.bands).unwrap_or_default()),
        startup_cents: Set(input.startup_cents),
        split: Set(input.split),
        planned_clients_per_municipality: Set(input
            .planned_clients_per_municipality
            .as_ref()
            .map(|p| serde_json::json!(p))),
        schedule: Set(input.schedule.map(|s| serde_json::json!(s))),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    let names = CodeBook::load(db, scope).await?;
    let value = describe(db, scope, &names, saved).await?;
    audit
        .record(db, "create", "task-budget", value.id, &value)
        .await?;
    Ok(value)
}
