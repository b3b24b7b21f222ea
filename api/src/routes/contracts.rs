//! Framework contracts (raamovereenkomsten): a provider admitted for product
//! groups (lots) in municipalities, for an initial term plus extension
//! options. End dates are derived; extensions and termination are
//! sub-resources so each is one audited act.

use std::collections::HashMap;

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use entities::{
    contract_term::{current_end_date, max_end_date},
    enums::{ContractStatus, ProcurementForm},
    policy::{kinds, PolicyRules},
    schema::{
        contract, contract_municipality, contract_product_group, municipality, product_group,
        provider,
    },
    RegionScope, TenantEntity, TenantRecord,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{municipalities, policies, product_groups, providers};
use crate::{
    auth::{ManageContracts, Permission, ReadRegion, Scoped},
    error::{ApiError, ApiResult, Problem},
    input::{Body, Check},
    pagination::{fetch_page, Page, PageQuery},
    state::AppState,
};

/// A framework contract (raamovereenkomst) with one provider.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContractOut {
    pub id: Uuid,
    #[schema(example = "73730001")]
    pub provider_agb: String,
    pub procurement_form: ProcurementForm,
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
    pub terminated_on: Option<NaiveDate>,
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
    /// Last day the contract is in force; no allocation starts after it.
    #[schema(value_type = NaiveDate, example = "2026-06-30")]
    pub terminated_on: String,
    /// Why, e.g. underperformance, failed integrity (Bibob) or financial check.
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
}

const MAX_TERM_MONTHS: u32 = 600;

fn options_of(m: &contract::Model) -> Vec<u32> {
    serde_json::from_value(m.extension_options_months.clone()).unwrap_or_default()
}

/// Lots, municipalities and provider codes for a page of contracts.
struct Links {
    groups: HashMap<Uuid, Vec<String>>,
    municipalities: HashMap<Uuid, Vec<String>>,
    providers: HashMap<Uuid, String>,
}

impl Links {
    async fn load<C: ConnectionTrait>(
        db: &C,
        scope: &RegionScope,
        contracts: &[contract::Model],
    ) -> ApiResult<Self> {
        let ids: Vec<Uuid> = contracts.iter().map(|c| c.id).collect();
        let group_codes: HashMap<Uuid, String> = product_group::Entity::scoped(scope)
            .all(db)
            .await?
            .into_iter()
            .map(|g| (g.id, g.code))
            .collect();
        let cbs_codes: HashMap<Uuid, String> = municipality::Entity::scoped(scope)
            .all(db)
            .await?
            .into_iter()
            .map(|m| (m.id, m.cbs_code))
            .collect();
        let mut groups: HashMap<Uuid, Vec<String>> = HashMap::new();
        for link in contract_product_group::Entity::scoped(scope)
            .filter(contract_product_group::Column::ContractId.is_in(ids.clone()))
            .all(db)
            .await?
        {
            groups.entry(link.contract_id).or_default().push(
                group_codes
                    .get(&link.product_group_id)
                    .cloned()
                    .unwrap_or_default(),
            );
        }
        let mut municipalities: HashMap<Uuid, Vec<String>> = HashMap::new();
        for link in contract_municipality::Entity::scoped(scope)
            .filter(contract_municipality::Column::ContractId.is_in(ids))
            .all(db)
            .await?
        {
            municipalities.entry(link.contract_id).or_default().push(
                cbs_codes
                    .get(&link.municipality_id)
                    .cloned()
                    .unwrap_or_default(),
            );
        }
        let providers = provider::Entity::scoped(scope)
            .filter(provider::Column::Id.is_in(contracts.iter().map(|c| c.provider_id)))
            .all(db)
            .await?
            .into_iter()
            .map(|p| (p.id, p.agb_code))
            .collect();
        Ok(Self {
            groups,
            municipalities,
            providers,
        })
    }

    fn out(&self, m: contract::Model) -> ContractOut {
        let options = options_of(&m);
        let initial = m.initial_term_months as u32;
        let exercised = m.extensions_exercised as u32;
        let mut groups = self.groups.get(&m.id).cloned().unwrap_or_default();
        groups.sort();
        let mut cbs = self.municipalities.get(&m.id).cloned().unwrap_or_default();
        cbs.sort();
        ContractOut {
            id: m.id,
            provider_agb: self
                .providers
                .get(&m.provider_id)
                .cloned()
                .unwrap_or_default(),
            procurement_form: m.procurement_form,
            product_group_codes: groups,
            municipality_cbs_codes: cbs,
            start_date: m.start_date,
            initial_term_months: initial,
            current_end_date: current_end_date(m.start_date, initial, &options, exercised as usize)
                .unwrap_or(m.start_date),
            max_end_date: max_end_date(m.start_date, initial, &options).unwrap_or(m.start_date),
            extension_options_months: options,
            extensions_exercised: exercised,
            status: m.status,
            terminated_on: m.terminated_on,
            termination_reason: m.termination_reason,
        }
    }
}

async fn to_out<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    m: contract::Model,
) -> ApiResult<ContractOut> {
    let links = Links::load(db, scope, std::slice::from_ref(&m)).await?;
    Ok(links.out(m))
}

/// Resolves product group codes, reporting unknown ones under `field`.
async fn resolve_groups<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    check: &mut Check,
    codes: &[String],
) -> ApiResult<Vec<Uuid>> {
    check.require(
        !codes.is_empty(),
        "productGroupCodes",
        "must name at least one product group",
    );
    let mut ids = Vec::new();
    for (i, code) in codes.iter().enumerate() {
        match product_groups::find_by_code(db, scope, code).await? {
            Some(g) if !ids.contains(&g.id) => ids.push(g.id),
            Some(_) => check.fail_rule(format!("productGroupCodes[{i}]"), "is listed twice"),
            None => check.fail_rule(
                format!("productGroupCodes[{i}]"),
                "no such product group in this region",
            ),
        }
    }
    Ok(ids)
}

async fn resolve_municipalities<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    check: &mut Check,
    codes: &[String],
) -> ApiResult<Vec<Uuid>> {
    check.require(
        !codes.is_empty(),
        "municipalityCbsCodes",
        "must name at least one municipality",
    );
    let mut ids = Vec::new();
    for (i, code) in codes.iter().enumerate() {
        match municipalities::find_by_cbs(db, scope, code).await? {
            Some(m) if !ids.contains(&m.id) => ids.push(m.id),
            Some(_) => check.fail_rule(format!("municipalityCbsCodes[{i}]"), "is listed twice"),
            None => check.fail_rule(
                format!("municipalityCbsCodes[{i}]"),
                "no such municipality in this region",
            ),
        }
    }
    Ok(ids)
}

async fn link_groups<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    contract_id: Uuid,
    ids: &[Uuid],
) -> ApiResult<()> {
    contract_product_group::Entity::delete_scoped(scope)
        .filter(contract_product_group::Column::ContractId.eq(contract_id))
        .exec(db)
        .await?;
    for id in ids {
        contract_product_group::ActiveModel {
            region_id: Set(scope.region_id),
            contract_id: Set(contract_id),
            product_group_id: Set(*id),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

async fn link_municipalities<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    contract_id: Uuid,
    ids: &[Uuid],
) -> ApiResult<()> {
    contract_municipality::Entity::delete_scoped(scope)
        .filter(contract_municipality::Column::ContractId.eq(contract_id))
        .exec(db)
        .await?;
    for id in ids {
        contract_municipality::ActiveModel {
            region_id: Set(scope.region_id),
            contract_id: Set(contract_id),
            municipality_id: Set(*id),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// The region's admission rules for a new contract, each a 422 naming it:
/// a product group a municipality closed (`closed-product-groups`), the
/// maximum of contracted providers and the open-house admission windows of a
/// product group (`contract-admission`).
async fn check_admission<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    provider_id: Uuid,
    form: ProcurementForm,
    start: NaiveDate,
    groups: &[Uuid],
    municipalities: &[Uuid],
) -> ApiResult<()> {
    let codes = super::codes::CodeBook::load(db, scope).await?;
    for municipality_id in municipalities {
        let cbs = codes.municipality(*municipality_id);
        if let Some(PolicyRules::ClosedProductGroups(p)) =
            policies::rules(db, scope, kinds::CLOSED_PRODUCT_GROUPS, &cbs).await?
        {
            if let Some(group) = groups
                .iter()
                .map(|g| codes.group(*g))
                .find(|code| p.product_group_codes.contains(code))
            {
                if start >= p.closed_from {
                    return Err(ApiError::rule(
                        "ZR-CONTRACT-GROUP-CLOSED",
                        format!(
                            "{cbs} closed product group {group} for new providers from {}.",
                            p.closed_from
                        ),
                    ));
                }
            }
        }
    }
    for group_id in groups {
        let code = codes.group(*group_id);
        let Some(PolicyRules::ContractAdmission(p)) =
            policies::rules(db, scope, kinds::CONTRACT_ADMISSION, &code).await?
        else {
            continue;
        };
        if form == ProcurementForm::OpenHouse && !p.admits_on(start) {
            return Err(ApiError::rule(
                "ZR-CONTRACT-ADMISSION-WINDOW",
                format!(
                    "New open-house contracts for {code} start only within its admission windows."
                ),
            ));
        }
        if let Some(max) = p.max_providers {
            let with_group = contract_product_group::Entity::scoped(scope)
                .select_only()
                .column(contract_product_group::Column::ContractId)
                .filter(contract_product_group::Column::ProductGroupId.eq(*group_id))
                .into_query();
            let others: std::collections::HashSet<Uuid> = contract::Entity::scoped(scope)
                .filter(contract::Column::Id.in_subquery(with_group))
                .filter(contract::Column::Status.ne(ContractStatus::Terminated))
                .filter(contract::Column::ProviderId.ne(provider_id))
                .all(db)
                .await?
                .into_iter()
                .map(|c| c.provider_id)
                .collect();
            if others.len() as u32 >= max {
                return Err(ApiError::rule(
                    "ZR-CONTRACT-MAX-PROVIDERS",
                    format!("Product group {code} admits at most {max} contracted providers; it has {}.", others.len()),
                ));
            }
        }
    }
    Ok(())
}

/// Lots or municipalities added to a running contract pass the same
/// admission rules as a new contract, as of today (or its start, if later).
async fn check_added_lots<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    existing: &contract::Model,
    groups: Option<&[Uuid]>,
    municipalities: Option<&[Uuid]>,
) -> ApiResult<()> {
    let current_groups: Vec<Uuid> = contract_product_group::Entity::scoped(scope)
        .filter(contract_product_group::Column::ContractId.eq(existing.id))
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.product_group_id)
        .collect();
    let current_municipalities: Vec<Uuid> = contract_municipality::Entity::scoped(scope)
        .filter(contract_municipality::Column::ContractId.eq(existing.id))
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.municipality_id)
        .collect();
    let final_groups = groups
        .map(<[Uuid]>::to_vec)
        .unwrap_or_else(|| current_groups.clone());
    let final_municipalities = municipalities
        .map(<[Uuid]>::to_vec)
        .unwrap_or_else(|| current_municipalities.clone());
    let added_groups: Vec<Uuid> = final_groups
        .iter()
        .copied()
        .filter(|g| !current_groups.contains(g))
        .collect();
    let added_municipalities: Vec<Uuid> = final_municipalities
        .iter()
        .copied()
        .filter(|m| !current_municipalities.contains(m))
        .collect();
    let as_of = entities::clock::now().date_naive().max(existing.start_date);
    let (provider, form) = (existing.provider_id, existing.procurement_form);
    if !added_groups.is_empty() {
        check_admission(
            db,
            scope,
            provider,
            form,
            as_of,
            &added_groups,
            &final_municipalities,
        )
        .await?;
    }
    if !added_municipalities.is_empty() {
        check_admission(
            db,
            scope,
            provider,
            form,
            as_of,
            &final_groups,
            &added_municipalities,
        )
        .await?;
    }
    Ok(())
}

/// A contract of the region; a provider token sees only its own.
async fn find_visible<C: ConnectionTrait, P: Permission>(
    db: &C,
    auth: &Scoped<P>,
    id: Uuid,
) -> ApiResult<contract::Model> {
    let found = contract::Entity::find_scoped(db, &auth.scope, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if auth
        .party
        .provider_id()
        .is_some_and(|own| own != found.provider_id)
    {
        return Err(ApiError::NotFound);
    }
    Ok(found)
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
    let txn = entities::transaction::begin_write(&state.db).await?;
    let provider = providers::find_by_agb(&txn, &auth.scope, &input.provider_agb).await?;
    check.require_rule(
        provider.is_some(),
        "providerAgb",
        "no such provider in this region",
    );
    let groups = resolve_groups(&txn, &auth.scope, &mut check, &input.product_group_codes).await?;
    let cbs = resolve_municipalities(&txn, &auth.scope, &mut check, &input.municipality_cbs_codes)
        .await?;
    let ((form, start), provider) = check.done(form.zip(start).zip(provider))?;
    check_admission(&txn, &auth.scope, provider.id, form, start, &groups, &cbs).await?;
    let model = contract::ActiveModel {
        region_id: Set(auth.scope.region_id),
        id: Set(Uuid::now_v7()),
        provider_id: Set(provider.id),
        procurement_form: Set(form),
        start_date: Set(start),
        initial_term_months: Set(input.initial_term_months as i32),
        extension_options_months: Set(serde_json::json!(input.extension_options_months)),
        extensions_exercised: Set(0),
        status: Set(ContractStatus::Active),
        terminated_on: Set(None),
        termination_reason: Set(None),
        created_at: Set(entities::clock::now()),
    }
    .insert(&txn)
    .await?;
    link_groups(&txn, &auth.scope, model.id, &groups).await?;
    link_municipalities(&txn, &auth.scope, model.id, &cbs).await?;
    let out = to_out(&txn, &auth.scope, model).await?;
    auth.audit()
        .record(&txn, "create", "contract", out.id, &out)
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
        let id = providers::find_by_agb(db, scope, agb).await?.map(|p| p.id);
        select = select.filter(contract::Column::ProviderId.eq(id.unwrap_or_default()));
    }
    if let Some(Some(status)) = status {
        select = select.filter(contract::Column::Status.eq(status));
    }
    if let Some(code) = &filter.product_group_code {
        let id = product_groups::find_by_code(db, scope, code)
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
        let id = municipalities::find_by_cbs(db, scope, cbs)
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
    let (items, total) = fetch_page(db, select, page).await?;
    let links = Links::load(db, scope, &items).await?;
    let out = items.into_iter().map(|c| links.out(c)).collect();
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
    if existing.status == ContractStatus::Terminated {
        return Err(ApiError::conflict(
            "ZR-CONTRACT-TERMINATED",
            "A terminated contract cannot be changed.",
        ));
    }
    check_added_lots(
        &txn,
        &auth.scope,
        &existing,
        groups.as_deref(),
        cbs.as_deref(),
    )
    .await?;
    if let Some(ids) = &groups {
        link_groups(&txn, &auth.scope, existing.id, ids).await?;
    }
    if let Some(ids) = &cbs {
        link_municipalities(&txn, &auth.scope, existing.id, ids).await?;
    }
    let mut model: contract::ActiveModel = existing.into();
    if let Some(Some(status)) = status {
        model.status = Set(status);
    }
    let out = to_out(&txn, &auth.scope, model.update(&txn).await?).await?;
    auth.audit()
        .record(&txn, "update", "contract", out.id, &out)
        .await?;
    txn.commit().await?;
    Ok(web::Json(out))
}

/// Remove a contract entered by mistake. Ending a real contract is a termination.
#[utoipa::path(
    tag = "contracts",
    params(("regionCode" = String, Path, description = "Region code"), ("id" = Uuid, Path, description = "Contract id")),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")),
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
    contract::Entity::delete_scoped_by_id(&txn, &auth.scope, existing.id).await?;
    auth.audit()
        .record(
            &txn,
            "delete",
            "contract",
            existing.id,
            serde_json::json!({}),
        )
        .await?;
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
    if existing.status == ContractStatus::Terminated {
        return Err(ApiError::conflict(
            "ZR-CONTRACT-TERMINATED",
            "A terminated contract cannot be extended.",
        ));
    }
    let options = options_of(&existing);
    if existing.extensions_exercised as usize >= options.len() {
        return Err(ApiError::conflict(
            "ZR-NO-EXTENSION-LEFT",
            format!(
                "All {} extension options of this contract have been exercised.",
                options.len()
            ),
        ));
    }
    let exercised = existing.extensions_exercised + 1;
    let mut model: contract::ActiveModel = existing.into();
    model.extensions_exercised = Set(exercised);
    let out = to_out(&txn, &auth.scope, model.update(&txn).await?).await?;
    auth.audit()
        .record(&txn, "extend", "contract", out.id, serde_json::json!({ "extensionsExercised": exercised, "currentEndDate": out.current_end_date }))
        .await?;
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
    let on = check.done(on)?;
    if existing.status == ContractStatus::Terminated {
        return Err(ApiError::conflict(
            "ZR-CONTRACT-TERMINATED",
            "The contract is already terminated.",
        ));
    }
    let mut model: contract::ActiveModel = existing.into();
    model.status = Set(ContractStatus::Terminated);
    model.terminated_on = Set(Some(on));
    model.termination_reason = Set(Some(input.reason.trim().to_owned()));
    let out = to_out(&txn, &auth.scope, model.update(&txn).await?).await?;
    auth.audit()
        .record(
            &txn,
            "terminate",
            "contract",
            out.id,
            serde_json::json!({ "terminatedOn": on, "reason": out.termination_reason }),
        )
        .await?;
    txn.commit().await?;
    Ok(web::Json(out))
}
