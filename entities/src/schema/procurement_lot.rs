#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;

/// A lot (perceel) of a procurement: one product group.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "procurement_lots")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub region_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub procurement_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub product_group_id: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
