use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "indexation_runs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub region_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub year: i32,
    /// = `year` unless the run failed: unique per region.
    pub active_year: Option<i32>,
    /// queued, previewed, approved, applied, failed
    pub status: String,
    /// Index percentage per product group code, as decimal strings.
    pub indices: Option<Json>,
    pub proposed_count: i32,
    pub skipped_count: i32,
    pub preview_job_id: Option<Uuid>,
    pub apply_job_id: Option<Uuid>,
    pub requested_by: Option<String>,
    pub approved_by: Option<String>,
    pub error: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub approved_at: Option<chrono::DateTime<chrono::Utc>>,
    pub applied_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
