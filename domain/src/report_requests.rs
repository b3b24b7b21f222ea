//! Asking for a monitoring report: the JSON API (`POST …/reports`) and the
//! dashboard's form share it. The period must be whole months (reports read
//! monthly rollups); a municipality (its access team or `municipality`
//! user) always gets its own report, the office may ask for any
//! municipality's or the region's.

use crate::catalogue;
use crate::parties::Party;
use crate::reports as report_job;
use chrono::{Datelike, NaiveDate};
use entities::{schema::monitoring_report as report, RegionScope};
use sea_orm::ConnectionTrait;

use crate::audit::Audit;
use crate::{check::Check, error::DomainResult};

/// A report asked for: the period as given (`YYYY-MM-DD`) and, optionally,
/// one municipality's CBS code.
pub struct ReportRequest<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub municipality_cbs: Option<&'a str>,
}

/// Checks the request, opens the report with its queued job and audits it,
/// in the caller's transaction; the caller pushes the job and commits.
pub async fn request<C: ConnectionTrait>(
    txn: &C,
    scope: &RegionScope,
    party: &Party,
    audit: &Audit,
    asked: ReportRequest<'_>,
) -> DomainResult<(report::Model, crate::jobs::Job)> {
    let mut check = Check::new();
    let from = check.date("from", asked.from);
    let to = check.date("to", asked.to);
    if let (Some(from), Some(to)) = (from, to) {
        check_period(&mut check, from, to);
    }
    let own = own_municipality(party);
    if let (Some((_, cbs)), Some(asked)) = (&own, asked.municipality_cbs) {
        check.require_rule(
            asked == cbs,
            "municipalityCbs",
            "a municipality reads its own monitor",
        );
    }
    let municipality = match (&own, asked.municipality_cbs) {
        (Some((id, _)), _) => Some(*id),
        (None, Some(cbs)) => {
            let found = catalogue::municipality(txn, scope, cbs).await?;
            check.require_rule(
                found.is_some(),
                "municipalityCbs",
                "no such municipality in this region",
            );
            found.map(|m| m.id)
        }
        (None, None) => None,
    };
    let (from, to) = check.done(from.zip(to))?;
    let (saved, job) =
        report_job::open_report(txn, scope, (from, to), municipality, &audit.actor).await?;
    audit
        .record(
            txn,
            "create",
            "report",
            saved.id,
            serde_json::json!({ "from": from, "to": to, "municipalityCbs": asked.municipality_cbs }),
        )
        .await?;
    Ok((saved, job))
}

/// Reports read monthly rollups, so they cover whole months, at most ten years.
fn check_period(check: &mut Check, from: NaiveDate, to: NaiveDate) {
    check.require_rule(to >= from, "to", "must not be before from");
    check.require_rule(from.day() == 1, "from", "must be the first day of a month");
    check.require_rule(
        to.succ_opt().is_some_and(|next| next.day() == 1),
        "to",
        "must be the last day of a month",
    );
    check.require_rule(
        (to - from).num_days() <= 3660,
        "to",
        "a report covers at most ten years",
    );
}

/// A municipality's access team or user reads its own municipality's
/// reports only; the office reads them all.
pub fn own_municipality(party: &Party) -> Option<(uuid::Uuid, String)> {
    match party {
        Party::Municipality { id, cbs } => Some((*id, cbs.clone())),
        _ => None,
    }
}
