//! The end of a contract (seed 004 §12): a bridging agreement
//! (overbruggingsovereenkomst) lets named allocations run, and be declared,
//! past the contract's last day up to its `until`; the transfer list shows
//! the access teams which allocations of the leaving provider still run
//! past that day, so they can re-allocate. New allocations under an ended
//! contract stay refused, bridge or not.

use chrono::NaiveDate;
use domain::bridging::{self, last_day_of, BridgingAgreement, NewBridge};
use domain::contract_watch::{bridged_until, running_past};
use domain::parties::Party;
use entities::{
    schema::{allocation, bridging_agreement, contract},
    RegionScope, TenantEntity, TenantRecord,
};
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::contracts::find_visible;
use super::prelude::*;
use domain::codes::CodeBook;

/// At most this many allocations in one agreement.
const MAX_ALLOCATIONS: usize = 10_000;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BridgingAgreementIn {
    /// The last day of care the agreement covers; after the contract's last day.
    #[schema(value_type = NaiveDate, example = "2027-06-30")]
    pub until: String,
    /// The covered allocations; every allocation of the contract still
    /// running past its last day when omitted.
    #[schema(example = json!([1001, 1002]))]
    pub allocation_numbers: Option<Vec<i64>>,
    /// The agreement's conditions, in words.
    #[schema(example = "Current tariffs; no new allocations; monthly reporting of the clients")]
    pub conditions: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BridgingAgreementOut {
    pub id: Uuid,
    pub contract_id: Uuid,
    pub until: NaiveDate,
    pub allocation_numbers: Vec<i64>,
    pub conditions: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<BridgingAgreement> for BridgingAgreementOut {
    fn from(b: BridgingAgreement) -> Self {
        Self {
            id: b.id,
            contract_id: b.contract_id,
            until: b.until,
            allocation_numbers: b.allocation_numbers,
            conditions: b.conditions,
            created_at: b.created_at,
        }
    }
}

impl From<bridging_agreement::Model> for BridgingAgreementOut {
    fn from(m: bridging_agreement::Model) -> Self {
        BridgingAgreement::from(m).into()
    }
}

/// Agree a bridge for allocations of a contract that ends.
#[utoipa::path(
    tag = "contracts",
    params(("regionCode" = String, Path, description = "Region code"), ("id" = Uuid, Path, description = "Contract id")),
    request_body = BridgingAgreementIn,
    responses(
        (status = 201, body = BridgingAgreementOut),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`until` not after the contract's last day, or an allocation it does not cover", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/regions/{regionCode}/contracts/{id}/bridging-agreements")]
pub async fn create_bridging_agreement(
    state: web::Data<AppState>,
    auth: Scoped<ManageContracts>,
    path: web::Path<(String, Uuid)>,
    body: Body<BridgingAgreementIn>,
) -> ApiResult<HttpResponse> {
    let input = body.take()?;
    let mut check = Check::new();
    let until = check.date("until", &input.until);
    if let Some(conditions) = &input.conditions {
        check.name("conditions", conditions, 2000);
    }
    if let Some(numbers) = &input.allocation_numbers {
        check.require(
            !numbers.is_empty() && numbers.len() <= MAX_ALLOCATIONS,
            "allocationNumbers",
            "names 1 to 10000 allocations",
        );
    }
    let txn = entities::transaction::begin_write(&state.db).await?;
    let scope = &auth.scope;
    let found = contract::Entity::find_scoped(&txn, scope, path.1)
        .await?
        .ok_or(ApiError::NotFound)?;
    let asked = input.allocation_numbers.as_deref();
    let numbers = bridging::covered(&txn, scope, &found, &mut check, (until, asked)).await?;
    let until = check.done(until)?;
    let bridge = NewBridge {
        contract_id: found.id,
        until,
        allocation_numbers: numbers,
        conditions: input.conditions,
    };
    let out =
        BridgingAgreementOut::from(bridging::agree(&txn, scope, &auth.audit(), bridge).await?);
    txn.commit().await?;
    Ok(HttpResponse::Created().json(out))
}

/// A contract's bridging agreements; a provider sees its own contracts'.
#[utoipa::path(
    tag = "contracts",
    params(("regionCode" = String, Path, description = "Region code"), ("id" = Uuid, Path, description = "Contract id")),
    responses(
        (status = 200, body = Vec<BridgingAgreementOut>),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/contracts/{id}/bridging-agreements")]
pub async fn list_bridging_agreements(
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    path: web::Path<(String, Uuid)>,
) -> ApiResult<web::Json<Vec<BridgingAgreementOut>>> {
    let found = find_visible(&state.db, &auth, path.1).await?;
    let items = bridges_of(&state.db, &auth.scope, found.id).await?;
    let mut out: Vec<BridgingAgreementOut> = items.into_iter().map(Into::into).collect();
    // A municipality's access team sees the numbers of its own allocations.
    if let Party::Municipality { id, .. } = &auth.party {
        let own: std::collections::HashSet<i64> = allocation::Entity::scoped(&auth.scope)
            .filter(allocation::Column::ProviderId.eq(found.provider_id))
            .filter(allocation::Column::MunicipalityId.eq(*id))
            .select_only()
            .column(allocation::Column::AllocationNumber)
            .into_tuple()
            .all(&state.db)
            .await?
            .into_iter()
            .collect();
        for bridge in &mut out {
            bridge.allocation_numbers.retain(|n| own.contains(n));
        }
    }
    Ok(web::Json(out))
}

async fn bridges_of<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    contract_id: Uuid,
) -> ApiResult<Vec<bridging_agreement::Model>> {
    Ok(bridging_agreement::Entity::scoped(scope)
        .filter(bridging_agreement::Column::ContractId.eq(contract_id))
        .order_by_asc(bridging_agreement::Column::Until)
        .order_by_asc(bridging_agreement::Column::Id)
        .all(db)
        .await?)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TransferQuery {
    /// `json` (default) or `csv`.
    #[param(pattern = "^(json|csv)$")]
    pub format: Option<String>,
}

/// The transfer list of a leaving provider's contract.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TransferListOut {
    pub contract_id: Uuid,
    pub provider_agb: String,
    /// The contract's last day (its end, or its termination).
    pub last_day: NaiveDate,
    pub municipalities: Vec<TransferMunicipality>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TransferMunicipality {
    pub municipality_cbs: String,
    pub allocations: Vec<TransferItem>,
}

/// An allocation that runs past the contract's last day.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TransferItem {
    pub allocation_number: i64,
    pub product_code: String,
    pub start_date: NaiveDate,
    /// None: open-ended.
    pub end_date: Option<NaiveDate>,
    /// The last day a bridging agreement covers it to; none when no bridge
    /// does, and the access team re-allocates it to another provider.
    pub bridged_until: Option<NaiveDate>,
}

/// The allocations of the contract that run past its last day, per
/// municipality, with their end dates and bridges. An access team sees its
/// municipality's; a provider its own contract's. `format=csv` for a sheet.
#[utoipa::path(
    tag = "contracts",
    params(("regionCode" = String, Path, description = "Region code"), ("id" = Uuid, Path, description = "Contract id"), TransferQuery),
    responses(
        (status = 200, description = "The transfer list as JSON (default) or CSV (`format=csv`)", content(
            (TransferListOut = "application/json"),
            (String = "text/csv"),
        )),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The contract has no last day", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/contracts/{id}/transfer-list")]
pub async fn transfer_list(
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    path: web::Path<(String, Uuid)>,
    query: web::Query<TransferQuery>,
) -> ApiResult<HttpResponse> {
    let csv = crate::csv::wants_csv(query.format.as_deref())?;
    let db = &state.db;
    let scope = &auth.scope;
    let found = find_visible(db, &auth, path.1).await?;
    let last = last_day_of(&found)?;
    // A municipality's access team sees its own municipality's part.
    let own_municipality = match &auth.party {
        Party::Municipality { id, .. } => Some(*id),
        _ => None,
    };
    let bridged = bridged_until(db, scope, found.id).await?;
    let codes = CodeBook::load(db, scope).await?;
    let mut municipalities: Vec<TransferMunicipality> = Vec::new();
    for a in running_past(db, scope, &found, last).await? {
        if own_municipality.is_some_and(|own| own != a.municipality_id) {
            continue;
        }
        let cbs = codes.municipality(a.municipality_id);
        let item = TransferItem {
            allocation_number: a.allocation_number,
            product_code: codes.product(a.product_id),
            start_date: a.start_date,
            end_date: a.end_date,
            bridged_until: bridged.get(&a.allocation_number).copied(),
        };
        match municipalities
            .iter_mut()
            .find(|m| m.municipality_cbs == cbs)
        {
            Some(m) => m.allocations.push(item),
            None => municipalities.push(TransferMunicipality {
                municipality_cbs: cbs,
                allocations: vec![item],
            }),
        }
    }
    municipalities.sort_by(|a, b| a.municipality_cbs.cmp(&b.municipality_cbs));
    let out = TransferListOut {
        contract_id: found.id,
        provider_agb: codes.provider(found.provider_id),
        last_day: last,
        municipalities,
    };
    if !csv {
        return Ok(HttpResponse::Ok().json(out));
    }
    let mut sheet = crate::csv::Csv::new(&[
        "municipalityCbs",
        "allocationNumber",
        "productCode",
        "startDate",
        "endDate",
        "bridgedUntil",
    ]);
    let day = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    for m in &out.municipalities {
        for a in &m.allocations {
            sheet.row([
                m.municipality_cbs.clone(),
                a.allocation_number.to_string(),
                a.product_code.clone(),
                a.start_date.to_string(),
                day(a.end_date),
                day(a.bridged_until),
            ]);
        }
    }
    Ok(sheet.respond(&format!("transfer-list-{}.csv", out.contract_id)))
}
