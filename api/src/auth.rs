//! Authentication (JWT bearer) and tenancy: the token plus the path become a
//! [`Scoped`] value carrying the [`RegionScope`] every query takes. The role a
//! handler needs is in its signature, as the permission type of `Scoped<P>`.

use domain::parties::Party;
use std::{collections::HashMap, future::Future, marker::PhantomData, pin::Pin};

use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use entities::{
    enums::Role,
    schema::{api_client, region},
    RegionScope,
};
use jsonwebtoken::{
    decode, decode_header, encode, jwk::JwkSet, Algorithm, DecodingKey, EncodingKey, Header,
    Validation,
};
use serde::{Deserialize, Serialize};

use crate::{config::JwtConfig, error::ApiError, state::AppState};

/// The claims of a zorgregie token (DESIGN §4).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    /// Region code, or `*` for the platform.
    pub region: String,
    pub role: Role,
    /// CBS code of the access team's municipality.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub municipality: Option<String>,
    /// AGB code of the provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agb: Option<String>,
    pub exp: i64,
    pub iat: i64,
    /// Not valid before (optional; a token from the future is refused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    pub iss: String,
    pub aud: Audience,
    /// The API client a token was issued to (RFC 9068); such a token stops
    /// working when the client is revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
}

impl Claims {
    /// Who the token says the caller is, as the domain takes it.
    pub fn caller(&self) -> domain::parties::Caller<'_> {
        domain::parties::Caller {
            role: self.role,
            subject: &self.sub,
            municipality: self.municipality.as_deref(),
            agb: self.agb.as_deref(),
        }
    }
}

/// `aud`: one audience or several (RFC 7519 §4.1.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Claims {
    pub fn new(sub: &str, region: &str, role: Role, config: &JwtConfig, ttl_seconds: i64) -> Self {
        let now = entities::clock::now().timestamp();
        Self {
            sub: sub.to_owned(),
            region: region.to_owned(),
            role,
            municipality: None,
            agb: None,
            exp: now + ttl_seconds,
            iat: now,
            nbf: None,
            iss: config.issuer.clone(),
            aud: Audience::One(config.audience.clone()),
            client_id: None,
        }
    }
}

/// Keys to sign (HS256) and verify (HS256, or RS256/ES256 by `kid`) tokens.
pub struct JwtKeys {
    config: JwtConfig,
    encoding: EncodingKey,
    hs256: DecodingKey,
    public_keys: HashMap<String, (Algorithm, DecodingKey)>,
}

impl JwtKeys {
    pub fn new(config: &JwtConfig) -> Result<Self, String> {
        let mut public_keys = HashMap::new();
        if let Some(path) = &config.jwks_file {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("JWT_JWKS_FILE {}: {e}", path.display()))?;
            let set: JwkSet = serde_json::from_str(&text)
                .map_err(|e| format!("JWT_JWKS_FILE {} is not a JWKS: {e}", path.display()))?;
            for jwk in &set.keys {
                let kid = jwk
                    .common
                    .key_id
                    .clone()
                    .ok_or("every JWKS key needs a kid")?;
                let alg = match &jwk.algorithm {
                    jsonwebtoken::jwk::AlgorithmParameters::RSA(_) => Algorithm::RS256,
                    jsonwebtoken::jwk::AlgorithmParameters::EllipticCurve(_) => Algorithm::ES256,
                    _ => {
                        return Err(format!(
                            "JWKS key {kid}: only RSA (RS256) and EC (ES256) keys are accepted"
                        ))
                    }
                };
                let key = DecodingKey::from_jwk(jwk).map_err(|e| format!("JWKS key {kid}: {e}"))?;
                public_keys.insert(kid, (alg, key));
            }
        }
        Ok(Self {
            config: config.clone(),
            encoding: EncodingKey::from_secret(config.secret.as_bytes()),
            hs256: DecodingKey::from_secret(config.secret.as_bytes()),
            public_keys,
        })
    }

    pub fn config(&self) -> &JwtConfig {
        &self.config
    }

    pub fn sign(&self, claims: &Claims) -> Result<String, ApiError> {
        encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .map_err(|e| ApiError::Internal(format!("signing a token: {e}")))
    }

    /// Verifies signature, expiry, not-before, issuer and audience (one of the
    /// token's audiences must be ours). Only the algorithm of
    /// the selected key is accepted, so `alg: none` and algorithm swaps fail.
    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        let unauthorized = |why: &str| ApiError::Unauthorized(why.to_owned());
        let header = decode_header(token).map_err(|_| unauthorized("malformed token"))?;
        let (algorithm, key) = match (&header.kid, header.alg) {
            (Some(kid), Algorithm::RS256 | Algorithm::ES256) => {
                let (alg, key) = self
                    .public_keys
                    .get(kid)
                    .ok_or_else(|| unauthorized("unknown key id"))?;
                (*alg, key)
            }
            (_, Algorithm::HS256) => (Algorithm::HS256, &self.hs256),
            _ => return Err(unauthorized("unsupported algorithm")),
        };
        let mut validation = Validation::new(algorithm);
        validation.set_audience(&[&self.config.audience]);
        validation.set_issuer(&[&self.config.issuer]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = 30;
        decode::<Claims>(token, key, &validation)
            .map(|data| data.claims)
            .map_err(|e| unauthorized(&format!("invalid token ({:?})", e.kind())))
    }
}

fn bearer_token(req: &HttpRequest) -> Result<&str, ApiError> {
    let header = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .ok_or_else(|| ApiError::Unauthorized("missing bearer token".into()))?;
    let value = header
        .to_str()
        .map_err(|_| ApiError::Unauthorized("malformed authorization header".into()))?;
    value
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::Unauthorized("expected a bearer token".into()))
}

fn state(req: &HttpRequest) -> Result<web::Data<AppState>, ApiError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::Internal("application state missing".into()))
}

/// Which roles may use a handler. One marker type per role set.
pub trait Permission {
    const ROLES: &'static [Role];
}

macro_rules! permission {
    ($(#[$meta:meta])* $name:ident => [$($role:ident),+]) => {
        $(#[$meta])*
        pub struct $name;
        impl Permission for $name {
            const ROLES: &'static [Role] = &[$(Role::$role),+];
        }
    };
}

permission!(
    /// Any role of the region may read.
    ReadRegion => [PlatformAdmin, RegionAdmin, ContractManager, AccessTeam, CentralAccess, Municipality, Provider, Auditor]
);
permission!(
    /// The procurement office manages the catalogue and tariffs.
    ManageCatalogue => [PlatformAdmin, RegionAdmin]
);
permission!(
    /// Providers and their contracts: the office and its contract managers.
    ManageContracts => [PlatformAdmin, RegionAdmin, ContractManager]
);
permission!(
    /// Enrolments: providers apply (for themselves), the office applies for
    /// them, assesses and decides.
    Enrol => [PlatformAdmin, RegionAdmin, ContractManager, Provider]
);
permission!(
    /// Reading enrolments: those who enrol, and auditors.
    ReadEnrolments => [PlatformAdmin, RegionAdmin, ContractManager, Auditor, Provider]
);
permission!(
    /// Audit trail: the office and auditors.
    ReadAudit => [PlatformAdmin, RegionAdmin, Auditor]
);
permission!(
    /// Allocating care: the office, municipal access teams (for their
    /// municipality) and the central access team (within its policy's groups).
    Allocate => [PlatformAdmin, RegionAdmin, AccessTeam, CentralAccess]
);
permission!(
    /// Declaring delivered care: providers (their own allocations) and the office.
    Declare => [PlatformAdmin, RegionAdmin, Provider]
);
permission!(
    /// iWmo/iJw messages: municipalities send 301s, providers 305/307/323 (`domain::iwmo`).
    Exchange => [PlatformAdmin, RegionAdmin, AccessTeam, CentralAccess, Provider]
);
permission!(
    /// Monitoring reports: the office, its contract managers and auditors.
    Monitor => [PlatformAdmin, RegionAdmin, ContractManager, Auditor]
);
permission!(
    /// Monitoring reports: the office, and each municipality (its access
    /// team or a read-only `municipality` user) for its own.
    ReadMonitor => [PlatformAdmin, RegionAdmin, ContractManager, Auditor, AccessTeam, Municipality]
);
permission!(
    /// Background job runs.
    ReadJobs => [PlatformAdmin, RegionAdmin, ContractManager, Auditor]
);
permission!(
    /// API clients (machine credentials) of the region.
    ManageApiClients => [PlatformAdmin, RegionAdmin]
);

/// A verified caller acting in the region named by the `{regionCode}` path
/// segment. A token of another region gets 404 (as if the region did not
/// exist); a role outside `P::ROLES` gets 403.
pub struct Scoped<P: Permission> {
    pub scope: RegionScope,
    pub region: region::Model,
    pub claims: Claims,
    /// Which rows of the region the caller sees (`parties.rs`).
    pub party: Party,
    _permission: PhantomData<P>,
}

impl<P: Permission> Scoped<P> {
    /// Who acts where, for the audit trail.
    pub fn audit(&self) -> domain::audit::Audit {
        domain::audit::Audit {
            scope: self.scope,
            actor: format!("{}:{}", self.claims.role.as_str(), self.claims.sub),
        }
    }

    /// Who submits a declaration batch and owns its idempotency key.
    pub fn submitter(&self) -> String {
        self.party.submitter(&self.claims.caller())
    }
}

impl<P: Permission + 'static> FromRequest for Scoped<P> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let verified = state(req).and_then(|state| {
            let claims = state.jwt.verify(bearer_token(req)?)?;
            Ok((state, claims))
        });
        let code = req.match_info().get("regionCode").map(str::to_owned);
        Box::pin(async move {
            let (state, claims) = verified?;
            Self::resolve(&state, claims, &code.ok_or(ApiError::NotFound)?).await
        })
    }
}

impl<P: Permission> Scoped<P> {
    /// The caller of `claims` acting in the region `code`, however the
    /// claims came (a bearer token, or the dashboard's session cookie).
    pub async fn resolve(state: &AppState, claims: Claims, code: &str) -> Result<Self, ApiError> {
        let platform = claims.role == Role::PlatformAdmin && claims.region == "*";
        if !platform && claims.region != code {
            return Err(ApiError::NotFound);
        }
        let region = state
            .regions
            .get(&state.db, code)
            .await?
            .ok_or(ApiError::NotFound)?;
        if !P::ROLES.contains(&claims.role) {
            return Err(ApiError::Forbidden);
        }
        let scope = RegionScope::new(region.id);
        check_client(state, &scope, &claims).await?;
        let party = Party::resolve(&state.db, &scope, &claims.caller()).await?;
        Ok(Self {
            scope,
            region,
            claims,
            party,
            _permission: PhantomData,
        })
    }
}

/// A token issued to an API client works only while the client exists in
/// the token's region and is not revoked (looked up on every request, so a
/// revocation takes effect at once on every api instance).
async fn check_client(
    state: &AppState,
    scope: &RegionScope,
    claims: &Claims,
) -> Result<(), ApiError> {
    use entities::TenantEntity;
    use sea_orm::{ColumnTrait, QueryFilter};
    let Some(client_id) = &claims.client_id else {
        return Ok(());
    };
    let active = api_client::Entity::scoped(scope)
        .filter(api_client::Column::ClientId.eq(client_id.as_str()))
        .filter(api_client::Column::RevokedAt.is_null())
        .one(&state.db)
        .await?;
    match active {
        Some(_) => Ok(()),
        None => Err(ApiError::Unauthorized("the API client was revoked".into())),
    }
}

/// A verified platform administrator (region management).
pub struct PlatformAdmin {
    pub claims: Claims,
}

impl PlatformAdmin {
    /// Audit trail of an action of the platform in one region.
    pub fn audit_in(&self, region_id: uuid::Uuid) -> domain::audit::Audit {
        domain::audit::Audit {
            scope: RegionScope::new(region_id),
            actor: format!("platform-admin:{}", self.claims.sub),
        }
    }
}

impl FromRequest for PlatformAdmin {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready((|| {
            let claims = state(req)?.jwt.verify(bearer_token(req)?)?;
            // API clients are never platform administrators.
            if claims.role != Role::PlatformAdmin
                || claims.region != "*"
                || claims.client_id.is_some()
            {
                return Err(ApiError::Forbidden);
            }
            Ok(Self { claims })
        })())
    }
}
