#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;

/// A prestatie reference taken by a provider within a law (TR314): the
/// primary key makes a second use impossible, even from concurrent batches.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "declaration_references")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub region_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub provider_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub law: Law,
    #[sea_orm(primary_key, auto_increment = false)]
    pub reference_number: String,
    pub line_id: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
