//! A framework contract's term: an initial term plus extension options, each
//! a number of months. The end dates are derived, never stored.

use chrono::{Duration, Months, NaiveDate};

/// The last day covered by a term of `months` starting on `start`:
/// start 2025-01-01 + 48 months → 2028-12-31.
pub fn end_of_term(start: NaiveDate, months: u32) -> Option<NaiveDate> {
    start
        .checked_add_months(Months::new(months))?
        .checked_sub_signed(Duration::days(1))
}

/// The end date with the initial term and the first `exercised` options.
pub fn current_end_date(
    start: NaiveDate,
    initial_term_months: u32,
    options_months: &[u32],
    exercised: usize,
) -> Option<NaiveDate> {
    let extra: u32 = options_months.iter().take(exercised).sum();
    end_of_term(start, initial_term_months.checked_add(extra)?)
}

/// The end date if every extension option is exercised.
pub fn max_end_date(
    start: NaiveDate,
    initial_term_months: u32,
    options_months: &[u32],
) -> Option<NaiveDate> {
    current_end_date(
        start,
        initial_term_months,
        options_months,
        options_months.len(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn centraal_gelderland_four_plus_two_times_two() {
        let start = date("2025-01-01");
        assert_eq!(
            current_end_date(start, 48, &[24, 24], 0),
            Some(date("2028-12-31"))
        );
        assert_eq!(
            current_end_date(start, 48, &[24, 24], 1),
            Some(date("2030-12-31"))
        );
        assert_eq!(max_end_date(start, 48, &[24, 24]), Some(date("2032-12-31")));
    }

    #[test]
    fn rijk_van_nijmegen_four_plus_three_times_three() {
        assert_eq!(
            max_end_date(date("2025-01-01"), 48, &[36, 36, 36]),
            Some(date("2037-12-31"))
        );
    }

    #[test]
    fn mid_month_start_ends_the_day_before() {
        assert_eq!(
            end_of_term(date("2024-03-15"), 12),
            Some(date("2025-03-14"))
        );
        // month ends are clamped by chrono: 31 Jan + 1 month = 29 Feb (leap year)
        assert_eq!(end_of_term(date("2024-01-31"), 1), Some(date("2024-02-28")));
    }
}
