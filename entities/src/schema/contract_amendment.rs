#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contract_amendments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub region_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub contract_id: Uuid,
    pub kind: AmendmentKind,
    pub reason: Option<String>,
    pub effective_on: Date,
    /// What changed: `{"extensionMonths": 6}`, or the lots or
    /// municipalities `{"before": [...], "after": [...]}`, or `{"text": ...}`.
    pub change: Json,
    /// Who made it (role and subject of the token).
    pub actor: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
