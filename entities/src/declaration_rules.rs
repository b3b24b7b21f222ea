//! Assessing declaration lines: each line is approved with an amount or
//! rejected with a reason code. iWmo return codes where they exist, and our
//! own `ZR..` codes for the rest (listed in [`codes`]).
//!
//! The assessor works on data loaded up front (allocations, tariffs, earlier
//! approved lines, budget ceilings) and keeps a running ledger, so the lines
//! of one batch count against each other in order.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::{
    allocation_rules::{Episode, Grant, Volume},
    enums::{ArrangementPeriod, FundingVariant, Law, Unit, VolumeFrequency},
    funding::intensive_hours_fit,
    money::{cents_to_euros, euros_to_cents, round_to_cents_half_away_from_zero},
    period::contains,
    schema::{allocation, budget_ceiling, product, tariff},
};

/// Reason codes of rejected lines: the iWmo return code (WJ001) where the
/// standard has one, our own `ZR..` code where it has none.
pub mod codes {
    /// iWmo: declared volume exceeds the allocation within its frequency window (day, week, month).
    pub const OVER_VOLUME_IN_WINDOW: &str = "9321";
    /// iWmo: declared volume exceeds the allocation's total volume.
    pub const OVER_TOTAL_VOLUME: &str = "9322";
    /// iWmo: declared amount exceeds the allocated budget.
    pub const OVER_BUDGET: &str = "9369";
    /// iWmo: product category differs from the allocation's.
    pub const CATEGORY_DIFFERS: &str = "9339";
    /// iWmo: product code differs from the allocation's.
    pub const PRODUCT_DIFFERS: &str = "9340";
    /// iWmo: unit differs from the allocation's.
    pub const UNIT_DIFFERS: &str = "9341";
    /// iWmo: declared amount is not delivered volume × tariff.
    pub const AMOUNT_MISMATCH: &str = "9346";
    /// iWmo: declared tariff differs from the contract tariff.
    pub const TARIFF_DIFFERS: &str = "0611";
    /// iWmo (TR338): no allocation with this number in the region.
    pub const NO_ALLOCATION: &str = "9338";
    /// iWmo (TR307): the period starts before the allocation or after its end.
    pub const STARTS_OUTSIDE_ALLOCATION: &str = "9307";
    /// iWmo (TR308): the period ends after the allocation's end.
    pub const ENDS_OUTSIDE_ALLOCATION: &str = "9308";
    /// iWmo (TR304): the client named on the line is not the allocation's client.
    pub const NOT_THIS_CLIENT: &str = "8187";
    /// iWmo (TR384): the allocation was removed (RedenWijziging 13).
    pub const ALLOCATION_REMOVED: &str = "9384";
    /// iWmo (TR314): the reference number was used before by this provider in this law.
    pub const REFERENCE_USED: &str = "8021";
    /// iWmo (TR323): a credit whose previous reference names no approved debit.
    pub const NO_DEBIT_FOR_CREDIT: &str = "8017";
    /// iWmo (TR389): an approved debit for the same allocation, product and period is not credited.
    pub const DEBIT_NOT_CREDITED: &str = "9389";
    /// iWmo (TR390): the debit was credited already.
    pub const ALREADY_CREDITED: &str = "9390";
    /// iWmo (TR387): the period does not start on the 1st though the allocation started before.
    pub const NOT_FROM_MONTH_START: &str = "9387";
    /// iWmo (TR388): the period does not end on the month's last day though the allocation runs on.
    pub const NOT_TO_MONTH_END: &str = "9388";
    /// iWmo (TR333): the DeclaratieNummer was used before by this provider in this law.
    pub const DECLARATION_NUMBER_USED: &str = "9333";
    /// iWmo (TR319): the period is not within the declaration period (a 323's DeclaratiePeriode).
    pub const OUTSIDE_DECLARATION_PERIOD: &str = "9319";
    /// No tariff is valid on the service date.
    pub const NO_TARIFF: &str = "ZR03";
    /// The declaring provider is not the allocation's provider.
    pub const NOT_YOUR_ALLOCATION: &str = "ZR04";
    /// The period ends before it starts or spans more than one calendar month.
    pub const BAD_PERIOD: &str = "ZR05";
    /// The allocation is of a task-funded product: the task is paid by its
    /// budget's instalments, never per client.
    pub const TASK_FUNDED: &str = "ZR08";
    /// An arrangement is declared once (volume 1) per client and period (a
    /// calendar month, or the stay), and this one was declared already.
    pub const ARRANGEMENT_DECLARED: &str = "ZR09";
    /// The delivered volume is not positive, or its amount is out of range.
    pub const NO_VOLUME: &str = "ZR07";
    /// The care lies after the last day of the provider's contract (its end
    /// or termination), and no bridging agreement covers the allocation to then.
    pub const CONTRACT_ENDED: &str = "ZR10";
    /// An absence day beside the day product it replaces (seed 000 §4.1):
    /// for the same client, the days of the two together exceed the days
    /// their periods span; on one day, only one of them is paid.
    pub const ABSENCE_DAY_BESIDE_DAY_CARE: &str = "ZR11";

    /// The WJ001 code a 325 answer carries for a reason code: our own codes
    /// have no place in the national list, so each maps to the nearest.
    pub fn standard_code(code: &str) -> &str {
        match code {
            NO_TARIFF => TARIFF_DIFFERS,
            NOT_YOUR_ALLOCATION => NO_ALLOCATION,
            BAD_PERIOD => OUTSIDE_DECLARATION_PERIOD,
            TASK_FUNDED => NO_ALLOCATION,
            ARRANGEMENT_DECLARED => OVER_VOLUME_IN_WINDOW,
            NO_VOLUME => OVER_VOLUME_IN_WINDOW,
            CONTRACT_ENDED => ENDS_OUTSIDE_ALLOCATION,
            ABSENCE_DAY_BESIDE_DAY_CARE => OVER_VOLUME_IN_WINDOW,
            other => other,
        }
    }
}

/// One declaration line as submitted.
#[derive(Debug, Clone)]
pub struct LineIn {
    pub allocation_number: i64,
    pub product_code: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// Units of the allocation's unit; cents for a budget.
    pub delivered_volume: i64,
    pub declared_amount_cents: Option<i64>,
    pub declared_tariff_cents: Option<i64>,
    pub unit: Option<Unit>,
    /// The pseudonym of the client the line names (a 323's Bsn), checked
    /// against the allocation's (8187); JSON lines name none.
    pub client_key: Option<String>,
    /// The prestatie's ReferentieNummer. A line with one follows the
    /// prestatie rules of iWmo (8021, 9387/9388, 9389); one without is a
    /// plain line (JSON only).
    pub reference: Option<String>,
    /// A credit reverses the approved debit its `previous_reference` names.
    pub credit: bool,
    pub previous_reference: Option<String>,
    /// The 323's DeclaratiePeriode: the line's period must lie within it (9319).
    pub declaration_period: Option<(NaiveDate, NaiveDate)>,
    /// The municipality a 323 is addressed to: it knows only its own
    /// allocations, so another municipality's is no allocation (9338).
    pub municipality_id: Option<Uuid>,
    /// The law of the message (a WMO323 or a JW323): an allocation under
    /// the other law is none of its allocations (9338).
    pub law: Option<Law>,
    /// The prestatie's ProductCategorie, checked against the product's (9339).
    pub category: Option<String>,
}

impl LineIn {
    /// A plain debit line, as the JSON batch has always sent them.
    pub fn debit(
        allocation_number: i64,
        product_code: String,
        period: (NaiveDate, NaiveDate),
        delivered_volume: i64,
    ) -> Self {
        Self {
            allocation_number,
            product_code,
            period_start: period.0,
            period_end: period.1,
            delivered_volume,
            declared_amount_cents: None,
            declared_tariff_cents: None,
            unit: None,
            client_key: None,
            reference: None,
            credit: false,
            previous_reference: None,
            declaration_period: None,
            municipality_id: None,
            law: None,
            category: None,
        }
    }
}

/// A reference number already taken, with what a credit needs to know of
/// the line that took it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TakenReference {
    pub line_id: Uuid,
    pub allocation_number: i64,
    pub credit: bool,
    pub approved: bool,
    /// Set when an approved credit reversed the line.
    pub reversed: bool,
    pub amount_cents: Option<i64>,
    pub period_start: NaiveDate,
}

/// References are unique per provider and law (TR314).
pub type ReferenceKey = (Uuid, Law, String);

/// An allocation with what the assessment needs next to it.
#[derive(Debug, Clone)]
pub struct AllocationFacts {
    pub allocation: allocation::Model,
    pub product: product::Model,
    /// The law of the product's group: references are unique per law.
    pub law: Law,
    pub episodes: Vec<Episode>,
    /// The last day care may be delivered: the provider's contract's last
    /// day, or a bridging agreement's later one. `None` when no contract
    /// covers the allocation any more (one removed as entered by mistake).
    pub care_until: Option<NaiveDate>,
}

/// An approved line already stored.
#[derive(Debug, Clone, Copy)]
pub struct ApprovedLine {
    pub line_id: Uuid,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub delivered_volume: i64,
    pub amount_cents: i64,
    /// Declared on the main product's temporary-intensive product.
    pub intensive: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub allocation_id: Option<Uuid>,
    pub approved: bool,
    pub reason_code: Option<&'static str>,
    pub reason: Option<String>,
    pub amount_cents: Option<i64>,
    pub tariff_id: Option<Uuid>,
    /// The reference the line took (provider, law, number), to be stored.
    pub took_reference: Option<ReferenceKey>,
    /// For an approved credit: the debit line it reverses.
    pub reverses: Option<Uuid>,
}

/// An approved line of an absence-day product or of a day product it
/// replaces, of any of the client's allocations (seed 000 §4.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayLine {
    pub line_id: Uuid,
    pub product_code: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// The days it claims (its delivered volume, in days).
    pub days: i64,
}

/// Absence-day products (seed 000 §4.1): each one's code → the codes of the
/// day products it is paid instead of.
pub type AbsenceDays = HashMap<String, HashSet<String>>;

/// Whether a line of `code` is paid instead of, or replaced by, a line of
/// `other`.
fn replaces(absence: &AbsenceDays, code: &str, other: &str) -> bool {
    absence.get(code).is_some_and(|r| r.contains(other))
        || absence.get(other).is_some_and(|r| r.contains(code))
}

/// Why a line of `code` over `period` claiming `days` days cannot be
/// approved beside the client's approved `lines`, if it cannot: some of
/// them are of a product it replaces or is replaced by and overlap its
/// period, and over the span of those periods the days claimed by the two
/// products (and the line's own product) exceed the calendar days. Lines
/// of a day each clash exactly on the same day; longer lines only when
/// their days cannot all fall on different days.
pub fn absence_clash(
    absence: &AbsenceDays,
    lines: &[DayLine],
    code: &str,
    period: (NaiveDate, NaiveDate),
    days_claimed: i64,
) -> Option<String> {
    let overlaps = |l: &DayLine, (from, to): (NaiveDate, NaiveDate)| {
        l.period_start <= to && from <= l.period_end
    };
    let others: Vec<&DayLine> = lines
        .iter()
        .filter(|l| replaces(absence, code, &l.product_code) && overlaps(l, period))
        .collect();
    if others.is_empty() {
        return None;
    }
    let from = others
        .iter()
        .map(|l| l.period_start)
        .fold(period.0, NaiveDate::min);
    let to = others
        .iter()
        .map(|l| l.period_end)
        .fold(period.1, NaiveDate::max);
    let claimed = lines
        .iter()
        .filter(|l| {
            (l.product_code == code || replaces(absence, code, &l.product_code))
                && overlaps(l, (from, to))
        })
        .map(|l| {
            l.days
                .min(days(l.period_start.max(from), l.period_end.min(to)))
        })
        .fold(days_claimed, i64::saturating_add);
    let span = days(from, to);
    (claimed > span).then(|| {
        format!(
            "an absence day is paid instead of the day product, never beside it: {claimed} days claimed in the {span} days from {from} to {to}"
        )
    })
}

/// A budget ceiling crossed one of the alert levels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CeilingSignal {
    pub budget_ceiling_id: Uuid,
    pub level_percent: i32,
    pub spent_cents: i64,
}

/// The grant stored on an allocation row.
pub fn grant_of(a: &allocation::Model) -> Grant {
    match (
        a.volume_amount,
        a.volume_unit,
        a.volume_frequency,
        a.budget_cents,
    ) {
        (Some(amount), Some(unit), Some(frequency), _) => Grant::Volume(Volume {
            amount,
            unit,
            frequency,
        }),
        (_, _, _, Some(cents)) => Grant::Budget(cents),
        _ => Grant::Nothing,
    }
}

/// Amount for `volume` delivered units priced at `tariff` per `tariff_unit`.
/// Minutes against an hourly tariff: tariff × minutes / 60, rounded to cents
/// half away from zero; hours against a minute tariff: tariff × hours × 60.
pub fn price_delivered_volume(
    tariff: Decimal,
    tariff_unit: Unit,
    delivered_unit: Unit,
    volume: i64,
) -> Decimal {
    let volume = Decimal::from(volume);
    let exact = match (tariff_unit, delivered_unit) {
        (Unit::Hour, Unit::Minute) => tariff * volume / Decimal::from(60),
        (Unit::Minute, Unit::Hour) => tariff * volume * Decimal::from(60),
        _ => tariff * volume,
    };
    round_to_cents_half_away_from_zero(exact)
}

/// The tariff for a service date. An individually agreed tariff in a
/// provider's contract is not overridden by a municipality-wide one (seed
/// 000 §4.3), so the order is: the provider's in the municipality, then
/// the provider's, then the municipality's, then the region's.
pub fn applicable_tariff(
    tariffs: &[tariff::Model],
    product_id: Uuid,
    provider_id: Uuid,
    municipality_id: Uuid,
    date: NaiveDate,
) -> Option<&tariff::Model> {
    tariffs
        .iter()
        .filter(|t| t.product_id == product_id && contains(t.valid_from, t.valid_to, date))
        .filter(|t| t.provider_id.is_none_or(|p| p == provider_id))
        .filter(|t| t.municipality_id.is_none_or(|m| m == municipality_id))
        .max_by_key(|t| {
            2 * u8::from(t.provider_id.is_some()) + u8::from(t.municipality_id.is_some())
        })
}

fn days(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days() + 1
}

fn month_of(date: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = date.with_day(1).unwrap_or(date);
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(first);
    (first, next.pred_opt().unwrap_or(first))
}

/// The window a line's volume is counted in: the whole allocation for a
/// total, else the line's calendar month, clipped to the allocation.
fn volume_window(
    frequency: VolumeFrequency,
    a: &allocation::Model,
    period_start: NaiveDate,
) -> (NaiveDate, NaiveDate) {
    let end = a.end_date.unwrap_or(NaiveDate::MAX);
    match frequency {
        VolumeFrequency::Total => (a.start_date, end),
        _ => {
            let (first, last) = month_of(period_start);
            (first.max(a.start_date), last.min(end))
        }
    }
}

/// The most a volume allows in a window of `window_days` days (temporary
/// intensive is declared on its own product, see [`intensive_hours_fit`]):
/// a day's amount every day, a week's amount × days / 7 rounded down, a
/// month's or a total's amount once.
pub fn max_in_window(v: &Volume, window_days: i64) -> i64 {
    match v.frequency {
        VolumeFrequency::Day => v.amount.saturating_mul(window_days),
        VolumeFrequency::Week => v.amount.saturating_mul(window_days) / 7,
        VolumeFrequency::Month | VolumeFrequency::Total => v.amount,
    }
}

/// Whether `used` units fit what the volume allows in `window`.
fn fits(v: &Volume, window: (NaiveDate, NaiveDate), used: i64) -> bool {
    used <= max_in_window(v, days(window.0, window.1))
}

fn fmt_end(end: Option<NaiveDate>) -> String {
    end.map_or_else(|| "open-ended".into(), |d| d.to_string())
}

fn ceiling_owner(facts: &AllocationFacts) -> CeilingOwner {
    CeilingOwner {
        provider_id: facts.allocation.provider_id,
        municipality_id: facts.allocation.municipality_id,
        product_group_id: facts.product.product_group_id,
    }
}

/// What a budget ceiling is matched on.
#[derive(Debug, Clone, Copy)]
struct CeilingOwner {
    provider_id: Uuid,
    municipality_id: Uuid,
    product_group_id: Uuid,
}

/// Assesses lines in order against loaded data and a running ledger.
pub struct Assessor {
    allocations: HashMap<i64, AllocationFacts>,
    products_by_code: HashMap<String, product::Model>,
    /// Per product: each line looks only at its product's tariffs, not at
    /// every tariff of the batch (thousands).
    tariffs: HashMap<Uuid, Vec<tariff::Model>>,
    /// The provider whose token declares, if a provider token.
    declarer: Option<Uuid>,
    approved: HashMap<Uuid, Vec<ApprovedLine>>,
    ceilings: Vec<budget_ceiling::Model>,
    /// Per ceiling that combines product groups, those groups.
    ceiling_groups: HashMap<Uuid, Vec<Uuid>>,
    alert_levels: Vec<i32>,
    signals: Vec<CeilingSignal>,
    /// References taken before and by the lines assessed so far.
    references: HashMap<ReferenceKey, TakenReference>,
    /// The region's absence-day products and the day products they replace.
    absence: AbsenceDays,
    /// Per client number: the approved lines of those products.
    day_lines: HashMap<i64, Vec<DayLine>>,
}

impl Assessor {
    pub fn new(
        allocations: Vec<AllocationFacts>,
        products: Vec<product::Model>,
        tariffs: Vec<tariff::Model>,
        declarer: Option<Uuid>,
        approved: HashMap<Uuid, Vec<ApprovedLine>>,
        ceilings: Vec<budget_ceiling::Model>,
        alert_levels: Vec<i32>,
    ) -> Self {
        Self {
            allocations: allocations
                .into_iter()
                .map(|f| (f.allocation.allocation_number, f))
                .collect(),
            products_by_code: products.into_iter().map(|p| (p.code.clone(), p)).collect(),
            tariffs: tariffs.into_iter().fold(HashMap::new(), |mut by, t| {
                by.entry(t.product_id).or_insert_with(Vec::new).push(t);
                by
            }),
            declarer,
            approved,
            ceilings,
            ceiling_groups: HashMap::new(),
            alert_levels,
            signals: Vec::new(),
            references: HashMap::new(),
            absence: HashMap::new(),
            day_lines: HashMap::new(),
        }
    }

    /// The absence-day products (seed 000 §4.1) and, per client number, the
    /// approved lines of them and of the day products they replace.
    pub fn with_absence_days(
        mut self,
        absence: AbsenceDays,
        day_lines: HashMap<i64, Vec<DayLine>>,
    ) -> Self {
        self.absence = absence;
        self.day_lines = day_lines;
        self
    }

    /// Whether lines of `code` take part in the absence-day rule.
    fn absence_or_day(&self, code: &str) -> bool {
        self.absence.contains_key(code) || self.absence.values().any(|r| r.contains(code))
    }

    /// The product groups of the ceilings that combine groups (a provider's
    /// spending room may span groups, Contractstandaard Wmo 1.2 art. 1.5):
    /// such a ceiling books the lines of any of them.
    pub fn with_ceiling_groups(mut self, groups: HashMap<Uuid, Vec<Uuid>>) -> Self {
        self.ceiling_groups = groups;
        self
    }

    /// The references the batch's lines name that were taken before.
    pub fn with_references(mut self, taken: HashMap<ReferenceKey, TakenReference>) -> Self {
        self.references = taken;
        self
    }

    /// Ceilings with their spending after the approved lines.
    /// The allocation (and its product) a line names, when it exists.
    /// A product of the region by its code (a line's own product).
    pub fn product(&self, code: &str) -> Option<&product::Model> {
        self.products_by_code.get(code)
    }

    pub fn facts(&self, allocation_number: i64) -> Option<&AllocationFacts> {
        self.allocations.get(&allocation_number)
    }

    pub fn ceilings(&self) -> &[budget_ceiling::Model] {
        &self.ceilings
    }

    /// Alert levels crossed by the approved lines, in order.
    pub fn signals(&self) -> &[CeilingSignal] {
        &self.signals
    }

    /// Assesses one line; `line_id` is the id it will be stored under (a
    /// credit later in the batch may reverse it).
    pub fn assess(&mut self, line: &LineIn, line_id: Uuid) -> Verdict {
        let owner = self.reference_owner(line);
        let verdict = match self.evaluate(line, line_id, owner.as_ref()) {
            Ok(verdict) => verdict,
            // A rejected line still names its allocation when there is one,
            // so the allocation's provider sees it.
            Err((allocation_id, code, reason)) => Verdict {
                allocation_id: allocation_id.or_else(|| {
                    self.allocations
                        .get(&line.allocation_number)
                        .map(|f| f.allocation.id)
                }),
                approved: false,
                reason_code: Some(code),
                reason: Some(reason),
                amount_cents: None,
                tariff_id: None,
                took_reference: None,
                reverses: None,
            },
        };
        self.take_reference(line, line_id, owner, verdict)
    }

    /// Whose reference a line's is: the declaring provider's, else the
    /// allocation's provider's, in the allocation's law.
    fn reference_owner(&self, line: &LineIn) -> Option<ReferenceKey> {
        let reference = line.reference.clone()?;
        let facts = self.allocations.get(&line.allocation_number);
        let provider = self.declarer.or(facts.map(|f| f.allocation.provider_id))?;
        Some((provider, facts?.law, reference))
    }

    /// Records the reference the line took, unless the line was refused for
    /// reusing it (the earlier line keeps it).
    fn take_reference(
        &mut self,
        line: &LineIn,
        line_id: Uuid,
        owner: Option<ReferenceKey>,
        mut verdict: Verdict,
    ) -> Verdict {
        let Some(key) = owner else { return verdict };
        if verdict.reason_code == Some(codes::REFERENCE_USED) || self.references.contains_key(&key)
        {
            return verdict;
        }
        self.references.insert(
            key.clone(),
            TakenReference {
                line_id,
                allocation_number: line.allocation_number,
                credit: line.credit,
                approved: verdict.approved,
                reversed: false,
                amount_cents: verdict.amount_cents,
                period_start: line.period_start,
            },
        );
        verdict.took_reference = Some(key);
        verdict
    }

    fn evaluate(
        &mut self,
        line: &LineIn,
        line_id: Uuid,
        owner: Option<&ReferenceKey>,
    ) -> Result<Verdict, (Option<Uuid>, &'static str, String)> {
        use codes::*;
        let reject = |id: Option<Uuid>, code: &'static str, reason: String| Err((id, code, reason));
        // First: a line refused for any other reason still takes its
        // reference, so a reused one must be refused before all else.
        if let Some(key) = owner {
            if self.references.contains_key(key) {
                return reject(
                    None,
                    REFERENCE_USED,
                    format!("reference {} was used before by this provider", key.2),
                );
            }
        }
        // TR319: within the current declaration period or an earlier one.
        if let Some((_, to)) = line.declaration_period {
            if line.period_end > to {
                return reject(
                    None,
                    OUTSIDE_DECLARATION_PERIOD,
                    format!("the period ends after the declaration period ({to})"),
                );
            }
        }
        if line.period_end < line.period_start
            || month_of(line.period_start) != month_of(line.period_end)
        {
            return reject(
                None,
                BAD_PERIOD,
                "the period must lie within one calendar month".into(),
            );
        }
        if line.delivered_volume < 1 {
            return reject(
                None,
                NO_VOLUME,
                "the delivered volume must be at least 1".into(),
            );
        }
        let Some(facts) = self.allocations.get(&line.allocation_number) else {
            return reject(
                None,
                NO_ALLOCATION,
                format!("no allocation {} in this region", line.allocation_number),
            );
        };
        let a = &facts.allocation;
        let id = Some(a.id);
        if line.municipality_id.is_some_and(|m| m != a.municipality_id)
            || line.law.is_some_and(|law| law != facts.law)
        {
            return reject(
                id,
                NO_ALLOCATION,
                format!(
                    "allocation {} is not one of this municipality's under this law",
                    line.allocation_number
                ),
            );
        }
        if self.declarer.is_some_and(|p| p != a.provider_id) {
            return reject(
                id,
                NOT_YOUR_ALLOCATION,
                "the allocation belongs to another provider".into(),
            );
        }
        if line.client_key.as_ref().is_some_and(|k| *k != a.client_key) {
            return reject(
                id,
                NOT_THIS_CLIENT,
                "the allocation is for another client".into(),
            );
        }
        if a.removed_at.is_some() {
            return reject(id, ALLOCATION_REMOVED, "the allocation was removed".into());
        }
        if line
            .category
            .as_ref()
            .is_some_and(|c| *c != facts.product.iwmo_category)
        {
            return reject(
                id,
                CATEGORY_DIFFERS,
                format!(
                    "the allocation is for category {}",
                    facts.product.iwmo_category
                ),
            );
        }
        if facts.product.funding_variant == FundingVariant::Task {
            return reject(
                id,
                TASK_FUNDED,
                "the task is paid by its budget's instalments, never per client".into(),
            );
        }
        // Temporary intensive is declared on the main product's own
        // temporary-intensive product, against the allocation's episodes.
        let intensive_product = self
            .products_by_code
            .get(&line.product_code)
            .filter(|p| p.intensive_for_product_id == Some(facts.product.id));
        let intensive = intensive_product.is_some();
        let priced = intensive_product.unwrap_or(&facts.product);
        if line.product_code != facts.product.code && !intensive {
            let same_category = self
                .products_by_code
                .get(&line.product_code)
                .is_some_and(|p| p.iwmo_category == facts.product.iwmo_category);
            return if same_category {
                reject(
                    id,
                    PRODUCT_DIFFERS,
                    format!("the allocation is for product {}", facts.product.code),
                )
            } else {
                reject(
                    id,
                    CATEGORY_DIFFERS,
                    format!(
                        "the allocation is for category {}",
                        facts.product.iwmo_category
                    ),
                )
            };
        }
        let grant = grant_of(a);
        let allocated_unit = match grant {
            _ if intensive => priced.unit,
            Grant::Volume(v) => v.unit,
            _ => Unit::Euro,
        };
        if line.unit.is_some_and(|u| u != allocated_unit) {
            return reject(
                id,
                UNIT_DIFFERS,
                format!("the allocation is in {}", allocated_unit.as_str()),
            );
        }
        let end = a.end_date.unwrap_or(NaiveDate::MAX);
        if line.period_start < a.start_date || line.period_start > end {
            return reject(
                id,
                STARTS_OUTSIDE_ALLOCATION,
                format!(
                    "the period starts outside the allocation ({} to {})",
                    a.start_date,
                    fmt_end(a.end_date)
                ),
            );
        }
        if line.period_end > end {
            return reject(
                id,
                ENDS_OUTSIDE_ALLOCATION,
                format!(
                    "the period ends after the allocation ({})",
                    fmt_end(a.end_date)
                ),
            );
        }
        // Care after the contract's last day, unless a bridge covers it; a
        // credit may still reverse a debit approved before.
        let care_until = facts.care_until.filter(|_| !line.credit);
        if let Some(until) = care_until.filter(|until| line.period_end > *until) {
            return reject(
                id,
                CONTRACT_ENDED,
                format!(
                    "the provider's contract ends on {until} and no bridging agreement covers this allocation after it"
                ),
            );
        }
        // A credit names its debit's period (TR323), which met these already.
        if line.reference.is_some() && !line.credit {
            let (first, last) = month_of(line.period_start);
            if line.period_start != first.max(a.start_date) {
                return reject(
                    id,
                    NOT_FROM_MONTH_START,
                    format!("the period must start on {}", first.max(a.start_date)),
                );
            }
            let last = last.min(end).min(care_until.unwrap_or(NaiveDate::MAX));
            if line.period_end != last {
                return reject(
                    id,
                    NOT_TO_MONTH_END,
                    format!("the period must end on {last}"),
                );
            }
        }
        if line.credit {
            return self.reverse(line, owner);
        }
        // The approved lines of the same product (main or temporary intensive).
        let approved = self.approved.get(&a.id).map(Vec::as_slice).unwrap_or(&[]);
        let history = || approved.iter().filter(move |l| l.intensive == intensive);
        let used_in = |window: (NaiveDate, NaiveDate)| {
            history()
                .filter(|l| contains(window.0, Some(window.1), l.period_start))
                .map(|l| l.delivered_volume)
                .fold(0i64, i64::saturating_add)
        };
        if line.reference.is_some()
            && history()
                .any(|l| l.period_start == line.period_start && l.period_end == line.period_end)
        {
            return reject(
                id,
                DEBIT_NOT_CREDITED,
                "this period was declared and approved before; credit that line first".into(),
            );
        }
        if let (false, Some(per)) = (intensive, facts.product.arrangement_period) {
            if line.delivered_volume != 1 {
                return reject(
                    id,
                    ARRANGEMENT_DECLARED,
                    "an arrangement is declared once: a delivered volume of 1".into(),
                );
            }
            let (first, last) = month_of(line.period_start);
            let declared = history().any(|l| match per {
                ArrangementPeriod::Month => first <= l.period_start && l.period_start <= last,
                ArrangementPeriod::Stay => true,
            });
            if declared {
                return reject(
                    id,
                    ARRANGEMENT_DECLARED,
                    match per {
                        ArrangementPeriod::Month => format!(
                            "the arrangement for {} was declared already",
                            first.format("%Y-%m")
                        ),
                        ArrangementPeriod::Stay => {
                            "the arrangement for this stay was declared already".into()
                        }
                    },
                );
            }
        }
        let (amount, tariff_id) = match grant {
            _ if intensive || matches!(grant, Grant::Volume(_)) => {
                let Some(t) = applicable_tariff(
                    self.tariffs.get(&priced.id).map_or(&[], Vec::as_slice),
                    priced.id,
                    a.provider_id,
                    a.municipality_id,
                    line.period_start,
                ) else {
                    return reject(
                        id,
                        NO_TARIFF,
                        format!("no tariff for {} on {}", priced.code, line.period_start),
                    );
                };
                if line
                    .declared_tariff_cents
                    .is_some_and(|c| c != t.price_cents)
                {
                    return reject(
                        id,
                        TARIFF_DIFFERS,
                        format!("the tariff is {}", cents_to_euros(t.price_cents)),
                    );
                }
                let amount = price_delivered_volume(
                    cents_to_euros(t.price_cents),
                    priced.unit,
                    allocated_unit,
                    line.delivered_volume,
                );
                let Some(cents) = euros_to_cents(amount) else {
                    return reject(
                        id,
                        NO_VOLUME,
                        "the amount of this volume is out of range".into(),
                    );
                };
                (cents, Some(t.id))
            }
            _ => (line.delivered_volume, None),
        };
        if line.declared_amount_cents.is_some_and(|c| c != amount) {
            return reject(
                id,
                AMOUNT_MISMATCH,
                format!("delivered volume × tariff is {}", cents_to_euros(amount)),
            );
        }
        match grant {
            _ if intensive => {
                let window = volume_window(VolumeFrequency::Month, a, line.period_start);
                let used = used_in(window);
                if !intensive_hours_fit(
                    &facts.episodes,
                    window,
                    priced.unit,
                    used.saturating_add(line.delivered_volume),
                ) {
                    return reject(
                        id,
                        OVER_VOLUME_IN_WINDOW,
                        format!(
                            "over the temporary-intensive hours of the allocation's episodes ({} already approved in {} to {})",
                            used, window.0, window.1
                        ),
                    );
                }
            }
            Grant::Volume(v) => {
                let window = volume_window(v.frequency, a, line.period_start);
                let used = used_in(window);
                if !fits(&v, window, used.saturating_add(line.delivered_volume)) {
                    let code = if v.frequency == VolumeFrequency::Total {
                        OVER_TOTAL_VOLUME
                    } else {
                        OVER_VOLUME_IN_WINDOW
                    };
                    return reject(
                        id,
                        code,
                        format!(
                            "over the allocated volume ({} already approved in {} to {})",
                            used, window.0, window.1
                        ),
                    );
                }
            }
            Grant::Budget(budget) => {
                let spent: i64 = history()
                    .map(|l| l.amount_cents)
                    .fold(0i64, i64::saturating_add);
                if i128::from(spent) + i128::from(amount) > i128::from(budget) {
                    return reject(
                        id,
                        OVER_BUDGET,
                        format!(
                            "over the budget of {} ({} already approved)",
                            cents_to_euros(budget),
                            cents_to_euros(spent)
                        ),
                    );
                }
            }
            Grant::Nothing => {}
        }
        let client = a.client_number;
        let day_rule = self.absence_or_day(&line.product_code);
        if day_rule {
            let approved = self
                .day_lines
                .get(&client)
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            if let Some(reason) = absence_clash(
                &self.absence,
                approved,
                &line.product_code,
                (line.period_start, line.period_end),
                line.delivered_volume,
            ) {
                return reject(id, ABSENCE_DAY_BESIDE_DAY_CARE, reason);
            }
        }
        let owner = ceiling_owner(facts);
        let allocation_id = a.id;
        if day_rule {
            self.day_lines.entry(client).or_default().push(DayLine {
                line_id,
                product_code: line.product_code.clone(),
                period_start: line.period_start,
                period_end: line.period_end,
                days: line.delivered_volume,
            });
        }
        // Delivered care within the allocation is paid: a ceiling steers
        // intake (new allocations), it never refuses payment.
        self.book_on_ceilings(owner, line.period_start.year(), amount);
        self.approved
            .entry(allocation_id)
            .or_default()
            .push(ApprovedLine {
                line_id,
                period_start: line.period_start,
                period_end: line.period_end,
                delivered_volume: line.delivered_volume,
                amount_cents: amount,
                intensive,
            });
        Ok(Verdict {
            allocation_id: id,
            approved: true,
            reason_code: None,
            reason: None,
            amount_cents: Some(amount),
            tariff_id,
            took_reference: None,
            reverses: None,
        })
    }

    /// A credit line: reverses the approved debit its previous reference
    /// names, for the debit's whole amount. The debit's volume and amount
    /// leave the allocation's history and the ceilings at once.
    fn reverse(
        &mut self,
        line: &LineIn,
        owner: Option<&ReferenceKey>,
    ) -> Result<Verdict, (Option<Uuid>, &'static str, String)> {
        use codes::*;
        let facts = &self.allocations[&line.allocation_number];
        let id = Some(facts.allocation.id);
        let debit_key = owner
            .zip(line.previous_reference.as_ref())
            .map(|((provider, law, _), previous)| (*provider, *law, previous.clone()));
        let debit = debit_key
            .as_ref()
            .and_then(|key| self.references.get(key))
            // The key fields of TR323: the same allocation and period.
            .filter(|d| {
                !d.credit
                    && d.approved
                    && d.allocation_number == line.allocation_number
                    && d.period_start == line.period_start
            })
            .cloned();
        let Some(debit) = debit else {
            return Err((
                id,
                NO_DEBIT_FOR_CREDIT,
                format!(
                    "no approved debit with reference {} on allocation {} for this period",
                    line.previous_reference.as_deref().unwrap_or("(none)"),
                    line.allocation_number
                ),
            ));
        };
        if debit.reversed {
            return Err((
                id,
                ALREADY_CREDITED,
                "the debit was credited already".into(),
            ));
        }
        let debit_cents = debit.amount_cents.unwrap_or(0);
        if line.declared_amount_cents.is_some_and(|c| c != debit_cents) {
            return Err((
                id,
                AMOUNT_MISMATCH,
                format!("the debit's amount is {}", cents_to_euros(debit_cents)),
            ));
        }
        let owner_of_ceiling = ceiling_owner(facts);
        let allocation_id = facts.allocation.id;
        if let Some(lines) = self.day_lines.get_mut(&facts.allocation.client_number) {
            lines.retain(|l| l.line_id != debit.line_id);
        }
        self.book_on_ceilings(owner_of_ceiling, debit.period_start.year(), -debit_cents);
        if let Some(history) = self.approved.get_mut(&allocation_id) {
            history.retain(|l| l.line_id != debit.line_id);
        }
        if let Some(taken) = debit_key.and_then(|key| self.references.get_mut(&key)) {
            taken.reversed = true;
        }
        Ok(Verdict {
            allocation_id: id,
            approved: true,
            reason_code: None,
            reason: None,
            amount_cents: Some(-debit_cents),
            tariff_id: None,
            took_reference: None,
            reverses: Some(debit.line_id),
        })
    }

    /// Adds the amount to every matching ceiling and records each alert
    /// level crossed.
    fn book_on_ceilings(&mut self, owner: CeilingOwner, year: i32, amount: i64) {
        let matching: Vec<usize> = self
            .ceilings
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                c.provider_id.is_none_or(|p| p == owner.provider_id)
                    && c.year == year
                    && crate::funding::ceiling_reaches_group(
                        c.product_group_id,
                        self.ceiling_groups.get(&c.id).map_or(&[], Vec::as_slice),
                        owner.product_group_id,
                    )
                    && c.municipality_id.is_none_or(|m| m == owner.municipality_id)
            })
            .map(|(i, _)| i)
            .collect();
        for i in matching {
            let c = &mut self.ceilings[i];
            let before = c.spent_cents;
            c.spent_cents = c.spent_cents.saturating_add(amount);
            for &level in &self.alert_levels {
                let threshold = i128::from(c.amount_cents) * i128::from(level);
                if i128::from(before) * 100 < threshold
                    && i128::from(c.spent_cents) * 100 >= threshold
                {
                    self.signals.push(CeilingSignal {
                        budget_ceiling_id: c.id,
                        level_percent: level,
                        spent_cents: c.spent_cents,
                    });
                }
            }
        }
    }
}

/// The alert levels (percentages) a ceiling of `amount_cents` has reached
/// with `spent_cents` spent: for a ceiling set or changed after spend was
/// approved, which signals are due at once.
pub fn levels_reached(amount_cents: i64, spent_cents: i64, levels: &[i32]) -> Vec<i32> {
    levels
        .iter()
        .copied()
        .filter(|&level| {
            i128::from(spent_cents) * 100 >= i128::from(amount_cents) * i128::from(level)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_late_ceiling_reaches_the_levels_of_its_spend() {
        // € 2,991.50 spent against € 3,000.00: 99.7 %, past 80 but not 100.
        assert_eq!(levels_reached(300_000, 299_150, &[80, 100]), [80]);
        assert_eq!(levels_reached(300_000, 300_000, &[80, 100]), [80, 100]);
        assert_eq!(
            levels_reached(300_000, 239_999, &[80, 100]),
            Vec::<i32>::new()
        );
    }
    use crate::enums::FundingVariant;
    use std::str::FromStr;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn eur(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    const REGION: Uuid = Uuid::from_u128(1);
    const PROVIDER: Uuid = Uuid::from_u128(2);
    const OTHER_PROVIDER: Uuid = Uuid::from_u128(3);
    const MUNICIPALITY: Uuid = Uuid::from_u128(4);
    const GROUP: Uuid = Uuid::from_u128(5);
    const PRODUCT: Uuid = Uuid::from_u128(6);

    fn product(id: Uuid, code: &str, category: &str, unit: Unit) -> product::Model {
        product::Model {
            region_id: REGION,
            id,
            code: code.into(),
            name: code.into(),
            product_group_id: GROUP,
            iwmo_category: category.into(),
            unit,
            funding_variant: FundingVariant::Effort,
            intensive_for_product_id: None,
            arrangement_period: None,
            closed_to_new_clients_from: None,
            crisis: false,
            created_at: chrono::Utc::now(),
        }
    }

    const INTENSIVE: Uuid = Uuid::from_u128(9);
    const TASK: Uuid = Uuid::from_u128(10);
    const ARRANGEMENT: Uuid = Uuid::from_u128(11);

    /// 02A09: the hourly temporary-intensive product of 02A01 (€ 65.00/h);
    /// 02T01: a task product; 07M01: an arrangement per month (€ 2,500.00).
    fn other_products() -> Vec<product::Model> {
        vec![
            product::Model {
                intensive_for_product_id: Some(PRODUCT),
                ..product(INTENSIVE, "02A09", "02", Unit::Hour)
            },
            product::Model {
                funding_variant: FundingVariant::Task,
                ..product(TASK, "02T01", "02", Unit::Hour)
            },
            product::Model {
                funding_variant: FundingVariant::Output,
                arrangement_period: Some(ArrangementPeriod::Month),
                ..product(ARRANGEMENT, "07M01", "02", Unit::Piece)
            },
        ]
    }

    fn tariff(
        id: u128,
        cents: i64,
        provider: Option<Uuid>,
        municipality: Option<Uuid>,
    ) -> tariff::Model {
        tariff::Model {
            region_id: REGION,
            id: Uuid::from_u128(id),
            product_id: PRODUCT,
            provider_id: provider,
            municipality_id: municipality,
            valid_from: d("2025-01-01"),
            valid_to: Some(d("2025-12-31")),
            price_cents: cents,
            supersedes_id: None,
            indexation_run_id: None,
            created_at: chrono::Utc::now(),
        }
    }

    fn allocation(number: i64, grant: Grant) -> allocation::Model {
        let (volume_amount, volume_unit, volume_frequency, budget_cents) = match grant {
            Grant::Volume(v) => (Some(v.amount), Some(v.unit), Some(v.frequency), None),
            Grant::Budget(c) => (None, None, None, Some(c)),
            Grant::Nothing => (None, None, None, None),
        };
        allocation::Model {
            region_id: REGION,
            id: Uuid::from_u128(100 + number as u128),
            allocation_number: number,
            client_key: "k".into(),
            client_number: 0,
            municipality_id: MUNICIPALITY,
            product_id: PRODUCT,
            provider_id: PROVIDER,
            start_date: d("2025-01-01"),
            end_date: Some(d("2025-12-31")),
            volume_amount,
            volume_unit,
            volume_frequency,
            budget_cents,
            stopped_on: None,
            stop_reason: None,
            care_started_on: None,
            care_ended_on: None,
            care_end_reason: None,
            removed_at: None,
            referrer: None,
            location_id: None,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
        }
    }

    fn weekly(amount: i64, unit: Unit) -> Grant {
        Grant::Volume(Volume {
            amount,
            unit,
            frequency: VolumeFrequency::Week,
        })
    }

    fn of(product_id: Uuid, a: allocation::Model) -> allocation::Model {
        allocation::Model { product_id, ..a }
    }

    fn line(number: i64, from: &str, to: &str, volume: i64) -> LineIn {
        LineIn::debit(number, "02A01".into(), (d(from), d(to)), volume)
    }

    /// Assessing under a fresh line id, as the service stores each line.
    trait Check {
        fn check(&mut self, line: &LineIn) -> Verdict;
    }

    impl Check for Assessor {
        fn check(&mut self, line: &LineIn) -> Verdict {
            self.assess(line, Uuid::now_v7())
        }
    }

    /// Allocation 1: 4 h/week; 2: 240 min/week; 3: budget € 1,000.00;
    /// 4: 4 h/week with 3 h/week extra in February. Tariff € 70.00/h.
    /// 5: the task product 02T01, 10 h/month; 6: the arrangement 07M01, 12 in total.
    fn assessor(declarer: Option<Uuid>, ceilings: Vec<budget_ceiling::Model>) -> Assessor {
        let hourly = product(PRODUCT, "02A01", "02", Unit::Hour);
        let others = other_products();
        let facts = |a: allocation::Model, episodes: Vec<Episode>| AllocationFacts {
            product: others
                .iter()
                .find(|p| p.id == a.product_id)
                .unwrap_or(&hourly)
                .clone(),
            allocation: a,
            law: Law::Wmo,
            episodes,
            care_until: None,
        };
        let monthly = Grant::Volume(Volume {
            amount: 10,
            unit: Unit::Hour,
            frequency: VolumeFrequency::Month,
        });
        let twelve = Grant::Volume(Volume {
            amount: 12,
            unit: Unit::Piece,
            frequency: VolumeFrequency::Total,
        });
        Assessor::new(
            vec![
                facts(allocation(1, weekly(4, Unit::Hour)), vec![]),
                facts(allocation(2, weekly(240, Unit::Minute)), vec![]),
                facts(allocation(3, Grant::Budget(100_000)), vec![]),
                facts(
                    allocation(4, weekly(4, Unit::Hour)),
                    vec![Episode {
                        from: d("2025-02-01"),
                        to: d("2025-02-28"),
                        extra: 3,
                    }],
                ),
                facts(of(TASK, allocation(5, monthly)), vec![]),
                facts(of(ARRANGEMENT, allocation(6, twelve)), vec![]),
                AllocationFacts {
                    care_until: Some(d("2025-06-15")),
                    ..facts(allocation(7, weekly(4, Unit::Hour)), vec![])
                },
            ],
            [
                vec![
                    hourly.clone(),
                    product(Uuid::from_u128(7), "02A02", "02", Unit::Hour),
                    product(Uuid::from_u128(8), "03A01", "03", Unit::DayPart),
                ],
                other_products(),
            ]
            .concat(),
            vec![
                tariff(50, 7000, None, None),
                tariff::Model {
                    product_id: INTENSIVE,
                    ..tariff(51, 6500, None, None)
                },
                tariff::Model {
                    product_id: ARRANGEMENT,
                    ..tariff(52, 250_000, None, None)
                },
            ],
            declarer,
            HashMap::new(),
            ceilings,
            vec![80, 100],
        )
    }

    #[test]
    fn minutes_against_an_hourly_tariff_round_half_away_from_zero() {
        // 70.00 × 45 / 60 = 52.50
        assert_eq!(
            price_delivered_volume(eur("70.00"), Unit::Hour, Unit::Minute, 45),
            eur("52.50")
        );
        // 65.33 × 10 / 60 = 10.8883… → 10.89
        assert_eq!(
            price_delivered_volume(eur("65.33"), Unit::Hour, Unit::Minute, 10),
            eur("10.89")
        );
        // 60.30 × 1 / 60 = 1.005 → 1.01 (half away from zero)
        assert_eq!(
            price_delivered_volume(eur("60.30"), Unit::Hour, Unit::Minute, 1),
            eur("1.01")
        );
        // 0.67 × 45 / 60 = 0.5025 → 0.50
        assert_eq!(
            price_delivered_volume(eur("0.67"), Unit::Hour, Unit::Minute, 45),
            eur("0.50")
        );
        // same unit: exact
        assert_eq!(
            price_delivered_volume(eur("182.75"), Unit::Day, Unit::Day, 31),
            eur("5665.25")
        );
        // hours against a minute tariff: 1.13 × 2 × 60 = 135.60
        assert_eq!(
            price_delivered_volume(eur("1.13"), Unit::Minute, Unit::Hour, 2),
            eur("135.60")
        );
    }

    /// Seed 000 §4.3: a tariff agreed with the provider is not overridden
    /// by a municipality-wide one. The order: the provider's in the
    /// municipality (€ 77.00), the provider's (€ 72.00), the
    /// municipality's (€ 75.00), the region's (€ 70.00).
    #[test]
    fn tariff_precedence() {
        let region = tariff(1, 7000, None, None);
        let provider = tariff(2, 7200, Some(PROVIDER), None);
        let municipality = tariff(3, 7500, None, Some(MUNICIPALITY));
        let both = tariff(4, 7700, Some(PROVIDER), Some(MUNICIPALITY));
        let other = tariff(5, 9900, Some(OTHER_PROVIDER), None);
        let elsewhere = tariff(6, 9800, None, Some(Uuid::from_u128(77)));
        let pick = |ts: &[&tariff::Model]| {
            let ts: Vec<tariff::Model> = ts.iter().map(|t| (*t).clone()).collect();
            applicable_tariff(&ts, PRODUCT, PROVIDER, MUNICIPALITY, d("2025-06-01"))
                .map(|t| t.price_cents)
        };
        let all = [&region, &provider, &municipality, &both, &other, &elsewhere];
        assert_eq!(pick(&all), Some(7700), "the provider's in the municipality");
        assert_eq!(
            pick(&[&region, &provider, &municipality, &other]),
            Some(7200),
            "the provider's own tariff beats the municipality's"
        );
        assert_eq!(
            pick(&[&municipality, &provider]),
            Some(7200),
            "in either order"
        );
        assert_eq!(
            pick(&[&region, &municipality, &other, &elsewhere]),
            Some(7500),
            "the municipality's beats the region's"
        );
        assert_eq!(pick(&[&region, &other, &elsewhere]), Some(7000));
        assert_eq!(
            pick(&[&other, &elsewhere]),
            None,
            "another provider's or municipality's tariff never applies"
        );
        let all: Vec<tariff::Model> = all.iter().map(|t| (*t).clone()).collect();
        assert_eq!(
            applicable_tariff(&all, PRODUCT, PROVIDER, MUNICIPALITY, d("2026-01-01")),
            None
        );
    }

    fn day_line(id: u128, code: &str, from: &str, to: &str, days: i64) -> DayLine {
        DayLine {
            line_id: Uuid::from_u128(id),
            product_code: code.into(),
            period_start: d(from),
            period_end: d(to),
            days,
        }
    }

    /// E is the absence day of day products A, B and C (seed 000 §4.1); D
    /// (logeren) is not one of them.
    fn absence_of_abc() -> AbsenceDays {
        HashMap::from([(
            "E".to_string(),
            HashSet::from(["A".to_string(), "B".to_string(), "C".to_string()]),
        )])
    }

    #[test]
    fn an_absence_day_is_never_paid_beside_the_day_product() {
        let absence = absence_of_abc();
        let clash = |lines: &[DayLine], code: &str, from: &str, to: &str, days: i64| {
            absence_clash(&absence, lines, code, (d(from), d(to)), days).is_some()
        };
        let a_day = [day_line(1, "A", "2025-03-10", "2025-03-10", 1)];
        // The same day: 1 + 1 = 2 days claimed in 1.
        assert!(clash(&a_day, "E", "2025-03-10", "2025-03-10", 1));
        // The next day: no overlap.
        assert!(!clash(&a_day, "E", "2025-03-11", "2025-03-11", 1));
        // The other way round, and for C as for A.
        let e_day = [day_line(2, "E", "2025-03-10", "2025-03-10", 1)];
        assert!(clash(&e_day, "C", "2025-03-01", "2025-03-31", 31));
        // 30 days of A and 1 absence day fit March's 31.
        assert!(!clash(&e_day, "A", "2025-03-01", "2025-03-31", 30));
        // Logeren (D) is not a day product E replaces; E beside E is the
        // volume check's business.
        assert!(!clash(&e_day, "D", "2025-03-10", "2025-03-10", 1));
        assert!(!clash(&e_day, "E", "2025-03-10", "2025-03-10", 1));
        // A month of A (28 days) and 3 absence days in it: 31 of 31.
        let a_month = [day_line(3, "A", "2025-03-01", "2025-03-31", 28)];
        assert!(!clash(&a_month, "E", "2025-03-01", "2025-03-31", 3));
        // 4 absence days: 32 of 31.
        assert!(clash(&a_month, "E", "2025-03-01", "2025-03-31", 4));
        // Every day of A (31): no day left for an absence day on the 10th.
        let every_day = [day_line(4, "A", "2025-03-01", "2025-03-31", 31)];
        assert!(clash(&every_day, "E", "2025-03-10", "2025-03-10", 1));
        // A in two halves, 15 + 16 days, and 1 absence day: 32 of 31.
        let halves = [
            day_line(5, "A", "2025-03-01", "2025-03-15", 15),
            day_line(6, "A", "2025-03-16", "2025-03-31", 16),
        ];
        assert!(clash(&halves, "E", "2025-03-01", "2025-03-31", 1));
        // 30 days of A and the absence day of the 10th leave no room for a
        // second absence day on the 11th: 1 + 30 + 1 = 32 of 31.
        let taken = [
            day_line(7, "E", "2025-03-10", "2025-03-10", 1),
            day_line(8, "A", "2025-03-01", "2025-03-31", 30),
        ];
        assert!(clash(&taken, "E", "2025-03-11", "2025-03-11", 1));
    }

    /// The assessor applies the rule per client, across its allocations:
    /// an absence day approved before (another allocation of client 0)
    /// refuses allocation 1's line for the same day (ZR11), not the next.
    #[test]
    fn the_assessor_refuses_the_day_product_beside_an_absence_day() {
        let mut a = assessor(None, vec![]).with_absence_days(
            HashMap::from([("E".to_string(), HashSet::from(["02A01".to_string()]))]),
            HashMap::from([(0, vec![day_line(1, "E", "2025-03-10", "2025-03-10", 1)])]),
        );
        let same_day = a.check(&line(1, "2025-03-10", "2025-03-10", 1));
        assert_eq!(
            same_day.reason_code,
            Some(codes::ABSENCE_DAY_BESIDE_DAY_CARE)
        );
        assert_eq!(codes::standard_code("ZR11"), codes::OVER_VOLUME_IN_WINDOW);
        let next_day = a.check(&line(1, "2025-03-11", "2025-03-11", 1));
        assert!(next_day.approved, "{next_day:?}");
        // The approved day joins the client's lines: the 11th is taken now.
        assert!(absence_clash(
            &a.absence,
            &a.day_lines[&0],
            "E",
            (d("2025-03-11"), d("2025-03-11")),
            1
        )
        .is_some());
    }

    /// 3 days at the provider's € 72.00 = € 216.00, not the
    /// municipality's € 75.00 (€ 225.00).
    #[test]
    fn a_line_is_priced_at_the_providers_tariff_over_the_municipalitys() {
        let mut a = assessor(None, vec![]);
        a.tariffs.insert(
            PRODUCT,
            vec![
                tariff(1, 7000, None, None),
                tariff(2, 7200, Some(PROVIDER), None),
                tariff(3, 7500, None, Some(MUNICIPALITY)),
            ],
        );
        let v = a.check(&line(1, "2025-03-01", "2025-03-31", 3));
        assert!(v.approved, "{v:?}");
        assert_eq!(v.amount_cents, Some(21_600));
        assert_eq!(v.tariff_id, Some(Uuid::from_u128(2)));
    }

    #[test]
    fn weekly_volume_in_a_month() {
        let mut a = assessor(None, vec![]);
        // January: 4 h/week × 31 days / 7 = 17.71 h allowed
        let first = a.check(&line(1, "2025-01-01", "2025-01-31", 10));
        assert!(first.approved);
        assert_eq!(first.amount_cents, Some(70_000));
        assert_eq!(first.tariff_id, Some(Uuid::from_u128(50)));
        let over = a.check(&line(1, "2025-01-01", "2025-01-31", 8));
        assert_eq!(over.reason_code, Some(codes::OVER_VOLUME_IN_WINDOW));
        assert!(
            a.check(&line(1, "2025-01-15", "2025-01-31", 7)).approved,
            "10 + 7 = 17 ≤ 17.71"
        );
        // February is a new window
        assert!(a.check(&line(1, "2025-02-01", "2025-02-28", 16)).approved);
        assert_eq!(
            a.check(&line(1, "2025-03-01", "2025-03-31", 18))
                .reason_code,
            Some(codes::OVER_VOLUME_IN_WINDOW)
        );
    }

    #[test]
    fn minutes_allocation_is_priced_per_minute() {
        let mut a = assessor(None, vec![]);
        let verdict = a.check(&LineIn {
            unit: Some(Unit::Minute),
            ..line(2, "2025-01-06", "2025-01-12", 45)
        });
        assert_eq!(verdict.amount_cents, Some(5_250));
        let wrong_unit = a.check(&LineIn {
            unit: Some(Unit::Hour),
            ..line(2, "2025-01-06", "2025-01-12", 1)
        });
        assert_eq!(wrong_unit.reason_code, Some(codes::UNIT_DIFFERS));
    }

    #[test]
    fn temporary_intensive_in_hours_on_its_own_product() {
        let mut a = assessor(None, vec![]);
        // the main product keeps its own volume: 4 h/week × 28 days / 7 = 16 h
        assert!(a.check(&line(4, "2025-02-01", "2025-02-28", 16)).approved);
        assert_eq!(
            a.check(&line(4, "2025-02-01", "2025-02-28", 1)).reason_code,
            Some(codes::OVER_VOLUME_IN_WINDOW)
        );
        // the extra 3 h/week go on 02A09: 3 × 28 / 7 = 12 h × € 65.00 = € 780.00
        let extra = |number, from: &str, to: &str, volume| LineIn {
            product_code: "02A09".into(),
            ..line(number, from, to, volume)
        };
        let v = a.check(&extra(4, "2025-02-01", "2025-02-28", 12));
        assert!(v.approved, "{v:?}");
        assert_eq!(v.amount_cents, Some(78_000));
        assert_eq!(
            a.check(&extra(4, "2025-02-01", "2025-02-28", 1))
                .reason_code,
            Some(codes::OVER_VOLUME_IN_WINDOW)
        );
        // outside the episode, and on an allocation without one: nothing fits
        assert_eq!(
            a.check(&extra(4, "2025-03-01", "2025-03-31", 1))
                .reason_code,
            Some(codes::OVER_VOLUME_IN_WINDOW)
        );
        assert_eq!(
            a.check(&extra(1, "2025-02-01", "2025-02-28", 1))
                .reason_code,
            Some(codes::OVER_VOLUME_IN_WINDOW)
        );
        // 02A09 belongs to 02A01 only: on the task allocation it is another product
        assert_eq!(
            a.check(&extra(5, "2025-02-01", "2025-02-28", 1))
                .reason_code,
            Some(codes::TASK_FUNDED)
        );
    }

    /// Allocation 7's provider's contract ended on 2025-06-15.
    #[test]
    fn care_after_the_contract_ended_is_refused() {
        let mut a = assessor(None, vec![]);
        let before = a.check(&line(7, "2025-06-01", "2025-06-15", 8));
        assert!(before.approved, "{:?}", before.reason);
        let after = a.check(&line(7, "2025-06-16", "2025-06-30", 4));
        assert_eq!(after.reason_code, Some(codes::CONTRACT_ENDED));
        assert_eq!(codes::standard_code(codes::CONTRACT_ENDED), "9308");
        // A prestatie (with a reference) ends on the contract's last day:
        // one to the month's end runs past it, one short of it is a 9388.
        let mut b = assessor(None, vec![]);
        let to_month_end = LineIn {
            reference: Some("R1".into()),
            ..line(7, "2025-06-01", "2025-06-30", 8)
        };
        assert_eq!(
            b.check(&to_month_end).reason_code,
            Some(codes::CONTRACT_ENDED)
        );
        let short = LineIn {
            reference: Some("R0".into()),
            ..line(7, "2025-06-01", "2025-06-14", 8)
        };
        assert_eq!(b.check(&short).reason_code, Some(codes::NOT_TO_MONTH_END));
        let to_contract_end = LineIn {
            reference: Some("R2".into()),
            ..line(7, "2025-06-01", "2025-06-15", 8)
        };
        assert!(b.check(&to_contract_end).approved);
        let wholly_after = LineIn {
            reference: Some("R3".into()),
            ..line(7, "2025-07-01", "2025-07-31", 8)
        };
        assert_eq!(
            b.check(&wholly_after).reason_code,
            Some(codes::CONTRACT_ENDED)
        );
        // A debit approved before the contract ended can still be credited.
        let credit = LineIn {
            reference: Some("C2".into()),
            credit: true,
            previous_reference: Some("R2".into()),
            ..line(7, "2025-06-01", "2025-06-15", 8)
        };
        assert!(b.check(&credit).approved);
    }

    #[test]
    fn a_task_allocation_is_never_paid_per_client() {
        let mut a = assessor(None, vec![]);
        let task = LineIn {
            product_code: "02T01".into(),
            ..line(5, "2025-02-01", "2025-02-28", 4)
        };
        let v = a.check(&task);
        assert_eq!(v.reason_code, Some(codes::TASK_FUNDED));
        assert_eq!(v.amount_cents, None);
        assert_eq!(codes::standard_code(codes::TASK_FUNDED), "9338");
    }

    #[test]
    fn an_arrangement_declared_twice_in_a_month() {
        let mut a = assessor(None, vec![]);
        let arrangement = |from: &str, to: &str, volume| LineIn {
            product_code: "07M01".into(),
            ..line(6, from, to, volume)
        };
        let january = a.check(&arrangement("2025-01-01", "2025-01-31", 1));
        assert!(january.approved, "{january:?}");
        assert_eq!(january.amount_cents, Some(250_000));
        // the same month again, even for a part of it
        let again = a.check(&arrangement("2025-01-15", "2025-01-31", 1));
        assert_eq!(again.reason_code, Some(codes::ARRANGEMENT_DECLARED));
        assert!(again.reason.unwrap().contains("2025-01"));
        // an arrangement is one: volume 2 is refused
        assert_eq!(
            a.check(&arrangement("2025-02-01", "2025-02-28", 2))
                .reason_code,
            Some(codes::ARRANGEMENT_DECLARED)
        );
        assert!(
            a.check(&arrangement("2025-02-01", "2025-02-28", 1))
                .approved
        );
        assert_eq!(codes::standard_code(codes::ARRANGEMENT_DECLARED), "9321");
    }

    #[test]
    fn budget_allocation() {
        let mut a = assessor(None, vec![]);
        let euro_line = |cents| LineIn {
            product_code: "02A01".into(),
            ..line(3, "2025-03-01", "2025-03-31", cents)
        };
        let first = a.check(&euro_line(60_000));
        assert_eq!(first.amount_cents, Some(60_000));
        assert_eq!(first.tariff_id, None);
        assert_eq!(
            a.check(&euro_line(50_000)).reason_code,
            Some(codes::OVER_BUDGET)
        );
        assert!(a.check(&euro_line(40_000)).approved, "exactly the budget");
    }

    #[test]
    fn product_amount_and_period_reasons() {
        let mut a = assessor(None, vec![]);
        let reason = |a: &mut Assessor, l: LineIn| a.check(&l).reason_code;
        assert_eq!(
            reason(
                &mut a,
                LineIn {
                    product_code: "02A02".into(),
                    ..line(1, "2025-01-01", "2025-01-31", 1)
                }
            ),
            Some(codes::PRODUCT_DIFFERS)
        );
        assert_eq!(
            reason(
                &mut a,
                LineIn {
                    product_code: "03A01".into(),
                    ..line(1, "2025-01-01", "2025-01-31", 1)
                }
            ),
            Some(codes::CATEGORY_DIFFERS)
        );
        assert_eq!(
            reason(
                &mut a,
                LineIn {
                    product_code: "99X99".into(),
                    ..line(1, "2025-01-01", "2025-01-31", 1)
                }
            ),
            Some(codes::CATEGORY_DIFFERS)
        );
        assert_eq!(
            reason(
                &mut a,
                LineIn {
                    declared_amount_cents: Some(14_001),
                    ..line(1, "2025-01-01", "2025-01-31", 2)
                }
            ),
            Some(codes::AMOUNT_MISMATCH)
        );
        assert_eq!(
            reason(
                &mut a,
                LineIn {
                    declared_tariff_cents: Some(7_100),
                    ..line(1, "2025-01-01", "2025-01-31", 2)
                }
            ),
            Some(codes::TARIFF_DIFFERS)
        );
        assert_eq!(
            reason(
                &mut a,
                LineIn {
                    declared_amount_cents: Some(14_000),
                    declared_tariff_cents: Some(7_000),
                    ..line(1, "2025-01-01", "2025-01-31", 2)
                }
            ),
            None
        );
        assert_eq!(
            reason(&mut a, line(9, "2025-01-01", "2025-01-31", 1)),
            Some(codes::NO_ALLOCATION)
        );
        assert_eq!(
            reason(&mut a, line(1, "2025-01-20", "2025-02-10", 1)),
            Some(codes::BAD_PERIOD)
        );
        assert_eq!(
            reason(&mut a, line(1, "2025-01-20", "2025-01-10", 1)),
            Some(codes::BAD_PERIOD)
        );
        assert_eq!(
            reason(&mut a, line(1, "2024-12-01", "2024-12-31", 1)),
            Some(codes::STARTS_OUTSIDE_ALLOCATION)
        );
        assert_eq!(
            reason(&mut a, line(1, "2025-01-01", "2025-01-31", 0)),
            Some(codes::NO_VOLUME)
        );
    }

    #[test]
    fn no_tariff_on_the_service_date() {
        let mut a = assessor(None, vec![]);
        a.allocations.get_mut(&1).unwrap().allocation.end_date = Some(d("2026-12-31"));
        assert_eq!(
            a.check(&line(1, "2026-01-01", "2026-01-31", 1)).reason_code,
            Some(codes::NO_TARIFF)
        );
    }

    #[test]
    fn a_provider_declares_only_its_own_allocations() {
        let mut a = assessor(Some(OTHER_PROVIDER), vec![]);
        assert_eq!(
            a.check(&line(1, "2025-01-01", "2025-01-31", 1)).reason_code,
            Some(codes::NOT_YOUR_ALLOCATION)
        );
        let mut own = assessor(Some(PROVIDER), vec![]);
        assert!(own.check(&line(1, "2025-01-01", "2025-01-31", 1)).approved);
    }

    fn ceiling(hard: bool) -> budget_ceiling::Model {
        budget_ceiling::Model {
            region_id: REGION,
            id: Uuid::from_u128(60),
            provider_id: Some(PROVIDER),
            product_group_id: Some(GROUP),
            municipality_id: None,
            year: 2025,
            amount_cents: 100_000,
            hard,
            spent_cents: 0,
            created_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn budget_ceilings_signal_but_never_refuse_delivered_care() {
        let mut a = assessor(None, vec![ceiling(true)]);
        // 10 h × 70.00 = 700.00 → 70%: no signal
        assert!(a.check(&line(1, "2025-01-01", "2025-01-31", 10)).approved);
        assert!(a.signals().is_empty());
        // + 2 h = 840.00 → 84%: the 80% signal
        assert!(a.check(&line(1, "2025-02-01", "2025-02-28", 2)).approved);
        assert_eq!(
            a.signals(),
            [CeilingSignal {
                budget_ceiling_id: Uuid::from_u128(60),
                level_percent: 80,
                spent_cents: 84_000
            }]
        );
        // + 3 h = 1,050.00 over a hard ceiling of 1,000.00: delivered care
        // within the allocation is paid (seed 002 §5.3); the 100% signal
        let over = a.check(&line(1, "2025-03-01", "2025-03-31", 3));
        assert!(over.approved, "{over:?}");
        assert_eq!(a.ceilings()[0].spent_cents, 105_000);
        assert_eq!(a.signals()[1].level_percent, 100);

        // one line may cross both levels
        let mut soft = assessor(None, vec![ceiling(false)]);
        assert!(
            soft.check(&line(1, "2025-01-01", "2025-01-31", 15))
                .approved
        );
        assert_eq!(soft.ceilings()[0].spent_cents, 105_000);
        let levels: Vec<i32> = soft.signals().iter().map(|s| s.level_percent).collect();
        assert_eq!(levels, [80, 100]);

        // a ceiling on the group alone takes every provider's spend; one
        // for another provider takes none of it
        let group_only = budget_ceiling::Model {
            provider_id: None,
            ..ceiling(false)
        };
        let other = budget_ceiling::Model {
            id: Uuid::from_u128(61),
            provider_id: Some(Uuid::from_u128(99)),
            ..ceiling(false)
        };
        let mut g = assessor(None, vec![group_only, other]);
        assert!(g.check(&line(1, "2025-01-01", "2025-01-31", 10)).approved);
        assert_eq!(g.ceilings()[0].spent_cents, 70_000);
        assert_eq!(g.ceilings()[1].spent_cents, 0);
    }

    #[test]
    fn a_ceiling_combining_groups_books_the_lines_of_any_of_them() {
        // The provider's ceiling combines GROUP and a second group: a line of
        // GROUP counts (10 h × 70.00 = 700.00); a ceiling combining two other
        // groups takes none of it.
        let combined = budget_ceiling::Model {
            product_group_id: None,
            ..ceiling(true)
        };
        let elsewhere = budget_ceiling::Model {
            id: Uuid::from_u128(62),
            product_group_id: None,
            ..ceiling(true)
        };
        let groups = HashMap::from([
            (combined.id, vec![GROUP, Uuid::from_u128(71)]),
            (elsewhere.id, vec![Uuid::from_u128(71), Uuid::from_u128(72)]),
        ]);
        let mut a = assessor(None, vec![combined, elsewhere]).with_ceiling_groups(groups);
        assert!(a.check(&line(1, "2025-01-01", "2025-01-31", 10)).approved);
        assert_eq!(a.ceilings()[0].spent_cents, 70_000);
        assert_eq!(a.ceilings()[1].spent_cents, 0);
    }

    fn prestatie(number: i64, reference: &str, from: &str, to: &str, volume: i64) -> LineIn {
        LineIn {
            reference: Some(reference.into()),
            ..line(number, from, to, volume)
        }
    }

    fn credit(number: i64, reference: &str, debit: &str, volume: i64) -> LineIn {
        LineIn {
            credit: true,
            previous_reference: Some(debit.into()),
            ..prestatie(number, reference, "2025-01-01", "2025-01-31", volume)
        }
    }

    #[test]
    fn prestatie_references_months_and_clients() {
        let mut a = assessor(Some(PROVIDER), vec![]);
        let reason = |a: &mut Assessor, l: LineIn| a.check(&l).reason_code;
        // 10 h × 70.00 = 700.00
        let first = a.check(&prestatie(1, "R1", "2025-01-01", "2025-01-31", 10));
        assert_eq!(first.amount_cents, Some(70_000));
        assert_eq!(
            first.took_reference,
            Some((PROVIDER, Law::Wmo, "R1".into()))
        );
        assert_eq!(
            reason(&mut a, prestatie(1, "R1", "2025-02-01", "2025-02-28", 1)),
            Some(codes::REFERENCE_USED)
        );
        assert_eq!(
            reason(&mut a, prestatie(1, "R2", "2025-01-01", "2025-01-31", 1)),
            Some(codes::DEBIT_NOT_CREDITED),
            "January was declared and approved under R1"
        );
        assert_eq!(
            reason(&mut a, prestatie(1, "R3", "2025-02-02", "2025-02-28", 1)),
            Some(codes::NOT_FROM_MONTH_START)
        );
        assert_eq!(
            reason(&mut a, prestatie(1, "R4", "2025-02-01", "2025-02-27", 1)),
            Some(codes::NOT_TO_MONTH_END)
        );
        // R3 and R4 were refused for their periods, yet their numbers are taken.
        assert_eq!(
            reason(&mut a, prestatie(1, "R3", "2025-02-01", "2025-02-28", 1)),
            Some(codes::REFERENCE_USED)
        );
        // A plain line (no reference) keeps the old freedom of periods.
        assert_eq!(reason(&mut a, line(1, "2025-03-02", "2025-03-20", 1)), None);
        let other_client = LineIn {
            client_key: Some("someone-else".into()),
            ..prestatie(1, "R5", "2025-04-01", "2025-04-30", 1)
        };
        assert_eq!(reason(&mut a, other_client), Some(codes::NOT_THIS_CLIENT));
        let same_client = LineIn {
            client_key: Some("k".into()),
            ..prestatie(1, "R6", "2025-04-01", "2025-04-30", 1)
        };
        assert_eq!(reason(&mut a, same_client), None);
        let outside = LineIn {
            declaration_period: Some((d("2025-05-01"), d("2025-05-31"))),
            ..prestatie(1, "R7", "2025-06-01", "2025-06-30", 1)
        };
        assert_eq!(
            reason(&mut a, outside),
            Some(codes::OUTSIDE_DECLARATION_PERIOD)
        );
    }

    #[test]
    fn a_credit_reverses_its_debit_once() {
        let mut a = assessor(Some(PROVIDER), vec![ceiling(false)]);
        let debit_id = Uuid::from_u128(900);
        let debit = a.assess(
            &prestatie(1, "R1", "2025-01-01", "2025-01-31", 17),
            debit_id,
        );
        assert_eq!(debit.amount_cents, Some(119_000), "17 h × 70.00");
        assert_eq!(a.ceilings()[0].spent_cents, 119_000);
        // 17 h is all January allows (4 h/week × 31/7 = 17.7 h).
        assert_eq!(
            a.check(&line(1, "2025-01-01", "2025-01-31", 1)).reason_code,
            Some(codes::OVER_VOLUME_IN_WINDOW)
        );
        let reversed = a.check(&credit(1, "C1", "R1", 17));
        assert!(reversed.approved);
        assert_eq!(reversed.amount_cents, Some(-119_000));
        assert_eq!(reversed.reverses, Some(debit_id));
        assert_eq!(
            a.ceilings()[0].spent_cents,
            0,
            "the credit lowers the ceiling's spend"
        );
        assert_eq!(
            a.check(&credit(1, "C2", "R1", 17)).reason_code,
            Some(codes::ALREADY_CREDITED)
        );
        assert_eq!(
            a.check(&credit(1, "C3", "R9", 17)).reason_code,
            Some(codes::NO_DEBIT_FOR_CREDIT)
        );
        // January's volume is free again, and a new debit for it is allowed.
        let again = a.check(&prestatie(1, "R2", "2025-01-01", "2025-01-31", 16));
        assert_eq!(again.amount_cents, Some(112_000));
        // A credit of another amount than its debit's is refused.
        let wrong = LineIn {
            declared_amount_cents: Some(1),
            ..credit(1, "C4", "R2", 16)
        };
        assert_eq!(a.check(&wrong).reason_code, Some(codes::AMOUNT_MISMATCH));
    }

    #[test]
    fn hostile_volumes_and_reused_references_are_refused_not_wrapped() {
        let mut a = assessor(Some(PROVIDER), vec![ceiling(true)]);
        // 2^62 hours: × 7 wraps an i64; the amount does not fit in cents.
        let huge = line(1, "2025-01-01", "2025-01-31", 1 << 62);
        assert!(!a.check(&huge).approved);
        assert_eq!(a.ceilings()[0].spent_cents, 0);
        // A reused reference on a line refused early is 8021, and the
        // earlier line keeps the number.
        assert!(
            a.check(&prestatie(1, "R1", "2025-01-01", "2025-01-31", 1))
                .approved
        );
        let zero = a.check(&prestatie(1, "R1", "2025-02-01", "2025-02-28", 0));
        assert_eq!(zero.reason_code, Some(codes::REFERENCE_USED));
        assert_eq!(zero.took_reference, None);
        // A credit for another period than its debit's: no such debit (8017).
        let elsewhere = LineIn {
            credit: true,
            previous_reference: Some("R1".into()),
            ..prestatie(1, "C1", "2025-02-01", "2025-02-28", 1)
        };
        assert_eq!(
            a.check(&elsewhere).reason_code,
            Some(codes::NO_DEBIT_FOR_CREDIT)
        );
        // The prestatie's category and law are the allocation's, or not its own.
        let category = LineIn {
            category: Some("07".into()),
            ..prestatie(1, "R2", "2025-03-01", "2025-03-31", 1)
        };
        assert_eq!(
            a.check(&category).reason_code,
            Some(codes::CATEGORY_DIFFERS)
        );
        let jeugd = LineIn {
            law: Some(Law::Jeugdwet),
            ..prestatie(1, "R3", "2025-03-01", "2025-03-31", 1)
        };
        assert_eq!(a.check(&jeugd).reason_code, Some(codes::NO_ALLOCATION));
    }

    #[test]
    fn own_codes_map_onto_the_national_list() {
        assert_eq!(codes::standard_code(codes::NO_TARIFF), "0611");
        assert_eq!(codes::standard_code(codes::NOT_YOUR_ALLOCATION), "9338");
        assert_eq!(codes::standard_code("9321"), "9321");
    }
}
