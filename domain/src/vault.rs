//! The client vault: the personal data an iWmo/iJw message needs back (BSN,
//! name, birth date, gender), sealed with AES-256-GCM. Everything else in
//! zorgregie joins on the pseudonym; the vault is read only to build a
//! message and its contents are never logged or listed.
//!
//! Each sealed value names its key (`key_id`, derived from the key itself),
//! so keys can rotate: new data is sealed with `DATA_ENCRYPTION_KEY`, old
//! data opens with any key in `DATA_ENCRYPTION_OLD_KEYS`. The region and the
//! client key are bound in as associated data: a sealed row copied onto
//! another client or region does not open.

use aes_gcm::{
    aead::{Aead, KeyInit, Payload},
    Aes256Gcm, Key, Nonce,
};
use base64::Engine;
use chrono::NaiveDate;
use entities::{schema::client_vault, RegionScope, TenantEntity};
use rand::RngCore;
use sea_orm::{sea_query::OnConflict, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{DomainError, DomainResult};

/// Used only when `DATA_ENCRYPTION_KEY` is not set, so `cargo run` works on
/// a fresh machine. Never use it in production.
pub const DEVELOPMENT_DATA_KEY: &str = "zorgregie-development-data-key-do-not-use-in-production";

const NONCE_BYTES: usize = 12;

struct DataKey {
    id: String,
    cipher: Aes256Gcm,
}

impl DataKey {
    fn new(bytes: &[u8; 32]) -> Self {
        let id = Sha256::digest(bytes)
            .iter()
            .take(4)
            .map(|b| format!("{b:02x}"))
            .collect();
        Self {
            id,
            cipher: Aes256Gcm::new(&Key::<Aes256Gcm>::from(*bytes)),
        }
    }
}

/// The data keys: the current one seals, every one opens.
pub struct DataKeys {
    current: DataKey,
    old: Vec<DataKey>,
    /// Whether the current key is the built-in development key.
    pub is_default: bool,
}

impl std::fmt::Debug for DataKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Key ids only: never the keys.
        f.debug_struct("DataKeys")
            .field("current", &self.current.id)
            .field("old", &self.old.iter().map(|k| &k.id).collect::<Vec<_>>())
            .finish()
    }
}

fn decode_key(name: &str, text: &str) -> Result<[u8; 32], String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|_| format!("{name} must be base64"))?;
    bytes.try_into().map_err(|_| {
        format!(
            "{name} must be 32 bytes (base64 of 32 random bytes, e.g. `openssl rand -base64 32`)"
        )
    })
}

impl DataKeys {
    /// `current`: base64 of 32 bytes, or None for the development key;
    /// `old`: comma-separated keys that still open older data.
    pub fn from_settings(current: Option<&str>, old: Option<&str>) -> Result<Self, String> {
        let (current, is_default) = match current {
            Some(text) => (decode_key("DATA_ENCRYPTION_KEY", text)?, false),
            None => (Sha256::digest(DEVELOPMENT_DATA_KEY.as_bytes()).into(), true),
        };
        let old = old
            .unwrap_or_default()
            .split(',')
            .filter(|k| !k.trim().is_empty())
            .map(|k| decode_key("DATA_ENCRYPTION_OLD_KEYS", k).map(|b| DataKey::new(&b)))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            current: DataKey::new(&current),
            old,
            is_default,
        })
    }

    /// The current key's id, stored beside what it sealed.
    pub fn current_id(&self) -> &str {
        &self.current.id
    }

    /// Nonce followed by ciphertext, bound to `context`.
    pub fn seal(&self, plaintext: &[u8], context: &[u8]) -> DomainResult<Vec<u8>> {
        let mut nonce = [0u8; NONCE_BYTES];
        rand::thread_rng().fill_bytes(&mut nonce);
        let sealed = self
            .current
            .cipher
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: plaintext,
                    aad: context,
                },
            )
            .map_err(|_| DomainError::Internal("sealing failed".into()))?;
        Ok([nonce.as_slice(), &sealed].concat())
    }

    pub fn open(&self, key_id: &str, sealed: &[u8], context: &[u8]) -> DomainResult<Vec<u8>> {
        let key = std::iter::once(&self.current)
            .chain(&self.old)
            .find(|k| k.id == key_id)
            .ok_or_else(|| DomainError::Internal(format!("data key {key_id} is not configured")))?;
        if sealed.len() < NONCE_BYTES {
            return Err(DomainError::Internal("sealed value too short".into()));
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_BYTES);
        let nonce: [u8; NONCE_BYTES] = nonce.try_into().expect("split at the nonce length");
        key.cipher
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context,
                },
            )
            .map_err(|_| {
                DomainError::Internal(format!("data sealed under key {key_id} does not open"))
            })
    }
}

/// A client's identity as the messages carry it. Only the BSN is always
/// known; name, birth date and gender come with a 301 or the JSON
/// allocation's optional `client`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    pub bsn: String,
    pub birth_date: Option<NaiveDate>,
    /// iWmo Geslacht: 0 unknown, 1 male, 2 female, 9 not specified.
    pub gender: Option<String>,
    pub last_name: Option<String>,
    pub prefix: Option<String>,
    pub initials: Option<String>,
    pub first_names: Option<String>,
}

// Personal data: never in a log line, not even in a debug print.
impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Identity(..)")
    }
}

impl Identity {
    /// This identity, with the fields it lacks taken from `older`.
    fn completed_by(self, older: Identity) -> Identity {
        Identity {
            birth_date: self.birth_date.or(older.birth_date),
            gender: self.gender.or(older.gender),
            last_name: self.last_name.clone().or(older.last_name),
            prefix: if self.last_name.is_some() {
                self.prefix
            } else {
                older.prefix
            },
            initials: self.initials.or(older.initials),
            first_names: self.first_names.or(older.first_names),
            bsn: self.bsn,
        }
    }
}

fn context(scope: &RegionScope, client_key: &str) -> Vec<u8> {
    [scope.region_id.as_bytes().as_slice(), client_key.as_bytes()].concat()
}

/// Keeps `identity` for `client_key`, completing it with what the vault
/// already knows (a JSON allocation may give only the BSN).
pub async fn store<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    keys: &DataKeys,
    client_key: &str,
    identity: Identity,
) -> DomainResult<()> {
    let identity = match find(db, scope, keys, client_key).await? {
        Some(older) => identity.completed_by(older),
        None => identity,
    };
    let plaintext =
        serde_json::to_vec(&identity).map_err(|e| DomainError::Internal(e.to_string()))?;
    let sealed = keys.seal(&plaintext, &context(scope, client_key))?;
    client_vault::Entity::insert(client_vault::ActiveModel {
        region_id: Set(scope.region_id),
        client_key: Set(client_key.to_owned()),
        key_id: Set(keys.current_id().to_owned()),
        sealed: Set(sealed),
        updated_at: Set(entities::clock::now()),
    })
    .on_conflict(
        OnConflict::columns([
            client_vault::Column::RegionId,
            client_vault::Column::ClientKey,
        ])
        .update_columns([
            client_vault::Column::KeyId,
            client_vault::Column::Sealed,
            client_vault::Column::UpdatedAt,
        ])
        .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}

/// The identity kept for `client_key`, if any.
pub async fn find<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    keys: &DataKeys,
    client_key: &str,
) -> DomainResult<Option<Identity>> {
    let Some(row) = client_vault::Entity::scoped(scope)
        .filter(client_vault::Column::ClientKey.eq(client_key))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    opened(scope, keys, &row).map(Some)
}

/// The identities kept for `client_keys`, by client key (those the vault
/// holds and a key opens), read 500 at a time.
pub async fn find_many<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    keys: &DataKeys,
    client_keys: &[&str],
) -> DomainResult<std::collections::HashMap<String, Identity>> {
    let mut found = std::collections::HashMap::new();
    for chunk in client_keys.chunks(500) {
        let rows = client_vault::Entity::scoped(scope)
            .filter(client_vault::Column::ClientKey.is_in(chunk.iter().copied()))
            .all(db)
            .await?;
        for row in rows {
            // One record no key opens (a retired key) leaves that client
            // out, not the whole answer; the error names no personal data.
            match opened(scope, keys, &row) {
                Ok(identity) => {
                    found.insert(row.client_key, identity);
                }
                Err(_) => tracing::warn!(
                    region = %scope.region_id,
                    key_id = %row.key_id,
                    "a client vault record could not be opened"
                ),
            }
        }
    }
    Ok(found)
}

fn opened(
    scope: &RegionScope,
    keys: &DataKeys,
    row: &client_vault::Model,
) -> DomainResult<Identity> {
    let plaintext = keys.open(&row.key_id, &row.sealed, &context(scope, &row.client_key))?;
    // serde's message may quote the record's text: not in the error.
    serde_json::from_slice(&plaintext)
        .map_err(|_| DomainError::Internal("vault record unreadable".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_A: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    const KEY_B: &str = "HxwdHhobGBkWFxQVEhMQEQ4PDA0KCwgJBgcEBQIDAAE=";

    #[test]
    fn sealed_data_opens_only_with_its_key_and_context() {
        let a = DataKeys::from_settings(Some(KEY_A), None).unwrap();
        let sealed = a.seal(b"999900006", b"ctx").unwrap();
        assert!(!sealed.windows(9).any(|w| w == b"999900006"));
        assert_eq!(
            a.open(a.current_id(), &sealed, b"ctx").unwrap(),
            b"999900006"
        );
        assert!(a.open(a.current_id(), &sealed, b"other").is_err());
        // Rotated: B seals, A still opens what it sealed.
        let b = DataKeys::from_settings(Some(KEY_B), Some(KEY_A)).unwrap();
        assert_ne!(a.current_id(), b.current_id());
        assert_eq!(
            b.open(a.current_id(), &sealed, b"ctx").unwrap(),
            b"999900006"
        );
        let without_a = DataKeys::from_settings(Some(KEY_B), None).unwrap();
        assert!(without_a.open(a.current_id(), &sealed, b"ctx").is_err());
        assert!(DataKeys::from_settings(Some("c2hvcnQ="), None).is_err());
    }

    #[test]
    fn an_identity_never_prints() {
        let identity = Identity {
            bsn: "999900006".into(),
            last_name: Some("Wit".into()),
            ..Default::default()
        };
        assert_eq!(format!("{identity:?}"), "Identity(..)");
    }
}
