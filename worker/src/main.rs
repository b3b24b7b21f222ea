//! The `worker` binary: runs the background jobs against the shared database.

use sea_orm::Database;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let config = worker::WorkerConfig::from_env();
    let db = match Database::connect(&config.database_url).await {
        Ok(db) => db,
        Err(e) => {
            eprintln!("error: connecting to the database: {e}");
            std::process::exit(1);
        }
    };
    tracing::info!(
        queue = config.queue_url.as_deref().unwrap_or("sql"),
        "zorgregie worker started; no job kinds yet"
    );
    let _ = tokio::signal::ctrl_c().await;
    let _ = db.close().await;
}
