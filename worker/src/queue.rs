//! The job queue: apalis storage in Redis when `QUEUE_URL` is set, and in the
//! SQL database otherwise (SQLite or PostgreSQL, built on sea-orm's own pool,
//! so there is one pool and one database).

use apalis::prelude::*;
use apalis_postgres::PostgresStorage;
use apalis_redis::RedisStorage;
use apalis_sqlite::SqliteStorage;
use std::time::Duration;

use sea_orm::{DatabaseConnection, DbBackend};

use crate::{execute, Job, JobContext};

pub const DEFAULT_QUEUE_NAME: &str = "zorgregie-jobs";

/// An idle apalis worker looks for new jobs when its heartbeat fires, so the
/// heartbeat sets how soon a queued job starts.
const HEARTBEAT: Duration = Duration::from_secs(1);
/// A job is taken back from a silent worker only after 10 minutes, far longer
/// than any job runs (DESIGN §10: never shorter than the job).
const MISSED_HEARTBEATS: usize = 600;

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
            let conn = apalis_redis::connect(url)
                .await
                .map_err(|e| format!("connecting to the queue {url}: {e}"))?;
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
        let result = match self.clone() {
            Self::Sqlite(mut s) => s.push(job).await.map_err(|e| e.to_string()),
            Self::Postgres(mut s) => s.push(job).await.map_err(|e| e.to_string()),
            Self::Redis(mut s) => s.push(job).await.map_err(|e| e.to_string()),
        };
        result.map_err(|e| format!("enqueueing a job: {e}"))
    }

    /// Consumes jobs until the process stops.
    pub async fn run_worker(self, ctx: JobContext, name: &str) -> Result<(), String> {
        // apalis registers workers by name: every process needs its own.
        let name = format!("{name}-{}", uuid::Uuid::now_v7().simple());
        let name = name.as_str();
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

/// A transient failure (a lost connection, a busy database) is retried up to
/// five times; `execute` waits before it reports one, so the retries spread
/// out. Permanent failures are recorded and never retried.
fn retries() -> RetryPolicy {
    RetryPolicy::retries(5)
}

async fn handle(job: Job, ctx: Data<JobContext>) -> Result<(), BoxDynError> {
    execute(&ctx, job)
        .await
        .map_err(|e| Box::new(e) as BoxDynError)
}
