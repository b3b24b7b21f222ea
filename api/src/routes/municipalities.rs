//! Municipalities (gemeenten) of a region, addressed by CBS code, with their
//! inhabitants per year (for spend per inhabitant in the reports).

use domain::catalogue::municipalities::{self, Municipality, MunicipalityChange, NewMunicipality};
use entities::{schema::municipality, TenantEntity};
use sea_orm::QueryOrder;

use super::catalogue;
use super::prelude::*;

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

/// The inhabitants as the domain takes them.
fn inhabitants(list: Vec<Population>) -> Vec<domain::catalogue::municipalities::Population> {
    list.into_iter()
        .map(|p| domain::catalogue::municipalities::Population {
            year: p.year,
            inhabitants: p.inhabitants,
        })
        .collect()
}

impl From<Municipality> for MunicipalityOut {
    fn from(m: Municipality) -> Self {
        Self {
            cbs_code: m.cbs_code,
            name: m.name,
            population: m
                .population
                .into_iter()
                .map(|p| Population {
                    year: p.year,
                    inhabitants: p.inhabitants,
                })
                .collect(),
        }
    }
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
    let new = NewMunicipality {
        cbs_code: input.cbs_code,
        name: input.name,
        population: inhabitants(input.population),
    };
    let txn = entities::transaction::begin_write(&state.db).await?;
    let out =
        MunicipalityOut::from(municipalities::create(&txn, &auth.scope, &auth.audit(), new).await?);
    txn.commit().await?;
    Ok(catalogue::created(
        &auth.region.code,
        "municipalities",
        &out.cbs_code,
        &out,
    ))
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
    catalogue::list::<_, MunicipalityOut>(&req, &state.db, &auth.scope, select, page).await
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
    catalogue::get::<municipality::Entity, _>(&state.db, &auth.scope, &path.1).await
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
    let change = MunicipalityChange {
        name: input.name,
        population: input.population.map(inhabitants),
    };
    let txn = entities::transaction::begin_write(&state.db).await?;
    let saved = municipalities::change(&txn, &auth.scope, &auth.audit(), &path.1, change).await?;
    txn.commit().await?;
    Ok(web::Json(saved.into()))
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
    catalogue::delete::<municipality::Entity>(&state.db, &auth.scope, &auth.audit(), &path.1).await
}
