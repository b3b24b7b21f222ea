//! Municipalities (gemeenten) of a region, addressed by CBS code, with their
//! inhabitants per year (for spend per inhabitant in the reports).

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use domain::catalogue;
use entities::{
    schema::{municipality, municipality_population as population},
    RegionScope, TenantEntity, TenantRecord,
};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    auth::{ManageCatalogue, ReadRegion, Scoped},
    error::{ApiError, ApiResult, Problem},
    input::{Body, Check},
    pagination::{fetch_page, Page, PageQuery},
    state::AppState,
};

/// Inhabitants of a municipality in a year.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Population {
    #[schema(example = 2024)]
    pub year: i32,
    #[schema(example = 166000)]
    pub inhabitants: i64,
}

/// A municipality (gemeente) of the region.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MunicipalityOut {
    #[schema(example = "GM0202")]
    pub cbs_code: String,
    #[schema(example = "Arnhem")]
    pub name: String,
    /// Inhabitants per year, oldest first.
    pub population: Vec<Population>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MunicipalityIn {
    /// CBS code: `GM` and four digits.
    #[schema(example = "GM0202")]
    pub cbs_code: String,
    #[schema(example = "Arnhem")]
    pub name: String,
    #[serde(default)]
    pub population: Vec<Population>,
}

/// Fields to change; `population`, when given, replaces the whole list.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MunicipalityPatch {
    pub name: Option<String>,
    pub population: Option<Vec<Population>>,
}

fn check_population(check: &mut Check, population: &[Population]) {
    for (i, p) in population.iter().enumerate() {
        check.year(&format!("population[{i}].year"), p.year);
        check.require(
            p.inhabitants >= 0,
            &format!("population[{i}].inhabitants"),
            "must be 0 or more",
        );
        if population[..i].iter().any(|q| q.year == p.year) {
            check.fail_rule(format!("population[{i}].year"), "is listed twice");
        }
    }
}

async fn populations<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    ids: &[uuid::Uuid],
) -> ApiResult<Vec<population::Model>> {
    Ok(population::Entity::scoped(scope)
        .filter(population::Column::MunicipalityId.is_in(ids.iter().copied()))
        .order_by_asc(population::Column::Year)
        .all(db)
        .await?)
}

async fn replace_population<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    municipality_id: uuid::Uuid,
    list: &[Population],
) -> ApiResult<()> {
    population::Entity::delete_scoped(scope)
        .filter(population::Column::MunicipalityId.eq(municipality_id))
        .exec(db)
        .await?;
    for p in list {
        population::ActiveModel {
            region_id: Set(scope.region_id),
            municipality_id: Set(municipality_id),
            year: Set(p.year),
            inhabitants: Set(p.inhabitants),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

fn to_out(m: municipality::Model, all: &[population::Model]) -> MunicipalityOut {
    MunicipalityOut {
        population: all
            .iter()
            .filter(|p| p.municipality_id == m.id)
            .map(|p| Population {
                year: p.year,
                inhabitants: p.inhabitants,
            })
            .collect(),
        cbs_code: m.cbs_code,
        name: m.name,
    }
}

async fn load_out<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    m: municipality::Model,
) -> ApiResult<MunicipalityOut> {
    let pops = populations(db, scope, &[m.id]).await?;
    Ok(to_out(m, &pops))
}

/// Add a municipality to the region.
#[utoipa::path(
    tag = "municipalities",
    params(("regionCode" = String, Path, description = "Region code")),
    request_body = MunicipalityIn,
    responses(
        (status = 201, body = MunicipalityOut),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/regions/{regionCode}/municipalities")]
pub async fn create_municipality(
    state: web::Data<AppState>,
    auth: Scoped<ManageCatalogue>,
    body: Body<MunicipalityIn>,
) -> ApiResult<HttpResponse> {
    let input = body.take()?;
    let mut check = Check::new();
    check.cbs_code("cbsCode", &input.cbs_code);
    check.name("name", &input.name, 200);
    check_population(&mut check, &input.population);
    check.finish()?;
    let txn = entities::transaction::begin_write(&state.db).await?;
    let model = municipality::ActiveModel {
        region_id: Set(auth.scope.region_id),
        id: Set(uuid::Uuid::now_v7()),
        cbs_code: Set(input.cbs_code.clone()),
        name: Set(input.name.trim().to_owned()),
        created_at: Set(entities::clock::now()),
    }
    .insert(&txn)
    .await?;
    replace_population(&txn, &auth.scope, model.id, &input.population).await?;
    let out = load_out(&txn, &auth.scope, model).await?;
    auth.audit()
        .record(&txn, "create", "municipality", &out.cbs_code, &out)
        .await?;
    txn.commit().await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!(
                "/api/v1/regions/{}/municipalities/{}",
                auth.region.code, out.cbs_code
            ),
        ))
        .json(out))
}

/// List the region's municipalities, by CBS code.
#[utoipa::path(
    tag = "municipalities",
    params(("regionCode" = String, Path, description = "Region code"), PageQuery),
    responses((status = 200, body = Page<MunicipalityOut>)),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/municipalities")]
pub async fn list_municipalities(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let page = query.validate()?;
    let select =
        municipality::Entity::scoped(&auth.scope).order_by_asc(municipality::Column::CbsCode);
    let (items, total) = fetch_page(&state.db, select, page).await?;
    let ids: Vec<_> = items.iter().map(|m| m.id).collect();
    let pops = populations(&state.db, &auth.scope, &ids).await?;
    let out = items.into_iter().map(|m| to_out(m, &pops)).collect();
    Ok(Page::new(out, page, total).respond(&req))
}

/// Get a municipality by CBS code.
#[utoipa::path(
    tag = "municipalities",
    params(("regionCode" = String, Path, description = "Region code"), ("cbsCode" = String, Path, description = "CBS code")),
    responses((status = 200, body = MunicipalityOut), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/municipalities/{cbsCode}")]
pub async fn get_municipality(
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    path: web::Path<(String, String)>,
) -> ApiResult<web::Json<MunicipalityOut>> {
    let m = catalogue::municipality(&state.db, &auth.scope, &path.1)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(web::Json(load_out(&state.db, &auth.scope, m).await?))
}

/// Change a municipality's name or inhabitants.
#[utoipa::path(
    tag = "municipalities",
    params(("regionCode" = String, Path, description = "Region code"), ("cbsCode" = String, Path, description = "CBS code")),
    request_body = MunicipalityPatch,
    responses((status = 200, body = MunicipalityOut), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[patch("/regions/{regionCode}/municipalities/{cbsCode}")]
pub async fn update_municipality(
    state: web::Data<AppState>,
    auth: Scoped<ManageCatalogue>,
    path: web::Path<(String, String)>,
    body: Body<MunicipalityPatch>,
) -> ApiResult<web::Json<MunicipalityOut>> {
    let input = body.take()?;
    let mut check = Check::new();
    if let Some(name) = &input.name {
        check.name("name", name, 200);
    }
    if let Some(list) = &input.population {
        check_population(&mut check, list);
    }
    check.finish()?;
    let txn = entities::transaction::begin_write(&state.db).await?;
    let existing = catalogue::municipality(&txn, &auth.scope, &path.1)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut model: municipality::ActiveModel = existing.into();
    if let Some(name) = &input.name {
        model.name = Set(name.trim().to_owned());
    }
    let model = model.update(&txn).await?;
    if let Some(list) = &input.population {
        replace_population(&txn, &auth.scope, model.id, list).await?;
    }
    let out = load_out(&txn, &auth.scope, model).await?;
    auth.audit()
        .record(&txn, "update", "municipality", &out.cbs_code, &out)
        .await?;
    txn.commit().await?;
    Ok(web::Json(out))
}

/// Remove a municipality that nothing refers to (409 otherwise).
#[utoipa::path(
    tag = "municipalities",
    params(("regionCode" = String, Path, description = "Region code"), ("cbsCode" = String, Path, description = "CBS code")),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[delete("/regions/{regionCode}/municipalities/{cbsCode}")]
pub async fn delete_municipality(
    state: web::Data<AppState>,
    auth: Scoped<ManageCatalogue>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let txn = entities::transaction::begin_write(&state.db).await?;
    let existing = catalogue::municipality(&txn, &auth.scope, &path.1)
        .await?
        .ok_or(ApiError::NotFound)?;
    municipality::Entity::delete_scoped_by_id(&txn, &auth.scope, existing.id).await?;
    auth.audit()
        .record(
            &txn,
            "delete",
            "municipality",
            &existing.cbs_code,
            serde_json::json!({}),
        )
        .await?;
    txn.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}
