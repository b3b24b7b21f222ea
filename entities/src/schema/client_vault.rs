#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;

/// The personal data a message needs back (BSN, name, birth date, gender),
/// sealed with AES-256-GCM under the data key `key_id`. Read only to build
/// a message; everything else joins on the pseudonym.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "client_vault")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub region_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub client_key: String,
    pub key_id: String,
    /// Nonce followed by the ciphertext.
    pub sealed: Vec<u8>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
