//! The regional monitor (seed 002 Table 1, seed 004 §11): per product group
//! the approved amount, providers, clients and market concentration; per
//! municipality spend per inhabitant; in-, out- and throughflow; budget
//! ceilings, temporary intensive and contracts ending. Shares are exact
//! decimals, rounded only when shown (`display_percent`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

// The maps keyed by client use rustc's fast hash: the keys are client
// numbers (bits of an HMAC), not chosen by whoever could flood a table.
use rustc_hash::{FxHashMap, FxHashSet};

use chrono::{Months, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;
use uuid::Uuid;

use crate::money::cents_to_euros;
use crate::steering::{
    care_overlaps::{pairs, Held, Stacking},
    places::{monthly, months, PlacePeriod, Stay},
};

/// A percentage for display: two decimals, half away from zero.
pub fn display_percent(share: Decimal) -> Decimal {
    (share * Decimal::ONE_HUNDRED).round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// The exact share of the `n` largest amounts in the total; `None` (n/a)
/// when no more than `n` providers have an amount (seed 002 Table 1: a
/// group of 3 providers shows no top-3 share, it would always be 100%).
pub fn top_share(amounts: &[i64], n: usize) -> Option<Decimal> {
    let mut sorted: Vec<i64> = amounts.iter().copied().filter(|a| *a > 0).collect();
    if sorted.len() <= n {
        return None;
    }
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    let total: i64 = sorted.iter().sum();
    let top: i64 = sorted.iter().take(n).sum();
    (total > 0).then(|| Decimal::from(top) / Decimal::from(total))
}

/// Why a market share is not shown ("n.v.t." in seed 002 Table 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NotApplicable {
    /// The group is left out of the market figures (e.g. nationally
    /// procured care, "Landelijk ingekochte zorg").
    ExcludedGroup,
    /// The group has fewer clients than the policy's minimum.
    FewClients,
    /// No more providers with approved spend than the share's top.
    FewProviders,
}

/// The region's `market-concentration` policy, as the report applies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarketRules {
    pub min_clients: usize,
    pub excluded_groups: BTreeSet<Uuid>,
}

impl Default for MarketRules {
    /// Seed 002's pattern: 50 clients, no group excluded.
    fn default() -> Self {
        Self {
            min_clients: 50,
            excluded_groups: BTreeSet::new(),
        }
    }
}

/// The top-`n` share of a group as Table 1 shows it, or why it is n/a:
/// an excluded group first, then too few clients, then too few providers.
pub fn market_share(
    amounts: &[i64],
    n: usize,
    (group, clients): (Uuid, usize),
    rules: &MarketRules,
) -> Result<Decimal, NotApplicable> {
    if rules.excluded_groups.contains(&group) {
        return Err(NotApplicable::ExcludedGroup);
    }
    if clients < rules.min_clients {
        return Err(NotApplicable::FewClients);
    }
    top_share(amounts, n).ok_or(NotApplicable::FewProviders)
}

/// The median of sorted values: the middle one, or the mean of the two
/// middle ones (half a day when they differ by an odd number).
pub fn median(sorted: &[i64]) -> Option<Decimal> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(Decimal::from(sorted[n / 2])),
        _ => Some(Decimal::from(sorted[n / 2 - 1] + sorted[n / 2]) / Decimal::TWO),
    }
}

/// The nearest-rank percentile of sorted values: the smallest value with at
/// least `percent`% of the values at or below it (p90 of 10 values: the 9th).
pub fn percentile(sorted: &[i64], percent: usize) -> Option<i64> {
    let rank = (sorted.len() * percent).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

/// The mean, 2 decimals, half away from zero.
pub fn mean(values: &[i64]) -> Option<Decimal> {
    (!values.is_empty()).then(|| {
        (Decimal::from(values.iter().sum::<i64>()) / Decimal::from(values.len()))
            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
    })
}

/// The start of care: the one the provider reported, else the allocation's start.
pub fn care_start(a: &AllocationInfo) -> NaiveDate {
    a.care_started_on.unwrap_or(a.start_date)
}

/// Days from the allocation to the start of care: the start the provider
/// reported (305); 0 when care started before the allocation was recorded
/// (a late registration, also when its start lies before the day it was
/// recorded and no 305 came). `None` when neither tells: the client may
/// still be waiting (the waiting list shows who waits now), and the
/// allocation's own start would count a wait that has not ended as none.
pub fn waiting_days(a: &AllocationInfo) -> Option<i64> {
    match a.care_started_on {
        Some(started) => Some((started - a.allocated_on).num_days().max(0)),
        None if a.start_date < a.allocated_on => Some(0),
        None => None,
    }
}

pub struct GroupInfo {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub law: String,
}

pub struct MunicipalityInfo {
    pub id: Uuid,
    pub cbs_code: String,
    pub name: String,
    /// Inhabitants in the period's year.
    pub inhabitants: Option<i64>,
}

/// A contract in force in the period.
pub struct ContractInfo {
    pub id: Uuid,
    pub provider_agb: String,
    pub product_groups: Vec<Uuid>,
    /// The current end date, or the termination date.
    pub ends_on: NaiveDate,
}

/// Approved amount in the period for one provider, product group and
/// municipality (a sum of rollup cells).
pub struct SpendInfo {
    pub provider_agb: String,
    pub product_group_id: Uuid,
    pub municipality_id: Uuid,
    pub amount_cents: i64,
    /// The approved lines summed in it (a task instalment counts none).
    pub line_count: i64,
}

pub struct AllocationInfo {
    pub client: ClientId,
    pub provider_agb: String,
    pub product_code: String,
    pub product_group_id: Uuid,
    pub municipality_id: Uuid,
    /// The day the allocation was made (recorded).
    pub allocated_on: NaiveDate,
    /// The start of care the provider reported (305), if any.
    pub care_started_on: Option<NaiveDate>,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    /// Temporary-intensive episodes (from, to).
    pub episodes: Vec<(NaiveDate, NaiveDate)>,
}

pub struct CeilingInfo {
    /// `None` for a ceiling over every provider in its group or municipality.
    pub provider_agb: Option<String>,
    pub product_group_code: Option<String>,
    pub municipality_cbs: Option<String>,
    pub year: i32,
    pub amount_cents: i64,
    pub spent_cents: i64,
}

pub struct ReportInput {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub groups: Vec<GroupInfo>,
    pub municipalities: Vec<MunicipalityInfo>,
    pub contracts: Vec<ContractInfo>,
    pub spend: Vec<SpendInfo>,
    /// Distinct clients with an approved line in the period, per product group.
    pub clients_per_group: HashMap<Uuid, usize>,
    /// The same per municipality.
    pub clients_per_municipality: HashMap<Uuid, usize>,
    /// Allocations in force at some point in the period, per municipality.
    pub active_per_municipality: HashMap<Uuid, usize>,
    /// Allocations that start or end in the period, or have temporary
    /// intensive in it (flows and the intensive table).
    pub allocations: Vec<AllocationInfo>,
    pub ceilings: Vec<CeilingInfo>,
    /// The compliance register: every check, with its provider's AGB.
    pub compliance: Vec<(String, crate::schema::compliance_check::Model)>,
    /// When a market share is n/a.
    pub market: MarketRules,
    /// Budget frameworks of the period's years.
    pub frameworks: Vec<FrameworkInfo>,
    /// Approved spend and time per month (its first day) and product
    /// group over the [`TREND_MONTHS`] months up to the period's end:
    /// (month, group, cents, minutes).
    pub spend_by_month: Vec<(NaiveDate, Uuid, i64, i64)>,
    /// `declared_clients` rows from the month before the trends' first (or
    /// the period's start, if earlier) to the period's end: (year, client,
    /// product group, municipality, months mask).
    pub client_months: Vec<ClientMonths>,
    /// The products (the places series names them).
    pub products: Vec<ProductInfo>,
    /// Approved spend in the period per product group and referrer (COD327;
    /// `None`: not known), from the referrer rollups.
    pub referrer_spend: Vec<(Uuid, Option<String>, i64)>,
    /// The places of the locations (of the municipality, for its report).
    pub place_periods: Vec<PlacePeriod<Uuid>>,
    /// The allocations at those locations, as the days they occupy a place.
    pub stays: Vec<Stay<Uuid>>,
    /// The allocations in force at some point in the period of the clients
    /// that may have stacked care (two or more of them).
    pub in_force: Vec<InForce>,
    /// Distinct clients with an allocation in force in the period, per
    /// product group and referrer (counted by the database, or by
    /// [`referrer_clients`] over all allocations in force).
    pub referrer_clients: Vec<(Uuid, Option<String>, usize)>,
}

/// An allocation in force in the period, as the referrer and stacked-care
/// tables read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InForce {
    pub client: ClientId,
    pub product_group_id: Uuid,
    pub product_id: Uuid,
    pub provider_id: Uuid,
    /// COD327; `None` when not known.
    pub referrer: Option<String>,
    pub start: NaiveDate,
    /// Its last day (a stop sets the end date); `None` runs on.
    pub end: Option<NaiveDate>,
    pub removed: bool,
}

/// A product, for the tables that name one.
pub struct ProductInfo {
    pub id: Uuid,
    pub code: String,
    pub name: String,
}

/// A `declared_clients` row: (year, client, product group, municipality,
/// months mask with bit 0 = January).
pub type ClientMonths = (i32, ClientId, Uuid, Uuid, i32);

/// A client as the report counts it: its number (`crate::client_number`),
/// as stored on the allocations and the rollups.
pub type ClientId = i64;

/// The distinct clients with an approved line in the period's months, per
/// product group and per municipality (a client counts once in each).
pub fn distinct_clients_in(
    rows: &[ClientMonths],
    (from, to): (NaiveDate, NaiveDate),
) -> (HashMap<Uuid, usize>, HashMap<Uuid, usize>) {
    let mut groups: HashMap<Uuid, FxHashSet<ClientId>> = HashMap::new();
    let mut municipalities: HashMap<Uuid, FxHashSet<ClientId>> = HashMap::new();
    let mut masks: HashMap<i32, i32> = HashMap::new();
    for (year, client, group, municipality, mask) in rows {
        let period = *masks
            .entry(*year)
            .or_insert_with(|| crate::rollup::period_mask(*year, from, to));
        if mask & period != 0 {
            groups.entry(*group).or_default().insert(*client);
            municipalities
                .entry(*municipality)
                .or_default()
                .insert(*client);
        }
    }
    let count = |sets: HashMap<Uuid, FxHashSet<ClientId>>| {
        sets.into_iter().map(|(id, set)| (id, set.len())).collect()
    };
    (count(groups), count(municipalities))
}

/// How far back the trends look, in months (the period's last month included).
pub const TREND_MONTHS: u32 = 24;

/// The first month of the trends ending with `to`'s month.
pub fn trend_start(to: NaiveDate) -> NaiveDate {
    use chrono::Datelike;
    let first = NaiveDate::from_ymd_opt(to.year(), to.month(), 1).unwrap_or(to);
    first
        .checked_sub_months(Months::new(TREND_MONTHS - 1))
        .unwrap_or(first)
}

/// One month of the trends, from the rollups (approved lines): spend in
/// total and per law, the distinct clients, the flows of clients in and out
/// of a group, and the hours.
#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TrendRow {
    /// `YYYY-MM`.
    pub month: String,
    pub spend: Decimal,
    pub wmo_spend: Decimal,
    pub jeugdwet_spend: Decimal,
    /// Distinct clients with an approved line in the month.
    pub clients: usize,
    /// Clients with approved care in a group this month and none the month
    /// before, summed over the groups.
    pub inflow: usize,
    /// Clients with approved care in a group this month and none the month
    /// after; `null` for the last month, whose next month is not declared yet.
    pub outflow: Option<usize>,
    /// Approved hours (lines of products counted in hours or minutes).
    pub hours: Decimal,
    /// `hours` per client with approved care that month in a group with
    /// hours: the mean hours per client per month. `null` without hours.
    pub hours_per_client: Option<Decimal>,
}

/// The monthly series of the last [`TREND_MONTHS`] months up to the
/// period's end, from the rollups only.
pub fn trends(input: &ReportInput) -> Vec<TrendRow> {
    let law_of: HashMap<Uuid, &str> = input
        .groups
        .iter()
        .map(|g| (g.id, g.law.as_str()))
        .collect();
    let first = month_number(trend_start(input.to));
    let last = month_number(input.to);
    let months = (last - first + 1).max(0) as usize;
    // Bit i of a mask is month `first - 1 + i`: the month before the
    // series is read for the first month's inflow.
    let bit = |m: i32| {
        (first - 1..=last)
            .contains(&m)
            .then(|| 1u32 << (m - first + 1))
    };
    // A rollup row's twelve months in the series' bits.
    let year_bits = |year: i32, mask: i32| {
        (0..12)
            .filter(|month0| mask & (1 << month0) != 0)
            .filter_map(|month0| bit(year * 12 + month0))
            .fold(0u32, |bits, b| bits | b)
    };
    // Months with hours, per group.
    let mut hour_months: HashMap<Uuid, u32> = HashMap::new();
    for (month, group, _, minutes) in &input.spend_by_month {
        if let (true, Some(b)) = (*minutes != 0, bit(month_number(*month))) {
            *hour_months.entry(*group).or_default() |= b;
        }
    }
    // One pass over the rollup rows: the months of each client in each
    // group (a client counted in several municipalities of a group once).
    let mut per_group: FxHashMap<(ClientId, Uuid), u32> = FxHashMap::default();
    for (year, client, group, _, mask) in &input.client_months {
        *per_group.entry((*client, *group)).or_default() |= year_bits(*year, *mask);
    }
    let mut clients = vec![0usize; months];
    let mut hour_clients = vec![0usize; months];
    let mut inflow = vec![0usize; months];
    let mut outflow = vec![0usize; months];
    let mut per_client: FxHashMap<ClientId, (u32, u32)> = FxHashMap::default();
    for ((client, group), mask) in &per_group {
        let entry = per_client.entry(*client).or_default();
        entry.0 |= mask;
        entry.1 |= mask & hour_months.get(group).copied().unwrap_or(0);
        for i in 0..months {
            let (this, before, after) = (mask >> (i + 1) & 1, mask >> i & 1, mask >> (i + 2) & 1);
            inflow[i] += (this == 1 && before == 0) as usize;
            outflow[i] += (this == 1 && after == 0) as usize;
        }
    }
    for (all, with_hours) in per_client.values() {
        for i in 0..months {
            clients[i] += (all >> (i + 1) & 1) as usize;
            hour_clients[i] += (with_hours >> (i + 1) & 1) as usize;
        }
    }
    let mut rows = Vec::new();
    for (i, m) in (first..=last).enumerate() {
        let in_month = || {
            input
                .spend_by_month
                .iter()
                .filter(move |(month, ..)| month_number(*month) == m)
        };
        let spend_in = |law: Option<&str>| {
            cents_to_euros(
                in_month()
                    .filter(|(_, group, ..)| law.is_none_or(|law| law_of.get(group) == Some(&law)))
                    .map(|(_, _, cents, _)| *cents)
                    .sum(),
            )
        };
        // Hours to two decimals, always shown with both ("26.00").
        let mut hours = (Decimal::from(in_month().map(|r| r.3).sum::<i64>()) / Decimal::from(60))
            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        hours.rescale(2);
        rows.push(TrendRow {
            month: month_text(m),
            spend: spend_in(None),
            wmo_spend: spend_in(Some("wmo")),
            jeugdwet_spend: spend_in(Some("jeugdwet")),
            clients: clients[i],
            inflow: inflow[i],
            outflow: (m < last).then_some(outflow[i]),
            hours,
            hours_per_client: (!hours.is_zero() && hour_clients[i] > 0).then(|| {
                (hours / Decimal::from(hour_clients[i]))
                    .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
            }),
        });
    }
    rows
}

/// A municipality's budget framework for one law and year.
pub struct FrameworkInfo {
    pub municipality_id: Uuid,
    /// `wmo` or `jeugdwet`.
    pub law: String,
    pub amount_cents: i64,
}

#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct GroupRow {
    pub law: String,
    pub product_group_code: String,
    pub product_group: String,
    pub approved_amount: Decimal,
    pub contracted_providers: usize,
    pub providers_with_clients: usize,
    pub clients: usize,
    /// Percent, 2 decimals; `null` ("n.v.t.") with the reason beside it.
    pub top3_share: Option<Decimal>,
    pub top3_share_not_applicable: Option<NotApplicable>,
    pub top10_share: Option<Decimal>,
    pub top10_share_not_applicable: Option<NotApplicable>,
}

#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct MunicipalityRow {
    pub cbs_code: String,
    pub municipality: String,
    pub spend: Decimal,
    pub inhabitants: Option<i64>,
    /// Euros per inhabitant, 2 decimals.
    pub spend_per_inhabitant: Option<Decimal>,
    pub clients: usize,
    pub allocations: usize,
    /// Spend per law (seed 002: Wmo 2015 and Jeugdwet apart).
    pub wmo_spend: Decimal,
    pub jeugdwet_spend: Decimal,
    /// The municipality's budget frameworks of the period's years, per law.
    pub wmo_framework: Option<Decimal>,
    pub jeugdwet_framework: Option<Decimal>,
}

/// Days from allocation to the start of care, for the allocations whose
/// care started in the period, per product group, municipality or provider.
#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct WaitingRow {
    /// `product-group`, `municipality` or `provider`.
    pub dimension: &'static str,
    pub code: String,
    pub allocations: usize,
    pub median_days: Decimal,
    pub p90_days: i64,
}

/// The length of the allocations that ended in the period (length of stay
/// for residential care), per product group: start to end, both counted.
#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct DurationRow {
    pub product_group_code: String,
    pub ended: usize,
    pub median_days: Decimal,
    pub mean_days: Decimal,
}

#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Flows {
    /// Allocations starting in the period.
    pub inflow: usize,
    /// Allocations ending in the period.
    pub outflow: usize,
    /// Clients whose allocation ended in the period and who started one with
    /// another product or provider in the period.
    pub throughflow: usize,
}

#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CeilingRow {
    pub provider_agb: Option<String>,
    pub product_group_code: Option<String>,
    pub municipality_cbs: Option<String>,
    pub year: i32,
    pub amount: Decimal,
    pub spent: Decimal,
    pub used_percent: Option<Decimal>,
}

#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct IntensiveRow {
    pub product_code: String,
    /// Allocations with temporary intensive in the period.
    pub allocations: usize,
    /// Days of temporary intensive within the period.
    pub days: i64,
}

#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct EndingRow {
    pub contract_id: Uuid,
    pub provider_agb: String,
    pub ends_on: NaiveDate,
}

/// A provider whose latest check of a kind had failed or expired by the
/// period's end: it gets no new allocations or enrolments (when the
/// `compliance` policy names the kind).
#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ComplianceRow {
    pub provider_agb: String,
    pub kind: String,
    /// `failed` or `expired`.
    pub standing: String,
    pub checked_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
}

#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub product_groups: Vec<GroupRow>,
    pub municipalities: Vec<MunicipalityRow>,
    pub flows: Flows,
    pub budget_ceilings: Vec<CeilingRow>,
    pub temporary_intensive: Vec<IntensiveRow>,
    /// Contracts ending in the 12 months after the period.
    pub contracts_ending: Vec<EndingRow>,
    /// Checks of the compliance register failed or expired at the period's end.
    pub compliance: Vec<ComplianceRow>,
    pub waiting_times: Vec<WaitingRow>,
    pub durations: Vec<DurationRow>,
    /// In-, out- and throughflow counted in clients, per product group,
    /// municipality and month (only the non-zero ones).
    pub client_flows: Vec<ClientFlowRow>,
    /// Spend and clients per month over the last 24 months up to `to`.
    pub trends: Vec<TrendRow>,
    /// Spend and clients per product group and referrer type (COD327).
    pub referrers: Vec<ReferrerRow>,
    /// Places and their occupancy per month of the period and product.
    pub places: Vec<PlacesRow>,
    /// Stacked allocation pairs per product group in the period.
    pub stacked_care: Vec<StackedRow>,
}

/// COD327's codes (iJw 3.2, `LDT_TypeVerwijzer`).
pub const REFERRER_CODES: [&str; 7] = ["01", "02", "03", "04", "05", "06", "08"];

/// The Dutch name of a referrer type (COD327, iJw 3.2); "onbekend" when
/// the allocation names none.
pub fn referrer_name(code: Option<&str>) -> &'static str {
    match code {
        None => "onbekend",
        Some("01") => "Gemeente",
        Some("02") => "Huisarts",
        Some("03") => "Jeugdarts",
        Some("04") => "Gecertificeerde instelling",
        Some("05") => "Medisch specialist",
        Some("06") => "Zelfverwijzer / geen verwijzer",
        Some("08") => "Rechter, Officier van Justitie, functionaris Justitiële jeugdinrichting",
        Some(_) => "onbekende code",
    }
}

/// A product group's spend and clients by who referred them.
#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ReferrerRow {
    pub product_group_code: String,
    pub product_group: String,
    /// COD327's code; `null` when the allocation names no referrer.
    pub referrer: Option<String>,
    /// Its Dutch name; "onbekend" for `null`.
    pub referrer_name: String,
    /// Approved spend in the period on allocations of this referrer.
    pub spend: Decimal,
    /// Distinct clients with an allocation of this referrer in force in
    /// the period.
    pub clients: usize,
}

/// One month's places and occupancy of a product (the definitions of
/// `steering::places`: place-days and occupied days over the month).
#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PlacesRow {
    /// `YYYY-MM`.
    pub month: String,
    pub product_code: String,
    pub product: String,
    pub place_days: i64,
    pub occupied_days: i64,
    pub average_places: Decimal,
    pub average_occupied: Decimal,
    /// Occupied days / place-days, percent; `null` without places.
    pub occupancy_percent: Option<Decimal>,
}

/// Stacked care in a product group: pairs of allocations of one client
/// that share a day in the period (`steering::care_overlaps::pairs`).
#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct StackedRow {
    pub product_group_code: String,
    pub product_group: String,
    pub pairs: usize,
    /// Of them: at two providers.
    pub different_providers: usize,
    /// Of them: the same product twice at one provider.
    pub same_product: usize,
    /// The clients with a stacked pair.
    pub clients: usize,
}

/// A month's flows of clients in a product group and municipality.
#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ClientFlowRow {
    pub product_group_code: String,
    pub municipality_cbs: String,
    /// `YYYY-MM`.
    pub month: String,
    /// Clients with an allocation in the group this month and none the month before.
    pub inflow: usize,
    /// Clients with one this month and none the month after (the last ended, none follows).
    pub outflow: usize,
    /// Clients whose allocation ended this month and who went on in the
    /// group with another product or provider starting this month or the next.
    pub throughflow: usize,
}

/// A month as a number (year × 12 + month − 1), so months subtract.
fn month_number(d: NaiveDate) -> i32 {
    use chrono::Datelike;
    d.year() * 12 + d.month0() as i32
}

fn month_text(n: i32) -> String {
    format!("{:04}-{:02}", n.div_euclid(12), n.rem_euclid(12) + 1)
}

/// Flows in clients (seed 004 §11: "in-, door- en uitstroom"). Each client
/// counts once per group, municipality and month, however many allocations
/// it has; a client who leaves and returns flows in again.
pub fn client_flows(input: &ReportInput) -> Vec<ClientFlowRow> {
    let (first, last) = (month_number(input.from), month_number(input.to));
    let group_code: HashMap<Uuid, &str> = input
        .groups
        .iter()
        .map(|g| (g.id, g.code.as_str()))
        .collect();
    let cbs: HashMap<Uuid, &str> = input
        .municipalities
        .iter()
        .map(|m| (m.id, m.cbs_code.as_str()))
        .collect();
    // Per client, group and municipality: its allocations.
    let mut per_client: FxHashMap<(ClientId, Uuid, Uuid), Vec<&AllocationInfo>> =
        FxHashMap::default();
    for a in &input.allocations {
        per_client
            .entry((a.client, a.product_group_id, a.municipality_id))
            .or_default()
            .push(a);
    }
    // Bit i of a mask is month `base + i`: the period and a month either
    // side, at most 122 months (a report covers at most ten years).
    let base = first - 1;
    // Per group and municipality, each month's (inflow, outflow, throughflow).
    type Months = Vec<(usize, usize, usize)>;
    let mut counts: HashMap<(Uuid, Uuid), Months> = HashMap::new();
    for ((_, group, municipality), allocations) in &per_client {
        let months = allocations.iter().fold(0u128, |bits, a| {
            let start = month_number(a.start_date).max(base);
            let end = a.end_date.map_or(last + 1, month_number).min(last + 1);
            (start..=end).fold(bits, |bits, m| bits | 1 << (m - base))
        });
        let active = |m: i32| months >> (m - base) & 1 == 1;
        let row = counts
            .entry((*group, *municipality))
            .or_insert_with(|| vec![(0, 0, 0); (last - first + 1) as usize]);
        for (m, cell) in (first..=last).zip(row.iter_mut()) {
            if !active(m) {
                continue;
            }
            cell.0 += !active(m - 1) as usize;
            cell.1 += !active(m + 1) as usize;
            let moved = allocations.iter().any(|ended| {
                ended.end_date.is_some_and(|end| month_number(end) == m)
                    && allocations.iter().any(|next| {
                        let start = month_number(next.start_date);
                        next.start_date > ended.start_date
                            && (start == m || start == m + 1)
                            && (next.product_code != ended.product_code
                                || next.provider_agb != ended.provider_agb)
                    })
            });
            cell.2 += moved as usize;
        }
    }
    let mut counts: Vec<_> = counts.into_iter().collect();
    counts.sort_unstable_by_key(|(key, _)| *key);
    counts
        .into_iter()
        .flat_map(|((group, municipality), row)| {
            (first..=last)
                .zip(row)
                .filter(|(_, (i, o, t))| i + o + t > 0)
                .map(move |(m, cell)| (group, municipality, m, cell))
        })
        .map(
            |(group, municipality, m, (inflow, outflow, throughflow))| ClientFlowRow {
                product_group_code: group_code.get(&group).copied().unwrap_or("").to_owned(),
                municipality_cbs: cbs.get(&municipality).copied().unwrap_or("").to_owned(),
                month: month_text(m),
                inflow,
                outflow,
                throughflow,
            },
        )
        .collect()
}

/// Waiting times per dimension, each key's days sorted.
fn waiting_rows(input: &ReportInput) -> Vec<WaitingRow> {
    let (from, to) = (input.from, input.to);
    let group_code: HashMap<Uuid, &str> = input
        .groups
        .iter()
        .map(|g| (g.id, g.code.as_str()))
        .collect();
    let cbs: HashMap<Uuid, &str> = input
        .municipalities
        .iter()
        .map(|m| (m.id, m.cbs_code.as_str()))
        .collect();
    let mut days: BTreeMap<(&'static str, &str), Vec<i64>> = BTreeMap::new();
    for a in input
        .allocations
        .iter()
        .filter(|a| within(care_start(a), from, to))
    {
        let Some(wait) = waiting_days(a) else {
            continue;
        };
        let keys = [
            (
                "product-group",
                group_code.get(&a.product_group_id).copied().unwrap_or(""),
            ),
            (
                "municipality",
                cbs.get(&a.municipality_id).copied().unwrap_or(""),
            ),
            ("provider", a.provider_agb.as_str()),
        ];
        for (dimension, code) in keys {
            days.entry((dimension, code)).or_default().push(wait);
        }
    }
    days.into_iter()
        .filter_map(|((dimension, code), mut days)| {
            days.sort_unstable();
            Some(WaitingRow {
                dimension,
                code: code.to_owned(),
                allocations: days.len(),
                median_days: median(&days)?.round_dp(2).trunc_with_scale(2),
                p90_days: percentile(&days, 90)?,
            })
        })
        .collect()
}

fn duration_rows(input: &ReportInput) -> Vec<DurationRow> {
    input
        .groups
        .iter()
        .filter_map(|g| {
            let mut days: Vec<i64> = input
                .allocations
                .iter()
                .filter(|a| a.product_group_id == g.id)
                .filter_map(|a| {
                    let end = a.end_date.filter(|e| within(*e, input.from, input.to))?;
                    Some((end - a.start_date).num_days() + 1)
                })
                .collect();
            days.sort_unstable();
            Some(DurationRow {
                product_group_code: g.code.clone(),
                ended: days.len(),
                median_days: median(&days)?.trunc_with_scale(2),
                mean_days: mean(&days)?.trunc_with_scale(2),
            })
        })
        .collect()
}

/// The latest check per provider and kind that had failed or expired on `on`.
fn compliance_rows(
    checks: &[(String, crate::schema::compliance_check::Model)],
    on: NaiveDate,
) -> Vec<ComplianceRow> {
    use crate::contract_life::{latest_per_kind, standing, Standing};
    let mut by_provider: BTreeMap<&str, Vec<crate::schema::compliance_check::Model>> =
        BTreeMap::new();
    for (agb, check) in checks.iter().filter(|(_, c)| c.checked_on <= on) {
        by_provider.entry(agb).or_default().push(check.clone());
    }
    let mut rows = Vec::new();
    for (agb, checks) in by_provider {
        for check in latest_per_kind(&checks) {
            let standing = match standing(check, on, 0) {
                Standing::Failed => "failed",
                Standing::Expired => "expired",
                _ => continue,
            };
            rows.push(ComplianceRow {
                provider_agb: agb.to_owned(),
                kind: check.kind.as_str().to_owned(),
                standing: standing.to_owned(),
                checked_on: check.checked_on,
                valid_until: check.valid_until,
            });
        }
    }
    rows
}

fn within(date: NaiveDate, from: NaiveDate, to: NaiveDate) -> bool {
    from <= date && date <= to
}

/// Spend and clients per product group and referrer, the groups in their
/// order, the referrers by code and the unknown last; only pairs with spend
/// or clients.
pub fn referrer_rows(input: &ReportInput) -> Vec<ReferrerRow> {
    let mut cells: BTreeMap<(Uuid, Option<&str>), (i64, usize)> = BTreeMap::new();
    for (group, referrer, cents) in &input.referrer_spend {
        cells.entry((*group, referrer.as_deref())).or_default().0 += cents;
    }
    for (group, referrer, clients) in &input.referrer_clients {
        cells.entry((*group, referrer.as_deref())).or_default().1 += clients;
    }
    let mut rows = Vec::new();
    for g in &input.groups {
        let mut of_group: Vec<_> = cells
            .iter()
            .filter(|((group, _), (cents, clients))| {
                *group == g.id && (*cents != 0 || *clients > 0)
            })
            .collect();
        of_group.sort_by_key(|((_, referrer), _)| (referrer.is_none(), *referrer));
        for ((_, referrer), (cents, clients)) in of_group {
            rows.push(ReferrerRow {
                product_group_code: g.code.clone(),
                product_group: g.name.clone(),
                referrer: referrer.map(str::to_owned),
                referrer_name: referrer_name(*referrer).to_owned(),
                spend: cents_to_euros(*cents),
                clients: *clients,
            });
        }
    }
    rows
}

/// Distinct clients per product group and referrer over `in_force` (every
/// allocation in force in the period), as the database counts them.
pub fn referrer_clients(in_force: &[InForce]) -> Vec<(Uuid, Option<String>, usize)> {
    let clients: FxHashSet<(Uuid, Option<&str>, ClientId)> = in_force
        .iter()
        .map(|a| (a.product_group_id, a.referrer.as_deref(), a.client))
        .collect();
    let mut counts: BTreeMap<(Uuid, Option<&str>), usize> = BTreeMap::new();
    for (group, referrer, _) in clients {
        *counts.entry((group, referrer)).or_default() += 1;
    }
    counts
        .into_iter()
        .map(|((group, referrer), n)| (group, referrer.map(str::to_owned), n))
        .collect()
}

/// The places series over the period's months, per product.
pub fn places_rows(input: &ReportInput) -> Vec<PlacesRow> {
    let products: HashMap<Uuid, &ProductInfo> = input.products.iter().map(|p| (p.id, p)).collect();
    monthly(
        &input.place_periods,
        &input.stays,
        &months(input.from, input.to),
    )
    .into_iter()
    .map(|f| PlacesRow {
        month: month_text(month_number(f.month)),
        product_code: products
            .get(&f.product)
            .map(|p| p.code.clone())
            .unwrap_or_default(),
        product: products
            .get(&f.product)
            .map(|p| p.name.clone())
            .unwrap_or_default(),
        place_days: f.place_days,
        occupied_days: f.occupied_days,
        average_places: f.average_places(),
        average_occupied: f.average_occupied(),
        occupancy_percent: f.occupancy_percent(),
    })
    .collect()
}

/// The stacked pairs per product group whose shared days reach into the
/// period; every group, zeros included.
pub fn stacked_rows(input: &ReportInput) -> Vec<StackedRow> {
    // Only clients with two allocations in one group can stack; each
    // allocation is named by its place in the list (only pairs are counted).
    let mut per_client: FxHashMap<(ClientId, Uuid), usize> = FxHashMap::default();
    for a in input.in_force.iter().filter(|a| !a.removed) {
        *per_client
            .entry((a.client, a.product_group_id))
            .or_default() += 1;
    }
    let held: Vec<Held> = input
        .in_force
        .iter()
        .enumerate()
        .filter(|(_, a)| !a.removed && per_client[&(a.client, a.product_group_id)] > 1)
        .map(|(i, a)| Held {
            number: i as i64,
            client_key: a.client.to_string(),
            product_group: a.product_group_id,
            product: a.product_id,
            provider: a.provider_id,
            start: a.start,
            end: a.end,
        })
        .collect();
    let mut per_group: HashMap<Uuid, (usize, usize, usize, BTreeSet<&str>)> = HashMap::new();
    for pair in pairs(&held) {
        let o = pair.overlap;
        if o.from > input.to || !o.reaches(input.from) {
            continue;
        }
        let a = &held[pair.first];
        let cell = per_group.entry(a.product_group).or_default();
        cell.0 += 1;
        match pair.kind {
            Stacking::DifferentProviders => cell.1 += 1,
            Stacking::SameProduct => cell.2 += 1,
        }
        cell.3.insert(a.client_key.as_str());
    }
    input
        .groups
        .iter()
        .map(|g| {
            let (pairs, different_providers, same_product, clients) =
                per_group.remove(&g.id).unwrap_or_default();
            StackedRow {
                product_group_code: g.code.clone(),
                product_group: g.name.clone(),
                pairs,
                different_providers,
                same_product,
                clients: clients.len(),
            }
        })
        .collect()
}

/// What the report reads of an allocation that can change after it was
/// made: its end, stop, care's start and end, removal and episodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub end_date: Option<NaiveDate>,
    pub stopped_on: Option<NaiveDate>,
    pub care_started_on: Option<NaiveDate>,
    pub care_ended_on: Option<NaiveDate>,
    pub removed: bool,
    /// Temporary-intensive episodes (from, to).
    pub episodes: Vec<(NaiveDate, NaiveDate)>,
}

/// A change of an allocation recorded after the cut-off (an event of the
/// audit trail), to be undone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Undo {
    /// `update`: the allocation as it was before (the event keeps it whole).
    Update(Recorded),
    /// `stop`: the end date before the stop.
    Stop { end_before: Option<NaiveDate> },
    /// `remove`.
    Remove,
    /// `start-care` (a 305): the start it replaced (none before it, or for
    /// an event written before the trail kept it).
    StartCare { before: Option<NaiveDate> },
    /// `end-care` (a 307): likewise the end it replaced.
    EndCare { before: Option<NaiveDate> },
}

/// The allocation as it stood at the cut-off: `now` with the changes
/// recorded after it undone, newest first.
pub fn rewind(now: Recorded, newest_first: &[Undo]) -> Recorded {
    newest_first.iter().fold(now, |mut at, undo| {
        match undo {
            Undo::Update(before) => at = before.clone(),
            Undo::Stop { end_before } => {
                at.end_date = *end_before;
                at.stopped_on = None;
            }
            Undo::Remove => at.removed = false,
            Undo::StartCare { before } => at.care_started_on = *before,
            Undo::EndCare { before } => at.care_ended_on = *before,
        }
        at
    })
}

/// An approved line recorded after the report's cut-off (`asOf`): what it
/// added to the rollups, to be taken out again.
#[derive(Debug, Clone)]
pub struct LaterLine {
    pub period_start: NaiveDate,
    pub product_group_id: Uuid,
    pub municipality_id: Uuid,
    pub provider_agb: String,
    pub client: ClientId,
    pub referrer: Option<String>,
    /// The approved amount (negative for a credit).
    pub amount_cents: i64,
    /// As the rollups count it (`rollup::minutes_of`, negative for a credit).
    pub minutes: i64,
}

/// The months of each (year, client, group, municipality) that later lines
/// touched (a debit may have added the month, a credit emptied it).
pub fn touched_months(later: &[LaterLine]) -> BTreeMap<(i32, ClientId, Uuid, Uuid), i32> {
    use chrono::Datelike;
    let mut touched: BTreeMap<(i32, ClientId, Uuid, Uuid), i32> = BTreeMap::new();
    for l in later {
        *touched
            .entry((
                l.period_start.year(),
                l.client,
                l.product_group_id,
                l.municipality_id,
            ))
            .or_default() |= crate::rollup::month_bit(l.period_start);
    }
    touched
}

/// The figures as they stood at the cut-off: the rollups hold every line
/// recorded so far, so the lines recorded after it (`later`) are taken out
/// of the spend cells, the trends, the referrer cells and the ceilings'
/// spend. The months those lines touched are taken out of the clients'
/// months and put back from `standing`: the months (of the same year,
/// client, group and municipality) with an approved debit recorded by the
/// cut-off that no credit recorded by then reversed. The distinct clients
/// are then counted again.
pub fn cut_off(input: &mut ReportInput, later: &[LaterLine], standing: &[ClientMonths]) {
    use crate::rollup::month_of;
    use chrono::Datelike;
    if later.is_empty() {
        return;
    }
    let (from, to) = (month_of(input.from), input.to);
    let trend_from = trend_start(to);
    let group_code: HashMap<Uuid, &str> = input
        .groups
        .iter()
        .map(|g| (g.id, g.code.as_str()))
        .collect();
    let cbs: HashMap<Uuid, &str> = input
        .municipalities
        .iter()
        .map(|m| (m.id, m.cbs_code.as_str()))
        .collect();
    // The later lines summed per cell first, then each cell taken back
    // once: linear in lines and cells, however far back the cut-off lies.
    let mut per_spend: HashMap<(&str, Uuid, Uuid), (i64, i64)> = HashMap::new();
    let mut per_referrer: HashMap<(Uuid, Option<&str>), i64> = HashMap::new();
    let mut per_month: HashMap<(NaiveDate, Uuid), (i64, i64)> = HashMap::new();
    let mut per_ceiling_key: HashMap<(i32, &str, Uuid, Uuid), i64> = HashMap::new();
    for l in later {
        let month = month_of(l.period_start);
        if within(month, from, to) {
            let cell = per_spend
                .entry((
                    l.provider_agb.as_str(),
                    l.product_group_id,
                    l.municipality_id,
                ))
                .or_default();
            cell.0 += l.amount_cents;
            cell.1 += 1;
            *per_referrer
                .entry((l.product_group_id, l.referrer.as_deref()))
                .or_default() += l.amount_cents;
        }
        if within(month, trend_from, to) {
            let cell = per_month.entry((month, l.product_group_id)).or_default();
            cell.0 += l.amount_cents;
            cell.1 += l.minutes;
        }
        *per_ceiling_key
            .entry((
                l.period_start.year(),
                l.provider_agb.as_str(),
                l.product_group_id,
                l.municipality_id,
            ))
            .or_default() += l.amount_cents;
    }
    for cell in &mut input.spend {
        let key = (
            cell.provider_agb.as_str(),
            cell.product_group_id,
            cell.municipality_id,
        );
        if let Some((cents, lines)) = per_spend.get(&key) {
            cell.amount_cents -= cents;
            cell.line_count -= lines;
        }
    }
    for (group, referrer, cents) in &mut input.referrer_spend {
        if let Some(later) = per_referrer.get(&(*group, referrer.as_deref())) {
            *cents -= later;
        }
    }
    for (month, group, cents, minutes) in &mut input.spend_by_month {
        if let Some((later_cents, later_minutes)) = per_month.get(&(*month, *group)) {
            *cents -= later_cents;
            *minutes -= later_minutes;
        }
    }
    // A ceiling takes back what its assessor booked on it: its year, and
    // its provider, groups and municipality where it names them.
    for ((year, agb, group, municipality), cents) in &per_ceiling_key {
        let group = group_code.get(group).copied();
        let municipality = cbs.get(municipality).copied();
        for c in input.ceilings.iter_mut().filter(|c| {
            c.year == *year
                && c.provider_agb.as_deref().is_none_or(|p| p == *agb)
                && c.product_group_code
                    .as_deref()
                    .is_none_or(|codes| codes.split('+').any(|code| Some(code) == group))
                && c.municipality_cbs
                    .as_deref()
                    .is_none_or(|m| Some(m) == municipality)
        }) {
            c.spent_cents -= cents;
        }
    }
    // A cell only the later lines made did not exist at the cut-off.
    input
        .spend
        .retain(|s| s.amount_cents != 0 || s.line_count > 0);
    let touched = touched_months(later);
    for (year, client, group, municipality, mask) in input.client_months.iter_mut() {
        if let Some(months) = touched.get(&(*year, *client, *group, *municipality)) {
            *mask &= !months;
        }
    }
    input.client_months.retain(|row| row.4 != 0);
    for (year, client, group, municipality, mask) in standing {
        if let Some(months) = touched.get(&(*year, *client, *group, *municipality)) {
            if mask & months != 0 {
                input
                    .client_months
                    .push((*year, *client, *group, *municipality, mask & months));
            }
        }
    }
    let (groups, municipalities) = distinct_clients_in(&input.client_months, (input.from, to));
    input.clients_per_group = groups;
    input.clients_per_municipality = municipalities;
}

pub fn build(input: &ReportInput) -> Report {
    let (from, to) = (input.from, input.to);
    let product_groups = input
        .groups
        .iter()
        .map(|g| {
            let mut per_provider: BTreeMap<&str, i64> = BTreeMap::new();
            for s in input.spend.iter().filter(|s| s.product_group_id == g.id) {
                *per_provider.entry(s.provider_agb.as_str()).or_default() += s.amount_cents;
            }
            let amounts: Vec<i64> = per_provider.values().copied().collect();
            let clients = input.clients_per_group.get(&g.id).copied().unwrap_or(0);
            let top3 = market_share(&amounts, 3, (g.id, clients), &input.market);
            let top10 = market_share(&amounts, 10, (g.id, clients), &input.market);
            GroupRow {
                law: g.law.clone(),
                product_group_code: g.code.clone(),
                product_group: g.name.clone(),
                approved_amount: cents_to_euros(amounts.iter().sum()),
                contracted_providers: input
                    .contracts
                    .iter()
                    .filter(|c| c.product_groups.contains(&g.id))
                    .map(|c| c.provider_agb.as_str())
                    .collect::<BTreeSet<_>>()
                    .len(),
                providers_with_clients: per_provider.len(),
                clients,
                top3_share: top3.ok().map(display_percent),
                top3_share_not_applicable: top3.err(),
                top10_share: top10.ok().map(display_percent),
                top10_share_not_applicable: top10.err(),
            }
        })
        .collect();
    let municipalities = input
        .municipalities
        .iter()
        .map(|m| {
            let spend: i64 = input
                .spend
                .iter()
                .filter(|s| s.municipality_id == m.id)
                .map(|s| s.amount_cents)
                .sum();
            let law_of: HashMap<Uuid, &str> = input
                .groups
                .iter()
                .map(|g| (g.id, g.law.as_str()))
                .collect();
            let spend_in = |law: &str| {
                cents_to_euros(
                    input
                        .spend
                        .iter()
                        .filter(|s| s.municipality_id == m.id)
                        .filter(|s| law_of.get(&s.product_group_id) == Some(&law))
                        .map(|s| s.amount_cents)
                        .sum(),
                )
            };
            let framework = |law: &str| {
                let amounts: Vec<i64> = input
                    .frameworks
                    .iter()
                    .filter(|f| f.municipality_id == m.id && f.law == law)
                    .map(|f| f.amount_cents)
                    .collect();
                (!amounts.is_empty()).then(|| cents_to_euros(amounts.iter().sum()))
            };
            MunicipalityRow {
                wmo_spend: spend_in("wmo"),
                jeugdwet_spend: spend_in("jeugdwet"),
                wmo_framework: framework("wmo"),
                jeugdwet_framework: framework("jeugdwet"),
                cbs_code: m.cbs_code.clone(),
                municipality: m.name.clone(),
                spend: cents_to_euros(spend),
                inhabitants: m.inhabitants,
                spend_per_inhabitant: m.inhabitants.filter(|n| *n > 0).map(|n| {
                    (cents_to_euros(spend) / Decimal::from(n))
                        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
                }),
                clients: input
                    .clients_per_municipality
                    .get(&m.id)
                    .copied()
                    .unwrap_or(0),
                allocations: input
                    .active_per_municipality
                    .get(&m.id)
                    .copied()
                    .unwrap_or(0),
            }
        })
        .collect();
    let started: Vec<&AllocationInfo> = input
        .allocations
        .iter()
        .filter(|a| within(a.start_date, from, to))
        .collect();
    let ended: Vec<&AllocationInfo> = input
        .allocations
        .iter()
        .filter(|a| a.end_date.is_some_and(|e| within(e, from, to)))
        .collect();
    // Started allocations by client, so a large region is not quadratic.
    let mut started_by_client: FxHashMap<ClientId, Vec<&AllocationInfo>> = FxHashMap::default();
    for s in &started {
        started_by_client.entry(s.client).or_default().push(s);
    }
    let throughflow = ended
        .iter()
        .filter(|e| {
            started_by_client.get(&e.client).is_some_and(|starts| {
                starts
                    .iter()
                    .any(|s| s.product_code != e.product_code || s.provider_agb != e.provider_agb)
            })
        })
        .map(|e| e.client)
        .collect::<BTreeSet<_>>()
        .len();
    let budget_ceilings = input
        .ceilings
        .iter()
        .map(|c| CeilingRow {
            provider_agb: c.provider_agb.clone(),
            product_group_code: c.product_group_code.clone(),
            municipality_cbs: c.municipality_cbs.clone(),
            year: c.year,
            amount: cents_to_euros(c.amount_cents),
            spent: cents_to_euros(c.spent_cents),
            used_percent: (c.amount_cents > 0).then(|| {
                display_percent(Decimal::from(c.spent_cents) / Decimal::from(c.amount_cents))
            }),
        })
        .collect();
    let mut intensive: BTreeMap<&str, (usize, i64)> = BTreeMap::new();
    for a in &input.allocations {
        let days: i64 = a
            .episodes
            .iter()
            .map(|(f, t)| {
                let (f, t) = ((*f).max(from), (*t).min(to));
                if f > t {
                    0
                } else {
                    (t - f).num_days() + 1
                }
            })
            .sum();
        if days > 0 {
            let entry = intensive.entry(a.product_code.as_str()).or_default();
            entry.0 += 1;
            entry.1 += days;
        }
    }
    let horizon = to.checked_add_months(Months::new(12)).unwrap_or(to);
    let mut contracts_ending: Vec<EndingRow> = input
        .contracts
        .iter()
        .filter(|c| c.ends_on > to && c.ends_on <= horizon)
        .map(|c| EndingRow {
            contract_id: c.id,
            provider_agb: c.provider_agb.clone(),
            ends_on: c.ends_on,
        })
        .collect();
    contracts_ending.sort_by_key(|e| (e.ends_on, e.provider_agb.clone()));
    Report {
        referrers: referrer_rows(input),
        places: places_rows(input),
        stacked_care: stacked_rows(input),
        compliance: compliance_rows(&input.compliance, to),
        waiting_times: waiting_rows(input),
        client_flows: client_flows(input),
        trends: trends(input),
        durations: duration_rows(input),
        from,
        to,
        product_groups,
        municipalities,
        flows: Flows {
            inflow: started.len(),
            outflow: ended.len(),
            throughflow,
        },
        budget_ceilings,
        temporary_intensive: intensive
            .into_iter()
            .map(|(code, (allocations, days))| IntensiveRow {
                product_code: code.into(),
                allocations,
                days,
            })
            .collect(),
        contracts_ending,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enums::{CheckOutcome, ComplianceKind};
    use std::str::FromStr;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn top_shares_exact_with_ties_at_the_boundary() {
        // 50, 20, 10, 10, 10 (ties at third place): top 3 = 80 of 100
        assert_eq!(
            top_share(&[1000, 5000, 1000, 2000, 1000], 3),
            Some(dec("0.8"))
        );
        assert_eq!(
            top_share(&[1000, 5000, 1000, 2000, 1000], 10),
            None,
            "fewer than 10 providers: n/a"
        );
        assert_eq!(
            top_share(&[100, 0, 50], 3),
            None,
            "a provider without spend does not count"
        );
        // 1/3 shown as 33.33%
        assert_eq!(
            top_share(&[1, 1, 1], 1).map(display_percent),
            Some(dec("33.33"))
        );
        assert_eq!(display_percent(dec("0.32455")), dec("32.46"));
    }

    const BEG: Uuid = Uuid::from_u128(1);
    const DB: Uuid = Uuid::from_u128(2);
    const ARNHEM: Uuid = Uuid::from_u128(10);
    const RENKUM: Uuid = Uuid::from_u128(11);

    fn spend(agb: &str, group: Uuid, municipality: Uuid, cents: i64) -> SpendInfo {
        SpendInfo {
            provider_agb: agb.into(),
            product_group_id: group,
            municipality_id: municipality,
            amount_cents: cents,
            line_count: 1,
        }
    }

    /// A test client's number: `c1` and `k1` are 1.
    fn number(name: &str) -> ClientId {
        name[1..].parse().unwrap()
    }

    fn allocation(
        client: &str,
        agb: &str,
        product: &str,
        start: &str,
        end: Option<&str>,
    ) -> AllocationInfo {
        AllocationInfo {
            client: number(client),
            provider_agb: agb.into(),
            product_code: product.into(),
            product_group_id: BEG,
            municipality_id: ARNHEM,
            allocated_on: d(start),
            care_started_on: None,
            start_date: d(start),
            end_date: end.map(d),
            episodes: vec![],
        }
    }

    /// Q1 2025. BEG: P1 € 500 (2 clients), P2 € 200, P3 € 100, P4 € 100,
    /// P5 € 100 (P3–P5 tie at third place); P6 contracted, no clients.
    /// DB: P1 € 300. Arnhem 100,000 inhabitants, Renkum 32,000.
    fn input() -> ReportInput {
        // Clients c1, c2 (Arnhem) and c3–c5 (Renkum) in BEG; c2 also in DB.
        let spend = vec![
            spend("P1", BEG, ARNHEM, 50_000),
            spend("P2", BEG, ARNHEM, 20_000),
            spend("P3", BEG, RENKUM, 10_000),
            spend("P4", BEG, RENKUM, 10_000),
            spend("P5", BEG, RENKUM, 10_000),
            spend("P1", DB, ARNHEM, 30_000),
        ];
        let contract = |n: u128, agb: &str, groups: Vec<Uuid>, ends: &str| ContractInfo {
            id: Uuid::from_u128(100 + n),
            provider_agb: agb.into(),
            product_groups: groups,
            ends_on: d(ends),
        };
        let mut allocations = vec![
            allocation("c1", "P1", "02A01", "2024-06-01", Some("2025-02-28")),
            allocation("c1", "P2", "02A01", "2025-03-01", None), // c1 moves to P2: throughflow
            allocation("c2", "P1", "02A01", "2025-01-15", None),
            allocation("c3", "P3", "03A01", "2024-01-01", Some("2025-03-31")), // ends, nothing follows
        ];
        allocations[2].episodes = vec![(d("2025-03-20"), d("2025-04-10"))]; // 12 days inside Q1
        ReportInput {
            from: d("2025-01-01"),
            to: d("2025-03-31"),
            groups: vec![
                GroupInfo {
                    id: BEG,
                    code: "BEG".into(),
                    name: "Begeleiding".into(),
                    law: "wmo".into(),
                },
                GroupInfo {
                    id: DB,
                    code: "DB".into(),
                    name: "Dagbesteding".into(),
                    law: "wmo".into(),
                },
            ],
            municipalities: vec![
                MunicipalityInfo {
                    id: ARNHEM,
                    cbs_code: "GM0202".into(),
                    name: "Arnhem".into(),
                    inhabitants: Some(100_000),
                },
                MunicipalityInfo {
                    id: RENKUM,
                    cbs_code: "GM0274".into(),
                    name: "Renkum".into(),
                    inhabitants: Some(32_000),
                },
            ],
            contracts: vec![
                contract(1, "P1", vec![BEG, DB], "2028-12-31"),
                contract(2, "P2", vec![BEG], "2025-12-31"),
                contract(3, "P3", vec![BEG], "2026-03-31"),
                contract(4, "P4", vec![BEG], "2026-04-01"),
                contract(5, "P5", vec![BEG], "2028-12-31"),
                contract(6, "P6", vec![BEG], "2028-12-31"),
            ],
            spend,
            clients_per_group: HashMap::from([(BEG, 5), (DB, 1)]),
            clients_per_municipality: HashMap::from([(ARNHEM, 2), (RENKUM, 3)]),
            active_per_municipality: HashMap::from([(ARNHEM, 4)]),
            allocations,
            ceilings: vec![CeilingInfo {
                provider_agb: Some("P1".into()),
                product_group_code: None,
                municipality_cbs: None,
                year: 2025,
                amount_cents: 300_000,
                spent_cents: 80_000,
            }],
            market: MarketRules {
                min_clients: 1,
                ..MarketRules::default()
            },
            frameworks: vec![FrameworkInfo {
                municipality_id: ARNHEM,
                law: "wmo".into(),
                amount_cents: 500_000,
            }],
            spend_by_month: vec![
                (d("2024-04-01"), BEG, 10_000, 0),
                (d("2025-03-01"), BEG, 50_000, 600), // 10 hours
                (d("2025-03-01"), DB, 30_000, 0),
                (d("2023-12-01"), BEG, 99_999, 0), // the 24 months start in April 2023
            ],
            client_months: vec![
                (2025, number("c1"), BEG, ARNHEM, 0b101), // January and March 2025
                (2025, number("c2"), DB, ARNHEM, 0b100),  // March 2025
                (2024, number("c1"), BEG, ARNHEM, 1 << 3), // April 2024
                // March (before the series) and April 2023.
                (2023, number("c3"), BEG, ARNHEM, 1 << 2 | 1 << 3),
            ],
            products: vec![],
            referrer_spend: vec![],
            place_periods: vec![],
            stays: vec![],
            in_force: vec![],
            referrer_clients: vec![],
            compliance: vec![
                check(
                    "P1",
                    ComplianceKind::Integrity,
                    CheckOutcome::Passed,
                    "2024-01-01",
                    Some("2025-02-28"),
                ),
                // Redone after the period: the lapsed one still counts at its end.
                check(
                    "P1",
                    ComplianceKind::Integrity,
                    CheckOutcome::Passed,
                    "2025-04-02",
                    Some("2028-01-01"),
                ),
                check(
                    "P2",
                    ComplianceKind::Financial,
                    CheckOutcome::Failed,
                    "2025-01-10",
                    None,
                ),
                check(
                    "P3",
                    ComplianceKind::Wnt,
                    CheckOutcome::Passed,
                    "2025-01-10",
                    Some("2025-03-31"),
                ),
            ],
        }
    }

    fn check(
        agb: &str,
        kind: ComplianceKind,
        outcome: CheckOutcome,
        on: &str,
        until: Option<&str>,
    ) -> (String, crate::schema::compliance_check::Model) {
        let model = crate::schema::compliance_check::Model {
            region_id: Uuid::nil(),
            id: Uuid::now_v7(),
            provider_id: Uuid::nil(),
            kind,
            outcome,
            checked_on: d(on),
            valid_until: until.map(d),
            note: None,
            created_at: chrono::DateTime::default(),
        };
        (agb.into(), model)
    }

    /// Seed 002 Table 1's "n.v.t." cells: a group of exactly 3 providers
    /// (Gecertificeerde instelling), one with fewer than 50 clients
    /// (Kortdurend verblijf) and one excluded (Landelijk ingekochte zorg).
    #[test]
    fn table_one_not_applicable() {
        let rules = MarketRules {
            min_clients: 50,
            excluded_groups: BTreeSet::from([DB]),
        };
        let eleven: Vec<i64> = (1..=11).map(|i| i * 100).collect();
        // 1100 + 1000 + 900 = 3000 of 6600 = 45.45%; top 10 = 6500 of 6600.
        assert_eq!(
            market_share(&eleven, 3, (BEG, 50), &rules).map(display_percent),
            Ok(dec("45.45"))
        );
        assert_eq!(
            market_share(&eleven, 10, (BEG, 50), &rules).map(display_percent),
            Ok(dec("98.48"))
        );
        assert_eq!(
            market_share(&[300, 200, 100], 3, (BEG, 539), &rules),
            Err(NotApplicable::FewProviders)
        );
        assert_eq!(
            market_share(&eleven, 3, (BEG, 49), &rules),
            Err(NotApplicable::FewClients)
        );
        assert_eq!(
            market_share(&eleven, 3, (DB, 148), &rules),
            Err(NotApplicable::ExcludedGroup)
        );
        // In the report: BEG's five clients are below the default minimum.
        let mut input = input();
        input.market = MarketRules::default();
        let beg = &build(&input).product_groups[0];
        assert_eq!(beg.top3_share, None);
        assert_eq!(
            beg.top3_share_not_applicable,
            Some(NotApplicable::FewClients)
        );
    }

    #[test]
    fn medians_and_percentiles_by_hand() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3, 7, 20]), Some(dec("7")));
        assert_eq!(median(&[3, 8]), Some(dec("5.5")));
        // p90 by nearest rank: of 10 values the 9th, of 11 the 10th.
        let ten: Vec<i64> = (1..=10).collect();
        assert_eq!(percentile(&ten, 90), Some(9));
        let eleven: Vec<i64> = (1..=11).collect();
        assert_eq!(percentile(&eleven, 90), Some(10));
        assert_eq!(percentile(&[42], 90), Some(42));
        assert_eq!(mean(&[1, 2, 2]), Some(dec("1.67")));
    }

    /// Waits across a month boundary: allocated on 28 January, care from
    /// 3 February = 6 days; only a start of care the provider reported
    /// counts (without one the wait is not measured); a late registration
    /// waits 0 days.
    #[test]
    fn waiting_times_and_durations() {
        let mut waits = input();
        let mut crossing = allocation("w1", "P7", "02A01", "2025-02-01", None);
        crossing.allocated_on = d("2025-01-28");
        crossing.care_started_on = Some(d("2025-02-03"));
        let mut late = allocation("w2", "P7", "02A01", "2025-01-10", None);
        late.allocated_on = d("2025-02-15");
        late.care_started_on = Some(d("2025-01-10"));
        let mut planned = allocation("w3", "P7", "02A01", "2025-03-20", None);
        planned.allocated_on = d("2025-03-01");
        waits.allocations = vec![crossing, late, planned];
        let report = build(&waits);
        let p7 = report
            .waiting_times
            .iter()
            .find(|w| w.dimension == "provider" && w.code == "P7")
            .unwrap();
        // 6 and 0 days; the planned one (no start reported) is not measured.
        assert_eq!(
            (p7.allocations, p7.median_days, p7.p90_days),
            (2, dec("3"), 6)
        );
        let beg = report
            .waiting_times
            .iter()
            .find(|w| w.dimension == "product-group")
            .unwrap();
        assert_eq!((beg.code.as_str(), beg.allocations), ("BEG", 2));
        assert!(report.durations.is_empty(), "nothing ended");

        // Durations of the allocations ending in Q1, from the original input:
        // c1 2024-06-01..2025-02-28 = 273 days, c3 2024-01-01..2025-03-31 = 456.
        let report = build(&input());
        let beg = &report.durations[0];
        assert_eq!(beg.ended, 2);
        assert_eq!(
            (beg.median_days, beg.mean_days),
            (dec("364.5"), dec("364.50"))
        );
    }

    /// Q1 2025 in BEG, Arnhem. k1 leaves and returns: January only, then
    /// from March. k2 moves from 02A01 to 02A02 on 16 February.
    #[test]
    fn flows_in_clients() {
        let mut flows = input();
        let mut k2_next = allocation("k2", "P1", "02A02", "2025-02-16", None);
        k2_next.allocated_on = d("2025-02-10");
        flows.allocations = vec![
            allocation("k1", "P1", "02A01", "2025-01-01", Some("2025-01-31")),
            allocation("k1", "P1", "02A01", "2025-03-01", None),
            allocation("k2", "P1", "02A01", "2024-11-01", Some("2025-02-15")),
            k2_next,
        ];
        let rows = client_flows(&flows);
        let seen: Vec<(&str, usize, usize, usize)> = rows
            .iter()
            .map(|r| (r.month.as_str(), r.inflow, r.outflow, r.throughflow))
            .collect();
        assert_eq!(
            seen,
            [
                ("2025-01", 1, 1, 0),
                ("2025-02", 0, 0, 1),
                ("2025-03", 1, 0, 0)
            ]
        );
        assert!(rows
            .iter()
            .all(|r| r.product_group_code == "BEG" && r.municipality_cbs == "GM0202"));
    }

    /// The 24 months up to March 2025 run from April 2023.
    #[test]
    fn trends_over_twenty_four_months() {
        let rows = trends(&input());
        assert_eq!(rows.len(), 24);
        assert_eq!(rows[0].month, "2023-04");
        assert_eq!(rows[23].month, "2025-03");
        let april_2024 = rows.iter().find(|r| r.month == "2024-04").unwrap();
        assert_eq!((april_2024.spend, april_2024.clients), (dec("100.00"), 1));
        let march = &rows[23];
        assert_eq!(
            (
                march.spend,
                march.wmo_spend,
                march.jeugdwet_spend,
                march.clients
            ),
            (dec("800.00"), dec("800.00"), dec("0.00"), 2)
        );
        let january = rows.iter().find(|r| r.month == "2025-01").unwrap();
        assert_eq!((january.spend, january.clients), (dec("0.00"), 1));
        let december = rows.iter().find(|r| r.month == "2023-12").unwrap();
        assert_eq!(december.spend, dec("999.99"));
    }

    /// A client counts once per group and per municipality, and only for
    /// months in the period.
    #[test]
    fn distinct_clients_of_the_period() {
        let (ede, zevenaar) = (Uuid::from_u128(7), Uuid::from_u128(8));
        let rows: Vec<ClientMonths> = vec![
            (2025, number("c1"), BEG, ede, 0b1),       // January
            (2025, number("c1"), BEG, zevenaar, 0b10), // February, moved
            (2025, number("c1"), DB, ede, 0b1),
            (2025, number("c2"), BEG, ede, 1 << 11), // December: outside
            (2024, number("c3"), BEG, ede, 1 << 11), // December 2024: outside
        ];
        let (groups, municipalities) =
            distinct_clients_in(&rows, (d("2025-01-01"), d("2025-03-31")));
        assert_eq!((groups[&BEG], groups[&DB]), (1, 1));
        assert_eq!((municipalities[&ede], municipalities[&zevenaar]), (1, 1));
        assert_eq!(groups.len(), 2);
    }

    /// Flows by approved care: c1 leaves after January and returns in
    /// March; c3 was there the month before the series began.
    #[test]
    fn trends_count_clients_flowing_in_and_out_and_their_hours() {
        let rows = trends(&input());
        let month = |m: &str| rows.iter().find(|r| r.month == m).unwrap();
        let flows = |m: &str| (month(m).inflow, month(m).outflow);
        assert_eq!(
            flows("2023-04"),
            (0, Some(1)),
            "c3 came before April 2023, left after it"
        );
        assert_eq!(flows("2024-04"), (1, Some(1)));
        assert_eq!(flows("2025-01"), (1, Some(1)));
        assert_eq!(flows("2025-02"), (0, Some(0)));
        assert_eq!(
            flows("2025-03"),
            (2, None),
            "c1 returns, c2 arrives; April is not declared yet"
        );
        // 600 minutes of BEG in March, for c1 (c2's DB has no hours).
        assert_eq!(
            (month("2025-03").hours, month("2025-03").hours_per_client),
            (dec("10.00"), Some(dec("10.00")))
        );
        assert_eq!(
            (month("2025-01").hours, month("2025-01").hours_per_client),
            (dec("0.00"), None)
        );
    }

    #[test]
    fn spend_per_law_beside_the_framework() {
        let report = build(&input());
        let arnhem = &report.municipalities[0];
        assert_eq!(arnhem.wmo_spend, arnhem.spend, "BEG and DB are both Wmo");
        assert_eq!(arnhem.jeugdwet_spend, dec("0"));
        assert_eq!(arnhem.wmo_framework, Some(dec("5000.00")));
        assert_eq!(arnhem.jeugdwet_framework, None);
    }

    #[test]
    fn failed_and_expired_checks_at_the_period_end() {
        let rows = build(&input()).compliance;
        let seen: Vec<(&str, &str, &str)> = rows
            .iter()
            .map(|r| {
                (
                    r.provider_agb.as_str(),
                    r.kind.as_str(),
                    r.standing.as_str(),
                )
            })
            .collect();
        // P3's WNT check holds to the last day of the period.
        assert_eq!(
            seen,
            [
                ("P1", "integrity", "expired"),
                ("P2", "financial", "failed")
            ]
        );
    }

    #[test]
    fn table_one_per_product_group() {
        let report = build(&input());
        let beg = &report.product_groups[0];
        assert_eq!(beg.approved_amount, dec("1000.00"));
        assert_eq!(
            beg.contracted_providers, 6,
            "P6 is contracted but served no one"
        );
        assert_eq!(beg.providers_with_clients, 5);
        assert_eq!(
            beg.clients, 5,
            "c1 counts once though served by two providers"
        );
        // top 3: 500 + 200 + 100 (one of the tied) = 800 of 1000
        assert_eq!(beg.top3_share, Some(dec("80.00")));
        assert_eq!(beg.top10_share, None, "n/a: 5 providers");
        let db = &report.product_groups[1];
        assert_eq!(
            (db.approved_amount, db.providers_with_clients, db.top3_share),
            (dec("300.00"), 1, None)
        );
    }

    #[test]
    fn municipalities_flows_and_the_rest() {
        let report = build(&input());
        // Arnhem: 300 + 200 + 200 + 300 = € 1000.00 / 100,000 = € 0.01
        assert_eq!(report.municipalities[0].spend, dec("1000.00"));
        assert_eq!(
            report.municipalities[0].spend_per_inhabitant,
            Some(dec("0.01"))
        );
        assert_eq!(report.municipalities[0].clients, 2);
        assert_eq!(report.municipalities[0].allocations, 4);
        // Renkum: € 300.00 / 32,000 = 0.009375 → 0.01
        assert_eq!(
            report.municipalities[1].spend_per_inhabitant,
            Some(dec("0.01"))
        );
        assert_eq!(
            report.flows,
            Flows {
                inflow: 2,
                outflow: 2,
                throughflow: 1
            }
        );
        assert_eq!(report.budget_ceilings[0].used_percent, Some(dec("26.67")));
        assert_eq!(
            report.temporary_intensive,
            [IntensiveRow {
                product_code: "02A01".into(),
                allocations: 1,
                days: 12
            }]
        );
        // ending within 12 months after 31 March 2025: P2 (2025-12-31), P3 (2026-03-31); not P4 (2026-04-01)
        let ending: Vec<&str> = report
            .contracts_ending
            .iter()
            .map(|e| e.provider_agb.as_str())
            .collect();
        assert_eq!(ending, ["P2", "P3"]);
    }

    /// A line recorded after the cut-off does not count. At the cut-off
    /// P1 had € 500 in BEG Arnhem (January and March 2025, client c1).
    /// Later: a debit of € 40 for c1 in February (1 hour), a credit of
    /// € 100 taking c1's March out, and € 70 for c9 in March at P7 (a cell
    /// only the later lines made). `standing` says c1 still had a debit
    /// standing in March at the cut-off (the credit came after it).
    #[test]
    fn a_line_recorded_after_the_cut_off_does_not_count() {
        let mut input = input();
        // P1's ceiling: P7's line is not booked on it.
        input.ceilings[0].spent_cents = 80_000 + 4_000 - 10_000;
        input.referrer_spend = vec![
            (BEG, Some("02".into()), 50_000 + 4_000 - 10_000),
            (BEG, None, 7_000),
        ];
        input.spend[0].amount_cents += 4_000 - 10_000;
        input.spend.push(spend("P7", BEG, ARNHEM, 7_000));
        input.spend_by_month = vec![
            (d("2025-02-01"), BEG, 4_000, 60),
            (d("2025-03-01"), BEG, 50_000 - 10_000 + 7_000, 600),
        ];
        // Stored now: c1 in January and February (March emptied by the
        // credit), c9 in March.
        input.client_months = vec![
            (2025, number("c1"), BEG, ARNHEM, 0b011),
            (2025, number("c9"), BEG, ARNHEM, 0b100),
        ];
        let line = |agb: &str,
                    client: &str,
                    start: &str,
                    cents: i64,
                    minutes: i64,
                    referrer: Option<&str>| LaterLine {
            period_start: d(start),
            product_group_id: BEG,
            municipality_id: ARNHEM,
            provider_agb: agb.into(),
            client: number(client),
            referrer: referrer.map(str::to_owned),
            amount_cents: cents,
            minutes,
        };
        let later = [
            line("P1", "c1", "2025-02-01", 4_000, 60, Some("02")),
            line("P1", "c1", "2025-03-01", -10_000, 0, Some("02")),
            line("P7", "c9", "2025-03-01", 7_000, 0, None),
        ];
        // c1's standing debits at the cut-off: January and March.
        let standing = [(2025, number("c1"), BEG, ARNHEM, 0b101)];
        cut_off(&mut input, &later, &standing);
        let p1 = input
            .spend
            .iter()
            .find(|s| s.provider_agb == "P1" && s.product_group_id == BEG)
            .unwrap();
        assert_eq!(p1.amount_cents, 50_000);
        assert!(
            input.spend.iter().all(|s| s.provider_agb != "P7"),
            "P7's cell is gone"
        );
        assert_eq!(
            input.spend_by_month,
            vec![
                (d("2025-02-01"), BEG, 0, 0),
                (d("2025-03-01"), BEG, 50_000, 600)
            ]
        );
        assert_eq!(
            input.referrer_spend,
            vec![(BEG, Some("02".into()), 50_000), (BEG, None, 0)]
        );
        assert_eq!(input.ceilings[0].spent_cents, 80_000);
        // c1: January stays, February goes, March comes back; c9 leaves.
        let mut months = input.client_months.clone();
        months.sort();
        assert_eq!(
            months,
            vec![
                (2025, number("c1"), BEG, ARNHEM, 0b001),
                (2025, number("c1"), BEG, ARNHEM, 0b100)
            ]
        );
        assert_eq!(input.clients_per_group.get(&BEG), Some(&1));
        assert_eq!(input.clients_per_municipality.get(&ARNHEM), Some(&1));
        let report = build(&input);
        assert_eq!(report.product_groups[0].approved_amount, dec("1000.00"));
        assert_eq!(report.product_groups[0].providers_with_clients, 5);
        assert_eq!(
            report.referrers,
            [ReferrerRow {
                product_group_code: "BEG".into(),
                product_group: "Begeleiding".into(),
                referrer: Some("02".into()),
                referrer_name: "Huisarts".into(),
                spend: dec("500.00"),
                clients: 0,
            }]
        );
        // Nothing recorded later: nothing changes.
        let mut same = self::tests::input();
        cut_off(&mut same, &[], &[]);
        assert_eq!(build(&same), build(&self::tests::input()));
    }

    /// GP (02) € 120 and 2 clients in BEG, unknown € 30 and 1 client; DB
    /// has only a court (08) client without spend.
    #[test]
    fn spend_and_clients_per_referrer() {
        let mut input = input();
        input.referrer_spend = vec![
            (BEG, Some("02".into()), 12_000),
            (BEG, None, 3_000),
            (BEG, Some("05".into()), 0),
        ];
        // c1 has two GP allocations in BEG (one client), c2 another;
        // c3 none known; c4 a court's in DB, removed (still in force).
        let at = |client: &str, group: Uuid, referrer: Option<&str>, removed: bool| InForce {
            client: number(client),
            product_group_id: group,
            product_id: Uuid::from_u128(50),
            provider_id: Uuid::from_u128(60),
            referrer: referrer.map(str::to_owned),
            start: d("2025-01-01"),
            end: None,
            removed,
        };
        input.in_force = vec![
            at("c1", BEG, Some("02"), false),
            at("c1", BEG, Some("02"), false),
            at("c2", BEG, Some("02"), false),
            at("c3", BEG, None, false),
            at("c4", DB, Some("08"), true),
        ];
        input.referrer_clients = referrer_clients(&input.in_force);
        let rows = referrer_rows(&input);
        let shown: Vec<(&str, Option<&str>, &str, Decimal, usize)> = rows
            .iter()
            .map(|r| {
                (
                    r.product_group_code.as_str(),
                    r.referrer.as_deref(),
                    r.referrer_name.as_str(),
                    r.spend,
                    r.clients,
                )
            })
            .collect();
        assert_eq!(
            shown,
            vec![
                ("BEG", Some("02"), "Huisarts", dec("120.00"), 2),
                ("BEG", None, "onbekend", dec("30.00"), 1),
                (
                    "DB",
                    Some("08"),
                    "Rechter, Officier van Justitie, functionaris Justitiële jeugdinrichting",
                    dec("0.00"),
                    1
                ),
            ]
        );
    }

    /// Client k1 in BEG at P1 from January and at P2 from 15 March (a
    /// stacked pair at two providers, shared days in Q1); k2 has the same
    /// product twice, but the shared days (April) fall after the period;
    /// k3 has two products at one provider (a combined arrangement); k5's
    /// second allocation overlaps a removed one.
    #[test]
    fn stacked_pairs_per_group_in_the_period() {
        let mut input = input();
        let held = |client: &str,
                    provider: u128,
                    product: u128,
                    start: &str,
                    end: Option<&str>,
                    removed: bool| InForce {
            client: number(client),
            product_group_id: BEG,
            product_id: Uuid::from_u128(product),
            provider_id: Uuid::from_u128(provider),
            referrer: None,
            start: d(start),
            end: end.map(d),
            removed,
        };
        input.in_force = vec![
            held("k1", 1, 50, "2025-01-01", None, false),
            held("k1", 2, 50, "2025-03-15", None, false),
            held("k2", 1, 50, "2025-01-01", Some("2025-04-30"), false),
            held("k2", 1, 50, "2025-04-01", None, false),
            held("k3", 1, 50, "2025-01-01", None, false),
            held("k3", 1, 51, "2025-01-01", None, false),
            // Removed: never stacked.
            held("k5", 1, 50, "2025-01-01", None, true),
            held("k5", 2, 50, "2025-01-01", None, false),
        ];
        let rows = stacked_rows(&input);
        assert_eq!(
            rows[0],
            StackedRow {
                product_group_code: "BEG".into(),
                product_group: "Begeleiding".into(),
                pairs: 1,
                different_providers: 1,
                same_product: 0,
                clients: 1,
            }
        );
        assert_eq!(rows[1].pairs, 0);
    }

    /// Beschermd wonen (product 50) at one house: 2 places all of Q1 2025;
    /// one client from 1 January, one from 16 February to 15 March.
    /// January: 62 place-days, 31 occupied (50%); February: 56, 28 + 13 =
    /// 41 (73.21%); March: 62, 31 + 15 = 46 (74.19%).
    #[test]
    fn places_per_month_and_product() {
        let mut input = input();
        let (house, bw) = (Uuid::from_u128(40), Uuid::from_u128(50));
        input.products = vec![ProductInfo {
            id: bw,
            code: "BW01".into(),
            name: "Beschermd wonen".into(),
        }];
        input.place_periods = vec![PlacePeriod {
            location: house,
            product: bw,
            places: 2,
            from: d("2024-01-01"),
            to: None,
        }];
        input.stays = vec![
            Stay {
                location: house,
                product: bw,
                from: d("2025-01-01"),
                to: None,
            },
            Stay {
                location: house,
                product: bw,
                from: d("2025-02-16"),
                to: Some(d("2025-03-15")),
            },
        ];
        let rows = places_rows(&input);
        let shown: Vec<(&str, i64, i64, Option<Decimal>)> = rows
            .iter()
            .map(|r| {
                (
                    r.month.as_str(),
                    r.place_days,
                    r.occupied_days,
                    r.occupancy_percent,
                )
            })
            .collect();
        assert_eq!(
            shown,
            vec![
                ("2025-01", 62, 31, Some(dec("50.00"))),
                ("2025-02", 56, 41, Some(dec("73.21"))),
                ("2025-03", 62, 46, Some(dec("74.19"))),
            ]
        );
        assert_eq!(rows[1].product_code, "BW01");
        assert_eq!(rows[1].average_places, dec("2.00"));
        assert_eq!(rows[1].average_occupied, dec("1.46"));
    }

    /// A 305 of 10 January before the cut-off, corrected by one of 12
    /// January after it: at the cut-off care had started on 10 January.
    #[test]
    fn a_start_of_care_corrected_after_the_cut_off_is_put_back() {
        let now = Recorded {
            end_date: None,
            stopped_on: None,
            care_started_on: Some(d("2025-01-12")),
            care_ended_on: None,
            removed: false,
            episodes: vec![],
        };
        let at_cut = rewind(
            now.clone(),
            &[Undo::StartCare {
                before: Some(d("2025-01-10")),
            }],
        );
        assert_eq!(at_cut.care_started_on, Some(d("2025-01-10")));
    }

    /// Allocation made 1 January 2025, open-ended. After the cut-off: a
    /// change gave it an end (31 December) and an episode, then a 305
    /// started care on 3 March, then a stop on 30 June. At the cut-off it
    /// was open-ended, without episodes or start of care.
    #[test]
    fn changes_after_the_cut_off_are_undone() {
        let at_cut = Recorded {
            end_date: None,
            stopped_on: None,
            care_started_on: None,
            care_ended_on: None,
            removed: false,
            episodes: vec![],
        };
        let changed = Recorded {
            end_date: Some(d("2025-12-31")),
            episodes: vec![(d("2025-04-01"), d("2025-04-30"))],
            ..at_cut.clone()
        };
        let now = Recorded {
            end_date: Some(d("2025-06-30")),
            stopped_on: Some(d("2025-06-30")),
            care_started_on: Some(d("2025-03-03")),
            ..changed.clone()
        };
        let newest_first = [
            Undo::Stop {
                end_before: Some(d("2025-12-31")),
            },
            Undo::StartCare { before: None },
            Undo::Update(at_cut.clone()),
        ];
        assert_eq!(rewind(now.clone(), &newest_first), at_cut);
        // Only the stop came after the cut-off: the change and the start stand.
        assert_eq!(
            rewind(now.clone(), &newest_first[..1]),
            Recorded {
                care_started_on: Some(d("2025-03-03")),
                ..changed
            }
        );
        let removed = Recorded {
            removed: true,
            ..now.clone()
        };
        assert_eq!(rewind(removed, &[Undo::Remove]), now);
        assert_eq!(rewind(now.clone(), &[]), now);
    }
}
