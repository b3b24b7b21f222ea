//! Date periods with an open end (`None` = open, valid until further notice).

use chrono::NaiveDate;

/// Whether two periods `[from, to]` (inclusive; `None` = open end) share a day.
pub fn periods_overlap(
    a_from: NaiveDate,
    a_to: Option<NaiveDate>,
    b_from: NaiveDate,
    b_to: Option<NaiveDate>,
) -> bool {
    let a_starts_before_b_ends = b_to.is_none_or(|b_to| a_from <= b_to);
    let b_starts_before_a_ends = a_to.is_none_or(|a_to| b_from <= a_to);
    a_starts_before_b_ends && b_starts_before_a_ends
}

/// Whether `date` falls in `[from, to]`.
pub fn contains(from: NaiveDate, to: Option<NaiveDate>, date: NaiveDate) -> bool {
    from <= date && to.is_none_or(|to| date <= to)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn overlap_cases() {
        // adjacent years do not overlap
        assert!(!periods_overlap(
            d("2025-01-01"),
            Some(d("2025-12-31")),
            d("2026-01-01"),
            None
        ));
        // sharing one day overlaps
        assert!(periods_overlap(
            d("2025-01-01"),
            Some(d("2025-12-31")),
            d("2025-12-31"),
            None
        ));
        // open ends overlap everything after their start
        assert!(periods_overlap(
            d("2025-01-01"),
            None,
            d("2030-01-01"),
            Some(d("2030-01-31"))
        ));
        assert!(!periods_overlap(
            d("2025-01-01"),
            None,
            d("2024-01-01"),
            Some(d("2024-12-31"))
        ));
        // containment
        assert!(periods_overlap(
            d("2025-01-01"),
            Some(d("2025-12-31")),
            d("2025-03-01"),
            Some(d("2025-03-31"))
        ));
    }

    #[test]
    fn contains_dates() {
        assert!(contains(d("2025-01-01"), None, d("2099-01-01")));
        assert!(contains(
            d("2025-01-01"),
            Some(d("2025-01-31")),
            d("2025-01-31")
        ));
        assert!(!contains(
            d("2025-01-01"),
            Some(d("2025-01-31")),
            d("2025-02-01")
        ));
    }
}
