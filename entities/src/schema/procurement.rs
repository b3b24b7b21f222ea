#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;

/// A procurement (inkoopprocedure): the procedure contracts are concluded
/// under, with its form, lots, estimated total value and dates.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "procurements")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub region_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Unique in the region; contracts name it as `procurementCode`.
    pub code: String,
    pub name: String,
    pub form: ProcedureForm,
    /// The estimated value of the whole procurement, all lots and years.
    pub estimated_value_cents: Option<i64>,
    pub published_on: Option<Date>,
    pub awarded_on: Option<Date>,
    /// At most so many candidates selected (seed 003: seven).
    pub max_selected: Option<i32>,
    /// At most so many contracts awarded (seed 003: five).
    pub max_awards: Option<i32>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
