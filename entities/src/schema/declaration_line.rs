#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "declaration_lines")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub region_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub batch_id: Uuid,
    pub line_no: i32,
    pub allocation_id: Option<Uuid>,
    pub allocation_number: i64,
    pub product_code: String,
    pub period_start: Date,
    pub period_end: Date,
    pub delivered_volume: i64,
    pub declared_amount_cents: Option<i64>,
    pub amount_cents: Option<i64>,
    pub tariff_id: Option<Uuid>,
    pub status: LineStatus,
    pub reason_code: Option<String>,
    pub reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
