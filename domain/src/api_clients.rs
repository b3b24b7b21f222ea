//! API clients: machine credentials of a region for third-party apps. The
//! caller makes the secret and hands over only its hash: the domain never
//! sees a secret.

use chrono::{DateTime, Utc};
use entities::{enums::Role, schema::api_client, RegionScope, TenantEntity};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, QueryFilter, Set};
use serde::Serialize;

use crate::{
    audit::Audit,
    error::{DomainError, DomainResult},
};

/// An API client without its secret. The audit trail records it; the API's
/// `ApiClientOut` shows it field for field.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiClient {
    pub client_id: String,
    pub name: String,
    pub role: Role,
    pub municipality_cbs: Option<String>,
    pub provider_agb: Option<String>,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<api_client::Model> for ApiClient {
    fn from(m: api_client::Model) -> Self {
        Self {
            client_id: m.client_id,
            name: m.name,
            role: m.role,
            municipality_cbs: m.municipality_cbs,
            provider_agb: m.provider_agb,
            created_at: m.created_at,
            revoked_at: m.revoked_at,
        }
    }
}

/// A new client: its role with the municipality or provider it acts for
/// (the caller has checked they exist) and the hash of its secret.
pub struct NewApiClient {
    pub name: String,
    pub role: Role,
    pub municipality_cbs: Option<String>,
    pub provider_agb: Option<String>,
    pub secret_hash: String,
}

/// Stores a new client under a fresh `zr_…` client id.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    audit: &Audit,
    input: NewApiClient,
) -> DomainResult<ApiClient> {
    let model = api_client::ActiveModel {
        region_id: Set(scope.region_id),
        id: Set(uuid::Uuid::now_v7()),
        client_id: Set(format!("zr_{}", uuid::Uuid::now_v7().simple())),
        name: Set(input.name),
        secret_hash: Set(input.secret_hash),
        role: Set(input.role),
        municipality_cbs: Set(input.municipality_cbs),
        provider_agb: Set(input.provider_agb),
        created_at: Set(entities::clock::now()),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?;
    let client = ApiClient::from(model);
    audit
        .record(db, "create", "api-client", &client.client_id, &client)
        .await?;
    Ok(client)
}

/// Revokes an active client: its secret no longer gets tokens. A revoked
/// or unknown client is not found.
pub async fn revoke<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    audit: &Audit,
    client_id: &str,
) -> DomainResult<()> {
    let existing = api_client::Entity::scoped(scope)
        .filter(api_client::Column::ClientId.eq(client_id))
        .filter(api_client::Column::RevokedAt.is_null())
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    let client_id = existing.client_id.clone();
    let mut model: api_client::ActiveModel = existing.into();
    model.revoked_at = Set(Some(entities::clock::now()));
    model.update(db).await?;
    audit
        .record(
            db,
            "revoke",
            "api-client",
            &client_id,
            serde_json::json!({}),
        )
        .await?;
    Ok(())
}
