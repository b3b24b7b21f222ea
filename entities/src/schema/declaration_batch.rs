#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "declaration_batches")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub region_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub idempotency_key: String,
    /// SHA-256 of the request body, to tell a retry from a different batch under the same key.
    pub request_hash: String,
    pub submitted_by: String,
    /// The party the batch (and its idempotency key) belongs to:
    /// `provider:<AGB>`, or `actor:<role>:<sub>` for anyone else.
    pub submitter: String,
    pub line_count: i32,
    pub approved_count: i32,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
