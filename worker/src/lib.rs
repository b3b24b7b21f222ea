//! Background jobs of zorgregie (DESIGN §5).
//!
//! - [`Job`]: the payloads, serde-tagged, each carrying its region; a
//!   handler reloads what it needs from the database.
//! - [`queue::Queue`]: apalis storage in Redis when `QUEUE_URL` is set, in
//!   the SQL database otherwise (SQLite or PostgreSQL, on sea-orm's pool).
//! - [`runs`]: every run is a `job_runs` row with status and progress.
//! - [`jobs`]: one module per job; each effect is guarded by a unique key
//!   in the database, so a duplicated or retried delivery changes nothing twice.

pub mod contract_watch;
pub mod funding;
pub mod jobs;
pub mod policies;
pub mod queue;
pub mod runs;
pub mod schedule;

use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

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
            jobs::indexation::PREVIEW => Self::IndexationPreview {
                region_id,
                run_id: subject,
                job_run_id,
            },
            jobs::indexation::APPLY => Self::IndexationApply {
                region_id,
                run_id: subject,
                job_run_id,
            },
            jobs::outflow::KIND => Self::OutflowCheck {
                region_id,
                check_id: subject,
                job_run_id,
            },
            jobs::report::KIND => Self::MonitoringReport {
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

/// What every job handler can reach.
#[derive(Clone)]
pub struct JobContext {
    pub db: DatabaseConnection,
}

/// Where the worker finds its database and queue.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    pub database_url: String,
    pub queue_url: Option<String>,
    pub queue_name: String,
}

impl WorkerConfig {
    pub fn from_env() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        Self {
            database_url: var("DATABASE_URL")
                .unwrap_or_else(|| "sqlite://zorgregie.db?mode=rwc".into()),
            queue_url: var("QUEUE_URL"),
            queue_name: var("QUEUE_NAME").unwrap_or_else(|| queue::DEFAULT_QUEUE_NAME.into()),
        }
    }
}

/// Runs one job to its end under its lease, recording the run's status, and
/// tells apalis whether to retry: permanent failures (a missing run, a
/// refused rule) are recorded and not retried; lost connections are retried.
///
/// Delivery is at least once; the lease (see [`runs::take_lease`]) makes a
/// run execute in one place at a time: a second delivery while a live worker
/// holds the lease waits for it to expire and is retried, a duplicate of a
/// finished run is acknowledged and does nothing.
pub async fn execute(ctx: &JobContext, job: Job) -> Result<(), runs::JobError> {
    execute_as(ctx, job, "worker").await
}

/// [`execute`] with the worker's name recorded in the lease.
pub async fn execute_as(ctx: &JobContext, job: Job, worker: &str) -> Result<(), runs::JobError> {
    let (scope, run_id) = (job.scope(), job.job_run_id());
    let lease = match runs::take_lease(&ctx.db, &scope, run_id, worker, runs::LEASE_TTL).await? {
        runs::Leasing::Taken(lease) => lease,
        runs::Leasing::Finished => return Ok(()),
        runs::Leasing::Held(until) => {
            // Back off until the holder's lease would expire (at most one
            // TTL), then let apalis deliver again: a live holder renews and
            // keeps it, a dead one's lease is free by then.
            let wait = (until - chrono::Utc::now())
                .to_std()
                .unwrap_or_default()
                .min(runs::LEASE_TTL);
            tokio::time::sleep(wait + std::time::Duration::from_millis(100)).await;
            return Err(runs::JobError::Retry(format!(
                "job run {run_id} is leased by another worker"
            )));
        }
        runs::Leasing::Missing => {
            // The API pushes before it commits: the row may appear in a
            // moment (apalis retries with a backoff, `queue::handle`).
            return Err(runs::JobError::Retry(format!(
                "job run {run_id} does not exist (yet)"
            )));
        }
    };
    let result = tokio::select! {
        result = run_job(ctx, &job) => result,
        () = runs::keep_lease(&ctx.db, lease.clone(), runs::LEASE_RENEW_EVERY, runs::LEASE_TTL) => {
            Err(runs::JobError::Retry(format!("job run {run_id} lost its lease")))
        }
    };
    match result {
        Ok(summary) => runs::succeed(&ctx.db, &scope, run_id, summary).await,
        Err(runs::JobError::Permanent(message)) => {
            tracing::warn!(%run_id, %message, "job failed permanently");
            runs::fail(&ctx.db, &scope, run_id, &message).await?;
            jobs::indexation::mark_failed(&ctx.db, &job, &message).await?;
            jobs::outflow::mark_failed(&ctx.db, &job, &message).await?;
            jobs::report::mark_failed(&ctx.db, &job, &message).await?;
            Ok(())
        }
        Err(transient) => {
            tracing::warn!(%run_id, error = %transient, "job failed; it will be retried");
            if let Err(e) = runs::release_lease(&ctx.db, &lease).await {
                tracing::warn!(%run_id, error = %e, "releasing the lease failed; it expires by itself");
            }
            // apalis retries it after a backoff (`queue::handle`).
            Err(transient)
        }
    }
}

async fn run_job(ctx: &JobContext, job: &Job) -> Result<serde_json::Value, runs::JobError> {
    match job {
        Job::IndexationPreview {
            region_id,
            run_id,
            job_run_id,
        } => jobs::indexation::prepare_preview(&ctx.db, *region_id, *run_id, *job_run_id).await,
        Job::IndexationApply {
            region_id,
            run_id,
            job_run_id,
        } => jobs::indexation::apply(&ctx.db, *region_id, *run_id, *job_run_id).await,
        Job::OutflowCheck {
            region_id,
            check_id,
            ..
        } => jobs::outflow::run(&ctx.db, *region_id, *check_id).await,
        Job::MonitoringReport {
            region_id,
            report_id,
            ..
        } => jobs::report::run(&ctx.db, *region_id, *report_id).await,
    }
}
