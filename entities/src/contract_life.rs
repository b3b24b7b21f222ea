//! The rules of a contract's life that need no database: its last day, the
//! notice a termination needs, the compliance register's verdict on a
//! provider, the EU threshold of a procurement and the day a bridge lets
//! care run to.

use chrono::{Duration, NaiveDate};
use rust_decimal::Decimal;

use crate::{
    contract_term::{current_end_date, end_of_term},
    enums::{CheckOutcome, ComplianceKind, ProcedureForm, ProcurementForm, TerminationGround},
    money::euros_to_cents,
    schema::{compliance_check, contract},
};

/// The last day of the term with the exercised options and the one-off
/// extensions of amendments.
pub fn current_end(c: &contract::Model) -> Option<NaiveDate> {
    let options: Vec<u32> =
        serde_json::from_value(c.extension_options_months.clone()).unwrap_or_default();
    current_end_date(
        c.start_date,
        (c.initial_term_months + c.amended_months).max(0) as u32,
        &options,
        c.extensions_exercised as usize,
    )
}

/// The last day the contract is in force: its termination date when it was
/// terminated before the term's end, else the term's end.
pub fn last_day(c: &contract::Model) -> Option<NaiveDate> {
    let end = current_end(c);
    match (c.terminated_on, end) {
        (Some(on), Some(end)) => Some(on.min(end)),
        (on, end) => on.or(end),
    }
}

/// Whether a termination on this ground must respect the notice period.
/// For cause (a failed check, underperformance) or by agreement it need not.
pub fn needs_notice(ground: TerminationGround) -> bool {
    ground == TerminationGround::Ordinary
}

/// The earliest last day of an ordinary termination decided on `decided_on`
/// with `notice_months` of notice: the end of a term of that many months
/// from the decision (12 months from 2026-11-24 → 2027-11-23).
pub fn earliest_ordinary_end(decided_on: NaiveDate, notice_months: u32) -> Option<NaiveDate> {
    if notice_months == 0 {
        return Some(decided_on);
    }
    end_of_term(decided_on, notice_months)
}

/// Where a provider's check stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Valid,
    /// Valid, but it lapses within the horizon.
    Expiring,
    Expired,
    Failed,
}

/// The standing of `check` on `on`, warning `horizon_days` ahead.
pub fn standing(check: &compliance_check::Model, on: NaiveDate, horizon_days: u32) -> Standing {
    if check.outcome == CheckOutcome::Failed {
        return Standing::Failed;
    }
    match check.valid_until {
        Some(until) if until < on => Standing::Expired,
        Some(until) if until <= on + Duration::days(horizon_days as i64) => Standing::Expiring,
        _ => Standing::Valid,
    }
}

/// The latest check of each kind (by check date, then by entry): a new
/// check replaces the one before.
pub fn latest_per_kind(checks: &[compliance_check::Model]) -> Vec<&compliance_check::Model> {
    let mut latest: Vec<&compliance_check::Model> = Vec::new();
    for check in checks {
        match latest.iter_mut().find(|l| l.kind == check.kind) {
            Some(l) if (check.checked_on, check.created_at) > (l.checked_on, l.created_at) => {
                *l = check
            }
            Some(_) => {}
            None => latest.push(check),
        }
    }
    latest.sort_by_key(|c| c.kind.as_str());
    latest
}

/// The first latest check of a blocking kind that failed or expired by
/// `on`: a provider with one gets no new allocation or enrolment. A kind
/// never checked blocks nothing; the register records what was checked.
pub fn blocking_check<'a>(
    checks: &'a [compliance_check::Model],
    on: NaiveDate,
    blocking_kinds: &[ComplianceKind],
) -> Option<&'a compliance_check::Model> {
    latest_per_kind(checks).into_iter().find(|c| {
        blocking_kinds.contains(&c.kind)
            && matches!(standing(c, on, 0), Standing::Expired | Standing::Failed)
    })
}

/// Whether a procurement of this form needs no check against the EU
/// threshold. Care under the Wmo and the Jeugdwet is a social and other
/// specific service: above the threshold the SAS regime *is* the European
/// procedure (seed 001 §3.1, seed 003 §3.4). Open house is an admission
/// procedure and no public contract at all: "een toelatingsprocedure en
/// geen aanbesteding" (seed 004 §6).
pub fn is_exempt_from_threshold(form: ProcedureForm) -> bool {
    matches!(form, ProcedureForm::OpenHouse | ProcedureForm::SasEuropean)
}

/// The value the EU threshold is about: the whole procurement's, all lots
/// and contracts together. That is its estimated total, or the sum of the
/// estimated values of its contracts when that is higher (the estimate was
/// then too low). A contract without a value adds nothing.
pub fn procurement_total(
    estimated_total_cents: Option<i64>,
    contract_values_cents: impl IntoIterator<Item = Option<i64>>,
) -> i64 {
    let awarded = contract_values_cents
        .into_iter()
        .flatten()
        .fold(0i64, i64::saturating_add);
    estimated_total_cents.unwrap_or(0).max(awarded)
}

/// Whether a procurement of `form` worth `total_cents` needed the European
/// procedure it is not: a national SAS procedure or a private procurement
/// above the threshold (seed 002, Bijlage 5: "Is de waarde van uw opdracht
/// in het sociaal domein hoger dan € 750.000,- dan bent u verplicht de
/// opdracht Europees aan te besteden").
pub fn misses_eu_procedure(form: ProcedureForm, total_cents: i64, threshold: Decimal) -> bool {
    !is_exempt_from_threshold(form) && euros_to_cents(threshold).is_some_and(|t| total_cents > t)
}

/// Whether a procurement awarding at most `max_awards` contracts has room
/// for one more after `awarded` (seed 003 §3.4: award to at most five).
pub fn has_room_for_award(max_awards: Option<u32>, awarded: u64) -> bool {
    max_awards.is_none_or(|max| awarded < u64::from(max))
}

/// Whether a contract of `contract_form` fits a procurement of `procedure`:
/// an open-house contract comes from an open-house admission, and only
/// from one.
pub fn form_fits(contract_form: ProcurementForm, procedure: ProcedureForm) -> bool {
    (contract_form == ProcurementForm::OpenHouse) == (procedure == ProcedureForm::OpenHouse)
}

/// The last day care may be delivered and declared on an allocation: the
/// contract's last day, or a bridging agreement's later `until`.
pub fn care_allowed_until(
    contract_last_day: Option<NaiveDate>,
    bridges: impl IntoIterator<Item = NaiveDate>,
) -> Option<NaiveDate> {
    bridges.into_iter().fold(contract_last_day, |day, until| {
        Some(day.map_or(until, |d| d.max(until)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enums::ContractStatus;
    use uuid::Uuid;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn contract(terminated_on: Option<&str>, amended_months: i32) -> contract::Model {
        contract::Model {
            region_id: Uuid::nil(),
            id: Uuid::nil(),
            provider_id: Uuid::nil(),
            procurement_form: ProcurementForm::OpenHouse,
            start_date: date("2025-01-01"),
            initial_term_months: 48,
            extension_options_months: serde_json::json!([24, 24]),
            extensions_exercised: 1,
            status: ContractStatus::Active,
            terminated_on: terminated_on.map(date),
            termination_reason: None,
            termination_ground: None,
            notice_months: 12,
            amended_months,
            estimated_value_cents: None,
            procurement_id: None,
            created_at: chrono::DateTime::default(),
        }
    }

    fn check(
        kind: ComplianceKind,
        outcome: CheckOutcome,
        on: &str,
        until: Option<&str>,
    ) -> compliance_check::Model {
        compliance_check::Model {
            region_id: Uuid::nil(),
            id: Uuid::now_v7(),
            provider_id: Uuid::nil(),
            kind,
            outcome,
            checked_on: date(on),
            valid_until: until.map(date),
            note: None,
            created_at: chrono::DateTime::default(),
        }
    }

    #[test]
    fn last_day_with_options_amendments_and_termination() {
        // 48 months + the first 24-month option: 2030-12-31.
        assert_eq!(last_day(&contract(None, 0)), Some(date("2030-12-31")));
        // A one-off extension of 6 months: 2031-06-30.
        assert_eq!(last_day(&contract(None, 6)), Some(date("2031-06-30")));
        // Terminated earlier: the termination date.
        assert_eq!(
            last_day(&contract(Some("2026-06-30"), 0)),
            Some(date("2026-06-30"))
        );
        // A termination date after the term's end does not lengthen it.
        assert_eq!(
            last_day(&contract(Some("2031-03-31"), 0)),
            Some(date("2030-12-31"))
        );
    }

    #[test]
    fn a_year_of_notice() {
        assert_eq!(
            earliest_ordinary_end(date("2026-11-24"), 12),
            Some(date("2027-11-23"))
        );
        assert_eq!(
            earliest_ordinary_end(date("2026-11-24"), 0),
            Some(date("2026-11-24"))
        );
        assert!(needs_notice(TerminationGround::Ordinary));
        for cause in [
            TerminationGround::IntegrityCheck,
            TerminationGround::FinancialCheck,
            TerminationGround::Underperformance,
            TerminationGround::ByAgreement,
        ] {
            assert!(!needs_notice(cause));
        }
    }

    #[test]
    fn standing_of_a_check() {
        let c = check(
            ComplianceKind::Integrity,
            CheckOutcome::Passed,
            "2025-01-10",
            Some("2026-12-31"),
        );
        assert_eq!(standing(&c, date("2026-10-31"), 60), Standing::Valid);
        // 2026-11-01 + 60 days = 2026-12-31: the last day is within the horizon.
        assert_eq!(standing(&c, date("2026-11-01"), 60), Standing::Expiring);
        assert_eq!(standing(&c, date("2026-12-31"), 60), Standing::Expiring);
        assert_eq!(standing(&c, date("2027-01-01"), 60), Standing::Expired);
        let failed = check(
            ComplianceKind::Financial,
            CheckOutcome::Failed,
            "2026-03-01",
            None,
        );
        assert_eq!(standing(&failed, date("2026-03-01"), 60), Standing::Failed);
        let open = check(
            ComplianceKind::Wnt,
            CheckOutcome::Passed,
            "2026-03-01",
            None,
        );
        assert_eq!(standing(&open, date("2040-01-01"), 60), Standing::Valid);
    }

    #[test]
    fn the_latest_check_of_each_kind_decides() {
        let checks = vec![
            check(
                ComplianceKind::Integrity,
                CheckOutcome::Failed,
                "2025-05-01",
                None,
            ),
            check(
                ComplianceKind::Integrity,
                CheckOutcome::Passed,
                "2026-02-01",
                Some("2028-01-31"),
            ),
            check(
                ComplianceKind::Financial,
                CheckOutcome::Passed,
                "2025-01-01",
                Some("2025-12-31"),
            ),
        ];
        let all = [ComplianceKind::Integrity, ComplianceKind::Financial];
        // The failed integrity check was redone and passed; the financial one lapsed.
        let blocking = blocking_check(&checks, date("2026-03-01"), &all).unwrap();
        assert_eq!(blocking.kind, ComplianceKind::Financial);
        // Before it lapsed, nothing blocks.
        assert!(blocking_check(&checks, date("2025-12-31"), &all).is_none());
        // A kind the policy does not name never blocks.
        assert!(
            blocking_check(&checks, date("2026-03-01"), &[ComplianceKind::Integrity]).is_none()
        );
    }

    #[test]
    fn eu_threshold_of_the_whole_procurement() {
        let threshold = Decimal::new(750_000, 0);
        // Three contracts of € 300,000 without an estimate: € 900,000.
        let three = [Some(30_000_000), Some(30_000_000), Some(30_000_000)];
        assert_eq!(procurement_total(None, three), 90_000_000);
        // An estimate of € 2,000,000 above what was awarded counts.
        assert_eq!(procurement_total(Some(200_000_000), three), 200_000_000);
        // An estimate of € 500,000 below € 900,000 awarded: the awards count.
        assert_eq!(procurement_total(Some(50_000_000), three), 90_000_000);
        // A contract without a value adds nothing: € 300,000 + € 450,000.
        assert_eq!(
            procurement_total(None, [Some(30_000_000), None, Some(45_000_000)]),
            75_000_000
        );
        // € 750,000 exactly is not above it; one cent more is.
        for form in [
            ProcedureForm::PrivateSingle,
            ProcedureForm::PrivateMultiple,
            ProcedureForm::SasNational,
        ] {
            assert!(!misses_eu_procedure(form, 75_000_000, threshold));
            assert!(misses_eu_procedure(form, 75_000_001, threshold));
        }
        // Each contract below it, the procurement above it: flagged.
        assert!(misses_eu_procedure(
            ProcedureForm::PrivateMultiple,
            procurement_total(None, three),
            threshold
        ));
        // SAS European and open house never (€ 18 M a year, seed 003 §3.4).
        for form in [ProcedureForm::SasEuropean, ProcedureForm::OpenHouse] {
            assert!(is_exempt_from_threshold(form));
            assert!(!misses_eu_procedure(form, 1_800_000_000, threshold));
        }
    }

    #[test]
    fn awards_and_forms_of_a_procurement() {
        // Award to at most five: the fifth fits, a sixth does not.
        assert!(has_room_for_award(Some(5), 4));
        assert!(!has_room_for_award(Some(5), 5));
        assert!(has_room_for_award(None, 1_000));
        assert!(!has_room_for_award(Some(0), 0));
        assert!(form_fits(
            ProcurementForm::OpenHouse,
            ProcedureForm::OpenHouse
        ));
        assert!(form_fits(
            ProcurementForm::SasTender,
            ProcedureForm::SasEuropean
        ));
        assert!(form_fits(
            ProcurementForm::SasTender,
            ProcedureForm::PrivateSingle
        ));
        assert!(form_fits(
            ProcurementForm::EuTender,
            ProcedureForm::SasEuropean
        ));
        assert!(!form_fits(
            ProcurementForm::OpenHouse,
            ProcedureForm::SasEuropean
        ));
        assert!(!form_fits(
            ProcurementForm::SasTender,
            ProcedureForm::OpenHouse
        ));
    }

    #[test]
    fn a_bridge_lets_care_run_on() {
        let end = Some(date("2026-06-30"));
        assert_eq!(care_allowed_until(end, []), end);
        assert_eq!(
            care_allowed_until(end, [date("2026-12-31"), date("2026-09-30")]),
            Some(date("2026-12-31"))
        );
        // A bridge never shortens the contract.
        assert_eq!(care_allowed_until(end, [date("2026-03-31")]), end);
        assert_eq!(
            care_allowed_until(None, [date("2026-03-31")]),
            Some(date("2026-03-31"))
        );
    }
}
