//! [`Check`]: parses raw fields into domain values while collecting
//! *every* invalid field, so one refusal lists them all. The JSON API, the
//! dashboard's forms and the domain's own checks share it.

use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use crate::error::{DomainError, DomainResult, FieldError};

/// The dates [`Check::date`] accepts (the OpenAPI document's pattern says
/// the same).
pub const DATE_RANGE: &str = "1900-01-01 to 2199-12-31";
pub const MIN_YEAR: i32 = 1900;
pub const MAX_YEAR: i32 = 2199;

/// Collects field errors while parsing raw input into domain values. Two
/// kinds: a value of the wrong form (what the OpenAPI schema says: 400), and
/// a rule no schema can say, about the region's data or between fields (an
/// unknown reference, an end before its start: 422). One answer lists them
/// all; it is a 400 when any value had the wrong form.
#[derive(Default)]
pub struct Check {
    errors: Vec<FieldError>,
    rule_errors: Vec<FieldError>,
}

impl Check {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn fail(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    /// Records `message` for `field` unless `ok`.
    pub fn require(&mut self, ok: bool, field: &str, message: &str) {
        if !ok {
            self.fail(field, message);
        }
    }

    /// A rule the schema cannot say failed for `field` (see [`Check`]).
    pub fn fail_rule(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.rule_errors.push(FieldError::new(field, message));
    }

    /// Records a rule's `message` for `field` unless `ok`.
    pub fn require_rule(&mut self, ok: bool, field: &str, message: &str) {
        if !ok {
            self.fail_rule(field, message);
        }
    }

    /// A date as `YYYY-MM-DD` from 1900 to 2199 (`spec::DATE_RANGE`): the
    /// span any care period lies in, far from the calendar's limits, so
    /// that terms and windows computed from it stay real dates.
    pub fn date(&mut self, field: &str, text: &str) -> Option<NaiveDate> {
        let years = MIN_YEAR..=MAX_YEAR;
        match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            Ok(date) if text.len() == 10 && years.contains(&date.year()) => Some(date),
            _ => {
                self.fail(
                    field,
                    format!("must be a date as YYYY-MM-DD from {}", DATE_RANGE),
                );
                None
            }
        }
    }

    /// A year from 1900 to 2199.
    pub fn year(&mut self, field: &str, year: i32) -> bool {
        let ok = (MIN_YEAR..=MAX_YEAR).contains(&year);
        self.require(ok, field, "must be a year from 1900 to 2199");
        ok
    }

    pub fn optional_date(&mut self, field: &str, text: Option<&str>) -> Option<Option<NaiveDate>> {
        match text {
            None => Some(None),
            Some(text) => self.date(field, text).map(Some),
        }
    }

    pub fn euros(&mut self, field: &str, text: &str) -> Option<Decimal> {
        match entities::money::parse_euros(text) {
            Ok(value) => Some(value),
            Err(message) => {
                self.fail(field, message);
                None
            }
        }
    }

    /// Euros not below zero, as cents.
    pub fn non_negative_euros(&mut self, field: &str, text: &str) -> Option<i64> {
        let euros = self.euros(field, text)?;
        self.require(!euros.is_sign_negative(), field, "must not be negative");
        entities::money::euros_to_cents(euros).filter(|c| *c >= 0)
    }

    /// A decimal string such as "4.94" or "-0.25" (a percentage; no exponent).
    pub fn decimal(&mut self, field: &str, text: &str) -> Option<Decimal> {
        let digits = text.strip_prefix('-').unwrap_or(text);
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let ok = !whole.is_empty()
            && whole.trim_start_matches('0').len() <= 20
            && whole.bytes().all(|b| b.is_ascii_digit())
            && fraction.bytes().all(|b| b.is_ascii_digit())
            && !digits.ends_with('.')
            && fraction.len() <= 6;
        match text.parse::<Decimal>() {
            Ok(value) if ok => Some(value),
            _ => {
                self.fail(
                    field,
                    "must be a decimal string such as \"4.94\" (at most 6 decimals)",
                );
                None
            }
        }
    }

    /// Parses one of a closed set of values (`FromStr` names the accepted ones).
    pub fn one_of<T: FromStr<Err = String>>(&mut self, field: &str, text: &str) -> Option<T> {
        match text.parse() {
            Ok(value) => Some(value),
            Err(message) => {
                self.fail(field, message);
                None
            }
        }
    }

    /// A code of exactly `len` digits (AGB and KvK: 8).
    pub fn digits(&mut self, field: &str, text: &str, len: usize) -> bool {
        let ok = text.len() == len && text.bytes().all(|b| b.is_ascii_digit());
        self.require(ok, field, &format!("must be exactly {len} digits"));
        ok
    }

    /// A CBS municipality code: `GM` and four digits.
    pub fn cbs_code(&mut self, field: &str, text: &str) -> bool {
        let ok = is_cbs_code(text);
        self.require(ok, field, "must be a CBS municipality code such as GM0202");
        ok
    }

    /// A name of 1 to `max` characters (the schema's length), not blank (a
    /// rule: regex engines disagree on what is white space).
    pub fn name(&mut self, field: &str, text: &str, max: usize) -> bool {
        let length = (1..=max).contains(&text.chars().count());
        self.require(length, field, &format!("must be 1 to {max} characters"));
        let blank = text.trim().is_empty();
        if length {
            self.require_rule(!blank, field, "must not be blank");
        }
        length && !blank
    }

    /// A short code of letters, digits and dashes (product group codes).
    pub fn code(&mut self, field: &str, text: &str, max: usize) -> bool {
        let ok = !text.is_empty()
            && text.len() <= max
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        self.require(
            ok,
            field,
            &format!("must be 1 to {max} letters, digits, '-' or '_'"),
        );
        ok
    }

    /// Ends the check: every collected error in one 400.
    pub fn finish(mut self) -> DomainResult<()> {
        if !self.errors.is_empty() {
            self.errors.append(&mut self.rule_errors);
            Err(DomainError::Invalid(self.errors))
        } else if !self.rule_errors.is_empty() {
            Err(DomainError::Unprocessable(self.rule_errors))
        } else {
            Ok(())
        }
    }

    /// Ends the check, returning `value` when nothing failed. `value` is
    /// `Some` whenever every parse it depends on succeeded.
    pub fn done<T>(self, value: Option<T>) -> DomainResult<T> {
        self.finish()?;
        value.ok_or_else(|| DomainError::Internal("validated value missing".into()))
    }
}

pub fn is_cbs_code(text: &str) -> bool {
    text.len() == 6 && text.starts_with("GM") && text[2..].bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_collects_every_error() {
        let mut check = Check::new();
        check.date("validFrom", "2025-13-01");
        check.euros("price", "1.234");
        check.digits("agbCode", "1234567", 8);
        check.cbs_code("cbsCode", "GM02");
        assert!(check.date("ok", "2025-01-31").is_some());
        check.fail_rule("providerAgb", "no such provider in this region");
        let Err(DomainError::Invalid(errors)) = check.finish() else {
            panic!("expected errors")
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["validFrom", "price", "agbCode", "cbsCode", "providerAgb"]
        );
    }

    #[test]
    fn rules_alone_are_unprocessable() {
        let mut check = Check::new();
        check.require_rule(false, "validTo", "must not be before validFrom");
        let Err(DomainError::Unprocessable(errors)) = check.finish() else {
            panic!("expected a 422")
        };
        assert_eq!(errors[0].field, "validTo");
    }

    #[test]
    fn dates_are_bounded() {
        let mut check = Check::new();
        assert!(check.date("d", "9999-12-01").is_none());
        assert!(check.date("d", "1899-12-31").is_none());
        assert!(check.date("d", "2199-12-31").is_some());
        assert!(check.date("d", "1900-01-01").is_some());
    }

    #[test]
    fn dates_must_be_iso() {
        let mut check = Check::new();
        assert!(check.date("d", "2025-1-1").is_none());
        assert!(check.date("d", "01-01-2025").is_none());
        assert_eq!(
            check.date("d", "2024-02-29"),
            NaiveDate::from_ymd_opt(2024, 2, 29)
        );
    }
}
