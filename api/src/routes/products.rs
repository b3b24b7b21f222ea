//! Products of the catalogue (iWmo product codes), addressed by code.

use chrono::NaiveDate;
use domain::catalogue::products::{self, NewProduct, Product, ProductChange};
use entities::{
    enums::{ArrangementPeriod, FundingVariant, Unit},
    schema::product,
    TenantEntity,
};
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};

use super::catalogue;
use super::prelude::*;

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
    /// From this date the product takes no new clients (seed 002 §4.3): a
    /// new allocation starting on or after it is refused with 422
    /// `ZR-ALLOC-PRODUCT-CLOSED` unless the client held an allocation of
    /// the product in force the day before. `null` = open.
    #[schema(example = "2023-01-01")]
    pub closed_to_new_clients_from: Option<NaiveDate>,
    /// Crisis care (Contractstandaard Wmo 1.2 art. 1.5): an allocation of
    /// it is never refused by a budget ceiling, not even when the
    /// provider's spending room is used up.
    pub crisis: bool,
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
    /// Closes the product to new clients from this date (YYYY-MM-DD).
    #[schema(value_type = Option<NaiveDate>, example = "2023-01-01")]
    pub closed_to_new_clients_from: Option<String>,
    /// Crisis care: never refused by a budget ceiling. Default false.
    #[serde(default)]
    pub crisis: bool,
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
    /// A date closes the product to new clients from that date; `null`
    /// opens it again; absent leaves it as it is.
    #[serde(default, deserialize_with = "crate::input::present")]
    #[schema(value_type = Option<NaiveDate>, example = "2023-01-01")]
    pub closed_to_new_clients_from: Option<Option<String>>,
    pub crisis: Option<bool>,
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

impl From<Product> for ProductOut {
    fn from(p: Product) -> Self {
        Self {
            code: p.code,
            name: p.name,
            product_group_code: p.product_group_code,
            iwmo_category: p.iwmo_category,
            unit: p.unit,
            funding_variant: p.funding_variant,
            intensive_for: p.intensive_for,
            arrangement_period: p.arrangement_period,
            closed_to_new_clients_from: p.closed_to_new_clients_from,
            crisis: p.crisis,
        }
    }
}

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
    let closed = check.optional_date(
        "closedToNewClientsFrom",
        input.closed_to_new_clients_from.as_deref(),
    );
    let (unit, funding_variant) = check.done(unit.zip(variant))?;
    let new = NewProduct {
        code: input.code,
        name: input.name,
        product_group_code: input.product_group_code,
        iwmo_category: input.iwmo_category,
        unit,
        funding_variant,
        intensive_for: input.intensive_for,
        arrangement_period: arrangement.flatten(),
        closed_to_new_clients_from: closed.flatten(),
        crisis: input.crisis,
    };
    let txn = entities::transaction::begin_write(&state.db).await?;
    let out = ProductOut::from(products::create(&txn, &auth.scope, &auth.audit(), new).await?);
    txn.commit().await?;
    Ok(catalogue::created(
        &auth.region.code,
        "products",
        &out.code,
        &out,
    ))
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
        let group_id = domain::catalogue::product_group(&state.db, &auth.scope, code)
            .await?
            .map(|g| g.id);
        select = select.filter(product::Column::ProductGroupId.eq(group_id.unwrap_or_default()));
    }
    catalogue::list::<_, ProductOut>(&req, &state.db, &auth.scope, select, page).await
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
    catalogue::get::<product::Entity, _>(&state.db, &auth.scope, &path.1).await
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
    let closed = input
        .closed_to_new_clients_from
        .map(|date| check.optional_date("closedToNewClientsFrom", date.as_deref()));
    check.finish()?;
    let change = ProductChange {
        name: input.name,
        product_group_code: input.product_group_code,
        iwmo_category: input.iwmo_category,
        unit: unit.flatten(),
        funding_variant: variant.flatten(),
        intensive_for: input.intensive_for,
        arrangement_period: arrangement.flatten(),
        closed_to_new_clients_from: closed.flatten(),
        crisis: input.crisis,
    };
    let txn = entities::transaction::begin_write(&state.db).await?;
    let saved = products::change(&txn, &auth.scope, &auth.audit(), &path.1, change).await?;
    txn.commit().await?;
    Ok(web::Json(saved.into()))
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
    catalogue::delete::<product::Entity>(&state.db, &auth.scope, &auth.audit(), &path.1).await
}
