//! Youth turning 18 (`entities::steering::turning_18`): the Jeugdwet
//! allocations in force whose client turns 18 within the horizon, and
//! whether a Wmo allocation follows. The birth date is read from the client
//! vault here and never leaves: the answer names only the month.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use entities::{
    enums::Law,
    schema::{allocation, product_group},
    steering::{
        care_overlaps::last_day,
        turning_18::{self as rules, Standing, YearMonth},
    },
    RegionScope, TenantEntity,
};
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use uuid::Uuid;

use super::Names;
use crate::{error::DomainResult, parties::Party, vault::DataKeys};

/// The horizon's bounds in months, and its default (the Contractstandaard's
/// warm handover 1.5 years before 18).
pub const HORIZON: std::ops::RangeInclusive<i64> = 1..=60;
pub const DEFAULT_HORIZON: i64 = 18;

/// Rows read per `IN (…)`.
const CHUNK: usize = 500;

/// A Jeugdwet allocation whose client turns 18 within the horizon.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    pub allocation_number: i64,
    /// `YYYY-MM`: the month the client turns 18 (never the day).
    pub turns_18_in: String,
    /// Months from asOf's month (0 = the month of asOf).
    pub months_left: i64,
    pub municipality_cbs: String,
    pub municipality_name: String,
    pub provider_agb: String,
    pub provider_name: String,
    pub product_code: String,
    pub product_name: String,
    pub product_group_code: String,
    pub product_group_name: String,
    /// The allocation's last day (its end date, or the stop when earlier).
    pub end_date: Option<NaiveDate>,
    /// A Wmo allocation of the client follows (`rules::wmo_follows`).
    pub wmo_follows: bool,
}

/// The listing and its counts.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Turning18 {
    pub as_of: NaiveDate,
    pub horizon_months: i64,
    pub allocations: Vec<Row>,
    pub totals: Totals,
}

/// Counts of clients (not allocations) in the party's Jeugdwet allocations
/// in force.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    /// Listed allocations.
    pub allocations: usize,
    /// Clients turning 18 within the horizon.
    pub clients: usize,
    /// … of whom no Wmo allocation follows yet.
    pub without_wmo: usize,
    /// Clients whose birth date the vault does not hold: not listed.
    pub without_birth_date: usize,
    /// Clients who turned 18 before asOf's month and still have youth care.
    pub past_eighteen: usize,
}

/// The party's Jeugdwet allocations in force on `as_of` (not removed,
/// started, not ended or stopped before it) whose client turns 18 in
/// month 0 to `horizon` from `as_of`'s month.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    party: &Party,
    keys: &DataKeys,
    as_of: NaiveDate,
    horizon: i64,
) -> DomainResult<Turning18> {
    let names = Names::load(db, scope).await?;
    let laws: HashMap<Uuid, Law> = product_group::Entity::scoped(scope)
        .all(db)
        .await?
        .into_iter()
        .map(|g| (g.id, g.law))
        .collect();
    let products_of_law = |law: Law| -> Vec<Uuid> {
        names
            .products
            .iter()
            .filter(|(_, (_, group))| laws.get(group) == Some(&law))
            .map(|(id, _)| *id)
            .collect()
    };
    // As the waiting list reads them: recorded by the end of `as_of`, not
    // removed by then.
    let recorded_by = super::end_of(as_of);
    let youth = allocation::Entity::scoped(scope)
        .filter(allocation::Column::CreatedAt.lt(recorded_by))
        .filter(
            sea_orm::Condition::any()
                .add(allocation::Column::RemovedAt.is_null())
                .add(allocation::Column::RemovedAt.gte(recorded_by)),
        )
        .filter(allocation::Column::StartDate.lte(as_of))
        .filter(super::open_or(allocation::Column::EndDate, as_of))
        .filter(super::open_or(allocation::Column::StoppedOn, as_of))
        .filter(allocation::Column::ProductId.is_in(products_of_law(Law::Jeugdwet)))
        .filter(party.allocations())
        .order_by_asc(allocation::Column::AllocationNumber)
        .all(db)
        .await?;
    let clients: Vec<&str> = unique(youth.iter().map(|a| a.client_key.as_str()));
    let births = birth_dates(db, scope, keys, &clients).await?;

    let mut standing: HashMap<&str, Standing> = HashMap::new();
    let mut without_birth_date = 0;
    let mut past_eighteen = 0;
    for client in &clients {
        match births.get(*client) {
            None => without_birth_date += 1,
            Some(birth) => {
                let s = rules::standing(*birth, as_of, horizon);
                if s == Standing::PastEighteen {
                    past_eighteen += 1;
                }
                standing.insert(client, s);
            }
        }
    }
    let turning: Vec<&str> = clients
        .iter()
        .copied()
        .filter(|c| matches!(standing.get(c), Some(Standing::Within { .. })))
        .collect();
    let wmo = wmo_allocations(db, scope, &turning, products_of_law(Law::Wmo)).await?;

    let mut rows = Vec::new();
    let mut follows: HashMap<&str, bool> = HashMap::new();
    for a in &youth {
        let Some(&Standing::Within { month, months_left }) = standing.get(a.client_key.as_str())
        else {
            continue;
        };
        let wmo_follows = *follows
            .entry(a.client_key.as_str())
            .or_insert_with(|| follows_on(month, wmo.get(a.client_key.as_str())));
        let (product, group_id) = names
            .products
            .get(&a.product_id)
            .cloned()
            .unwrap_or_default();
        let group = names.group(group_id);
        let municipality = names.municipality(a.municipality_id);
        let provider = names.provider(a.provider_id);
        rows.push(Row {
            allocation_number: a.allocation_number,
            turns_18_in: month.to_string(),
            months_left,
            municipality_cbs: municipality.code,
            municipality_name: municipality.name,
            provider_agb: provider.code,
            provider_name: provider.name,
            product_code: product.code,
            product_name: product.name,
            product_group_code: group.code,
            product_group_name: group.name,
            end_date: last_day(a.end_date, a.stopped_on),
            wmo_follows,
        });
    }
    rows.sort_by(|a, b| {
        (a.months_left, a.allocation_number).cmp(&(b.months_left, b.allocation_number))
    });
    Ok(Turning18 {
        as_of,
        horizon_months: horizon,
        totals: Totals {
            allocations: rows.len(),
            clients: turning.len(),
            without_wmo: follows.values().filter(|f| !**f).count(),
            without_birth_date,
            past_eighteen,
        },
        allocations: rows,
    })
}

fn follows_on(month: YearMonth, wmo: Option<&Vec<(NaiveDate, Option<NaiveDate>)>>) -> bool {
    wmo.is_some_and(|periods| rules::wmo_follows(month, periods))
}

fn unique<'a>(keys: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut seen = HashSet::new();
    keys.filter(|k| seen.insert(*k)).collect()
}

/// The birth dates the vault holds for `clients`, opened here: they never
/// leave this module.
async fn birth_dates<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    keys: &DataKeys,
    clients: &[&str],
) -> DomainResult<HashMap<String, NaiveDate>> {
    Ok(crate::vault::find_many(db, scope, keys, clients)
        .await?
        .into_iter()
        .filter_map(|(client, identity)| Some((client, identity.birth_date?)))
        .collect())
}

/// The Wmo allocations (start, last day) of `clients`, whichever party
/// holds them: whether care follows is the client's, not the party's.
async fn wmo_allocations<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    clients: &[&str],
    wmo_products: Vec<Uuid>,
) -> DomainResult<HashMap<String, Vec<(NaiveDate, Option<NaiveDate>)>>> {
    let mut periods: HashMap<String, Vec<(NaiveDate, Option<NaiveDate>)>> = HashMap::new();
    if wmo_products.is_empty() {
        return Ok(periods);
    }
    for chunk in clients.chunks(CHUNK) {
        let numbers: Vec<i64> = chunk
            .iter()
            .map(|c| entities::client_number::client_number(c))
            .collect();
        let rows = allocation::Entity::scoped(scope)
            .filter(allocation::Column::ClientNumber.is_in(numbers))
            .filter(allocation::Column::ClientKey.is_in(chunk.iter().copied()))
            .filter(allocation::Column::RemovedAt.is_null())
            .filter(allocation::Column::ProductId.is_in(wmo_products.clone()))
            .all(db)
            .await?;
        for a in rows {
            periods
                .entry(a.client_key)
                .or_default()
                .push((a.start_date, last_day(a.end_date, a.stopped_on)));
        }
    }
    Ok(periods)
}
