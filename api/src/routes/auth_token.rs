//! `POST /api/v1/auth/token`: the OAuth 2.0 client-credentials grant
//! (RFC 6749 §4.4) for API clients.

use argon2::{Argon2, PasswordHash, PasswordVerifier};
use entities::schema::{api_client, region};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::prelude::*;
use crate::auth::Claims;

/// Form fields of the client-credentials grant.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenRequest {
    /// Always `client_credentials`.
    #[schema(example = "client_credentials", pattern = "^client_credentials$")]
    pub grant_type: String,
    pub client_id: String,
    pub client_secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the token expires.
    pub expires_in: i64,
}

fn invalid_client() -> ApiError {
    ApiError::Unauthorized("invalid client credentials".into())
}

/// Exchange an API client's id and secret for a bearer token
/// (`application/x-www-form-urlencoded`, as OAuth 2.0 prescribes).
#[utoipa::path(
    tag = "auth",
    request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, body = TokenResponse),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/token")]
pub async fn issue_token(
    _req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<TokenRequest>,
) -> ApiResult<web::Json<TokenResponse>> {
    if [&form.grant_type, &form.client_id, &form.client_secret]
        .iter()
        .any(|field| field.contains('\0'))
    {
        return Err(ApiError::invalid("", crate::input::NUL_MESSAGE));
    }
    if form.grant_type != "client_credentials" {
        return Err(ApiError::invalid(
            "grant_type",
            "must be client_credentials",
        ));
    }
    let claims = authenticate(&state, &form.client_id, &form.client_secret).await?;
    Ok(web::Json(TokenResponse {
        access_token: state.jwt.sign(&claims)?,
        token_type: "Bearer".into(),
        expires_in: state.config.token_ttl_seconds,
    }))
}

/// The claims of an API client whose id and secret match (the token
/// endpoint and the dashboard's login share it); 401 otherwise.
pub async fn authenticate(state: &AppState, client_id: &str, secret: &str) -> ApiResult<Claims> {
    // The one lookup across tenants: a client id is global, and the region
    // comes from the client row, never from the request.
    #[allow(clippy::disallowed_methods)]
    let client = api_client::Entity::find()
        .filter(api_client::Column::ClientId.eq(client_id))
        .filter(api_client::Column::RevokedAt.is_null())
        .one(&state.db)
        .await?
        .ok_or_else(invalid_client)?;
    let hash = client.secret_hash.clone();
    let secret = secret.to_owned();
    let verified = web::block(move || {
        PasswordHash::new(&hash).map(|parsed| {
            Argon2::default()
                .verify_password(secret.as_bytes(), &parsed)
                .is_ok()
        })
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?
    .unwrap_or(false);
    if !verified {
        return Err(invalid_client());
    }
    #[allow(clippy::disallowed_methods)] // the client's own region
    let region = region::Entity::find_by_id(client.region_id)
        .one(&state.db)
        .await?
        .ok_or_else(invalid_client)?;
    let ttl = state.config.token_ttl_seconds;
    let mut claims = Claims::new(
        &client.client_id,
        &region.code,
        client.role,
        state.jwt.config(),
        ttl,
    );
    claims.municipality = client.municipality_cbs;
    claims.agb = client.provider_agb;
    claims.client_id = Some(client.client_id.clone());
    Ok(claims)
}
