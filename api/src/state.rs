use sea_orm::DatabaseConnection;

use crate::{auth::JwtKeys, config::Config};

/// What every handler can reach, shared across workers.
pub struct AppState {
    pub db: DatabaseConnection,
    pub jwt: JwtKeys,
    pub config: Config,
    pub queue: worker::queue::Queue,
    pub regions: crate::region_cache::RegionCache,
}
