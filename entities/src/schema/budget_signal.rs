#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "budget_signals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub region_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub budget_ceiling_id: Uuid,
    /// `spent`: approved spend crossed the level; `forecast`: an allocation
    /// took realised + committed spend over it.
    pub kind: String,
    pub level_percent: i32,
    pub spent_cents: i64,
    /// When the signal was raised (the provider is told in writing).
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// The consultation with the provider that follows the signal
    /// (within two weeks, Contractstandaard Wmo 1.2 art. 1.5).
    pub consulted_on: Option<Date>,
    pub outcome: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
