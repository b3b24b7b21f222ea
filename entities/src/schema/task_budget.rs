#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "task_budgets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub region_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub contract_id: Uuid,
    /// The lot's task product: its tariff is the price per hour.
    pub product_id: Uuid,
    pub year: i32,
    pub planned_clients: i32,
    /// `[{"clients": 900, "hours": "40"}]`: clients per intensity band.
    pub intensity_bands: Json,
    pub startup_cents: i64,
    pub split: TaskBudgetSplit,
    /// `{"GM0307": 500, …}` when split by planned clients.
    pub planned_clients_per_municipality: Option<Json>,
    /// Twelve monthly weights; unset: 1/12 a month.
    pub schedule: Option<Json>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
