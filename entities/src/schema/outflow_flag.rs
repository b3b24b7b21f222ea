use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outflow_flags")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub region_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub check_id: Uuid,
    pub provider_id: Uuid,
    pub product_group_id: Option<Uuid>,
    pub municipality_id: Option<Uuid>,
    /// The provider's contract covering the scope, to act on.
    pub contract_id: Option<Uuid>,
    /// Distinct clients in the window.
    pub clients: i64,
    pub threshold: i64,
    /// ok, below-threshold, zero-clients, grace
    pub verdict: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
