//! The audit trail of a region: who changed what, when.

use entities::{schema::audit_event, TenantEntity};
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};

use super::prelude::*;

/// One audited change.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditEventOut {
    pub id: uuid::Uuid,
    pub at: chrono::DateTime<chrono::Utc>,
    /// `role:subject` of who acted.
    pub actor: String,
    #[schema(example = "update")]
    pub action: String,
    #[schema(example = "tariff")]
    pub resource: String,
    pub resource_id: String,
    /// The resource as it was after the change.
    pub details: serde_json::Value,
}

impl From<audit_event::Model> for AuditEventOut {
    fn from(m: audit_event::Model) -> Self {
        Self {
            id: m.id,
            at: m.at,
            actor: m.actor,
            action: m.action,
            resource: m.resource,
            resource_id: m.resource_id,
            details: m.details,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    /// e.g. `tariff`, `contract`.
    pub resource: Option<String>,
    pub resource_id: Option<String>,
    /// e.g. `create`, `update`, `delete`, `terminate`.
    pub action: Option<String>,
}

/// List audit events, newest first.
#[utoipa::path(
    tag = "audit",
    params(("regionCode" = String, Path, description = "Region code"), AuditFilter, PageQuery),
    responses((status = 200, body = Page<AuditEventOut>)),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/audit-events")]
pub async fn list_audit_events(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Scoped<ReadAudit>,
    filter: web::Query<AuditFilter>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let page = query.validate()?;
    let mut select =
        audit_event::Entity::scoped(&auth.scope).order_by_desc(audit_event::Column::Id);
    if let Some(resource) = &filter.resource {
        select = select.filter(audit_event::Column::Resource.eq(resource.as_str()));
    }
    if let Some(id) = &filter.resource_id {
        select = select.filter(audit_event::Column::ResourceId.eq(id.as_str()));
    }
    if let Some(action) = &filter.action {
        select = select.filter(audit_event::Column::Action.eq(action.as_str()));
    }
    let (items, total) = fetch_page(&state.db, select, page).await?;
    Ok(Page::new(
        items.into_iter().map(AuditEventOut::from).collect(),
        page,
        total,
    )
    .respond(&req))
}
