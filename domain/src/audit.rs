//! The audit trail: every mutation writes one event, in the same transaction
//! as the change, so there is no change without its event.

use std::fmt::Display;

use entities::{schema::audit_event, RegionScope};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde::Serialize;

use crate::error::DomainResult;

/// Who acts in which region; made by `Scoped::audit()`.
pub struct Audit {
    pub scope: RegionScope,
    pub actor: String,
}

impl Audit {
    pub async fn record<C: ConnectionTrait>(
        &self,
        db: &C,
        action: &str,
        resource: &str,
        resource_id: impl Display,
        details: impl Serialize,
    ) -> DomainResult<()> {
        // The resource as the domain knows it (see ARCHITECTURE.md); an
        // unserialisable value cannot occur for our values, and the event
        // is still written.
        let details = serde_json::to_value(details).unwrap_or_default();
        audit_event::ActiveModel {
            region_id: Set(self.scope.region_id),
            id: Set(uuid::Uuid::now_v7()),
            at: Set(entities::clock::now()),
            actor: Set(self.actor.clone()),
            action: Set(action.to_owned()),
            resource: Set(resource.to_owned()),
            resource_id: Set(resource_id.to_string()),
            details: Set(details),
        }
        .insert(db)
        .await?;
        Ok(())
    }
}
