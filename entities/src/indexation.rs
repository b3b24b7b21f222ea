//! Annual tariff indexation, after the VNG Contractstandaard Wmo (art. 3.2):
//!
//! index(t+1) = Σ weight × forecast(t+1) + Σ weight × (definitive(t) − forecast(t))
//!
//! the second sum (post-calculation, nacalculatie) only where the policy
//! applies it and not in the first year after a new procurement. The index
//! and the new tariffs are rounded as the policy says, in the named
//! functions below and nowhere else.

use std::collections::BTreeMap;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A rounding the policy can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Rounding {
    HalfAwayFromZero,
    HalfEven,
    Up,
    Down,
}

impl Rounding {
    pub fn apply(self, value: Decimal, decimals: u32) -> Decimal {
        let strategy = match self {
            Self::HalfAwayFromZero => RoundingStrategy::MidpointAwayFromZero,
            Self::HalfEven => RoundingStrategy::MidpointNearestEven,
            Self::Up => RoundingStrategy::AwayFromZero,
            Self::Down => RoundingStrategy::ToZero,
        };
        value.round_dp_with_strategy(decimals, strategy)
    }
}

/// Published percentages of one series for one year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Figures {
    pub forecast: Option<Decimal>,
    pub definitive: Option<Decimal>,
}

/// What the index of one product group needs: weights per series (summing
/// to 1) and whether the post-calculation applies this year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexRule {
    pub weights: BTreeMap<String, Decimal>,
    pub post_calculation: bool,
    pub index_decimals: u32,
    pub rounding: Rounding,
}

/// A figure the formula needs but the region has not entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingFigure {
    pub series: String,
    pub year: i32,
    pub kind: &'static str,
}

/// The rounded index percentage for `year`, from the figures of `year` and
/// `year − 1` per series (`figures[(series, year)]`).
pub fn index_percent(
    rule: &IndexRule,
    year: i32,
    figures: &BTreeMap<(String, i32), Figures>,
) -> Result<Decimal, MissingFigure> {
    let get = |series: &str, y: i32, kind: &'static str| {
        let f = figures.get(&(series.to_owned(), y));
        let value = match kind {
            "forecast" => f.and_then(|f| f.forecast),
            _ => f.and_then(|f| f.definitive),
        };
        value.ok_or(MissingFigure {
            series: series.to_owned(),
            year: y,
            kind,
        })
    };
    let mut index = Decimal::ZERO;
    for (series, weight) in &rule.weights {
        index += weight * get(series, year, "forecast")?;
        if rule.post_calculation {
            index += weight
                * (get(series, year - 1, "definitive")? - get(series, year - 1, "forecast")?);
        }
    }
    Ok(rule.rounding.apply(index, rule.index_decimals))
}

/// The indexed tariff: `price` × (1 + index / 100), rounded as the policy says.
pub fn indexed_price(
    price: Decimal,
    index_percent: Decimal,
    decimals: u32,
    rounding: Rounding,
) -> Decimal {
    rounding.apply(
        price * (Decimal::ONE_HUNDRED + index_percent) / Decimal::ONE_HUNDRED,
        decimals,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn vng_2025() -> BTreeMap<(String, i32), Figures> {
        let f = |forecast: &str, definitive: Option<&str>| Figures {
            forecast: Some(d(forecast)),
            definitive: definitive.map(d),
        };
        BTreeMap::from([
            (("ova".into(), 2024), f("4.94", Some("6.00"))),
            (("ova".into(), 2025), f("4.18", None)),
            (("ppc".into(), 2024), f("2.51", Some("3.10"))),
            (("ppc".into(), 2025), f("1.82", None)),
        ])
    }

    fn rule(ova: &str, ppc: &str, post_calculation: bool, decimals: u32) -> IndexRule {
        IndexRule {
            weights: BTreeMap::from([("ova".into(), d(ova)), ("ppc".into(), d(ppc))]),
            post_calculation,
            index_decimals: decimals,
            rounding: Rounding::HalfAwayFromZero,
        }
    }

    #[test]
    fn the_vng_worked_example() {
        // 0.9 × 4.18 + 0.1 × 1.82 = 3.944; 0.9 × 1.06 + 0.1 × 0.59 = 1.013; 4.957
        assert_eq!(
            index_percent(&rule("0.9", "0.1", true, 3), 2025, &vng_2025()),
            Ok(d("4.957"))
        );
        let index = index_percent(&rule("0.9", "0.1", true, 2), 2025, &vng_2025()).unwrap();
        assert_eq!(index, d("4.96"));
        // € 70.00 × 1.0496 = 73.472 → 73.47
        assert_eq!(
            indexed_price(d("70.00"), index, 2, Rounding::HalfAwayFromZero),
            d("73.47")
        );
    }

    #[test]
    fn stay_weights_and_first_year_without_post_calculation() {
        // 80/20: 0.8 × 4.18 + 0.2 × 1.82 = 3.708; + 0.8 × 1.06 + 0.2 × 0.59 = 0.966 → 4.674 → 4.67
        assert_eq!(
            index_percent(&rule("0.8", "0.2", true, 2), 2025, &vng_2025()),
            Ok(d("4.67"))
        );
        // forecast only: 3.944 → 3.94
        assert_eq!(
            index_percent(&rule("0.9", "0.1", false, 2), 2025, &vng_2025()),
            Ok(d("3.94"))
        );
    }

    #[test]
    fn missing_figures_are_named() {
        let mut figures = vng_2025();
        figures.remove(&("ppc".to_owned(), 2024));
        assert_eq!(
            index_percent(&rule("0.9", "0.1", true, 2), 2025, &figures),
            Err(MissingFigure {
                series: "ppc".into(),
                year: 2024,
                kind: "definitive"
            })
        );
        assert_eq!(
            index_percent(&rule("0.9", "0.1", false, 2), 2026, &vng_2025()),
            Err(MissingFigure {
                series: "ova".into(),
                year: 2026,
                kind: "forecast"
            })
        );
    }

    #[test]
    fn roundings() {
        assert_eq!(Rounding::HalfAwayFromZero.apply(d("73.475"), 2), d("73.48"));
        assert_eq!(Rounding::HalfEven.apply(d("73.475"), 2), d("73.48"));
        assert_eq!(Rounding::HalfEven.apply(d("73.465"), 2), d("73.46"));
        assert_eq!(Rounding::Up.apply(d("73.461"), 2), d("73.47"));
        assert_eq!(Rounding::Down.apply(d("73.479"), 2), d("73.47"));
        assert_eq!(
            indexed_price(d("182.75"), d("4.96"), 2, Rounding::HalfAwayFromZero),
            d("191.81")
        );
    }
}
