//! Asking for a monitoring report: the JSON API (`POST …/reports`) and the
//! dashboard's form share it. The period must be whole months (reports read
//! monthly rollups); a municipality (its access team or `municipality`
//! user) always gets its own report, the office may ask for any
//! municipality's or the region's. A report is cut off at a moment
//! (`asOf`, by default the moment it is asked for): only what was recorded
//! by then counts, so the same report made again later gives the same
//! figures.

use crate::catalogue;
use crate::parties::Party;
use crate::reports as report_job;
use chrono::{DateTime, Datelike, NaiveDate, SubsecRound, Utc};
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
/// in the caller's transaction; the caller pushes the job and commits. The
/// report is cut off at the moment it is asked for.
pub async fn request<C: ConnectionTrait>(
    txn: &C,
    scope: &RegionScope,
    party: &Party,
    audit: &Audit,
    asked: ReportRequest<'_>,
) -> DomainResult<(report::Model, crate::jobs::Job)> {
    request_as_of(txn, scope, party, audit, asked, None).await
}

/// The cut-off asked for: an RFC 3339 moment with its offset (a day alone
/// would need a time zone to say when it ends), not in the future; none
/// asked is `now`.
pub fn cut_off_moment(
    check: &mut Check,
    text: Option<&str>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let Some(text) = text else {
        return Some(now);
    };
    match DateTime::parse_from_rfc3339(text) {
        Ok(moment) => {
            let moment = moment.with_timezone(&Utc).trunc_subsecs(6);
            check.require_rule(moment <= now, "asOf", "must not be in the future");
            Some(moment)
        }
        Err(_) => {
            check.fail(
                "asOf",
                "must be an RFC 3339 moment with its offset, e.g. 2026-03-31T23:59:59+02:00",
            );
            None
        }
    }
}

/// [`request`] with the cut-off `as_of` (an RFC 3339 moment; `None`: now).
pub async fn request_as_of<C: ConnectionTrait>(
    txn: &C,
    scope: &RegionScope,
    party: &Party,
    audit: &Audit,
    asked: ReportRequest<'_>,
    as_of: Option<&str>,
) -> DomainResult<(report::Model, crate::jobs::Job)> {
    let mut check = Check::new();
    let as_of = cut_off_moment(&mut check, as_of, entities::clock::now());
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
    let ((from, to), as_of) = check.done(from.zip(to).zip(as_of))?;
    let (saved, job) =
        report_job::open_report_at(txn, scope, (from, to), municipality, &audit.actor, as_of)
            .await?;
    audit
        .record(
            txn,
            "create",
            "report",
            saved.id,
            serde_json::json!({ "from": from, "to": to, "municipalityCbs": asked.municipality_cbs, "asOf": as_of }),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_off_is_a_moment_not_in_the_future() {
        let now: DateTime<Utc> = "2026-04-01T10:00:00Z".parse().unwrap();
        let mut check = Check::new();
        assert_eq!(cut_off_moment(&mut check, None, now), Some(now));
        // 23:59:59 in Amsterdam's summer time is 21:59:59 UTC.
        assert_eq!(
            cut_off_moment(&mut check, Some("2026-03-31T23:59:59+02:00"), now),
            Some("2026-03-31T21:59:59Z".parse().unwrap())
        );
        assert!(check.finish().is_ok());
        let mut check = Check::new();
        cut_off_moment(&mut check, Some("2026-04-01T10:00:01Z"), now);
        assert!(matches!(
            check.finish(),
            Err(crate::error::DomainError::Unprocessable(_))
        ));
        let mut check = Check::new();
        assert_eq!(cut_off_moment(&mut check, Some("2026-03-31"), now), None);
        assert!(matches!(
            check.finish(),
            Err(crate::error::DomainError::Invalid(_))
        ));
    }
}
