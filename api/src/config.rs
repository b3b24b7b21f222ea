//! Configuration from the environment (DESIGN §6): the plain names operators
//! and docker-compose expect, with defaults that start the embedded mode.

use std::{env, net::SocketAddr, path::PathBuf};

/// Used only when `JWT_SECRET` is not set and no public keys are configured,
/// so that `cargo run` works on a fresh machine. Never use it in production.
pub const DEVELOPMENT_JWT_SECRET: &str = "zorgregie-development-secret-do-not-use-in-production";
/// iWmo messages are verbose: 32 MiB holds a 323 of 30,000 prestaties.
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 32 * 1024 * 1024;
pub const DEVELOPMENT_CLIENT_KEY_SECRET: &str = "zorgregie-development-client-key-secret";

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub queue_url: Option<String>,
    pub bind_addr: SocketAddr,
    pub jwt: JwtConfig,
    /// HMAC key for client pseudonyms (the BSN is never stored in clear).
    pub client_key_secret: String,
    /// AES-256-GCM keys of the client vault and the sealed messages.
    pub data_keys: std::sync::Arc<domain::vault::DataKeys>,
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
    /// Largest accepted iWmo/iJw message, in bytes.
    pub max_message_bytes: usize,
    /// Lifetime of tokens issued by `POST /auth/token` and the CLI.
    pub token_ttl_seconds: i64,
    /// Size of the database connection pool.
    pub database_max_connections: u32,
    /// How long a request waits for a database connection before it answers
    /// 503 (a PostgreSQL that is down must not hold every request for 30 s).
    pub database_acquire_timeout: std::time::Duration,
    /// Queue name, so several deployments (or tests) can share one Redis.
    pub queue_name: String,
    /// Whether the api process also runs the worker: by default only when no
    /// `QUEUE_URL` is set (the embedded mode); `EMBEDDED_WORKER=false|true` decides.
    pub embedded_worker: bool,
}

#[derive(Debug, Clone)]
pub struct JwtConfig {
    /// HS256 shared secret (development, and tokens this service issues).
    pub secret: String,
    /// Whether `secret` is the built-in development secret.
    pub secret_is_default: bool,
    /// A JWKS file with the RS256/ES256 public keys of an external identity
    /// provider, selected by `kid` (rotation: list old and new keys).
    pub jwks_file: Option<PathBuf>,
    pub issuer: String,
    pub audience: String,
}

impl Config {
    /// Reads the environment; an invalid value is a readable error.
    pub fn from_env() -> Result<Self, String> {
        let var = |name: &str| env::var(name).ok().filter(|v| !v.trim().is_empty());
        let secret = var("JWT_SECRET");
        let bind_addr = var("BIND_ADDR").unwrap_or_else(|| "127.0.0.1:8080".into());
        let max_body_bytes = match var("MAX_BODY_BYTES") {
            Some(v) => v
                .parse()
                .map_err(|_| format!("MAX_BODY_BYTES must be a number of bytes, got {v:?}"))?,
            None => 4 * 1024 * 1024,
        };
        let max_message_bytes = match var("MAX_MESSAGE_BYTES") {
            Some(v) => v
                .parse()
                .map_err(|_| format!("MAX_MESSAGE_BYTES must be a number of bytes, got {v:?}"))?,
            None => DEFAULT_MAX_MESSAGE_BYTES,
        };
        let token_ttl_seconds = match var("TOKEN_TTL_SECONDS") {
            Some(v) => v
                .parse()
                .map_err(|_| format!("TOKEN_TTL_SECONDS must be a number, got {v:?}"))?,
            None => 3600,
        };
        Ok(Self {
            database_url: var("DATABASE_URL")
                .unwrap_or_else(|| "sqlite://zorgregie.db?mode=rwc".into()),
            queue_url: var("QUEUE_URL"),
            bind_addr: bind_addr
                .parse()
                .map_err(|_| format!("BIND_ADDR must be host:port, got {bind_addr:?}"))?,
            jwt: JwtConfig {
                secret_is_default: secret.is_none(),
                secret: secret.unwrap_or_else(|| DEVELOPMENT_JWT_SECRET.into()),
                jwks_file: var("JWT_JWKS_FILE").map(PathBuf::from),
                issuer: var("JWT_ISSUER").unwrap_or_else(|| "zorgregie".into()),
                audience: var("JWT_AUDIENCE").unwrap_or_else(|| "zorgregie-api".into()),
            },
            client_key_secret: var("CLIENT_KEY_SECRET")
                .unwrap_or_else(|| DEVELOPMENT_CLIENT_KEY_SECRET.into()),
            data_keys: std::sync::Arc::new(domain::vault::DataKeys::from_settings(
                var("DATA_ENCRYPTION_KEY").as_deref(),
                var("DATA_ENCRYPTION_OLD_KEYS").as_deref(),
            )?),
            max_body_bytes,
            max_message_bytes,
            token_ttl_seconds,
            queue_name: var("QUEUE_NAME")
                .unwrap_or_else(|| worker::queue::DEFAULT_QUEUE_NAME.into()),
            embedded_worker: match var("EMBEDDED_WORKER").as_deref() {
                None => var("QUEUE_URL").is_none(),
                Some("true" | "1") => true,
                Some("false" | "0") => false,
                Some(other) => {
                    return Err(format!(
                        "EMBEDDED_WORKER must be true or false, got {other:?}"
                    ))
                }
            },
            database_max_connections: match var("DATABASE_MAX_CONNECTIONS") {
                Some(v) => v
                    .parse()
                    .map_err(|_| format!("DATABASE_MAX_CONNECTIONS must be a number, got {v:?}"))?,
                None => 10,
            },
            database_acquire_timeout: match var("DATABASE_ACQUIRE_TIMEOUT_SECONDS") {
                Some(v) => match v.parse::<u64>() {
                    Ok(seconds) if seconds > 0 => std::time::Duration::from_secs(seconds),
                    _ => {
                        return Err(format!(
                            "DATABASE_ACQUIRE_TIMEOUT_SECONDS must be a positive number of seconds, got {v:?}"
                        ))
                    }
                },
                None => crate::db::DEFAULT_ACQUIRE_TIMEOUT,
            },
        })
    }

    /// A configuration for tests and tools: the given database, defaults elsewhere.
    pub fn for_database(database_url: &str) -> Self {
        let mut config = Self::from_env().unwrap_or_else(|_| Self::defaults());
        config.database_url = database_url.to_owned();
        config
    }

    fn defaults() -> Self {
        Self {
            database_url: "sqlite://zorgregie.db?mode=rwc".into(),
            queue_url: None,
            bind_addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            jwt: JwtConfig {
                secret: DEVELOPMENT_JWT_SECRET.into(),
                secret_is_default: true,
                jwks_file: None,
                issuer: "zorgregie".into(),
                audience: "zorgregie-api".into(),
            },
            client_key_secret: DEVELOPMENT_CLIENT_KEY_SECRET.into(),
            data_keys: std::sync::Arc::new(
                domain::vault::DataKeys::from_settings(None, None)
                    .expect("the development data key is valid"),
            ),
            max_body_bytes: 4 * 1024 * 1024,
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            token_ttl_seconds: 3600,
            database_max_connections: 10,
            database_acquire_timeout: crate::db::DEFAULT_ACQUIRE_TIMEOUT,
            queue_name: worker::queue::DEFAULT_QUEUE_NAME.into(),
            embedded_worker: true,
        }
    }
}
