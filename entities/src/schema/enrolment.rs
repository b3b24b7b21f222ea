#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "enrolments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub region_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub provider_id: Uuid,
    pub procurement_form: ProcurementForm,
    /// JSON array of the product group ids applied for.
    pub product_group_ids: Json,
    /// JSON array of the municipality ids applied for.
    pub municipality_ids: Json,
    /// The start date the provider asks for.
    pub start_date: Date,
    pub status: EnrolmentStatus,
    pub decision_reason: Option<String>,
    /// The contract an admission created.
    pub contract_id: Option<Uuid>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub decided_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
