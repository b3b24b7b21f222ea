#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "funding_signals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub region_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `framework-forecast` or `task-clients`.
    pub kind: String,
    /// The budget framework or task budget.
    pub subject_id: Uuid,
    /// `2026` (a framework's year) or `2026-03` (a task budget's month).
    pub period: String,
    /// The alert level crossed; 0 for a task budget's deviation.
    pub level_percent: i32,
    pub amount_cents: Option<i64>,
    pub detail: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
