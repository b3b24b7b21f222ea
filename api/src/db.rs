//! Database connection and migrations.

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    sqlx::sqlite::SqliteJournalMode, ConnectOptions, ConnectionTrait, Database, DatabaseConnection,
    DbBackend, DbErr,
};

/// How long a request waits for a connection by default: long enough for a
/// busy pool, short enough that a database that is down answers 503 fast.
pub const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// How long a SQLite statement waits for the write lock before it fails.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens the pool. SQLite files are created when missing.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    connect_with(url, DEFAULT_ACQUIRE_TIMEOUT).await
}

/// Opens the pool with the given acquire timeout (connecting included). The
/// pool reconnects by itself: a database that comes back serves the next
/// request, with no restart.
pub async fn connect_with(
    url: &str,
    acquire_timeout: Duration,
) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .sqlx_logging(false)
        .acquire_timeout(acquire_timeout)
        // A connection is pinged before use only after it idled a while
        // (the default pings on every checkout: a round trip per query). A
        // hot connection that broke fails its query, and the pool drops it
        // when it comes back.
        .test_before_acquire_if_idle_for(Duration::from_secs(30))
        .max_connections(if url.starts_with("sqlite") { 4 } else { 10 })
        // On every SQLite connection the pool opens (a PRAGMA through the
        // pool reaches only one): WAL lets readers run beside the one
        // writer; a locked database is waited for, not failed on.
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
        });
    Database::connect(options).await
}

/// Applies pending migrations. On PostgreSQL an advisory lock, held on one
/// dedicated connection, keeps two replicas starting together from racing.
pub async fn migrate(url: &str) -> Result<(), DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .sqlx_logging(false)
        .max_connections(1)
        .min_connections(1);
    let db = Database::connect(options).await?;
    let postgres = db.get_database_backend() == DbBackend::Postgres;
    if postgres {
        db.execute_unprepared("SELECT pg_advisory_lock(7208190001)")
            .await?;
    }
    let result = Migrator::up(&db, None).await;
    if postgres {
        db.execute_unprepared("SELECT pg_advisory_unlock(7208190001)")
            .await?;
    }
    db.close().await?;
    result
}
