//! Background jobs of zorgregie (DESIGN §5): queue set-up (Redis when
//! `QUEUE_URL` is set, the SQL database otherwise), job types and handlers,
//! and the cron schedule.
//!
//! The job kinds (tariff indexation, outflow checks, monitoring reports)
//! arrive with their issues; until then the process only proves it can
//! reach its database.

/// Where the worker finds its database and queue.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    pub database_url: String,
    pub queue_url: Option<String>,
}

impl WorkerConfig {
    pub fn from_env() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        Self {
            database_url: var("DATABASE_URL")
                .unwrap_or_else(|| "sqlite://zorgregie.db?mode=rwc".into()),
            queue_url: var("QUEUE_URL"),
        }
    }
}
