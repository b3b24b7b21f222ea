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
}
