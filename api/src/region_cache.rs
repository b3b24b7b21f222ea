//! Regions by code for the auth extractor, which needs one on every request.
//! A region's code never changes and its name rarely does, so each process
//! keeps a region for up to 30 seconds instead of reading it per request; a
//! rename through this process clears the cache at once (other replicas
//! follow within the 30 s). Unknown codes are not cached.

use std::{
    collections::HashMap,
    sync::RwLock,
    time::{Duration, Instant},
};

use entities::schema::region;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

const TTL: Duration = Duration::from_secs(30);

#[derive(Default)]
pub struct RegionCache {
    entries: RwLock<HashMap<String, (region::Model, Instant)>>,
}

impl RegionCache {
    pub async fn get<C: ConnectionTrait>(
        &self,
        db: &C,
        code: &str,
    ) -> Result<Option<region::Model>, DbErr> {
        if let Some((found, at)) = self.entries.read().ok().and_then(|e| e.get(code).cloned()) {
            if at.elapsed() < TTL {
                return Ok(Some(found));
            }
        }
        #[allow(clippy::disallowed_methods)] // regions are the tenants themselves
        let found = region::Entity::find()
            .filter(region::Column::Code.eq(code))
            .one(db)
            .await?;
        if let (Some(found), Ok(mut entries)) = (&found, self.entries.write()) {
            entries.insert(code.to_owned(), (found.clone(), Instant::now()));
        }
        Ok(found)
    }

    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.write() {
            entries.clear();
        }
    }
}
