use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outflow_checks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub region_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub as_of: Date,
    pub window_from: Date,
    pub window_to: Date,
    /// queued, done, failed
    pub status: String,
    pub job_run_id: Option<Uuid>,
    pub checked_count: i32,
    pub flagged_count: i32,
    /// The outflow-threshold policy the check used.
    pub policy: Option<Json>,
    pub requested_by: Option<String>,
    pub error: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
