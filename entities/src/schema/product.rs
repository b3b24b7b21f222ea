#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "products")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub region_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub product_group_id: Uuid,
    pub iwmo_category: String,
    pub unit: Unit,
    pub funding_variant: FundingVariant,
    /// Set on a temporary-intensive product: the main product whose
    /// allocations it scales up (declared against their episodes only).
    pub intensive_for_product_id: Option<Uuid>,
    /// Set on an arrangement: declared once per client and period.
    pub arrangement_period: Option<ArrangementPeriod>,
    /// From this date the product takes no new clients: a new allocation
    /// is refused for a client who held none of it in force the day before
    /// (seed 002 §4.3); current clients keep it.
    pub closed_to_new_clients_from: Option<Date>,
    /// Crisis care: an allocation of it is never refused by a budget
    /// ceiling (Contractstandaard Wmo 1.2 art. 1.5: crisis care is always
    /// paid).
    pub crisis: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
