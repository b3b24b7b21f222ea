//! Rules an allocation (toewijzing) must satisfy on its own: the iWmo
//! execution variants (how volume, budget and funding variant fit together)
//! and the temporary-intensive limits of the region's policy.

use chrono::{Datelike, Months, NaiveDate};

use crate::enums::{FundingVariant, Unit, VolumeFrequency};

/// An allocated volume: `amount` units per `frequency`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Volume {
    pub amount: i64,
    pub unit: Unit,
    pub frequency: VolumeFrequency,
}

/// What the allocation grants: a volume, a budget in cents, or neither
/// (task-funded products are paid as a lump sum, not per client).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    Volume(Volume),
    Budget(i64),
    Nothing,
}

/// A temporary-intensive episode: `extra` units on top of the volume, in
/// the allocation's unit and frequency, from `from` to `to` inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Episode {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub extra: i64,
}

/// The region's temporary-intensive limit for a product (seed 000 §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntensiveLimit {
    /// At most `max_months` per calendar year (products A and B: 3).
    PerCalendarYear { max_months: u32 },
    /// At most `max_months` within the allocation period (product C: 12).
    WithinAllocation { max_months: u32 },
}

/// Whether a delivered unit can be priced from a tariff in `product_unit`:
/// the same unit, or minutes against an hourly tariff (and back).
pub fn units_compatible(product_unit: Unit, unit: Unit) -> bool {
    product_unit == unit
        || matches!(
            (product_unit, unit),
            (Unit::Hour, Unit::Minute) | (Unit::Minute, Unit::Hour)
        )
}

/// The iWmo execution variants. `Err` names what does not fit.
pub fn check_execution_variant(
    variant: FundingVariant,
    product_unit: Unit,
    start: NaiveDate,
    end: Option<NaiveDate>,
    grant: &Grant,
) -> Result<(), String> {
    if end.is_some_and(|end| end < start) {
        return Err("the end date is before the start date".into());
    }
    match (variant, grant) {
        (FundingVariant::Task, Grant::Nothing) => return Ok(()),
        // A task allocation records who is in care; it may state the hours
        // the access team decided (CRvB, seed 003 §3.6), never a price.
        (FundingVariant::Task, Grant::Volume(v))
            if !matches!(v.unit, Unit::Hour | Unit::Minute) =>
        {
            return Err("a task-funded allocation may state hours, nothing else".into());
        }
        (FundingVariant::Task, Grant::Budget(_)) => {
            return Err("a task-funded product gets no per-client budget".into());
        }
        (_, Grant::Nothing) => {
            return Err("an effort- or output-funded product needs a volume or a budget".into())
        }
        (FundingVariant::Effort, Grant::Budget(_)) => {
            return Err(
                "an effort-funded (P×Q) product is allocated as a volume, not a budget".into(),
            );
        }
        (FundingVariant::Output, Grant::Volume(v)) if v.frequency != VolumeFrequency::Total => {
            return Err(
                "an output-funded product is allocated as a total volume or a budget".into(),
            );
        }
        _ => {}
    }
    match grant {
        Grant::Volume(v) => {
            if v.amount < 1 {
                return Err("the volume must be at least 1".into());
            }
            if v.unit == Unit::Euro {
                return Err("an amount in euros is a budget, not a volume".into());
            }
            if !units_compatible(product_unit, v.unit) {
                return Err(format!(
                    "the volume unit {} does not fit the product unit {}",
                    v.unit.as_str(),
                    product_unit.as_str()
                ));
            }
            if matches!(v.frequency, VolumeFrequency::Week | VolumeFrequency::Total)
                && end.is_none()
            {
                return Err(format!(
                    "a volume per {} needs an end date",
                    v.frequency.as_str()
                ));
            }
        }
        Grant::Budget(cents) => {
            if *cents < 1 {
                return Err("the budget must be positive".into());
            }
            if end.is_none() {
                return Err("a budget allocation needs an end date".into());
            }
        }
        Grant::Nothing => {}
    }
    Ok(())
}

/// Whole months an episode spans, every started month counted in full:
/// the smallest k with `to` before `from` + k months
/// (1 Jan – 31 Mar: 3; 15 Jan – 14 Apr: 3; 15 Jan – 15 Apr: 4).
pub fn months_spanned(from: NaiveDate, to: NaiveDate) -> u32 {
    let mut months = 1;
    while from
        .checked_add_months(Months::new(months))
        .is_some_and(|end| end <= to)
    {
        months += 1;
    }
    months
}

/// Temporary-intensive episodes: inside the allocation, not overlapping,
/// positive, and within the policy's limit.
pub fn check_temporary_intensive(
    start: NaiveDate,
    end: Option<NaiveDate>,
    grant: &Grant,
    episodes: &[Episode],
    limit: Option<IntensiveLimit>,
) -> Result<(), String> {
    if episodes.is_empty() {
        return Ok(());
    }
    if !matches!(grant, Grant::Volume(_)) {
        return Err("temporary intensive extends a volume; this allocation has none".into());
    }
    let Some(limit) = limit else {
        return Err("the region's policy allows no temporary intensive for this product".into());
    };
    for (i, e) in episodes.iter().enumerate() {
        if e.to < e.from {
            return Err(format!("episode {} ends before it starts", i + 1));
        }
        if e.extra < 1 {
            return Err(format!("episode {} adds no volume", i + 1));
        }
        if e.from < start || end.is_some_and(|end| e.to > end) {
            return Err(format!(
                "episode {} lies outside the allocation period",
                i + 1
            ));
        }
        if episodes[..i]
            .iter()
            .any(|o| o.from <= e.to && e.from <= o.to)
        {
            return Err(format!("episode {} overlaps another episode", i + 1));
        }
    }
    match limit {
        IntensiveLimit::WithinAllocation { max_months } => {
            let months: u32 = episodes.iter().map(|e| months_spanned(e.from, e.to)).sum();
            if months > max_months {
                return Err(format!("{months} months of temporary intensive; at most {max_months} within the allocation"));
            }
        }
        IntensiveLimit::PerCalendarYear { max_months } => {
            let first = episodes
                .iter()
                .map(|e| e.from.year())
                .min()
                .unwrap_or(start.year());
            let last = episodes
                .iter()
                .map(|e| e.to.year())
                .max()
                .unwrap_or(start.year());
            for year in first..=last {
                let (jan1, dec31) = (
                    NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(start),
                    NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(start),
                );
                let months: u32 = episodes
                    .iter()
                    .filter(|e| e.from <= dec31 && e.to >= jan1)
                    .map(|e| months_spanned(e.from.max(jan1), e.to.min(dec31)))
                    .sum();
                if months > max_months {
                    return Err(format!("{months} months of temporary intensive in {year}; at most {max_months} per calendar year"));
                }
            }
        }
    }
    Ok(())
}

/// One of the client's allocations of a product, for the limits that
/// belong to the client rather than to one allocation: its number, period
/// and temporary-intensive episodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAllocation {
    pub number: i64,
    pub start: NaiveDate,
    /// The last day (a stop's date for a stopped allocation); `None` = open.
    pub end: Option<NaiveDate>,
    pub episodes: Vec<Episode>,
}

impl ClientAllocation {
    /// Months of this allocation's episodes within `from` – `to` (`None`:
    /// open), each episode cut to the window and to the allocation's own
    /// period first (an episode after a stop was never used).
    fn months_within(&self, from: NaiveDate, to: Option<NaiveDate>) -> u32 {
        let lo = from.max(self.start);
        let hi = match (to, self.end) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.episodes
            .iter()
            .filter_map(|e| {
                let from = e.from.max(lo);
                let to = hi.map_or(e.to, |hi| e.to.min(hi));
                (from <= to).then(|| months_spanned(from, to))
            })
            .sum()
    }
}

/// "allocation 7001 (2 months), allocation 7002 (1 month)"
fn months_used(used: &[(i64, u32)]) -> String {
    used.iter()
        .map(|(number, months)| {
            let unit = if *months == 1 { "month" } else { "months" };
            format!("allocation {number} ({months} {unit})")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The policy's limit over all the client's allocations of the product
/// (seed 000 §4.1: "per jaar voor maximaal 3 maanden", product C "binnen
/// de beschikkingsduur voor maximaal 1 jaar"). `this` is the allocation
/// created or changed, its episodes already checked by
/// [`check_temporary_intensive`]; `others` are the client's other
/// allocations of the same product (not removed).
///
/// - Per calendar year: in every year `this`'s episodes touch, the
///   months of all the client's episodes in that year together.
/// - Within the allocation: every period of an allocation (`this`, or
///   another one `this`'s episodes fall in) is a window; the months of
///   all the client's episodes inside it together.
///
/// Months are counted as in [`months_spanned`], per episode; `Err` names
/// the months already used and on which allocations.
pub fn check_client_intensive(
    this: &ClientAllocation,
    others: &[ClientAllocation],
    limit: IntensiveLimit,
) -> Result<(), String> {
    if this.episodes.is_empty() {
        return Ok(());
    }
    let over = |from: NaiveDate, to: Option<NaiveDate>, max: u32| {
        let own = this.months_within(from, to);
        let used: Vec<(i64, u32)> = others
            .iter()
            .map(|o| (o.number, o.months_within(from, to)))
            .filter(|(_, months)| *months > 0)
            .collect();
        let total = own + used.iter().map(|(_, m)| m).sum::<u32>();
        (own > 0 && total > max && !used.is_empty()).then(|| {
            format!(
                "{total} months of temporary intensive for this client: {own} on this allocation \
                 and {} already used on {}",
                total - own,
                months_used(&used)
            )
        })
    };
    match limit {
        IntensiveLimit::PerCalendarYear { max_months } => {
            let first = this.episodes.iter().map(|e| e.from.year()).min();
            let last = this.episodes.iter().map(|e| e.to.year()).max();
            for year in first.unwrap_or(0)..=last.unwrap_or(-1) {
                let (Some(jan1), Some(dec31)) = (
                    NaiveDate::from_ymd_opt(year, 1, 1),
                    NaiveDate::from_ymd_opt(year, 12, 31),
                ) else {
                    continue;
                };
                if let Some(detail) = over(jan1, Some(dec31), max_months) {
                    return Err(format!(
                        "{detail} in {year}; at most {max_months} per calendar year"
                    ));
                }
            }
        }
        IntensiveLimit::WithinAllocation { max_months } => {
            let windows = std::iter::once((this.start, this.end, None))
                .chain(others.iter().map(|o| (o.start, o.end, Some(o.number))));
            for (from, to, number) in windows {
                if let Some(detail) = over(from, to, max_months) {
                    let period = match to {
                        Some(to) => format!("{from} – {to}"),
                        None => format!("from {from}"),
                    };
                    let whose = match number {
                        Some(n) => format!("allocation {n}'s period"),
                        None => "this allocation's period".to_owned(),
                    };
                    return Err(format!(
                        "{detail} within {whose} ({period}); at most {max_months} within an allocation"
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Whether an allocation starting on `start` may be made for a client of a
/// product closed to new clients from `closed_from` (seed 002 §4.3:
/// "enkel … voor de huidige groep gebruikers"). Before that date anyone
/// may; from it only a current client: one who held an allocation of the
/// product in force on the day before (`held`: the periods of the client's
/// other allocations of it, not removed; a stopped one ends on its stop).
/// `Err` says why not.
pub fn check_new_client(
    closed_from: Option<NaiveDate>,
    start: NaiveDate,
    held: &[(NaiveDate, Option<NaiveDate>)],
) -> Result<(), String> {
    let Some(closed_from) = closed_from else {
        return Ok(());
    };
    if start < closed_from {
        return Ok(());
    }
    let Some(eve) = closed_from.pred_opt() else {
        return Ok(());
    };
    let current = held
        .iter()
        .any(|(from, to)| *from <= eve && to.is_none_or(|to| eve <= to));
    if current {
        return Ok(());
    }
    Err(format!(
        "closed to new clients from {closed_from}; this client held no allocation of it on {eve}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn weekly(amount: i64) -> Grant {
        Grant::Volume(Volume {
            amount,
            unit: Unit::Hour,
            frequency: VolumeFrequency::Week,
        })
    }

    #[test]
    fn execution_variants() {
        let start = d("2025-01-01");
        let end = Some(d("2025-12-31"));
        use FundingVariant::*;
        assert!(check_execution_variant(Effort, Unit::Hour, start, end, &weekly(4)).is_ok());
        // a week frequency needs an end date
        assert!(
            check_execution_variant(Effort, Unit::Hour, start, None, &weekly(4))
                .unwrap_err()
                .contains("end date")
        );
        let monthly = Grant::Volume(Volume {
            amount: 20,
            unit: Unit::Hour,
            frequency: VolumeFrequency::Month,
        });
        assert!(check_execution_variant(Effort, Unit::Hour, start, None, &monthly).is_ok());
        // minutes against an hourly tariff are fine; days are not
        let minutes = Grant::Volume(Volume {
            amount: 240,
            unit: Unit::Minute,
            frequency: VolumeFrequency::Week,
        });
        assert!(check_execution_variant(Effort, Unit::Hour, start, end, &minutes).is_ok());
        let days = Grant::Volume(Volume {
            amount: 2,
            unit: Unit::Day,
            frequency: VolumeFrequency::Week,
        });
        assert!(check_execution_variant(Effort, Unit::Hour, start, end, &days).is_err());
        // task: nothing per client
        assert!(check_execution_variant(Task, Unit::Euro, start, None, &Grant::Nothing).is_ok());
        // a task allocation may state the hours decided, never days or a budget
        assert!(check_execution_variant(Task, Unit::Hour, start, end, &weekly(3)).is_ok());
        let days = Grant::Volume(Volume {
            amount: 3,
            unit: Unit::Day,
            frequency: VolumeFrequency::Week,
        });
        assert!(check_execution_variant(Task, Unit::Hour, start, end, &days)
            .unwrap_err()
            .contains("hours"));
        assert!(
            check_execution_variant(Task, Unit::Euro, start, end, &Grant::Budget(100))
                .unwrap_err()
                .contains("task")
        );
        // budget: output only, with an end date
        assert!(
            check_execution_variant(Output, Unit::Euro, start, end, &Grant::Budget(500_000))
                .is_ok()
        );
        assert!(
            check_execution_variant(Output, Unit::Euro, start, None, &Grant::Budget(500_000))
                .unwrap_err()
                .contains("end date")
        );
        assert!(
            check_execution_variant(Effort, Unit::Hour, start, end, &Grant::Budget(500_000))
                .is_err()
        );
        // output with a volume: only a total
        assert!(check_execution_variant(Output, Unit::Hour, start, end, &weekly(3)).is_err());
        let total = Grant::Volume(Volume {
            amount: 1,
            unit: Unit::Piece,
            frequency: VolumeFrequency::Total,
        });
        assert!(check_execution_variant(Output, Unit::Piece, start, end, &total).is_ok());
        assert!(check_execution_variant(
            Effort,
            Unit::Hour,
            start,
            Some(d("2024-12-31")),
            &weekly(1)
        )
        .is_err());
    }

    #[test]
    fn months_spanned_counts_started_months() {
        assert_eq!(months_spanned(d("2025-01-01"), d("2025-03-31")), 3);
        assert_eq!(months_spanned(d("2025-01-15"), d("2025-04-14")), 3);
        assert_eq!(months_spanned(d("2025-01-15"), d("2025-04-15")), 4);
        assert_eq!(months_spanned(d("2025-02-01"), d("2025-02-01")), 1);
        assert_eq!(months_spanned(d("2025-01-01"), d("2025-12-31")), 12);
    }

    #[test]
    fn products_a_and_b_three_months_per_calendar_year() {
        let limit = Some(IntensiveLimit::PerCalendarYear { max_months: 3 });
        let (start, end) = (d("2025-01-01"), Some(d("2026-12-31")));
        let ep = |from: &str, to: &str| Episode {
            from: d(from),
            to: d(to),
            extra: 3,
        };
        // 3 months in 2025 and 3 in 2026: fine
        let ok = [
            ep("2025-02-01", "2025-04-30"),
            ep("2026-06-01", "2026-08-31"),
        ];
        assert!(check_temporary_intensive(start, end, &weekly(4), &ok, limit).is_ok());
        // 2 + 2 months in 2025: too many
        let too_many = [
            ep("2025-01-01", "2025-02-28"),
            ep("2025-06-01", "2025-07-31"),
        ];
        assert!(
            check_temporary_intensive(start, end, &weekly(4), &too_many, limit)
                .unwrap_err()
                .contains("2025")
        );
        // across new year: Nov–Dec counts 2 in 2025, Jan 1 in 2026
        let across = [
            ep("2025-11-01", "2026-01-31"),
            ep("2025-03-01", "2025-03-31"),
        ];
        assert!(check_temporary_intensive(start, end, &weekly(4), &across, limit).is_ok());
        // overlapping or outside the allocation
        let overlap = [
            ep("2025-01-01", "2025-01-31"),
            ep("2025-01-31", "2025-02-10"),
        ];
        assert!(
            check_temporary_intensive(start, end, &weekly(4), &overlap, limit)
                .unwrap_err()
                .contains("overlaps")
        );
        assert!(check_temporary_intensive(
            start,
            end,
            &weekly(4),
            &[ep("2024-12-01", "2025-01-31")],
            limit
        )
        .is_err());
        // no policy, or no volume to extend
        assert!(check_temporary_intensive(start, end, &weekly(4), &ok, None).is_err());
        assert!(check_temporary_intensive(start, end, &Grant::Budget(1), &ok, limit).is_err());
    }

    #[test]
    fn product_c_twelve_months_within_the_allocation() {
        let limit = Some(IntensiveLimit::WithinAllocation { max_months: 12 });
        let (start, end) = (d("2025-01-01"), Some(d("2027-12-31")));
        let ep = |from: &str, to: &str| Episode {
            from: d(from),
            to: d(to),
            extra: 3,
        };
        let twelve = [
            ep("2025-01-01", "2025-06-30"),
            ep("2026-01-01", "2026-06-30"),
        ];
        assert!(check_temporary_intensive(start, end, &weekly(10), &twelve, limit).is_ok());
        let thirteen = [
            ep("2025-01-01", "2025-06-30"),
            ep("2026-01-01", "2026-07-01"),
        ];
        assert!(
            check_temporary_intensive(start, end, &weekly(10), &thirteen, limit)
                .unwrap_err()
                .contains("13 months")
        );
    }

    fn held(
        number: i64,
        start: &str,
        end: Option<&str>,
        episodes: &[(&str, &str)],
    ) -> ClientAllocation {
        ClientAllocation {
            number,
            start: d(start),
            end: end.map(d),
            episodes: episodes
                .iter()
                .map(|(from, to)| Episode {
                    from: d(from),
                    to: d(to),
                    extra: 3,
                })
                .collect(),
        }
    }

    #[test]
    fn three_months_a_year_for_the_client_over_all_allocations() {
        let limit = IntensiveLimit::PerCalendarYear { max_months: 3 };
        // June and July: 2 months on this allocation
        let this = held(
            7002,
            "2025-01-01",
            Some("2025-12-31"),
            &[("2025-06-01", "2025-07-31")],
        );
        // 1 month (February) on another: 2 + 1 = 3, allowed
        let one = held(
            7001,
            "2025-01-01",
            Some("2025-12-31"),
            &[("2025-02-01", "2025-02-28")],
        );
        assert!(check_client_intensive(&this, &[one], limit).is_ok());
        // 1 February – 15 March starts 2 months: 2 + 2 = 4 in 2025
        let two = held(
            7001,
            "2025-01-01",
            Some("2025-12-31"),
            &[("2025-02-01", "2025-03-15")],
        );
        let err = check_client_intensive(&this, std::slice::from_ref(&two), limit).unwrap_err();
        assert_eq!(
            err,
            "4 months of temporary intensive for this client: 2 on this allocation and 2 already \
             used on allocation 7001 (2 months) in 2025; at most 3 per calendar year"
        );
        // the same months in 2024 do not count for 2025
        let last_year = held(
            7001,
            "2024-01-01",
            Some("2024-12-31"),
            &[("2024-01-01", "2024-03-31")],
        );
        assert!(check_client_intensive(&this, &[last_year], limit).is_ok());
        // stopped on 14 February: the episode ran 1 – 14 February, 1 month
        let stopped = held(
            7001,
            "2025-01-01",
            Some("2025-02-14"),
            &[("2025-02-01", "2025-03-15")],
        );
        assert!(check_client_intensive(&this, &[stopped], limit).is_ok());
        // November 2024 – January 2025 counts 1 month (January) in 2025
        let across = held(
            7001,
            "2024-01-01",
            Some("2025-12-31"),
            &[("2024-11-01", "2025-01-31")],
        );
        assert!(check_client_intensive(&this, std::slice::from_ref(&across), limit).is_ok());
        // two others, 1 + 1, with 2 here: 4, both named
        let err = check_client_intensive(
            &this,
            &[
                across,
                held(7003, "2025-01-01", None, &[("2025-10-01", "2025-10-31")]),
            ],
            limit,
        )
        .unwrap_err();
        assert!(
            err.contains(
                "2 already used on allocation 7001 (1 month), allocation 7003 (1 month) in 2025"
            ),
            "{err}"
        );
        // an allocation without episodes adds nothing and is never refused
        let none = held(7004, "2025-01-01", Some("2025-12-31"), &[]);
        assert!(check_client_intensive(&none, &[two], limit).is_ok());
    }

    #[test]
    fn twelve_months_within_an_allocation_period_for_the_client() {
        let limit = IntensiveLimit::WithinAllocation { max_months: 12 };
        // another allocation from July 2025 to June 2026: 6 + 3 = 9 months
        let other = held(
            8001,
            "2025-07-01",
            Some("2026-06-30"),
            &[("2025-07-01", "2025-12-31"), ("2026-01-01", "2026-03-31")],
        );
        // 2025: 6 here (January – June), 6 of 8001's in 2025: 12, allowed
        let this = held(
            8002,
            "2025-01-01",
            Some("2025-12-31"),
            &[("2025-01-01", "2025-06-30")],
        );
        assert!(check_client_intensive(&this, std::slice::from_ref(&other), limit).is_ok());
        // September as well: 7 + 6 = 13 within this allocation's period
        let this = held(
            8002,
            "2025-01-01",
            Some("2025-12-31"),
            &[("2025-01-01", "2025-06-30"), ("2025-09-01", "2025-09-30")],
        );
        assert_eq!(
            check_client_intensive(&this, std::slice::from_ref(&other), limit).unwrap_err(),
            "13 months of temporary intensive for this client: 7 on this allocation and 6 already \
             used on allocation 8001 (6 months) within this allocation's period (2025-01-01 – \
             2025-12-31); at most 12 within an allocation"
        );
        // 2026, 15 March – 30 June: 4 months. In 2026 itself 4 + 3 = 7, but
        // within 8001's period (July 2025 – June 2026) 4 + 9 = 13
        let later = held(
            8003,
            "2026-01-01",
            Some("2026-12-31"),
            &[("2026-03-15", "2026-06-30")],
        );
        let err = check_client_intensive(&later, std::slice::from_ref(&other), limit).unwrap_err();
        assert!(
            err.starts_with("13 months")
                && err.contains("within allocation 8001's period (2025-07-01 – 2026-06-30)"),
            "{err}"
        );
        // from 1 April: 3 + 9 = 12, allowed
        let later = held(
            8003,
            "2026-01-01",
            Some("2026-12-31"),
            &[("2026-04-01", "2026-06-30")],
        );
        assert!(check_client_intensive(&later, &[other], limit).is_ok());
    }

    #[test]
    fn a_closed_product_keeps_its_current_clients() {
        let closed = Some(d("2023-01-01"));
        // not closed, or starting before the date: anyone
        assert!(check_new_client(None, d("2024-01-01"), &[]).is_ok());
        assert!(check_new_client(closed, d("2022-12-31"), &[]).is_ok());
        // from the date a new client is refused
        assert_eq!(
            check_new_client(closed, d("2023-01-01"), &[]).unwrap_err(),
            "closed to new clients from 2023-01-01; this client held no allocation of it on 2022-12-31"
        );
        // a client in care on 31 December 2022 keeps it
        let current = [(d("2022-01-01"), Some(d("2022-12-31")))];
        assert!(check_new_client(closed, d("2023-03-01"), &current).is_ok());
        assert!(check_new_client(closed, d("2023-03-01"), &[(d("2020-01-01"), None)]).is_ok());
        // ended on 30 December, or started on the closing date: new
        assert!(check_new_client(
            closed,
            d("2023-03-01"),
            &[(d("2022-01-01"), Some(d("2022-12-30")))]
        )
        .is_err());
        assert!(check_new_client(closed, d("2023-03-01"), &[(d("2023-01-01"), None)]).is_err());
    }
}
