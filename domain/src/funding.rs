//! The funding figures that need the database, shared by the API (task
//! budgets, budget frameworks, ceilings that steer intake) and the monthly
//! funding run of the schedule (instalments and signals). The arithmetic
//! is in `entities::funding`; this module loads its facts.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use entities::{
    declaration_rules::{applicable_tariff, grant_of},
    enums::{FundingVariant, Law, LineStatus, TaskBudgetSplit},
    funding::{
        annual_budget_cents, committed_cents, deviation_percent, instalment, levels_crossed,
        split_by_weight, year_forecast, IntensityBand, Schedule, MONTHLY,
    },
    policy::{kinds, BudgetAlertsPolicy, PolicyRules, TaskBudgetPolicy},
    rollup::{months_in_force, Rollups},
    schema::{
        allocation, budget_framework, contract, contract_municipality, declaration_line,
        funding_signal, municipality, municipality_population, product, product_group,
        spend_rollup, tariff, task_budget, task_instalment,
    },
    transaction::begin_write,
    RegionScope, TenantEntity, TenantRecord,
};
use sea_orm::{
    sea_query::Expr, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QuerySelect, QueryTrait, Set,
};
use uuid::Uuid;

use crate::runs::{self, JobError};

const CHUNK: usize = 1_000;

fn jan1(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default()
}

fn dec31(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_default()
}

/// Which allocations a commitment counts: any of them left `None` is open.
#[derive(Debug, Clone, Default)]
pub struct Reach {
    pub provider_id: Option<Uuid>,
    pub product_group_ids: Option<Vec<Uuid>>,
    pub municipality_id: Option<Uuid>,
    /// One allocation only.
    pub allocation_id: Option<Uuid>,
}

/// Allocations that run for some day of `year`.
fn runs_in(year: i32) -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(allocation::Column::StartDate.lte(dec31(year)))
        .add(
            sea_orm::Condition::any()
                .add(allocation::Column::EndDate.is_null())
                .add(allocation::Column::EndDate.gte(jan1(year))),
        )
}

/// What each allocation in reach still commits in `year`: its volume × the
/// tariff (or its budget's share) from the day after its last approved
/// line (or its start, or 1 January) to its end (or 31 December).
pub async fn commitments<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    year: i32,
    reach: &Reach,
) -> Result<HashMap<Uuid, i64>, DbErr> {
    let products: HashMap<Uuid, product::Model> = product::Entity::scoped(scope)
        .apply_if(reach.product_group_ids.clone(), |q, ids| {
            q.filter(product::Column::ProductGroupId.is_in(ids))
        })
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let allocations = allocation::Entity::scoped(scope)
        .filter(allocation::Column::RemovedAt.is_null())
        .filter(runs_in(year))
        .filter(allocation::Column::ProductId.is_in(products.keys().copied()))
        .apply_if(reach.allocation_id, |q, id| {
            q.filter(allocation::Column::Id.eq(id))
        })
        .apply_if(reach.provider_id, |q, id| {
            q.filter(allocation::Column::ProviderId.eq(id))
        })
        .apply_if(reach.municipality_id, |q, id| {
            q.filter(allocation::Column::MunicipalityId.eq(id))
        })
        .all(db)
        .await?;
    let mut declared_to: HashMap<Uuid, NaiveDate> = HashMap::new();
    let ids: Vec<Uuid> = allocations.iter().map(|a| a.id).collect();
    for chunk in ids.chunks(CHUNK) {
        let rows: Vec<(Option<Uuid>, Option<NaiveDate>)> = declaration_line::Entity::scoped(scope)
            .select_only()
            .column(declaration_line::Column::AllocationId)
            .column_as(declaration_line::Column::PeriodEnd.max(), "last")
            .filter(declaration_line::Column::AllocationId.is_in(chunk.iter().copied()))
            .filter(declaration_line::Column::Status.eq(LineStatus::Approved))
            .filter(declaration_line::Column::Credit.eq(false))
            .filter(declaration_line::Column::ReversedBy.is_null())
            .group_by(declaration_line::Column::AllocationId)
            .into_tuple()
            .all(db)
            .await?;
        declared_to.extend(rows.into_iter().filter_map(|(id, last)| Some((id?, last?))));
    }
    let used: HashSet<Uuid> = allocations.iter().map(|a| a.product_id).collect();
    let tariffs = tariff::Entity::scoped(scope)
        .filter(tariff::Column::ProductId.is_in(used))
        .all(db)
        .await?;
    Ok(allocations
        .iter()
        .filter_map(|a| {
            let product = products.get(&a.product_id)?;
            let from = [
                jan1(year),
                a.start_date,
                declared_to
                    .get(&a.id)
                    .and_then(|d| d.succ_opt())
                    .unwrap_or(a.start_date),
            ]
            .into_iter()
            .max()?;
            let to = a.end_date.unwrap_or(dec31(year)).min(dec31(year));
            let price = applicable_tariff(
                &tariffs,
                a.product_id,
                a.provider_id,
                a.municipality_id,
                from,
            )
            .map(|t| t.price_cents);
            let cents = committed_cents(
                &grant_of(a),
                product.unit,
                price,
                (a.start_date, a.end_date),
                from,
                to,
            );
            Some((a.id, cents))
        })
        .collect())
}

/// The product groups of a law.
pub async fn groups_of_law<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    law: Law,
) -> Result<Vec<Uuid>, DbErr> {
    Ok(product_group::Entity::scoped(scope)
        .filter(product_group::Column::Law.eq(law))
        .all(db)
        .await?
        .into_iter()
        .map(|g| g.id)
        .collect())
}

/// A task budget's figures: the price per hour from the task product's
/// tariff on 1 January (indexed like any tariff), the annual budget,
/// start-up costs, what was paid, and the clients in care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskFigures {
    pub hourly_price_cents: i64,
    pub annual_cents: i64,
    /// Annual budget plus start-up costs: what the year's instalments pay.
    pub total_cents: i64,
    pub paid_cents: i64,
    /// Distinct clients with an allocation of the task product with the
    /// contractor in the budget's year.
    pub realised_clients: i64,
}

pub fn bands_of(budget: &task_budget::Model) -> Vec<IntensityBand> {
    serde_json::from_value(budget.intensity_bands.clone()).unwrap_or_default()
}

pub fn schedule_of(budget: &task_budget::Model) -> Schedule {
    budget
        .schedule
        .clone()
        .and_then(|s| serde_json::from_value(s).ok())
        .unwrap_or(MONTHLY)
}

/// The hourly price of the task product for the contractor on 1 January.
pub async fn hourly_price<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    product_id: Uuid,
    provider_id: Uuid,
    year: i32,
) -> Result<Option<i64>, DbErr> {
    let tariffs = tariff::Entity::scoped(scope)
        .filter(tariff::Column::ProductId.eq(product_id))
        .filter(tariff::Column::MunicipalityId.is_null())
        .all(db)
        .await?;
    // No municipality: a task is bought for the region; `Uuid::nil` matches
    // no municipality-specific tariff.
    Ok(
        applicable_tariff(&tariffs, product_id, provider_id, Uuid::nil(), jan1(year))
            .map(|t| t.price_cents),
    )
}

pub async fn task_figures<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    budget: &task_budget::Model,
) -> Result<Option<TaskFigures>, DbErr> {
    let Some(contract) = contract::Entity::find_scoped(db, scope, budget.contract_id).await? else {
        return Ok(None);
    };
    let Some(price) = hourly_price(
        db,
        scope,
        budget.product_id,
        contract.provider_id,
        budget.year,
    )
    .await?
    else {
        return Ok(None);
    };
    let Some(annual) = annual_budget_cents(&bands_of(budget), price) else {
        return Ok(None);
    };
    let paid: Option<i64> = task_instalment::Entity::scoped(scope)
        .select_only()
        .column_as(Expr::cust("CAST(SUM(amount_cents) AS BIGINT)"), "paid")
        .filter(task_instalment::Column::TaskBudgetId.eq(budget.id))
        .into_tuple()
        .one(db)
        .await?
        .flatten();
    let clients: Vec<String> = allocation::Entity::scoped(scope)
        .select_only()
        .column(allocation::Column::ClientKey)
        .distinct()
        .filter(allocation::Column::ProductId.eq(budget.product_id))
        .filter(allocation::Column::ProviderId.eq(contract.provider_id))
        .filter(allocation::Column::RemovedAt.is_null())
        .filter(runs_in(budget.year))
        .into_tuple()
        .all(db)
        .await?;
    Ok(Some(TaskFigures {
        hourly_price_cents: price,
        annual_cents: annual,
        total_cents: annual.saturating_add(budget.startup_cents),
        paid_cents: paid.unwrap_or(0),
        realised_clients: clients.len() as i64,
    }))
}

/// The municipalities a contract covers, in CBS order.
pub async fn contract_municipalities<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    contract_id: Uuid,
) -> Result<Vec<municipality::Model>, DbErr> {
    let covered: HashSet<Uuid> = contract_municipality::Entity::scoped(scope)
        .filter(contract_municipality::Column::ContractId.eq(contract_id))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.municipality_id)
        .collect();
    let mut municipalities: Vec<municipality::Model> = municipality::Entity::scoped(scope)
        .all(db)
        .await?
        .into_iter()
        .filter(|m| covered.contains(&m.id))
        .collect();
    municipalities.sort_by(|a, b| a.cbs_code.cmp(&b.cbs_code));
    Ok(municipalities)
}

/// Each municipality's weight in a task budget's split (inhabitants, or
/// planned clients by CBS code), in CBS order; empty without a split.
pub async fn split_weights<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    budget: &task_budget::Model,
) -> Result<Vec<(municipality::Model, i64)>, DbErr> {
    if budget.split == TaskBudgetSplit::None {
        return Ok(Vec::new());
    }
    let municipalities = contract_municipalities(db, scope, budget.contract_id).await?;
    let weights: HashMap<Uuid, i64> = match budget.split {
        TaskBudgetSplit::Inhabitants => {
            // The latest count up to the budget's year.
            let mut latest: HashMap<Uuid, (i32, i64)> = HashMap::new();
            for p in municipality_population::Entity::scoped(scope)
                .filter(municipality_population::Column::Year.lte(budget.year))
                .all(db)
                .await?
            {
                let entry = latest.entry(p.municipality_id).or_insert((p.year, 0));
                if p.year >= entry.0 {
                    *entry = (p.year, p.inhabitants);
                }
            }
            latest.into_iter().map(|(id, (_, n))| (id, n)).collect()
        }
        _ => {
            let planned: HashMap<String, i64> = budget
                .planned_clients_per_municipality
                .clone()
                .and_then(|v| serde_json::from_value(v).ok())
                .unwrap_or_default();
            municipalities
                .iter()
                .map(|m| (m.id, planned.get(&m.cbs_code).copied().unwrap_or(0)))
                .collect()
        }
    };
    Ok(municipalities
        .into_iter()
        .map(|m| {
            let w = weights.get(&m.id).copied().unwrap_or(0);
            (m, w)
        })
        .collect())
}

/// A municipality's share of an amount of a task budget.
pub fn share_of(weights: &[(municipality::Model, i64)], municipality_id: Uuid, cents: i64) -> i64 {
    let keyed: Vec<(Uuid, i64)> = weights.iter().map(|(m, w)| (m.id, *w)).collect();
    split_by_weight(cents, &keyed)
        .into_iter()
        .find(|(id, _)| *id == municipality_id)
        .map_or(0, |(_, share)| share)
}

/// The weights a task budget's money is spent by per municipality (issue
/// 27): its split; without a split, or when no municipality weighs
/// anything (no inhabitants known), each covered municipality weighs 1.
/// `split_by_weight` then gives each its share rounded down to the cent
/// and the last municipality with a weight (CBS order) the rest.
pub async fn spend_weights<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    budget: &task_budget::Model,
) -> Result<Vec<(municipality::Model, i64)>, DbErr> {
    let weights = split_weights(db, scope, budget).await?;
    if weights.iter().any(|(_, w)| *w > 0) {
        return Ok(weights);
    }
    Ok(contract_municipalities(db, scope, budget.contract_id)
        .await?
        .into_iter()
        .map(|m| (m, 1))
        .collect())
}

/// A budget framework's figures for its year, as of `today`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameworkFigures {
    pub realised_cents: i64,
    pub committed_cents: i64,
    pub forecast_cents: i64,
    pub months_closed: u32,
}

pub async fn framework_figures<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    framework: &budget_framework::Model,
    today: NaiveDate,
) -> Result<FrameworkFigures, DbErr> {
    let year = framework.year;
    let groups = groups_of_law(db, scope, framework.law).await?;
    let spent: Option<i64> = spend_rollup::Entity::scoped(scope)
        .select_only()
        .column_as(Expr::cust("CAST(SUM(amount_cents) AS BIGINT)"), "spent")
        .filter(spend_rollup::Column::MunicipalityId.eq(framework.municipality_id))
        .filter(spend_rollup::Column::ProductGroupId.is_in(groups.iter().copied()))
        .filter(spend_rollup::Column::Month.between(jan1(year), dec31(year)))
        .into_tuple()
        .one(db)
        .await?
        .flatten();
    let realised = spent.unwrap_or(0);
    let reach = Reach {
        municipality_id: Some(framework.municipality_id),
        product_group_ids: Some(groups.clone()),
        ..Reach::default()
    };
    let mut committed: i64 = commitments(db, scope, year, &reach).await?.values().sum();
    // Task budgets of the law: what they paid is in the spend rollups
    // already (issue 27); what is left to pay is committed, by the same
    // shares.
    let task_products: Vec<Uuid> = product::Entity::scoped(scope)
        .filter(product::Column::ProductGroupId.is_in(groups))
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    for budget in task_budget::Entity::scoped(scope)
        .filter(task_budget::Column::Year.eq(year))
        .filter(task_budget::Column::ProductId.is_in(task_products))
        .all(db)
        .await?
    {
        let weights = spend_weights(db, scope, &budget).await?;
        if let Some(figures) = task_figures(db, scope, &budget).await? {
            committed += share_of(
                &weights,
                framework.municipality_id,
                (figures.total_cents - figures.paid_cents).max(0),
            );
        }
    }
    let months_closed = match today.year().cmp(&year) {
        std::cmp::Ordering::Less => 0,
        std::cmp::Ordering::Equal => today.month0(),
        std::cmp::Ordering::Greater => 12,
    };
    Ok(FrameworkFigures {
        realised_cents: realised,
        committed_cents: committed,
        forecast_cents: year_forecast(realised, committed, months_closed),
        months_closed,
    })
}

/// The budget alert levels of the region (percent).
pub async fn alert_levels<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
) -> Result<Vec<i32>, DbErr> {
    Ok(
        match crate::policies::region_rules(db, scope, kinds::BUDGET_ALERTS).await? {
            Some(PolicyRules::BudgetAlerts(p)) => p.levels_percent,
            _ => BudgetAlertsPolicy::default().levels_percent,
        },
    )
}

pub const FRAMEWORK_SIGNAL: &str = "framework-forecast";
pub const TASK_CLIENTS_SIGNAL: &str = "task-clients";

/// Records a funding signal once per subject, period and level.
async fn signal<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    kind: &str,
    subject_id: Uuid,
    period: String,
    level_percent: i32,
    amount_cents: Option<i64>,
    detail: String,
) -> Result<bool, DbErr> {
    let inserted = funding_signal::Entity::insert(funding_signal::ActiveModel {
        region_id: Set(scope.region_id),
        id: Set(Uuid::now_v7()),
        kind: Set(kind.into()),
        subject_id: Set(subject_id),
        period: Set(period),
        level_percent: Set(level_percent),
        amount_cents: Set(amount_cents),
        detail: Set(detail),
        created_at: Set(entities::clock::now()),
    })
    .on_conflict_do_nothing_on([
        funding_signal::Column::RegionId,
        funding_signal::Column::Kind,
        funding_signal::Column::SubjectId,
        funding_signal::Column::Period,
        funding_signal::Column::LevelPercent,
    ])
    .exec_without_returning(db)
    .await?;
    Ok(matches!(inserted, sea_orm::TryInsertResult::Inserted(n) if n > 0))
}

pub const FUNDING_SCHEDULE_KIND: &str = "funding-schedule";

/// What one region's monthly funding run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct MonthRun {
    pub instalments: usize,
    pub signals: usize,
}

/// The monthly funding run, for every region with task budgets or budget
/// frameworks, once per region and month (a `job_runs` row keyed by the
/// month): pays the instalments due up to `today`'s month, and records the
/// signals of task budgets off their plan and of frameworks whose forecast
/// reached an alert level. Returns what each region's run did.
pub async fn run_month(
    db: &DatabaseConnection,
    today: NaiveDate,
) -> Result<Vec<(Uuid, MonthRun)>, JobError> {
    #[allow(clippy::disallowed_methods)] // the schedule serves every tenant
    let mut regions: Vec<Uuid> = task_budget::Entity::find()
        .select_only()
        .column(task_budget::Column::RegionId)
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    #[allow(clippy::disallowed_methods)]
    let with_frameworks: Vec<Uuid> = budget_framework::Entity::find()
        .select_only()
        .column(budget_framework::Column::RegionId)
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    regions.extend(with_frameworks);
    regions.sort();
    regions.dedup();
    let mut done = Vec::new();
    for region_id in regions {
        if let Some(outcome) = run_month_in(db, &RegionScope::new(region_id), today).await? {
            done.push((region_id, outcome));
        }
    }
    Ok(done)
}

/// One region's monthly funding run; `None` when this month's run happened.
pub async fn run_month_in(
    db: &DatabaseConnection,
    scope: &RegionScope,
    today: NaiveDate,
) -> Result<Option<MonthRun>, JobError> {
    let month_key = today.format("%Y-%m").to_string();
    let txn = begin_write(db).await?;
    let run = runs::create(&txn, scope, FUNDING_SCHEDULE_KIND, &month_key).await?;
    if run.status != entities::enums::JobStatus::Queued {
        return Ok(None);
    }
    runs::start(&txn, scope, run.id).await?;
    let mut outcome = pay_instalments(&txn, scope, today).await?;
    mark_task_clients(&txn, scope, today).await?;
    outcome.signals += task_signals(&txn, scope, today).await?;
    outcome.signals += framework_signals(&txn, scope, today).await?;
    runs::succeed(
        &txn,
        scope,
        run.id,
        serde_json::json!({
            "month": month_key,
            "instalments": outcome.instalments,
            "signals": outcome.signals,
        }),
    )
    .await?;
    txn.commit().await?;
    Ok(Some(outcome))
}

/// Pays every instalment due up to `today`'s month that is not paid yet.
async fn pay_instalments<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    today: NaiveDate,
) -> Result<MonthRun, DbErr> {
    let mut run = MonthRun::default();
    for budget in task_budget::Entity::scoped(scope)
        .filter(task_budget::Column::Year.lte(today.year()))
        .all(db)
        .await?
    {
        let Some(figures) = task_figures(db, scope, &budget).await? else {
            continue; // no tariff: the API shows why
        };
        let paid_months: HashSet<NaiveDate> = task_instalment::Entity::scoped(scope)
            .filter(task_instalment::Column::TaskBudgetId.eq(budget.id))
            .all(db)
            .await?
            .into_iter()
            .map(|i| i.month)
            .collect();
        let due_months = if budget.year < today.year() {
            12
        } else {
            today.month()
        };
        let schedule = schedule_of(&budget);
        let mut paid = figures.paid_cents;
        for month in 1..=due_months {
            let first = NaiveDate::from_ymd_opt(budget.year, month, 1).unwrap_or_default();
            if paid_months.contains(&first) {
                continue;
            }
            let amount = instalment(figures.total_cents, &schedule, month as usize - 1, paid);
            if amount == 0 {
                continue;
            }
            task_instalment::Entity::insert(task_instalment::ActiveModel {
                region_id: Set(scope.region_id),
                id: Set(Uuid::now_v7()),
                task_budget_id: Set(budget.id),
                month: Set(first),
                amount_cents: Set(amount),
                spend_rolled_up: Set(false),
                created_at: Set(entities::clock::now()),
            })
            .exec_without_returning(db)
            .await?;
            paid += amount;
            run.instalments += 1;
        }
    }
    roll_up_instalments(db, scope).await?;
    Ok(run)
}

/// Where a task budget's money is spent: the task product's group, the
/// contractor, and the municipalities' weights.
struct SpendCell {
    group: Uuid,
    provider: Uuid,
    weights: Vec<(Uuid, i64)>,
}

async fn spend_cell<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    budget_id: Uuid,
) -> Result<Option<SpendCell>, DbErr> {
    let Some(budget) = task_budget::Entity::find_scoped(db, scope, budget_id).await? else {
        return Ok(None);
    };
    let contract = contract::Entity::find_scoped(db, scope, budget.contract_id).await?;
    let task = product::Entity::find_scoped(db, scope, budget.product_id).await?;
    let weights = spend_weights(db, scope, &budget)
        .await?
        .into_iter()
        .map(|(m, w)| (m.id, w))
        .collect();
    Ok(contract.zip(task).map(|(c, p)| SpendCell {
        group: p.product_group_id,
        provider: c.provider_id,
        weights,
    }))
}

/// Adds every instalment not rolled up yet (those just paid, and those
/// paid before migration 23) to the spend rollups (issue 27): spend of the
/// month it pays for, of the task product's group and the contractor,
/// split over the municipalities by [`spend_weights`] (down to the cent,
/// the rest to the last municipality with a weight), and marks it.
async fn roll_up_instalments<C: ConnectionTrait>(db: &C, scope: &RegionScope) -> Result<(), DbErr> {
    let pending = task_instalment::Entity::scoped(scope)
        .filter(task_instalment::Column::SpendRolledUp.eq(false))
        .all(db)
        .await?;
    if pending.is_empty() {
        return Ok(());
    }
    let mut rollups = Rollups::default();
    let mut cells: HashMap<Uuid, Option<SpendCell>> = HashMap::new();
    let budgets: HashSet<Uuid> = pending.iter().map(|i| i.task_budget_id).collect();
    for budget_id in budgets {
        cells.insert(budget_id, spend_cell(db, scope, budget_id).await?);
    }
    let mut done = Vec::new();
    for instalment in pending {
        let budget_id = instalment.task_budget_id;
        // A budget without a contract, product or municipality stays
        // pending: its money has no cell to go to.
        let Some(Some(SpendCell {
            group,
            provider,
            weights,
        })) = cells.get(&budget_id)
        else {
            continue;
        };
        if weights.is_empty() {
            continue;
        }
        for (municipality, cents) in split_by_weight(instalment.amount_cents, weights) {
            rollups.add_paid(instalment.month, *group, municipality, *provider, cents);
        }
        done.push(instalment.id);
    }
    rollups.save(db, scope).await?;
    for chunk in done.chunks(CHUNK) {
        task_instalment::Entity::update_scoped(scope)
            .col_expr(task_instalment::Column::SpendRolledUp, Expr::value(true))
            .filter(task_instalment::Column::Id.is_in(chunk.iter().copied()))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Marks the months in which clients are served by a task lot (issue 27,
/// seed 003 §3.5: they are allocated with hours, never declared): every
/// allocation of a task product that is not removed, in each month up to
/// `today`'s in which it is in force, with its provider. Each run marks
/// every such month again from the allocations (ORed in: a month already
/// marked writes nothing), so an allocation recorded late, or rollups
/// rebuilt from the lines, are caught up by the next run.
async fn mark_task_clients<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    today: NaiveDate,
) -> Result<(), DbErr> {
    let group_of: HashMap<Uuid, Uuid> = product::Entity::scoped(scope)
        .filter(product::Column::FundingVariant.eq(FundingVariant::Task))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.product_group_id))
        .collect();
    if group_of.is_empty() {
        return Ok(());
    }
    let through = today.with_day(1).unwrap_or(today);
    let allocations = allocation::Entity::scoped(scope)
        .filter(allocation::Column::ProductId.is_in(group_of.keys().copied()))
        .filter(allocation::Column::RemovedAt.is_null())
        .filter(allocation::Column::StartDate.lte(dec31(today.year())))
        .all(db)
        .await?;
    let mut rollups = Rollups::default();
    for a in allocations {
        let Some(&group) = group_of.get(&a.product_id) else {
            continue;
        };
        let last_year = a
            .end_date
            .map_or(today.year(), |e| e.year().min(today.year()));
        for year in a.start_date.year()..=last_year {
            rollups.add_served(
                (
                    year,
                    a.client_number,
                    group,
                    a.municipality_id,
                    a.provider_id,
                ),
                months_in_force(year, a.start_date, a.end_date, through),
            );
        }
    }
    rollups.save(db, scope).await
}

/// Task budgets whose realised clients are over the plan by more than the
/// margin (during the year), or under it (once the year has ended).
async fn task_signals<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    today: NaiveDate,
) -> Result<usize, DbErr> {
    let margin = match crate::policies::region_rules(db, scope, kinds::TASK_BUDGET).await? {
        Some(PolicyRules::TaskBudget(p)) => p,
        _ => TaskBudgetPolicy::default(),
    }
    .deviation_margin_percent as i64;
    let mut recorded = 0;
    for budget in task_budget::Entity::scoped(scope)
        .filter(task_budget::Column::Year.between(today.year() - 1, today.year()))
        .all(db)
        .await?
    {
        let Some(figures) = task_figures(db, scope, &budget).await? else {
            continue;
        };
        let planned = i64::from(budget.planned_clients);
        let Some(deviation) = deviation_percent(planned, figures.realised_clients) else {
            continue;
        };
        let year_ended = budget.year < today.year();
        let level = if deviation > margin {
            100 + margin
        } else if year_ended && deviation < -margin {
            100 - margin
        } else {
            continue;
        };
        let detail = format!(
            "{} clients in care against {} planned ({deviation:+}%, margin {margin}%)",
            figures.realised_clients, planned
        );
        if signal(
            db,
            scope,
            TASK_CLIENTS_SIGNAL,
            budget.id,
            budget.year.to_string(),
            level as i32,
            None,
            detail,
        )
        .await?
        {
            recorded += 1;
        }
    }
    Ok(recorded)
}

/// Frameworks of `today`'s year whose forecast reached an alert level.
async fn framework_signals<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    today: NaiveDate,
) -> Result<usize, DbErr> {
    let levels = alert_levels(db, scope).await?;
    let mut recorded = 0;
    for framework in budget_framework::Entity::scoped(scope)
        .filter(budget_framework::Column::Year.eq(today.year()))
        .all(db)
        .await?
    {
        let figures = framework_figures(db, scope, &framework, today).await?;
        for level in levels_crossed(framework.amount_cents, 0, figures.forecast_cents, &levels) {
            let detail = format!(
                "forecast {} of a framework of {} ({} realised, {} committed)",
                entities::money::cents_to_euros(figures.forecast_cents),
                entities::money::cents_to_euros(framework.amount_cents),
                entities::money::cents_to_euros(figures.realised_cents),
                entities::money::cents_to_euros(figures.committed_cents),
            );
            if signal(
                db,
                scope,
                FRAMEWORK_SIGNAL,
                framework.id,
                framework.year.to_string(),
                level,
                Some(figures.forecast_cents),
                detail,
            )
            .await?
            {
                recorded += 1;
            }
        }
    }
    Ok(recorded)
}
