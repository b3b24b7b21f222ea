//! Regions (inkoopregio's): the tenants, which the platform creates and
//! renames. Their audit events live in the region itself.

use chrono::{DateTime, Utc};
use entities::schema::region;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde::Serialize;

use crate::{audit::Audit, error::DomainResult};

/// A region as the platform knows it; the API's `RegionOut` shows it field
/// for field.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    pub code: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

impl From<region::Model> for Region {
    fn from(m: region::Model) -> Self {
        Self {
            code: m.code,
            name: m.name,
            created_at: m.created_at,
        }
    }
}

/// Creates the region whose id is `audit`'s scope: the platform's event of
/// creating it is the region's first.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    audit: &Audit,
    code: &str,
    name: &str,
) -> DomainResult<Region> {
    let model = region::ActiveModel {
        id: Set(audit.scope.region_id),
        code: Set(code.to_owned()),
        name: Set(name.to_owned()),
        created_at: Set(entities::clock::now()),
    }
    .insert(db)
    .await?;
    audit
        .record(
            db,
            "create",
            "region",
            &model.code,
            serde_json::json!({ "name": model.name }),
        )
        .await?;
    Ok(model.into())
}

/// Renames a region (`None` keeps its name; the event is written anyway).
pub async fn rename<C: ConnectionTrait>(
    db: &C,
    audit: &Audit,
    existing: region::Model,
    name: Option<&str>,
) -> DomainResult<Region> {
    let mut model: region::ActiveModel = existing.into();
    if let Some(name) = name {
        model.name = Set(name.to_owned());
    }
    let model = model.update(db).await?;
    audit
        .record(
            db,
            "update",
            "region",
            &model.code,
            serde_json::json!({ "name": model.name }),
        )
        .await?;
    Ok(model.into())
}
