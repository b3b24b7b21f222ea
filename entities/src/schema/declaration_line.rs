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
    /// The prestatie's ReferentieNummer, unique per provider and law (8021).
    pub reference_number: Option<String>,
    /// Set when the line took its reference (every line with one, except a
    /// line refused for reusing it): the provider and law it is unique in,
    /// enforced by a partial unique index (TR314), so concurrent batches
    /// cannot both take a number.
    pub reference_provider_id: Option<Uuid>,
    pub reference_law: Option<Law>,
    /// For a credit: the reference of the debit it reverses.
    pub previous_reference: Option<String>,
    /// A credit line: its approved amount is negative.
    pub credit: bool,
    /// The approved credit line that reversed this debit.
    pub reversed_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
