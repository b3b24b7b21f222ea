//! The daily watch over contracts and the compliance register: a check
//! whose validity ends within the `compliance` policy's horizon, or has
//! ended; a contract whose last day falls within the `contract-life`
//! policy's horizon while allocations run past it without a bridge. Each
//! becomes a contract signal once. The queries the API shares (the
//! allocations running past a contract's end, recording a signal) live
//! here too, since the API depends on this crate.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use entities::{
    contract_life::{last_day, latest_per_kind, standing, Standing},
    enums::{ContractSignalKind, ContractStatus},
    policy::{kinds, CompliancePolicy, ContractLifePolicy, PolicyRules},
    schema::{
        allocation, bridging_agreement, compliance_check, contract, contract_municipality,
        contract_product_group, contract_signal, product, provider,
    },
    transaction::begin_write,
    RegionScope, TenantEntity,
};
use sea_orm::{
    sea_query::OnConflict, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set,
};
use uuid::Uuid;

use crate::{
    policies::region_rules,
    runs::{self, JobError},
};

pub const WATCH_KIND: &str = "contract-watch";

/// The region's `compliance` policy, or its defaults.
pub async fn compliance_policy<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
) -> Result<CompliancePolicy, DbErr> {
    Ok(match region_rules(db, scope, kinds::COMPLIANCE).await? {
        Some(PolicyRules::Compliance(p)) => p,
        _ => CompliancePolicy::default(),
    })
}

/// The region's `contract-life` policy, or its defaults.
pub async fn contract_life_policy<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
) -> Result<ContractLifePolicy, DbErr> {
    Ok(match region_rules(db, scope, kinds::CONTRACT_LIFE).await? {
        Some(PolicyRules::ContractLife(p)) => p,
        _ => ContractLifePolicy::default(),
    })
}

/// Records a contract signal once per (kind, subject, day); returns
/// whether it is new.
pub async fn signal<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    kind: ContractSignalKind,
    (subject_id, provider_id): (Uuid, Option<Uuid>),
    due_on: NaiveDate,
    detail: String,
) -> Result<bool, DbErr> {
    let inserted = contract_signal::Entity::insert(contract_signal::ActiveModel {
        region_id: Set(scope.region_id),
        id: Set(Uuid::now_v7()),
        kind: Set(kind),
        subject_id: Set(subject_id),
        provider_id: Set(provider_id),
        due_on: Set(due_on),
        detail: Set(detail),
        created_at: Set(entities::clock::now()),
    })
    .on_conflict(
        OnConflict::columns([
            contract_signal::Column::RegionId,
            contract_signal::Column::Kind,
            contract_signal::Column::SubjectId,
            contract_signal::Column::DueOn,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(inserted > 0)
}

/// The contract's provider's allocations it covers (its lots and
/// municipalities) that still run after `day`: not removed, not stopped by
/// then, and without an end or ending after it. By municipality, then number.
pub async fn running_past<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    c: &contract::Model,
    day: NaiveDate,
) -> Result<Vec<allocation::Model>, DbErr> {
    let groups = contract_product_group::Entity::scoped(scope)
        .select_only()
        .column(contract_product_group::Column::ProductGroupId)
        .filter(contract_product_group::Column::ContractId.eq(c.id))
        .into_query();
    let products = product::Entity::scoped(scope)
        .select_only()
        .column(product::Column::Id)
        .filter(product::Column::ProductGroupId.in_subquery(groups))
        .into_query();
    let municipalities = contract_municipality::Entity::scoped(scope)
        .select_only()
        .column(contract_municipality::Column::MunicipalityId)
        .filter(contract_municipality::Column::ContractId.eq(c.id))
        .into_query();
    allocation::Entity::scoped(scope)
        .filter(allocation::Column::ProviderId.eq(c.provider_id))
        .filter(allocation::Column::ProductId.in_subquery(products))
        .filter(allocation::Column::MunicipalityId.in_subquery(municipalities))
        .filter(allocation::Column::RemovedAt.is_null())
        .filter(
            sea_orm::Condition::any()
                .add(allocation::Column::StoppedOn.is_null())
                .add(allocation::Column::StoppedOn.gt(day)),
        )
        .filter(
            sea_orm::Condition::any()
                .add(allocation::Column::EndDate.is_null())
                .add(allocation::Column::EndDate.gt(day)),
        )
        .order_by_asc(allocation::Column::MunicipalityId)
        .order_by_asc(allocation::Column::AllocationNumber)
        .all(db)
        .await
}

/// Per allocation number, the latest day a bridging agreement of the
/// contract covers it to.
pub async fn bridged_until<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    contract_id: Uuid,
) -> Result<HashMap<i64, NaiveDate>, DbErr> {
    let mut bridged: HashMap<i64, NaiveDate> = HashMap::new();
    for bridge in bridging_agreement::Entity::scoped(scope)
        .filter(bridging_agreement::Column::ContractId.eq(contract_id))
        .all(db)
        .await?
    {
        for number in bridge_numbers(&bridge) {
            let until = bridged.entry(number).or_insert(bridge.until);
            *until = (*until).max(bridge.until);
        }
    }
    Ok(bridged)
}

/// The allocation numbers a bridging agreement covers.
pub fn bridge_numbers(bridge: &bridging_agreement::Model) -> Vec<i64> {
    serde_json::from_value(bridge.allocation_numbers.clone()).unwrap_or_default()
}

/// What one day's watch found in a region.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WatchRun {
    pub checks_expiring: usize,
    pub checks_expired: usize,
    pub contracts_ending: usize,
}

/// Runs the day's watch in every region; each region once a day.
pub async fn run_day(
    db: &DatabaseConnection,
    today: NaiveDate,
) -> Result<Vec<(Uuid, WatchRun)>, JobError> {
    #[allow(clippy::disallowed_methods)] // the schedule serves every tenant
    let regions: Vec<Uuid> = entities::schema::region::Entity::find()
        .select_only()
        .column(entities::schema::region::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let mut done = Vec::new();
    for region_id in regions {
        if let Some(outcome) = run_day_in(db, &RegionScope::new(region_id), today).await? {
            done.push((region_id, outcome));
        }
    }
    Ok(done)
}

/// One region's watch for `today`; `None` when it ran today already.
pub async fn run_day_in(
    db: &DatabaseConnection,
    scope: &RegionScope,
    today: NaiveDate,
) -> Result<Option<WatchRun>, JobError> {
    let txn = begin_write(db).await?;
    let run = runs::create(&txn, scope, WATCH_KIND, &today.to_string()).await?;
    if run.status != entities::enums::JobStatus::Queued {
        return Ok(None);
    }
    runs::start(&txn, scope, run.id).await?;
    let mut outcome = watch_checks(&txn, scope, today).await?;
    outcome.contracts_ending = watch_contracts(&txn, scope, today).await?;
    runs::succeed(
        &txn,
        scope,
        run.id,
        serde_json::json!({
            "day": today,
            "checksExpiring": outcome.checks_expiring,
            "checksExpired": outcome.checks_expired,
            "contractsEnding": outcome.contracts_ending,
        }),
    )
    .await?;
    txn.commit().await?;
    Ok(Some(outcome))
}

async fn watch_checks<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    today: NaiveDate,
) -> Result<WatchRun, DbErr> {
    let policy = compliance_policy(db, scope).await?;
    let checks = compliance_check::Entity::scoped(scope).all(db).await?;
    let providers: std::collections::HashMap<Uuid, String> = provider::Entity::scoped(scope)
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.agb_code))
        .collect();
    let mut by_provider: std::collections::BTreeMap<Uuid, Vec<compliance_check::Model>> =
        Default::default();
    for check in checks {
        by_provider
            .entry(check.provider_id)
            .or_default()
            .push(check);
    }
    let mut run = WatchRun::default();
    for (provider_id, checks) in by_provider {
        let agb = providers.get(&provider_id).cloned().unwrap_or_default();
        for check in latest_per_kind(&checks) {
            let Some(until) = check.valid_until else {
                continue;
            };
            let (kind, verb) = match standing(check, today, policy.horizon_days) {
                Standing::Expiring => (ContractSignalKind::CheckExpiring, "expires"),
                Standing::Expired => (ContractSignalKind::CheckExpired, "expired"),
                _ => continue,
            };
            let detail = format!(
                "Provider {agb}'s {} check {verb} on {until}.",
                check.kind.as_str()
            );
            if signal(
                db,
                scope,
                kind,
                (check.id, Some(provider_id)),
                until,
                detail,
            )
            .await?
            {
                match kind {
                    ContractSignalKind::CheckExpiring => run.checks_expiring += 1,
                    _ => run.checks_expired += 1,
                }
            }
        }
    }
    Ok(run)
}

async fn watch_contracts<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    today: NaiveDate,
) -> Result<usize, DbErr> {
    let policy = contract_life_policy(db, scope).await?;
    let horizon = today + Duration::days(policy.ending_horizon_days as i64);
    let recent = today - Duration::days(365);
    let mut signalled = 0;
    for c in contract::Entity::scoped(scope)
        .filter(contract::Column::StartDate.lte(horizon))
        .all(db)
        .await?
    {
        // Ending within the horizon, or ended in the last year (a
        // termination for cause takes effect at once, or is recorded late).
        let Some(last) = last_day(&c).filter(|d| (recent..=horizon).contains(d)) else {
            continue;
        };
        let bridged = bridged_until(db, scope, c.id).await?;
        // Covered when a bridge runs to the allocation's end.
        let unbridged = running_past(db, scope, &c, last)
            .await?
            .into_iter()
            .filter(|a| {
                let until = bridged.get(&a.allocation_number);
                until.is_none_or(|until| a.end_date.is_none_or(|end| end > *until))
            })
            .count();
        if unbridged == 0 {
            continue;
        }
        let how = if c.status == ContractStatus::Terminated {
            "is terminated"
        } else {
            "ends"
        };
        let detail = format!(
            "Contract {} {how} on {last} and {unbridged} allocation(s) run past it without a bridging agreement to their end.",
            c.id
        );
        let kind = ContractSignalKind::ContractEnding;
        if signal(db, scope, kind, (c.id, Some(c.provider_id)), last, detail).await? {
            signalled += 1;
        }
    }
    Ok(signalled)
}
