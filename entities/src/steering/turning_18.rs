//! Turning 18 (seeds 000 §3.3, 001 §1.2, 002 Bijlage 3, 003 §2): youth
//! care under the Jeugdwet ends at 18 and must go on under the Wmo without
//! a gap; the Contractstandaard asks for a warm handover at least 1.5 years
//! before. These definitions work on the birth date inside the service;
//! what leaves it is only the month a client turns 18.
//!
//! Months are counted from the month of `asOf`: that month is month 0, the
//! next month 1, and so on. A client turns 18 within a horizon of `h`
//! months when the month of the 18th birthday is month 0 to `h`: with
//! `asOf` 2026-12-07 and a horizon of 18, from December 2026 to June 2028
//! (month 18); July 2028 (month 19) is beyond it.

use chrono::{Datelike, Months, NaiveDate};

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    pub year: i32,
    /// 1 to 12.
    pub month: u32,
}

impl YearMonth {
    pub fn of(date: NaiveDate) -> Self {
        Self {
            year: date.year(),
            month: date.month(),
        }
    }

    /// Months since year 0, to count differences.
    fn index(self) -> i64 {
        i64::from(self.year) * 12 + i64::from(self.month) - 1
    }

    /// `other` minus `self`, in whole months.
    pub fn months_until(self, other: YearMonth) -> i64 {
        other.index() - self.index()
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN)
    }

    /// The month after this one.
    pub fn next(self) -> Self {
        if self.month == 12 {
            Self {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Self {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().unwrap_or(NaiveDate::MAX)
    }
}

impl std::fmt::Display for YearMonth {
    /// `YYYY-MM`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// The month of the 18th birthday: the birth month, 18 years on (someone
/// born on 29 February turns 18 in February too).
pub fn month_of_18th(birth: NaiveDate) -> YearMonth {
    let birthday = birth
        .checked_add_months(Months::new(18 * 12))
        .unwrap_or(NaiveDate::MAX);
    YearMonth::of(birthday)
}

/// Where a client stands towards 18 on `as_of`, for a horizon in months.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Turns 18 in `month`, `months_left` months from `as_of`'s month
    /// (0 to the horizon).
    Within { month: YearMonth, months_left: i64 },
    /// Turned 18 in an earlier month (youth care may run on to 23).
    PastEighteen,
    /// Turns 18 after the horizon.
    Beyond,
}

pub fn standing(birth: NaiveDate, as_of: NaiveDate, horizon_months: i64) -> Standing {
    let month = month_of_18th(birth);
    let months_left = YearMonth::of(as_of).months_until(month);
    if months_left < 0 {
        Standing::PastEighteen
    } else if months_left <= horizon_months {
        Standing::Within { month, months_left }
    } else {
        Standing::Beyond
    }
}

/// The days a Wmo allocation must touch to follow youth care: from the
/// first day of the month the client turns 18 to the last day of the month
/// after it. Care that starts by then without having ended before follows
/// on: a Wmo allocation running at 18, or starting in the month after at
/// the latest.
pub fn follow_up_window(month_of_18th: YearMonth) -> (NaiveDate, NaiveDate) {
    (month_of_18th.first_day(), month_of_18th.next().last_day())
}

/// Whether one of the client's Wmo allocations (start, last day; `None`
/// runs on) follows youth care ending at 18 in `month_of_18th`.
pub fn wmo_follows(month_of_18th: YearMonth, wmo: &[(NaiveDate, Option<NaiveDate>)]) -> bool {
    let (from, to) = follow_up_window(month_of_18th);
    wmo.iter()
        .any(|&(start, end)| start <= to && end.is_none_or(|end| end >= from))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn month_18_is_within_a_horizon_of_18_and_month_19_is_not() {
        let as_of = d("2026-12-07");
        // Born June 2010: 18 in June 2028, month 18 from December 2026.
        assert_eq!(
            standing(d("2010-06-30"), as_of, 18),
            Standing::Within {
                month: YearMonth {
                    year: 2028,
                    month: 6
                },
                months_left: 18
            }
        );
        // Born July 2010: 18 in July 2028, month 19.
        assert_eq!(standing(d("2010-07-01"), as_of, 18), Standing::Beyond);
        // … within a horizon of 19.
        assert!(matches!(
            standing(d("2010-07-01"), as_of, 19),
            Standing::Within {
                months_left: 19,
                ..
            }
        ));
    }

    #[test]
    fn the_month_of_as_of_is_month_0_and_earlier_months_are_past() {
        let as_of = d("2026-12-07");
        // 18 on 31 December 2026: still listed, 0 months left.
        assert!(matches!(
            standing(d("2008-12-31"), as_of, 18),
            Standing::Within { months_left: 0, .. }
        ));
        // 18 on 1 December 2026, before asOf but in its month: listed too.
        assert!(matches!(
            standing(d("2008-12-01"), as_of, 1),
            Standing::Within { months_left: 0, .. }
        ));
        // 18 in November 2026.
        assert_eq!(standing(d("2008-11-30"), as_of, 18), Standing::PastEighteen);
    }

    #[test]
    fn months_print_as_year_and_month_and_leap_days_stay_in_february() {
        assert_eq!(month_of_18th(d("2008-02-29")).to_string(), "2026-02");
        assert_eq!(month_of_18th(d("2010-01-15")).to_string(), "2028-01");
        let feb = YearMonth {
            year: 2028,
            month: 2,
        };
        assert_eq!(feb.last_day(), d("2028-02-29"));
        assert_eq!(
            YearMonth {
                year: 2027,
                month: 12
            }
            .next(),
            YearMonth {
                year: 2028,
                month: 1
            }
        );
    }

    #[test]
    fn wmo_follows_when_it_runs_at_18_or_starts_by_the_month_after() {
        // 18 in June 2028: window 1 June – 31 July 2028.
        let june = YearMonth {
            year: 2028,
            month: 6,
        };
        assert_eq!(follow_up_window(june), (d("2028-06-01"), d("2028-07-31")));
        // Starts on the birthday.
        assert!(wmo_follows(june, &[(d("2028-06-15"), None)]));
        // Starts on the last day of the month after.
        assert!(wmo_follows(june, &[(d("2028-07-31"), None)]));
        // Already running (a Wmo allocation from before 18).
        assert!(wmo_follows(
            june,
            &[(d("2027-01-01"), Some(d("2028-12-31")))]
        ));
        // Starts in August: a gap.
        assert!(!wmo_follows(june, &[(d("2028-08-01"), None)]));
        // Ended before the month of 18.
        assert!(!wmo_follows(
            june,
            &[(d("2027-01-01"), Some(d("2028-05-31")))]
        ));
        assert!(!wmo_follows(june, &[]));
    }
}
