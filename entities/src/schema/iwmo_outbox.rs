#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;

/// A 301 for a provider, written when an allocation is made or changed
/// through the JSON API; sealed because it carries the client's identity.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "iwmo_outbox")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub region_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub provider_id: Uuid,
    pub allocation_number: i64,
    pub law: Law,
    pub identification: String,
    pub key_id: String,
    pub sealed: Vec<u8>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
