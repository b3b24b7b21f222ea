//! Product groups (percelen / segmenten) of the catalogue, addressed by code.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use domain::catalogue;
use entities::{enums::Law, schema::product_group, TenantEntity, TenantRecord};
use sea_orm::{ActiveModelTrait, ColumnTrait, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    auth::{ManageCatalogue, ReadRegion, Scoped},
    error::{ApiError, ApiResult, Problem},
    input::{Body, Check},
    pagination::{fetch_page, Page, PageQuery},
    state::AppState,
};

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

impl From<product_group::Model> for ProductGroupOut {
    fn from(m: product_group::Model) -> Self {
        Self {
            code: m.code,
            name: m.name,
            law: m.law,
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
    let txn = entities::transaction::begin_write(&state.db).await?;
    let model = product_group::ActiveModel {
        region_id: Set(auth.scope.region_id),
        id: Set(uuid::Uuid::now_v7()),
        code: Set(input.code.clone()),
        name: Set(input.name.trim().to_owned()),
        law: Set(law),
        created_at: Set(entities::clock::now()),
    }
    .insert(&txn)
    .await?;
    let out = ProductGroupOut::from(model);
    auth.audit()
        .record(&txn, "create", "product-group", &out.code, &out)
        .await?;
    txn.commit().await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!(
                "/api/v1/regions/{}/product-groups/{}",
                auth.region.code, out.code
            ),
        ))
        .json(out))
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
    let (items, total) = fetch_page(&state.db, select, page).await?;
    Ok(Page::new(
        items.into_iter().map(ProductGroupOut::from).collect(),
        page,
        total,
    )
    .respond(&req))
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
    let m = catalogue::product_group(&state.db, &auth.scope, &path.1)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(web::Json(m.into()))
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
    let txn = entities::transaction::begin_write(&state.db).await?;
    let existing = catalogue::product_group(&txn, &auth.scope, &path.1)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut model: product_group::ActiveModel = existing.into();
    if let Some(name) = &input.name {
        model.name = Set(name.trim().to_owned());
    }
    if let Some(Some(law)) = law {
        model.law = Set(law);
    }
    let out = ProductGroupOut::from(model.update(&txn).await?);
    auth.audit()
        .record(&txn, "update", "product-group", &out.code, &out)
        .await?;
    txn.commit().await?;
    Ok(web::Json(out))
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
    let txn = entities::transaction::begin_write(&state.db).await?;
    let existing = catalogue::product_group(&txn, &auth.scope, &path.1)
        .await?
        .ok_or(ApiError::NotFound)?;
    product_group::Entity::delete_scoped_by_id(&txn, &auth.scope, existing.id).await?;
    auth.audit()
        .record(
            &txn,
            "delete",
            "product-group",
            &existing.code,
            serde_json::json!({}),
        )
        .await?;
    txn.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}
