//! Amendments to a running contract, each with its reason and kept as its
//! history: a one-off extension outside the options (seed 002), lots or
//! municipalities added or removed, a pilot clause. A change of lots or
//! municipalities through `PATCH .../contracts/{id}` is recorded here too,
//! without a reason.

use chrono::NaiveDate;
use entities::{
    enums::AmendmentKind,
    schema::{contract, contract_amendment},
    TenantEntity, TenantRecord,
};
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::contracts::find_visible;
use super::prelude::*;
use domain::contracts::{amend, resolve_groups, resolve_municipalities, Change};

/// Months a one-off extension may add at once.
const MAX_EXTENSION_MONTHS: u32 = 600;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AmendmentIn {
    #[schema(value_type = AmendmentKind)]
    pub kind: String,
    /// Why the contract is amended.
    #[schema(example = "Bridging the new tender's delay (seed 002: one-off extension)")]
    pub reason: String,
    /// The day it takes effect; today when omitted.
    #[schema(value_type = Option<NaiveDate>, example = "2027-01-01")]
    pub effective_on: Option<String>,
    /// For `extension`: months added to the term.
    #[schema(example = 6)]
    pub extension_months: Option<u32>,
    /// For `lots`: the contract's product groups after the amendment.
    pub product_group_codes: Option<Vec<String>>,
    /// For `municipalities`: the contract's municipalities after it.
    pub municipality_cbs_codes: Option<Vec<String>>,
    /// For `pilot-clause` and `other`: the clause in words.
    #[schema(example = "Pilot: outcome-based payment for 02A01 in GM0344 during 2027")]
    pub text: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AmendmentOut {
    pub id: Uuid,
    pub contract_id: Uuid,
    pub kind: AmendmentKind,
    /// None for a change made through `PATCH .../contracts/{id}`.
    pub reason: Option<String>,
    pub effective_on: NaiveDate,
    /// What changed: `extensionMonths` and the new `currentEndDate`; the
    /// `before` and `after` codes of lots or municipalities; or the `text`.
    #[schema(value_type = Object)]
    pub change: serde_json::Value,
    /// Who amended it (role and subject).
    pub actor: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<contract_amendment::Model> for AmendmentOut {
    fn from(m: contract_amendment::Model) -> Self {
        Self {
            id: m.id,
            contract_id: m.contract_id,
            kind: m.kind,
            reason: m.reason,
            effective_on: m.effective_on,
            change: m.change,
            actor: m.actor,
            created_at: m.created_at,
        }
    }
}

/// Amend a contract.
#[utoipa::path(
    tag = "contracts",
    params(("regionCode" = String, Path, description = "Region code"), ("id" = Uuid, Path, description = "Contract id")),
    request_body = AmendmentIn,
    responses(
        (status = 201, body = AmendmentOut),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The contract is terminated", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An added lot or municipality breaks an admission rule", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/regions/{regionCode}/contracts/{id}/amendments")]
pub async fn create_amendment(
    state: web::Data<AppState>,
    auth: Scoped<ManageContracts>,
    path: web::Path<(String, Uuid)>,
    body: Body<AmendmentIn>,
) -> ApiResult<HttpResponse> {
    let input = body.take()?;
    let mut check = Check::new();
    let kind = check.one_of::<AmendmentKind>("kind", &input.kind);
    check.name("reason", &input.reason, 2000);
    let effective_on = input
        .effective_on
        .as_deref()
        .map(|d| check.date("effectiveOn", d));
    let txn = entities::transaction::begin_write(&state.db).await?;
    let scope = &auth.scope;
    let existing = contract::Entity::find_scoped(&txn, scope, path.1)
        .await?
        .ok_or(ApiError::NotFound)?;
    let change = match kind {
        Some(AmendmentKind::Extension) => {
            let months = input.extension_months.unwrap_or(0);
            check.require_rule(
                (1..=MAX_EXTENSION_MONTHS).contains(&months),
                "extensionMonths",
                "an extension adds 1 to 600 months",
            );
            Some(Change::Extension(months))
        }
        Some(AmendmentKind::Lots) => match input.product_group_codes.as_deref() {
            Some(codes) => Some(Change::Lots(
                resolve_groups(&txn, scope, &mut check, codes).await?,
            )),
            None => {
                check.fail_rule(
                    "productGroupCodes",
                    "a lots amendment names the lots after it",
                );
                None
            }
        },
        Some(AmendmentKind::Municipalities) => match input.municipality_cbs_codes.as_deref() {
            Some(codes) => Some(Change::Municipalities(
                resolve_municipalities(&txn, scope, &mut check, codes).await?,
            )),
            None => {
                check.fail_rule(
                    "municipalityCbsCodes",
                    "a municipalities amendment names the municipalities after it",
                );
                None
            }
        },
        Some(kind) => {
            let text = input.text.as_deref().unwrap_or_default().trim();
            check.require_rule(
                !text.is_empty() && text.chars().count() <= 2000,
                "text",
                "a clause is 1 to 2000 characters",
            );
            Some(Change::Clause(kind, text.to_owned()))
        }
        None => None,
    };
    let change = check.done(change)?;
    let today = entities::clock::now().date_naive();
    let when = (
        Some(input.reason.trim()),
        effective_on.flatten().unwrap_or(today),
    );
    let amendment = amend(&txn, scope, &auth.audit(), existing, change, when).await?;
    txn.commit().await?;
    Ok(HttpResponse::Created().json(AmendmentOut::from(amendment)))
}

/// A contract's amendments, oldest first; a provider sees its own contracts'.
#[utoipa::path(
    tag = "contracts",
    params(("regionCode" = String, Path, description = "Region code"), ("id" = Uuid, Path, description = "Contract id"), PageQuery),
    responses(
        (status = 200, body = Page<AmendmentOut>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/contracts/{id}/amendments")]
pub async fn list_amendments(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    path: web::Path<(String, Uuid)>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let page = query.validate()?;
    let found = find_visible(&state.db, &auth, path.1).await?;
    let select = contract_amendment::Entity::scoped(&auth.scope)
        .filter(contract_amendment::Column::ContractId.eq(found.id))
        .order_by_asc(contract_amendment::Column::CreatedAt)
        .order_by_asc(contract_amendment::Column::Id);
    let (items, total) = fetch_page(&state.db, select, page).await?;
    let out: Vec<AmendmentOut> = items.into_iter().map(Into::into).collect();
    Ok(Page::new(out, page, total).respond(&req))
}
