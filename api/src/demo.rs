//! `api --demo`: the five regions of DOMAIN.md as their seed documents
//! describe them ([`regions`]: lots, products with their iWmo category,
//! procurement forms, terms and start dates, the regional rules), stored
//! as the office keeps them ([`catalogue`]). A region that already exists
//! is left alone.

mod catalogue;
mod regions;

use entities::schema::region;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

/// Loads every demo region that does not exist yet; returns how many it
/// added.
pub async fn load(db: &DatabaseConnection) -> Result<usize, String> {
    let mut added = 0;
    for (index, demo) in regions::REGIONS.iter().enumerate() {
        #[allow(clippy::disallowed_methods)] // checks for the tenant itself
        let exists = region::Entity::find()
            .filter(region::Column::Code.eq(demo.code))
            .one(db)
            .await;
        if exists.map_err(|e| e.to_string())?.is_some() {
            continue;
        }
        let failed = |e: String| format!("demo region {}: {e}", demo.code);
        let txn = entities::transaction::begin_write(db)
            .await
            .map_err(|e| e.to_string())?;
        catalogue::insert(&txn, index, demo)
            .await
            .map_err(|e| failed(e.to_string()))?;
        txn.commit().await.map_err(|e| e.to_string())?;
        tracing::info!(region = demo.code, "demo region loaded");
        added += 1;
    }
    Ok(added)
}
