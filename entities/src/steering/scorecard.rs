//! A provider's scorecard (issue 28): its figures per product group over a
//! period, each beside the region's median for the providers of the same
//! group, so a contract manager sees where a provider stands.
//!
//! Every figure is rounded as it is shown (2 decimals, half away from
//! zero); a region median is the median of the shown figures of the
//! group's providers that have the figure (`null` figures are left out),
//! itself rounded the same way. The database work is in
//! `domain::steering::scorecards`.

use std::collections::BTreeMap;

use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;
use uuid::Uuid;

use crate::{enums::Law, money::cents_to_euros, report::display_percent};

/// 2 decimals, half away from zero: how every figure is shown.
pub fn round2(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// The median of `values` (any order): the middle one, or the mean of the
/// two middle ones for an even count; rounded by [`round2`].
pub fn median(values: &[Decimal]) -> Option<Decimal> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let n = sorted.len();
    let middle = match n {
        0 => return None,
        _ if n % 2 == 1 => sorted[n / 2],
        _ => (sorted[n / 2 - 1] + sorted[n / 2]) / Decimal::TWO,
    };
    Some(round2(middle))
}

/// The mean of whole days, rounded by [`round2`].
pub fn mean_days(days: &[i64]) -> Option<Decimal> {
    (!days.is_empty())
        .then(|| round2(Decimal::from(days.iter().sum::<i64>()) / Decimal::from(days.len())))
}

/// The median of whole days, rounded by [`round2`].
pub fn median_days(days: &[i64]) -> Option<Decimal> {
    median(&days.iter().map(|d| Decimal::from(*d)).collect::<Vec<_>>())
}

/// `part` of `whole` as a percentage, 2 decimals half away from zero
/// (`crate::report::display_percent`); `None` when `whole` is 0.
pub fn percent(part: i64, whole: i64) -> Option<Decimal> {
    (whole != 0).then(|| display_percent(Decimal::from(part) / Decimal::from(whole)))
}

/// The default period: the last 12 complete months before `today`'s month.
pub fn default_period(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let this_month = today.with_day(1).unwrap_or(today);
    let to = this_month.pred_opt().unwrap_or(this_month);
    let from = this_month
        .checked_sub_months(Months::new(12))
        .unwrap_or(this_month);
    (from, to)
}

/// How a product group's volume is counted, for hours per client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupUnit {
    /// Every product of the group counts time (hours or minutes).
    Hours,
    /// Not every product counts time: the unit its products share (`day`,
    /// `month`, `stay` for an arrangement per stay …), or `None` if mixed.
    Other(Option<String>),
}

impl GroupUnit {
    /// The unit as the scorecard names it.
    pub fn name(&self) -> Option<String> {
        match self {
            Self::Hours => Some("hour".into()),
            Self::Other(unit) => unit.clone(),
        }
    }
}

/// Why an allocation's care ended, as the scorecard counts its outflow.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Ending {
    /// A RedenBeeindiging code of the group's law (WMO588 / JZ588).
    Reason(String),
    /// Stopped by the office with a reason in words, not a code.
    Stopped,
    /// The provider reported the end of care (307) and no code is stored.
    CareEnded,
    /// The allocation reached its end date.
    EndDate,
}

/// The Dutch name of a RedenBeeindiging code of `law` (WMO588 for the Wmo,
/// JZ588 for the Jeugdwet: code 31 differs between them).
pub fn reason_name(law: Law, code: &str) -> Option<&'static str> {
    let common = match code {
        "02" => Some("Overlijden"),
        "20" => Some("Levering is tijdelijk beëindigd"),
        "36" => Some("Geïnitieerd door de gemeente"),
        "37" => Some("In verband met wijzigingsverzoek"),
        "38" => Some("Overstap naar andere aanbieder"),
        "39" => Some("Uitstroom naar ander domein"),
        _ => None,
    };
    common.or(match (law, code) {
        (Law::Wmo, "19") => Some("Levering volgens plan beëindigd"),
        (Law::Wmo, "21") => Some("Levering is eenzijdig door cliënt beëindigd"),
        (Law::Wmo, "22") => Some("Levering is eenzijdig door aanbieder beëindigd"),
        (Law::Wmo, "23") => Some("Levering is in overeenstemming voortijdig beëindigd"),
        (Law::Wmo, "31") => Some("Verhuizing naar een andere gemeente"),
        (Law::Jeugdwet, "31") => Some("Levering is volgens plan beëindigd"),
        (Law::Jeugdwet, "32") => Some("Voortijdig afgesloten, door cliënt"),
        (Law::Jeugdwet, "33") => Some("Voortijdig afgesloten, door aanbieder"),
        (Law::Jeugdwet, "34") => Some("Voortijdig afgesloten, in overleg"),
        (Law::Jeugdwet, "35") => Some("Voortijdig afgesloten, externe oorzaak"),
        _ => None,
    })
}

impl Ending {
    /// Why an allocation ended: the stored reason when it is a
    /// RedenBeeindiging code of the law, else how it ended.
    pub fn of(law: Law, stop_reason: Option<&str>, stopped: bool, care_ended: bool) -> Self {
        let code = stop_reason
            .map(str::trim)
            .filter(|c| reason_name(law, c).is_some());
        match code {
            Some(code) => Self::Reason(code.to_owned()),
            None if stopped => Self::Stopped,
            None if care_ended => Self::CareEnded,
            None => Self::EndDate,
        }
    }

    /// The RedenBeeindiging code, if any.
    pub fn code(&self) -> Option<String> {
        match self {
            Self::Reason(code) => Some(code.clone()),
            _ => None,
        }
    }

    /// The ending's name in Dutch.
    pub fn name(&self, law: Law) -> &'static str {
        match self {
            Self::Reason(code) => reason_name(law, code).unwrap_or("Onbekende reden"),
            Self::Stopped => "Gestopt door het regiebureau (reden zonder code)",
            Self::CareEnded => "Zorg beëindigd door de aanbieder (reden niet vastgelegd)",
            Self::EndDate => "Einddatum toewijzing bereikt",
        }
    }
}

/// The Dutch meaning of a declaration line's reason code
/// (`crate::declaration_rules::codes`).
pub fn rejection_meaning(code: &str) -> &'static str {
    match code {
        "9321" => "Volume overschrijdt de toewijzing binnen de frequentie",
        "9322" => "Volume overschrijdt het totaal toegewezen volume",
        "9369" => "Bedrag overschrijdt het toegewezen budget",
        "9339" => "Productcategorie wijkt af van de toewijzing",
        "9340" => "Productcode wijkt af van de toewijzing",
        "9341" => "Eenheid wijkt af van de toewijzing",
        "9346" => "Bedrag is niet geleverd volume maal tarief",
        "0611" => "Tarief wijkt af van het contracttarief",
        "9338" => "Geen toewijzing met dit nummer",
        "9307" => "Periode begint vóór de toewijzing of na het einde ervan",
        "9308" => "Periode eindigt na het einde van de toewijzing",
        "8187" => "Cliënt is niet de cliënt van de toewijzing",
        "9384" => "Toewijzing is verwijderd",
        "8021" => "Referentienummer is eerder gebruikt",
        "8017" => "Creditregel zonder goedgekeurde debetregel",
        "9389" => "Eerdere debetregel voor dezelfde periode is niet gecrediteerd",
        "9390" => "Debetregel is al gecrediteerd",
        "9387" => "Periode begint niet op de eerste van de maand",
        "9388" => "Periode eindigt niet op de laatste dag van de maand",
        "9333" => "Declaratienummer is eerder gebruikt",
        "9319" => "Periode valt buiten de declaratieperiode",
        "ZR03" => "Geen geldig tarief op de leverdatum",
        "ZR04" => "Declarerende aanbieder is niet de aanbieder van de toewijzing",
        "ZR05" => "Periode eindigt vóór het begin of beslaat meer dan één maand",
        "ZR07" => "Geleverd volume niet positief of bedrag buiten bereik",
        "ZR08" => "Product wordt uit een taakbudget bekostigd",
        "ZR09" => "Arrangement is voor deze periode al gedeclareerd",
        "ZR10" => "Zorg na het einde van het contract",
        "ZR11" => "Verzuimdag naast de dagbehandeling die hij vervangt",
        _ => "Onbekende reden",
    }
}

/// What the rollups, allocations and rejected lines hold of one provider
/// in one product group over the period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cell {
    /// Approved spend (and paid task instalments) in cents.
    pub spend_cents: i64,
    /// Approved time in minutes.
    pub minutes: i64,
    /// Approved lines (debits and credits).
    pub approved_lines: i64,
    /// Rejected lines.
    pub rejected_lines: i64,
    /// Distinct clients with approved care in the period.
    pub clients: usize,
    /// Days from allocation to the start of care, of the allocations whose
    /// care started in the period (`crate::report::waiting_days`).
    pub waits: Vec<i64>,
    /// Days of care (start to end, both counted) of the allocations whose
    /// care ended in the period.
    pub durations: Vec<i64>,
    /// How those same allocations ended.
    pub endings: Vec<Ending>,
}

/// A provider's figures in one product group, each rounded as shown.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Figures {
    pub spend: Decimal,
    pub clients: usize,
    /// Hours per client for a group in hours; `None` otherwise (never 0
    /// for a group bought in days) or without clients.
    pub hours_per_client: Option<Decimal>,
    pub ended: usize,
    pub mean_duration_days: Option<Decimal>,
    pub started: usize,
    pub median_wait_days: Option<Decimal>,
    pub mean_wait_days: Option<Decimal>,
    pub rejected_lines: i64,
    /// Approved plus rejected lines.
    pub assessed_lines: i64,
    pub rejected_percent: Option<Decimal>,
    /// Its spend as a percentage of the group's spend in the region.
    pub market_share_percent: Option<Decimal>,
}

impl Figures {
    /// The figures of `cell` in a group of `unit` whose spend in the region
    /// is `group_spend_cents`.
    pub fn of(cell: &Cell, unit: &GroupUnit, group_spend_cents: i64) -> Self {
        let hours_per_client = match unit {
            GroupUnit::Hours if cell.clients > 0 => Some(round2(
                Decimal::from(cell.minutes) / Decimal::from(60) / Decimal::from(cell.clients),
            )),
            _ => None,
        };
        let mut waits = cell.waits.clone();
        waits.sort_unstable();
        let assessed = cell.approved_lines + cell.rejected_lines;
        Self {
            spend: cents_to_euros(cell.spend_cents),
            clients: cell.clients,
            hours_per_client,
            ended: cell.durations.len(),
            mean_duration_days: mean_days(&cell.durations),
            started: cell.waits.len(),
            median_wait_days: median_days(&waits),
            mean_wait_days: mean_days(&waits),
            rejected_lines: cell.rejected_lines,
            assessed_lines: assessed,
            rejected_percent: percent(cell.rejected_lines, assessed),
            market_share_percent: (group_spend_cents > 0)
                .then(|| percent(cell.spend_cents, group_spend_cents))
                .flatten(),
        }
    }
}

/// The region's medians of [`Figures`] over a group's providers.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Medians {
    pub spend: Option<Decimal>,
    pub clients: Option<Decimal>,
    pub hours_per_client: Option<Decimal>,
    pub mean_duration_days: Option<Decimal>,
    pub median_wait_days: Option<Decimal>,
    pub mean_wait_days: Option<Decimal>,
    pub rejected_lines: Option<Decimal>,
    pub rejected_percent: Option<Decimal>,
    pub market_share_percent: Option<Decimal>,
}

impl Medians {
    /// The medians over `figures` (one per provider of the group).
    pub fn of<'a>(figures: impl IntoIterator<Item = &'a Figures> + Clone) -> Self {
        let of = |pick: fn(&Figures) -> Option<Decimal>| {
            median(
                &figures
                    .clone()
                    .into_iter()
                    .filter_map(pick)
                    .collect::<Vec<_>>(),
            )
        };
        Self {
            spend: of(|f| Some(f.spend)),
            clients: of(|f| Some(Decimal::from(f.clients))),
            hours_per_client: of(|f| f.hours_per_client),
            mean_duration_days: of(|f| f.mean_duration_days),
            median_wait_days: of(|f| f.median_wait_days),
            mean_wait_days: of(|f| f.mean_wait_days),
            rejected_lines: of(|f| Some(Decimal::from(f.rejected_lines))),
            rejected_percent: of(|f| f.rejected_percent),
            market_share_percent: of(|f| f.market_share_percent),
        }
    }
}

/// One product group's providers: each provider's figures and the medians.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupStanding {
    pub providers: BTreeMap<Uuid, Figures>,
    pub medians: Medians,
    /// The group's spend in the region, in cents.
    pub spend_cents: i64,
}

/// The figures of every provider of a group (the providers with a cell:
/// spend, clients, allocations or rejected lines in the group in the
/// period) and the region's medians over them.
pub fn group_standing(unit: &GroupUnit, cells: &BTreeMap<Uuid, Cell>) -> GroupStanding {
    let spend_cents: i64 = cells.values().map(|c| c.spend_cents).sum();
    let providers: BTreeMap<Uuid, Figures> = cells
        .iter()
        .map(|(id, cell)| (*id, Figures::of(cell, unit, spend_cents)))
        .collect();
    let medians = Medians::of(providers.values());
    GroupStanding {
        providers,
        medians,
        spend_cents,
    }
}

/// A row of a provider's outflow in a group.
#[derive(Debug, Clone, PartialEq)]
pub struct OutflowRow {
    pub ending: Ending,
    pub allocations: usize,
    /// Of the provider's ended allocations in the group.
    pub share_percent: Option<Decimal>,
    /// The median share of this ending over the group's providers with an
    /// ended allocation (0 for those without this ending).
    pub share_percent_region_median: Option<Decimal>,
}

/// The fewest providers of a group whose medians a provider may read: with
/// two, the median and its own figure give the other's.
pub const FEWEST_FOR_MEDIANS: usize = 3;

/// Whether a provider may read the medians of a group of `providers`
/// providers it is `in_group` of: only as one of at least
/// [`FEWEST_FOR_MEDIANS`] (the office reads them always).
pub fn provider_reads_medians(in_group: bool, providers: usize) -> bool {
    in_group && providers >= FEWEST_FOR_MEDIANS
}

/// `provider`'s outflow in a group by ending, most frequent first (then by
/// ending), with the region median of each share.
pub fn outflow(provider: Uuid, cells: &BTreeMap<Uuid, Cell>) -> Vec<OutflowRow> {
    let counts = |cell: &Cell| {
        let mut by: BTreeMap<Ending, usize> = BTreeMap::new();
        for e in &cell.endings {
            *by.entry(e.clone()).or_default() += 1;
        }
        by
    };
    let Some(own) = cells.get(&provider) else {
        return vec![];
    };
    let own_counts = counts(own);
    let others: Vec<(usize, BTreeMap<Ending, usize>)> = cells
        .values()
        .filter(|c| !c.endings.is_empty())
        .map(|c| (c.endings.len(), counts(c)))
        .collect();
    let mut rows: Vec<OutflowRow> = own_counts
        .into_iter()
        .map(|(ending, n)| {
            let shares: Vec<Decimal> = others
                .iter()
                .filter_map(|(total, by)| {
                    percent(by.get(&ending).copied().unwrap_or(0) as i64, *total as i64)
                })
                .collect();
            OutflowRow {
                share_percent: percent(n as i64, own.endings.len() as i64),
                share_percent_region_median: median(&shares),
                ending,
                allocations: n,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.allocations
            .cmp(&a.allocations)
            .then(a.ending.cmp(&b.ending))
    });
    rows
}

/// A reason code of rejected lines.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RejectionReason {
    pub reason_code: Option<String>,
    pub meaning: String,
    pub lines: i64,
    /// Of the provider's rejected lines.
    pub share_percent: Option<Decimal>,
}

/// How many reasons the scorecard shows.
pub const TOP_REASONS: usize = 5;

/// The [`TOP_REASONS`] most frequent reason codes of `counts` (code →
/// lines), most lines first, then by code.
pub fn top_reasons(counts: &BTreeMap<Option<String>, i64>) -> Vec<RejectionReason> {
    let total: i64 = counts.values().sum();
    let mut rows: Vec<(&Option<String>, i64)> = counts.iter().map(|(c, n)| (c, *n)).collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    rows.into_iter()
        .take(TOP_REASONS)
        .map(|(code, lines)| RejectionReason {
            reason_code: code.clone(),
            meaning: code
                .as_deref()
                .map_or("Geen reden vastgelegd", rejection_meaning)
                .to_owned(),
            lines,
            share_percent: percent(lines, total),
        })
        .collect()
}

/// The overall compliance standing: the worst of the latest checks
/// (`failed` before `expired` before `expiring` before `valid`), or
/// `unchecked` without any.
pub fn overall_standing<'a>(standings: impl IntoIterator<Item = &'a str>) -> &'static str {
    const ORDER: [&str; 4] = ["failed", "expired", "expiring", "valid"];
    let found: Vec<&str> = standings.into_iter().collect();
    ORDER
        .into_iter()
        .find(|s| found.contains(s))
        .unwrap_or("unchecked")
}

/// A row of the list of a group's providers, for sorting.
pub trait SortKey {
    /// The value of field `key` (`None` sorts last).
    fn key(&self, key: SortField) -> Option<Decimal>;
    fn agb(&self) -> &str;
}

/// The fields the list sorts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortField {
    Spend,
    Clients,
    HoursPerClient,
    MedianWaitDays,
    RejectedPercent,
    MarketSharePercent,
    ProviderAgb,
}

impl SortField {
    pub const NAMES: [&'static str; 7] = [
        "spend",
        "clients",
        "hoursPerClient",
        "medianWaitDays",
        "rejectedPercent",
        "marketSharePercent",
        "providerAgb",
    ];

    /// `spend`, `-spend` (descending) …: the field and whether descending.
    pub fn parse(text: &str) -> Option<(Self, bool)> {
        let (name, descending) = match text.strip_prefix('-') {
            Some(name) => (name, true),
            None => (text, false),
        };
        let field = match name {
            "spend" => Self::Spend,
            "clients" => Self::Clients,
            "hoursPerClient" => Self::HoursPerClient,
            "medianWaitDays" => Self::MedianWaitDays,
            "rejectedPercent" => Self::RejectedPercent,
            "marketSharePercent" => Self::MarketSharePercent,
            "providerAgb" => Self::ProviderAgb,
            _ => return None,
        };
        Some((field, descending))
    }
}

/// Sorts `rows` on `field`, descending if asked; rows without the figure
/// last either way, ties by AGB.
pub fn sort_rows<R: SortKey>(rows: &mut [R], field: SortField, descending: bool) {
    rows.sort_by(|a, b| {
        let order = match (a.key(field), b.key(field)) {
            (Some(x), Some(y)) if descending => y.cmp(&x),
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        };
        let by_agb = if field == SortField::ProviderAgb && descending {
            b.agb().cmp(a.agb())
        } else {
            a.agb().cmp(b.agb())
        };
        order.then(by_agb)
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn the_default_period_is_the_last_twelve_complete_months() {
        assert_eq!(
            default_period(d("2026-12-07")),
            (d("2025-12-01"), d("2026-11-30"))
        );
        assert_eq!(
            default_period(d("2026-01-01")),
            (d("2025-01-01"), d("2025-12-31"))
        );
    }

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[dec("7")]), Some(dec("7")));
        assert_eq!(median(&[dec("9"), dec("1"), dec("4")]), Some(dec("4")));
        // Even: the mean of the two middle ones (3 and 4).
        assert_eq!(
            median(&[dec("10"), dec("3"), dec("1"), dec("4")]),
            Some(dec("3.5"))
        );
        // 33.33 and 33.34 → 33.335 → 33.34 (half away from zero).
        assert_eq!(median(&[dec("33.33"), dec("33.34")]), Some(dec("33.34")));
        assert_eq!(median_days(&[2, 5]), Some(dec("3.5")));
        assert_eq!(mean_days(&[1, 2, 2]), Some(dec("1.67")));
    }

    /// Three providers of a group in hours: A 600 €, 2 clients, 5 h; B
    /// 300 €, 1 client, 3 h; C 100 €, 1 client, 0 h. The group spends 1000 €.
    fn three() -> BTreeMap<Uuid, Cell> {
        let cell = |spend_cents, clients, minutes, approved, rejected| Cell {
            spend_cents,
            clients,
            minutes,
            approved_lines: approved,
            rejected_lines: rejected,
            ..Cell::default()
        };
        BTreeMap::from([
            (id(1), cell(60_000, 2, 300, 9, 1)),
            (id(2), cell(30_000, 1, 180, 3, 1)),
            (id(3), cell(10_000, 1, 0, 4, 0)),
        ])
    }

    #[test]
    fn a_provider_just_at_the_median() {
        let g = group_standing(&GroupUnit::Hours, &three());
        assert_eq!(g.spend_cents, 100_000);
        let b = &g.providers[&id(2)];
        assert_eq!(b.spend, dec("300"));
        assert_eq!(g.medians.spend, Some(dec("300")));
        assert_eq!(b.market_share_percent, Some(dec("30.00")));
        assert_eq!(g.medians.market_share_percent, Some(dec("30.00")));
        // Hours per client: A 5 h / 2 = 2.5, B 3, C 0 → median 2.5.
        assert_eq!(g.providers[&id(1)].hours_per_client, Some(dec("2.50")));
        assert_eq!(b.hours_per_client, Some(dec("3")));
        assert_eq!(g.providers[&id(3)].hours_per_client, Some(dec("0")));
        assert_eq!(g.medians.hours_per_client, Some(dec("2.5")));
        // Rejected: A 1 of 10 = 10%, B 1 of 4 = 25%, C 0 of 4 = 0%.
        assert_eq!(g.providers[&id(1)].rejected_percent, Some(dec("10.00")));
        assert_eq!(b.rejected_percent, Some(dec("25.00")));
        assert_eq!(g.medians.rejected_percent, Some(dec("10")));
        assert_eq!(g.medians.clients, Some(dec("1")));
    }

    #[test]
    fn market_share_is_rounded_half_away_from_zero() {
        // 1/3 → 33.33; 2/3 → 66.67; 1/8 = 12.5% exactly; 1/16 = 6.25%.
        let cells = BTreeMap::from([
            (
                id(1),
                Cell {
                    spend_cents: 1,
                    ..Cell::default()
                },
            ),
            (
                id(2),
                Cell {
                    spend_cents: 2,
                    ..Cell::default()
                },
            ),
        ]);
        let g = group_standing(&GroupUnit::Hours, &cells);
        assert_eq!(g.providers[&id(1)].market_share_percent, Some(dec("33.33")));
        assert_eq!(g.providers[&id(2)].market_share_percent, Some(dec("66.67")));
        // Median of an even count of shown figures: (33.33 + 66.67) / 2.
        assert_eq!(g.medians.market_share_percent, Some(dec("50")));
        assert_eq!(percent(1, 200_000), Some(dec("0.00")));
        assert_eq!(percent(1, 200), Some(dec("0.50")));
        assert_eq!(percent(1, 16), Some(dec("6.25")));
        // 1/2000 = 0.05% exactly; 1/1999 = 0.050025…% → 0.05.
        assert_eq!(percent(1, 2000), Some(dec("0.05")));
        // A group without spend has no shares.
        let nothing = BTreeMap::from([(id(1), Cell::default())]);
        let g = group_standing(&GroupUnit::Hours, &nothing);
        assert_eq!(g.providers[&id(1)].market_share_percent, None);
    }

    #[test]
    fn hours_per_client_of_a_day_product_group_is_null() {
        let unit = GroupUnit::Other(Some("day".into()));
        let g = group_standing(&unit, &three());
        assert!(g.providers.values().all(|f| f.hours_per_client.is_none()));
        assert_eq!(g.medians.hours_per_client, None);
        assert_eq!(unit.name().as_deref(), Some("day"));
        // In hours but without clients: null, not 0.
        let g = group_standing(
            &GroupUnit::Hours,
            &BTreeMap::from([(id(1), Cell::default())]),
        );
        assert_eq!(g.providers[&id(1)].hours_per_client, None);
    }

    #[test]
    fn waits_and_durations() {
        let cell = Cell {
            waits: vec![10, 0, 3, 5],
            durations: vec![30, 31, 61],
            ..Cell::default()
        };
        let f = Figures::of(&cell, &GroupUnit::Hours, 0);
        assert_eq!(f.started, 4);
        // 0 3 5 10: median (3 + 5) / 2 = 4, mean 18 / 4 = 4.5.
        assert_eq!(f.median_wait_days, Some(dec("4")));
        assert_eq!(f.mean_wait_days, Some(dec("4.5")));
        // 122 / 3 = 40.666… → 40.67.
        assert_eq!(f.ended, 3);
        assert_eq!(f.mean_duration_days, Some(dec("40.67")));
        let none = Figures::of(&Cell::default(), &GroupUnit::Hours, 0);
        assert_eq!(
            (none.median_wait_days, none.mean_duration_days),
            (None, None)
        );
        assert_eq!(none.rejected_percent, None);
    }

    #[test]
    fn endings_are_named_per_law() {
        assert_eq!(
            Ending::of(Law::Wmo, Some("31"), false, true),
            Ending::Reason("31".into())
        );
        assert_eq!(
            Ending::Reason("31".into()).name(Law::Wmo),
            "Verhuizing naar een andere gemeente"
        );
        assert_eq!(
            Ending::Reason("31".into()).name(Law::Jeugdwet),
            "Levering is volgens plan beëindigd"
        );
        // 19 is a Wmo code only; words are not a code.
        assert_eq!(
            Ending::of(Law::Jeugdwet, Some("19"), false, true),
            Ending::CareEnded
        );
        assert_eq!(
            Ending::of(Law::Wmo, Some("verhuisd"), true, false),
            Ending::Stopped
        );
        assert_eq!(Ending::of(Law::Wmo, None, false, false), Ending::EndDate);
        assert_eq!(Ending::EndDate.code(), None);
    }

    #[test]
    fn a_provider_reads_medians_only_among_three_or_more() {
        assert!(
            !provider_reads_medians(true, 2),
            "two: the median gives the other away"
        );
        assert!(provider_reads_medians(true, 3));
        assert!(!provider_reads_medians(false, 10), "not in the group");
    }

    #[test]
    fn outflow_by_ending_with_the_median_share() {
        let ending = |e: &[Ending]| Cell {
            endings: e.to_vec(),
            ..Cell::default()
        };
        let moved = Ending::Reason("31".into());
        // A: 2 moved, 1 end date; B: 1 moved; C: nothing ended.
        let cells = BTreeMap::from([
            (
                id(1),
                ending(&[moved.clone(), Ending::EndDate, moved.clone()]),
            ),
            (id(2), ending(std::slice::from_ref(&moved))),
            (id(3), Cell::default()),
        ]);
        let rows = outflow(id(1), &cells);
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].ending.clone(), rows[0].allocations), (moved, 2));
        assert_eq!(rows[0].share_percent, Some(dec("66.67")));
        // Shares of "moved" over A and B: 66.67 and 100 → 83.335 → 83.34.
        assert_eq!(rows[0].share_percent_region_median, Some(dec("83.34")));
        assert_eq!(rows[1].ending, Ending::EndDate);
        // End date: A 33.33, B 0 → 16.665 → 16.67.
        assert_eq!(rows[1].share_percent_region_median, Some(dec("16.67")));
        assert!(outflow(id(3), &cells).is_empty());
    }

    #[test]
    fn the_top_reasons_most_lines_first() {
        let counts = BTreeMap::from([
            (Some("9321".to_owned()), 1),
            (Some("0611".to_owned()), 3),
            (Some("ZR03".to_owned()), 1),
            (None, 1),
            (Some("9307".to_owned()), 2),
            (Some("9308".to_owned()), 1),
        ]);
        let top = top_reasons(&counts);
        assert_eq!(top.len(), TOP_REASONS);
        assert_eq!(top[0].reason_code.as_deref(), Some("0611"));
        assert_eq!(top[0].meaning, "Tarief wijkt af van het contracttarief");
        // 3 of 9 lines.
        assert_eq!(top[0].share_percent, Some(dec("33.33")));
        assert_eq!(top[1].reason_code.as_deref(), Some("9307"));
        // Ties by code, no code first: None, 9308, 9321 (ZR03 left out).
        assert_eq!(top[2].reason_code, None);
        assert_eq!(top[3].reason_code.as_deref(), Some("9308"));
        assert_eq!(top[4].reason_code.as_deref(), Some("9321"));
    }

    #[test]
    fn the_worst_check_decides_the_standing() {
        assert_eq!(
            overall_standing(["valid", "expired", "expiring"]),
            "expired"
        );
        assert_eq!(overall_standing(["valid"]), "valid");
        assert_eq!(overall_standing([]), "unchecked");
        assert_eq!(overall_standing(["expiring", "failed"]), "failed");
    }

    struct Row(&'static str, Option<Decimal>);
    impl SortKey for Row {
        fn key(&self, _: SortField) -> Option<Decimal> {
            self.1
        }
        fn agb(&self) -> &str {
            self.0
        }
    }

    #[test]
    fn sorting_puts_rows_without_the_figure_last() {
        let mut rows = vec![
            Row("3", Some(dec("2"))),
            Row("1", None),
            Row("2", Some(dec("5"))),
            Row("4", Some(dec("2"))),
        ];
        sort_rows(&mut rows, SortField::Spend, true);
        let agbs: Vec<&str> = rows.iter().map(|r| r.0).collect();
        assert_eq!(agbs, ["2", "3", "4", "1"]);
        sort_rows(&mut rows, SortField::Spend, false);
        let agbs: Vec<&str> = rows.iter().map(|r| r.0).collect();
        assert_eq!(agbs, ["3", "4", "2", "1"]);
        assert_eq!(SortField::parse("-spend"), Some((SortField::Spend, true)));
        assert_eq!(
            SortField::parse("medianWaitDays"),
            Some((SortField::MedianWaitDays, false))
        );
        assert_eq!(SortField::parse("--spend"), None);
    }
}
