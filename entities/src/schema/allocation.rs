#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "allocations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub region_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub allocation_number: i64,
    /// Pseudonymous client key: HMAC of the BSN under a server secret; the BSN itself is never stored.
    pub client_key: String,
    /// The pseudonym's number (`crate::client_number`), for counting.
    pub client_number: i64,
    pub municipality_id: Uuid,
    pub product_id: Uuid,
    pub provider_id: Uuid,
    pub start_date: Date,
    pub end_date: Option<Date>,
    pub volume_amount: Option<i64>,
    pub volume_unit: Option<Unit>,
    pub volume_frequency: Option<VolumeFrequency>,
    pub budget_cents: Option<i64>,
    pub stopped_on: Option<Date>,
    pub stop_reason: Option<String>,
    /// The first day of care as the provider reported it (iWmo 305).
    pub care_started_on: Option<Date>,
    /// The last day of care as the provider reported it (iWmo 307).
    pub care_ended_on: Option<Date>,
    /// The 307's RedenBeeindiging (WMO588 / JZ588), when it named one.
    pub care_end_reason: Option<String>,
    /// Set when a 301 removed the allocation (RedenWijziging 13): it stays for
    /// the history, but nothing can be declared on it (9384).
    pub removed_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Who referred the client (COD327: `01` municipality, `02` GP … `08`
    /// court); unknown when absent.
    pub referrer: Option<String>,
    /// The provider's location where the care is given (places).
    pub location_id: Option<Uuid>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
