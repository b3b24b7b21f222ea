//! Framework contracts (raamovereenkomsten): a provider admitted for product
//! groups (lots) in municipalities, for an initial term plus extension
//! options. End dates are derived; extensions and termination are
//! sub-resources so each is one audited act.

use domain::catalogue;

use chrono::NaiveDate;
use entities::{
    enums::{ContractStatus, ProcurementForm, TerminationGround},
    schema::{contract, contract_municipality, contract_product_group},
    RegionScope, TenantEntity, TenantRecord,
};
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait};
use uuid::Uuid;

use super::prelude::*;
use domain::contracts::{self, resolve_groups, resolve_municipalities, Contract, ContractLinks};

/// A framework contract (raamovereenkomst) with one provider.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContractOut {
    pub id: Uuid,
    #[schema(example = "73730001")]
    pub provider_agb: String,
    pub procurement_form: ProcurementForm,
    /// The procurement it was concluded under (`.../procurements/{code}`).
    #[schema(example = "BW-2025")]
    pub procurement_code: Option<String>,
    /// Lots (product groups) the contract covers.
    pub product_group_codes: Vec<String>,
    /// Municipalities the contract serves.
    pub municipality_cbs_codes: Vec<String>,
    #[schema(example = "2025-01-01")]
    pub start_date: NaiveDate,
    #[schema(example = 48)]
    pub initial_term_months: u32,
    /// Months per extension option, in order.
    #[schema(example = json!([24, 24]))]
    pub extension_options_months: Vec<u32>,
    pub extensions_exercised: u32,
    /// Last day of the term including exercised extensions.
    #[schema(example = "2028-12-31")]
    pub current_end_date: NaiveDate,
    /// Last day if every option is exercised.
    #[schema(example = "2032-12-31")]
    pub max_end_date: NaiveDate,
    pub status: ContractStatus,
    /// Months of notice an ordinary termination needs.
    #[schema(example = 12)]
    pub notice_months: u32,
    /// Months added by one-off extensions outside the options (amendments).
    pub amended_months: u32,
    /// Estimated value in euros, checked against the EU threshold.
    #[schema(value_type = Option<String>, example = "600000.00")]
    pub estimated_value: Option<rust_decimal::Decimal>,
    pub terminated_on: Option<NaiveDate>,
    pub termination_ground: Option<TerminationGround>,
    pub termination_reason: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContractIn {
    #[schema(example = "73730001")]
    pub provider_agb: String,
    #[schema(value_type = ProcurementForm)]
    pub procurement_form: String,
    pub product_group_codes: Vec<String>,
    pub municipality_cbs_codes: Vec<String>,
    #[schema(value_type = NaiveDate, example = "2025-01-01")]
    pub start_date: String,
    #[schema(example = 48)]
    pub initial_term_months: u32,
    #[serde(default)]
    #[schema(example = json!([24, 24]))]
    pub extension_options_months: Vec<u32>,
    /// Months of notice an ordinary termination needs (default 0; seed 003:
    /// nine-year contracts with at least a year's notice).
    #[serde(default)]
    #[schema(example = 12)]
    pub notice_months: u32,
    /// Estimated value in euros over the whole term.
    #[schema(example = "600000.00")]
    pub estimated_value: Option<String>,
    /// The procurement it is concluded under: its form, lots, most awards
    /// and EU threshold apply (the threshold is the whole procurement's).
    #[schema(example = "BW-2025")]
    pub procurement_code: Option<String>,
}

/// Change lots, municipalities or status (`active` ↔ `outflow-proposed`).
/// Termination goes through `.../termination`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContractPatch {
    pub product_group_codes: Option<Vec<String>>,
    pub municipality_cbs_codes: Option<Vec<String>>,
    #[schema(value_type = Option<ContractStatus>)]
    pub status: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TerminationIn {
    /// Last day the contract is in force; no allocation starts after it,
    /// and care after it is declared only under a bridging agreement.
    #[schema(value_type = NaiveDate, example = "2026-06-30")]
    pub terminated_on: String,
    /// `ordinary` needs the contract's notice from today; a failed
    /// `integrity-check` or `financial-check` (the provider's latest check
    /// of that kind in the register failed), `underperformance` and
    /// `by-agreement` do not.
    #[schema(value_type = TerminationGround)]
    pub ground: String,
    /// Why, in words.
    #[schema(example = "Failed financial check")]
    pub reason: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ContractFilter {
    pub provider_agb: Option<String>,
    #[param(value_type = Option<ContractStatus>)]
    pub status: Option<String>,
    /// Only contracts covering this product group.
    pub product_group_code: Option<String>,
    /// Only contracts serving this municipality.
    pub municipality_cbs: Option<String>,
    /// Only contracts concluded under this procurement.
    pub procurement_code: Option<String>,
}

const MAX_TERM_MONTHS: u32 = 600;
/// Notice beyond ten years is a typing error, not a contract.
const MAX_NOTICE_MONTHS: u32 = 120;

impl From<Contract> for ContractOut {
    fn from(c: Contract) -> Self {
        Self {
            id: c.id,
            provider_agb: c.provider_agb,
            procurement_form: c.procurement_form,
            procurement_code: c.procurement_code,
            product_group_codes: c.product_group_codes,
            municipality_cbs_codes: c.municipality_cbs_codes,
            start_date: c.start_date,
            initial_term_months: c.initial_term_months,
            extension_options_months: c.extension_options_months,
            extensions_exercised: c.extensions_exercised,
            current_end_date: c.current_end_date,
            max_end_date: c.max_end_date,
            status: c.status,
            notice_months: c.notice_months,
            amended_months: c.amended_months,
            estimated_value: c.estimated_value,
            terminated_on: c.terminated_on,
            termination_ground: c.termination_ground,
            termination_reason: c.termination_reason,
        }
    }
}

/// The contract as the API shows it.
pub async fn to_out<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    m: contract::Model,
) -> ApiResult<ContractOut> {
    Ok(contracts::describe(db, scope, m).await?.into())
}

/// A contract of the region; a provider token sees only its own.
pub async fn find_visible<C: ConnectionTrait, P: Permission>(
    db: &C,
    auth: &Scoped<P>,
    id: Uuid,
) -> ApiResult<contract::Model> {
    let seen = auth
        .party
        .sees_by_id::<contract::Entity, _>(db, &auth.scope, id, |row| row.provider_id);
    Ok(seen.await?)
}

/// Conclude a contract.
#[utoipa::path(
    tag = "contracts",
    params(("regionCode" = String, Path, description = "Region code")),
    request_body = ContractIn,
    responses((status = 201, body = ContractOut), (status = 400, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[post("/regions/{regionCode}/contracts")]
pub async fn create_contract(
    state: web::Data<AppState>,
    auth: Scoped<ManageContracts>,
    body: Body<ContractIn>,
) -> ApiResult<HttpResponse> {
    let input = body.take()?;
    let mut check = Check::new();
    let form = check.one_of::<ProcurementForm>("procurementForm", &input.procurement_form);
    let start = check.date("startDate", &input.start_date);
    check.require(
        (1..=MAX_TERM_MONTHS).contains(&input.initial_term_months),
        "initialTermMonths",
        "must be 1 to 600 months",
    );
    check.require(
        input.extension_options_months.len() <= 10,
        "extensionOptionsMonths",
        "at most 10 options",
    );
    for (i, months) in input.extension_options_months.iter().enumerate() {
        check.require(
            (1..=MAX_TERM_MONTHS).contains(months),
            &format!("extensionOptionsMonths[{i}]"),
            "must be 1 to 600 months",
        );
    }
    check.require(
        input.notice_months <= MAX_NOTICE_MONTHS,
        "noticeMonths",
        "must be 0 to 120 months",
    );
    let value = input
        .estimated_value
        .as_deref()
        .map(|text| check.non_negative_euros("estimatedValue", text));
    let txn = entities::transaction::begin_write(&state.db).await?;
    let provider = catalogue::provider(&txn, &auth.scope, &input.provider_agb).await?;
    check.require_rule(
        provider.is_some(),
        "providerAgb",
        "no such provider in this region",
    );
    let groups = resolve_groups(&txn, &auth.scope, &mut check, &input.product_group_codes).await?;
    let cbs = resolve_municipalities(&txn, &auth.scope, &mut check, &input.municipality_cbs_codes)
        .await?;
    let procurement = match &input.procurement_code {
        Some(code) => {
            let found = domain::procurements::find(&txn, &auth.scope, code).await?;
            check.require_rule(
                found.is_some(),
                "procurementCode",
                "no such procurement in this region",
            );
            found
        }
        None => None,
    };
    let ((form, start), provider) = check.done(form.zip(start).zip(provider))?;
    let out = contracts::conclude(
        &txn,
        &auth.scope,
        &auth.audit(),
        contracts::Terms {
            provider,
            form,
            start,
            initial_term_months: input.initial_term_months,
            extension_options_months: input.extension_options_months,
            notice_months: input.notice_months,
            estimated_value_cents: value.flatten(),
            groups,
            municipalities: cbs,
            procurement,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/api/v1/regions/{}/contracts/{}", auth.region.code, out.id),
        ))
        .json(out))
}

/// List contracts; a provider token sees only its own.
#[utoipa::path(
    tag = "contracts",
    params(("regionCode" = String, Path, description = "Region code"), ContractFilter, PageQuery),
    responses((status = 200, body = Page<ContractOut>), (status = 400, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/contracts")]
pub async fn list_contracts(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    filter: web::Query<ContractFilter>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let page = query.validate()?;
    let mut check = Check::new();
    let status = filter
        .status
        .as_deref()
        .map(|s| check.one_of::<ContractStatus>("status", s));
    check.finish()?;
    let db = &state.db;
    let scope = &auth.scope;
    let mut select = contract::Entity::scoped(scope)
        .order_by_asc(contract::Column::StartDate)
        .order_by_asc(contract::Column::Id);
    select = select.filter(auth.party.contracts());
    if let Some(agb) = &filter.provider_agb {
        let id = catalogue::provider(db, scope, agb).await?.map(|p| p.id);
        select = select.filter(contract::Column::ProviderId.eq(id.unwrap_or_default()));
    }
    if let Some(Some(status)) = status {
        select = select.filter(contract::Column::Status.eq(status));
    }
    if let Some(code) = &filter.product_group_code {
        let id = catalogue::product_group(db, scope, code)
            .await?
            .map(|g| g.id)
            .unwrap_or_default();
        let linked = contract_product_group::Entity::scoped(scope)
            .select_only()
            .column(contract_product_group::Column::ContractId)
            .filter(contract_product_group::Column::ProductGroupId.eq(id))
            .into_query();
        select = select.filter(contract::Column::Id.in_subquery(linked));
    }
    if let Some(cbs) = &filter.municipality_cbs {
        let id = catalogue::municipality(db, scope, cbs)
            .await?
            .map(|m| m.id)
            .unwrap_or_default();
        let linked = contract_municipality::Entity::scoped(scope)
            .select_only()
            .column(contract_municipality::Column::ContractId)
            .filter(contract_municipality::Column::MunicipalityId.eq(id))
            .into_query();
        select = select.filter(contract::Column::Id.in_subquery(linked));
    }
    if let Some(code) = &filter.procurement_code {
        let id = domain::procurements::find(db, scope, code)
            .await?
            .map(|p| p.id)
            .unwrap_or_default();
        select = select.filter(contract::Column::ProcurementId.eq(id));
    }
    let (items, total) = fetch_page(db, select, page).await?;
    let links = ContractLinks::load(db, scope, &items).await?;
    let out = items
        .into_iter()
        .map(|c| ContractOut::from(links.describe(c)))
        .collect();
    Ok(Page::new(out, page, total).respond(&req))
}

/// Get a contract with its derived end dates.
#[utoipa::path(
    tag = "contracts",
    params(("regionCode" = String, Path, description = "Region code"), ("id" = Uuid, Path, description = "Contract id")),
    responses((status = 200, body = ContractOut), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/contracts/{id}")]
pub async fn get_contract(
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    path: web::Path<(String, Uuid)>,
) -> ApiResult<web::Json<ContractOut>> {
    let found = find_visible(&state.db, &auth, path.1).await?;
    Ok(web::Json(to_out(&state.db, &auth.scope, found).await?))
}

/// Change lots, municipalities, or mark the contract `outflow-proposed`.
#[utoipa::path(
    tag = "contracts",
    params(("regionCode" = String, Path, description = "Region code"), ("id" = Uuid, Path, description = "Contract id")),
    request_body = ContractPatch,
    responses(
        (status = 200, body = ContractOut),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The contract is terminated", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/regions/{regionCode}/contracts/{id}")]
pub async fn update_contract(
    state: web::Data<AppState>,
    auth: Scoped<ManageContracts>,
    path: web::Path<(String, Uuid)>,
    body: Body<ContractPatch>,
) -> ApiResult<web::Json<ContractOut>> {
    let input = body.take()?;
    let mut check = Check::new();
    let status = input
        .status
        .as_deref()
        .map(|s| check.one_of::<ContractStatus>("status", s));
    if let Some(Some(ContractStatus::Terminated)) = status {
        check.fail_rule(
            "status",
            "terminate through POST .../contracts/{id}/termination",
        );
    }
    let txn = entities::transaction::begin_write(&state.db).await?;
    let existing = contract::Entity::find_scoped(&txn, &auth.scope, path.1)
        .await?
        .ok_or(ApiError::NotFound)?;
    let groups = match &input.product_group_codes {
        Some(codes) => Some(resolve_groups(&txn, &auth.scope, &mut check, codes).await?),
        None => None,
    };
    let cbs = match &input.municipality_cbs_codes {
        Some(codes) => Some(resolve_municipalities(&txn, &auth.scope, &mut check, codes).await?),
        None => None,
    };
    check.finish()?;
    let update = contracts::Update {
        groups,
        municipalities: cbs,
        status: status.flatten(),
    };
    let out = contracts::update(&txn, &auth.scope, &auth.audit(), existing, update).await?;
    txn.commit().await?;
    Ok(web::Json(out.into()))
}

/// Remove a contract entered by mistake. Ending a real contract is a
/// termination; one with allocations still running under it only (422
/// `ZR-CONTRACT-RUNNING-ALLOCATIONS`) is not removed.
#[utoipa::path(
    tag = "contracts",
    params(("regionCode" = String, Path, description = "Region code"), ("id" = Uuid, Path, description = "Contract id")),
    responses(
        (status = 204),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Allocations still run under this contract only", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/regions/{regionCode}/contracts/{id}")]
pub async fn delete_contract(
    state: web::Data<AppState>,
    auth: Scoped<ManageContracts>,
    path: web::Path<(String, Uuid)>,
) -> ApiResult<HttpResponse> {
    let txn = entities::transaction::begin_write(&state.db).await?;
    let existing = contract::Entity::find_scoped(&txn, &auth.scope, path.1)
        .await?
        .ok_or(ApiError::NotFound)?;
    contracts::delete(&txn, &auth.scope, &auth.audit(), existing).await?;
    txn.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Exercise the next extension option. 409 when none is left or the
/// contract is terminated.
#[utoipa::path(
    tag = "contracts",
    params(("regionCode" = String, Path, description = "Region code"), ("id" = Uuid, Path, description = "Contract id")),
    responses(
        (status = 201, body = ContractOut),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/regions/{regionCode}/contracts/{id}/extensions")]
pub async fn exercise_extension(
    state: web::Data<AppState>,
    auth: Scoped<ManageContracts>,
    path: web::Path<(String, Uuid)>,
) -> ApiResult<HttpResponse> {
    let txn = entities::transaction::begin_write(&state.db).await?;
    let existing = contract::Entity::find_scoped(&txn, &auth.scope, path.1)
        .await?
        .ok_or(ApiError::NotFound)?;
    let out =
        ContractOut::from(contracts::extend(&txn, &auth.scope, &auth.audit(), existing).await?);
    txn.commit().await?;
    Ok(HttpResponse::Created().json(out))
}

/// Terminate a contract on a date, with a reason (e.g. after an outflow
/// check or a failed Bibob or financial check).
#[utoipa::path(
    tag = "contracts",
    params(("regionCode" = String, Path, description = "Region code"), ("id" = Uuid, Path, description = "Contract id")),
    request_body = TerminationIn,
    responses(
        (status = 200, body = ContractOut),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/regions/{regionCode}/contracts/{id}/termination")]
pub async fn terminate_contract(
    state: web::Data<AppState>,
    auth: Scoped<ManageContracts>,
    path: web::Path<(String, Uuid)>,
    body: Body<TerminationIn>,
) -> ApiResult<web::Json<ContractOut>> {
    let input = body.take()?;
    let mut check = Check::new();
    let on = check.date("terminatedOn", &input.terminated_on);
    let ground = check.one_of::<TerminationGround>("ground", &input.ground);
    check.name("reason", &input.reason, 2000);
    let txn = entities::transaction::begin_write(&state.db).await?;
    let existing = contract::Entity::find_scoped(&txn, &auth.scope, path.1)
        .await?
        .ok_or(ApiError::NotFound)?;
    if let Some(on) = on {
        check.require_rule(
            on >= existing.start_date,
            "terminatedOn",
            "must not be before the contract's start date",
        );
    }
    let (on, ground) = check.done(on.zip(ground))?;
    let out = contracts::terminate(
        &txn,
        &auth.scope,
        &auth.audit(),
        existing,
        (on, ground),
        input.reason.trim(),
    )
    .await?;
    txn.commit().await?;
    Ok(web::Json(out.into()))
}
