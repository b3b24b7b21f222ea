//! The live waiting list (issue 28): who waits on a day for care to start,
//! how long, and whether past the group's waiting norm.
//!
//! - An allocation is **in force** on a day when it was recorded on or
//!   before it, is not removed by then, starts on or before it and neither
//!   ends nor was stopped before it (a stop day is care's last day).
//! - Its **care has started** by a day when the provider reported a start
//!   (305) or an end (307) on or before it, or an approved declaration
//!   (a debit no credit reversed) covers a day on or before it.
//! - A client **waits** on a day when the allocation is in force and care
//!   has not started.
//! - **Days waited**: from the later of the allocation date and the
//!   allocation's start to the day. The allocation date is the day the
//!   allocation was recorded (`created_at`, UTC), as in the report's
//!   waiting time (`report::waiting_days`); an allocation recorded ahead of
//!   its start waits from its start (the weeks before were planned, not
//!   waited).
//! - **Over the norm**: strictly more days than the norm; a client waiting
//!   exactly the norm's days is within it.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::policy::REGION_SCOPE;

/// What the waiting list needs to know of an allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    /// The day it was recorded (the allocation date).
    pub recorded_on: NaiveDate,
    /// The day it was removed (301 with RedenWijziging 13), if it was.
    pub removed_on: Option<NaiveDate>,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub stopped_on: Option<NaiveDate>,
    pub care_started_on: Option<NaiveDate>,
    pub care_ended_on: Option<NaiveDate>,
    /// Whether an approved declaration covers a day on or before the day
    /// asked.
    pub declared_by_then: bool,
}

/// Whether the allocation is in force on `day`.
pub fn in_force_on(f: &Facts, day: NaiveDate) -> bool {
    f.recorded_on <= day
        && f.removed_on.is_none_or(|removed| removed > day)
        && f.start_date <= day
        && f.end_date.is_none_or(|end| end >= day)
        && f.stopped_on.is_none_or(|stop| stop >= day)
}

/// Whether care had started by `day`.
pub fn care_started_by(f: &Facts, day: NaiveDate) -> bool {
    f.care_started_on.is_some_and(|start| start <= day)
        || f.care_ended_on.is_some_and(|end| end <= day)
        || f.declared_by_then
}

/// Whether the client waits on `day`.
pub fn waits_on(f: &Facts, day: NaiveDate) -> bool {
    in_force_on(f, day) && !care_started_by(f, day)
}

/// Days from the later of the allocation date and the start to `day` (0
/// on the day itself).
pub fn days_waited(f: &Facts, day: NaiveDate) -> i64 {
    (day - f.recorded_on.max(f.start_date)).num_days().max(0)
}

/// Whether `days` is past the norm: strictly more. Without a norm no one is.
pub fn over_norm(days: i64, norm_days: Option<u32>) -> bool {
    norm_days.is_some_and(|norm| days > i64::from(norm))
}

/// The rule of a policy set per product group with a region-wide fallback
/// (`waiting-norm`, `coverage`): the group's own, else the region's.
pub fn group_rule<T: Copy>(rules: &BTreeMap<String, T>, group_code: &str) -> Option<T> {
    rules
        .get(group_code)
        .or_else(|| rules.get(REGION_SCOPE))
        .copied()
}

/// The totals of a part of the list (a group, a municipality, a provider).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Totals {
    pub waiting: usize,
    pub over_norm: usize,
    pub longest_days: i64,
    /// The middle wait, or the mean of the two middle ones (half a day).
    pub median_days: Decimal,
}

/// The totals of the waits `(days, over norm)`; `None` for none.
pub fn totals(waits: &[(i64, bool)]) -> Option<Totals> {
    let mut days: Vec<i64> = waits.iter().map(|(d, _)| *d).collect();
    days.sort_unstable();
    Some(Totals {
        waiting: waits.len(),
        over_norm: waits.iter().filter(|(_, over)| *over).count(),
        longest_days: *days.last()?,
        median_days: crate::report::median(&days)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// Recorded and started on 2026-01-20, no end, no care yet.
    fn facts() -> Facts {
        Facts {
            recorded_on: d("2026-01-20"),
            removed_on: None,
            start_date: d("2026-01-20"),
            end_date: None,
            stopped_on: None,
            care_started_on: None,
            care_ended_on: None,
            declared_by_then: false,
        }
    }

    #[test]
    fn a_client_waits_over_a_month_boundary() {
        let f = facts();
        assert!(waits_on(&f, d("2026-02-03")));
        // 11 days of January (20 → 31) and 3 of February.
        assert_eq!(days_waited(&f, d("2026-02-03")), 14);
        assert_eq!(days_waited(&f, d("2026-01-20")), 0);
    }

    #[test]
    fn the_allocation_date_is_the_day_it_was_recorded() {
        // Recorded late (start 2026-01-01, recorded 2026-01-20): the wait
        // counts from the recording, as the report's waiting time does.
        let f = Facts {
            start_date: d("2026-01-01"),
            ..facts()
        };
        assert!(!waits_on(&f, d("2026-01-19")), "not recorded yet");
        assert!(waits_on(&f, d("2026-01-20")));
        assert_eq!(days_waited(&f, d("2026-01-25")), 5);
    }

    #[test]
    fn an_allocation_recorded_ahead_of_its_start_waits_from_its_start() {
        // Recorded 2026-01-20 for care from 2026-03-01: 2 days waited on
        // 3 March, not 42.
        let f = Facts {
            start_date: d("2026-03-01"),
            ..facts()
        };
        assert!(!waits_on(&f, d("2026-02-28")), "not in force yet");
        assert_eq!(days_waited(&f, d("2026-03-03")), 2);
    }

    #[test]
    fn care_started_by_a_305_a_307_or_a_declaration() {
        let started = Facts {
            care_started_on: Some(d("2026-02-10")),
            ..facts()
        };
        assert!(waits_on(&started, d("2026-02-09")), "starts the next day");
        assert!(!waits_on(&started, d("2026-02-10")));
        let ended = Facts {
            care_ended_on: Some(d("2026-03-01")),
            ..facts()
        };
        assert!(!waits_on(&ended, d("2026-03-01")));
        let declared = Facts {
            declared_by_then: true,
            ..facts()
        };
        assert!(!waits_on(&declared, d("2026-02-01")));
    }

    #[test]
    fn only_an_allocation_in_force_waits() {
        let planned = Facts {
            start_date: d("2026-03-01"),
            ..facts()
        };
        assert!(!waits_on(&planned, d("2026-02-28")));
        assert!(waits_on(&planned, d("2026-03-01")));
        let ended = Facts {
            end_date: Some(d("2026-02-28")),
            ..facts()
        };
        assert!(waits_on(&ended, d("2026-02-28")), "its last day");
        assert!(!waits_on(&ended, d("2026-03-01")));
        let stopped = Facts {
            stopped_on: Some(d("2026-02-15")),
            end_date: Some(d("2026-02-15")),
            ..facts()
        };
        assert!(!waits_on(&stopped, d("2026-02-16")));
        let removed = Facts {
            removed_on: Some(d("2026-02-01")),
            ..facts()
        };
        assert!(waits_on(&removed, d("2026-01-31")));
        assert!(!waits_on(&removed, d("2026-02-01")));
    }

    #[test]
    fn exactly_at_the_norm_is_not_over_it() {
        assert!(!over_norm(42, Some(42)));
        assert!(over_norm(43, Some(42)));
        assert!(!over_norm(400, None), "no norm, no one over it");
    }

    #[test]
    fn the_groups_own_norm_before_the_regions() {
        let norms = BTreeMap::from([("region".to_owned(), 42u32), ("BW".to_owned(), 28)]);
        assert_eq!(group_rule(&norms, "BW"), Some(28));
        assert_eq!(group_rule(&norms, "JGGZ"), Some(42));
        let only_bw = BTreeMap::from([("BW".to_owned(), 28u32)]);
        assert_eq!(group_rule(&only_bw, "JGGZ"), None);
    }

    #[test]
    fn totals_with_longest_and_median() {
        let t = totals(&[(10, false), (50, true), (20, false), (43, true)]).unwrap();
        assert_eq!(t.waiting, 4);
        assert_eq!(t.over_norm, 2);
        assert_eq!(t.longest_days, 50);
        // 10 20 43 50: (20 + 43) / 2
        assert_eq!(t.median_days, Decimal::new(315, 1));
        let one = totals(&[(7, false)]).unwrap();
        assert_eq!(one.median_days, Decimal::from(7));
        assert_eq!(totals(&[]), None);
    }
}
