//! Coverage of the care landscape (issue 28): per municipality and product
//! group, the providers contracted for it and those active there, against
//! the group's minimum.
//!
//! - **Contracted** on a day: a contract of the provider in force that day
//!   (started on or before it, its last day — term, options, amendments,
//!   termination — not before it) naming both the group and the
//!   municipality. An accepted open-house enrolment concludes such a
//!   contract, so it counts through it.
//! - **Active** on a day: the provider served a client of the municipality
//!   in the group in the 12 months up to and including the day (from the
//!   same day a year earlier plus one): an allocation recorded by then and
//!   not removed by then whose care period overlaps that window. The care
//!   period runs from the reported start (305), else the allocation's
//!   start, to the reported end (307), else its end date (a stop sets it),
//!   else open.
//! - **Below the minimum**: fewer active providers than the `coverage`
//!   policy's `minimumProviders` (the group's own, else the region's).
//!   Without a policy there is no minimum and no cell is below it.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, Months, NaiveDate};
use uuid::Uuid;

/// The 12 months up to and including `as_of`: (first day, last day).
pub fn window(as_of: NaiveDate) -> (NaiveDate, NaiveDate) {
    let year_before = as_of
        .checked_sub_months(Months::new(12))
        .unwrap_or(NaiveDate::MIN);
    (year_before + Duration::days(1), as_of)
}

/// A contract as coverage sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractCover {
    pub provider_id: Uuid,
    pub start_date: NaiveDate,
    /// Its last day; `None` when it has none (never in force).
    pub last_day: Option<NaiveDate>,
    pub product_groups: Vec<Uuid>,
    pub municipalities: Vec<Uuid>,
}

/// Whether the contract is in force on `day`.
pub fn in_force_on(c: &ContractCover, day: NaiveDate) -> bool {
    c.start_date <= day && c.last_day.is_some_and(|last| day <= last)
}

/// An allocation as coverage sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Served {
    pub provider_id: Uuid,
    pub municipality_id: Uuid,
    pub product_group_id: Uuid,
    pub recorded_on: NaiveDate,
    pub removed_on: Option<NaiveDate>,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub care_started_on: Option<NaiveDate>,
    pub care_ended_on: Option<NaiveDate>,
}

/// Whether the allocation's care period overlaps the 12 months up to `as_of`.
pub fn served_within(a: &Served, as_of: NaiveDate) -> bool {
    let (from, to) = window(as_of);
    let care_from = a.care_started_on.unwrap_or(a.start_date);
    let care_to = a.care_ended_on.or(a.end_date);
    a.recorded_on <= as_of
        && a.removed_on.is_none_or(|removed| removed > as_of)
        && care_from <= to
        && care_to.is_none_or(|end| end >= from)
}

/// Whether `active` providers fall short of the minimum.
pub fn below_minimum(active: usize, minimum: Option<u32>) -> bool {
    minimum.is_some_and(|m| active < m as usize)
}

/// One municipality × product group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub municipality_id: Uuid,
    pub product_group_id: Uuid,
    pub contracted: BTreeSet<Uuid>,
    pub active: BTreeSet<Uuid>,
    pub minimum: Option<u32>,
    pub below_minimum: bool,
}

/// Every cell of `municipalities` × `groups` on `as_of`, in that order;
/// `minimum` gives a group's minimum.
pub fn cells(
    (municipalities, groups): (&[Uuid], &[Uuid]),
    contracts: &[ContractCover],
    allocations: &[Served],
    as_of: NaiveDate,
    minimum: impl Fn(Uuid) -> Option<u32>,
) -> Vec<Cell> {
    let mut contracted: BTreeMap<(Uuid, Uuid), BTreeSet<Uuid>> = BTreeMap::new();
    for c in contracts.iter().filter(|c| in_force_on(c, as_of)) {
        for m in &c.municipalities {
            for g in &c.product_groups {
                contracted
                    .entry((*m, *g))
                    .or_default()
                    .insert(c.provider_id);
            }
        }
    }
    let mut active: BTreeMap<(Uuid, Uuid), BTreeSet<Uuid>> = BTreeMap::new();
    for a in allocations.iter().filter(|a| served_within(a, as_of)) {
        active
            .entry((a.municipality_id, a.product_group_id))
            .or_default()
            .insert(a.provider_id);
    }
    let mut out = Vec::with_capacity(municipalities.len() * groups.len());
    for m in municipalities {
        for g in groups {
            let active = active.remove(&(*m, *g)).unwrap_or_default();
            let minimum = minimum(*g);
            out.push(Cell {
                municipality_id: *m,
                product_group_id: *g,
                contracted: contracted.remove(&(*m, *g)).unwrap_or_default(),
                below_minimum: below_minimum(active.len(), minimum),
                active,
                minimum,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    const ARNHEM: u128 = 1;
    const RENKUM: u128 = 2;
    const BW: u128 = 10;
    const P1: u128 = 100;
    const P2: u128 = 200;
    const P3: u128 = 300;

    fn served(provider: u128, municipality: u128, start: &str, end: Option<&str>) -> Served {
        Served {
            provider_id: id(provider),
            municipality_id: id(municipality),
            product_group_id: id(BW),
            recorded_on: d(start),
            removed_on: None,
            start_date: d(start),
            end_date: end.map(d),
            care_started_on: None,
            care_ended_on: None,
        }
    }

    fn contract(provider: u128, municipalities: &[u128], start: &str, last: &str) -> ContractCover {
        ContractCover {
            provider_id: id(provider),
            start_date: d(start),
            last_day: Some(d(last)),
            product_groups: vec![id(BW)],
            municipalities: municipalities.iter().map(|m| id(*m)).collect(),
        }
    }

    #[test]
    fn the_window_is_the_twelve_months_up_to_the_day() {
        assert_eq!(window(d("2026-06-30")), (d("2025-07-01"), d("2026-06-30")));
        // A leap day: a year earlier has no 29 February.
        assert_eq!(window(d("2028-02-29")), (d("2027-03-01"), d("2028-02-29")));
    }

    #[test]
    fn served_when_the_care_period_overlaps_the_window() {
        let as_of = d("2026-06-30");
        assert!(served_within(
            &served(P1, ARNHEM, "2025-01-01", Some("2025-07-01")),
            as_of
        ));
        assert!(!served_within(
            &served(P1, ARNHEM, "2025-01-01", Some("2025-06-30")),
            as_of
        ));
        assert!(
            !served_within(&served(P1, ARNHEM, "2026-07-01", None), as_of),
            "not yet"
        );
        // The reported end (307) before the window counts over the end date.
        let ended = Served {
            care_ended_on: Some(d("2025-06-01")),
            ..served(P1, ARNHEM, "2025-01-01", Some("2026-12-31"))
        };
        assert!(!served_within(&ended, as_of));
        let removed = Served {
            removed_on: Some(d("2026-01-01")),
            ..served(P1, ARNHEM, "2025-01-01", None)
        };
        assert!(!served_within(&removed, as_of));
        assert!(served_within(&removed, d("2025-12-31")));
    }

    #[test]
    fn a_municipality_with_one_active_provider_is_below_a_minimum_of_three() {
        let as_of = d("2026-06-30");
        let contracts = [
            contract(P1, &[ARNHEM, RENKUM], "2025-01-01", "2028-12-31"),
            contract(P2, &[ARNHEM], "2025-01-01", "2028-12-31"),
            // Ended before the day: not contracted.
            contract(P3, &[ARNHEM, RENKUM], "2020-01-01", "2026-06-29"),
        ];
        let allocations = [
            served(P1, ARNHEM, "2026-01-01", None),
            served(P2, ARNHEM, "2026-02-01", Some("2026-03-31")),
            served(P3, ARNHEM, "2025-09-01", Some("2026-01-31")),
            served(P1, RENKUM, "2026-03-01", None),
        ];
        let cells = cells(
            (&[id(ARNHEM), id(RENKUM)], &[id(BW)]),
            &contracts,
            &allocations,
            as_of,
            |_| Some(3),
        );
        assert_eq!(cells.len(), 2);
        let arnhem = &cells[0];
        assert_eq!(arnhem.contracted, BTreeSet::from([id(P1), id(P2)]));
        assert_eq!(arnhem.active, BTreeSet::from([id(P1), id(P2), id(P3)]));
        assert!(!arnhem.below_minimum, "three active: at the minimum");
        let renkum = &cells[1];
        assert_eq!(renkum.active, BTreeSet::from([id(P1)]));
        assert_eq!(renkum.contracted, BTreeSet::from([id(P1)]));
        assert!(renkum.below_minimum);
        assert_eq!(renkum.minimum, Some(3));
    }

    #[test]
    fn without_a_minimum_nothing_is_below_it() {
        assert!(!below_minimum(0, None));
        assert!(below_minimum(0, Some(1)));
        assert!(!below_minimum(1, Some(1)));
        let cells = cells(
            (&[id(ARNHEM)], &[id(BW)]),
            &[],
            &[],
            d("2026-06-30"),
            |_| None,
        );
        assert!(cells[0].active.is_empty() && !cells[0].below_minimum);
    }
}
