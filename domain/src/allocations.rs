//! Allocating: the rules an allocation must meet (execution variant,
//! temporary intensive, counted over all the client's allocations of the
//! product, a product closed to new clients, a contract in force, the
//! municipality's policies),
//! storing it with its episodes, and the changes of its life: a new volume
//! or end date, a stop, a removal, and the start and end of care the
//! provider reports. The JSON API and the iWmo 301/305/307 messages both
//! come through here, and every change is audited.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entities::{
    allocation_rules::{
        check_client_intensive, check_execution_variant, check_new_client,
        check_temporary_intensive, ClientAllocation, Episode, Grant, IntensiveLimit,
    },
    contract_life::last_day,
    declaration_rules::grant_of,
    money::cents_to_euros,
    policy::{kinds, PolicyRules, REGION_SCOPE},
    schema::{
        allocation, allocation_intensive_episode as episode, contract, contract_municipality,
        contract_product_group, municipality, product, product_group, provider,
    },
    RegionScope, TenantEntity, TenantRecord,
};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, Set,
};
use serde::Serialize;
use uuid::Uuid;

use crate::{
    audit::Audit,
    ceilings::Steering,
    codes::codes_of,
    contracts, declarations,
    error::{DomainError, DomainResult},
    policies,
    steering::care_overlaps,
};

/// An allocation as the region knows it: its references by their codes,
/// its grant and its temporary-intensive episodes. The audit trail records
/// it; the API's `AllocationOut` shows it field for field.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Allocation {
    pub allocation_number: i64,
    /// Pseudonymous client key (HMAC of the BSN).
    pub client_key: String,
    pub municipality_cbs: String,
    pub product_code: String,
    pub provider_agb: String,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub volume: Option<AllocatedVolume>,
    /// Budget in euros, for budget allocations.
    pub budget: Option<Decimal>,
    pub temporary_intensive: Vec<IntensiveEpisode>,
    pub stopped_on: Option<NaiveDate>,
    pub stop_reason: Option<String>,
    pub care_started_on: Option<NaiveDate>,
    pub care_ended_on: Option<NaiveDate>,
    /// Why the provider ended the care (the 307's RedenBeeindiging).
    pub care_end_reason: Option<String>,
    pub removed_at: Option<DateTime<Utc>>,
    /// Who referred the client (COD327), when known.
    pub referrer: Option<String>,
    /// The provider's location where the care is given, when named.
    pub location_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An allocated volume: `amount` units (`hour`, `day`, …) per `frequency`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AllocatedVolume {
    pub amount: i64,
    pub unit: String,
    pub frequency: String,
}

/// Extra hours a week on top of the allocation for a period (seed 000 §4.1).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IntensiveEpisode {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub extra_hours_per_week: i64,
}

/// What an allocation grants: a volume, a budget or nothing, and the
/// temporary-intensive episodes on top.
pub struct Granted {
    pub grant: Grant,
    pub episodes: Vec<Episode>,
}

/// A new allocation, its references resolved.
pub struct Draft {
    pub number: i64,
    pub client_key: String,
    pub municipality: municipality::Model,
    pub product: product::Model,
    pub provider: provider::Model,
    /// Allocated by the central access team: only the product groups its
    /// policy names.
    pub central_access: bool,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub granted: Granted,
    /// Who referred the client (COD327), when known.
    pub referrer: Option<String>,
    /// The provider's location where the care is given, when named.
    pub location_id: Option<Uuid>,
}

fn rule(code: &'static str, detail: impl Into<String>) -> DomainError {
    DomainError::rule(code, detail)
}

/// A stored allocation, and its API view (built once for the audit trail,
/// so the handler answers with it instead of loading it again).
pub struct Stored {
    pub model: allocation::Model,
    pub out: Allocation,
    /// Stacked care it stored with (`steering::care_overlaps`); empty when none.
    pub warnings: Vec<care_overlaps::Warning>,
}

/// Checks the rules and stores the allocation.
pub async fn create(
    txn: &DatabaseTransaction,
    scope: &RegionScope,
    audit: &Audit,
    draft: Draft,
) -> DomainResult<Stored> {
    let limit = check_own_rules(
        txn,
        scope,
        &draft.product,
        draft.start,
        draft.end,
        &draft.granted,
    )
    .await?;
    check_new_client_of(txn, scope, &draft.product, &draft.client_key, draft.start).await?;
    let this = ClientAllocation {
        number: draft.number,
        start: draft.start,
        end: draft.end,
        episodes: draft.granted.episodes.clone(),
    };
    check_client_limit(
        txn,
        scope,
        &draft.product,
        &draft.client_key,
        &this,
        None,
        limit,
    )
    .await?;
    if draft.central_access {
        check_central_access(txn, scope, &draft.product).await?;
    }
    check_location(txn, scope, &draft).await?;
    check_admission(
        txn,
        scope,
        &draft.municipality,
        &draft.product,
        &draft.provider,
        draft.start,
    )
    .await?;
    contracts::check_compliance(
        txn,
        scope,
        &draft.provider,
        entities::clock::now().date_naive(),
    )
    .await?;
    let stacking = care_overlaps::check(
        txn,
        scope,
        care_overlaps::Candidate {
            number: draft.number,
            client_key: &draft.client_key,
            product: &draft.product,
            provider_id: draft.provider.id,
            start: draft.start,
            end: draft.end,
            changing: None,
        },
    )
    .await?;
    let steering = Steering::measure(
        txn,
        scope,
        &draft.product,
        (draft.provider.id, draft.municipality.id),
        (draft.start, draft.end),
        None,
    )
    .await?;
    let now = entities::clock::now();
    let mut model = allocation::ActiveModel {
        region_id: Set(scope.region_id),
        id: Set(Uuid::now_v7()),
        allocation_number: Set(draft.number),
        client_number: Set(entities::client_number::client_number(&draft.client_key)),
        client_key: Set(draft.client_key),
        municipality_id: Set(draft.municipality.id),
        product_id: Set(draft.product.id),
        provider_id: Set(draft.provider.id),
        start_date: Set(draft.start),
        end_date: Set(draft.end),
        stopped_on: Set(None),
        stop_reason: Set(None),
        care_started_on: Set(None),
        care_ended_on: Set(None),
        removed_at: Set(None),
        referrer: Set(draft.referrer),
        location_id: Set(draft.location_id),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    set_grant(&mut model, &draft.granted.grant);
    let saved = model.insert(txn).await?;
    replace_episodes(txn, scope, saved.id, &draft.granted.episodes).await?;
    steering.settle(txn, scope, &saved).await?;
    let warnings = stacking.settle(txn, scope, &saved).await?;
    let out = describe(txn, scope, saved.clone()).await?;
    audit
        .record(txn, "create", "allocation", saved.allocation_number, &out)
        .await?;
    Ok(Stored {
        model: saved,
        out,
        warnings,
    })
}

/// Changes the end date, the grant and the episodes; the rules are checked
/// again and the audit trail keeps before and after.
pub async fn change(
    txn: &DatabaseTransaction,
    scope: &RegionScope,
    audit: &Audit,
    existing: allocation::Model,
    end: Option<NaiveDate>,
    granted: Granted,
) -> DomainResult<Stored> {
    if existing.stopped_on.is_some() || existing.removed_at.is_some() {
        return Err(DomainError::conflict(
            "ZR-ALLOC-STOPPED",
            "A stopped or removed allocation cannot be changed.",
        ));
    }
    let product = product::Entity::find_scoped(txn, scope, existing.product_id)
        .await?
        .ok_or(DomainError::NotFound)?;
    let limit = check_own_rules(txn, scope, &product, existing.start_date, end, &granted).await?;
    let this = ClientAllocation {
        number: existing.allocation_number,
        start: existing.start_date,
        end,
        episodes: granted.episodes.clone(),
    };
    check_client_limit(
        txn,
        scope,
        &product,
        &existing.client_key,
        &this,
        Some(existing.id),
        limit,
    )
    .await?;
    let stacking = care_overlaps::check(
        txn,
        scope,
        care_overlaps::Candidate {
            number: existing.allocation_number,
            client_key: &existing.client_key,
            product: &product,
            provider_id: existing.provider_id,
            start: existing.start_date,
            end,
            changing: Some((existing.id, existing.end_date)),
        },
    )
    .await?;
    let steering = Steering::measure(
        txn,
        scope,
        &product,
        (existing.provider_id, existing.municipality_id),
        // Every year the old or the new period runs (open-ended: all after).
        (
            existing.start_date,
            end.zip(existing.end_date).map(|(new, old)| new.max(old)),
        ),
        Some(existing.id),
    )
    .await?;
    let before = describe(txn, scope, existing.clone()).await?;
    let mut model: allocation::ActiveModel = existing.into();
    model.end_date = Set(end);
    set_grant(&mut model, &granted.grant);
    model.updated_at = Set(entities::clock::now());
    let saved = model.update(txn).await?;
    replace_episodes(txn, scope, saved.id, &granted.episodes).await?;
    steering.settle(txn, scope, &saved).await?;
    let warnings = stacking.settle(txn, scope, &saved).await?;
    let out = describe(txn, scope, saved.clone()).await?;
    audit
        .record(
            txn,
            "update",
            "allocation",
            saved.allocation_number,
            serde_json::json!({ "before": before, "after": out }),
        )
        .await?;
    Ok(Stored {
        model: saved,
        out,
        warnings,
    })
}

/// Stops the allocation: care ends on `on`, which becomes the end date.
pub async fn stop(
    txn: &DatabaseTransaction,
    audit: &Audit,
    existing: allocation::Model,
    on: NaiveDate,
    reason: String,
) -> DomainResult<allocation::Model> {
    if existing.stopped_on.is_some() || existing.removed_at.is_some() {
        return Err(DomainError::conflict(
            "ZR-ALLOC-STOPPED",
            "The allocation is already stopped or removed.",
        ));
    }
    let before_end = existing.end_date;
    let mut model: allocation::ActiveModel = existing.into();
    model.end_date = Set(Some(on));
    model.stopped_on = Set(Some(on));
    model.stop_reason = Set(Some(reason));
    model.updated_at = Set(entities::clock::now());
    let saved = model.update(txn).await?;
    audit
        .record(
            txn,
            "stop",
            "allocation",
            saved.allocation_number,
            serde_json::json!({ "endDateBefore": before_end, "stoppedOn": on, "reason": saved.stop_reason }),
        )
        .await?;
    Ok(saved)
}

/// Removes the allocation (iWmo RedenWijziging 13): it stays for the
/// history, and declarations on it are refused with 9384.
pub async fn remove(
    txn: &DatabaseTransaction,
    audit: &Audit,
    existing: allocation::Model,
) -> DomainResult<allocation::Model> {
    if existing.removed_at.is_some() {
        return Ok(existing);
    }
    let mut model: allocation::ActiveModel = existing.into();
    let now = entities::clock::now();
    model.removed_at = Set(Some(now));
    model.updated_at = Set(now);
    let saved = model.update(txn).await?;
    audit
        .record(
            txn,
            "remove",
            "allocation",
            saved.allocation_number,
            serde_json::json!({}),
        )
        .await?;
    Ok(saved)
}

/// Which end of care a provider reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CareEvent {
    /// iWmo 305: care started on the date.
    Started,
    /// iWmo 307: care ended on the date, for the reason (RedenBeeindiging,
    /// WMO588 / JZ588) when the message names one.
    Ended { reason: Option<String> },
}

/// Records the actual start or end of care; the date must lie within the
/// allocation (and an end not before the start).
pub async fn record_care(
    txn: &DatabaseTransaction,
    audit: &Audit,
    existing: allocation::Model,
    event: CareEvent,
    on: NaiveDate,
) -> DomainResult<allocation::Model> {
    let number = existing.allocation_number;
    let within = on >= existing.start_date && existing.end_date.is_none_or(|end| on <= end);
    if !within {
        return Err(rule(
            "ZR-ALLOC-CARE-DATE",
            format!("Allocation {number}: {on} lies outside the allocation's period."),
        ));
    }
    let ended = matches!(event, CareEvent::Ended { .. });
    if ended && existing.care_started_on.is_some_and(|start| on < start) {
        return Err(rule(
            "ZR-ALLOC-CARE-DATE",
            format!("Allocation {number}: care cannot end before it started."),
        ));
    }
    // The event keeps the date it replaces, so a report with an earlier
    // cut-off can put it back.
    let (started_before, ended_before) = (existing.care_started_on, existing.care_ended_on);
    let mut model: allocation::ActiveModel = existing.into();
    let (action, facts) = match event {
        CareEvent::Started => {
            model.care_started_on = Set(Some(on));
            (
                "start-care",
                serde_json::json!({ "on": on, "before": started_before }),
            )
        }
        CareEvent::Ended { reason } => {
            model.care_ended_on = Set(Some(on));
            let facts = serde_json::json!({ "on": on, "before": ended_before, "reason": reason });
            model.care_end_reason = Set(reason);
            ("end-care", facts)
        }
    };
    model.updated_at = Set(entities::clock::now());
    let saved = model.update(txn).await?;
    audit
        .record(txn, action, "allocation", number, facts)
        .await?;
    Ok(saved)
}

/// The temporary-intensive episodes of an allocation, oldest first.
pub async fn episodes_of<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    allocation_id: Uuid,
) -> DomainResult<Vec<Episode>> {
    use sea_orm::QueryOrder;
    Ok(episode::Entity::scoped(scope)
        .filter(episode::Column::AllocationId.eq(allocation_id))
        .order_by_asc(episode::Column::FromDate)
        .all(db)
        .await?
        .into_iter()
        .map(|e| Episode {
            from: e.from_date,
            to: e.to_date,
            extra: e.extra_amount,
        })
        .collect())
}

/// The rules of the allocation itself: execution variant and temporary
/// intensive. Gives the product's temporary-intensive limit, for the
/// client's other allocations ([`check_client_limit`]).
async fn check_own_rules<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    product: &product::Model,
    start: NaiveDate,
    end: Option<NaiveDate>,
    granted: &Granted,
) -> DomainResult<Option<IntensiveLimit>> {
    if let Some(main_id) = product.intensive_for_product_id {
        let main = product::Entity::find_scoped(db, scope, main_id).await?;
        return Err(rule(
            "ZR-ALLOC-INTENSIVE-PRODUCT",
            format!(
                "{} is the temporary-intensive product of {}: allocate {1} and add the extra \
                 hours per week as an episode.",
                product.code,
                main.map(|m| m.code).unwrap_or_default()
            ),
        ));
    }
    check_execution_variant(
        product.funding_variant,
        product.unit,
        start,
        end,
        &granted.grant,
    )
    .map_err(|e| rule("ZR-ALLOC-EXECUTION-VARIANT", e))?;
    let limit = match policies::rules(db, scope, kinds::TEMPORARY_INTENSIVE, &product.code).await? {
        Some(PolicyRules::TemporaryIntensive(p)) => Some(p.limit()),
        _ => None,
    };
    if !granted.episodes.is_empty() {
        let has_intensive_product = product::Entity::scoped(scope)
            .filter(product::Column::IntensiveForProductId.eq(product.id))
            .one(db)
            .await?
            .is_some();
        if !has_intensive_product {
            return Err(rule(
                "ZR-ALLOC-TEMPORARY-INTENSIVE",
                format!(
                    "no temporary-intensive product belongs to {}: the catalogue names one with intensiveFor",
                    product.code
                ),
            ));
        }
    }
    check_temporary_intensive(start, end, &granted.grant, &granted.episodes, limit)
        .map_err(|e| rule("ZR-ALLOC-TEMPORARY-INTENSIVE", e))?;
    Ok(limit)
}

/// The client's allocations of the product (by its pseudonym), removed ones
/// left out, and `except` (the allocation being changed).
async fn client_allocations<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    product: &product::Model,
    client_key: &str,
    except: Option<Uuid>,
) -> DomainResult<Vec<allocation::Model>> {
    let mut select = allocation::Entity::scoped(scope)
        .filter(
            allocation::Column::ClientNumber.eq(entities::client_number::client_number(client_key)),
        )
        .filter(allocation::Column::ClientKey.eq(client_key))
        .filter(allocation::Column::ProductId.eq(product.id))
        .filter(allocation::Column::RemovedAt.is_null());
    if let Some(id) = except {
        select = select.filter(allocation::Column::Id.ne(id));
    }
    Ok(select
        .order_by_asc(allocation::Column::AllocationNumber)
        .all(db)
        .await?)
}

/// The product's temporary-intensive limit belongs to the client (seed 000
/// §4.1): this allocation's episodes together with those of the client's
/// other allocations of the same product, in the region, whatever their
/// provider or municipality (`entities::allocation_rules::check_client_intensive`).
/// On PostgreSQL the client's allocations are checked one transaction at a
/// time (SQLite has one writer anyway).
async fn check_client_limit(
    txn: &DatabaseTransaction,
    scope: &RegionScope,
    product: &product::Model,
    client_key: &str,
    this: &ClientAllocation,
    except: Option<Uuid>,
    limit: Option<IntensiveLimit>,
) -> DomainResult<()> {
    let Some(limit) = limit.filter(|_| !this.episodes.is_empty()) else {
        return Ok(());
    };
    let number = entities::client_number::client_number(client_key);
    declarations::lock_in_region(txn, scope, (number ^ (number >> 32)) as i32).await?;
    let allocations = client_allocations(txn, scope, product, client_key, except).await?;
    if allocations.is_empty() {
        return Ok(());
    }
    let mut episodes: HashMap<Uuid, Vec<Episode>> = HashMap::new();
    for e in episode::Entity::scoped(scope)
        .filter(episode::Column::AllocationId.is_in(allocations.iter().map(|a| a.id)))
        .order_by_asc(episode::Column::FromDate)
        .all(txn)
        .await?
    {
        episodes.entry(e.allocation_id).or_default().push(Episode {
            from: e.from_date,
            to: e.to_date,
            extra: e.extra_amount,
        });
    }
    let others: Vec<ClientAllocation> = allocations
        .into_iter()
        .map(|a| ClientAllocation {
            number: a.allocation_number,
            start: a.start_date,
            end: a.end_date,
            episodes: episodes.remove(&a.id).unwrap_or_default(),
        })
        .collect();
    check_client_intensive(this, &others, limit).map_err(|e| {
        rule(
            "ZR-ALLOC-TEMPORARY-INTENSIVE",
            format!("Product {}: {e}.", product.code),
        )
    })
}

/// A product closed to new clients (seed 002 §4.3): from its date a new
/// allocation is made only for a client who held one of the product in
/// force the day before; 422 `ZR-ALLOC-PRODUCT-CLOSED` otherwise.
async fn check_new_client_of<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    product: &product::Model,
    client_key: &str,
    start: NaiveDate,
) -> DomainResult<()> {
    if product.closed_to_new_clients_from.is_none() {
        return Ok(());
    }
    let held: Vec<(NaiveDate, Option<NaiveDate>)> =
        client_allocations(db, scope, product, client_key, None)
            .await?
            .into_iter()
            .map(|a| (a.start_date, a.end_date))
            .collect();
    check_new_client(product.closed_to_new_clients_from, start, &held).map_err(|e| {
        rule(
            "ZR-ALLOC-PRODUCT-CLOSED",
            format!("Product {} is {e}.", product.code),
        )
    })
}

/// The provider's contracts covering the product's group in the municipality.
async fn covering_contracts<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    provider_id: Uuid,
    product_group_id: Uuid,
    municipality_id: Uuid,
) -> DomainResult<Vec<contract::Model>> {
    let with_group = contract_product_group::Entity::scoped(scope)
        .select_only()
        .column(contract_product_group::Column::ContractId)
        .filter(contract_product_group::Column::ProductGroupId.eq(product_group_id))
        .into_query();
    let with_municipality = contract_municipality::Entity::scoped(scope)
        .select_only()
        .column(contract_municipality::Column::ContractId)
        .filter(contract_municipality::Column::MunicipalityId.eq(municipality_id))
        .into_query();
    Ok(contract::Entity::scoped(scope)
        .filter(contract::Column::ProviderId.eq(provider_id))
        .filter(contract::Column::Id.in_subquery(with_group))
        .filter(contract::Column::Id.in_subquery(with_municipality))
        .all(db)
        .await?)
}

/// Whether a contract admits a new allocation starting on `start`: from
/// its start to its last day (its term with options and amendments, or
/// its termination). An allocation registered late for care that started
/// within the contract is admitted (care after the last day is then
/// refused as `ZR10`); a bridging agreement never admits one.
fn admits(c: &contract::Model, start: NaiveDate) -> bool {
    c.start_date <= start && last_day(c).is_some_and(|end| start <= end)
}

/// A named location must be the provider's, offering the product on the
/// start date (422 naming `locationId`, `steering::locations`).
async fn check_location(
    txn: &DatabaseTransaction,
    scope: &RegionScope,
    draft: &Draft,
) -> DomainResult<()> {
    match draft.location_id {
        Some(id) => {
            crate::steering::locations::check_allocation(
                txn,
                scope,
                id,
                &draft.provider,
                &draft.product,
                draft.start,
            )
            .await
        }
        None => Ok(()),
    }
}

/// For a change or stop by the central access team: the allocation's
/// product must be of its policy's groups, as for a new allocation.
pub async fn check_central_access_to<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    existing: &allocation::Model,
) -> DomainResult<()> {
    match product::Entity::find_scoped(db, scope, existing.product_id).await? {
        Some(product) => check_central_access(db, scope, &product).await,
        None => Ok(()),
    }
}

/// The central access team allocates only the product groups of the
/// region's `central-access` policy (all of them while it has none): 422
/// `ZR-CENTRAL-ACCESS-GROUP` otherwise.
pub async fn check_central_access<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    product: &product::Model,
) -> DomainResult<()> {
    let Some(PolicyRules::CentralAccess(p)) =
        policies::rules(db, scope, kinds::CENTRAL_ACCESS, REGION_SCOPE).await?
    else {
        return Ok(());
    };
    let group = product_group::Entity::find_scoped(db, scope, product.product_group_id).await?;
    if group.is_some_and(|g| p.product_group_codes.contains(&g.code)) {
        return Ok(());
    }
    Err(rule(
        "ZR-CENTRAL-ACCESS-GROUP",
        format!(
            "The central access team allocates only {}; product {} is another group's.",
            p.product_group_codes.join(", "),
            product.code
        ),
    ))
}

/// The rules between allocation, contract and the municipality's policies.
async fn check_admission<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    municipality: &municipality::Model,
    product: &product::Model,
    provider: &provider::Model,
    start: NaiveDate,
) -> DomainResult<()> {
    let contracts = covering_contracts(
        db,
        scope,
        provider.id,
        product.product_group_id,
        municipality.id,
    )
    .await?;
    if !contracts.iter().any(|c| admits(c, start)) {
        return Err(rule(
            "ZR-ALLOC-NO-CONTRACT",
            format!(
                "Provider {} has no contract in force on {start} covering product {} in {}.",
                provider.agb_code, product.code, municipality.cbs_code
            ),
        ));
    }
    if let Some(PolicyRules::SelfEmployed(p)) =
        policies::rules(db, scope, kinds::SELF_EMPLOYED, &municipality.cbs_code).await?
    {
        if p.forbidden && provider.uses_self_employed {
            return Err(rule(
                "ZR-ALLOC-SELF-EMPLOYED",
                format!(
                    "{} does not allow providers that work with self-employed staff.",
                    municipality.name
                ),
            ));
        }
    }
    if let Some(PolicyRules::ClosedProductGroups(p)) = policies::rules(
        db,
        scope,
        kinds::CLOSED_PRODUCT_GROUPS,
        &municipality.cbs_code,
    )
    .await?
    {
        let group = product_group::Entity::find_scoped(db, scope, product.product_group_id).await?;
        let closed = group.is_some_and(|g| p.product_group_codes.contains(&g.code));
        let first_contract = contracts.iter().map(|c| c.start_date).min();
        if closed && first_contract.is_some_and(|first| first >= p.closed_from) {
            return Err(rule(
                "ZR-ALLOC-GROUP-CLOSED",
                format!(
                    "{} has closed this product group for providers contracted from {}.",
                    municipality.name, p.closed_from
                ),
            ));
        }
    }
    Ok(())
}

async fn replace_episodes<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    allocation_id: Uuid,
    episodes: &[Episode],
) -> DomainResult<()> {
    episode::Entity::delete_scoped(scope)
        .filter(episode::Column::AllocationId.eq(allocation_id))
        .exec(db)
        .await?;
    for e in episodes {
        episode::ActiveModel {
            region_id: Set(scope.region_id),
            id: Set(Uuid::now_v7()),
            allocation_id: Set(allocation_id),
            from_date: Set(e.from),
            to_date: Set(e.to),
            extra_amount: Set(e.extra),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

fn set_grant(model: &mut allocation::ActiveModel, grant: &Grant) {
    let (amount, unit, frequency, budget) = match grant {
        Grant::Volume(v) => (Some(v.amount), Some(v.unit), Some(v.frequency), None),
        Grant::Budget(cents) => (None, None, None, Some(*cents)),
        Grant::Nothing => (None, None, None, None),
    };
    model.volume_amount = Set(amount);
    model.volume_unit = Set(unit);
    model.volume_frequency = Set(frequency);
    model.budget_cents = Set(budget);
}

/// Codes and episodes for a page of allocations, to describe them.
pub struct AllocationCodes {
    municipalities: HashMap<Uuid, String>,
    products: HashMap<Uuid, String>,
    providers: HashMap<Uuid, String>,
    episodes: HashMap<Uuid, Vec<IntensiveEpisode>>,
}

impl AllocationCodes {
    pub async fn load<C: ConnectionTrait>(
        db: &C,
        scope: &RegionScope,
        items: &[allocation::Model],
    ) -> DomainResult<Self> {
        let episodes = episode::Entity::scoped(scope)
            .filter(episode::Column::AllocationId.is_in(items.iter().map(|a| a.id)))
            .order_by_asc(episode::Column::FromDate)
            .all(db)
            .await?;
        Self::with_episodes(db, scope, items, episodes).await
    }

    /// As [`AllocationCodes::load`], with the items' episodes already read.
    pub async fn with_episodes<C: ConnectionTrait>(
        db: &C,
        scope: &RegionScope,
        items: &[allocation::Model],
        read: Vec<episode::Model>,
    ) -> DomainResult<Self> {
        let mut episodes: HashMap<Uuid, Vec<IntensiveEpisode>> = HashMap::new();
        for e in read {
            episodes
                .entry(e.allocation_id)
                .or_default()
                .push(IntensiveEpisode {
                    from: e.from_date,
                    to: e.to_date,
                    extra_hours_per_week: e.extra_amount,
                });
        }
        Ok(Self {
            municipalities: codes_of::<municipality::Entity, _>(
                db,
                scope,
                items.iter().map(|a| a.municipality_id),
                municipality::Column::CbsCode,
            )
            .await?,
            products: codes_of::<product::Entity, _>(
                db,
                scope,
                items.iter().map(|a| a.product_id),
                product::Column::Code,
            )
            .await?,
            providers: codes_of::<provider::Entity, _>(
                db,
                scope,
                items.iter().map(|a| a.provider_id),
                provider::Column::AgbCode,
            )
            .await?,
            episodes,
        })
    }

    pub fn describe(&self, a: allocation::Model) -> Allocation {
        let volume = match grant_of(&a) {
            Grant::Volume(v) => Some(AllocatedVolume {
                amount: v.amount,
                unit: v.unit.as_str().into(),
                frequency: v.frequency.as_str().into(),
            }),
            _ => None,
        };
        Allocation {
            allocation_number: a.allocation_number,
            client_key: a.client_key,
            municipality_cbs: self
                .municipalities
                .get(&a.municipality_id)
                .cloned()
                .unwrap_or_default(),
            product_code: self
                .products
                .get(&a.product_id)
                .cloned()
                .unwrap_or_default(),
            provider_agb: self
                .providers
                .get(&a.provider_id)
                .cloned()
                .unwrap_or_default(),
            start_date: a.start_date,
            end_date: a.end_date,
            volume,
            budget: a.budget_cents.map(cents_to_euros),
            temporary_intensive: self.episodes.get(&a.id).cloned().unwrap_or_default(),
            stopped_on: a.stopped_on,
            stop_reason: a.stop_reason,
            care_started_on: a.care_started_on,
            care_ended_on: a.care_ended_on,
            care_end_reason: a.care_end_reason,
            removed_at: a.removed_at,
            referrer: a.referrer,
            location_id: a.location_id,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

/// The allocation as the region knows it.
pub async fn describe<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    a: allocation::Model,
) -> DomainResult<Allocation> {
    Ok(AllocationCodes::load(db, scope, std::slice::from_ref(&a))
        .await?
        .describe(a))
}
