//! The region's rules, kept as data (`policies` rows), editable per region:
//! one JSON body per (kind, scope). Each kind has its own typed body.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    allocation_rules::IntensiveLimit,
    indexation::{IndexRule, Rounding},
};

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
    /// Scope: a product group code, or `region` for every group without its own.
    pub const INDEXATION: &str = "indexation";
    /// Scope: `region`.
    pub const OUTFLOW_THRESHOLD: &str = "outflow-threshold";
    /// Scope: a product group code.
    pub const CONTRACT_ADMISSION: &str = "contract-admission";
    /// Scope: `region`.
    pub const TASK_BUDGET: &str = "task-budget";
    /// Scope: a municipality CBS code.
    pub const PROVIDER_CAPS: &str = "provider-caps";
    /// Scope: a product group code.
    pub const ENROLMENT_REQUIREMENTS: &str = "enrolment-requirements";
    /// Scope: `region`.
    pub const COMPLIANCE: &str = "compliance";
    /// Scope: `region`.
    pub const CONTRACT_LIFE: &str = "contract-life";
    /// Scope: `region`.
    pub const CENTRAL_ACCESS: &str = "central-access";
    /// Scope: `region`.
    pub const MARKET_CONCENTRATION: &str = "market-concentration";
    /// Scope: the absence-day product's code.
    pub const ABSENCE_DAY: &str = "absence-day";
    /// Scope: a product group code, or `region` for every group without its own.
    pub const WAITING_NORM: &str = "waiting-norm";
    /// Scope: a product group code, or `region` for every group without its own.
    pub const COVERAGE: &str = "coverage";
    /// Scope: `region`.
    pub const CARE_OVERLAP: &str = "care-overlap";
    pub const ALL: &[&str] = &[
        TEMPORARY_INTENSIVE,
        SELF_EMPLOYED,
        CLOSED_PRODUCT_GROUPS,
        BUDGET_ALERTS,
        INDEXATION,
        OUTFLOW_THRESHOLD,
        CONTRACT_ADMISSION,
        TASK_BUDGET,
        PROVIDER_CAPS,
        ENROLMENT_REQUIREMENTS,
        COMPLIANCE,
        CONTRACT_LIFE,
        CENTRAL_ACCESS,
        MARKET_CONCENTRATION,
        ABSENCE_DAY,
        WAITING_NORM,
        COVERAGE,
        CARE_OVERLAP,
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

/// Budget-ceiling alert levels, in percent of the ceiling. Unset, they are
/// 70, 80 and 100: the provider is told at 70 % (Contractstandaard Wmo 1.2
/// art. 1.5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BudgetAlertsPolicy {
    #[schema(example = json!([70, 80, 100]))]
    pub levels_percent: Vec<i32>,
}

impl Default for BudgetAlertsPolicy {
    fn default() -> Self {
        Self {
            levels_percent: vec![70, 80, 100],
        }
    }
}

/// Task budgets: how far the realised clients may stray from the plan
/// before a signal warns the office (seed 003: the contractor warns in time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TaskBudgetPolicy {
    /// Percent of the planned clients, above or below.
    #[schema(example = 10)]
    pub deviation_margin_percent: u32,
}

impl Default for TaskBudgetPolicy {
    fn default() -> Self {
        Self {
            deviation_margin_percent: 10,
        }
    }
}

/// How a product group's tariffs are indexed each year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IndexationPolicy {
    /// Weight per index series, as decimal strings summing to 1
    /// (ambulant: OVA 0.9 + PPC 0.1; stay: 0.8 + 0.2).
    #[schema(value_type = std::collections::BTreeMap<String, String>, example = json!({"ova": "0.9", "ppc": "0.1"}))]
    pub weights: std::collections::BTreeMap<String, rust_decimal::Decimal>,
    /// Whether last year's forecast is corrected to its definitive figure.
    pub post_calculation: bool,
    #[schema(example = 2)]
    pub index_decimals: u32,
    pub index_rounding: Rounding,
    /// Decimals of the new tariffs: 0 to 2 (tariffs are whole cents).
    #[schema(example = 2)]
    pub tariff_decimals: u32,
    pub tariff_rounding: Rounding,
    /// The day (`MM-DD`) the worker prepares next year's preview.
    #[schema(example = "10-01")]
    pub preview_on: String,
    /// The first year after a new procurement: forecast only, no post-calculation.
    pub first_year_after_procurement: Option<i32>,
}

impl IndexationPolicy {
    /// The month and day of `previewOn`.
    pub fn preview_month_day(&self) -> Option<(u32, u32)> {
        month_day(&self.preview_on)
    }

    /// The rule for the index of `year`.
    pub fn rule_for(&self, year: i32) -> IndexRule {
        IndexRule {
            weights: self.weights.clone(),
            post_calculation: self.post_calculation
                && self.first_year_after_procurement != Some(year),
            index_decimals: self.index_decimals,
            rounding: self.index_rounding,
        }
    }
}

/// The outflow check (drempels): a minimum of distinct clients per provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OutflowThresholdPolicy {
    #[schema(example = 5)]
    pub min_clients: i64,
    pub window: crate::outflow::OutflowWindow,
    pub level: crate::outflow::OutflowLevel,
    pub count: crate::outflow::ClientCount,
    /// Contracts that started inside the window get `grace`, not a flag.
    pub grace_for_new_contracts: bool,
    /// The day (`MM-DD`) the worker runs the check each year, if any.
    #[schema(example = "01-15")]
    pub run_on: Option<String>,
}

/// Admission to a product group: a maximum of contracted providers (e.g. 5
/// for beschermd wonen in Amersfoort) and the windows (`MM-DD` to `MM-DD`)
/// in which new open-house contracts may start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContractAdmissionPolicy {
    pub max_providers: Option<u32>,
    #[serde(default)]
    pub admission_windows: Vec<AdmissionWindow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AdmissionWindow {
    #[schema(example = "01-01")]
    pub from: String,
    #[schema(example = "01-31")]
    pub to: String,
}

/// `MM-DD` as (month, day), if it is a day of a (leap) year.
pub fn month_day(text: &str) -> Option<(u32, u32)> {
    let (m, d) = text.split_once('-')?;
    if m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (m, d) = (m.parse().ok()?, d.parse().ok()?);
    NaiveDate::from_ymd_opt(2024, m, d).map(|_| (m, d))
}

impl ContractAdmissionPolicy {
    /// Whether a contract starting on `date` falls in an admission window
    /// (always, when the policy names none).
    pub fn admits_on(&self, date: NaiveDate) -> bool {
        use chrono::Datelike;
        let day = (date.month(), date.day());
        self.admission_windows.is_empty()
            || self
                .admission_windows
                .iter()
                .any(|w| match (month_day(&w.from), month_day(&w.to)) {
                    (Some(from), Some(to)) if from <= to => from <= day && day <= to,
                    (Some(from), Some(to)) => day >= from || day <= to, // across new year
                    _ => false,
                })
    }
}

/// How many providers a municipality wants contracted per product group
/// (seed 004: each municipality decides), next to the region-wide maximum
/// of `contract-admission`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProviderCapsPolicy {
    /// Product group code → the most providers contracted for it here.
    #[schema(example = json!({ "BW": 5 }))]
    pub max_providers: std::collections::BTreeMap<String, u32>,
}

/// The checklist an enrolment for a product group must bring evidence for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EnrolmentRequirementsPolicy {
    #[schema(example = json!(["quality-mark", "vog", "financial-statement", "governance-code"]))]
    pub requirements: Vec<crate::enums::Requirement>,
}

/// The compliance register's rules: how far ahead an expiring check is
/// signalled, and which kinds of check block new allocations and
/// enrolments when the latest one failed or expired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CompliancePolicy {
    #[schema(example = 60)]
    pub horizon_days: u32,
    #[schema(example = json!(["integrity", "financial"]))]
    pub blocking_kinds: Vec<crate::enums::ComplianceKind>,
}

impl Default for CompliancePolicy {
    /// Two months ahead; every kind blocks.
    fn default() -> Self {
        Self {
            horizon_days: 60,
            blocking_kinds: vec![
                crate::enums::ComplianceKind::Integrity,
                crate::enums::ComplianceKind::Financial,
                crate::enums::ComplianceKind::GovernanceCode,
                crate::enums::ComplianceKind::Wnt,
                crate::enums::ComplianceKind::QualityMark,
            ],
        }
    }
}

/// What a procurement above the EU threshold that is not a European
/// procedure (a national SAS or a private procurement) leads to; SAS
/// European and open house are never checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ThresholdAction {
    /// 422: the contract is not stored.
    Refuse,
    /// Stored, with an `eu-threshold` contract signal (on the procurement,
    /// or on the contract concluded under it).
    Flag,
}

/// The ends of contracts: how far ahead a contract ending with allocations
/// running past it is signalled, and the EU threshold (seed 000 §4.2: above
/// € 750,000 a European procedure is required) for the estimated total of
/// a whole procurement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContractLifePolicy {
    #[schema(example = 90)]
    pub ending_horizon_days: u32,
    /// Euros, as a decimal string.
    #[schema(value_type = String, example = "750000.00")]
    pub eu_threshold: rust_decimal::Decimal,
    pub eu_threshold_action: ThresholdAction,
}

impl Default for ContractLifePolicy {
    fn default() -> Self {
        Self {
            ending_horizon_days: 90,
            eu_threshold: rust_decimal::Decimal::new(750_000, 0),
            eu_threshold_action: ThresholdAction::Flag,
        }
    }
}

/// The product groups the region's central access team allocates (seed
/// 003: beschermd wonen and safehouse, for every municipality).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CentralAccessPolicy {
    #[schema(example = json!(["BW", "OPV"]))]
    pub product_group_codes: Vec<String>,
}

/// When the monitor's top-3 and top-10 shares are "n.v.t." (seed 002
/// Table 1): a group with fewer clients than `minClients`, and the groups
/// left out of the market figures (e.g. nationally procured care).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MarketConcentrationPolicy {
    #[schema(example = 50)]
    pub min_clients: u32,
    #[serde(default)]
    #[schema(example = json!(["LIZ"]))]
    pub excluded_product_groups: Vec<String>,
}

impl Default for MarketConcentrationPolicy {
    fn default() -> Self {
        Self {
            min_clients: 50,
            excluded_product_groups: Vec::new(),
        }
    }
}

/// An absence day (afwezigheidsdag, seed 000 §4.1, product E) is paid
/// instead of the day products, never beside them: set on the absence-day
/// product, naming the products (per day, etmaal) it replaces. A line of
/// the one and a line of the other for the same client cannot both be
/// approved for the same day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AbsenceDayPolicy {
    /// The codes of the day products the absence day is paid instead of.
    #[schema(example = json!(["BW0A1", "BW0B1", "BW0C1"]))]
    pub replaces: Vec<String>,
}

/// How long a client may wait from allocation to the start of care before
/// the office is told (the Contractstandaard points at the Treeknormen).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WaitingNormPolicy {
    /// Days from the allocation to the start of care.
    #[schema(example = 42, minimum = 1, maximum = 730)]
    pub days: u32,
}

/// The fewest active providers a product group needs in every
/// municipality (seed 000 §4.8, seed 004 §6): below it, the region opens the
/// group for new providers or procures more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CoveragePolicy {
    #[schema(example = 3, minimum = 1, maximum = 1000)]
    pub minimum_providers: u32,
}

impl Default for CoveragePolicy {
    fn default() -> Self {
        Self {
            minimum_providers: 1,
        }
    }
}

/// What an allocation that stacks on another of the same client in the
/// same product group leads to (seed 002 Bijlage 3, seed 003 §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum OverlapAction {
    /// Stored, with a warning in the answer and a signal to the office.
    #[default]
    Warn,
    /// 422 `ZR-ALLOC-OVERLAP`: not stored.
    Refuse,
}

/// Stacked care: whether an overlapping allocation is warned about or refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CareOverlapPolicy {
    pub action: OverlapAction,
}

/// The body of a policy, by kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum PolicyRules {
    TemporaryIntensive(TemporaryIntensivePolicy),
    SelfEmployed(SelfEmployedPolicy),
    ClosedProductGroups(ClosedProductGroupsPolicy),
    BudgetAlerts(BudgetAlertsPolicy),
    Indexation(IndexationPolicy),
    OutflowThreshold(OutflowThresholdPolicy),
    ContractAdmission(ContractAdmissionPolicy),
    TaskBudget(TaskBudgetPolicy),
    ProviderCaps(ProviderCapsPolicy),
    EnrolmentRequirements(EnrolmentRequirementsPolicy),
    Compliance(CompliancePolicy),
    ContractLife(ContractLifePolicy),
    CentralAccess(CentralAccessPolicy),
    MarketConcentration(MarketConcentrationPolicy),
    AbsenceDay(AbsenceDayPolicy),
    WaitingNorm(WaitingNormPolicy),
    Coverage(CoveragePolicy),
    CareOverlap(CareOverlapPolicy),
}

impl PolicyRules {
    /// Parses `body` as the rules of `kind`; `Err` says what is wrong.
    pub fn parse(kind: &str, body: serde_json::Value) -> Result<Self, String> {
        let rules = match kind {
            kinds::TEMPORARY_INTENSIVE => Self::TemporaryIntensive(from_value(body)?),
            kinds::SELF_EMPLOYED => Self::SelfEmployed(from_value(body)?),
            kinds::CLOSED_PRODUCT_GROUPS => Self::ClosedProductGroups(from_value(body)?),
            kinds::BUDGET_ALERTS => Self::BudgetAlerts(from_value(body)?),
            kinds::INDEXATION => Self::Indexation(from_value(body)?),
            kinds::OUTFLOW_THRESHOLD => Self::OutflowThreshold(from_value(body)?),
            kinds::CONTRACT_ADMISSION => Self::ContractAdmission(from_value(body)?),
            kinds::TASK_BUDGET => Self::TaskBudget(from_value(body)?),
            kinds::PROVIDER_CAPS => Self::ProviderCaps(from_value(body)?),
            kinds::ENROLMENT_REQUIREMENTS => Self::EnrolmentRequirements(from_value(body)?),
            kinds::COMPLIANCE => Self::Compliance(from_value(body)?),
            kinds::CONTRACT_LIFE => Self::ContractLife(from_value(body)?),
            kinds::CENTRAL_ACCESS => Self::CentralAccess(from_value(body)?),
            kinds::MARKET_CONCENTRATION => Self::MarketConcentration(from_value(body)?),
            kinds::ABSENCE_DAY => Self::AbsenceDay(from_value(body)?),
            kinds::WAITING_NORM => Self::WaitingNorm(from_value(body)?),
            kinds::COVERAGE => Self::Coverage(from_value(body)?),
            kinds::CARE_OVERLAP => Self::CareOverlap(from_value(body)?),
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
            Self::Indexation(p) => {
                let sum: rust_decimal::Decimal = p.weights.values().sum();
                if p.weights.is_empty()
                    || sum != rust_decimal::Decimal::ONE
                    || p.weights.values().any(|w| w.is_sign_negative())
                {
                    return Err("weights must be positive and sum to 1".into());
                }
                if p.index_decimals > 6 || p.tariff_decimals > 2 {
                    return Err("indexDecimals must be 0 to 6 and tariffDecimals 0 to 2".into());
                }
                if p.preview_month_day().is_none() {
                    return Err("previewOn must be a day as MM-DD".into());
                }
                Ok(())
            }
            Self::TaskBudget(p) if !(1..=100).contains(&p.deviation_margin_percent) => {
                Err("deviationMarginPercent must be 1 to 100".into())
            }
            Self::OutflowThreshold(p)
                if p.min_clients < 1
                    || p.run_on.as_deref().is_some_and(|d| month_day(d).is_none()) =>
            {
                Err("minClients must be 1 or more and runOn a day as MM-DD".into())
            }
            Self::ContractAdmission(p)
                if p.admission_windows
                    .iter()
                    .any(|w| month_day(&w.from).is_none() || month_day(&w.to).is_none()) =>
            {
                Err("admission windows run from MM-DD to MM-DD".into())
            }
            Self::ProviderCaps(p) if p.max_providers.is_empty() => {
                Err("maxProviders must name at least one product group".into())
            }
            Self::Compliance(p) if !(1..=730).contains(&p.horizon_days) => {
                Err("horizonDays must be 1 to 730".into())
            }
            Self::ContractLife(p)
                if !(1..=730).contains(&p.ending_horizon_days)
                    || p.eu_threshold.is_sign_negative()
                    || p.eu_threshold.scale() > 2 =>
            {
                Err("endingHorizonDays must be 1 to 730 and euThreshold euros with at most 2 decimals".into())
            }
            Self::CentralAccess(p) if p.product_group_codes.is_empty() => {
                Err("productGroupCodes must not be empty".into())
            }
            Self::AbsenceDay(p) if p.replaces.is_empty() => {
                Err("replaces must name at least one day product".into())
            }
            Self::WaitingNorm(p) if !(1..=730).contains(&p.days) => {
                Err("days must be 1 to 730".into())
            }
            Self::Coverage(p) if !(1..=1000).contains(&p.minimum_providers) => {
                Err("minimumProviders must be 1 to 1000".into())
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
