#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;

/// The approved spend per year, product group, municipality and provider:
/// `spend_rollups`' cells summed over their year (migration 18), for the
/// whole years of a report's period.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "yearly_spend_rollups")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub region_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub year: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub product_group_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub municipality_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub provider_id: Uuid,
    pub amount_cents: i64,
    pub line_count: i64,
    pub minutes: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
