//! API clients: machine credentials of a region for third-party apps. The
//! secret is shown once, at creation, and stored only as an argon2 hash.

use argon2::{password_hash::SaltString, Argon2, PasswordHasher};
use base64::Engine;
use domain::{
    api_clients::{self, ApiClient, NewApiClient},
    catalogue,
};
use entities::{enums::Role, schema::api_client, TenantEntity};
use rand::RngCore;
use sea_orm::QueryOrder;

use super::prelude::*;

/// An API client (without its secret).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiClientOut {
    #[schema(example = "zr_0193f0c4b7e47c3a9e2d5f1a6b8c9d0e")]
    pub client_id: String,
    pub name: String,
    pub role: Role,
    pub municipality_cbs: Option<String>,
    pub provider_agb: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A new API client with its secret: shown this once, never again.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiClientCreated {
    #[serde(flatten)]
    pub client: ApiClientOut,
    pub client_secret: String,
}

impl From<ApiClient> for ApiClientOut {
    fn from(c: ApiClient) -> Self {
        Self {
            client_id: c.client_id,
            name: c.name,
            role: c.role,
            municipality_cbs: c.municipality_cbs,
            provider_agb: c.provider_agb,
            created_at: c.created_at,
            revoked_at: c.revoked_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApiClientIn {
    #[schema(example = "Zorgportaal koppeling")]
    pub name: String,
    /// Any role but `platform-admin`.
    #[schema(value_type = Role)]
    pub role: String,
    /// Required for `access-team`.
    pub municipality_cbs: Option<String>,
    /// Required for `provider`.
    pub provider_agb: Option<String>,
}

fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

async fn hash_secret(secret: String) -> ApiResult<String> {
    web::block(move || {
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        Argon2::default()
            .hash_password(secret.as_bytes(), &salt)
            .map(|h| h.to_string())
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?
    .map_err(|e| ApiError::Internal(e.to_string()))
}

/// Create an API client; the response holds the secret, shown only once.
#[utoipa::path(
    tag = "api-clients",
    params(("regionCode" = String, Path, description = "Region code")),
    request_body = ApiClientIn,
    responses((status = 201, body = ApiClientCreated), (status = 400, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[post("/regions/{regionCode}/api-clients")]
pub async fn create_api_client(
    state: web::Data<AppState>,
    auth: Scoped<ManageApiClients>,
    body: Body<ApiClientIn>,
) -> ApiResult<HttpResponse> {
    let input = body.take()?;
    let mut check = Check::new();
    check.name("name", &input.name, 200);
    let role = check.one_of::<Role>("role", &input.role);
    check.require_rule(
        role != Some(Role::PlatformAdmin),
        "role",
        "platform-admin cannot be given to an API client",
    );
    let db = &state.db;
    match (&input.municipality_cbs, role) {
        (Some(cbs), _) => check.require_rule(
            catalogue::municipality(db, &auth.scope, cbs)
                .await?
                .is_some(),
            "municipalityCbs",
            "no such municipality in this region",
        ),
        (None, Some(role @ (Role::AccessTeam | Role::Municipality))) => check.fail_rule(
            "municipalityCbs",
            format!("is required for {}", role.as_str()),
        ),
        _ => {}
    }
    match (&input.provider_agb, role) {
        (Some(agb), _) => check.require_rule(
            catalogue::provider(db, &auth.scope, agb).await?.is_some(),
            "providerAgb",
            "no such provider in this region",
        ),
        (None, Some(Role::Provider)) => check.fail_rule("providerAgb", "is required for provider"),
        _ => {}
    }
    let role = check.done(role)?;
    let secret = new_secret();
    let secret_hash = hash_secret(secret.clone()).await?;
    let txn = entities::transaction::begin_write(db).await?;
    let new = NewApiClient {
        name: input.name.trim().to_owned(),
        role,
        municipality_cbs: input.municipality_cbs,
        provider_agb: input.provider_agb,
        secret_hash,
    };
    let client =
        ApiClientOut::from(api_clients::create(&txn, &auth.scope, &auth.audit(), new).await?);
    txn.commit().await?;
    Ok(HttpResponse::Created().json(ApiClientCreated {
        client,
        client_secret: secret,
    }))
}

/// List the region's API clients (never their secrets).
#[utoipa::path(
    tag = "api-clients",
    params(("regionCode" = String, Path, description = "Region code"), PageQuery),
    responses((status = 200, body = Page<ApiClientOut>)),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/api-clients")]
pub async fn list_api_clients(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Scoped<ManageApiClients>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let page = query.validate()?;
    let select = api_client::Entity::scoped(&auth.scope)
        .order_by_asc(api_client::Column::CreatedAt)
        .order_by_asc(api_client::Column::Id);
    let (items, total) = fetch_page(&state.db, select, page).await?;
    Ok(Page::new(
        items
            .into_iter()
            .map(|m| ApiClientOut::from(ApiClient::from(m)))
            .collect(),
        page,
        total,
    )
    .respond(&req))
}

/// Revoke an API client: its secret no longer gets tokens.
#[utoipa::path(
    tag = "api-clients",
    params(("regionCode" = String, Path, description = "Region code"), ("clientId" = String, Path, description = "Client id")),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[delete("/regions/{regionCode}/api-clients/{clientId}")]
pub async fn revoke_api_client(
    state: web::Data<AppState>,
    auth: Scoped<ManageApiClients>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let txn = entities::transaction::begin_write(&state.db).await?;
    api_clients::revoke(&txn, &auth.scope, &auth.audit(), &path.1).await?;
    txn.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}
