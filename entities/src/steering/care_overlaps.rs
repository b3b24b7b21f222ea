//! Stacked care (seed 002 Bijlage 3 "voorkomen stapeling van zorg en
//! toewijzen heldere regievoerder", seed 003 §2): two allocations of one
//! client in one product group whose periods share a day, either at two
//! providers (two providers paid for the same need, no single director of
//! care) or for the same product twice (the same care paid twice).
//!
//! Two different products of one group at the same provider are not
//! stacked: that is the combined arrangement the region asks providers for
//! (seed 002 Bijlage 3 "vergroten gecombineerd aanbod door aanbieders",
//! begeleiding, dagbesteding and logeren "als één arrangement"; seed 003 §2
//! "één aanspreekpunt").

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// An allocation as stacking sees it. Removed allocations never count:
/// the caller leaves them out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub number: i64,
    pub client_key: String,
    pub product_group: Uuid,
    pub product: Uuid,
    pub provider: Uuid,
    pub start: NaiveDate,
    /// Its last day ([`last_day`]); `None` runs on.
    pub end: Option<NaiveDate>,
}

/// An allocation's last day: its end date, or the day it was stopped when
/// that is earlier; `None` when neither is set (it runs on).
pub fn last_day(end: Option<NaiveDate>, stopped_on: Option<NaiveDate>) -> Option<NaiveDate> {
    match (end, stopped_on) {
        (Some(end), Some(stop)) => Some(end.min(stop)),
        (end, stop) => end.or(stop),
    }
}

/// The days two allocations share, `from` to `to` inclusive; `to` is
/// `None` when both run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overlap {
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

impl Overlap {
    /// The number of shared days (both ends counted); `None` while it runs on.
    pub fn days(&self) -> Option<i64> {
        self.to.map(|to| (to - self.from).num_days() + 1)
    }

    /// Whether it still runs on `date` or later (not ended before it).
    pub fn reaches(&self, date: NaiveDate) -> bool {
        self.to.is_none_or(|to| to >= date)
    }
}

/// The days `[a_start, a_end]` and `[b_start, b_end]` share (inclusive,
/// `None` = open end), if any. Touching periods (one ends the day before
/// the other starts) share none.
pub fn overlap(
    (a_start, a_end): (NaiveDate, Option<NaiveDate>),
    (b_start, b_end): (NaiveDate, Option<NaiveDate>),
) -> Option<Overlap> {
    let from = a_start.max(b_start);
    let to = match (a_end, b_end) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    match to {
        Some(to) if to < from => None,
        to => Some(Overlap { from, to }),
    }
}

/// Why a pair is stacked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Stacking {
    /// The client's need in the group is served by two providers.
    DifferentProviders,
    /// The same product twice at one provider.
    SameProduct,
}

/// Whether `a` and `b` are stacked care, and over which days: the same
/// client, the same product group, two allocations, at different providers
/// or of the same product, sharing at least one day.
pub fn stacking(a: &Held, b: &Held) -> Option<(Stacking, Overlap)> {
    if a.number == b.number || a.client_key != b.client_key || a.product_group != b.product_group {
        return None;
    }
    let kind = if a.provider != b.provider {
        Stacking::DifferentProviders
    } else if a.product == b.product {
        Stacking::SameProduct
    } else {
        // A combined arrangement at one provider.
        return None;
    };
    overlap((a.start, a.end), (b.start, b.end)).map(|o| (kind, o))
}

/// A stacked pair in a list: indexes into the list, the lower allocation
/// number first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pair {
    pub first: usize,
    pub second: usize,
    pub kind: Stacking,
    pub overlap: Overlap,
}

/// Every stacked pair among `held`, by the first allocation's number and
/// then the second's.
pub fn pairs(held: &[Held]) -> Vec<Pair> {
    // Only allocations of the same client and group can stack: sort by
    // those and compare within each run.
    let mut order: Vec<usize> = (0..held.len()).collect();
    order.sort_by(|&i, &j| {
        let (a, b) = (&held[i], &held[j]);
        (&a.client_key, a.product_group, a.number).cmp(&(&b.client_key, b.product_group, b.number))
    });
    let mut found = Vec::new();
    for (at, &i) in order.iter().enumerate() {
        for &j in &order[at + 1..] {
            let (a, b) = (&held[i], &held[j]);
            if a.client_key != b.client_key || a.product_group != b.product_group {
                break;
            }
            if let Some((kind, overlap)) = stacking(a, b) {
                found.push(Pair {
                    first: i,
                    second: j,
                    kind,
                    overlap,
                });
            }
        }
    }
    found.sort_by_key(|p| (held[p.first].number, held[p.second].number));
    found
}

/// Whether the last day `a` lies after `b` (`None` runs on: the latest).
fn later(a: Option<NaiveDate>, b: Option<NaiveDate>) -> bool {
    match (a, b) {
        (None, Some(_)) => true,
        (Some(a), Some(b)) => a > b,
        _ => false,
    }
}

/// The stacking a change of `after`'s end date (from `before_end`) adds
/// with `other`: its overlap after the change when that runs later than
/// before. Moving the end later can add stacked days; an overlap that
/// stays the same or shrinks is no new stacking.
pub fn added_by_change(
    before_end: Option<NaiveDate>,
    after: &Held,
    other: &Held,
) -> Option<(Stacking, Overlap)> {
    let (kind, now) = stacking(after, other)?;
    let before = overlap((after.start, before_end), (other.start, other.end));
    match before {
        Some(before) if !later(now.to, before.to) => None,
        _ => Some((kind, now)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    const GROUP: Uuid = Uuid::from_u128(1);
    const OTHER_GROUP: Uuid = Uuid::from_u128(2);
    const PRODUCT: Uuid = Uuid::from_u128(10);
    const OTHER_PRODUCT: Uuid = Uuid::from_u128(11);
    const X: Uuid = Uuid::from_u128(100);
    const Y: Uuid = Uuid::from_u128(101);

    fn held(number: i64, provider: Uuid, product: Uuid, start: &str, end: Option<&str>) -> Held {
        Held {
            number,
            client_key: "client".into(),
            product_group: GROUP,
            product,
            provider,
            start: d(start),
            end: end.map(d),
        }
    }

    #[test]
    fn two_providers_overlapping_are_stacked_over_the_shared_days() {
        // X: 1 Jan – 30 Jun, Y: 1 Jun – 31 Dec 2025: June is paid twice.
        let a = held(1, X, PRODUCT, "2025-01-01", Some("2025-06-30"));
        let b = held(2, Y, OTHER_PRODUCT, "2025-06-01", Some("2025-12-31"));
        let (kind, o) = stacking(&a, &b).unwrap();
        assert_eq!(kind, Stacking::DifferentProviders);
        assert_eq!(o.from, d("2025-06-01"));
        assert_eq!(o.to, Some(d("2025-06-30")));
        assert_eq!(o.days(), Some(30));
        // Symmetric.
        assert_eq!(stacking(&b, &a).unwrap().1, o);
    }

    #[test]
    fn touching_periods_do_not_overlap() {
        // X ends on 30 June, Y starts on 1 July: a handover, not stacking.
        let a = held(1, X, PRODUCT, "2025-01-01", Some("2025-06-30"));
        let b = held(2, Y, PRODUCT, "2025-07-01", None);
        assert_eq!(stacking(&a, &b), None);
        // One shared day is stacking: 1 day.
        let c = held(3, Y, PRODUCT, "2025-06-30", None);
        assert_eq!(stacking(&a, &c).unwrap().1.days(), Some(1));
    }

    #[test]
    fn an_open_end_runs_on() {
        let a = held(1, X, PRODUCT, "2025-01-01", None);
        let b = held(2, Y, PRODUCT, "2030-03-01", Some("2030-03-31"));
        assert_eq!(
            stacking(&a, &b).unwrap().1,
            Overlap {
                from: d("2030-03-01"),
                to: Some(d("2030-03-31"))
            }
        );
        // Both open: the overlap runs on and has no day count yet.
        let c = held(3, Y, PRODUCT, "2025-04-01", None);
        let o = stacking(&a, &c).unwrap().1;
        assert_eq!((o.from, o.to, o.days()), (d("2025-04-01"), None, None));
        assert!(o.reaches(d("2099-01-01")));
        // Open, but starting after the other ended: none.
        let e = held(4, Y, PRODUCT, "2024-01-01", Some("2024-12-31"));
        assert_eq!(stacking(&a, &e), None);
    }

    #[test]
    fn one_provider_stacks_only_the_same_product() {
        let a = held(1, X, PRODUCT, "2025-01-01", None);
        let same = held(2, X, PRODUCT, "2025-03-01", None);
        let combined = held(3, X, OTHER_PRODUCT, "2025-03-01", None);
        assert_eq!(stacking(&a, &same).unwrap().0, Stacking::SameProduct);
        assert_eq!(stacking(&a, &combined), None);
    }

    #[test]
    fn another_client_group_or_the_allocation_itself_is_not_stacked() {
        let a = held(1, X, PRODUCT, "2025-01-01", None);
        let mut other_client = held(2, Y, PRODUCT, "2025-01-01", None);
        other_client.client_key = "someone else".into();
        let mut other_group = held(3, Y, PRODUCT, "2025-01-01", None);
        other_group.product_group = OTHER_GROUP;
        assert_eq!(stacking(&a, &other_client), None);
        assert_eq!(stacking(&a, &other_group), None);
        assert_eq!(stacking(&a, &a.clone()), None);
    }

    #[test]
    fn a_stop_ends_the_allocation_early() {
        assert_eq!(
            last_day(Some(d("2025-12-31")), Some(d("2025-05-31"))),
            Some(d("2025-05-31"))
        );
        assert_eq!(last_day(None, Some(d("2025-05-31"))), Some(d("2025-05-31")));
        assert_eq!(last_day(Some(d("2025-12-31")), None), Some(d("2025-12-31")));
        assert_eq!(last_day(None, None), None);
    }

    #[test]
    fn pairs_are_found_per_client_and_group_lower_number_first() {
        let mut list = vec![
            held(30, Y, PRODUCT, "2025-06-01", None),
            held(10, X, PRODUCT, "2025-01-01", Some("2025-06-30")),
            // Same provider, another product: combined, not stacked.
            held(20, X, OTHER_PRODUCT, "2025-01-01", None),
        ];
        let mut other = held(40, Y, PRODUCT, "2025-01-01", None);
        other.client_key = "another".into();
        list.push(other);
        let found = pairs(&list);
        let numbers: Vec<(i64, i64)> = found
            .iter()
            .map(|p| (list[p.first].number, list[p.second].number))
            .collect();
        // 10–30 (X and Y, June) and 20–30 (X and Y, from June, open).
        assert_eq!(numbers, vec![(10, 30), (20, 30)]);
        assert_eq!(found[0].overlap.days(), Some(30));
        assert_eq!(found[1].overlap.to, None);
    }

    #[test]
    fn a_change_warns_only_when_it_adds_stacked_days() {
        let other = held(2, Y, PRODUCT, "2025-06-01", Some("2025-12-31"));
        // Extending 1 Jan – 31 May to 31 July adds June and July.
        let after = held(1, X, PRODUCT, "2025-01-01", Some("2025-07-31"));
        let (_, o) = added_by_change(Some(d("2025-05-31")), &after, &other).unwrap();
        assert_eq!((o.from, o.days()), (d("2025-06-01"), Some(61)));
        // Shortening from 31 July to 30 June: still stacked, but nothing added.
        let shorter = held(1, X, PRODUCT, "2025-01-01", Some("2025-06-30"));
        assert_eq!(
            added_by_change(Some(d("2025-07-31")), &shorter, &other),
            None
        );
        // Opening the end runs past the other's end: no day added either.
        let open = held(1, X, PRODUCT, "2025-01-01", None);
        assert_eq!(added_by_change(Some(d("2025-12-31")), &open, &other), None);
        // … unless the other runs on too.
        let open_other = held(2, Y, PRODUCT, "2025-06-01", None);
        assert!(added_by_change(Some(d("2025-12-31")), &open, &open_other).is_some());
    }
}
