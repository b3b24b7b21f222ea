//! Providers (zorgaanbieders), addressed by AGB code.

use chrono::NaiveDate;
use domain::catalogue::providers::{self, NewProvider, Provider, ProviderChange};
use entities::{schema::provider, TenantEntity};
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};

use super::catalogue;
use super::prelude::*;

/// A care provider (zorgaanbieder) admitted to the region.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProviderOut {
    /// AGB code, 8 digits.
    #[schema(example = "73730001")]
    pub agb_code: String,
    /// KvK (Chamber of Commerce) number, 8 digits.
    #[schema(example = "09123456")]
    pub kvk_number: String,
    #[schema(example = "Zorggroep De Brug")]
    pub name: String,
    /// Works with self-employed staff (zzp'ers); some municipalities forbid this.
    pub uses_self_employed: bool,
    /// Date of the last integrity (Bibob) check.
    pub integrity_checked_on: Option<NaiveDate>,
    /// Date of the last financial check.
    pub financial_checked_on: Option<NaiveDate>,
}

impl From<Provider> for ProviderOut {
    fn from(m: Provider) -> Self {
        Self {
            agb_code: m.agb_code,
            kvk_number: m.kvk_number,
            name: m.name,
            uses_self_employed: m.uses_self_employed,
            integrity_checked_on: m.integrity_checked_on,
            financial_checked_on: m.financial_checked_on,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProviderIn {
    #[schema(example = "73730001")]
    pub agb_code: String,
    #[schema(example = "09123456")]
    pub kvk_number: String,
    #[schema(example = "Zorggroep De Brug")]
    pub name: String,
    #[serde(default)]
    pub uses_self_employed: bool,
    #[schema(value_type = Option<NaiveDate>)]
    pub integrity_checked_on: Option<String>,
    #[schema(value_type = Option<NaiveDate>)]
    pub financial_checked_on: Option<String>,
}

/// Fields to change. A check date set to `null` stays as it is.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProviderPatch {
    pub kvk_number: Option<String>,
    pub name: Option<String>,
    pub uses_self_employed: Option<bool>,
    #[schema(value_type = Option<NaiveDate>)]
    pub integrity_checked_on: Option<String>,
    #[schema(value_type = Option<NaiveDate>)]
    pub financial_checked_on: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ProviderFilter {
    /// Only providers that do (or do not) use self-employed staff.
    pub uses_self_employed: Option<bool>,
    /// Only providers whose KvK number is this.
    pub kvk_number: Option<String>,
}

/// Register a provider.
#[utoipa::path(
    tag = "providers",
    params(("regionCode" = String, Path, description = "Region code")),
    request_body = ProviderIn,
    responses((status = 201, body = ProviderOut), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[post("/regions/{regionCode}/providers")]
pub async fn create_provider(
    state: web::Data<AppState>,
    auth: Scoped<ManageContracts>,
    body: Body<ProviderIn>,
) -> ApiResult<HttpResponse> {
    let input = body.take()?;
    let mut check = Check::new();
    check.digits("agbCode", &input.agb_code, 8);
    check.digits("kvkNumber", &input.kvk_number, 8);
    check.name("name", &input.name, 200);
    let integrity =
        check.optional_date("integrityCheckedOn", input.integrity_checked_on.as_deref());
    let financial =
        check.optional_date("financialCheckedOn", input.financial_checked_on.as_deref());
    let (integrity, financial) = check.done(integrity.zip(financial))?;
    let new = NewProvider {
        agb_code: input.agb_code,
        kvk_number: input.kvk_number,
        name: input.name,
        uses_self_employed: input.uses_self_employed,
        integrity_checked_on: integrity,
        financial_checked_on: financial,
    };
    let txn = entities::transaction::begin_write(&state.db).await?;
    let out = ProviderOut::from(providers::create(&txn, &auth.scope, &auth.audit(), new).await?);
    txn.commit().await?;
    Ok(catalogue::created(
        &auth.region.code,
        "providers",
        &out.agb_code,
        &out,
    ))
}

/// List providers, by AGB code.
#[utoipa::path(
    tag = "providers",
    params(("regionCode" = String, Path, description = "Region code"), ProviderFilter, PageQuery),
    responses((status = 200, body = Page<ProviderOut>)),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/providers")]
pub async fn list_providers(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    filter: web::Query<ProviderFilter>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let page = query.validate()?;
    let mut select = provider::Entity::scoped(&auth.scope).order_by_asc(provider::Column::AgbCode);
    if let Some(flag) = filter.uses_self_employed {
        select = select.filter(provider::Column::UsesSelfEmployed.eq(flag));
    }
    if let Some(kvk) = &filter.kvk_number {
        select = select.filter(provider::Column::KvkNumber.eq(kvk.as_str()));
    }
    catalogue::list::<_, ProviderOut>(&req, &state.db, &auth.scope, select, page).await
}

/// Get a provider by AGB code.
#[utoipa::path(
    tag = "providers",
    params(("regionCode" = String, Path, description = "Region code"), ("agbCode" = String, Path, description = "AGB code")),
    responses((status = 200, body = ProviderOut), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/providers/{agbCode}")]
pub async fn get_provider(
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    path: web::Path<(String, String)>,
) -> ApiResult<web::Json<ProviderOut>> {
    catalogue::get::<provider::Entity, _>(&state.db, &auth.scope, &path.1).await
}

/// Change a provider, e.g. record a new integrity or financial check.
#[utoipa::path(
    tag = "providers",
    params(("regionCode" = String, Path, description = "Region code"), ("agbCode" = String, Path, description = "AGB code")),
    request_body = ProviderPatch,
    responses((status = 200, body = ProviderOut), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[patch("/regions/{regionCode}/providers/{agbCode}")]
pub async fn update_provider(
    state: web::Data<AppState>,
    auth: Scoped<ManageContracts>,
    path: web::Path<(String, String)>,
    body: Body<ProviderPatch>,
) -> ApiResult<web::Json<ProviderOut>> {
    let input = body.take()?;
    let mut check = Check::new();
    if let Some(kvk) = &input.kvk_number {
        check.digits("kvkNumber", kvk, 8);
    }
    if let Some(name) = &input.name {
        check.name("name", name, 200);
    }
    let integrity =
        check.optional_date("integrityCheckedOn", input.integrity_checked_on.as_deref());
    let financial =
        check.optional_date("financialCheckedOn", input.financial_checked_on.as_deref());
    check.finish()?;
    let change = ProviderChange {
        kvk_number: input.kvk_number,
        name: input.name,
        uses_self_employed: input.uses_self_employed,
        integrity_checked_on: integrity.flatten(),
        financial_checked_on: financial.flatten(),
    };
    let txn = entities::transaction::begin_write(&state.db).await?;
    let saved = providers::change(&txn, &auth.scope, &auth.audit(), &path.1, change).await?;
    txn.commit().await?;
    Ok(web::Json(saved.into()))
}

/// Remove a provider without contracts, tariffs or allocations (409 otherwise).
#[utoipa::path(
    tag = "providers",
    params(("regionCode" = String, Path, description = "Region code"), ("agbCode" = String, Path, description = "AGB code")),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[delete("/regions/{regionCode}/providers/{agbCode}")]
pub async fn delete_provider(
    state: web::Data<AppState>,
    auth: Scoped<ManageContracts>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    catalogue::delete::<provider::Entity>(&state.db, &auth.scope, &auth.audit(), &path.1).await
}
