#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;

/// One of the product groups a budget ceiling over several groups reaches
/// (Contractstandaard Wmo 1.2 art. 1.5).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "budget_ceiling_groups")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub region_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub budget_ceiling_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub product_group_id: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
