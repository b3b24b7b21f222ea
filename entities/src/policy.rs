//! The region's rules, kept as data (`policies` rows), editable per region:
//! one JSON body per (kind, scope). Each kind has its own typed body.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::allocation_rules::IntensiveLimit;

/// Policy kinds and the scope each is set for.
pub mod kinds {
    /// Scope: a product code.
    pub const TEMPORARY_INTENSIVE: &str = "temporary-intensive";
    /// Scope: a municipality CBS code.
    pub const SELF_EMPLOYED: &str = "self-employed";
    /// Scope: a municipality CBS code.
    pub const CLOSED_PRODUCT_GROUPS: &str = "closed-product-groups";
    /// Scope: `region`.
    pub const BUDGET_ALERTS: &str = "budget-alerts";
    pub const ALL: &[&str] = &[
        TEMPORARY_INTENSIVE,
        SELF_EMPLOYED,
        CLOSED_PRODUCT_GROUPS,
        BUDGET_ALERTS,
    ];
}

/// The scope key of region-wide policies.
pub const REGION_SCOPE: &str = "region";

/// How long a product may be scaled up temporarily (tijdelijk intensief).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TemporaryIntensivePolicy {
    /// Months of temporary intensive allowed; every started month counts.
    #[schema(example = 3)]
    pub max_months: u32,
    /// `calendar-year` (products A and B: 3 per year) or `allocation`
    /// (product C: 12 within the allocation period).
    pub per: IntensivePeriod,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum IntensivePeriod {
    CalendarYear,
    Allocation,
}

impl TemporaryIntensivePolicy {
    pub fn limit(&self) -> IntensiveLimit {
        match self.per {
            IntensivePeriod::CalendarYear => IntensiveLimit::PerCalendarYear {
                max_months: self.max_months,
            },
            IntensivePeriod::Allocation => IntensiveLimit::WithinAllocation {
                max_months: self.max_months,
            },
        }
    }
}

/// Whether a municipality forbids providers that work with self-employed staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SelfEmployedPolicy {
    pub forbidden: bool,
}

/// Product groups a municipality has closed for new providers: only
/// providers whose contract started before `closedFrom` get new allocations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClosedProductGroupsPolicy {
    #[schema(example = json!(["BW"]))]
    pub product_group_codes: Vec<String>,
    #[schema(example = "2026-01-01")]
    pub closed_from: NaiveDate,
}

/// Budget-ceiling alert levels, in percent of the ceiling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BudgetAlertsPolicy {
    #[schema(example = json!([80, 100]))]
    pub levels_percent: Vec<i32>,
}

impl Default for BudgetAlertsPolicy {
    fn default() -> Self {
        Self {
            levels_percent: vec![80, 100],
        }
    }
}

/// The body of a policy, by kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum PolicyRules {
    TemporaryIntensive(TemporaryIntensivePolicy),
    SelfEmployed(SelfEmployedPolicy),
    ClosedProductGroups(ClosedProductGroupsPolicy),
    BudgetAlerts(BudgetAlertsPolicy),
}

impl PolicyRules {
    /// Parses `body` as the rules of `kind`; `Err` says what is wrong.
    pub fn parse(kind: &str, body: serde_json::Value) -> Result<Self, String> {
        let rules = match kind {
            kinds::TEMPORARY_INTENSIVE => Self::TemporaryIntensive(from_value(body)?),
            kinds::SELF_EMPLOYED => Self::SelfEmployed(from_value(body)?),
            kinds::CLOSED_PRODUCT_GROUPS => Self::ClosedProductGroups(from_value(body)?),
            kinds::BUDGET_ALERTS => Self::BudgetAlerts(from_value(body)?),
            other => {
                return Err(format!(
                    "unknown policy kind {other:?}; known: {}",
                    kinds::ALL.join(", ")
                ))
            }
        };
        rules.check()?;
        Ok(rules)
    }

    fn check(&self) -> Result<(), String> {
        match self {
            Self::TemporaryIntensive(p) if !(1..=120).contains(&p.max_months) => {
                Err("maxMonths must be 1 to 120".into())
            }
            Self::ClosedProductGroups(p) if p.product_group_codes.is_empty() => {
                Err("productGroupCodes must not be empty".into())
            }
            Self::BudgetAlerts(p)
                if p.levels_percent.is_empty()
                    || p.levels_percent.iter().any(|l| !(1..=1000).contains(l)) =>
            {
                Err("levelsPercent must hold 1 or more levels from 1 to 1000".into())
            }
            _ => Ok(()),
        }
    }
}

fn from_value<T: serde::de::DeserializeOwned>(body: serde_json::Value) -> Result<T, String> {
    serde_json::from_value(body).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_by_kind() {
        let ti = PolicyRules::parse(
            "temporary-intensive",
            json!({ "maxMonths": 3, "per": "calendar-year" }),
        )
        .unwrap();
        let PolicyRules::TemporaryIntensive(p) = ti else {
            panic!()
        };
        assert_eq!(p.limit(), IntensiveLimit::PerCalendarYear { max_months: 3 });
        assert!(PolicyRules::parse(
            "temporary-intensive",
            json!({ "maxMonths": 0, "per": "allocation" })
        )
        .is_err());
        assert!(
            PolicyRules::parse("self-employed", json!({ "forbidden": true, "extra": 1 })).is_err()
        );
        assert!(PolicyRules::parse("budget-alerts", json!({ "levelsPercent": [] })).is_err());
        assert!(PolicyRules::parse("nonsense", json!({}))
            .unwrap_err()
            .contains("known"));
    }
}
