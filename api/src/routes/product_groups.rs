//! Product groups (percelen / segmenten) of the catalogue, addressed by code.

use domain::catalogue::product_groups::{self, NewProductGroup, ProductGroup, ProductGroupChange};
use entities::{enums::Law, schema::product_group, TenantEntity};
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};

use super::catalogue;
use super::prelude::*;

/// A product group (perceel / segment) of the catalogue, under one law.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProductGroupOut {
    #[schema(example = "BW")]
    pub code: String,
    #[schema(example = "Beschermd Wonen")]
    pub name: String,
    pub law: Law,
}

impl From<ProductGroup> for ProductGroupOut {
    fn from(g: ProductGroup) -> Self {
        Self {
            code: g.code,
            name: g.name,
            law: g.law,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProductGroupIn {
    /// 1 to 32 letters, digits, `-` or `_`.
    #[schema(example = "BW", pattern = "^[A-Za-z0-9_-]{1,32}$")]
    pub code: String,
    #[schema(example = "Beschermd Wonen")]
    pub name: String,
    #[schema(value_type = Law)]
    pub law: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProductGroupPatch {
    pub name: Option<String>,
    #[schema(value_type = Option<Law>)]
    pub law: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ProductGroupFilter {
    /// Only groups under this law.
    #[param(value_type = Option<Law>)]
    pub law: Option<String>,
}

/// Add a product group.
#[utoipa::path(
    tag = "catalogue",
    params(("regionCode" = String, Path, description = "Region code")),
    request_body = ProductGroupIn,
    responses((status = 201, body = ProductGroupOut), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[post("/regions/{regionCode}/product-groups")]
pub async fn create_product_group(
    state: web::Data<AppState>,
    auth: Scoped<ManageCatalogue>,
    body: Body<ProductGroupIn>,
) -> ApiResult<HttpResponse> {
    let input = body.take()?;
    let mut check = Check::new();
    check.code("code", &input.code, 32);
    check.name("name", &input.name, 200);
    let law = check.one_of::<Law>("law", &input.law);
    let law = check.done(law)?;
    let new = NewProductGroup {
        code: input.code,
        name: input.name,
        law,
    };
    let txn = entities::transaction::begin_write(&state.db).await?;
    let out =
        ProductGroupOut::from(product_groups::create(&txn, &auth.scope, &auth.audit(), new).await?);
    txn.commit().await?;
    Ok(catalogue::created(
        &auth.region.code,
        "product-groups",
        &out.code,
        &out,
    ))
}

/// List product groups, by code.
#[utoipa::path(
    tag = "catalogue",
    params(("regionCode" = String, Path, description = "Region code"), ProductGroupFilter, PageQuery),
    responses((status = 200, body = Page<ProductGroupOut>)),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/product-groups")]
pub async fn list_product_groups(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    filter: web::Query<ProductGroupFilter>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let page = query.validate()?;
    let mut check = Check::new();
    let law = filter.law.as_deref().map(|l| check.one_of::<Law>("law", l));
    check.finish()?;
    let mut select =
        product_group::Entity::scoped(&auth.scope).order_by_asc(product_group::Column::Code);
    if let Some(Some(law)) = law {
        select = select.filter(product_group::Column::Law.eq(law));
    }
    catalogue::list::<_, ProductGroupOut>(&req, &state.db, &auth.scope, select, page).await
}

/// Get a product group by code.
#[utoipa::path(
    tag = "catalogue",
    params(("regionCode" = String, Path, description = "Region code"), ("code" = String, Path, description = "Product group code")),
    responses((status = 200, body = ProductGroupOut), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/product-groups/{code}")]
pub async fn get_product_group(
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    path: web::Path<(String, String)>,
) -> ApiResult<web::Json<ProductGroupOut>> {
    catalogue::get::<product_group::Entity, _>(&state.db, &auth.scope, &path.1).await
}

/// Change a product group's name or law.
#[utoipa::path(
    tag = "catalogue",
    params(("regionCode" = String, Path, description = "Region code"), ("code" = String, Path, description = "Product group code")),
    request_body = ProductGroupPatch,
    responses((status = 200, body = ProductGroupOut), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[patch("/regions/{regionCode}/product-groups/{code}")]
pub async fn update_product_group(
    state: web::Data<AppState>,
    auth: Scoped<ManageCatalogue>,
    path: web::Path<(String, String)>,
    body: Body<ProductGroupPatch>,
) -> ApiResult<web::Json<ProductGroupOut>> {
    let input = body.take()?;
    let mut check = Check::new();
    if let Some(name) = &input.name {
        check.name("name", name, 200);
    }
    let law = input.law.as_deref().map(|l| check.one_of::<Law>("law", l));
    check.finish()?;
    let change = ProductGroupChange {
        name: input.name,
        law: law.flatten(),
    };
    let txn = entities::transaction::begin_write(&state.db).await?;
    let saved = product_groups::change(&txn, &auth.scope, &auth.audit(), &path.1, change).await?;
    txn.commit().await?;
    Ok(web::Json(saved.into()))
}

/// Remove a product group without products or contracts (409 otherwise).
#[utoipa::path(
    tag = "catalogue",
    params(("regionCode" = String, Path, description = "Region code"), ("code" = String, Path, description = "Product group code")),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[delete("/regions/{regionCode}/product-groups/{code}")]
pub async fn delete_product_group(
    state: web::Data<AppState>,
    auth: Scoped<ManageCatalogue>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    catalogue::delete::<product_group::Entity>(&state.db, &auth.scope, &auth.audit(), &path.1).await
}
