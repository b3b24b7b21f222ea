//! The outflow check job: counts each contracted provider's distinct clients
//! in the window and records a verdict per provider and scope, in one
//! transaction; a repeated delivery finds the check done and does nothing.

use std::collections::HashMap;

use chrono::{Datelike, Months, NaiveDate};
use entities::{
    contract_life::last_day,
    enums::{FundingVariant, LineStatus},
    outflow::{assess, ClientCount, ContractCover, Service},
    policy::{kinds, OutflowThresholdPolicy, PolicyRules},
    rollup::{month_of, period_mask},
    schema::{
        allocation, contract, contract_municipality, contract_product_group, declaration_line,
        declared_client, outflow_check as check, outflow_flag as flag, product,
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
    let (contracts, group_links, municipality_links) = tokio::try_join!(
        contract::Entity::scoped(scope)
            .filter(contract::Column::StartDate.lte(to))
            .all(db),
        contract_product_group::Entity::scoped(scope).all(db),
        contract_municipality::Entity::scoped(scope).all(db),
    )?;
    let contracts: Vec<contract::Model> = contracts
        .into_iter()
        // In force at some point of the window: its last day (term,
        // options, amendments, termination) is not before it.
        .filter(|c| last_day(c).is_some_and(|end| end >= from))
        .collect();
    let mut groups: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for link in group_links {
        groups
            .entry(link.contract_id)
            .or_default()
            .push(link.product_group_id);
    }
    let mut municipalities: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for link in municipality_links {
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
async fn services_in_window(
    db: &DatabaseConnection,
    scope: &RegionScope,
    count: ClientCount,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Service>, JobError> {
    match count {
        ClientCount::ActiveAllocations => {
            allocations_serving(
                db,
                scope,
                Condition::all()
                    .add(allocation::Column::StartDate.lte(to))
                    .add(
                        Condition::any()
                            .add(allocation::Column::EndDate.is_null())
                            .add(allocation::Column::EndDate.gte(from)),
                    ),
            )
            .await
        }
        ClientCount::ApprovedDeclarations => declared_in_window(db, scope, from, to).await,
    }
}

/// The clients with approved lines in the window. Whole months come from
/// the client rollup (a bit per month and provider); the days of a month
/// the window only partly covers (a rolling window made mid-month) come
/// from the lines of those days.
async fn declared_in_window(
    db: &DatabaseConnection,
    scope: &RegionScope,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Service>, JobError> {
    let (whole, partial) = whole_months(from, to);
    let mut services = Vec::new();
    if let Some((first, last)) = whole {
        let months = declared_client::Entity::scoped(scope)
            .select_only()
            .columns([
                declared_client::Column::Year,
                declared_client::Column::ClientNumber,
                declared_client::Column::ProductGroupId,
                declared_client::Column::MunicipalityId,
                declared_client::Column::ProviderId,
                declared_client::Column::MonthsMask,
            ])
            .filter(declared_client::Column::Year.between(first.year(), last.year()));
        let rows: Vec<(i32, i64, Uuid, Uuid, Uuid, i32)> =
            crate::rows::rows(db, sea_orm::QueryTrait::into_query(months)).await?;
        services.extend(
            rows.into_iter()
                .filter(|(year, .., mask)| mask & period_mask(*year, first, last) != 0)
                .map(|(_, client, group, municipality, provider, _)| Service {
                    provider_id: provider,
                    product_group_id: group,
                    municipality_id: municipality,
                    client,
                }),
        );
    }
    if !partial.is_empty() {
        // The part months' days, both in one read.
        let days = partial.iter().fold(Condition::any(), |any, (first, last)| {
            any.add(declaration_line::Column::PeriodStart.between(*first, *last))
        });
        let declared = declaration_line::Entity::scoped(scope)
            .select_only()
            .column(declaration_line::Column::AllocationId)
            .filter(declaration_line::Column::Status.eq(LineStatus::Approved))
            // Debits that stand: a credit and the debit it reversed serve no one.
            .filter(declaration_line::Column::Credit.eq(false))
            .filter(declaration_line::Column::ReversedBy.is_null())
            .filter(days);
        // Task care is never declared (issue 27): its allocations in force
        // on one of those days serve their clients, as the funding run
        // marks them in the client rollup for whole months.
        let task_products = product::Entity::scoped(scope)
            .select_only()
            .column(product::Column::Id)
            .filter(product::Column::FundingVariant.eq(FundingVariant::Task));
        let task_in_days = partial.iter().fold(Condition::any(), |any, (first, last)| {
            any.add(
                Condition::all()
                    .add(allocation::Column::StartDate.lte(*last))
                    .add(
                        Condition::any()
                            .add(allocation::Column::EndDate.is_null())
                            .add(allocation::Column::EndDate.gte(*first)),
                    ),
            )
        });
        let in_days = Condition::any()
            .add(allocation::Column::Id.in_subquery(sea_orm::QueryTrait::into_query(declared)))
            .add(
                Condition::all()
                    .add(
                        allocation::Column::ProductId
                            .in_subquery(sea_orm::QueryTrait::into_query(task_products)),
                    )
                    .add(allocation::Column::RemovedAt.is_null())
                    .add(task_in_days),
            );
        services.extend(allocations_serving(db, scope, in_days).await?);
    }
    Ok(services)
}

/// A range of days, both included.
type Days = (NaiveDate, NaiveDate);

/// The window's whole months (the first day of the first, the last day of
/// the last), if any, and the day ranges of the months it covers in part.
fn whole_months(from: NaiveDate, to: NaiveDate) -> (Option<Days>, Vec<Days>) {
    let first = if from.day() == 1 {
        from
    } else {
        month_of(from)
            .checked_add_months(Months::new(1))
            .unwrap_or(from)
    };
    let last = if to.succ_opt().is_some_and(|next| next.day() == 1) {
        to
    } else {
        month_of(to).pred_opt().unwrap_or(to)
    };
    if first > last {
        return (None, vec![(from, to)]);
    }
    let mut partial = Vec::new();
    if from < first {
        partial.push((from, first.pred_opt().unwrap_or(from)));
    }
    if last < to {
        partial.push((last.succ_opt().unwrap_or(to), to));
    }
    (Some((first, last)), partial)
}

/// The allocations matching `condition`, as the services they are.
async fn allocations_serving<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    condition: Condition,
) -> Result<Vec<Service>, JobError> {
    let group_of: HashMap<Uuid, Uuid> = product::Entity::scoped(scope)
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.product_group_id))
        .collect();
    let rows: Vec<(Uuid, Uuid, Uuid, i64)> = allocation::Entity::scoped(scope)
        .select_only()
        .columns([
            allocation::Column::ProviderId,
            allocation::Column::ProductId,
            allocation::Column::MunicipalityId,
            allocation::Column::ClientNumber,
        ])
        .filter(condition)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(provider, product, municipality, client)| Service {
            provider_id: provider,
            product_group_id: group_of.get(&product).copied().unwrap_or_default(),
            municipality_id: municipality,
            client,
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
    // Independent reads, side by side on the pool.
    let (contracts, services) = tokio::try_join!(
        contracts_in_window(db, &scope, from, to),
        services_in_window(db, &scope, policy.count, from, to),
    )?;
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
        flag::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
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
) -> Result<Option<(check::Model, crate::jobs::Job)>, JobError> {
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
        crate::jobs::Job::OutflowCheck {
            region_id: scope.region_id,
            check_id,
            job_run_id: job_run.id,
        },
    )))
}

/// An outflow check asked for by a person (`POST …/outflow-checks`): opened
/// with its queued job and audited, in the caller's transaction; the caller
/// pushes the job and commits. Refused while the region has no
/// `outflow-threshold` policy.
pub async fn request_check<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    audit: &crate::audit::Audit,
    as_of: NaiveDate,
) -> crate::DomainResult<(check::Model, crate::jobs::Job)> {
    let opened = open_check(db, scope, as_of, &audit.actor)
        .await
        .map_err(|e| crate::DomainError::Internal(e.to_string()))?;
    let Some((saved, job)) = opened else {
        return Err(crate::DomainError::rule(
            "ZR-OUTFLOW-NO-POLICY",
            "Set the region's outflow-threshold policy first (PUT .../policies/outflow-threshold/region).",
        ));
    };
    audit
        .record(
            db,
            "create",
            "outflow-check",
            saved.id,
            serde_json::json!({ "asOf": as_of }),
        )
        .await?;
    Ok((saved, job))
}

/// After a permanent failure the check shows it.
pub async fn mark_failed<C: ConnectionTrait>(
    db: &C,
    job: &crate::jobs::Job,
    message: &str,
) -> Result<(), JobError> {
    let crate::jobs::Job::OutflowCheck {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_window_splits_into_whole_months_and_the_days_of_the_others() {
        // A calendar year: whole months only.
        assert_eq!(
            whole_months(d("2025-01-01"), d("2025-12-31")),
            (Some((d("2025-01-01"), d("2025-12-31"))), vec![])
        );
        // A rolling year made on 15 March 2026.
        assert_eq!(
            whole_months(d("2025-03-16"), d("2026-03-15")),
            (
                Some((d("2025-04-01"), d("2026-02-28"))),
                vec![
                    (d("2025-03-16"), d("2025-03-31")),
                    (d("2026-03-01"), d("2026-03-15"))
                ]
            )
        );
        // Ends on the last day of February in a leap year.
        assert_eq!(
            whole_months(d("2023-03-01"), d("2024-02-29")),
            (Some((d("2023-03-01"), d("2024-02-29"))), vec![])
        );
        // Inside one month: its days only.
        assert_eq!(
            whole_months(d("2025-05-02"), d("2025-05-30")),
            (None, vec![(d("2025-05-02"), d("2025-05-30"))])
        );
    }
}
