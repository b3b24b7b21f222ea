//! Background jobs of zorgregie (DESIGN §5): the queue, the schedule and
//! the dispatch. What a job does is a `domain` call.
//!
//! - [`domain::jobs::Job`]: the payloads, serde-tagged, each carrying its
//!   region; a body reloads what it needs from the database.
//! - [`queue::Queue`]: apalis storage in Redis when `QUEUE_URL` is set, in
//!   the SQL database otherwise (SQLite or PostgreSQL, on sea-orm's pool).
//! - [`domain::runs`]: every run is a `job_runs` row with status and
//!   progress, under a lease.
//! - The bodies (`domain::indexation`, `domain::outflow`,
//!   `domain::reports`, `domain::funding`, `domain::contract_watch`): each
//!   effect is guarded by a unique key in the database, so a duplicated or
//!   retried delivery changes nothing twice.

pub mod queue;
pub mod schedule;

use domain::{indexation, jobs::Job, outflow, reports, runs};
use sea_orm::DatabaseConnection;

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
            indexation::mark_failed(&ctx.db, &job, &message).await?;
            outflow::mark_failed(&ctx.db, &job, &message).await?;
            reports::mark_failed(&ctx.db, &job, &message).await?;
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
        } => indexation::prepare_preview(&ctx.db, *region_id, *run_id, *job_run_id).await,
        Job::IndexationApply {
            region_id,
            run_id,
            job_run_id,
        } => indexation::apply(&ctx.db, *region_id, *run_id, *job_run_id).await,
        Job::OutflowCheck {
            region_id,
            check_id,
            ..
        } => outflow::run(&ctx.db, *region_id, *check_id).await,
        Job::MonitoringReport {
            region_id,
            report_id,
            ..
        } => reports::run(&ctx.db, *region_id, *report_id).await,
    }
}
