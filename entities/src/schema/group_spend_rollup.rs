#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;

/// The approved spend per month, product group and municipality:
/// `spend_rollups`' cells summed over their providers (migration 18), for
/// the report's monthly trends.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "group_spend_rollups")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub region_id: Uuid,
    /// The first day of the month.
    #[sea_orm(primary_key, auto_increment = false)]
    pub month: Date,
    #[sea_orm(primary_key, auto_increment = false)]
    pub product_group_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub municipality_id: Uuid,
    pub amount_cents: i64,
    pub line_count: i64,
    /// Approved hours in minutes, as in `spend_rollups`.
    pub minutes: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
