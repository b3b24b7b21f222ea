use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "indexation_proposals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub region_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub run_id: Uuid,
    /// The tariff valid on 31 December of the year before.
    pub tariff_id: Uuid,
    pub product_id: Uuid,
    pub product_group_id: Uuid,
    pub provider_id: Option<Uuid>,
    pub municipality_id: Option<Uuid>,
    pub old_price_cents: i64,
    pub new_price_cents: Option<i64>,
    pub index_percent: Option<String>,
    /// proposed, skipped, applied
    pub status: String,
    pub skip_reason: Option<String>,
    pub new_tariff_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
