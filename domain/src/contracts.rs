//! Contracting: the region's admission rules (closed groups, entry windows,
//! the region's and each municipality's provider caps), the compliance
//! register's veto, the EU threshold, and concluding a contract. The
//! contract handlers and an admitted enrolment conclude through here.
//! [`Cover`] answers how long a provider may deliver care on an allocation:
//! to its contract's last day, or a bridging agreement's.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use entities::{
    contract_life::{
        self, blocking_check, care_allowed_until, earliest_ordinary_end, last_day, latest_per_kind,
        needs_notice,
    },
    contract_term::max_end_date,
    enums::{
        AmendmentKind, CheckOutcome, ComplianceKind, ContractSignalKind, ContractStatus,
        ProcurementForm, TerminationGround,
    },
    money::cents_to_euros,
    policy::{kinds, PolicyRules, ThresholdAction},
    schema::{
        allocation, bridging_agreement, compliance_check, contract, contract_amendment,
        contract_municipality, contract_product_group, municipality, procurement, product,
        product_group, provider,
    },
    RegionScope, TenantEntity, TenantRecord,
};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
    QueryTrait, Set,
};
use serde::Serialize;
use uuid::Uuid;

use crate::contract_watch::{
    bridge_numbers, compliance_policy, contract_life_policy, running_past, signal,
};

use crate::audit::Audit;
use crate::{
    catalogue,
    check::Check,
    codes::CodeBook,
    error::{DomainError, DomainResult},
    policies, procurements,
};

/// A framework contract as the region knows it: its provider, lots and
/// municipalities by their codes and its term worked out. The audit trail
/// records it; the API's `ContractOut` shows it field for field.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Contract {
    pub id: Uuid,
    pub provider_agb: String,
    pub procurement_form: ProcurementForm,
    /// The procurement it was concluded under, if recorded.
    pub procurement_code: Option<String>,
    pub product_group_codes: Vec<String>,
    pub municipality_cbs_codes: Vec<String>,
    pub start_date: NaiveDate,
    pub initial_term_months: u32,
    pub extension_options_months: Vec<u32>,
    pub extensions_exercised: u32,
    /// Last day of the term including exercised extensions.
    pub current_end_date: NaiveDate,
    /// Last day if every option is exercised.
    pub max_end_date: NaiveDate,
    pub status: ContractStatus,
    pub notice_months: u32,
    /// Months added by one-off extensions outside the options.
    pub amended_months: u32,
    /// Estimated value in euros.
    pub estimated_value: Option<Decimal>,
    pub terminated_on: Option<NaiveDate>,
    pub termination_ground: Option<TerminationGround>,
    pub termination_reason: Option<String>,
}

/// What a new contract is concluded on.
pub struct Terms {
    pub provider: provider::Model,
    pub form: ProcurementForm,
    pub start: NaiveDate,
    pub initial_term_months: u32,
    pub extension_options_months: Vec<u32>,
    pub notice_months: u32,
    pub estimated_value_cents: Option<i64>,
    pub groups: Vec<Uuid>,
    pub municipalities: Vec<Uuid>,
    /// The procurement it is concluded under, if named.
    pub procurement: Option<procurement::Model>,
}

/// Checks the admission rules, the compliance register and, under a named
/// procurement, its form, lots, awards and EU threshold
/// (`procurements::admit`), then stores the contract with its lots and
/// municipalities and audits it. A procurement over the threshold under a
/// flagging policy gets the contract stored with an `eu-threshold` signal.
/// Without a procurement there is nothing to check the threshold against:
/// no contract form is a private procurement (issue 27).
pub async fn conclude<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    audit: &Audit,
    terms: Terms,
) -> DomainResult<Contract> {
    let Terms {
        provider,
        form,
        start,
        ..
    } = &terms;
    check_admission(
        db,
        scope,
        provider.id,
        *form,
        *start,
        &terms.groups,
        &terms.municipalities,
    )
    .await?;
    check_compliance(db, scope, provider, entities::clock::now().date_naive()).await?;
    let life = contract_life_policy(db, scope).await?;
    let over_threshold = match &terms.procurement {
        Some(p) => {
            let contract = (*form, terms.groups.as_slice(), terms.estimated_value_cents);
            procurements::admit(db, scope, p, contract, &life)
                .await?
                .map(|total| (p, total))
        }
        None => None,
    };
    if let Some((p, total)) = over_threshold {
        if life.eu_threshold_action == ThresholdAction::Refuse {
            return Err(DomainError::rule(
                "ZR-CONTRACT-EU-THRESHOLD",
                format!(
                    "Procurement {} would be worth € {} with this contract, more than € {}: it needs the European procedure, not {}.",
                    p.code,
                    cents_to_euros(total),
                    life.eu_threshold,
                    p.form.as_str()
                ),
            ));
        }
    }
    let model = contract::ActiveModel {
        region_id: Set(scope.region_id),
        id: Set(Uuid::now_v7()),
        provider_id: Set(provider.id),
        procurement_form: Set(*form),
        start_date: Set(*start),
        initial_term_months: Set(terms.initial_term_months as i32),
        extension_options_months: Set(serde_json::json!(terms.extension_options_months)),
        extensions_exercised: Set(0),
        status: Set(ContractStatus::Active),
        terminated_on: Set(None),
        termination_reason: Set(None),
        termination_ground: Set(None),
        notice_months: Set(terms.notice_months as i32),
        amended_months: Set(0),
        estimated_value_cents: Set(terms.estimated_value_cents),
        procurement_id: Set(terms.procurement.as_ref().map(|p| p.id)),
        created_at: Set(entities::clock::now()),
    }
    .insert(db)
    .await?;
    link_groups(db, scope, model.id, &terms.groups).await?;
    link_municipalities(db, scope, model.id, &terms.municipalities).await?;
    if let Some((p, total)) = over_threshold {
        signal(
            db,
            scope,
            ContractSignalKind::EuThreshold,
            (model.id, Some(provider.id)),
            model.start_date,
            format!(
                "Contract of {} under procurement {}, worth € {} with it, more than € {}, but procured as {}.",
                provider.agb_code,
                p.code,
                cents_to_euros(total),
                life.eu_threshold,
                p.form.as_str()
            ),
        )
        .await?;
    }
    let out = describe(db, scope, model).await?;
    audit.record(db, "create", "contract", out.id, &out).await?;
    Ok(out)
}

/// Terminates a contract on `on` for `ground`. An ordinary termination
/// needs the contract's notice counted from today (422
/// `ZR-CONTRACT-NOTICE`); a termination for a failed integrity or
/// financial check needs that failure in the compliance register (422
/// `ZR-CONTRACT-GROUND`).
pub async fn terminate<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    audit: &Audit,
    existing: contract::Model,
    (on, ground): (NaiveDate, TerminationGround),
    reason: &str,
) -> DomainResult<Contract> {
    if existing.status == ContractStatus::Terminated {
        return Err(DomainError::conflict(
            "ZR-CONTRACT-TERMINATED",
            "The contract is already terminated.",
        ));
    }
    let today = entities::clock::now().date_naive();
    let notice = existing.notice_months.max(0) as u32;
    if needs_notice(ground) {
        let earliest = earliest_ordinary_end(today, notice).unwrap_or(NaiveDate::MAX);
        if on < earliest {
            return Err(DomainError::rule(
                "ZR-CONTRACT-NOTICE",
                format!(
                    "An ordinary termination needs {notice} months' notice: its last day is {earliest} at the earliest. A termination for cause names its ground."
                ),
            ));
        }
    }
    let failed_kind = match ground {
        TerminationGround::IntegrityCheck => Some(ComplianceKind::Integrity),
        TerminationGround::FinancialCheck => Some(ComplianceKind::Financial),
        _ => None,
    };
    if let Some(kind) = failed_kind {
        let checks = compliance_check::Entity::scoped(scope)
            .filter(compliance_check::Column::ProviderId.eq(existing.provider_id))
            .filter(compliance_check::Column::Kind.eq(kind))
            .all(db)
            .await?;
        let failed = latest_per_kind(&checks)
            .first()
            .is_some_and(|c| c.outcome == CheckOutcome::Failed);
        if !failed {
            return Err(DomainError::rule(
                "ZR-CONTRACT-GROUND",
                format!(
                    "The ground {} needs the provider's latest {} check in the compliance register to have failed.",
                    ground.as_str(),
                    kind.as_str()
                ),
            ));
        }
    }
    let mut model: contract::ActiveModel = existing.into();
    model.status = Set(ContractStatus::Terminated);
    model.terminated_on = Set(Some(on));
    model.termination_ground = Set(Some(ground));
    model.termination_reason = Set(Some(reason.to_owned()));
    let out = describe(db, scope, model.update(db).await?).await?;
    audit
        .record(
            db,
            "terminate",
            "contract",
            out.id,
            serde_json::json!({ "terminatedOn": on, "ground": ground, "reason": reason }),
        )
        .await?;
    Ok(out)
}

/// What an amendment changes.
pub enum Change {
    /// A one-off extension of so many months outside the options.
    Extension(u32),
    Lots(Vec<Uuid>),
    Municipalities(Vec<Uuid>),
    /// A pilot clause or another agreement, in words.
    Clause(AmendmentKind, String),
}

/// Amends a running contract and keeps the amendment in its history:
/// added lots or municipalities pass the admission rules; a terminated
/// contract is not amended (409).
pub async fn amend<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    audit: &Audit,
    existing: contract::Model,
    change: Change,
    (reason, effective_on): (Option<&str>, NaiveDate),
) -> DomainResult<contract_amendment::Model> {
    if existing.status == ContractStatus::Terminated {
        return Err(DomainError::conflict(
            "ZR-CONTRACT-TERMINATED",
            "A terminated contract cannot be changed.",
        ));
    }
    let codes = CodeBook::load(db, scope).await?;
    let (groups_before, municipalities_before) = links_of(db, scope, existing.id).await?;
    let named = |ids: &[Uuid], name: &dyn Fn(Uuid) -> String| {
        let mut codes: Vec<String> = ids.iter().map(|id| name(*id)).collect();
        codes.sort();
        codes
    };
    let today = entities::clock::now().date_naive();
    if matches!(change, Change::Lots(_) | Change::Municipalities(_)) && effective_on > today {
        return Err(DomainError::unprocessable(
            "effectiveOn",
            "a change of lots or municipalities applies when it is recorded: record it on the day it takes effect",
        ));
    }
    let (kind, record) = match &change {
        Change::Extension(months) => {
            let amended = existing.amended_months + *months as i32;
            let options: u32 =
                serde_json::from_value::<Vec<u32>>(existing.extension_options_months.clone())
                    .unwrap_or_default()
                    .iter()
                    .sum();
            let total =
                existing.initial_term_months.max(0) as u32 + amended.max(0) as u32 + options;
            if total > MAX_TERM_MONTHS {
                return Err(DomainError::unprocessable(
                    "extensionMonths",
                    format!("the term with every option and extension may not exceed {MAX_TERM_MONTHS} months"),
                ));
            }
            let mut model: contract::ActiveModel = existing.clone().into();
            model.amended_months = Set(amended);
            let updated = model.update(db).await?;
            (
                AmendmentKind::Extension,
                serde_json::json!({
                    "extensionMonths": months,
                    "currentEndDate": entities::contract_life::current_end(&updated),
                }),
            )
        }
        Change::Lots(ids) => {
            check_added_lots(db, scope, &existing, Some(ids), None).await?;
            check_nothing_orphaned(db, scope, &existing, ids, &municipalities_before).await?;
            link_groups(db, scope, existing.id, ids).await?;
            let group = |id| codes.group(id);
            (
                AmendmentKind::Lots,
                serde_json::json!({
                    "before": named(&groups_before, &group),
                    "after": named(ids, &group),
                }),
            )
        }
        Change::Municipalities(ids) => {
            check_added_lots(db, scope, &existing, None, Some(ids)).await?;
            check_nothing_orphaned(db, scope, &existing, &groups_before, ids).await?;
            link_municipalities(db, scope, existing.id, ids).await?;
            let cbs = |id| codes.municipality(id);
            (
                AmendmentKind::Municipalities,
                serde_json::json!({
                    "before": named(&municipalities_before, &cbs),
                    "after": named(ids, &cbs),
                }),
            )
        }
        Change::Clause(kind, text) => (*kind, serde_json::json!({ "text": text })),
    };
    let amendment = contract_amendment::ActiveModel {
        region_id: Set(scope.region_id),
        id: Set(Uuid::now_v7()),
        contract_id: Set(existing.id),
        kind: Set(kind),
        reason: Set(reason.map(str::to_owned)),
        effective_on: Set(effective_on),
        change: Set(record),
        actor: Set(audit.actor.clone()),
        created_at: Set(entities::clock::now()),
    }
    .insert(db)
    .await?;
    audit
        .record(
            db,
            "amend",
            "contract",
            existing.id,
            serde_json::json!({ "kind": kind, "reason": reason, "change": amendment.change }),
        )
        .await?;
    Ok(amendment)
}

/// What `PATCH .../contracts/{id}` changes: the lots and municipalities
/// after it, and the status (`active` ↔ `outflow-proposed`).
pub struct Update {
    pub groups: Option<Vec<Uuid>>,
    pub municipalities: Option<Vec<Uuid>>,
    pub status: Option<ContractStatus>,
}

/// Changes a running contract's lots, municipalities or status. A changed
/// list is an amendment without a reason, kept in the history; a
/// terminated contract is not changed (409).
pub async fn update<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    audit: &Audit,
    existing: contract::Model,
    update: Update,
) -> DomainResult<Contract> {
    if existing.status == ContractStatus::Terminated {
        return Err(DomainError::conflict(
            "ZR-CONTRACT-TERMINATED",
            "A terminated contract cannot be changed.",
        ));
    }
    let today = entities::clock::now().date_naive();
    let (groups_now, municipalities_now) = links_of(db, scope, existing.id).await?;
    let differs = |new: &[Uuid], now: &[Uuid]| {
        let set = |ids: &[Uuid]| ids.iter().copied().collect::<HashSet<_>>();
        set(new) != set(now)
    };
    if let Some(ids) = update.groups.filter(|ids| differs(ids, &groups_now)) {
        let change = Change::Lots(ids);
        amend(db, scope, audit, existing.clone(), change, (None, today)).await?;
    }
    if let Some(ids) = update
        .municipalities
        .filter(|ids| differs(ids, &municipalities_now))
    {
        let change = Change::Municipalities(ids);
        amend(db, scope, audit, existing.clone(), change, (None, today)).await?;
    }
    let mut model: contract::ActiveModel = existing.into();
    if let Some(status) = update.status {
        model.status = Set(status);
    }
    let out = describe(db, scope, model.update(db).await?).await?;
    audit.record(db, "update", "contract", out.id, &out).await?;
    Ok(out)
}

/// Removes a contract entered by mistake, unless allocations still run
/// under it only (422 `ZR-CONTRACT-RUNNING-ALLOCATIONS`).
pub async fn delete<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    audit: &Audit,
    existing: contract::Model,
) -> DomainResult<()> {
    check_nothing_orphaned(db, scope, &existing, &[], &[]).await?;
    contract::Entity::delete_scoped_by_id(db, scope, existing.id).await?;
    audit
        .record(db, "delete", "contract", existing.id, serde_json::json!({}))
        .await?;
    Ok(())
}

/// Exercises the contract's next extension option: 409 when it is
/// terminated or none is left.
pub async fn extend<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    audit: &Audit,
    existing: contract::Model,
) -> DomainResult<Contract> {
    if existing.status == ContractStatus::Terminated {
        return Err(DomainError::conflict(
            "ZR-CONTRACT-TERMINATED",
            "A terminated contract cannot be extended.",
        ));
    }
    let options = options_of(&existing);
    if existing.extensions_exercised as usize >= options.len() {
        return Err(DomainError::conflict(
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
    let out = describe(db, scope, model.update(db).await?).await?;
    audit
        .record(
            db,
            "extend",
            "contract",
            out.id,
            serde_json::json!({ "extensionsExercised": exercised, "currentEndDate": out.current_end_date }),
        )
        .await?;
    Ok(out)
}

/// Resolves product group codes, reporting unknown or repeated ones per
/// item of `productGroupCodes` in `check`.
pub async fn resolve_groups<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    check: &mut Check,
    codes: &[String],
) -> DomainResult<Vec<Uuid>> {
    let field = ("productGroupCodes", "product group");
    catalogue::resolve::<product_group::Entity, C>(db, scope, check, field, codes).await
}

/// Resolves CBS codes, reporting unknown or repeated ones per item of
/// `municipalityCbsCodes` in `check`.
pub async fn resolve_municipalities<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    check: &mut Check,
    codes: &[String],
) -> DomainResult<Vec<Uuid>> {
    let field = ("municipalityCbsCodes", "municipality");
    catalogue::resolve::<municipality::Entity, C>(db, scope, check, field, codes).await
}

/// The longest term (initial, options and one-off extensions) in months.
pub const MAX_TERM_MONTHS: u32 = 600;

/// 422 `ZR-CONTRACT-RUNNING-ALLOCATIONS` when a contract keeping only
/// `groups` and `municipalities` (none: deleting it) would leave allocations
/// that still run today without a contract: their declarations would no
/// longer meet the contract's end. Transfer or end them first.
pub async fn check_nothing_orphaned<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    existing: &contract::Model,
    groups: &[Uuid],
    municipalities: &[Uuid],
) -> DomainResult<()> {
    let today = entities::clock::now().date_naive();
    let yesterday = today.pred_opt().unwrap_or(today);
    let running = running_past(db, scope, existing, yesterday).await?;
    if running.is_empty() {
        return Ok(());
    }
    let group_of: HashMap<Uuid, Uuid> = product::Entity::scoped(scope)
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.product_group_id))
        .collect();
    let cover = Cover::load(db, scope, [existing.provider_id]).await?;
    let orphaned: Vec<i64> = running
        .iter()
        .filter(|a| {
            let group = group_of.get(&a.product_id).copied().unwrap_or_default();
            let kept = groups.contains(&group) && municipalities.contains(&a.municipality_id);
            let elsewhere = cover
                .covering(a, group)
                .any(|(c, last)| c.id != existing.id && last.is_none_or(|last| last >= today));
            !kept && !elsewhere
        })
        .map(|a| a.allocation_number)
        .collect();
    if orphaned.is_empty() {
        return Ok(());
    }
    Err(DomainError::rule(
        "ZR-CONTRACT-RUNNING-ALLOCATIONS",
        format!(
            "{} allocation(s) still run under what would be removed (e.g. {}): end or transfer them first (see the transfer list).",
            orphaned.len(),
            orphaned.iter().take(5).map(i64::to_string).collect::<Vec<_>>().join(", ")
        ),
    ))
}

/// 422 `ZR-COMPLIANCE-BLOCKED` naming the check when the provider's latest
/// check of a blocking kind failed or expired by `on`.
pub async fn check_compliance<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    provider: &provider::Model,
    on: NaiveDate,
) -> DomainResult<()> {
    let checks = compliance_check::Entity::scoped(scope)
        .filter(compliance_check::Column::ProviderId.eq(provider.id))
        .all(db)
        .await?;
    if checks.is_empty() {
        return Ok(());
    }
    let policy = compliance_policy(db, scope).await?;
    match blocking_check(&checks, on, &policy.blocking_kinds) {
        None => Ok(()),
        Some(check) => Err(DomainError::rule(
            "ZR-COMPLIANCE-BLOCKED",
            match check
                .valid_until
                .filter(|_| check.outcome == CheckOutcome::Passed)
            {
                Some(until) => format!(
                    "Provider {}'s {} check {} expired on {until}.",
                    provider.agb_code,
                    check.kind.as_str(),
                    check.id
                ),
                None => format!(
                    "Provider {}'s {} check {} of {} failed.",
                    provider.agb_code,
                    check.kind.as_str(),
                    check.id,
                    check.checked_on
                ),
            },
        )),
    }
}

pub async fn link_groups<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    contract_id: Uuid,
    ids: &[Uuid],
) -> DomainResult<()> {
    contract_product_group::Entity::delete_scoped(scope)
        .filter(contract_product_group::Column::ContractId.eq(contract_id))
        .exec(db)
        .await?;
    if ids.is_empty() {
        return Ok(());
    }
    contract_product_group::Entity::insert_many(ids.iter().map(|id| {
        contract_product_group::ActiveModel {
            region_id: Set(scope.region_id),
            contract_id: Set(contract_id),
            product_group_id: Set(*id),
        }
    }))
    .exec_without_returning(db)
    .await?;
    Ok(())
}

pub async fn link_municipalities<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    contract_id: Uuid,
    ids: &[Uuid],
) -> DomainResult<()> {
    contract_municipality::Entity::delete_scoped(scope)
        .filter(contract_municipality::Column::ContractId.eq(contract_id))
        .exec(db)
        .await?;
    if ids.is_empty() {
        return Ok(());
    }
    contract_municipality::Entity::insert_many(ids.iter().map(|id| {
        contract_municipality::ActiveModel {
            region_id: Set(scope.region_id),
            contract_id: Set(contract_id),
            municipality_id: Set(*id),
        }
    }))
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// The providers other than `provider_id` with a contract in force for the
/// group (in the municipality, when one is named).
async fn other_providers<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    provider_id: Uuid,
    group_id: Uuid,
    municipality_id: Option<Uuid>,
) -> DomainResult<HashSet<Uuid>> {
    let with_group = contract_product_group::Entity::scoped(scope)
        .select_only()
        .column(contract_product_group::Column::ContractId)
        .filter(contract_product_group::Column::ProductGroupId.eq(group_id))
        .into_query();
    let mut select = contract::Entity::scoped(scope)
        .filter(contract::Column::Id.in_subquery(with_group))
        .filter(contract::Column::Status.ne(ContractStatus::Terminated))
        .filter(contract::Column::ProviderId.ne(provider_id));
    if let Some(municipality_id) = municipality_id {
        let in_municipality = contract_municipality::Entity::scoped(scope)
            .select_only()
            .column(contract_municipality::Column::ContractId)
            .filter(contract_municipality::Column::MunicipalityId.eq(municipality_id))
            .into_query();
        select = select.filter(contract::Column::Id.in_subquery(in_municipality));
    }
    Ok(select
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.provider_id)
        .collect())
}

/// The region's admission rules for a new contract (or an enrolment), each
/// a 422 naming it: a product group a municipality closed
/// (`closed-product-groups`), the open-house entry windows and the
/// region-wide maximum of providers of a group (`contract-admission`), and
/// each municipality's own maximum (`provider-caps`).
pub async fn check_admission<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    provider_id: Uuid,
    form: ProcurementForm,
    start: NaiveDate,
    groups: &[Uuid],
    municipalities: &[Uuid],
) -> DomainResult<()> {
    let codes = CodeBook::load(db, scope).await?;
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
                    return Err(DomainError::rule(
                        "ZR-CONTRACT-GROUP-CLOSED",
                        format!(
                            "{cbs} closed product group {group} for new providers from {}.",
                            p.closed_from
                        ),
                    ));
                }
            }
        }
        if let Some(PolicyRules::ProviderCaps(p)) =
            policies::rules(db, scope, kinds::PROVIDER_CAPS, &cbs).await?
        {
            for group_id in groups {
                let code = codes.group(*group_id);
                let Some(max) = p.max_providers.get(&code) else {
                    continue;
                };
                let others =
                    other_providers(db, scope, provider_id, *group_id, Some(*municipality_id))
                        .await?;
                if others.len() as u32 >= *max {
                    return Err(DomainError::rule(
                        "ZR-CONTRACT-MUNICIPALITY-CAP",
                        format!(
                            "{cbs} wants at most {max} contracted providers for {code}; it has {}.",
                            others.len()
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
            return Err(DomainError::rule(
                "ZR-CONTRACT-ADMISSION-WINDOW",
                format!(
                    "New open-house contracts for {code} start only within its admission windows."
                ),
            ));
        }
        if let Some(max) = p.max_providers {
            let others = other_providers(db, scope, provider_id, *group_id, None).await?;
            if others.len() as u32 >= max {
                return Err(DomainError::rule(
                    "ZR-CONTRACT-MAX-PROVIDERS",
                    format!(
                        "Product group {code} admits at most {max} contracted providers; it has {}.",
                        others.len()
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Lots or municipalities added to a running contract pass the same
/// admission rules as a new contract, as of today (or its start, if later).
pub async fn check_added_lots<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    existing: &contract::Model,
    groups: Option<&[Uuid]>,
    municipalities: Option<&[Uuid]>,
) -> DomainResult<()> {
    let (current_groups, current_municipalities) = links_of(db, scope, existing.id).await?;
    let final_groups = groups
        .map(<[Uuid]>::to_vec)
        .unwrap_or_else(|| current_groups.clone());
    let final_municipalities = municipalities
        .map(<[Uuid]>::to_vec)
        .unwrap_or_else(|| current_municipalities.clone());
    let added = |all: &[Uuid], current: &[Uuid]| -> Vec<Uuid> {
        all.iter()
            .copied()
            .filter(|g| !current.contains(g))
            .collect()
    };
    let added_groups = added(&final_groups, &current_groups);
    let added_municipalities = added(&final_municipalities, &current_municipalities);
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

/// A contract's product group ids and municipality ids.
pub async fn links_of<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    contract_id: Uuid,
) -> DomainResult<(Vec<Uuid>, Vec<Uuid>)> {
    let groups = contract_product_group::Entity::scoped(scope)
        .filter(contract_product_group::Column::ContractId.eq(contract_id))
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.product_group_id)
        .collect();
    let municipalities = contract_municipality::Entity::scoped(scope)
        .filter(contract_municipality::Column::ContractId.eq(contract_id))
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.municipality_id)
        .collect();
    Ok((groups, municipalities))
}

/// A contract with its last day, lots and municipalities.
type Covering = (
    contract::Model,
    Option<NaiveDate>,
    HashSet<Uuid>,
    HashSet<Uuid>,
);

/// How long providers' contracts and bridges let care run, loaded once
/// for a batch of allocations.
pub struct Cover {
    /// Per contract: its provider, last day, lots and municipalities.
    contracts: Vec<Covering>,
    /// The latest bridge `until` per (contract, allocation number).
    bridges: HashMap<(Uuid, i64), NaiveDate>,
}

impl Cover {
    pub async fn load<C: ConnectionTrait>(
        db: &C,
        scope: &RegionScope,
        provider_ids: impl IntoIterator<Item = Uuid>,
    ) -> DomainResult<Self> {
        let contracts = contract::Entity::scoped(scope)
            .filter(contract::Column::ProviderId.is_in(provider_ids))
            .all(db)
            .await?;
        let ids: Vec<Uuid> = contracts.iter().map(|c| c.id).collect();
        let mut groups: HashMap<Uuid, HashSet<Uuid>> = HashMap::new();
        for link in contract_product_group::Entity::scoped(scope)
            .filter(contract_product_group::Column::ContractId.is_in(ids.clone()))
            .all(db)
            .await?
        {
            groups
                .entry(link.contract_id)
                .or_default()
                .insert(link.product_group_id);
        }
        let mut municipalities: HashMap<Uuid, HashSet<Uuid>> = HashMap::new();
        for link in contract_municipality::Entity::scoped(scope)
            .filter(contract_municipality::Column::ContractId.is_in(ids.clone()))
            .all(db)
            .await?
        {
            municipalities
                .entry(link.contract_id)
                .or_default()
                .insert(link.municipality_id);
        }
        let mut bridges: HashMap<(Uuid, i64), NaiveDate> = HashMap::new();
        for bridge in bridging_agreement::Entity::scoped(scope)
            .filter(bridging_agreement::Column::ContractId.is_in(ids))
            .all(db)
            .await?
        {
            for number in bridge_numbers(&bridge) {
                let until = bridges
                    .entry((bridge.contract_id, number))
                    .or_insert(bridge.until);
                *until = (*until).max(bridge.until);
            }
        }
        let contracts = contracts
            .into_iter()
            .map(|c| {
                let last = last_day(&c);
                let g = groups.remove(&c.id).unwrap_or_default();
                let m = municipalities.remove(&c.id).unwrap_or_default();
                (c, last, g, m)
            })
            .collect();
        Ok(Self { contracts, bridges })
    }

    /// The contracts covering an allocation of a product of `group_id`.
    pub fn covering<'a>(
        &'a self,
        a: &'a allocation::Model,
        group_id: Uuid,
    ) -> impl Iterator<Item = (&'a contract::Model, Option<NaiveDate>)> + 'a {
        self.contracts
            .iter()
            .filter(move |(c, _, groups, municipalities)| {
                c.provider_id == a.provider_id
                    && groups.contains(&group_id)
                    && municipalities.contains(&a.municipality_id)
            })
            .map(|(c, last, _, _)| (c, *last))
    }

    /// The bridge's last day for the allocation under `contract_id`, if one covers it.
    pub fn bridged_until(&self, contract_id: Uuid, allocation_number: i64) -> Option<NaiveDate> {
        self.bridges.get(&(contract_id, allocation_number)).copied()
    }

    /// The last day care may be delivered on the allocation: the latest
    /// last day of its covering contracts or their bridges for it; `None`
    /// when no contract covers it.
    pub fn care_until(&self, a: &allocation::Model, group_id: Uuid) -> Option<NaiveDate> {
        self.covering(a, group_id)
            .map(|(c, last)| {
                care_allowed_until(last, self.bridged_until(c.id, a.allocation_number))
            })
            .max()
            .flatten()
    }
}

/// Lots, municipalities and provider codes for a page of contracts, to
/// describe them.
pub struct ContractLinks {
    groups: HashMap<Uuid, Vec<String>>,
    municipalities: HashMap<Uuid, Vec<String>>,
    providers: HashMap<Uuid, String>,
    procurements: HashMap<Uuid, String>,
}

impl ContractLinks {
    pub async fn load<C: ConnectionTrait>(
        db: &C,
        scope: &RegionScope,
        contracts: &[contract::Model],
    ) -> DomainResult<Self> {
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
        let procurements = procurement::Entity::scoped(scope)
            .filter(
                procurement::Column::Id.is_in(contracts.iter().filter_map(|c| c.procurement_id)),
            )
            .all(db)
            .await?
            .into_iter()
            .map(|p| (p.id, p.code))
            .collect();
        Ok(Self {
            groups,
            municipalities,
            providers,
            procurements,
        })
    }

    pub fn describe(&self, m: contract::Model) -> Contract {
        let options = options_of(&m);
        let initial = m.initial_term_months as u32;
        let exercised = m.extensions_exercised as u32;
        let current_end = contract_life::current_end(&m).unwrap_or(m.start_date);
        let amended = m.amended_months.max(0) as u32;
        let mut groups = self.groups.get(&m.id).cloned().unwrap_or_default();
        groups.sort();
        let mut cbs = self.municipalities.get(&m.id).cloned().unwrap_or_default();
        cbs.sort();
        Contract {
            id: m.id,
            provider_agb: self
                .providers
                .get(&m.provider_id)
                .cloned()
                .unwrap_or_default(),
            procurement_form: m.procurement_form,
            procurement_code: m
                .procurement_id
                .and_then(|id| self.procurements.get(&id).cloned()),
            product_group_codes: groups,
            municipality_cbs_codes: cbs,
            start_date: m.start_date,
            initial_term_months: initial,
            current_end_date: current_end,
            max_end_date: max_end_date(m.start_date, initial + amended, &options)
                .unwrap_or(m.start_date),
            extension_options_months: options,
            extensions_exercised: exercised,
            status: m.status,
            notice_months: m.notice_months.max(0) as u32,
            amended_months: amended,
            estimated_value: m.estimated_value_cents.map(cents_to_euros),
            terminated_on: m.terminated_on,
            termination_ground: m.termination_ground,
            termination_reason: m.termination_reason,
        }
    }
}

/// The extension options of a contract, in months, in order.
pub fn options_of(m: &contract::Model) -> Vec<u32> {
    serde_json::from_value(m.extension_options_months.clone()).unwrap_or_default()
}

/// The contract as the region knows it.
pub async fn describe<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    m: contract::Model,
) -> DomainResult<Contract> {
    let links = ContractLinks::load(db, scope, std::slice::from_ref(&m)).await?;
    Ok(links.describe(m))
}
