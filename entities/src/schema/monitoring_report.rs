use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "monitoring_reports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub region_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub period_from: Date,
    pub period_to: Date,
    /// queued, done, failed
    pub status: String,
    pub job_run_id: Option<Uuid>,
    /// The report's tables (`entities::report::Report`) once done.
    pub content: Option<Json>,
    pub requested_by: Option<String>,
    pub error: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// One municipality's report; `None` for the region's.
    pub municipality_id: Option<Uuid>,
    /// The cut-off: only allocations, lines and messages recorded by then count.
    pub as_of: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
