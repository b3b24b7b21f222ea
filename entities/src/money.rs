//! Money is exact. Euros are `rust_decimal::Decimal` in the code and whole
//! cents (`i64`) in the database, as in the iWmo messages, where every amount
//! is an integer number of cents. Rounding happens only in the named
//! functions of this module.

use rust_decimal::{Decimal, RoundingStrategy};

/// Cents in the database → euros.
pub fn cents_to_euros(cents: i64) -> Decimal {
    Decimal::new(cents, 2)
}

/// Euros that are already whole cents → cents. `None` when the amount has a
/// fraction of a cent or does not fit; callers report that as invalid input.
pub fn euros_to_cents(euros: Decimal) -> Option<i64> {
    let scaled = euros.checked_mul(Decimal::ONE_HUNDRED)?;
    if scaled.fract() != Decimal::ZERO {
        return None;
    }
    i64::try_from(scaled).ok()
}

/// Rounds euros to whole cents, half away from zero (0.005 → 0.01), the
/// rounding of iWmo amounts. The one place amounts get rounded to cents.
pub fn round_to_cents_half_away_from_zero(euros: Decimal) -> Decimal {
    euros.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// Parses a decimal string as euros with at most two decimals ("73.47").
pub fn parse_euros(text: &str) -> Result<Decimal, &'static str> {
    const FORMAT: &str = "must be a decimal string such as \"73.47\"";
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) || digits.ends_with('.') {
        return Err(FORMAT);
    }
    if fraction.len() > 2 {
        return Err("must have at most two decimals (whole cents)");
    }
    // Ten trillion euros is beyond any budget; the bound is the API's pattern.
    if whole.trim_start_matches('0').len() > 13 {
        return Err("is out of range (at most 13 whole digits)");
    }
    let value: Decimal = text.parse().map_err(|_| FORMAT)?;
    if euros_to_cents(value).is_none() {
        return Err("is out of range");
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn cents_round_trip() {
        assert_eq!(cents_to_euros(7347), d("73.47"));
        assert_eq!(euros_to_cents(d("73.47")), Some(7347));
        assert_eq!(euros_to_cents(d("73.4")), Some(7340));
        assert_eq!(euros_to_cents(d("73.475")), None);
        assert_eq!(cents_to_euros(-5), d("-0.05"));
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(round_to_cents_half_away_from_zero(d("1.005")), d("1.01"));
        assert_eq!(round_to_cents_half_away_from_zero(d("1.004")), d("1.00"));
        assert_eq!(round_to_cents_half_away_from_zero(d("-1.005")), d("-1.01"));
        // 70.00 × 1.0496 = 73.472 → 73.47
        assert_eq!(round_to_cents_half_away_from_zero(d("73.472")), d("73.47"));
    }

    #[test]
    fn parse_euros_rejects_sub_cent_and_junk() {
        assert_eq!(parse_euros("70.00"), Ok(d("70.00")));
        assert_eq!(parse_euros("0"), Ok(d("0")));
        assert!(parse_euros("70.001").is_err());
        assert!(parse_euros("seventy").is_err());
        assert!(parse_euros(" 70").is_err());
        assert!(parse_euros("").is_err());
        assert!(parse_euros("1e3").is_err());
        assert!(parse_euros("+1").is_err());
        assert!(parse_euros("1.").is_err());
        assert!(parse_euros(".5").is_err());
        assert_eq!(parse_euros("-0.50"), Ok(d("-0.50")));
    }
}
