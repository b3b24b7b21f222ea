//! The outflow check job: counts each contracted provider's distinct clients
//! in the window and records a verdict per provider and scope, in one
//! transaction; a repeated delivery finds the check done and does nothing.

use std::collections::HashMap;

use chrono::NaiveDate;
use entities::{
    contract_life::last_day,
    enums::LineStatus,
    outflow::{assess, ClientCount, ContractCover, Service},
    policy::{kinds, OutflowThresholdPolicy, PolicyRules},
    schema::{
        allocation, contract, contract_municipality, contract_product_group, declaration_line,
        outflow_check as check, outflow_flag as flag, product,
    },
    transaction::begin_write,
    RegionScope, TenantEntity, TenantRecord,
};
use sea_orm::{
    sea_query::Condition, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter, QuerySelect, Set,
};
use uuid::Uuid;

use crate::runs::JobError;

pub const KIND: &str = "outflow-check";

/// The region's outflow policy, if set.
pub async fn region_policy<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
) -> Result<Option<OutflowThresholdPolicy>, JobError> {
    Ok(
        match crate::policies::region_rules(db, scope, kinds::OUTFLOW_THRESHOLD).await? {
            Some(PolicyRules::OutflowThreshold(rules)) => Some(rules),
            _ => None,
        },
    )
}

/// Contracts in force at some day of `[from, to]`, with what they cover.
async fn contracts_in_window<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<ContractCover>, JobError> {
    let contracts: Vec<contract::Model> = contract::Entity::scoped(scope)
        .filter(contract::Column::StartDate.lte(to))
        .all(db)
        .await?
        .into_iter()
        // In force at some point of the window: its last day (term,
        // options, amendments, termination) is not before it.
        .filter(|c| last_day(c).is_some_and(|end| end >= from))
        .collect();
    let mut groups: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for link in contract_product_group::Entity::scoped(scope)
        .all(db)
        .await?
    {
        groups
            .entry(link.contract_id)
            .or_default()
            .push(link.product_group_id);
    }
    let mut municipalities: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for link in contract_municipality::Entity::scoped(scope).all(db).await? {
        municipalities
            .entry(link.contract_id)
            .or_default()
            .push(link.municipality_id);
    }
    Ok(contracts
        .into_iter()
        .map(|c| ContractCover {
            contract_id: c.id,
            provider_id: c.provider_id,
            start_date: c.start_date,
            product_groups: groups.remove(&c.id).unwrap_or_default(),
            municipalities: municipalities.remove(&c.id).unwrap_or_default(),
        })
        .collect())
}

/// The clients served in the window, counted as the policy says.
async fn services_in_window<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    count: ClientCount,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Service>, JobError> {
    let mut select = allocation::Entity::scoped(scope);
    select = match count {
        ClientCount::ActiveAllocations => {
            select.filter(allocation::Column::StartDate.lte(to)).filter(
                Condition::any()
                    .add(allocation::Column::EndDate.is_null())
                    .add(allocation::Column::EndDate.gte(from)),
            )
        }
        ClientCount::ApprovedDeclarations => {
            let declared = declaration_line::Entity::scoped(scope)
                .select_only()
                .column(declaration_line::Column::AllocationId)
                .filter(declaration_line::Column::Status.eq(LineStatus::Approved))
                .filter(declaration_line::Column::PeriodStart.between(from, to));
            select.filter(
                allocation::Column::Id.in_subquery(sea_orm::QueryTrait::into_query(declared)),
            )
        }
    };
    let group_of: HashMap<Uuid, Uuid> = product::Entity::scoped(scope)
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.product_group_id))
        .collect();
    Ok(select
        .all(db)
        .await?
        .into_iter()
        .map(|a| Service {
            provider_id: a.provider_id,
            product_group_id: group_of.get(&a.product_id).copied().unwrap_or_default(),
            municipality_id: a.municipality_id,
            client_key: a.client_key,
        })
        .collect())
}

pub async fn run(
    db: &DatabaseConnection,
    region_id: Uuid,
    check_id: Uuid,
) -> Result<serde_json::Value, JobError> {
    let scope = RegionScope::new(region_id);
    let found = check::Entity::find_scoped(db, &scope, check_id)
        .await?
        .ok_or_else(|| JobError::Permanent(format!("outflow check {check_id} does not exist")))?;
    if found.status != "queued" {
        return Ok(serde_json::json!({ "skipped": format!("the check is {}", found.status) }));
    }
    let policy: OutflowThresholdPolicy = found
        .policy
        .clone()
        .and_then(|p| serde_json::from_value(p).ok())
        .ok_or_else(|| JobError::Permanent("the check holds no outflow-threshold policy".into()))?;
    let (from, to) = (found.window_from, found.window_to);
    let contracts = contracts_in_window(db, &scope, from, to).await?;
    let services = services_in_window(db, &scope, policy.count, from, to).await?;
    let findings = assess(
        &contracts,
        &services,
        policy.level,
        policy.min_clients,
        from,
        policy.grace_for_new_contracts,
    );
    let flagged = findings
        .iter()
        .filter(|f| matches!(f.verdict.as_str(), "zero-clients" | "below-threshold"))
        .count() as i32;

    let txn = begin_write(db).await?;
    let fresh = check::Entity::find_scoped(&txn, &scope, check_id)
        .await?
        .ok_or_else(|| JobError::Permanent("the check is gone".into()))?;
    if fresh.status != "queued" {
        return Ok(serde_json::json!({ "skipped": format!("the check is {}", fresh.status) }));
    }
    let rows: Vec<flag::ActiveModel> = findings
        .iter()
        .map(|f| {
            flag::Model {
                region_id,
                id: Uuid::now_v7(),
                check_id,
                provider_id: f.provider_id,
                product_group_id: f.product_group_id,
                municipality_id: f.municipality_id,
                contract_id: Some(f.contract_id),
                clients: f.clients,
                threshold: f.threshold,
                verdict: f.verdict.as_str().into(),
            }
            .into()
        })
        .collect();
    for chunk in rows.chunks(100) {
        flag::Entity::insert_many(chunk.to_vec()).exec(&txn).await?;
    }
    let mut model: check::ActiveModel = fresh.into();
    model.status = Set("done".into());
    model.checked_count = Set(findings.len() as i32);
    model.flagged_count = Set(flagged);
    model.update(&txn).await?;
    txn.commit().await?;
    Ok(serde_json::json!({ "checkId": check_id, "checked": findings.len(), "flagged": flagged }))
}

/// Opens a check as of `as_of` under the region's policy (`None` without one).
pub async fn open_check<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    as_of: NaiveDate,
    requested_by: &str,
) -> Result<Option<(check::Model, crate::Job)>, JobError> {
    let Some(policy) = region_policy(db, scope).await? else {
        return Ok(None);
    };
    let (from, to) = entities::outflow::window(policy.window, as_of);
    let check_id = Uuid::now_v7();
    let job_run = crate::runs::create(db, scope, KIND, &check_id.to_string()).await?;
    let saved = check::ActiveModel {
        region_id: Set(scope.region_id),
        id: Set(check_id),
        as_of: Set(as_of),
        window_from: Set(from),
        window_to: Set(to),
        status: Set("queued".into()),
        job_run_id: Set(Some(job_run.id)),
        checked_count: Set(0),
        flagged_count: Set(0),
        policy: Set(Some(serde_json::to_value(&policy).unwrap_or_default())),
        requested_by: Set(Some(requested_by.to_owned())),
        error: Set(None),
        created_at: Set(entities::clock::now()),
    }
    .insert(db)
    .await?;
    Ok(Some((
        saved,
        crate::Job::OutflowCheck {
            region_id: scope.region_id,
            check_id,
            job_run_id: job_run.id,
        },
    )))
}

/// After a permanent failure the check shows it.
pub async fn mark_failed<C: ConnectionTrait>(
    db: &C,
    job: &crate::Job,
    message: &str,
) -> Result<(), JobError> {
    let crate::Job::OutflowCheck {
        region_id,
        check_id,
        ..
    } = job
    else {
        return Ok(());
    };
    if let Some(found) =
        check::Entity::find_scoped(db, &RegionScope::new(*region_id), *check_id).await?
    {
        let mut model: check::ActiveModel = found.into();
        model.status = Set("failed".into());
        model.error = Set(Some(message.to_owned()));
        model.update(db).await?;
    }
    Ok(())
}
