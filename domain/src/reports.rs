//! The monitoring report job: gathers the period's rollups of approved
//! declarations (and of the task budgets' paid instalments and the task
//! lots' clients, which the funding run adds), allocations, contracts and
//! ceilings, builds the tables
//! (`entities::report::build`) and stores them on the report row.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use entities::{
    contract_life::last_day,
    policy::{kinds, PolicyRules},
    report::{
        build, distinct_clients_in, trend_start, AllocationInfo, CeilingInfo, ClientMonths,
        ContractInfo, FrameworkInfo, GroupInfo, MarketRules, MunicipalityInfo, ReportInput,
        SpendInfo,
    },
    rollup::{month_bit, month_of, split_period, PeriodCells},
    schema::{
        allocation, allocation_intensive_episode as episode, budget_ceiling, budget_framework,
        compliance_check, contract, contract_municipality, contract_product_group, declared_client,
        group_spend_rollup, monitoring_report as report, municipality,
        municipality_population as population, product, product_group, provider, spend_rollup,
        yearly_spend_rollup,
    },
    RegionScope, TenantEntity, TenantRecord,
};
use sea_orm::{
    sea_query::{Condition, Expr},
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, Set,
};
use uuid::Uuid;

use crate::rows::rows;
use crate::runs::JobError;

pub const KIND: &str = "monitoring-report";

/// What the flows read of an allocation: the moving ones and their
/// clients' other ones alike.
const FLOW_COLUMNS: [allocation::Column; 7] = [
    allocation::Column::Id,
    allocation::Column::ClientNumber,
    allocation::Column::ProviderId,
    allocation::Column::ProductId,
    allocation::Column::MunicipalityId,
    allocation::Column::StartDate,
    allocation::Column::EndDate,
];

/// A moving allocation: [`FLOW_COLUMNS`], the start of care and the day
/// it was recorded.
type Moving = (
    Uuid,
    i64,
    Uuid,
    Uuid,
    Uuid,
    NaiveDate,
    Option<NaiveDate>,
    Option<NaiveDate>,
    NaiveDate,
);

/// Another allocation of a client that moves: [`FLOW_COLUMNS`].
type Neighbour = (Uuid, i64, Uuid, Uuid, Uuid, NaiveDate, Option<NaiveDate>);

fn counts(rows: Vec<(Uuid, i64)>) -> HashMap<Uuid, usize> {
    rows.into_iter()
        .map(|(id, n)| (id, n.max(0) as usize))
        .collect()
}

/// The approved cents per product group, municipality and provider of a
/// spend rollup's cells that `period` picks (the yearly and the monthly
/// cells share these columns), with `municipality` only its own.
fn spend_per_cell<E: sea_orm::EntityTrait>(
    cells: sea_orm::Select<E>,
    period: impl sea_orm::sea_query::IntoCondition,
    municipality: Option<Uuid>,
) -> sea_orm::sea_query::SelectStatement {
    let column = |name: &'static str| Expr::col(sea_orm::sea_query::Alias::new(name));
    let key = ["product_group_id", "municipality_id", "provider_id"];
    key.into_iter()
        .fold(cells.select_only(), |select, name| {
            select.column_as(column(name), name).group_by(column(name))
        })
        .column_as(Expr::cust("CAST(SUM(amount_cents) AS BIGINT)"), "amount")
        .filter(period)
        .apply_if(municipality, |q, m| {
            q.filter(sea_orm::sea_query::ExprTrait::eq(
                column("municipality_id"),
                m,
            ))
        })
        .into_query()
}

/// The report's facts; with `municipality`, only that municipality's (its
/// spend, clients, allocations, contracts serving it, its ceilings and
/// frameworks): its own monitor. Every query is independent of the others,
/// so they run side by side on the pool, the largest reads first.
async fn gather(
    db: &DatabaseConnection,
    scope: &RegionScope,
    (from, to): (NaiveDate, NaiveDate),
    municipality: Option<Uuid>,
) -> Result<ReportInput, JobError> {
    let serving = municipality.map(|m| {
        contract_municipality::Entity::scoped(scope)
            .select_only()
            .column(contract_municipality::Column::ContractId)
            .filter(contract_municipality::Column::MunicipalityId.eq(m))
            .into_query()
    });
    let contracts_query = contract::Entity::scoped(scope)
        .filter(contract::Column::StartDate.lte(to))
        .apply_if(serving, |q, ids| {
            q.filter(contract::Column::Id.in_subquery(ids))
        });
    let episodes_in_period = Condition::all()
        .add(episode::Column::ToDate.gte(from))
        .add(episode::Column::FromDate.lte(to));
    let episodes_query = episode::Entity::scoped(scope).filter(episodes_in_period.clone());
    let with_episodes = episode::Entity::scoped(scope)
        .select_only()
        .column(episode::Column::AllocationId)
        .filter(episodes_in_period)
        .into_query();
    // In force at some point in the period.
    let overlaps = Condition::all()
        .add_option(municipality.map(|m| allocation::Column::MunicipalityId.eq(m)))
        .add(allocation::Column::StartDate.lte(to))
        .add(
            Condition::any()
                .add(allocation::Column::EndDate.is_null())
                .add(allocation::Column::EndDate.gte(from)),
        );
    // Only the allocations that move in the period (start, end, start of
    // care or temporary intensive in it) are read; the rest is counted by
    // the database. Each test is false, never NULL, on a missing date, so
    // the negation below keeps the rows it should.
    let moves = Condition::any()
        .add(allocation::Column::StartDate.between(from, to))
        .add(
            Condition::all()
                .add(allocation::Column::EndDate.is_not_null())
                .add(allocation::Column::EndDate.between(from, to)),
        )
        .add(
            Condition::all()
                .add(allocation::Column::CareStartedOn.is_not_null())
                .add(allocation::Column::CareStartedOn.between(from, to)),
        )
        .add(allocation::Column::Id.in_subquery(with_episodes));
    let moving_in_period = overlaps.clone().add(moves);
    let moving_query = allocation::Entity::scoped(scope)
        .select_only()
        .columns(FLOW_COLUMNS)
        .column(allocation::Column::CareStartedOn)
        // The day it was recorded, as a date: parsing 10,000 timestamps
        // costs more than the query.
        .expr(Expr::cust(match db.get_database_backend() {
            sea_orm::DatabaseBackend::Sqlite => "date(created_at)",
            _ => "CAST(created_at AS date)",
        }))
        .filter(moving_in_period.clone())
        .into_query();
    // The flows in clients look one month either side: the other (not
    // removed) allocations of the clients that move, found through the
    // client index in the same round of queries, with only what the flows
    // read. Reading rows costs more than scanning them here (sqlx hands
    // SQLite's rows over one by one), so no row is read twice.
    let before = month_of(from).pred_opt().map(month_of).unwrap_or(from);
    let after = to.checked_add_months(chrono::Months::new(1)).unwrap_or(to);
    let movers = allocation::Entity::scoped(scope)
        .select_only()
        .column(allocation::Column::ClientNumber)
        .filter(moving_in_period.clone())
        .into_query();
    let neighbours_query = allocation::Entity::scoped(scope)
        .select_only()
        .columns(FLOW_COLUMNS)
        .filter(allocation::Column::ClientNumber.in_subquery(movers))
        .filter(moving_in_period.not())
        .filter(allocation::Column::RemovedAt.is_null())
        .apply_if(municipality, |q, m| {
            q.filter(allocation::Column::MunicipalityId.eq(m))
        })
        .filter(allocation::Column::StartDate.lte(after))
        .filter(
            Condition::any()
                .add(allocation::Column::EndDate.is_null())
                .add(allocation::Column::EndDate.gte(before)),
        )
        .into_query();
    let active_query = allocation::Entity::scoped(scope)
        .select_only()
        .column(allocation::Column::MunicipalityId)
        .column_as(Expr::cust("COUNT(*)"), "n")
        .filter(overlaps)
        .group_by(allocation::Column::MunicipalityId)
        .into_tuple::<(Uuid, i64)>();
    // Spend and clients come from the rollups kept as lines are approved:
    // the period's whole years from the yearly cells, its other months
    // from the monthly ones, summed per cell below.
    let PeriodCells { years, months } = split_period(month_of(from), to);
    let yearly_query = years.map(|(first, last)| {
        spend_per_cell(
            yearly_spend_rollup::Entity::scoped(scope),
            yearly_spend_rollup::Column::Year.between(first, last),
            municipality,
        )
    });
    let monthly_query = (!months.is_empty()).then(|| {
        let in_months = months.iter().fold(Condition::any(), |any, (first, last)| {
            any.add(spend_rollup::Column::Month.between(*first, *last))
        });
        spend_per_cell(spend_rollup::Entity::scoped(scope), in_months, municipality)
    });
    let spend_cells = |query: Option<sea_orm::sea_query::SelectStatement>| async move {
        match query {
            Some(query) => rows::<(Uuid, Uuid, Uuid, i64)>(db, query).await,
            None => Ok(vec![]),
        }
    };
    // The trends: 24 months of spend and hours per group, from the cells
    // without the provider.
    let trend_from = trend_start(to);
    let spend_by_month_query = group_spend_rollup::Entity::scoped(scope)
        .select_only()
        .column(group_spend_rollup::Column::Month)
        .column(group_spend_rollup::Column::ProductGroupId)
        .column_as(Expr::cust("CAST(SUM(amount_cents) AS BIGINT)"), "amount")
        .column_as(Expr::cust("CAST(SUM(minutes) AS BIGINT)"), "minutes")
        .filter(group_spend_rollup::Column::Month.between(trend_from, to))
        .apply_if(municipality, |q, m| {
            q.filter(group_spend_rollup::Column::MunicipalityId.eq(m))
        })
        .group_by(group_spend_rollup::Column::Month)
        .group_by(group_spend_rollup::Column::ProductGroupId)
        .into_tuple::<(NaiveDate, Uuid, i64, i64)>();
    // The clients' months, read once for the period's distinct clients and
    // the trends (from the month before the first, for its inflow): counted
    // in Rust from one read instead of a COUNT(DISTINCT) per grouping.
    let clients_from = trend_from.pred_opt().unwrap_or(trend_from).min(from);
    let client_months_query = declared_client::Entity::scoped(scope)
        .select_only()
        .column(declared_client::Column::Year)
        .column(declared_client::Column::ClientNumber)
        .column(declared_client::Column::ProductGroupId)
        .column(declared_client::Column::MunicipalityId)
        .column(declared_client::Column::MonthsMask)
        .filter(declared_client::Column::Year.between(clients_from.year(), to.year()))
        // In the first year, only rows with a month from `clients_from` on.
        .filter(
            Condition::any()
                .add(declared_client::Column::Year.gt(clients_from.year()))
                .add(declared_client::Column::MonthsMask.gte(month_bit(clients_from))),
        )
        .apply_if(municipality, |q, m| {
            q.filter(declared_client::Column::MunicipalityId.eq(m))
        })
        .into_query();
    let ceilings_query = budget_ceiling::Entity::scoped(scope)
        .filter(budget_ceiling::Column::Year.between(from.year(), to.year()))
        .apply_if(municipality, |q, m| {
            q.filter(budget_ceiling::Column::MunicipalityId.eq(m))
        })
        .order_by_asc(budget_ceiling::Column::Id);
    let frameworks_query = budget_framework::Entity::scoped(scope)
        .filter(budget_framework::Column::Year.between(from.year(), to.year()))
        .apply_if(municipality, |q, m| {
            q.filter(budget_framework::Column::MunicipalityId.eq(m))
        });
    // In three groups: the large reads, first so that they get connections
    // first; the names; the period's other facts.
    let (
        (client_months, moving, neighbours, (yearly, monthly), spend_by_month, active),
        (providers, products, groups_all, inhabitants, municipalities_all, contract_links),
        (contracts, episodes, ceilings, compliance, market, frameworks),
    ) = tokio::try_join!(
        async {
            tokio::try_join!(
                rows::<ClientMonths>(db, client_months_query),
                rows::<Moving>(db, moving_query),
                rows::<Neighbour>(db, neighbours_query),
                async { tokio::try_join!(spend_cells(yearly_query), spend_cells(monthly_query)) },
                spend_by_month_query.all(db),
                active_query.all(db),
            )
        },
        async {
            tokio::try_join!(
                provider::Entity::scoped(scope).all(db),
                product::Entity::scoped(scope).all(db),
                product_group::Entity::scoped(scope)
                    .order_by_asc(product_group::Column::Code)
                    .all(db),
                population::Entity::scoped(scope)
                    .filter(population::Column::Year.eq(from.year()))
                    .all(db),
                municipality::Entity::scoped(scope)
                    .apply_if(municipality, |q, m| {
                        q.filter(municipality::Column::Id.eq(m))
                    })
                    .order_by_asc(municipality::Column::CbsCode)
                    .all(db),
                contract_product_group::Entity::scoped(scope).all(db),
            )
        },
        async {
            tokio::try_join!(
                contracts_query.all(db),
                episodes_query.all(db),
                ceilings_query.all(db),
                compliance_check::Entity::scoped(scope)
                    .filter(compliance_check::Column::CheckedOn.lte(to))
                    .all(db),
                crate::policies::region_rules(db, scope, kinds::MARKET_CONCENTRATION),
                frameworks_query.all(db),
            )
        },
    )?;

    let agb: HashMap<Uuid, String> = providers.into_iter().map(|p| (p.id, p.agb_code)).collect();
    let products: HashMap<Uuid, product::Model> = products.into_iter().map(|p| (p.id, p)).collect();
    let group_code: HashMap<Uuid, String> =
        groups_all.iter().map(|g| (g.id, g.code.clone())).collect();
    let groups = groups_all
        .into_iter()
        .map(|g| GroupInfo {
            id: g.id,
            code: g.code,
            name: g.name,
            law: g.law.as_str().into(),
        })
        .collect();
    let inhabitants: HashMap<Uuid, i64> = inhabitants
        .into_iter()
        .map(|p| (p.municipality_id, p.inhabitants))
        .collect();
    let cbs: HashMap<Uuid, String> = municipalities_all
        .iter()
        .map(|m| (m.id, m.cbs_code.clone()))
        .collect();
    let municipalities = municipalities_all
        .into_iter()
        .map(|m| MunicipalityInfo {
            inhabitants: inhabitants.get(&m.id).copied(),
            id: m.id,
            cbs_code: m.cbs_code,
            name: m.name,
        })
        .collect();
    let mut contract_groups: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for link in contract_links {
        contract_groups
            .entry(link.contract_id)
            .or_default()
            .push(link.product_group_id);
    }
    let contracts = contracts
        .into_iter()
        .filter_map(|c| {
            let ends_on = last_day(&c)?;
            (ends_on >= from).then(|| ContractInfo {
                id: c.id,
                provider_agb: agb.get(&c.provider_id).cloned().unwrap_or_default(),
                product_groups: contract_groups.remove(&c.id).unwrap_or_default(),
                ends_on,
            })
        })
        .collect();
    let mut episodes_of: HashMap<Uuid, Vec<(NaiveDate, NaiveDate)>> = HashMap::new();
    for e in episodes {
        episodes_of
            .entry(e.allocation_id)
            .or_default()
            .push((e.from_date, e.to_date));
    }

    let (clients_per_group, clients_per_municipality) =
        distinct_clients_in(&client_months, (from, to));
    let neighbours = neighbours.into_iter().map(
        |(id, client, provider, product, municipality, start, end)| {
            let row: Moving = (
                id,
                client,
                provider,
                product,
                municipality,
                start,
                end,
                None,
                start,
            );
            row
        },
    );
    let allocations = moving
        .into_iter()
        .chain(neighbours)
        .map(
            |(
                id,
                client,
                provider_id,
                product_id,
                municipality_id,
                start_date,
                end_date,
                care_started_on,
                created_on,
            )| {
                let product = products.get(&product_id);
                AllocationInfo {
                    provider_agb: agb.get(&provider_id).cloned().unwrap_or_default(),
                    product_code: product.map(|p| p.code.clone()).unwrap_or_default(),
                    product_group_id: product.map(|p| p.product_group_id).unwrap_or_default(),
                    allocated_on: created_on,
                    care_started_on,
                    municipality_id,
                    start_date,
                    end_date,
                    episodes: episodes_of.remove(&id).unwrap_or_default(),
                    client,
                }
            },
        )
        .collect();
    let mut spend: HashMap<(Uuid, Uuid, Uuid), i64> = HashMap::new();
    for (group, municipality, provider, amount) in yearly.into_iter().chain(monthly) {
        *spend.entry((group, municipality, provider)).or_default() += amount;
    }
    let spend = spend
        .into_iter()
        .map(|((group, municipality, provider), amount)| SpendInfo {
            provider_agb: agb.get(&provider).cloned().unwrap_or_default(),
            product_group_id: group,
            municipality_id: municipality,
            amount_cents: amount,
        })
        .collect();
    // A ceiling combining product groups names them joined by "+".
    let combined = crate::ceilings::combined_groups(
        db,
        scope,
        ceilings
            .iter()
            .filter(|c| c.product_group_id.is_none())
            .map(|c| c.id),
    )
    .await?;
    let ceilings = ceilings
        .into_iter()
        .map(|c| CeilingInfo {
            provider_agb: c.provider_id.and_then(|id| agb.get(&id).cloned()),
            product_group_code: c
                .product_group_id
                .and_then(|id| group_code.get(&id).cloned())
                .or_else(|| {
                    let mut codes: Vec<String> = combined
                        .get(&c.id)?
                        .iter()
                        .filter_map(|id| group_code.get(id).cloned())
                        .collect();
                    codes.sort();
                    Some(codes.join("+"))
                }),
            municipality_cbs: c.municipality_id.and_then(|id| cbs.get(&id).cloned()),
            year: c.year,
            amount_cents: c.amount_cents,
            spent_cents: c.spent_cents,
        })
        .collect();
    let compliance = compliance
        .into_iter()
        .map(|c| (agb.get(&c.provider_id).cloned().unwrap_or_default(), c))
        .collect();
    let market = match market {
        Some(PolicyRules::MarketConcentration(p)) => MarketRules {
            min_clients: p.min_clients as usize,
            excluded_groups: group_code
                .iter()
                .filter(|(_, code)| p.excluded_product_groups.contains(code))
                .map(|(id, _)| *id)
                .collect(),
        },
        _ => MarketRules::default(),
    };
    let frameworks = frameworks
        .into_iter()
        .map(|f| FrameworkInfo {
            municipality_id: f.municipality_id,
            law: f.law.as_str().into(),
            amount_cents: f.amount_cents,
        })
        .collect();
    Ok(ReportInput {
        from,
        to,
        groups,
        municipalities,
        contracts,
        spend,
        clients_per_group,
        clients_per_municipality,
        active_per_municipality: counts(active),
        allocations,
        ceilings,
        compliance,
        market,
        frameworks,
        spend_by_month,
        client_months,
    })
}

pub async fn run(
    db: &DatabaseConnection,
    region_id: Uuid,
    report_id: Uuid,
) -> Result<serde_json::Value, JobError> {
    let scope = RegionScope::new(region_id);
    let found = report::Entity::find_scoped(db, &scope, report_id)
        .await?
        .ok_or_else(|| JobError::Permanent(format!("report {report_id} does not exist")))?;
    if found.status != "queued" {
        return Ok(serde_json::json!({ "skipped": format!("the report is {}", found.status) }));
    }
    let period = (found.period_from, found.period_to);
    let input = gather(db, &scope, period, found.municipality_id).await?;
    let content =
        serde_json::to_value(build(&input)).map_err(|e| JobError::Permanent(e.to_string()))?;
    // One statement, which does not read the row back as updating a model
    // would: the row now holds the whole report.
    report::Entity::update_scoped(&scope)
        .col_expr(report::Column::Status, Expr::value("done"))
        .col_expr(report::Column::Content, Expr::value(content))
        .filter(report::Column::Id.eq(report_id))
        .exec(db)
        .await?;
    Ok(serde_json::json!({ "reportId": report_id }))
}

/// Opens a report for `[from, to]` with its queued job.
pub async fn open_report<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    (from, to): (NaiveDate, NaiveDate),
    municipality: Option<Uuid>,
    requested_by: &str,
) -> Result<(report::Model, crate::jobs::Job), sea_orm::DbErr> {
    let report_id = Uuid::now_v7();
    let job_run = crate::runs::create(db, scope, KIND, &report_id.to_string()).await?;
    let saved = report::ActiveModel {
        region_id: Set(scope.region_id),
        id: Set(report_id),
        period_from: Set(from),
        period_to: Set(to),
        status: Set("queued".into()),
        job_run_id: Set(Some(job_run.id)),
        content: Set(None),
        requested_by: Set(Some(requested_by.to_owned())),
        error: Set(None),
        created_at: Set(entities::clock::now()),
        municipality_id: Set(municipality),
        as_of: Set(None),
    }
    .insert(db)
    .await?;
    Ok((
        saved,
        crate::jobs::Job::MonitoringReport {
            region_id: scope.region_id,
            report_id,
            job_run_id: job_run.id,
        },
    ))
}

/// After a permanent failure the report shows it.
pub async fn mark_failed<C: ConnectionTrait>(
    db: &C,
    job: &crate::jobs::Job,
    message: &str,
) -> Result<(), JobError> {
    let crate::jobs::Job::MonitoringReport {
        region_id,
        report_id,
        ..
    } = job
    else {
        return Ok(());
    };
    if let Some(found) =
        report::Entity::find_scoped(db, &RegionScope::new(*region_id), *report_id).await?
    {
        let mut model: report::ActiveModel = found.into();
        model.status = Set("failed".into());
        model.error = Set(Some(message.to_owned()));
        model.update(db).await?;
    }
    Ok(())
}
