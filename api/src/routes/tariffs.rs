//! Tariffs (tarieven): the price of a product for a period, for the whole
//! region or differentiated per provider and/or municipality. Versions of the
//! same product/provider/municipality never overlap.

use domain::catalogue;
use std::collections::HashMap;

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use entities::{
    money::{cents_to_euros, euros_to_cents},
    period::periods_overlap,
    schema::{declaration_line, municipality, product, provider, tariff},
    RegionScope, TenantEntity, TenantRecord,
};
use rust_decimal::Decimal;
use sea_orm::{
    sea_query::Condition, ActiveModelTrait, ColumnTrait, ConnectionTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    auth::{ManageCatalogue, ReadRegion, Scoped},
    error::{ApiError, ApiResult, Problem},
    input::{Body, Check},
    pagination::{fetch_page, Page, PageQuery},
    state::AppState,
};
use domain::codes::codes_of;

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

/// Codes for the ids a page of tariffs refers to.
struct Names {
    products: HashMap<Uuid, String>,
    providers: HashMap<Uuid, String>,
    municipalities: HashMap<Uuid, String>,
}

impl Names {
    async fn load<C: ConnectionTrait>(
        db: &C,
        scope: &RegionScope,
        tariffs: &[tariff::Model],
    ) -> ApiResult<Self> {
        Ok(Self {
            products: codes_of::<product::Entity, _>(
                db,
                scope,
                tariffs.iter().map(|t| t.product_id),
                product::Column::Code,
            )
            .await?,
            providers: codes_of::<provider::Entity, _>(
                db,
                scope,
                tariffs.iter().filter_map(|t| t.provider_id),
                provider::Column::AgbCode,
            )
            .await?,
            municipalities: codes_of::<municipality::Entity, _>(
                db,
                scope,
                tariffs.iter().filter_map(|t| t.municipality_id),
                municipality::Column::CbsCode,
            )
            .await?,
        })
    }

    fn out(&self, t: tariff::Model) -> TariffOut {
        TariffOut {
            id: t.id,
            product_code: self
                .products
                .get(&t.product_id)
                .cloned()
                .unwrap_or_default(),
            valid_from: t.valid_from,
            valid_to: t.valid_to,
            price: cents_to_euros(t.price_cents),
            provider_agb: t
                .provider_id
                .and_then(|id| self.providers.get(&id).cloned()),
            municipality_cbs: t
                .municipality_id
                .and_then(|id| self.municipalities.get(&id).cloned()),
            supersedes_id: t.supersedes_id,
            indexation_run_id: t.indexation_run_id,
        }
    }
}

async fn to_out<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    t: tariff::Model,
) -> ApiResult<TariffOut> {
    let names = Names::load(db, scope, std::slice::from_ref(&t)).await?;
    Ok(names.out(t))
}

/// Refuses a period that overlaps another version of the same tariff line.
pub async fn ensure_no_overlap<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    candidate: &tariff::Model,
) -> ApiResult<()> {
    // Serialise tariff writes per product: on PostgreSQL two concurrent
    // inserts would otherwise both see no overlap (SQLite has one writer).
    product::Entity::scoped(scope)
        .filter(product::Column::Id.eq(candidate.product_id))
        .lock_exclusive()
        .one(db)
        .await?;
    let siblings = tariff::Entity::scoped(scope)
        .filter(tariff::Column::ProductId.eq(candidate.product_id))
        .filter(entities::tenancy::eq_or_null(
            tariff::Column::ProviderId,
            candidate.provider_id,
        ))
        .filter(entities::tenancy::eq_or_null(
            tariff::Column::MunicipalityId,
            candidate.municipality_id,
        ))
        .filter(tariff::Column::Id.ne(candidate.id))
        .all(db)
        .await?;
    if let Some(other) = siblings.iter().find(|o| {
        periods_overlap(
            candidate.valid_from,
            candidate.valid_to,
            o.valid_from,
            o.valid_to,
        )
    }) {
        return Err(ApiError::conflict(
            "ZR-TARIFF-OVERLAP",
            format!(
                "The period overlaps tariff {} ({} to {}) for the same product, provider and municipality.",
                other.id,
                other.valid_from,
                other.valid_to.map(|d| d.to_string()).unwrap_or_else(|| "open".into())
            ),
        ));
    }
    Ok(())
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
    let candidate = tariff::Model {
        region_id: auth.scope.region_id,
        id: Uuid::now_v7(),
        product_id: product.id,
        provider_id: provider,
        municipality_id: municipality,
        valid_from: from,
        valid_to: to,
        price_cents: euros_to_cents(price)
            .ok_or_else(|| ApiError::invalid("price", "is out of range"))?,
        supersedes_id: None,
        indexation_run_id: None,
        created_at: entities::clock::now(),
    };
    ensure_no_overlap(&txn, &auth.scope, &candidate).await?;
    let model = tariff::ActiveModel::from(candidate).insert(&txn).await?;
    let out = to_out(&txn, &auth.scope, model).await?;
    auth.audit()
        .record(&txn, "create", "tariff", out.id, &out)
        .await?;
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
    let names = Names::load(db, scope, &items).await?;
    let out = items.into_iter().map(|t| names.out(t)).collect();
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
    Ok(web::Json(to_out(&state.db, &auth.scope, found).await?))
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
    let mut updated = existing.clone();
    if let Some(Some(to)) = to {
        updated.valid_to = Some(to);
    }
    if let Some(Some(price)) = price {
        updated.price_cents =
            euros_to_cents(price).ok_or_else(|| ApiError::invalid("price", "is out of range"))?;
    }
    ensure_no_overlap(&txn, &auth.scope, &updated).await?;
    let mut model: tariff::ActiveModel = existing.into();
    model.valid_to = Set(updated.valid_to);
    model.price_cents = Set(updated.price_cents);
    let out = to_out(&txn, &auth.scope, model.update(&txn).await?).await?;
    auth.audit()
        .record(&txn, "update", "tariff", out.id, &out)
        .await?;
    txn.commit().await?;
    Ok(web::Json(out))
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
    let existing = tariff::Entity::find_scoped(&txn, &auth.scope, path.1)
        .await?
        .ok_or(ApiError::NotFound)?;
    let used = declaration_line::Entity::scoped(&auth.scope)
        .filter(declaration_line::Column::TariffId.eq(existing.id))
        .count(&txn)
        .await?;
    if used > 0 {
        return Err(ApiError::conflict(
            "ZR-IN-USE",
            "Declarations were priced with this tariff; close it with validTo instead.",
        ));
    }
    tariff::Entity::delete_scoped_by_id(&txn, &auth.scope, existing.id).await?;
    auth.audit()
        .record(&txn, "delete", "tariff", existing.id, serde_json::json!({}))
        .await?;
    txn.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}
