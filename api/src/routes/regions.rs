//! Regions (inkoopregio's): the tenants. Created and listed by the platform.

use domain::regions::{self, Region};
use entities::schema::region;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::prelude::*;
use crate::auth::PlatformAdmin;

/// A region (inkoopregio): the tenant, with its own municipalities,
/// catalogue, tariffs, providers and contracts.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RegionOut {
    /// Stable code used in every path, e.g. `centraal-gelderland`.
    #[schema(example = "centraal-gelderland")]
    pub code: String,
    #[schema(example = "Centraal Gelderland")]
    pub name: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<Region> for RegionOut {
    fn from(r: Region) -> Self {
        Self {
            code: r.code,
            name: r.name,
            created_at: r.created_at,
        }
    }
}

impl From<region::Model> for RegionOut {
    fn from(m: region::Model) -> Self {
        Region::from(m).into()
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegionIn {
    /// Lower-case letters, digits and dashes; 2 to 64 characters, not
    /// starting or ending with a dash.
    #[schema(
        example = "centraal-gelderland",
        pattern = "^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$",
        min_length = 2
    )]
    pub code: String,
    #[schema(example = "Centraal Gelderland")]
    pub name: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegionPatch {
    pub name: Option<String>,
}

pub fn is_region_code(code: &str) -> bool {
    (2..=64).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !code.starts_with('-')
        && !code.ends_with('-')
}

/// Create a region (platform administrators).
#[utoipa::path(
    tag = "regions",
    request_body = RegionIn,
    responses(
        (status = 201, body = RegionOut),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A region with this code exists", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/regions")]
pub async fn create_region(
    state: web::Data<AppState>,
    admin: PlatformAdmin,
    body: Body<RegionIn>,
) -> ApiResult<HttpResponse> {
    let input = body.take()?;
    let mut check = Check::new();
    check.require(
        is_region_code(&input.code),
        "code",
        "must be 2 to 64 lower-case letters, digits or dashes",
    );
    check.name("name", &input.name, 200);
    check.finish()?;
    let txn = entities::transaction::begin_write(&state.db).await?;
    // The new region's id: its first audit event is the platform's.
    let audit = admin.audit_in(uuid::Uuid::now_v7());
    let created = regions::create(&txn, &audit, &input.code, input.name.trim()).await?;
    txn.commit().await?;
    state.regions.clear();
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/regions/{}", created.code)))
        .json(RegionOut::from(created)))
}

/// List regions (platform administrators).
#[utoipa::path(
    tag = "regions",
    params(PageQuery),
    responses((status = 200, body = Page<RegionOut>)),
    security(("bearer" = []))
)]
#[get("/regions")]
pub async fn list_regions(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: PlatformAdmin,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let page = query.validate()?;
    #[allow(clippy::disallowed_methods)] // the platform lists all tenants
    let select = region::Entity::find().order_by_asc(region::Column::Code);
    let (items, total) = fetch_page(&state.db, select, page).await?;
    Ok(Page::new(
        items.into_iter().map(RegionOut::from).collect(),
        page,
        total,
    )
    .respond(&req))
}

/// Get a region (its own tokens, or the platform).
#[utoipa::path(
    tag = "regions",
    params(("regionCode" = String, Path, description = "Region code")),
    responses((status = 200, body = RegionOut), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}")]
pub async fn get_region(auth: Scoped<ReadRegion>) -> ApiResult<web::Json<RegionOut>> {
    Ok(web::Json(auth.region.into()))
}

/// Rename a region (platform administrators).
#[utoipa::path(
    tag = "regions",
    params(("regionCode" = String, Path, description = "Region code")),
    request_body = RegionPatch,
    responses((status = 200, body = RegionOut), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[patch("/regions/{regionCode}")]
pub async fn update_region(
    state: web::Data<AppState>,
    admin: PlatformAdmin,
    path: web::Path<String>,
    body: Body<RegionPatch>,
) -> ApiResult<web::Json<RegionOut>> {
    let input = body.take()?;
    let mut check = Check::new();
    if let Some(name) = &input.name {
        check.name("name", name, 200);
    }
    check.finish()?;
    let txn = entities::transaction::begin_write(&state.db).await?;
    #[allow(clippy::disallowed_methods)] // the platform addresses any tenant
    let existing = region::Entity::find()
        .filter(region::Column::Code.eq(path.as_str()))
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let audit = admin.audit_in(existing.id);
    let name = input.name.as_deref().map(str::trim);
    let renamed = regions::rename(&txn, &audit, existing, name).await?;
    txn.commit().await?;
    state.regions.clear();
    Ok(web::Json(renamed.into()))
}
