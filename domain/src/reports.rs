//! The monitoring report job: gathers the period's rollups of approved
//! declarations (and of the task budgets' paid instalments and the task
//! lots' clients, which the funding run adds), allocations, contracts and
//! ceilings, builds the tables
//! (`entities::report::build`) and stores them on the report row.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use entities::{
    contract_life::last_day,
    policy::{kinds, PolicyRules},
    report::{
        build, cut_off, distinct_clients_in, touched_months, trend_start, AllocationInfo,
        CeilingInfo, ClientMonths, ContractInfo, FrameworkInfo, GroupInfo, InForce, LaterLine,
        MarketRules, MunicipalityInfo, ProductInfo, ReportInput, SpendInfo, REFERRER_CODES,
    },
    rollup::{month_bit, month_of, split_period, PeriodCells},
    schema::{
        allocation, allocation_intensive_episode as episode, budget_ceiling, budget_framework,
        compliance_check, contract, contract_municipality, contract_product_group, declared_client,
        group_spend_rollup, location_place, monitoring_report as report, municipality,
        municipality_population as population, product, product_group, provider, provider_location,
        referrer_spend_rollup, spend_rollup, yearly_spend_rollup,
    },
    steering::{
        care_overlaps,
        places::{self, PlacePeriod, Stay},
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

mod recorded_after;
use recorded_after::{later_lines, made_by, rewound_at, standing_at, LATE_BY_ID};

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
        .column_as(Expr::cust("CAST(SUM(line_count) AS BIGINT)"), "lines")
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
/// so they run side by side on the pool, the largest reads first. With a
/// cut-off (`as_of`) only what was recorded by then counts
/// ([`entities::report::cut_off`]).
async fn gather(
    db: &DatabaseConnection,
    scope: &RegionScope,
    (from, to): (NaiveDate, NaiveDate),
    municipality: Option<Uuid>,
    as_of: Option<DateTime<Utc>>,
) -> Result<ReportInput, JobError> {
    let late: Vec<Uuid> = match as_of {
        Some(at) => {
            allocation::Entity::scoped(scope)
                .select_only()
                .column(allocation::Column::Id)
                .filter(allocation::Column::CreatedAt.gt(at))
                .limit(LATE_BY_ID as u64 + 1)
                .into_tuple::<Uuid>()
                .all(db)
                .await?
        }
        None => vec![],
    };
    // Allocations made by the cut-off but changed after it: left out of the
    // queries below and added as they stood at the cut-off.
    let rewound = match as_of {
        Some(at) if late.len() < LATE_BY_ID => {
            rewound_at(db, scope, at, municipality, LATE_BY_ID - late.len()).await?
        }
        _ => vec![],
    };
    let rewound_clients: Vec<i64> = rewound.iter().map(|(m, _)| m.client_number).collect();
    let left_out: Vec<Uuid> = late
        .iter()
        .copied()
        .chain(rewound.iter().map(|(m, _)| m.id))
        .collect();
    let made_by = made_by(as_of, &left_out);
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
    // In force at some point in the period (and made by the cut-off).
    let overlaps = Condition::all()
        .add(made_by.clone())
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
        .filter(
            Condition::any()
                .add(allocation::Column::ClientNumber.in_subquery(movers))
                // The rewound allocations may move too.
                .add_option(
                    (!rewound_clients.is_empty())
                        .then(|| allocation::Column::ClientNumber.is_in(rewound_clients.clone())),
                ),
        )
        .filter(moving_in_period.not())
        .filter(made_by.clone())
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
            Some(query) => rows::<(Uuid, Uuid, Uuid, i64, i64)>(db, query).await,
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
    // The sections of issue 28. Spend per referrer from its rollup cells.
    let referrer_spend_query = referrer_spend_rollup::Entity::scoped(scope)
        .select_only()
        .column(referrer_spend_rollup::Column::ProductGroupId)
        .column(referrer_spend_rollup::Column::Referrer)
        .column_as(Expr::cust("CAST(SUM(amount_cents) AS BIGINT)"), "amount")
        .filter(referrer_spend_rollup::Column::Month.between(month_of(from), to))
        .apply_if(municipality, |q, m| {
            q.filter(referrer_spend_rollup::Column::MunicipalityId.eq(m))
        })
        .group_by(referrer_spend_rollup::Column::ProductGroupId)
        .group_by(referrer_spend_rollup::Column::Referrer)
        .into_tuple::<(Uuid, String, i64)>();
    // The allocations in force in the period: counted per municipality,
    // and read for the clients per referrer and stacked care, in one read
    // of the covering index of migration 26 through sqlx. The binary read
    // takes numbers, dates and ids, so the referrer (COD327's number, 0 for
    // none) and the removal (0 or 1) come as one number: 2 × referrer +
    // removed.
    let referrer_number = format!(
        "2 * CASE referrer {} ELSE 0 END + CASE WHEN removed_at IS NULL THEN 0 ELSE 1 END",
        REFERRER_CODES
            .iter()
            .map(|code| format!("WHEN '{code}' THEN {}", code.trim_start_matches('0')))
            .collect::<Vec<_>>()
            .join(" ")
    );
    // The database counts what the tables need of every allocation in
    // force: per municipality, and distinct clients per group and
    // referrer. Only the clients with two or more allocations in force are
    // read (stacked care), all of them when allocations changed after the
    // cut-off must be merged in as they stood.
    let active_query = allocation::Entity::scoped(scope)
        .select_only()
        .column(allocation::Column::MunicipalityId)
        .column_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "n")
        .filter(overlaps.clone())
        .group_by(allocation::Column::MunicipalityId)
        .into_tuple::<(Uuid, i64)>();
    let to_product: sea_orm::RelationDef =
        <allocation::Entity as sea_orm::EntityTrait>::belongs_to(product::Entity)
            .from((allocation::Column::RegionId, allocation::Column::ProductId))
            .to((product::Column::RegionId, product::Column::Id))
            .into();
    // A literal, not a bound value: PostgreSQL matches the GROUP BY to the
    // selected expression by its text, and two placeholders differ.
    let referrer_code = Expr::cust("COALESCE(allocations.referrer, '')");
    let referrer_clients_query = allocation::Entity::scoped(scope)
        .select_only()
        .join(sea_orm::JoinType::InnerJoin, to_product)
        .column(product::Column::ProductGroupId)
        .column_as(referrer_code.clone(), "referrer")
        .column_as(
            Expr::cust("CAST(COUNT(DISTINCT allocations.client_number) AS BIGINT)"),
            "clients",
        )
        .filter(overlaps.clone())
        .group_by(product::Column::ProductGroupId)
        .group_by(referrer_code)
        .into_tuple::<(Uuid, String, i64)>();
    let several = allocation::Entity::scoped(scope)
        .select_only()
        .column(allocation::Column::ClientNumber)
        .filter(overlaps.clone())
        .filter(allocation::Column::RemovedAt.is_null())
        .group_by(allocation::Column::ClientNumber)
        .having(Expr::cust("COUNT(*) > 1"))
        .into_query();
    let in_force_query = allocation::Entity::scoped(scope)
        .select_only()
        .column(allocation::Column::ClientNumber)
        .column(allocation::Column::ProductId)
        .column(allocation::Column::ProviderId)
        .column(allocation::Column::MunicipalityId)
        .expr(Expr::cust(referrer_number))
        .column(allocation::Column::StartDate)
        .column(allocation::Column::EndDate)
        .filter(overlaps.clone())
        .apply_if(rewound.is_empty().then_some(several), |q, several| {
            q.filter(allocation::Column::ClientNumber.in_subquery(several))
        })
        .into_query();
    // Places: the locations (of the municipality, for its report), their
    // places, and the allocations at them (through the location index).
    let locations = provider_location::Entity::scoped(scope)
        .select_only()
        .column(provider_location::Column::Id)
        .apply_if(municipality, |q, m| {
            q.filter(provider_location::Column::MunicipalityId.eq(m))
        })
        .into_query();
    let places_query = location_place::Entity::scoped(scope)
        .filter(location_place::Column::LocationId.in_subquery(locations.clone()))
        .filter(location_place::Column::ValidFrom.lte(to))
        .filter(
            Condition::any()
                .add(location_place::Column::ValidTo.is_null())
                .add(location_place::Column::ValidTo.gte(from)),
        );
    let stays_query = allocation::Entity::scoped(scope)
        .select_only()
        .column(allocation::Column::LocationId)
        .column(allocation::Column::ProductId)
        .column(allocation::Column::StartDate)
        .column(allocation::Column::EndDate)
        .column(allocation::Column::StoppedOn)
        .column(allocation::Column::CareEndedOn)
        .column(allocation::Column::RemovedAt)
        .filter(allocation::Column::LocationId.in_subquery(locations))
        .filter(made_by.clone())
        .filter(allocation::Column::StartDate.lte(to))
        .filter(
            Condition::any()
                .add(allocation::Column::EndDate.is_null())
                .add(allocation::Column::EndDate.gte(from)),
        )
        .into_tuple::<(
            Uuid,
            Uuid,
            NaiveDate,
            Option<NaiveDate>,
            Option<NaiveDate>,
            Option<NaiveDate>,
            Option<DateTime<Utc>>,
        )>();
    // The cut-off: the lines recorded after it, from the first year the
    // report reads clients' months to its end.
    let later_from = NaiveDate::from_ymd_opt(clients_from.year(), 1, 1).unwrap_or(clients_from);
    let later_query = async {
        match as_of {
            Some(at) => later_lines(db, scope, at, municipality, (later_from, to)).await,
            None => Ok(vec![]),
        }
    };
    // In four groups: the large reads, first so that they get connections
    // first; the names; the period's other facts; issue 28's sections and
    // the cut-off.
    // The locations, for the rewound allocations at one.
    let location_ids = provider_location::Entity::scoped(scope)
        .select_only()
        .column(provider_location::Column::Id)
        .apply_if(municipality, |q, m| {
            q.filter(provider_location::Column::MunicipalityId.eq(m))
        })
        .into_tuple::<Uuid>();
    let rewound_locations = async {
        match rewound.iter().any(|(m, _)| m.location_id.is_some()) {
            true => location_ids.all(db).await,
            false => Ok(vec![]),
        }
    };
    let (
        (client_months, moving, neighbours, (yearly, monthly), spend_by_month),
        (providers, products, groups_all, inhabitants, municipalities_all, contract_links),
        (contracts, episodes, ceilings, compliance, market, frameworks),
        (
            referrer_spend,
            active,
            referrer_clients,
            in_force,
            place_periods,
            stays,
            later,
            rewound_locations,
        ),
    ) = tokio::try_join!(
        async {
            tokio::try_join!(
                rows::<ClientMonths>(db, client_months_query),
                rows::<Moving>(db, moving_query),
                rows::<Neighbour>(db, neighbours_query),
                async { tokio::try_join!(spend_cells(yearly_query), spend_cells(monthly_query)) },
                spend_by_month_query.all(db),
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
        async {
            tokio::try_join!(
                referrer_spend_query.all(db),
                active_query.all(db),
                referrer_clients_query.all(db),
                rows::<(i64, Uuid, Uuid, Uuid, i32, NaiveDate, Option<NaiveDate>)>(
                    db,
                    in_force_query
                ),
                places_query.all(db),
                stays_query.all(db),
                later_query,
                rewound_locations,
            )
        },
    )?;

    let agb: HashMap<Uuid, String> = providers.into_iter().map(|p| (p.id, p.agb_code)).collect();
    let products: HashMap<Uuid, product::Model> = products.into_iter().map(|p| (p.id, p)).collect();
    // The rewound allocations as they stood at the cut-off, in each read.
    let in_period =
        |start: NaiveDate, end: Option<NaiveDate>| start <= to && end.is_none_or(|end| end >= from);
    let before = month_of(from).pred_opt().map(month_of).unwrap_or(from);
    let after = to.checked_add_months(chrono::Months::new(1)).unwrap_or(to);
    let group_of = |product: Uuid| products.get(&product).map(|p| p.product_group_id);
    let mut active: HashMap<Uuid, usize> = active
        .into_iter()
        .map(|(municipality, n)| (municipality, n as usize))
        .collect();
    let mut in_force: Vec<InForce> = in_force
        .into_iter()
        .filter_map(
            |(client, product, provider, _municipality, code, start, end)| {
                let referrer = code / 2;
                Some(InForce {
                    client,
                    product_group_id: group_of(product)?,
                    product_id: product,
                    provider_id: provider,
                    referrer: (referrer > 0).then(|| format!("{referrer:02}")),
                    start,
                    end,
                    removed: code % 2 == 1,
                })
            },
        )
        .collect();
    let mut extra_moving: Vec<Moving> = Vec::new();
    let mut extra_stays = Vec::new();
    let mut rewound_episodes: HashMap<Uuid, Vec<(NaiveDate, NaiveDate)>> = HashMap::new();
    for (m, r) in &rewound {
        let within = |d: Option<NaiveDate>| d.is_some_and(|d| from <= d && d <= to);
        let moves = within(Some(m.start_date))
            || within(r.end_date)
            || within(r.care_started_on)
            || r.episodes.iter().any(|(f, t)| *f <= to && *t >= from);
        let near = m.start_date <= after && r.end_date.is_none_or(|end| end >= before);
        if (in_period(m.start_date, r.end_date) && moves) || (near && !r.removed) {
            extra_moving.push((
                m.id,
                m.client_number,
                m.provider_id,
                m.product_id,
                m.municipality_id,
                m.start_date,
                r.end_date,
                if moves { r.care_started_on } else { None },
                m.created_at.date_naive(),
            ));
            rewound_episodes.insert(m.id, r.episodes.clone());
        }
        if !in_period(m.start_date, r.end_date) {
            continue;
        }
        *active.entry(m.municipality_id).or_default() += 1;
        if let Some(group) = group_of(m.product_id) {
            in_force.push(InForce {
                client: m.client_number,
                product_group_id: group,
                product_id: m.product_id,
                provider_id: m.provider_id,
                referrer: m.referrer.clone(),
                start: m.start_date,
                end: care_overlaps::last_day(r.end_date, r.stopped_on),
                removed: r.removed,
            });
        }
        if let Some(location) = m.location_id.filter(|l| rewound_locations.contains(l)) {
            if let Some((from, to)) = places::stay(
                m.start_date,
                r.end_date,
                r.stopped_on,
                r.care_ended_on,
                r.removed,
            ) {
                extra_stays.push(Stay {
                    location,
                    product: m.product_id,
                    from,
                    to,
                });
            }
        }
    }
    let place_periods = place_periods
        .into_iter()
        .map(|p| PlacePeriod {
            location: p.location_id,
            product: p.product_id,
            places: i64::from(p.places),
            from: p.valid_from,
            to: p.valid_to,
        })
        .collect();
    let stays = stays
        .into_iter()
        .filter_map(
            |(location, product, start, end, stopped, care_ended, removed)| {
                let (from, to) = places::stay(start, end, stopped, care_ended, removed.is_some())?;
                Some(Stay {
                    location,
                    product,
                    from,
                    to,
                })
            },
        )
        .chain(extra_stays)
        .collect();
    let referrer = |code: String| (!code.is_empty()).then_some(code);
    let referrer_spend = referrer_spend
        .into_iter()
        .map(|(group, code, cents)| (group, referrer(code), cents))
        .collect();
    // With allocations rewound to the cut-off, every allocation in force was
    // read and the clients are counted here, the rewound ones among them.
    let referrer_clients = if rewound.is_empty() {
        referrer_clients
            .into_iter()
            .map(|(group, code, n)| (group, referrer(code), n as usize))
            .collect()
    } else {
        entities::report::referrer_clients(&in_force)
    };
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
    // A rewound allocation's episodes are those it had at the cut-off.
    episodes_of.extend(rewound_episodes);

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
        .chain(extra_moving)
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
    let mut spend: HashMap<(Uuid, Uuid, Uuid), (i64, i64)> = HashMap::new();
    for (group, municipality, provider, amount, lines) in yearly.into_iter().chain(monthly) {
        let cell = spend.entry((group, municipality, provider)).or_default();
        cell.0 += amount;
        cell.1 += lines;
    }
    let spend = spend
        .into_iter()
        .map(
            |((group, municipality, provider), (amount, lines))| SpendInfo {
                provider_agb: agb.get(&provider).cloned().unwrap_or_default(),
                product_group_id: group,
                municipality_id: municipality,
                amount_cents: amount,
                line_count: lines,
            },
        )
        .collect();
    let later: Vec<LaterLine> = later
        .into_iter()
        .map(
            |(period_start, group, municipality, provider, client, referrer, cents, minutes)| {
                LaterLine {
                    period_start,
                    product_group_id: group,
                    municipality_id: municipality,
                    provider_agb: agb.get(&provider).cloned().unwrap_or_default(),
                    client,
                    referrer,
                    amount_cents: cents,
                    minutes,
                }
            },
        )
        .collect();
    // The clients' months the later lines touched, as they stood at the
    // cut-off (read for those few clients only).
    let standing = match as_of {
        Some(at) if !later.is_empty() => {
            let touched = touched_months(&later);
            let mut clients: Vec<i64> = touched.keys().map(|k| k.1).collect();
            clients.sort_unstable();
            clients.dedup();
            let years = touched.keys().map(|k| k.0);
            let span = (years.clone().min().unwrap_or(0), years.max().unwrap_or(0));
            standing_at(db, scope, at, &clients, span).await?
        }
        _ => vec![],
    };
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
    let products = products
        .values()
        .map(|p| ProductInfo {
            id: p.id,
            code: p.code.clone(),
            name: p.name.clone(),
        })
        .collect();
    let mut input = ReportInput {
        from,
        to,
        groups,
        municipalities,
        contracts,
        spend,
        clients_per_group,
        clients_per_municipality,
        active_per_municipality: active,
        allocations,
        ceilings,
        compliance,
        market,
        frameworks,
        spend_by_month,
        client_months,
        products,
        referrer_spend,
        place_periods,
        stays,
        in_force,
        referrer_clients,
    };
    cut_off(&mut input, &later, &standing);
    Ok(input)
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
    let input = gather(db, &scope, period, found.municipality_id, found.as_of).await?;
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

/// Opens a report for `[from, to]` with its queued job, cut off at the
/// moment it is opened (the monthly schedule's).
pub async fn open_report<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    period: (NaiveDate, NaiveDate),
    municipality: Option<Uuid>,
    requested_by: &str,
) -> Result<(report::Model, crate::jobs::Job), sea_orm::DbErr> {
    let now = entities::clock::now();
    open_report_at(db, scope, period, municipality, requested_by, now).await
}

/// Opens a report for `[from, to]` with its queued job; only what was
/// recorded by `as_of` counts in it.
pub async fn open_report_at<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    (from, to): (NaiveDate, NaiveDate),
    municipality: Option<Uuid>,
    requested_by: &str,
    as_of: DateTime<Utc>,
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
        as_of: Set(Some(as_of)),
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
