//! The funding forms besides P×Q, as pure arithmetic: task budgets and their
//! instalments (seed 003 §3.3), the forecast of committed spend that lets
//! ceilings and budget frameworks steer intake (seed 002 §5.3), and the
//! temporary-intensive hours on top of a main allocation (seed 000 §4.1).
//! Amounts are whole cents; every rounding is named where it happens.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    allocation_rules::{Episode, Grant},
    enums::{Unit, VolumeFrequency},
    money::{cents_to_euros, euros_to_cents, round_to_cents_half_away_from_zero},
};

/// Start-up costs may be at most this percentage of the annual budget, and
/// only in the contract's first year (seed 003 §3.3).
pub const MAX_STARTUP_PERCENT: i64 = 5;

/// One intensity band of a task budget: `clients` planned at `hours` of
/// care per client per year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IntensityBand {
    #[schema(example = 900)]
    pub clients: i64,
    /// Hours per client per year, a decimal string.
    #[schema(value_type = String, example = "40")]
    pub hours: Decimal,
}

/// The annual budget of a task: Σ clients × hours × price per hour, rounded
/// to cents half away from zero. `None` when it does not fit in cents.
pub fn annual_budget_cents(bands: &[IntensityBand], hourly_price_cents: i64) -> Option<i64> {
    let mut euros = Decimal::ZERO;
    for band in bands {
        let band_euros = Decimal::from(band.clients)
            .checked_mul(band.hours)?
            .checked_mul(cents_to_euros(hourly_price_cents))?;
        euros = euros.checked_add(band_euros)?;
    }
    euros_to_cents(round_to_cents_half_away_from_zero(euros))
}

/// Start-up costs: at most 5% of the annual budget in the contract's first
/// year, none after.
pub fn check_startup(
    startup_cents: i64,
    annual_cents: i64,
    first_year: bool,
) -> Result<(), String> {
    if startup_cents < 0 {
        return Err("start-up costs cannot be negative".into());
    }
    if !first_year && startup_cents > 0 {
        return Err("start-up costs are allowed in the contract's first year only".into());
    }
    if i128::from(startup_cents) * 100 > i128::from(annual_cents) * i128::from(MAX_STARTUP_PERCENT)
    {
        return Err(format!(
            "start-up costs of {} exceed {MAX_STARTUP_PERCENT}% of the annual budget of {}",
            cents_to_euros(startup_cents),
            cents_to_euros(annual_cents)
        ));
    }
    Ok(())
}

/// Monthly weights of a payment schedule: twelve, none negative, not all zero.
pub type Schedule = [u32; 12];

/// Paid 1/12 a month unless the contract sets a schedule.
pub const MONTHLY: Schedule = [1; 12];

/// The instalment of month `index` (0 = January): the total × the month's
/// weight / all weights, rounded down to the cent; the last month with a
/// weight pays what is left of the total after `paid_before`, so the year
/// sums to the cent, and a total that changed during the year (indexation,
/// a changed plan) is settled there too.
pub fn instalment(total_cents: i64, schedule: &Schedule, index: usize, paid_before: i64) -> i64 {
    let weight = schedule.get(index).copied().unwrap_or(0);
    if weight == 0 {
        return 0;
    }
    let last = schedule.iter().rposition(|w| *w > 0).unwrap_or(11);
    if index == last {
        return total_cents - paid_before;
    }
    let all: u64 = schedule.iter().map(|w| u64::from(*w)).sum();
    let share = i128::from(total_cents) * i128::from(weight) / i128::from(all.max(1));
    i64::try_from(share).unwrap_or(i64::MAX)
}

/// The year's instalments when the total does not change.
pub fn instalments(total_cents: i64, schedule: &Schedule) -> [i64; 12] {
    let mut out = [0; 12];
    let mut paid = 0;
    for (index, amount) in out.iter_mut().enumerate() {
        *amount = instalment(total_cents, schedule, index, paid);
        paid += *amount;
    }
    out
}

/// Shares `total_cents` by whole-number weights (inhabitants, planned
/// clients): each share rounded down, the last weighted key absorbing the
/// remainder.
pub fn split_by_weight<K: Clone>(total_cents: i64, weights: &[(K, i64)]) -> Vec<(K, i64)> {
    let all: i128 = weights.iter().map(|(_, w)| i128::from((*w).max(0))).sum();
    let last = weights.iter().rposition(|(_, w)| *w > 0);
    let mut given = 0i64;
    weights
        .iter()
        .enumerate()
        .map(|(i, (key, w))| {
            let share = if Some(i) == last {
                total_cents - given
            } else if all == 0 {
                0
            } else {
                i64::try_from(i128::from(total_cents) * i128::from((*w).max(0)) / all).unwrap_or(0)
            };
            given += share;
            (key.clone(), share)
        })
        .collect()
}

/// How far realised clients are off the plan, in whole percent of the plan
/// (rounded toward zero); `None` without a plan.
pub fn deviation_percent(planned: i64, realised: i64) -> Option<i64> {
    (planned > 0).then(|| (realised - planned) * 100 / planned)
}

/// The product groups a budget ceiling reaches: its one group, or the
/// groups it combines (Contractstandaard Wmo 1.2 art. 1.5: a provider's
/// ceiling per calendar year may combine product groups); `None` when it
/// names neither and reaches all the care of its provider or municipality.
pub fn ceiling_groups(
    single: Option<uuid::Uuid>,
    combined: &[uuid::Uuid],
) -> Option<Vec<uuid::Uuid>> {
    match single {
        Some(group) => Some(vec![group]),
        None if combined.is_empty() => None,
        None => Some(combined.to_vec()),
    }
}

/// Whether a ceiling of [`ceiling_groups`] reaches care of `group`.
pub fn ceiling_reaches_group(
    single: Option<uuid::Uuid>,
    combined: &[uuid::Uuid],
    group: uuid::Uuid,
) -> bool {
    ceiling_groups(single, combined).is_none_or(|groups| groups.contains(&group))
}

/// A provider's spending room in `year` (Contractstandaard Wmo 1.2 art.
/// 1.5): the ceiling's amount for the calendar year, pro rata when the
/// provider's contract starts during the year: amount × the days from the
/// start to 31 December / the days of the year, rounded to cents half away
/// from zero. A contract started before the year (or none yet) gives the
/// whole amount; one starting after the year gives none.
pub fn pro_rata_room_cents(amount_cents: i64, year: i32, contract_start: Option<NaiveDate>) -> i64 {
    let (Some(first), Some(last)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) else {
        return amount_cents;
    };
    let Some(start) = contract_start.filter(|s| *s > first) else {
        return amount_cents;
    };
    if start > last {
        return 0;
    }
    let year_days = i128::from(days(first, last));
    let share = i128::from(amount_cents) * i128::from(days(start, last));
    // Half away from zero: (2 × share + year_days) / (2 × year_days).
    let rounded = if share >= 0 {
        (2 * share + year_days) / (2 * year_days)
    } else {
        -((-2 * share + year_days) / (2 * year_days))
    };
    i64::try_from(rounded).unwrap_or(amount_cents)
}

fn days(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days() + 1
}

fn month_days(date: NaiveDate) -> i64 {
    let first = date.with_day(1).unwrap_or(date);
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(first);
    (next - first).num_days()
}

/// Units of a grant falling in `from..=to`, exactly: a day's volume every
/// day, a week's over 7 days, a month's by the days of each month, a total
/// by its share of the allocation's days.
fn units_in(
    amount: i64,
    frequency: VolumeFrequency,
    allocation: (NaiveDate, Option<NaiveDate>),
    from: NaiveDate,
    to: NaiveDate,
) -> Decimal {
    let amount = Decimal::from(amount);
    let span = Decimal::from(days(from, to));
    match frequency {
        VolumeFrequency::Day => amount * span,
        VolumeFrequency::Week => amount * span / Decimal::from(7),
        VolumeFrequency::Month => {
            let mut units = Decimal::ZERO;
            let mut day = from;
            while day <= to {
                let first = day.with_day(1).unwrap_or(day);
                let next = first
                    .checked_add_months(chrono::Months::new(1))
                    .unwrap_or(NaiveDate::MAX);
                let last = next.pred_opt().unwrap_or(to).min(to);
                units += amount * Decimal::from(days(day, last)) / Decimal::from(month_days(day));
                if next == NaiveDate::MAX {
                    break;
                }
                day = next;
            }
            units
        }
        VolumeFrequency::Total => match allocation.1 {
            Some(end) => amount * span / Decimal::from(days(allocation.0, end).max(1)),
            None => Decimal::ZERO,
        },
    }
}

/// What an allocation still commits in `from..=to` (a part of its period
/// not declared yet): its volume there × the tariff, or its budget's share
/// of the days, rounded to cents half away from zero. Task allocations
/// carry no price and commit nothing per client.
pub fn committed_cents(
    grant: &Grant,
    product_unit: Unit,
    tariff_cents: Option<i64>,
    allocation: (NaiveDate, Option<NaiveDate>),
    from: NaiveDate,
    to: NaiveDate,
) -> i64 {
    if to < from {
        return 0;
    }
    let euros = match grant {
        Grant::Volume(v) => {
            let Some(tariff) = tariff_cents else { return 0 };
            let units = units_in(v.amount, v.frequency, allocation, from, to);
            let units = match (product_unit, v.unit) {
                (Unit::Hour, Unit::Minute) => units / Decimal::from(60),
                (Unit::Minute, Unit::Hour) => units * Decimal::from(60),
                _ => units,
            };
            cents_to_euros(tariff) * units
        }
        Grant::Budget(cents) => match allocation.1 {
            Some(end) => {
                cents_to_euros(*cents) * Decimal::from(days(from, to))
                    / Decimal::from(days(allocation.0, end).max(1))
            }
            None => Decimal::ZERO,
        },
        Grant::Nothing => Decimal::ZERO,
    };
    euros_to_cents(round_to_cents_half_away_from_zero(euros)).unwrap_or(i64::MAX)
}

/// The year's forecast of a budget framework: the realised spend carried on
/// linearly over the months not yet closed, but never below what is realised
/// and committed already.
pub fn year_forecast(realised_cents: i64, committed_cents: i64, months_closed: u32) -> i64 {
    let linear = if months_closed == 0 {
        0
    } else {
        i64::try_from(i128::from(realised_cents) * 12 / i128::from(months_closed.min(12)))
            .unwrap_or(i64::MAX)
    };
    linear.max(realised_cents.saturating_add(committed_cents))
}

/// The alert levels (percent of `amount_cents`) that `after` reaches and
/// `before` did not.
pub fn levels_crossed(amount_cents: i64, before: i64, after: i64, levels: &[i32]) -> Vec<i32> {
    let reached = |spent: i64, level: i32| {
        i128::from(spent) * 100 >= i128::from(amount_cents) * i128::from(level)
    };
    levels
        .iter()
        .copied()
        .filter(|&level| !reached(before, level) && reached(after, level))
        .collect()
}

/// Whether `used` temporary-intensive units (of a product priced in
/// `unit`) fit the episodes' extra hours per week inside `window`:
/// 7 × used hours ≤ Σ extra × days of overlap, in whole numbers.
pub fn intensive_hours_fit(
    episodes: &[Episode],
    window: (NaiveDate, NaiveDate),
    unit: Unit,
    used: i64,
) -> bool {
    let allowed_week_hours: i128 = episodes
        .iter()
        .map(|e| {
            let (from, to) = (e.from.max(window.0), e.to.min(window.1));
            if from > to {
                0
            } else {
                i128::from(e.extra) * i128::from(days(from, to))
            }
        })
        .sum();
    let minutes_per_unit = if unit == Unit::Minute { 1 } else { 60 };
    7 * i128::from(used) * minutes_per_unit <= allowed_week_hours * 60
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ceiling_reaches_its_group_its_combined_groups_or_all() {
        let [wmo, youth, other] = [1u128, 2, 3].map(uuid::Uuid::from_u128);
        // One group: that group only.
        assert!(ceiling_reaches_group(Some(wmo), &[], wmo));
        assert!(!ceiling_reaches_group(Some(wmo), &[], youth));
        // Two groups combined: either, not a third.
        assert!(ceiling_reaches_group(None, &[wmo, youth], wmo));
        assert!(ceiling_reaches_group(None, &[wmo, youth], youth));
        assert!(!ceiling_reaches_group(None, &[wmo, youth], other));
        assert_eq!(ceiling_groups(None, &[wmo, youth]), Some(vec![wmo, youth]));
        // Neither: all care.
        assert!(ceiling_reaches_group(None, &[], other));
        assert_eq!(ceiling_groups(None, &[]), None);
    }

    #[test]
    fn spending_room_is_pro_rata_from_the_contract_start() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day);
        // Whole year: started before it, on 1 January, or no contract yet.
        assert_eq!(
            pro_rata_room_cents(36_500_000, 2026, d(2024, 3, 1)),
            36_500_000
        );
        assert_eq!(
            pro_rata_room_cents(36_500_000, 2026, d(2026, 1, 1)),
            36_500_000
        );
        assert_eq!(pro_rata_room_cents(36_500_000, 2026, None), 36_500_000);
        // From 1 July 2026: 184 of 365 days, € 365,000.00 × 184 / 365 = € 184,000.00.
        assert_eq!(
            pro_rata_room_cents(36_500_000, 2026, d(2026, 7, 1)),
            18_400_000
        );
        // 2028 is a leap year: from 1 March, 306 of 366 days; € 100,000.00 ×
        // 306 / 366 = € 83,606.557…, rounded to € 83,606.56.
        assert_eq!(
            pro_rata_room_cents(10_000_000, 2028, d(2028, 3, 1)),
            8_360_656
        );
        // Only 31 December: 1/365 of € 1,000.00 = 273.97… cents → 274.
        assert_eq!(pro_rata_room_cents(100_000, 2026, d(2026, 12, 31)), 274);
        // Starting after the year: no room in it.
        assert_eq!(pro_rata_room_cents(100_000, 2026, d(2027, 1, 1)), 0);
    }
    use crate::allocation_rules::Volume;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn band(clients: i64, hours: &str) -> IntensityBand {
        IntensityBand {
            clients,
            hours: hours.parse().unwrap(),
        }
    }

    #[test]
    fn a_task_budget_of_900_clients_at_40_hours() {
        // 900 × 40 h × € 65.00 = € 2,340,000.00
        let annual = annual_budget_cents(&[band(900, "40")], 6_500).unwrap();
        assert_eq!(annual, 234_000_000);
        // bands: 600 × 30 h + 300 × 60 h = 36,000 h, the same € 2,340,000
        assert_eq!(
            annual_budget_cents(&[band(600, "30"), band(300, "60")], 6_500),
            Some(234_000_000)
        );
        // 5% = € 117,000.00 allowed, € 117,000.01 … € 117,001 refused
        assert!(check_startup(11_700_000, annual, true).is_ok());
        assert!(check_startup(11_700_001, annual, true).is_err());
        assert!(check_startup(11_700_100, annual, true)
            .unwrap_err()
            .contains("5%"));
        assert!(check_startup(1, annual, false)
            .unwrap_err()
            .contains("first year"));
        assert!(check_startup(0, annual, false).is_ok());
    }

    #[test]
    fn instalments_sum_to_the_cent_and_the_last_absorbs_rounding() {
        // € 2,340,000 + € 117,000 start-up = € 2,457,000 / 12 = € 204,750 exactly
        let even = instalments(245_700_000, &MONTHLY);
        assert!(even.iter().all(|a| *a == 20_475_000));
        // € 1,000.00 / 12 = € 83.33 eleven times, € 83.37 in December
        let odd = instalments(100_000, &MONTHLY);
        assert_eq!(odd[0], 8_333);
        assert_eq!(odd[10], 8_333);
        assert_eq!(odd[11], 8_337);
        assert_eq!(odd.iter().sum::<i64>(), 100_000);
        // quarterly: € 1,000.00 in four parts, paid in Jan, Apr, Jul, Oct
        let quarterly = [1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0];
        let q = instalments(100_001, &quarterly);
        assert_eq!(q, [25_000, 0, 0, 25_000, 0, 0, 25_000, 0, 0, 25_001, 0, 0]);
        // the total rises in July (indexation): December settles the difference
        let mut paid = 0;
        for month in 0..11 {
            let total = if month < 6 { 120_000 } else { 126_000 };
            paid += instalment(total, &MONTHLY, month, paid);
        }
        assert_eq!(paid, 6 * 10_000 + 5 * 10_500);
        assert_eq!(instalment(126_000, &MONTHLY, 11, paid), 13_500);
    }

    #[test]
    fn shares_by_weight_end_on_the_last() {
        let shares = split_by_weight(100_000, &[("a", 1), ("b", 1), ("c", 1)]);
        assert_eq!(shares, vec![("a", 33_333), ("b", 33_333), ("c", 33_334)]);
        let shares = split_by_weight(1_000, &[("a", 3), ("b", 0)]);
        assert_eq!(shares, vec![("a", 1_000), ("b", 0)]);
    }

    #[test]
    fn deviation_from_the_plan() {
        assert_eq!(deviation_percent(900, 1_000), Some(11));
        assert_eq!(deviation_percent(900, 810), Some(-10));
        assert_eq!(deviation_percent(0, 5), None);
    }

    #[test]
    fn temporary_intensive_of_3_hours_a_week_for_13_weeks() {
        // 2 March – 31 May 2026: 91 days = 13 weeks, 3 h/week = 39 h
        let e = Episode {
            from: d("2026-03-02"),
            to: d("2026-05-31"),
            extra: 3,
        };
        let whole = (d("2026-03-02"), d("2026-05-31"));
        assert!(intensive_hours_fit(&[e], whole, Unit::Hour, 39));
        assert!(!intensive_hours_fit(&[e], whole, Unit::Hour, 40));
        // in March alone: 30 days × 3 / 7 = 12.86 h
        let march = (d("2026-03-01"), d("2026-03-31"));
        assert!(intensive_hours_fit(&[e], march, Unit::Hour, 12));
        assert!(!intensive_hours_fit(&[e], march, Unit::Hour, 13));
        // the same in minutes: 771 min fit (12.85 h), 772 do not (12.87 h)
        assert!(intensive_hours_fit(&[e], march, Unit::Minute, 771));
        assert!(!intensive_hours_fit(&[e], march, Unit::Minute, 772));
        // outside every episode nothing fits
        let january = (d("2026-01-01"), d("2026-01-31"));
        assert!(!intensive_hours_fit(&[e], january, Unit::Hour, 1));
    }

    #[test]
    fn committed_spend_of_the_undeclared_part() {
        let weekly = Grant::Volume(Volume {
            amount: 4,
            unit: Unit::Hour,
            frequency: VolumeFrequency::Week,
        });
        let allocation = (d("2026-01-01"), Some(d("2026-12-31")));
        // 1 Jul – 31 Dec: 184 days × 4 h / 7 × € 65.00 = € 6,834.29 (6,834.2857…)
        assert_eq!(
            committed_cents(
                &weekly,
                Unit::Hour,
                Some(6_500),
                allocation,
                d("2026-07-01"),
                d("2026-12-31")
            ),
            683_429
        );
        // per day: 30 days × 1 × € 191.81 = € 5,754.30
        let daily = Grant::Volume(Volume {
            amount: 1,
            unit: Unit::Day,
            frequency: VolumeFrequency::Day,
        });
        assert_eq!(
            committed_cents(
                &daily,
                Unit::Day,
                Some(19_181),
                allocation,
                d("2026-12-01"),
                d("2026-12-30")
            ),
            575_430
        );
        // per month: 10 h in half of June (15 of 30 days) and all July = 15 h
        let monthly = Grant::Volume(Volume {
            amount: 10,
            unit: Unit::Hour,
            frequency: VolumeFrequency::Month,
        });
        assert_eq!(
            committed_cents(
                &monthly,
                Unit::Hour,
                Some(10_000),
                allocation,
                d("2026-06-16"),
                d("2026-07-31")
            ),
            150_000
        );
        // a budget of € 3,650 over 365 days commits € 10 a day
        assert_eq!(
            committed_cents(
                &Grant::Budget(365_000),
                Unit::Euro,
                None,
                allocation,
                d("2026-12-22"),
                d("2026-12-31")
            ),
            10_000
        );
        assert_eq!(
            committed_cents(
                &Grant::Nothing,
                Unit::Hour,
                Some(6_500),
                allocation,
                d("2026-01-01"),
                d("2026-12-31")
            ),
            0
        );
    }

    #[test]
    fn a_forecast_over_a_ceiling() {
        // realised € 60,000 in 6 months: linearly € 120,000; realised +
        // committed € 130,000 is more, so the forecast is € 130,000
        assert_eq!(year_forecast(6_000_000, 7_000_000, 6), 13_000_000);
        assert_eq!(year_forecast(6_000_000, 1_000_000, 6), 12_000_000);
        // a ceiling of € 125,000 at 80% (€ 100,000) and 100%: from
        // € 105,000 to € 130,000 crosses 100 only (80 was reached before)
        assert_eq!(
            levels_crossed(12_500_000, 10_500_000, 13_000_000, &[80, 100]),
            vec![100]
        );
        // from € 90,000 (72%) to € 130,000 crosses both
        assert_eq!(
            levels_crossed(12_500_000, 9_000_000, 13_000_000, &[80, 100]),
            vec![80, 100]
        );
        assert_eq!(
            levels_crossed(12_500_000, 9_000_000, 9_500_000, &[80, 100]),
            Vec::<i32>::new()
        );
    }
}
