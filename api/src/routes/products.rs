//! Products of the catalogue (iWmo product codes), addressed by code.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use domain::catalogue;
use entities::{
    enums::{ArrangementPeriod, FundingVariant, Unit},
    schema::{product, product_group},
    RegionScope, TenantEntity,
};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    auth::{ManageCatalogue, ReadRegion, Scoped},
    error::{ApiError, ApiResult, Problem},
    input::{Body, Check},
    pagination::{fetch_page, Page, PageQuery},
    state::AppState,
};

/// A product (product in the productenboek), priced per unit.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProductOut {
    /// iWmo-style product code, at most 5 characters.
    #[schema(example = "15A01")]
    pub code: String,
    #[schema(example = "Beschermd Wonen A")]
    pub name: String,
    #[schema(example = "BW")]
    pub product_group_code: String,
    /// iWmo product category, 2 digits.
    #[schema(example = "15")]
    pub iwmo_category: String,
    pub unit: Unit,
    pub funding_variant: FundingVariant,
    /// On a temporary-intensive product: the main product it scales up. It
    /// is never allocated itself; its hours are declared against a main
    /// allocation's episodes (extra hours per week).
    #[schema(example = "BW0C1")]
    pub intensive_for: Option<String>,
    /// On an arrangement (output funding): what one arrangement covers, a
    /// calendar month or a stay. Declared once per client and period.
    pub arrangement_period: Option<ArrangementPeriod>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProductIn {
    /// iWmo product code: 1 to 5 letters or digits.
    #[schema(example = "15A01", pattern = "^[A-Za-z0-9]{1,5}$")]
    pub code: String,
    #[schema(example = "Beschermd Wonen A")]
    pub name: String,
    #[schema(example = "BW")]
    pub product_group_code: String,
    #[schema(example = "15")]
    pub iwmo_category: String,
    #[schema(value_type = Unit)]
    pub unit: String,
    #[schema(value_type = FundingVariant)]
    pub funding_variant: String,
    /// Makes this a temporary-intensive product of that main product
    /// (unit hour or minute).
    #[schema(example = "BW0C1")]
    pub intensive_for: Option<String>,
    /// Makes this an arrangement (output funding only).
    #[schema(value_type = Option<ArrangementPeriod>)]
    pub arrangement_period: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProductPatch {
    pub name: Option<String>,
    pub product_group_code: Option<String>,
    pub iwmo_category: Option<String>,
    #[schema(value_type = Option<Unit>)]
    pub unit: Option<String>,
    #[schema(value_type = Option<FundingVariant>)]
    pub funding_variant: Option<String>,
    pub intensive_for: Option<String>,
    #[schema(value_type = Option<ArrangementPeriod>)]
    pub arrangement_period: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ProductFilter {
    /// Only products of this group.
    pub product_group_code: Option<String>,
}

fn check_product_code(check: &mut Check, code: &str) {
    let ok = !code.is_empty() && code.len() <= 5 && code.bytes().all(|b| b.is_ascii_alphanumeric());
    check.require(
        ok,
        "code",
        "must be 1 to 5 letters or digits (iWmo product code)",
    );
}

fn check_category(check: &mut Check, category: &str) {
    check.digits("iwmoCategory", category, 2);
}

async fn group_of<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    code: &str,
) -> ApiResult<product_group::Model> {
    catalogue::product_group(db, scope, code)
        .await?
        .ok_or_else(|| {
            ApiError::unprocessable("productGroupCode", "no such product group in this region")
        })
}

async fn to_out<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    m: product::Model,
) -> ApiResult<ProductOut> {
    let group = product_group::Entity::find_scoped(db, scope, m.product_group_id).await?;
    let main = match m.intensive_for_product_id {
        Some(id) => product::Entity::find_scoped(db, scope, id)
            .await?
            .map(|p| p.code),
        None => None,
    };
    Ok(with_group(
        m,
        group.map(|g| g.code).unwrap_or_default(),
        main,
    ))
}

/// The links a product may carry, checked: a temporary-intensive product
/// (hour or minute) belongs to a main product of the same region that is
/// no temporary-intensive product itself; an arrangement is output-funded.
async fn check_links<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    code: &str,
    unit: Unit,
    variant: FundingVariant,
    intensive_for: Option<&str>,
    arrangement: Option<ArrangementPeriod>,
) -> ApiResult<Option<uuid::Uuid>> {
    let mut check = Check::new();
    check.require_rule(
        arrangement.is_none() || variant == FundingVariant::Output,
        "arrangementPeriod",
        "an arrangement is output-funded (fundingVariant output)",
    );
    let mut main_id = None;
    if let Some(main_code) = intensive_for {
        let main = catalogue::product(db, scope, main_code).await?;
        let fits = main
            .as_ref()
            .is_some_and(|m| m.code != code && m.intensive_for_product_id.is_none());
        check.require_rule(
            fits,
            "intensiveFor",
            "must name another main product of this region",
        );
        check.require_rule(
            matches!(unit, Unit::Hour | Unit::Minute),
            "unit",
            "a temporary-intensive product is counted in hours (or minutes)",
        );
        main_id = main.map(|m| m.id);
    }
    check.finish()?;
    Ok(main_id)
}

fn with_group(
    m: product::Model,
    product_group_code: String,
    intensive_for: Option<String>,
) -> ProductOut {
    ProductOut {
        code: m.code,
        name: m.name,
        product_group_code,
        iwmo_category: m.iwmo_category,
        unit: m.unit,
        funding_variant: m.funding_variant,
        intensive_for,
        arrangement_period: m.arrangement_period,
    }
}

use entities::TenantRecord;

/// Add a product to the catalogue.
#[utoipa::path(
    tag = "catalogue",
    params(("regionCode" = String, Path, description = "Region code")),
    request_body = ProductIn,
    responses((status = 201, body = ProductOut), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[post("/regions/{regionCode}/products")]
pub async fn create_product(
    state: web::Data<AppState>,
    auth: Scoped<ManageCatalogue>,
    body: Body<ProductIn>,
) -> ApiResult<HttpResponse> {
    let input = body.take()?;
    let mut check = Check::new();
    check_product_code(&mut check, &input.code);
    check.name("name", &input.name, 200);
    check_category(&mut check, &input.iwmo_category);
    let unit = check.one_of::<Unit>("unit", &input.unit);
    let variant = check.one_of::<FundingVariant>("fundingVariant", &input.funding_variant);
    let arrangement = input
        .arrangement_period
        .as_deref()
        .map(|a| check.one_of::<ArrangementPeriod>("arrangementPeriod", a));
    let (unit, variant) = check.done(unit.zip(variant))?;
    let arrangement = arrangement.flatten();
    let txn = entities::transaction::begin_write(&state.db).await?;
    let group = group_of(&txn, &auth.scope, &input.product_group_code).await?;
    let main_id = check_links(
        &txn,
        &auth.scope,
        &input.code,
        unit,
        variant,
        input.intensive_for.as_deref(),
        arrangement,
    )
    .await?;
    let model = product::ActiveModel {
        region_id: Set(auth.scope.region_id),
        id: Set(uuid::Uuid::now_v7()),
        code: Set(input.code.clone()),
        name: Set(input.name.trim().to_owned()),
        product_group_id: Set(group.id),
        iwmo_category: Set(input.iwmo_category.clone()),
        unit: Set(unit),
        funding_variant: Set(variant),
        intensive_for_product_id: Set(main_id),
        arrangement_period: Set(arrangement),
        created_at: Set(entities::clock::now()),
    }
    .insert(&txn)
    .await?;
    let out = with_group(model, group.code, input.intensive_for.clone());
    auth.audit()
        .record(&txn, "create", "product", &out.code, &out)
        .await?;
    txn.commit().await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/api/v1/regions/{}/products/{}", auth.region.code, out.code),
        ))
        .json(out))
}

/// List products, by code; filter by product group.
#[utoipa::path(
    tag = "catalogue",
    params(("regionCode" = String, Path, description = "Region code"), ProductFilter, PageQuery),
    responses((status = 200, body = Page<ProductOut>)),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/products")]
pub async fn list_products(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    filter: web::Query<ProductFilter>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let page = query.validate()?;
    let mut select = product::Entity::scoped(&auth.scope).order_by_asc(product::Column::Code);
    if let Some(code) = &filter.product_group_code {
        // An unknown group matches nothing: an empty page, not an error.
        let group_id = catalogue::product_group(&state.db, &auth.scope, code)
            .await?
            .map(|g| g.id);
        select = select.filter(product::Column::ProductGroupId.eq(group_id.unwrap_or_default()));
    }
    let (items, total) = fetch_page(&state.db, select, page).await?;
    let groups = product_group::Entity::scoped(&auth.scope)
        .all(&state.db)
        .await?;
    let mains: std::collections::HashMap<uuid::Uuid, String> =
        match items.iter().any(|m| m.intensive_for_product_id.is_some()) {
            true => product::Entity::scoped(&auth.scope)
                .all(&state.db)
                .await?
                .into_iter()
                .map(|p| (p.id, p.code))
                .collect(),
            false => Default::default(),
        };
    let out = items
        .into_iter()
        .map(|m| {
            let code = groups
                .iter()
                .find(|g| g.id == m.product_group_id)
                .map(|g| g.code.clone())
                .unwrap_or_default();
            let main = m
                .intensive_for_product_id
                .and_then(|id| mains.get(&id).cloned());
            with_group(m, code, main)
        })
        .collect();
    Ok(Page::new(out, page, total).respond(&req))
}

/// Get a product by code.
#[utoipa::path(
    tag = "catalogue",
    params(("regionCode" = String, Path, description = "Region code"), ("code" = String, Path, description = "Product code")),
    responses((status = 200, body = ProductOut), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/products/{code}")]
pub async fn get_product(
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    path: web::Path<(String, String)>,
) -> ApiResult<web::Json<ProductOut>> {
    let m = catalogue::product(&state.db, &auth.scope, &path.1)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(web::Json(to_out(&state.db, &auth.scope, m).await?))
}

/// Change a product.
#[utoipa::path(
    tag = "catalogue",
    params(("regionCode" = String, Path, description = "Region code"), ("code" = String, Path, description = "Product code")),
    request_body = ProductPatch,
    responses((status = 200, body = ProductOut), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[patch("/regions/{regionCode}/products/{code}")]
pub async fn update_product(
    state: web::Data<AppState>,
    auth: Scoped<ManageCatalogue>,
    path: web::Path<(String, String)>,
    body: Body<ProductPatch>,
) -> ApiResult<web::Json<ProductOut>> {
    let input = body.take()?;
    let mut check = Check::new();
    if let Some(name) = &input.name {
        check.name("name", name, 200);
    }
    if let Some(category) = &input.iwmo_category {
        check_category(&mut check, category);
    }
    let unit = input
        .unit
        .as_deref()
        .map(|u| check.one_of::<Unit>("unit", u));
    let variant = input
        .funding_variant
        .as_deref()
        .map(|v| check.one_of::<FundingVariant>("fundingVariant", v));
    let arrangement = input
        .arrangement_period
        .as_deref()
        .map(|a| check.one_of::<ArrangementPeriod>("arrangementPeriod", a));
    check.finish()?;
    let txn = entities::transaction::begin_write(&state.db).await?;
    let existing = catalogue::product(&txn, &auth.scope, &path.1)
        .await?
        .ok_or(ApiError::NotFound)?;
    let main_id = check_links(
        &txn,
        &auth.scope,
        &existing.code,
        unit.flatten().unwrap_or(existing.unit),
        variant.flatten().unwrap_or(existing.funding_variant),
        input.intensive_for.as_deref(),
        arrangement.flatten().or(existing.arrangement_period),
    )
    .await?;
    let mut model: product::ActiveModel = existing.into();
    if let Some(id) = main_id {
        model.intensive_for_product_id = Set(Some(id));
    }
    if let Some(Some(period)) = arrangement {
        model.arrangement_period = Set(Some(period));
    }
    if let Some(name) = &input.name {
        model.name = Set(name.trim().to_owned());
    }
    if let Some(code) = &input.product_group_code {
        model.product_group_id = Set(group_of(&txn, &auth.scope, code).await?.id);
    }
    if let Some(category) = &input.iwmo_category {
        model.iwmo_category = Set(category.clone());
    }
    if let Some(Some(unit)) = unit {
        model.unit = Set(unit);
    }
    if let Some(Some(variant)) = variant {
        model.funding_variant = Set(variant);
    }
    let out = to_out(&txn, &auth.scope, model.update(&txn).await?).await?;
    auth.audit()
        .record(&txn, "update", "product", &out.code, &out)
        .await?;
    txn.commit().await?;
    Ok(web::Json(out))
}

/// Remove a product without tariffs or allocations (409 otherwise).
#[utoipa::path(
    tag = "catalogue",
    params(("regionCode" = String, Path, description = "Region code"), ("code" = String, Path, description = "Product code")),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[delete("/regions/{regionCode}/products/{code}")]
pub async fn delete_product(
    state: web::Data<AppState>,
    auth: Scoped<ManageCatalogue>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let txn = entities::transaction::begin_write(&state.db).await?;
    let existing = catalogue::product(&txn, &auth.scope, &path.1)
        .await?
        .ok_or(ApiError::NotFound)?;
    product::Entity::delete_scoped_by_id(&txn, &auth.scope, existing.id).await?;
    auth.audit()
        .record(
            &txn,
            "delete",
            "product",
            &existing.code,
            serde_json::json!({}),
        )
        .await?;
    txn.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}
