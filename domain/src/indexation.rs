//! The annual tariff indexation: a preview of proposals for every tariff
//! valid on 31 December, then (after approval) the apply that closes each
//! old version on 31 December and inserts the indexed one from 1 January.
//!
//! Exactly-once effect: a run is applied in chunks, each one transaction
//! that marks its proposals applied; a tariff version can have one successor
//! only (unique index), and a run applies only while `approved`. A killed
//! worker leaves the remaining proposals for the retry.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use entities::{
    indexation::{index_percent, indexed_price, Figures},
    money::{cents_to_euros, euros_to_cents},
    policy::{kinds, IndexationPolicy, PolicyRules, REGION_SCOPE},
    schema::{
        index_figure, indexation_proposal as proposal, indexation_run as run, policy, product,
        product_group, tariff,
    },
    RegionScope, TenantEntity, TenantRecord,
};
use rust_decimal::Decimal;
use sea_orm::{
    sea_query::{Condition, Expr},
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use crate::{
    audit::Audit,
    error::{DomainError, DomainResult},
    jobs::Job,
    runs::{self, JobError},
};

pub const PREVIEW: &str = "indexation-preview";
pub const APPLY: &str = "indexation-apply";
const CHUNK: u64 = 500;
/// Proposals per apply transaction: fewer commits, each a few statements.
const APPLY_CHUNK: u64 = 2_000;
/// Ids per `IN (…)` list or rows per multi-row insert (SQLite's parameter limit).
const IN_LIST: usize = 500;

/// Run states.
pub mod status {
    pub const QUEUED: &str = "queued";
    pub const PREVIEWED: &str = "previewed";
    pub const APPROVED: &str = "approved";
    pub const APPLIED: &str = "applied";
    pub const FAILED: &str = "failed";
}

/// The index of one product group for the year.
#[derive(Debug, Clone)]
pub struct GroupIndex {
    pub group_id: Uuid,
    pub code: String,
    pub index_percent: Decimal,
    pub policy: IndexationPolicy,
}

fn dec31(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX)
}

fn jan1(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MAX)
}

/// Tariffs valid on 31 December of `year − 1`, the ones the run indexes.
fn valid_on_new_years_eve(scope: &RegionScope, year: i32) -> sea_orm::Select<tariff::Entity> {
    let eve = dec31(year - 1);
    tariff::Entity::scoped(scope)
        .filter(tariff::Column::ValidFrom.lte(eve))
        .filter(
            Condition::any()
                .add(tariff::Column::ValidTo.is_null())
                .add(tariff::Column::ValidTo.gte(eve)),
        )
}

/// The index per product group that has tariffs to index, or a message
/// naming what is missing (a policy, or a series and year of figures).
pub async fn group_indices<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    year: i32,
) -> Result<Vec<GroupIndex>, JobError> {
    let product_ids: HashSet<Uuid> = valid_on_new_years_eve(scope, year)
        .select_only()
        .column(tariff::Column::ProductId)
        .into_tuple::<Uuid>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let group_ids: HashSet<Uuid> = product::Entity::scoped(scope)
        .all(db)
        .await?
        .into_iter()
        .filter(|p| product_ids.contains(&p.id))
        .map(|p| p.product_group_id)
        .collect();
    let groups = product_group::Entity::scoped(scope)
        .order_by_asc(product_group::Column::Code)
        .all(db)
        .await?;
    let policies: HashMap<String, IndexationPolicy> = policy::Entity::scoped(scope)
        .filter(policy::Column::Kind.eq(kinds::INDEXATION))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|p| match PolicyRules::parse(&p.kind, p.body) {
            Ok(PolicyRules::Indexation(rules)) => Some((p.scope_key, rules)),
            _ => None,
        })
        .collect();
    let figures: BTreeMap<(String, i32), Figures> = index_figure::Entity::scoped(scope)
        .filter(index_figure::Column::Year.between(year - 1, year))
        .all(db)
        .await?
        .into_iter()
        .map(|f| {
            let parse = |v: Option<String>| v.and_then(|v| v.parse::<Decimal>().ok());
            (
                (f.series, f.year),
                Figures {
                    forecast: parse(f.forecast_percent),
                    definitive: parse(f.definitive_percent),
                },
            )
        })
        .collect();
    let mut indices = Vec::new();
    for group in groups.into_iter().filter(|g| group_ids.contains(&g.id)) {
        let policy = policies
            .get(&group.code)
            .or_else(|| policies.get(REGION_SCOPE))
            .ok_or_else(|| {
                JobError::Permanent(format!(
                    "no indexation policy for product group {} (nor for the region)",
                    group.code
                ))
            })?;
        let index = index_percent(&policy.rule_for(year), year, &figures).map_err(|m| {
            JobError::Permanent(format!(
                "index figures missing: the {} percentage of series {} for {}",
                m.kind, m.series, m.year
            ))
        })?;
        indices.push(GroupIndex {
            group_id: group.id,
            code: group.code,
            index_percent: index,
            policy: policy.clone(),
        });
    }
    Ok(indices)
}

/// Opens a run for `year` with its queued preview, unless a run for the
/// year stands (`Err` with that run). The caller commits, then pushes the job.
pub async fn open_run<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    year: i32,
    requested_by: &str,
) -> Result<Result<(run::Model, Job), run::Model>, sea_orm::DbErr> {
    if let Some(standing) = run::Entity::scoped(scope)
        .filter(run::Column::ActiveYear.eq(year))
        .one(db)
        .await?
    {
        return Ok(Err(standing));
    }
    let run_id = Uuid::now_v7();
    let job_run = runs::create(db, scope, PREVIEW, &run_id.to_string()).await?;
    let saved = run::ActiveModel {
        region_id: Set(scope.region_id),
        id: Set(run_id),
        year: Set(year),
        active_year: Set(Some(year)),
        status: Set(status::QUEUED.into()),
        indices: Set(None),
        proposed_count: Set(0),
        skipped_count: Set(0),
        preview_job_id: Set(Some(job_run.id)),
        apply_job_id: Set(None),
        requested_by: Set(Some(requested_by.to_owned())),
        approved_by: Set(None),
        error: Set(None),
        created_at: Set(entities::clock::now()),
        approved_at: Set(None),
        applied_at: Set(None),
    }
    .insert(db)
    .await?;
    let job = Job::IndexationPreview {
        region_id: scope.region_id,
        run_id,
        job_run_id: job_run.id,
    };
    Ok(Ok((saved, job)))
}

/// A run of the region (not found otherwise).
pub async fn find_run<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    id: Uuid,
) -> DomainResult<run::Model> {
    run::Entity::find_scoped(db, scope, id)
        .await?
        .ok_or(DomainError::NotFound)
}

/// Refuses a `year` a run could not index: a product group with tariffs
/// lacks a policy (`ZR-INDEXATION-NO-POLICY`) or its index figures
/// (`ZR-INDEX-FIGURES-MISSING`), or no tariff is valid on 31 December of
/// the year before (`ZR-INDEXATION-NOTHING`). Asked before the run is
/// opened, so the preview does not fail on what can be said now.
pub async fn check_ready<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    year: i32,
) -> DomainResult<()> {
    let indices = group_indices(db, scope, year).await.map_err(|e| match e {
        JobError::Permanent(message) if message.starts_with("index figures missing") => {
            DomainError::rule("ZR-INDEX-FIGURES-MISSING", message)
        }
        JobError::Permanent(message) => DomainError::rule("ZR-INDEXATION-NO-POLICY", message),
        JobError::Database(e) => e.into(),
        JobError::Retry(message) => DomainError::Internal(message),
    })?;
    if indices.is_empty() {
        return Err(DomainError::rule(
            "ZR-INDEXATION-NOTHING",
            format!("No tariff is valid on 31 December {}.", year - 1),
        ));
    }
    Ok(())
}

/// Opens a run for `year` with its queued preview and audits the request;
/// 409 `ZR-INDEXATION-RUN-EXISTS` while another run for the year stands.
/// The caller commits, then pushes the job.
pub async fn request<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    audit: &Audit,
    year: i32,
) -> DomainResult<(run::Model, Job)> {
    let (saved, job) = open_run(db, scope, year, &audit.actor)
        .await?
        .map_err(|standing| {
            DomainError::conflict(
                "ZR-INDEXATION-RUN-EXISTS",
                format!(
                    "Run {} for {} is {}; at most one run per year stands.",
                    standing.id, year, standing.status
                ),
            )
        })?;
    audit
        .record(
            db,
            "create",
            "indexation-run",
            saved.id,
            serde_json::json!({ "year": year }),
        )
        .await?;
    Ok((saved, job))
}

/// Approves a previewed run with its queued apply (409
/// `ZR-INDEXATION-NOT-PREVIEWED` for a run in any other state). The caller
/// commits, then pushes the job.
pub async fn approve<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    audit: &Audit,
    id: Uuid,
) -> DomainResult<(run::Model, Job)> {
    let found = find_run(db, scope, id).await?;
    let job = runs::create(db, scope, APPLY, &found.id.to_string()).await?;
    // Only a previewed run moves on, in one conditional update: of two
    // approvals at once, one changes a row and the other a 409.
    #[allow(clippy::disallowed_methods)] // filtered on region and id below
    let changed = run::Entity::update_many()
        .col_expr(run::Column::Status, status::APPROVED.into())
        .col_expr(run::Column::ApprovedBy, Some(audit.actor.clone()).into())
        .col_expr(run::Column::ApprovedAt, Some(entities::clock::now()).into())
        .col_expr(run::Column::ApplyJobId, Some(job.id).into())
        .filter(run::Column::RegionId.eq(scope.region_id))
        .filter(run::Column::Id.eq(found.id))
        .filter(run::Column::Status.eq(status::PREVIEWED))
        .exec(db)
        .await?;
    if changed.rows_affected != 1 {
        return Err(DomainError::conflict(
            "ZR-INDEXATION-NOT-PREVIEWED",
            format!(
                "The run is {}; only a previewed run can be approved.",
                found.status
            ),
        ));
    }
    audit
        .record(
            db,
            "approve",
            "indexation-run",
            found.id,
            serde_json::json!({ "year": found.year }),
        )
        .await?;
    let approved = find_run(db, scope, found.id).await?;
    let apply = Job::IndexationApply {
        region_id: scope.region_id,
        run_id: found.id,
        job_run_id: job.id,
    };
    Ok((approved, apply))
}

async fn load_run<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    run_id: Uuid,
) -> Result<run::Model, JobError> {
    run::Entity::find_scoped(db, scope, run_id)
        .await?
        .ok_or_else(|| JobError::Permanent(format!("indexation run {run_id} does not exist")))
}

/// The line a tariff belongs to: product, provider, municipality.
type LineKey = (Uuid, Option<Uuid>, Option<Uuid>);

fn line_of(t: &tariff::Model) -> LineKey {
    (t.product_id, t.provider_id, t.municipality_id)
}

/// Computes the run's proposals and stores them in one transaction.
pub async fn prepare_preview(
    db: &DatabaseConnection,
    region_id: Uuid,
    run_id: Uuid,
    job_run_id: Uuid,
) -> Result<serde_json::Value, JobError> {
    let scope = RegionScope::new(region_id);
    let current = load_run(db, &scope, run_id).await?;
    if current.status != status::QUEUED && current.status != status::PREVIEWED {
        return Ok(serde_json::json!({ "skipped": format!("the run is {}", current.status) }));
    }
    let year = current.year;
    let indices = group_indices(db, &scope, year).await?;
    let by_group: HashMap<Uuid, &GroupIndex> = indices.iter().map(|g| (g.group_id, g)).collect();
    let group_of: HashMap<Uuid, Uuid> = product::Entity::scoped(&scope)
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.product_group_id))
        .collect();
    let starting_in_year: HashSet<LineKey> = tariff::Entity::scoped(&scope)
        .filter(tariff::Column::ValidFrom.between(jan1(year), dec31(year)))
        .all(db)
        .await?
        .iter()
        .map(line_of)
        .collect();
    let tariffs = valid_on_new_years_eve(&scope, year)
        .order_by_asc(tariff::Column::Id)
        .all(db)
        .await?;
    let mut proposals = Vec::with_capacity(tariffs.len());
    for (i, t) in tariffs.iter().enumerate() {
        let group_id = group_of.get(&t.product_id).copied().unwrap_or_default();
        let mut row = proposal::Model {
            region_id,
            id: Uuid::now_v7(),
            run_id,
            tariff_id: t.id,
            product_id: t.product_id,
            product_group_id: group_id,
            provider_id: t.provider_id,
            municipality_id: t.municipality_id,
            old_price_cents: t.price_cents,
            new_price_cents: None,
            index_percent: None,
            status: "proposed".into(),
            skip_reason: None,
            new_tariff_id: None,
        };
        match by_group.get(&group_id) {
            _ if starting_in_year.contains(&line_of(t)) => {
                row.status = "skipped".into();
                row.skip_reason = Some(format!(
                    "a version starting in {year} exists; it is not overwritten"
                ));
            }
            Some(g) => {
                let price = indexed_price(
                    cents_to_euros(t.price_cents),
                    g.index_percent,
                    g.policy.tariff_decimals,
                    g.policy.tariff_rounding,
                );
                row.new_price_cents = euros_to_cents(price);
                row.index_percent = Some(g.index_percent.to_string());
            }
            None => {
                row.status = "skipped".into();
                row.skip_reason = Some("the product has no product group index".into());
            }
        }
        proposals.push(row);
        if (i + 1) % CHUNK as usize == 0 {
            runs::progress(
                db,
                &scope,
                job_run_id,
                (90 * (i + 1) / tariffs.len().max(1)) as i32,
            )
            .await?;
        }
    }
    let skipped = proposals.iter().filter(|p| p.status == "skipped").count() as i32;
    let proposed = proposals.len() as i32 - skipped;
    let indices_json: serde_json::Map<String, serde_json::Value> = indices
        .iter()
        .map(|g| {
            (
                g.code.clone(),
                serde_json::Value::String(g.index_percent.to_string()),
            )
        })
        .collect();

    let txn = entities::transaction::begin_write(db).await?;
    let fresh = load_run(&txn, &scope, run_id).await?;
    if fresh.status != status::QUEUED && fresh.status != status::PREVIEWED {
        return Ok(serde_json::json!({ "skipped": format!("the run is {}", fresh.status) }));
    }
    proposal::Entity::delete_scoped(&scope)
        .filter(proposal::Column::RunId.eq(run_id))
        .exec(&txn)
        .await?;
    for chunk in proposals.chunks(CHUNK as usize / 4) {
        proposal::Entity::insert_many(chunk.iter().cloned().map(proposal::ActiveModel::from))
            .exec(&txn)
            .await?;
    }
    let mut model: run::ActiveModel = fresh.into();
    model.status = Set(status::PREVIEWED.into());
    model.indices = Set(Some(serde_json::Value::Object(indices_json.clone())));
    model.proposed_count = Set(proposed);
    model.skipped_count = Set(skipped);
    model.error = Set(None);
    model.update(&txn).await?;
    txn.commit().await?;
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        // Fresh statistics for the apply, which may follow at once: without
        // them PostgreSQL scans all proposals for every chunk's `id IN (…)`.
        db.execute_unprepared("ANALYZE indexation_proposals")
            .await?;
    }
    Ok(
        serde_json::json!({ "runId": run_id, "indices": indices_json, "proposed": proposed, "skipped": skipped }),
    )
}

/// Applies an approved run, chunk by chunk (each chunk one transaction).
pub async fn apply(
    db: &DatabaseConnection,
    region_id: Uuid,
    run_id: Uuid,
    job_run_id: Uuid,
) -> Result<serde_json::Value, JobError> {
    let scope = RegionScope::new(region_id);
    let current = load_run(db, &scope, run_id).await?;
    if current.status == status::APPLIED {
        return Ok(serde_json::json!({ "skipped": "the run is already applied" }));
    }
    if current.status != status::APPROVED {
        return Err(JobError::Permanent(format!(
            "the run is {}, not approved",
            current.status
        )));
    }
    let year = current.year;
    let total = current.proposed_count.max(1) as u64;
    // Counted once; each chunk adds its own (a resumed run starts further on).
    let mut done = proposal::Entity::scoped(&scope)
        .filter(proposal::Column::RunId.eq(run_id))
        .filter(proposal::Column::Status.ne("proposed"))
        .count(db)
        .await?;
    let mut applied = 0u64;
    loop {
        let txn = entities::transaction::begin_write(db).await?;
        let chunk = proposal::Entity::scoped(&scope)
            .filter(proposal::Column::RunId.eq(run_id))
            .filter(proposal::Column::Status.eq("proposed"))
            .order_by_asc(proposal::Column::Id)
            .limit(APPLY_CHUNK)
            .lock_exclusive()
            .all(&txn)
            .await?;
        if chunk.is_empty() {
            let mut model: run::ActiveModel = load_run(&txn, &scope, run_id).await?.into();
            model.status = Set(status::APPLIED.into());
            model.applied_at = Set(Some(entities::clock::now()));
            model.update(&txn).await?;
            txn.commit().await?;
            break;
        }
        done += chunk.len() as u64;
        applied += apply_chunk(&txn, &scope, year, chunk).await?;
        runs::progress(
            &txn,
            &scope,
            job_run_id,
            (99 * done.min(total) / total) as i32,
        )
        .await?;
        txn.commit().await?;
    }
    Ok(serde_json::json!({ "runId": run_id, "applied": applied }))
}

/// Applies one chunk of proposals with a handful of set-wise statements:
/// inserts the new versions, closes the old ones on 31 December and marks
/// the proposals. A proposal whose tariff is gone, or whose line got a
/// version in the year after the preview, is skipped. Returns the applied count.
async fn apply_chunk<C: ConnectionTrait>(
    txn: &C,
    scope: &RegionScope,
    year: i32,
    chunk: Vec<proposal::Model>,
) -> Result<u64, JobError> {
    let mut olds: HashMap<Uuid, tariff::Model> = HashMap::new();
    for ids in chunk.chunks(IN_LIST) {
        for t in tariff::Entity::scoped(scope)
            .filter(tariff::Column::Id.is_in(ids.iter().map(|p| p.tariff_id)))
            .all(txn)
            .await?
        {
            olds.insert(t.id, t);
        }
    }
    let product_ids: Vec<Uuid> = olds
        .values()
        .map(|t| t.product_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    // Versions in the year that this run did not make (its own are one per
    // line, and would make this set grow with every chunk).
    let run_id = chunk.first().map(|p| p.run_id).unwrap_or_default();
    let mut taken: HashSet<LineKey> = HashSet::new();
    for ids in product_ids.chunks(IN_LIST) {
        for t in tariff::Entity::scoped(scope)
            .filter(tariff::Column::ProductId.is_in(ids.iter().copied()))
            .filter(tariff::Column::ValidFrom.between(jan1(year), dec31(year)))
            .filter(
                Condition::any()
                    .add(tariff::Column::IndexationRunId.is_null())
                    .add(tariff::Column::IndexationRunId.ne(run_id)),
            )
            .all(txn)
            .await?
        {
            taken.insert(line_of(&t));
        }
    }
    let now = entities::clock::now();
    let (mut new_versions, mut applied, mut skipped) = (Vec::new(), Vec::new(), Vec::new());
    for p in &chunk {
        match (olds.get(&p.tariff_id), p.new_price_cents) {
            // `insert` is false when the line already has a version in the year.
            (Some(old), Some(price)) if taken.insert(line_of(old)) => {
                new_versions.push(tariff::ActiveModel {
                    region_id: Set(scope.region_id),
                    id: Set(Uuid::now_v7()),
                    product_id: Set(old.product_id),
                    provider_id: Set(old.provider_id),
                    municipality_id: Set(old.municipality_id),
                    valid_from: Set(jan1(year)),
                    valid_to: Set(old.valid_to.filter(|to| *to > dec31(year - 1))),
                    price_cents: Set(price),
                    supersedes_id: Set(Some(old.id)),
                    indexation_run_id: Set(Some(p.run_id)),
                    created_at: Set(now),
                });
                applied.push(p);
            }
            _ => skipped.push(p.id),
        }
    }
    for rows in new_versions.chunks(IN_LIST) {
        tariff::Entity::insert_many(rows.to_vec()).exec(txn).await?;
    }
    for rows in applied.chunks(IN_LIST) {
        tariff::Entity::update_scoped(scope)
            .col_expr(tariff::Column::ValidTo, Expr::value(dec31(year - 1)))
            .filter(tariff::Column::Id.is_in(rows.iter().map(|p| p.tariff_id)))
            .exec(txn)
            .await?;
        // The new version is the one that supersedes the proposal's tariff (unique).
        proposal::Entity::update_scoped(scope)
            .col_expr(proposal::Column::Status, Expr::value("applied"))
            .col_expr(
                proposal::Column::NewTariffId,
                Expr::cust(
                    "(SELECT t.id FROM tariffs t WHERE t.region_id = indexation_proposals.region_id \
                     AND t.supersedes_id = indexation_proposals.tariff_id)",
                ),
            )
            .filter(proposal::Column::Id.is_in(rows.iter().map(|p| p.id)))
            .exec(txn)
            .await?;
    }
    for ids in skipped.chunks(IN_LIST) {
        proposal::Entity::update_scoped(scope)
            .col_expr(proposal::Column::Status, Expr::value("skipped"))
            .col_expr(
                proposal::Column::SkipReason,
                Expr::value("the tariff changed after the preview"),
            )
            .filter(proposal::Column::Id.is_in(ids.iter().copied()))
            .exec(txn)
            .await?;
    }
    Ok(applied.len() as u64)
}

/// After a permanent failure: a failed preview frees the year for a new run.
pub async fn mark_failed<C: ConnectionTrait>(
    db: &C,
    job: &Job,
    message: &str,
) -> Result<(), JobError> {
    let Job::IndexationPreview {
        region_id, run_id, ..
    } = job
    else {
        return Ok(()); // an apply keeps its run approved, to be retried
    };
    let scope = RegionScope::new(*region_id);
    if let Some(found) = run::Entity::find_scoped(db, &scope, *run_id).await? {
        let mut model: run::ActiveModel = found.into();
        model.status = Set(status::FAILED.into());
        model.active_year = Set(None);
        model.error = Set(Some(message.to_owned()));
        model.update(db).await?;
    }
    Ok(())
}
