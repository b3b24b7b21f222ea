#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;

/// A signal of the steering instruments, raised once per (kind, subject).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "steering_signals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub region_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: SteeringSignalKind,
    /// What the signal is about, unique per kind: the allocation id (waiting
    /// norm), `"<cbs>:<group code>"` (coverage), the two allocation ids
    /// joined by `:`, lower first (care overlap).
    pub subject: String,
    pub provider_id: Option<Uuid>,
    pub municipality_id: Option<Uuid>,
    pub product_group_id: Option<Uuid>,
    pub allocation_id: Option<Uuid>,
    /// The day the situation was seen.
    pub observed_on: Date,
    pub detail: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
