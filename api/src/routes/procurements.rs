//! Procurements (inkoopprocedures, issue 27): the procedure contracts are
//! concluded under, with its form, lots, estimated total value, dates and
//! the most candidates selected and contracts awarded. The EU threshold is
//! checked on the whole procurement: a national SAS or private procurement
//! above it is flagged or refused (the `contract-life` policy); the
//! European SAS procedure and an open-house admission never are.

use chrono::NaiveDate;
use domain::procurements::{self, Change, NewProcurement, Procurement};
use entities::{enums::ProcedureForm, schema::procurement, TenantEntity};
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::prelude::*;
use domain::contracts::resolve_groups;

/// A procurement and what it produced.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProcurementOut {
    pub id: Uuid,
    #[schema(example = "BW-2025")]
    pub code: String,
    #[schema(example = "Beschermd wonen 2025")]
    pub name: String,
    pub form: ProcedureForm,
    /// The lots (product groups).
    #[schema(example = json!(["BW"]))]
    pub product_group_codes: Vec<String>,
    /// Estimated value of the whole procurement in euros, all lots and years.
    #[schema(value_type = Option<String>, example = "18000000.00")]
    pub estimated_value: Option<rust_decimal::Decimal>,
    pub published_on: Option<NaiveDate>,
    pub awarded_on: Option<NaiveDate>,
    /// At most so many candidates selected (seed 003 §3.4: seven).
    #[schema(example = 7)]
    pub max_selected: Option<u32>,
    /// At most so many contracts awarded (seed 003 §3.4: five).
    #[schema(example = 5)]
    pub max_awards: Option<u32>,
    /// Contracts concluded under it.
    pub contract_count: u64,
    /// The sum of their estimated values in euros.
    #[schema(value_type = String, example = "900000.00")]
    pub contracted_value: rust_decimal::Decimal,
    /// The value checked against the EU threshold: the estimate, or the
    /// contracted value when that is higher.
    #[schema(value_type = String, example = "18000000.00")]
    pub threshold_value: rust_decimal::Decimal,
    /// A national SAS or private procurement above the EU threshold.
    pub over_eu_threshold: bool,
}

impl From<Procurement> for ProcurementOut {
    fn from(p: Procurement) -> Self {
        Self {
            id: p.id,
            code: p.code,
            name: p.name,
            form: p.form,
            product_group_codes: p.product_group_codes,
            estimated_value: p.estimated_value,
            published_on: p.published_on,
            awarded_on: p.awarded_on,
            max_selected: p.max_selected,
            max_awards: p.max_awards,
            contract_count: p.contract_count,
            contracted_value: p.contracted_value,
            threshold_value: p.threshold_value,
            over_eu_threshold: p.over_eu_threshold,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProcurementIn {
    /// 1 to 32 letters, digits, `-` or `_`.
    #[schema(example = "BW-2025", pattern = "^[A-Za-z0-9_-]{1,32}$")]
    pub code: String,
    #[schema(example = "Beschermd wonen 2025")]
    pub name: String,
    #[schema(value_type = ProcedureForm)]
    pub form: String,
    /// The lots (product groups).
    #[schema(example = json!(["BW"]))]
    pub product_group_codes: Vec<String>,
    /// Estimated value of the whole procurement in euros.
    #[schema(example = "18000000.00")]
    pub estimated_value: Option<String>,
    #[schema(value_type = Option<NaiveDate>, example = "2025-03-01")]
    pub published_on: Option<String>,
    #[schema(value_type = Option<NaiveDate>, example = "2025-09-01")]
    pub awarded_on: Option<String>,
    /// At most this many candidates selected, 1 to 10000.
    #[schema(example = 7, minimum = 1, maximum = 10000)]
    pub max_selected: Option<u32>,
    /// At most this many contracts awarded, 1 to 10000.
    #[schema(example = 5, minimum = 1, maximum = 10000)]
    pub max_awards: Option<u32>,
}

/// Change a procurement; `null` clears an optional field, absent leaves it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProcurementPatch {
    pub name: Option<String>,
    #[schema(value_type = Option<ProcedureForm>)]
    pub form: Option<String>,
    pub product_group_codes: Option<Vec<String>>,
    #[serde(default, deserialize_with = "crate::input::present")]
    #[schema(value_type = Option<String>, example = "18000000.00")]
    pub estimated_value: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::input::present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub published_on: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::input::present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub awarded_on: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::input::present")]
    #[schema(value_type = Option<u32>, minimum = 1, maximum = 10000)]
    pub max_selected: Option<Option<u32>>,
    #[serde(default, deserialize_with = "crate::input::present")]
    #[schema(value_type = Option<u32>, minimum = 1, maximum = 10000)]
    pub max_awards: Option<Option<u32>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ProcurementFilter {
    #[param(value_type = Option<ProcedureForm>)]
    pub form: Option<String>,
}

/// The most candidates or awards a procurement names.
const MAX_COUNT: u32 = 10_000;

fn check_count(check: &mut Check, field: &str, n: Option<u32>) {
    if let Some(n) = n {
        check.require((1..=MAX_COUNT).contains(&n), field, "must be 1 to 10000");
    }
}

/// Record a procurement.
#[utoipa::path(
    tag = "contracts",
    params(("regionCode" = String, Path, description = "Region code")),
    request_body = ProcurementIn,
    responses(
        (status = 201, body = ProcurementOut),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The code is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Over the EU threshold under a refusing policy (`ZR-PROCUREMENT-EU-THRESHOLD`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/regions/{regionCode}/procurements")]
pub async fn create_procurement(
    state: web::Data<AppState>,
    auth: Scoped<ManageContracts>,
    body: Body<ProcurementIn>,
) -> ApiResult<HttpResponse> {
    let input = body.take()?;
    let mut check = Check::new();
    check.code("code", &input.code, 32);
    check.name("name", &input.name, 200);
    let form = check.one_of::<ProcedureForm>("form", &input.form);
    let value = input
        .estimated_value
        .as_deref()
        .map(|text| check.non_negative_euros("estimatedValue", text));
    let published = check.optional_date("publishedOn", input.published_on.as_deref());
    let awarded = check.optional_date("awardedOn", input.awarded_on.as_deref());
    check_count(&mut check, "maxSelected", input.max_selected);
    check_count(&mut check, "maxAwards", input.max_awards);
    let txn = entities::transaction::begin_write(&state.db).await?;
    let groups = resolve_groups(&txn, &auth.scope, &mut check, &input.product_group_codes).await?;
    let ((form, published), awarded) = check.done(form.zip(published).zip(awarded))?;
    let new = NewProcurement {
        code: input.code,
        name: input.name.trim().to_owned(),
        form,
        groups,
        estimated_value_cents: value.flatten(),
        published_on: published,
        awarded_on: awarded,
        max_selected: input.max_selected,
        max_awards: input.max_awards,
    };
    let out = procurements::create(&txn, &auth.scope, &auth.audit(), new).await?;
    txn.commit().await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!(
                "/api/v1/regions/{}/procurements/{}",
                auth.region.code, out.code
            ),
        ))
        .json(ProcurementOut::from(out)))
}

/// List the region's procurements, by code.
#[utoipa::path(
    tag = "contracts",
    params(("regionCode" = String, Path, description = "Region code"), ProcurementFilter, PageQuery),
    responses((status = 200, body = Page<ProcurementOut>), (status = 400, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/procurements")]
pub async fn list_procurements(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    filter: web::Query<ProcurementFilter>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let page = query.validate()?;
    let mut check = Check::new();
    let form = filter
        .form
        .as_deref()
        .map(|s| check.one_of::<ProcedureForm>("form", s));
    check.finish()?;
    let mut select = procurement::Entity::scoped(&auth.scope)
        .order_by_asc(procurement::Column::Code)
        .order_by_asc(procurement::Column::Id);
    if let Some(Some(form)) = form {
        select = select.filter(procurement::Column::Form.eq(form));
    }
    let (items, total) = fetch_page(&state.db, select, page).await?;
    let out = procurements::describe_all(&state.db, &auth.scope, items)
        .await?
        .into_iter()
        .map(ProcurementOut::from)
        .collect();
    Ok(Page::new(out, page, total).respond(&req))
}

/// Get a procurement with its lots and contracts' count and value.
#[utoipa::path(
    tag = "contracts",
    params(("regionCode" = String, Path, description = "Region code"), ("code" = String, Path, description = "Procurement code")),
    responses((status = 200, body = ProcurementOut), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/procurements/{code}")]
pub async fn get_procurement(
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    path: web::Path<(String, String)>,
) -> ApiResult<web::Json<ProcurementOut>> {
    let found = procurements::find(&state.db, &auth.scope, &path.1)
        .await?
        .ok_or(ApiError::NotFound)?;
    let out = procurements::describe(&state.db, &auth.scope, found).await?;
    Ok(web::Json(out.into()))
}

/// Change a procurement: name, form, lots, value, dates, maxima.
#[utoipa::path(
    tag = "contracts",
    params(("regionCode" = String, Path, description = "Region code"), ("code" = String, Path, description = "Procurement code")),
    request_body = ProcurementPatch,
    responses(
        (status = 200, body = ProcurementOut),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/regions/{regionCode}/procurements/{code}")]
pub async fn update_procurement(
    state: web::Data<AppState>,
    auth: Scoped<ManageContracts>,
    path: web::Path<(String, String)>,
    body: Body<ProcurementPatch>,
) -> ApiResult<web::Json<ProcurementOut>> {
    let input = body.take()?;
    let mut check = Check::new();
    if let Some(name) = &input.name {
        check.name("name", name, 200);
    }
    let form = input
        .form
        .as_deref()
        .map(|s| check.one_of::<ProcedureForm>("form", s));
    let value = input.estimated_value.as_ref().map(|v| {
        v.as_deref()
            .map(|text| check.non_negative_euros("estimatedValue", text))
    });
    let published = input
        .published_on
        .as_ref()
        .map(|d| check.optional_date("publishedOn", d.as_deref()));
    let awarded = input
        .awarded_on
        .as_ref()
        .map(|d| check.optional_date("awardedOn", d.as_deref()));
    check_count(&mut check, "maxSelected", input.max_selected.flatten());
    check_count(&mut check, "maxAwards", input.max_awards.flatten());
    let txn = entities::transaction::begin_write(&state.db).await?;
    let existing = procurements::find(&txn, &auth.scope, &path.1)
        .await?
        .ok_or(ApiError::NotFound)?;
    let groups = match &input.product_group_codes {
        Some(codes) => Some(resolve_groups(&txn, &auth.scope, &mut check, codes).await?),
        None => None,
    };
    check.finish()?;
    let change = Change {
        name: input.name.map(|n| n.trim().to_owned()),
        form: form.flatten(),
        groups,
        // Each parsed when present; a failed parse stopped at `finish`.
        estimated_value_cents: value.map(Option::flatten),
        published_on: published.flatten(),
        awarded_on: awarded.flatten(),
        max_selected: input.max_selected,
        max_awards: input.max_awards,
    };
    let out = procurements::change(&txn, &auth.scope, &auth.audit(), existing, change).await?;
    txn.commit().await?;
    Ok(web::Json(out.into()))
}
