//! The region's rules as data (`.../policies/{kind}/{scope}`): temporary-
//! intensive limits per product, self-employed bans and closed product
//! groups per municipality, budget alert levels for the region. Later kinds
//! (indexation, outflow thresholds, admission) join the same resource.

use domain::policies::{self, find, Policy};
use entities::{
    policy::{kinds, PolicyRules},
    schema::policy,
    TenantEntity,
};
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};

use super::prelude::*;

/// One policy: the rules of a kind for a scope.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicyOut {
    /// `temporary-intensive` (scope: product code), `self-employed` and
    /// `closed-product-groups` (scope: municipality CBS code),
    /// `budget-alerts` (scope: `region`).
    #[schema(example = "temporary-intensive")]
    pub kind: String,
    #[schema(example = "BW0A1")]
    pub scope: String,
    /// The kind's rules, e.g. `{"maxMonths": 3, "per": "calendar-year"}`.
    #[schema(value_type = PolicyRules)]
    pub rules: serde_json::Value,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct PolicyFilter {
    pub kind: Option<String>,
}

impl From<Policy> for PolicyOut {
    fn from(p: Policy) -> Self {
        Self {
            kind: p.kind,
            scope: p.scope,
            rules: p.rules,
            updated_at: p.updated_at,
        }
    }
}

fn to_out(m: policy::Model) -> PolicyOut {
    Policy::from(m).into()
}

/// List the region's policies, by kind and scope.
#[utoipa::path(
    tag = "policies",
    params(("regionCode" = String, Path, description = "Region code"), PolicyFilter, PageQuery),
    responses((status = 200, body = Page<PolicyOut>)),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/policies")]
pub async fn list_policies(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    filter: web::Query<PolicyFilter>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let page = query.validate()?;
    let mut select = policy::Entity::scoped(&auth.scope)
        .order_by_asc(policy::Column::Kind)
        .order_by_asc(policy::Column::ScopeKey);
    if let Some(kind) = &filter.kind {
        select = select.filter(policy::Column::Kind.eq(kind.as_str()));
    }
    let (items, total) = fetch_page(&state.db, select, page).await?;
    Ok(Page::new(items.into_iter().map(to_out).collect(), page, total).respond(&req))
}

/// Get one policy.
#[utoipa::path(
    tag = "policies",
    params(("regionCode" = String, Path, description = "Region code"), ("kind" = String, Path, description = "Policy kind"), ("scope" = String, Path, description = "Scope: product code, CBS code or `region`")),
    responses((status = 200, body = PolicyOut), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/policies/{kind}/{scope}")]
pub async fn get_policy(
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    path: web::Path<(String, String, String)>,
) -> ApiResult<web::Json<PolicyOut>> {
    let found = find(&state.db, &auth.scope, &path.1, &path.2)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(web::Json(to_out(found)))
}

/// Set a policy (create or replace). The body is the rules of the kind,
/// e.g. `{"maxMonths": 3, "per": "calendar-year"}` for `temporary-intensive`.
#[utoipa::path(
    tag = "policies",
    params(("regionCode" = String, Path, description = "Region code"), ("kind" = String, Path, description = "Policy kind"), ("scope" = String, Path, description = "Scope: product code, CBS code or `region`")),
    request_body = PolicyRules,
    responses((status = 200, body = PolicyOut), (status = 400, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[put("/regions/{regionCode}/policies/{kind}/{scope}")]
pub async fn put_policy(
    state: web::Data<AppState>,
    auth: Scoped<ManageCatalogue>,
    path: web::Path<(String, String, String)>,
    body: Body<serde_json::Value>,
) -> ApiResult<web::Json<PolicyOut>> {
    let input = body.take()?;
    let (_, kind, scope_key) = path.into_inner();
    if !kinds::ALL.contains(&kind.as_str()) {
        return Err(ApiError::NotFound);
    }
    // The body's schema is one of every kind's; which kind's rules it must
    // be comes from the path, which no schema can say: any mismatch is 422.
    let rules = PolicyRules::parse(&kind, input).map_err(|e| ApiError::unprocessable("", e))?;
    let txn = entities::transaction::begin_write(&state.db).await?;
    let out = policies::put(
        &txn,
        &auth.scope,
        &auth.audit(),
        (&kind, &scope_key),
        &rules,
    )
    .await?;
    txn.commit().await?;
    Ok(web::Json(out.into()))
}

/// Remove a policy.
#[utoipa::path(
    tag = "policies",
    params(("regionCode" = String, Path, description = "Region code"), ("kind" = String, Path, description = "Policy kind"), ("scope" = String, Path, description = "Scope")),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[delete("/regions/{regionCode}/policies/{kind}/{scope}")]
pub async fn delete_policy(
    state: web::Data<AppState>,
    auth: Scoped<ManageCatalogue>,
    path: web::Path<(String, String, String)>,
) -> ApiResult<HttpResponse> {
    let txn = entities::transaction::begin_write(&state.db).await?;
    policies::delete(&txn, &auth.scope, &auth.audit(), (&path.1, &path.2)).await?;
    txn.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}
