//! The jobs' payloads: what the API and the schedule put on the queue and
//! the worker runs. Each carries its region and its `job_runs` row; a job's
//! body reloads what it needs from the database.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{indexation, outflow, reports};

/// A job on the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Job {
    /// Compute the proposals of an indexation run.
    IndexationPreview {
        region_id: Uuid,
        run_id: Uuid,
        job_run_id: Uuid,
    },
    /// Apply an approved indexation run.
    IndexationApply {
        region_id: Uuid,
        run_id: Uuid,
        job_run_id: Uuid,
    },
    /// Count clients per provider and flag those under the threshold.
    OutflowCheck {
        region_id: Uuid,
        check_id: Uuid,
        job_run_id: Uuid,
    },
    /// Build a monitoring report.
    MonitoringReport {
        region_id: Uuid,
        report_id: Uuid,
        job_run_id: Uuid,
    },
}

impl Job {
    /// The job a `job_runs` row stands for: its kind names the job and its
    /// unique key is the subject's id. `None` for rows of schedules, which
    /// are no queued jobs.
    pub fn for_run(run: &entities::schema::job_run::Model) -> Option<Self> {
        let subject = Uuid::parse_str(&run.unique_key).ok()?;
        let (region_id, job_run_id) = (run.region_id, run.id);
        Some(match run.kind.as_str() {
            indexation::PREVIEW => Self::IndexationPreview {
                region_id,
                run_id: subject,
                job_run_id,
            },
            indexation::APPLY => Self::IndexationApply {
                region_id,
                run_id: subject,
                job_run_id,
            },
            outflow::KIND => Self::OutflowCheck {
                region_id,
                check_id: subject,
                job_run_id,
            },
            reports::KIND => Self::MonitoringReport {
                region_id,
                report_id: subject,
                job_run_id,
            },
            _ => return None,
        })
    }

    /// The region the job's run belongs to.
    pub fn scope(&self) -> entities::RegionScope {
        match self {
            Self::IndexationPreview { region_id, .. }
            | Self::IndexationApply { region_id, .. }
            | Self::OutflowCheck { region_id, .. }
            | Self::MonitoringReport { region_id, .. } => entities::RegionScope::new(*region_id),
        }
    }

    pub fn job_run_id(&self) -> Uuid {
        match self {
            Self::IndexationPreview { job_run_id, .. }
            | Self::IndexationApply { job_run_id, .. }
            | Self::OutflowCheck { job_run_id, .. }
            | Self::MonitoringReport { job_run_id, .. } => *job_run_id,
        }
    }
}
