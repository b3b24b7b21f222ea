//! Places (beschermd wonen, beschermd thuis, seed 003 §3.2 and §4.4): a
//! provider's location offers a number of places per product over periods,
//! and an allocation at the location occupies one of them. The definitions:
//!
//! - **places** of a location and product on a day: the `places` of its
//!   period in force that day (`validFrom` ≤ day ≤ `validTo`, both
//!   inclusive, open end when `validTo` is absent); 0 without one. Periods
//!   of one location and product never overlap ([`first_overlap`]).
//! - an allocation **occupies** a place at its location for its product
//!   from its start date through the first of its end date, its stop day
//!   and the recorded end of care (307); a removed allocation never does
//!   ([`stay`]).
//! - **occupied** on a day: the allocations occupying that day; **free** =
//!   places − occupied. Negative free means over-occupied and is shown as
//!   it is.
//! - the monthly series: **place-days** = Σ over the month's days of the
//!   places; **occupied days** = Σ of the occupied; average places and
//!   average occupied = those over the month's days, and the occupancy
//!   percentage = occupied days / place-days × 100 (null without
//!   place-days); each rounded to 2 decimals half away from zero.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};

use crate::period::{contains, periods_overlap};

/// The most places one period may name (a large location has a few
/// hundred; more is a typing error).
pub const MAX_PLACES: i64 = 10_000;

/// The places a location offers for a product over a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlacePeriod<K> {
    pub location: K,
    pub product: K,
    pub places: i64,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

/// The days an allocation occupies a place at a location ([`stay`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stay<K> {
    pub location: K,
    pub product: K,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

/// The days an allocation occupies its place: from `start` through the
/// first of `end`, `stopped_on` and `care_ended_on`; none when removed or
/// ended before it started.
pub fn stay(
    start: NaiveDate,
    end: Option<NaiveDate>,
    stopped_on: Option<NaiveDate>,
    care_ended_on: Option<NaiveDate>,
    removed: bool,
) -> Option<(NaiveDate, Option<NaiveDate>)> {
    if removed {
        return None;
    }
    let to = [end, stopped_on, care_ended_on].into_iter().flatten().min();
    match to {
        Some(to) if to < start => None,
        _ => Some((start, to)),
    }
}

/// The first two periods (by index) of the same product that share a day.
pub fn first_overlap<P: PartialEq>(
    periods: &[(P, NaiveDate, Option<NaiveDate>)],
) -> Option<(usize, usize)> {
    for (j, (product, from, to)) in periods.iter().enumerate() {
        for (i, (other, other_from, other_to)) in periods[..j].iter().enumerate() {
            if product == other && periods_overlap(*from, *to, *other_from, *other_to) {
                return Some((i, j));
            }
        }
    }
    None
}

/// Places, occupied and free of one location and product on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occupancy<K> {
    pub location: K,
    pub product: K,
    pub places: i64,
    pub occupied: i64,
    /// places − occupied; negative when over-occupied.
    pub free: i64,
}

/// Every location and product with places on `day` or an allocation
/// occupying then (with 0 places: over-occupied), ordered by location and
/// product.
pub fn capacity_on<K: Copy + Ord>(
    periods: &[PlacePeriod<K>],
    stays: &[Stay<K>],
    day: NaiveDate,
) -> Vec<Occupancy<K>> {
    let mut figures: BTreeMap<(K, K), (i64, i64)> = BTreeMap::new();
    for p in periods.iter().filter(|p| contains(p.from, p.to, day)) {
        figures.entry((p.location, p.product)).or_default().0 += p.places;
    }
    for s in stays.iter().filter(|s| contains(s.from, s.to, day)) {
        figures.entry((s.location, s.product)).or_default().1 += 1;
    }
    figures
        .into_iter()
        .map(|((location, product), (places, occupied))| Occupancy {
            location,
            product,
            places,
            occupied,
            free: places - occupied,
        })
        .collect()
}

/// Places, occupied and free summed over rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub places: i64,
    pub occupied: i64,
    pub free: i64,
}

/// The rows' totals per `group` (a product, a municipality), ordered by it.
pub fn totals<K, G: Ord>(
    rows: &[Occupancy<K>],
    group: impl Fn(&Occupancy<K>) -> G,
) -> BTreeMap<G, Totals> {
    let mut out: BTreeMap<G, Totals> = BTreeMap::new();
    for row in rows {
        let t = out.entry(group(row)).or_default();
        t.places += row.places;
        t.occupied += row.occupied;
        t.free += row.free;
    }
    out
}

/// One product's places and occupancy in one month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthFigure<K> {
    /// The month's first day.
    pub month: NaiveDate,
    pub product: K,
    pub days: i64,
    pub place_days: i64,
    pub occupied_days: i64,
}

fn two_decimals(value: Decimal) -> Decimal {
    let mut rounded = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    // Always two decimals ("3.00"): at most two already, so no rounding.
    rounded.rescale(2);
    rounded
}

impl<K> MonthFigure<K> {
    /// Place-days / days in the month.
    pub fn average_places(&self) -> Decimal {
        two_decimals(Decimal::from(self.place_days) / Decimal::from(self.days.max(1)))
    }

    /// Occupied days / days in the month.
    pub fn average_occupied(&self) -> Decimal {
        two_decimals(Decimal::from(self.occupied_days) / Decimal::from(self.days.max(1)))
    }

    /// Occupied days / place-days × 100; `None` without place-days.
    pub fn occupancy_percent(&self) -> Option<Decimal> {
        (self.place_days > 0).then(|| {
            two_decimals(
                Decimal::from(self.occupied_days) * Decimal::from(100)
                    / Decimal::from(self.place_days),
            )
        })
    }
}

/// The first and last day of the month starting on `first`.
pub fn month_bounds(first: NaiveDate) -> (NaiveDate, NaiveDate) {
    let next = first + Months::new(1);
    (first, next.pred_opt().unwrap_or(first))
}

/// Days of `[from, to]` (open end) within `[first, last]`.
fn days_within(from: NaiveDate, to: Option<NaiveDate>, first: NaiveDate, last: NaiveDate) -> i64 {
    let start = from.max(first);
    let end = to.map_or(last, |to| to.min(last));
    if end < start {
        0
    } else {
        (end - start).num_days() + 1
    }
}

/// The months from the month of `from` through the month of `to` (their
/// first days); empty when `to` is before `from`.
pub fn months(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    let mut month = from.with_day(1).unwrap_or(from);
    let mut out = Vec::new();
    while month <= to {
        out.push(month);
        month = month + Months::new(1);
    }
    out
}

/// Per month of `months` and per product with a period or a stay in them,
/// the place-days and occupied days; every month is given for every such
/// product (zeros included, so a trend has no gaps), by month then product.
pub fn monthly<K: Copy + Ord>(
    periods: &[PlacePeriod<K>],
    stays: &[Stay<K>],
    months: &[NaiveDate],
) -> Vec<MonthFigure<K>> {
    let (Some(first), Some(last)) = (months.first(), months.last()) else {
        return Vec::new();
    };
    let (start, end) = (*first, month_bounds(*last).1);
    let products: BTreeSet<K> = periods
        .iter()
        .filter(|p| periods_overlap(p.from, p.to, start, Some(end)))
        .map(|p| p.product)
        .chain(
            stays
                .iter()
                .filter(|s| periods_overlap(s.from, s.to, start, Some(end)))
                .map(|s| s.product),
        )
        .collect();
    let mut out = Vec::with_capacity(months.len() * products.len());
    for month in months {
        let (first, last) = month_bounds(*month);
        for product in &products {
            let place_days = periods
                .iter()
                .filter(|p| p.product == *product)
                .map(|p| p.places * days_within(p.from, p.to, first, last))
                .sum();
            let occupied_days = stays
                .iter()
                .filter(|s| s.product == *product)
                .map(|s| days_within(s.from, s.to, first, last))
                .sum();
            out.push(MonthFigure {
                month: first,
                product: *product,
                days: (last - first).num_days() + 1,
                place_days,
                occupied_days,
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

    const HOUSE: u8 = 1;
    const OTHER_HOUSE: u8 = 2;
    const BW: u8 = 10;
    const BT: u8 = 11;

    fn period(
        location: u8,
        product: u8,
        places: i64,
        from: &str,
        to: Option<&str>,
    ) -> PlacePeriod<u8> {
        PlacePeriod {
            location,
            product,
            places,
            from: d(from),
            to: to.map(d),
        }
    }

    fn at(location: u8, product: u8, from: &str, to: Option<&str>) -> Stay<u8> {
        Stay {
            location,
            product,
            from: d(from),
            to: to.map(d),
        }
    }

    #[test]
    fn a_location_full_on_one_day_has_no_free_place() {
        // Three places; three clients on 10 March, one leaves on the 10th
        // (occupies that day still), one comes on the 11th.
        let periods = [period(HOUSE, BW, 3, "2026-01-01", None)];
        let stays = [
            at(HOUSE, BW, "2026-01-01", None),
            at(HOUSE, BW, "2026-02-01", Some("2026-12-31")),
            at(HOUSE, BW, "2026-03-01", Some("2026-03-10")),
            at(HOUSE, BW, "2026-03-11", None),
        ];
        let on_10th = capacity_on(&periods, &stays, d("2026-03-10"));
        assert_eq!(
            on_10th,
            [Occupancy {
                location: HOUSE,
                product: BW,
                places: 3,
                occupied: 3,
                free: 0
            }]
        );
        let on_11th = capacity_on(&periods, &stays, d("2026-03-11"));
        assert_eq!((on_11th[0].occupied, on_11th[0].free), (3, 0));
        let on_9_feb = capacity_on(&periods, &stays, d("2026-02-09"));
        assert_eq!((on_9_feb[0].occupied, on_9_feb[0].free), (2, 1));
    }

    #[test]
    fn an_allocation_ending_the_day_before_does_not_occupy() {
        let periods = [period(HOUSE, BW, 2, "2026-01-01", None)];
        let stays = [
            at(HOUSE, BW, "2026-01-01", Some("2026-03-31")),
            at(HOUSE, BW, "2026-01-01", None),
        ];
        let rows = capacity_on(&periods, &stays, d("2026-04-01"));
        assert_eq!((rows[0].places, rows[0].occupied, rows[0].free), (2, 1, 1));
    }

    #[test]
    fn over_occupied_and_without_places_are_shown() {
        // One place, two clients: free −1. Clients at a product the
        // location has no places for (on the day): 0 places, free −1.
        let periods = [
            period(HOUSE, BW, 1, "2026-01-01", None),
            period(HOUSE, BT, 4, "2027-01-01", None),
        ];
        let stays = [
            at(HOUSE, BW, "2026-01-01", None),
            at(HOUSE, BW, "2026-02-01", None),
            at(HOUSE, BT, "2026-02-01", None),
        ];
        let rows = capacity_on(&periods, &stays, d("2026-06-30"));
        assert_eq!(
            rows.iter()
                .map(|r| (r.product, r.places, r.occupied, r.free))
                .collect::<Vec<_>>(),
            [(BW, 1, 2, -1), (BT, 0, 1, -1)]
        );
    }

    #[test]
    fn places_follow_their_period() {
        let periods = [
            period(HOUSE, BW, 6, "2026-01-01", Some("2026-03-15")),
            period(HOUSE, BW, 4, "2026-03-16", None),
        ];
        assert_eq!(capacity_on(&periods, &[], d("2026-03-15"))[0].places, 6);
        assert_eq!(capacity_on(&periods, &[], d("2026-03-16"))[0].places, 4);
        assert!(capacity_on(&periods, &[], d("2025-12-31")).is_empty());
    }

    #[test]
    fn totals_per_product_add_the_locations() {
        let periods = [
            period(HOUSE, BW, 3, "2026-01-01", None),
            period(OTHER_HOUSE, BW, 2, "2026-01-01", None),
            period(OTHER_HOUSE, BT, 5, "2026-01-01", None),
        ];
        let stays = [
            at(HOUSE, BW, "2026-01-01", None),
            at(OTHER_HOUSE, BW, "2026-01-01", None),
            at(OTHER_HOUSE, BW, "2026-01-01", None),
            at(OTHER_HOUSE, BW, "2026-01-01", None),
        ];
        let rows = capacity_on(&periods, &stays, d("2026-01-01"));
        let per_product = totals(&rows, |r| r.product);
        assert_eq!(
            per_product[&BW],
            Totals {
                places: 5,
                occupied: 4,
                free: 1
            }
        );
        // OTHER_HOUSE is over-occupied in BW (−1), HOUSE has 2 free: net 1.
        assert_eq!(
            per_product[&BT],
            Totals {
                places: 5,
                occupied: 0,
                free: 5
            }
        );
    }

    #[test]
    fn a_stay_ends_at_the_first_of_end_stop_and_end_of_care() {
        let start = d("2026-01-01");
        assert_eq!(stay(start, None, None, None, false), Some((start, None)));
        assert_eq!(
            stay(
                start,
                Some(d("2026-12-31")),
                Some(d("2026-06-30")),
                None,
                false
            ),
            Some((start, Some(d("2026-06-30"))))
        );
        assert_eq!(
            stay(
                start,
                Some(d("2026-12-31")),
                None,
                Some(d("2026-03-31")),
                false
            ),
            Some((start, Some(d("2026-03-31"))))
        );
        assert_eq!(stay(start, None, None, None, true), None);
        assert_eq!(stay(start, Some(d("2025-12-31")), None, None, false), None);
    }

    #[test]
    fn places_changing_mid_month_count_by_the_day() {
        // March 2026 (31 days): 6 places through the 15th, 4 from the 16th:
        // 6 × 15 + 4 × 16 = 154 place-days, 4.97 on average.
        // One client all month (31), one from the 20th (12): 43 days,
        // 1.39 on average, 43 / 154 = 27.92 %.
        let periods = [
            period(HOUSE, BW, 6, "2026-01-01", Some("2026-03-15")),
            period(HOUSE, BW, 4, "2026-03-16", None),
        ];
        let stays = [
            at(HOUSE, BW, "2026-02-01", None),
            at(HOUSE, BW, "2026-03-20", Some("2026-05-31")),
        ];
        let figures = monthly(&periods, &stays, &[d("2026-03-01")]);
        assert_eq!(figures.len(), 1);
        let march = figures[0];
        assert_eq!(
            (march.days, march.place_days, march.occupied_days),
            (31, 154, 43)
        );
        assert_eq!(march.average_places().to_string(), "4.97");
        assert_eq!(march.average_occupied().to_string(), "1.39");
        assert_eq!(march.occupancy_percent().unwrap().to_string(), "27.92");
    }

    #[test]
    fn every_month_for_every_product_in_the_range() {
        // February 2026 has 28 days; BT starts in March: February's BT row
        // has no place-days and no percentage.
        let periods = [
            period(HOUSE, BW, 2, "2026-01-01", None),
            period(HOUSE, BT, 1, "2026-03-01", None),
        ];
        let stays = [at(HOUSE, BW, "2026-02-15", None)];
        let months = months(d("2026-02-10"), d("2026-03-31"));
        assert_eq!(months, [d("2026-02-01"), d("2026-03-01")]);
        let figures = monthly(&periods, &stays, &months);
        let rows: Vec<_> = figures
            .iter()
            .map(|f| (f.month, f.product, f.days, f.place_days, f.occupied_days))
            .collect();
        assert_eq!(
            rows,
            [
                (d("2026-02-01"), BW, 28, 56, 14),
                (d("2026-02-01"), BT, 28, 0, 0),
                (d("2026-03-01"), BW, 31, 62, 31),
                (d("2026-03-01"), BT, 31, 31, 0),
            ]
        );
        assert_eq!(figures[1].occupancy_percent(), None);
        assert_eq!(figures[0].occupancy_percent().unwrap().to_string(), "25.00");
    }

    #[test]
    fn overlapping_periods_of_one_product_are_found() {
        let periods = [
            (BW, d("2026-01-01"), Some(d("2026-06-30"))),
            (BT, d("2026-01-01"), None),
            (BW, d("2026-07-01"), None),
        ];
        assert_eq!(first_overlap(&periods), None);
        let overlapping = [
            (BW, d("2026-01-01"), None),
            (BT, d("2026-01-01"), None),
            (BW, d("2026-07-01"), None),
        ];
        assert_eq!(first_overlap(&overlapping), Some((0, 2)));
    }
}
