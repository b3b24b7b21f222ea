//! Tariffs (tarieven): the price of a product for a period, for the whole
//! region or differentiated per provider and/or municipality. Versions of the
//! same product/provider/municipality never overlap.

use chrono::NaiveDate;
use domain::catalogue::{
    self,
    tariffs::{self, NewTariff, Tariff, TariffChange, TariffCodes},
};
use entities::{money::euros_to_cents, schema::tariff, TenantEntity, TenantRecord};
use rust_decimal::Decimal;
use sea_orm::{sea_query::Condition, ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::prelude::*;

/// A tariff (tarief): price per unit of a product for a period.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TariffOut {
    pub id: Uuid,
    #[schema(example = "15A01")]
    pub product_code: String,
    #[schema(example = "2025-01-01")]
    pub valid_from: NaiveDate,
    /// Last day of validity; `null` = open-ended.
    pub valid_to: Option<NaiveDate>,
    /// Euros per unit of the product, as a decimal string.
    #[schema(value_type = String, example = "73.47")]
    pub price: Decimal,
    /// Set for a provider-specific (differentiated) tariff.
    pub provider_agb: Option<String>,
    /// Set for a municipality-specific tariff.
    pub municipality_cbs: Option<String>,
    /// The version this one replaces (indexation).
    pub supersedes_id: Option<Uuid>,
    /// The indexation run that made this version.
    pub indexation_run_id: Option<Uuid>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TariffIn {
    #[schema(example = "15A01")]
    pub product_code: String,
    #[schema(value_type = NaiveDate, example = "2025-01-01")]
    pub valid_from: String,
    #[schema(value_type = Option<NaiveDate>)]
    pub valid_to: Option<String>,
    /// Euros as a decimal string with at most two decimals; JSON numbers are refused.
    #[schema(example = "70.00")]
    pub price: String,
    pub provider_agb: Option<String>,
    pub municipality_cbs: Option<String>,
}

/// Close a tariff (`validTo`) or correct its price.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TariffPatch {
    #[schema(value_type = Option<NaiveDate>)]
    pub valid_to: Option<String>,
    pub price: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct TariffFilter {
    /// Only tariffs of this product.
    pub product_code: Option<String>,
    /// Only tariffs specific to this provider.
    pub provider_agb: Option<String>,
    /// Only tariffs specific to this municipality.
    pub municipality_cbs: Option<String>,
    /// Only tariffs valid on this date (YYYY-MM-DD).
    #[param(value_type = Option<NaiveDate>)]
    pub date: Option<String>,
}

impl From<Tariff> for TariffOut {
    fn from(t: Tariff) -> Self {
        Self {
            id: t.id,
            product_code: t.product_code,
            valid_from: t.valid_from,
            valid_to: t.valid_to,
            price: t.price,
            provider_agb: t.provider_agb,
            municipality_cbs: t.municipality_cbs,
            supersedes_id: t.supersedes_id,
            indexation_run_id: t.indexation_run_id,
        }
    }
}

fn check_period(check: &mut Check, from: Option<NaiveDate>, to: Option<Option<NaiveDate>>) {
    if let (Some(from), Some(Some(to))) = (from, to) {
        check.require_rule(to >= from, "validTo", "must not be before validFrom");
    }
}

/// Add a tariff (version). Overlapping versions of the same product,
/// provider and municipality are refused with 409 `ZR-TARIFF-OVERLAP`.
#[utoipa::path(
    tag = "tariffs",
    params(("regionCode" = String, Path, description = "Region code")),
    request_body = TariffIn,
    responses(
        (status = 201, body = TariffOut),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Overlaps another version", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/regions/{regionCode}/tariffs")]
pub async fn create_tariff(
    state: web::Data<AppState>,
    auth: Scoped<ManageCatalogue>,
    body: Body<TariffIn>,
) -> ApiResult<HttpResponse> {
    let input = body.take()?;
    let mut check = Check::new();
    let from = check.date("validFrom", &input.valid_from);
    let to = check.optional_date("validTo", input.valid_to.as_deref());
    let price = check.euros("price", &input.price);
    check_period(&mut check, from, to);
    if let Some(price) = price {
        check.require(price >= Decimal::ZERO, "price", "must not be negative");
    }
    let txn = entities::transaction::begin_write(&state.db).await?;
    let product = catalogue::product(&txn, &auth.scope, &input.product_code).await?;
    check.require_rule(
        product.is_some(),
        "productCode",
        "no such product in this region",
    );
    let provider = match &input.provider_agb {
        Some(agb) => {
            let found = catalogue::provider(&txn, &auth.scope, agb).await?;
            check.require_rule(
                found.is_some(),
                "providerAgb",
                "no such provider in this region",
            );
            found.map(|p| p.id)
        }
        None => None,
    };
    let municipality = match &input.municipality_cbs {
        Some(cbs) => {
            let found = catalogue::municipality(&txn, &auth.scope, cbs).await?;
            check.require_rule(
                found.is_some(),
                "municipalityCbs",
                "no such municipality in this region",
            );
            found.map(|m| m.id)
        }
        None => None,
    };
    let (((product, from), to), price) = check.done(product.zip(from).zip(to).zip(price))?;
    let price_cents =
        euros_to_cents(price).ok_or_else(|| ApiError::invalid("price", "is out of range"))?;
    let out = TariffOut::from(
        tariffs::create(
            &txn,
            &auth.scope,
            &auth.audit(),
            NewTariff {
                product_id: product.id,
                provider_id: provider,
                municipality_id: municipality,
                valid_from: from,
                valid_to: to,
                price_cents,
            },
        )
        .await?,
    );
    txn.commit().await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/api/v1/regions/{}/tariffs/{}", auth.region.code, out.id),
        ))
        .json(out))
}

/// List tariffs; filter by product, provider, municipality and date.
/// A provider token sees the region's tariffs and its own, not other providers'.
#[utoipa::path(
    tag = "tariffs",
    params(("regionCode" = String, Path, description = "Region code"), TariffFilter, PageQuery),
    responses((status = 200, body = Page<TariffOut>), (status = 400, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/tariffs")]
pub async fn list_tariffs(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    filter: web::Query<TariffFilter>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let page = query.validate()?;
    let mut check = Check::new();
    let date = filter.date.as_deref().map(|d| check.date("date", d));
    check.finish()?;
    let db = &state.db;
    let scope = &auth.scope;
    let mut select = tariff::Entity::scoped(scope)
        .order_by_asc(tariff::Column::ProductId)
        .order_by_asc(tariff::Column::ValidFrom)
        .order_by_asc(tariff::Column::Id);
    // An unknown code matches nothing: an empty page rather than an error.
    if let Some(code) = &filter.product_code {
        let id = catalogue::product(db, scope, code).await?.map(|p| p.id);
        select = select.filter(tariff::Column::ProductId.eq(id.unwrap_or_default()));
    }
    if let Some(agb) = &filter.provider_agb {
        let id = catalogue::provider(db, scope, agb).await?.map(|p| p.id);
        select = select.filter(tariff::Column::ProviderId.eq(id.unwrap_or_default()));
    }
    if let Some(cbs) = &filter.municipality_cbs {
        let id = catalogue::municipality(db, scope, cbs).await?.map(|m| m.id);
        select = select.filter(tariff::Column::MunicipalityId.eq(id.unwrap_or_default()));
    }
    if let Some(Some(date)) = date {
        select = select.filter(tariff::Column::ValidFrom.lte(date)).filter(
            Condition::any()
                .add(tariff::Column::ValidTo.is_null())
                .add(tariff::Column::ValidTo.gte(date)),
        );
    }
    let select = select.filter(auth.party.tariffs());
    let (items, total) = fetch_page(db, select, page).await?;
    let codes = TariffCodes::load(db, scope, &items).await?;
    let out = items
        .into_iter()
        .map(|t| TariffOut::from(codes.describe(t)))
        .collect();
    Ok(Page::new(out, page, total).respond(&req))
}

async fn find_visible<C: ConnectionTrait>(
    db: &C,
    auth: &Scoped<impl crate::auth::Permission>,
    id: Uuid,
) -> ApiResult<tariff::Model> {
    tariff::Entity::scoped(&auth.scope)
        .filter(tariff::Column::Id.eq(id))
        .filter(auth.party.tariffs())
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Get a tariff.
#[utoipa::path(
    tag = "tariffs",
    params(("regionCode" = String, Path, description = "Region code"), ("id" = Uuid, Path, description = "Tariff id")),
    responses((status = 200, body = TariffOut), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/tariffs/{id}")]
pub async fn get_tariff(
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    path: web::Path<(String, Uuid)>,
) -> ApiResult<web::Json<TariffOut>> {
    let found = find_visible(&state.db, &auth, path.1).await?;
    Ok(web::Json(
        tariffs::describe(&state.db, &auth.scope, found)
            .await?
            .into(),
    ))
}

/// Close a tariff (set `validTo`) or correct its price; overlaps are refused.
#[utoipa::path(
    tag = "tariffs",
    params(("regionCode" = String, Path, description = "Region code"), ("id" = Uuid, Path, description = "Tariff id")),
    request_body = TariffPatch,
    responses(
        (status = 200, body = TariffOut),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/regions/{regionCode}/tariffs/{id}")]
pub async fn update_tariff(
    state: web::Data<AppState>,
    auth: Scoped<ManageCatalogue>,
    path: web::Path<(String, Uuid)>,
    body: Body<TariffPatch>,
) -> ApiResult<web::Json<TariffOut>> {
    let input = body.take()?;
    let mut check = Check::new();
    let to = check.optional_date("validTo", input.valid_to.as_deref());
    let price = input.price.as_deref().map(|p| check.euros("price", p));
    if let Some(Some(price)) = price {
        check.require(price >= Decimal::ZERO, "price", "must not be negative");
    }
    let txn = entities::transaction::begin_write(&state.db).await?;
    let existing = tariff::Entity::find_scoped(&txn, &auth.scope, path.1)
        .await?
        .ok_or(ApiError::NotFound)?;
    check_period(&mut check, Some(existing.valid_from), to);
    check.finish()?;
    let price_cents = match price {
        Some(Some(price)) => Some(
            euros_to_cents(price).ok_or_else(|| ApiError::invalid("price", "is out of range"))?,
        ),
        _ => None,
    };
    let change = TariffChange {
        valid_to: to.flatten(),
        price_cents,
    };
    let out = tariffs::change(&txn, &auth.scope, &auth.audit(), existing, change).await?;
    txn.commit().await?;
    Ok(web::Json(out.into()))
}

/// Remove a tariff that no declaration used (409 otherwise: close it instead).
#[utoipa::path(
    tag = "tariffs",
    params(("regionCode" = String, Path, description = "Region code"), ("id" = Uuid, Path, description = "Tariff id")),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[delete("/regions/{regionCode}/tariffs/{id}")]
pub async fn delete_tariff(
    state: web::Data<AppState>,
    auth: Scoped<ManageCatalogue>,
    path: web::Path<(String, Uuid)>,
) -> ApiResult<HttpResponse> {
    let txn = entities::transaction::begin_write(&state.db).await?;
    tariffs::delete(&txn, &auth.scope, &auth.audit(), path.1).await?;
    txn.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}
