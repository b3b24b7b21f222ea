#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;

/// An inbound iWmo/iJw message (its hash, not its content) and, for a 323,
/// its 325 answer, sealed with the data key (`key_id`): it carries BSNs.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "iwmo_messages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub region_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub law: Law,
    /// `301`, `305`, `307` or `323`.
    pub message_type: String,
    /// Afzender: a municipality code (301) or an AGB code.
    pub sender: String,
    pub receiver: String,
    /// BerichtIdentificatie/Identificatie, unique per sender and type (9056).
    pub identification: String,
    pub dated: Date,
    /// SHA-256 of the message bytes: a resend is recognised by it.
    pub request_hash: String,
    pub submitter: String,
    pub submitted_by: String,
    /// `processed` or `rejected` (level 2: a 325 with 0001).
    pub outcome: String,
    /// Allocations (301), products (305/307) or prestaties (323) in the message.
    pub item_count: i32,
    pub approved_count: Option<i32>,
    pub approved_cents: Option<i64>,
    pub declaration_number: Option<String>,
    pub batch_id: Option<Uuid>,
    pub key_id: String,
    pub answer_sealed: Option<Vec<u8>>,
    pub received_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
