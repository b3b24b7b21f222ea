//! The job queue: apalis storage in Redis when `QUEUE_URL` is set, and in the
//! SQL database otherwise (SQLite or PostgreSQL, built on sea-orm's own pool,
//! so there is one pool and one database).

use apalis::prelude::*;
use apalis_postgres::PostgresStorage;
use apalis_redis::RedisStorage;
use apalis_sqlite::SqliteStorage;
use std::time::Duration;

use sea_orm::{DatabaseConnection, DatabaseTransaction, DbBackend, DbErr};

use domain::jobs::Job;

use crate::{execute_as, JobContext};

pub const DEFAULT_QUEUE_NAME: &str = "zorgregie-jobs";

/// An idle apalis worker looks for new jobs when its heartbeat fires, so the
/// heartbeat sets how soon a queued job starts.
const HEARTBEAT: Duration = Duration::from_secs(1);
/// A silent (killed) worker's jobs go back on the queue after 30 s. That
/// may be shorter than a job runs (DESIGN §10): a job still running on a live
/// worker holds its lease in `job_runs` (`runs::take_lease`), so a second
/// delivery backs off instead of running it twice.
pub const MISSED_HEARTBEATS: usize = 30;
/// A push waits this long at most: an enqueueing request answers 503 rather
/// than hang while the queue is away.
const PUSH_TIMEOUT: Duration = Duration::from_secs(5);
/// The worker restarts after a lost queue connection, waiting 1 s, 2 s, 4 s…
/// up to this between attempts.
const MAX_RESTART_BACKOFF: Duration = Duration::from_secs(8);

impl From<EnqueueError> for domain::runs::JobError {
    fn from(e: EnqueueError) -> Self {
        match e {
            EnqueueError::Queue(message) => Self::Retry(message),
            EnqueueError::Database(e) => Self::Database(e),
        }
    }
}

/// Why a job could not be enqueued.
#[derive(Debug, thiserror::Error)]
pub enum EnqueueError {
    /// The queue did not take the job; nothing was committed.
    #[error("the job queue is unavailable: {0}")]
    Queue(String),
    #[error(transparent)]
    Database(#[from] DbErr),
}

#[derive(Clone)]
pub enum Queue {
    Sqlite(SqliteStorage<Job>),
    Postgres(PostgresStorage<Job>),
    Redis(RedisStorage<Job>),
}

impl std::fmt::Debug for Queue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Sqlite(_) => "Queue::Sqlite",
            Self::Postgres(_) => "Queue::Postgres",
            Self::Redis(_) => "Queue::Redis",
        })
    }
}

impl Queue {
    /// Sets up the queue's storage (its tables, for a SQL queue) and returns it.
    pub async fn connect(
        db: &DatabaseConnection,
        queue_url: Option<&str>,
        name: &str,
    ) -> Result<Self, String> {
        if let Some(url) = queue_url {
            let conn = redis_connection(url)?;
            let config = apalis_redis::Config::default()
                .queue(name)
                .heartbeat_interval(HEARTBEAT)
                .missed_heartbeats(MISSED_HEARTBEATS);
            return Ok(Self::Redis(RedisStorage::new(conn).with_config(config)));
        }
        match db.get_database_backend() {
            DbBackend::Postgres => {
                let pool = db.get_postgres_connection_pool();
                PostgresStorage::setup(pool)
                    .await
                    .map_err(|e| format!("setting up the job queue: {e}"))?;
                let config = apalis_postgres::Config::default()
                    .queue(name)
                    .heartbeat_interval(HEARTBEAT)
                    .missed_heartbeats(MISSED_HEARTBEATS);
                Ok(Self::Postgres(
                    PostgresStorage::new(pool).with_config(config),
                ))
            }
            _ => {
                let pool = db.get_sqlite_connection_pool();
                SqliteStorage::setup(pool)
                    .await
                    .map_err(|e| format!("setting up the job queue: {e}"))?;
                let config = apalis_sqlite::Config::default()
                    .queue(name)
                    .heartbeat_interval(HEARTBEAT)
                    .missed_heartbeats(MISSED_HEARTBEATS);
                Ok(Self::Sqlite(SqliteStorage::new(pool).with_config(config)))
            }
        }
    }

    pub async fn push(&self, job: Job) -> Result<(), String> {
        let push = async {
            match self.clone() {
                Self::Sqlite(mut s) => s.push(job).await.map_err(|e| e.to_string()),
                Self::Postgres(mut s) => s.push(job).await.map_err(|e| e.to_string()),
                Self::Redis(mut s) => s.push(job).await.map_err(|e| e.to_string()),
            }
        };
        match tokio::time::timeout(PUSH_TIMEOUT, push).await {
            Ok(result) => result.map_err(|e| format!("enqueueing a job: {e}")),
            Err(_) => Err(format!("enqueueing a job: no answer in {PUSH_TIMEOUT:?}")),
        }
    }

    /// Enqueues `job` and commits `txn`, which wrote the rows the job names,
    /// so that a failed push leaves nothing behind: the push comes first,
    /// inside the open transaction, and a failed push drops (rolls back) it.
    /// If the commit fails after a successful push, the job finds no
    /// `job_runs` row and is dropped after its retries; a worker faster than
    /// the commit finds no row yet and is retried (`execute`).
    ///
    /// On SQLite the queue lives in the same file and the transaction holds
    /// its only write lock, so the push must follow the commit; a failed push
    /// then marks the run and its subject failed (the SQLite file failing
    /// between two statements; the embedded mode accepts that).
    pub async fn push_and_commit(
        &self,
        db: &DatabaseConnection,
        txn: DatabaseTransaction,
        job: Job,
    ) -> Result<(), EnqueueError> {
        if !matches!(self, Self::Sqlite(_)) {
            self.push(job).await.map_err(EnqueueError::Queue)?;
            return Ok(txn.commit().await?);
        }
        txn.commit().await?;
        let Err(message) = self.push(job.clone()).await else {
            return Ok(());
        };
        let compensate = async {
            let scope = job.scope();
            domain::runs::fail(db, &scope, job.job_run_id(), "the job could not be queued").await?;
            domain::indexation::mark_failed(db, &job, &message).await?;
            domain::outflow::mark_failed(db, &job, &message).await?;
            domain::reports::mark_failed(db, &job, &message).await
        };
        if let Err(e) = compensate.await {
            tracing::error!(error = %e, "marking an unqueued job failed did not succeed");
        }
        Err(EnqueueError::Queue(message))
    }

    /// Whether the queue answers. A SQL queue is the database itself, which
    /// readiness checks on its own.
    pub async fn ping(&self) -> Result<(), String> {
        let Self::Redis(storage) = self else {
            return Ok(());
        };
        let mut conn = storage.clone().get_connection().clone();
        let command = redis::cmd("PING");
        let ping = command.query_async::<String>(&mut conn);
        match tokio::time::timeout(PUSH_TIMEOUT, ping).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err(format!("no answer in {PUSH_TIMEOUT:?}")),
        }
    }

    /// Consumes jobs until the process stops. A worker whose queue goes away
    /// (apalis stops it on a failed heartbeat) is started again with a
    /// backoff, under a new name; the jobs the old one held go back on the
    /// queue after `MISSED_HEARTBEATS` and their leases tell whether they
    /// still run.
    pub async fn run_worker(self, ctx: JobContext, name: &str) -> Result<(), String> {
        let mut backoff = Duration::from_secs(1);
        loop {
            let started = std::time::Instant::now();
            match self.clone().run_worker_once(ctx.clone(), name).await {
                Ok(()) => return Ok(()),
                Err(e) => tracing::warn!(error = %e, ?backoff, "the worker stopped; restarting it"),
            }
            if started.elapsed() > Duration::from_secs(60) {
                backoff = Duration::from_secs(1); // it ran a while: a fresh outage
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(MAX_RESTART_BACKOFF);
        }
    }

    async fn run_worker_once(self, ctx: JobContext, name: &str) -> Result<(), String> {
        // apalis registers workers by name: every process (and every
        // restart) needs its own.
        let name = format!("{name}-{}", uuid::Uuid::now_v7().simple());
        let name = name.as_str();
        let ctx = WorkerData {
            ctx,
            name: name.to_owned(),
        };
        let result = match self {
            Self::Sqlite(s) => {
                WorkerBuilder::new(name)
                    .backend(s)
                    .data(ctx)
                    .retry(retries())
                    .build(handle)
                    .run()
                    .await
            }
            Self::Postgres(s) => {
                WorkerBuilder::new(name)
                    .backend(s)
                    .data(ctx)
                    .retry(retries())
                    .build(handle)
                    .run()
                    .await
            }
            Self::Redis(s) => {
                WorkerBuilder::new(name)
                    .backend(s)
                    .data(ctx)
                    .retry(retries())
                    .build(handle)
                    .run()
                    .await
            }
        };
        result.map_err(|e| e.to_string())
    }
}

/// A Redis connection that reconnects by itself (with a backoff) and is
/// made lazily, so the api and the worker start, and keep running, while
/// Redis is away. Short timeouts: a call to an absent Redis fails in about
/// a second instead of hanging.
fn redis_connection(url: &str) -> Result<redis::aio::ConnectionManager, String> {
    let client =
        redis::Client::open(url).map_err(|e| format!("the queue URL {url} is invalid: {e}"))?;
    let config = redis::aio::ConnectionManagerConfig::new()
        .set_connection_timeout(Some(Duration::from_secs(1)))
        .set_response_timeout(Some(Duration::from_secs(3)))
        .set_number_of_retries(2)
        .set_max_delay(Duration::from_millis(500));
    redis::aio::ConnectionManager::new_lazy_with_config(client, config)
        .map_err(|e| format!("connecting to the queue {url}: {e}"))
}

/// What a job handler gets: the context and the worker's name (for leases).
#[derive(Clone)]
struct WorkerData {
    ctx: JobContext,
    name: String,
}

/// A transient failure (a lost connection, a busy database, a run whose
/// row is not committed yet, a lease held elsewhere) is retried up to ten
/// times, `handle` waiting 0.25, 0.5, 1 … 30 s before each: about two and a
/// half minutes in all, so a short database outage or a slow commit loses no
/// delivery. Permanent failures are recorded and never retried.
fn retries() -> RetryPolicy {
    RetryPolicy::retries(10)
}

async fn handle(job: Job, data: Data<WorkerData>, attempt: Attempt) -> Result<(), BoxDynError> {
    let result = execute_as(&data.ctx, job, &data.name).await;
    if result.is_err() {
        let exponent = u32::try_from(attempt.current().saturating_sub(1).min(7)).unwrap_or(7);
        let backoff = Duration::from_millis(250 * 2u64.pow(exponent)).min(Duration::from_secs(30));
        tokio::time::sleep(backoff).await;
    }
    result.map_err(|e| Box::new(e) as BoxDynError)
}
