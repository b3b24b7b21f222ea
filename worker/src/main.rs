//! The `worker` binary: consumes jobs from the queue (Redis when `QUEUE_URL`
//! is set, the SQL database otherwise) against the shared database. The api
//! applies migrations; the worker waits for a migrated database.

use sea_orm::{ConnectOptions, Database};

/// zorgregie background worker: tariff indexation, outflow checks and
/// monitoring reports from the job queue, and the daily schedule. Configured
/// by the environment (DATABASE_URL, QUEUE_URL, QUEUE_NAME; see the README).
#[derive(clap::Parser)]
#[command(name = "worker", version)]
struct Cli {}

#[tokio::main]
async fn main() {
    // `--help` and `--version` answer before anything connects or creates a file.
    let _ = <Cli as clap::Parser>::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    if let Err(message) = run().await {
        eprintln!("error: {message}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), String> {
    let config = worker::WorkerConfig::from_env();
    let db = connect_when_up(&config.database_url).await;
    let queue =
        worker::queue::Queue::connect(&db, config.queue_url.as_deref(), &config.queue_name).await?;
    tracing::info!(?queue, name = %config.queue_name, "zorgregie worker started");
    let schedule = worker::schedule::ScheduleContext {
        db: db.clone(),
        queue: queue.clone(),
    };
    let ctx = worker::JobContext { db };
    tokio::select! {
        result = queue.run_worker(ctx, "zorgregie-worker") => result,
        result = worker::schedule::run_schedule(schedule) => result,
        _ = tokio::signal::ctrl_c() => Ok(()),
    }
}

/// The database may come up after the worker (compose, a restart of both):
/// wait for it with backoff instead of exiting. Once connected, the pool
/// reconnects by itself; a query waits at most 5 s for a connection.
async fn connect_when_up(url: &str) -> sea_orm::DatabaseConnection {
    let mut wait = std::time::Duration::from_secs(1);
    loop {
        let mut options = ConnectOptions::new(url.to_owned());
        options
            .sqlx_logging(false)
            .acquire_timeout(std::time::Duration::from_secs(5))
            // Ping only connections that idled (as the api does): the
            // default pings on every checkout, a round trip per query.
            .test_before_acquire_if_idle_for(std::time::Duration::from_secs(30));
        match Database::connect(options).await {
            Ok(db) => return db,
            Err(e) => {
                tracing::warn!(error = %e, retry_in = ?wait, "the database is not reachable yet");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(std::time::Duration::from_secs(30));
            }
        }
    }
}
