#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;

/// Per year, client, product group, municipality and provider: a bit per
/// month with an approved line (bit 0 = January), so distinct clients are
/// counted without reading allocations or lines (the report ORs over
/// providers, the outflow check counts per provider).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "declared_clients")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub region_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub year: i32,
    /// The client's number (`crate::client_number`, from the pseudonym).
    #[sea_orm(primary_key, auto_increment = false)]
    pub client_number: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub product_group_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub municipality_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub provider_id: Uuid,
    pub months_mask: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
