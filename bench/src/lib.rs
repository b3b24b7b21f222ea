//! The zorgregie benchmark: builds (or reuses) a generated data set, copies
//! it to a scratch database, and measures each figure beside a reference
//! measured the same way on the same machine and database:
//!
//! 1. declaration ingestion over HTTP vs a raw bulk load of the same rows;
//! 2. indexation (preview + apply) of all tariffs vs one `INSERT … SELECT`;
//! 3. monitoring reports (largest region, all regions) vs DuckDB;
//! 4. the outflow check over all regions;
//! 5. API reads under `wrk` vs `pgbench` running the same SELECT;
//! 6. peak RSS of the api and worker processes.
//!
//! `run` returns the figures; the binary writes them to BENCHMARKS.md.

pub mod bulk;
mod figures;
pub mod generate;
pub mod markdown;
pub mod scale;
pub mod tools;

use std::{path::PathBuf, time::Duration};

use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, EntityTrait};

pub use figures::Figure;
pub use scale::Scale;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Options {
    pub scale: Scale,
    pub backend: Backend,
    /// Where the SQLite files live.
    pub data_dir: PathBuf,
    /// A PostgreSQL server URL without a database name, e.g.
    /// `postgres://postgres:postgres@127.0.0.1:5432`.
    pub postgres_url: String,
    pub seed: u64,
    /// Build the data again even when it exists.
    pub regenerate: bool,
    /// How long each `wrk`/`pgbench` run lasts.
    pub load_duration: Duration,
    /// Connections for `wrk` and `pgbench`.
    pub connections: u32,
    /// Only these parts (ingestion, reads, reports, outflow, indexation,
    /// worker); all when empty.
    pub only: Vec<String>,
}

/// Where the generated data and the scratch copy live.
struct Databases {
    data_url: String,
    run_url: String,
}

impl Options {
    fn databases(&self) -> Databases {
        let name = format!("zorgregie_bench_{}", self.scale.name());
        match self.backend {
            Backend::Sqlite => Databases {
                data_url: format!("sqlite://{}/{name}.db?mode=rwc", self.data_dir.display()),
                run_url: format!(
                    "sqlite://{}/{name}_run.db?mode=rwc",
                    self.data_dir.display()
                ),
            },
            Backend::Postgres => {
                let base = self.postgres_url.trim_end_matches('/');
                Databases {
                    data_url: format!("{base}/{name}"),
                    run_url: format!("{base}/{name}_run"),
                }
            }
        }
    }

    fn sqlite_file(url: &str) -> PathBuf {
        PathBuf::from(
            url.trim_start_matches("sqlite://")
                .split('?')
                .next()
                .unwrap_or_default(),
        )
    }
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Builds or reuses the data, copies it, and measures everything.
pub async fn run(options: &Options) -> Result<Vec<Figure>, String> {
    let dbs = options.databases();
    ensure_data(options, &dbs.data_url).await?;
    fresh_copy(options, &dbs).await?;
    // Reused data may predate a migration: the copy gets it, as an upgrade
    // would, and the vacuum an upgrade's operator (or autovacuum, at a time
    // nobody chooses) runs after a migration that rewrote rows (17 updates
    // every allocation), so no figure depends on when autovacuum came by.
    api::db::migrate(&dbs.run_url).await.map_err(err)?;
    if options.backend == Backend::Postgres {
        let db = api::db::connect(&dbs.run_url).await.map_err(err)?;
        db.execute_unprepared("VACUUM ANALYZE").await.map_err(err)?;
        db.close().await.map_err(err)?;
    }
    figures::measure(options, &dbs.run_url).await
}

/// Whether the data database holds a generated data set.
async fn has_data(url: &str) -> bool {
    let Ok(db) = Database::connect(url).await else {
        return false;
    };
    #[allow(clippy::disallowed_methods)] // counts the tenants themselves
    let count = entities::schema::region::Entity::find().all(&db).await;
    let _ = db.close().await;
    count.is_ok_and(|r| !r.is_empty())
}

async fn ensure_data(options: &Options, url: &str) -> Result<(), String> {
    if !options.regenerate && has_data(url).await {
        eprintln!("reusing the {} data set in {url}", options.scale.name());
        return Ok(());
    }
    recreate(options, url).await?;
    api::db::migrate(url).await.map_err(err)?;
    let db = api::db::connect(url).await.map_err(err)?;
    let started = std::time::Instant::now();
    let generated = generate::generate(&db, options.scale, options.seed)
        .await
        .map_err(err)?;
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_unprepared("VACUUM ANALYZE").await.map_err(err)?;
    }
    eprintln!(
        "generated {:?} in {:.1} s",
        generated,
        started.elapsed().as_secs_f64()
    );
    db.close().await.map_err(err)
}

/// An empty database at `url` (a new SQLite file, or a dropped and created PostgreSQL database).
async fn recreate(options: &Options, url: &str) -> Result<(), String> {
    match options.backend {
        Backend::Sqlite => {
            std::fs::create_dir_all(&options.data_dir).map_err(err)?;
            let file = Options::sqlite_file(url);
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
            }
            Ok(())
        }
        Backend::Postgres => {
            let name = url.rsplit('/').next().unwrap_or_default();
            replace_database(options, name, None).await
        }
    }
}

/// Drops the PostgreSQL database `name` and creates it again, empty or as a
/// copy of `template`.
async fn replace_database(
    options: &Options,
    name: &str,
    template: Option<&str>,
) -> Result<(), String> {
    let admin = Database::connect(format!(
        "{}/postgres",
        options.postgres_url.trim_end_matches('/')
    ))
    .await
    .map_err(err)?;
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .map_err(err)?;
    let template = template
        .map(|t| format!(" TEMPLATE {t}"))
        .unwrap_or_default();
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}{template}"))
        .await
        .map_err(err)?;
    admin.close().await.map_err(err)
}

/// The scratch copy every run mutates, so the data set stays reusable.
async fn fresh_copy(options: &Options, dbs: &Databases) -> Result<(), String> {
    match options.backend {
        Backend::Sqlite => {
            let data = Options::sqlite_file(&dbs.data_url);
            let copy = Options::sqlite_file(&dbs.run_url);
            recreate(options, &dbs.run_url).await?;
            let db: DatabaseConnection = Database::connect(&dbs.data_url).await.map_err(err)?;
            db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
                .await
                .map_err(err)?;
            db.close().await.map_err(err)?;
            std::fs::copy(&data, &copy).map_err(err)?;
            Ok(())
        }
        Backend::Postgres => {
            let data = dbs.data_url.rsplit('/').next().unwrap_or_default();
            let copy = dbs.run_url.rsplit('/').next().unwrap_or_default();
            replace_database(options, copy, Some(data)).await
        }
    }
}
