#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contracts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub region_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub provider_id: Uuid,
    pub procurement_form: ProcurementForm,
    pub start_date: Date,
    pub initial_term_months: i32,
    /// JSON array of months per extension option, e.g. `[24, 24]`.
    pub extension_options_months: Json,
    pub extensions_exercised: i32,
    pub status: ContractStatus,
    pub terminated_on: Option<Date>,
    pub termination_reason: Option<String>,
    pub termination_ground: Option<TerminationGround>,
    /// Months of notice a termination needs (unless for cause).
    pub notice_months: i32,
    /// Months added by one-off extensions outside the options (amendments).
    pub amended_months: i32,
    pub estimated_value_cents: Option<i64>,
    /// The procurement the contract was concluded under, if recorded.
    pub procurement_id: Option<Uuid>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
