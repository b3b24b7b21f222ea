//! Schedules (apalis-cron): once a day the worker prepares the indexation
//! preview of every region whose policy names today (`previewOn`), for next
//! year. It never applies: that waits for a region admin's approval.
//!
//! Every instance's cron fires; the effect happens once, because the day's
//! `job_runs` row (kind `indexation-schedule`, key = the date) is unique per
//! region, and so is a standing run per year.

use std::str::FromStr;

use apalis::prelude::*;
use apalis_cron::{CronScheduler, Tick};
use chrono::{Datelike, NaiveDate};
use entities::{
    policy::{kinds, PolicyRules},
    schema::{policy, region},
    transaction::begin_write,
    RegionScope,
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use domain::{indexation, jobs::Job, runs};

use crate::queue::Queue;

/// 05:00 UTC every day (seconds, minutes, hours, day, month, weekday).
pub const DAILY: &str = "0 0 5 * * *";
pub const SCHEDULE_KIND: &str = "indexation-schedule";

#[derive(Clone)]
pub struct ScheduleContext {
    pub db: DatabaseConnection,
    pub queue: Queue,
}

/// How long a run may wait in `queued`, or lie under a dead lease, before
/// the sweep pushes its job again (a queue that lost its data, as a Redis
/// without persistence does on a restart, forgets the jobs in it).
pub const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(600);
const SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(300);

/// Runs the daily cron and the sweep of forgotten jobs until the process stops.
pub async fn run_schedule(ctx: ScheduleContext) -> Result<(), String> {
    tokio::select! {
        result = run_daily(ctx.clone()) => result,
        result = sweep_forever(ctx) => result,
    }
}

async fn sweep_forever(ctx: ScheduleContext) -> Result<(), String> {
    let older_than = chrono::Duration::from_std(STALE_AFTER).map_err(|e| e.to_string())?;
    let mut every = tokio::time::interval(SWEEP_EVERY);
    loop {
        every.tick().await;
        match requeue_stale(&ctx.db, &ctx.queue, older_than).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(jobs = n, "pushed forgotten jobs again"),
            Err(e) => {
                tracing::warn!(error = %e, "the sweep of forgotten jobs failed; trying later")
            }
        }
    }
}

/// Pushes the jobs of stale runs ([`runs::stale`]) again; returns how many.
/// Safe however often it runs: a job executes only under its run's lease,
/// and a delivery of a finished run does nothing.
pub async fn requeue_stale(
    db: &DatabaseConnection,
    queue: &Queue,
    older_than: chrono::Duration,
) -> Result<usize, runs::JobError> {
    let mut pushed = 0;
    for run in runs::stale(db, older_than).await? {
        if let Some(job) = Job::for_run(&run) {
            queue.push(job).await.map_err(runs::JobError::Retry)?;
            pushed += 1;
        }
    }
    Ok(pushed)
}

async fn run_daily(ctx: ScheduleContext) -> Result<(), String> {
    let schedule = cron::Schedule::from_str(DAILY).map_err(|e| e.to_string())?;
    WorkerBuilder::new(format!("zorgregie-cron-{}", Uuid::now_v7().simple()))
        .backend(CronScheduler::new(schedule))
        .data(ctx)
        .build(on_tick)
        .run()
        .await
        .map_err(|e| e.to_string())
}

async fn on_tick(tick: Tick, ctx: Data<ScheduleContext>) -> Result<(), BoxDynError> {
    let today = chrono::DateTime::from_timestamp(tick.get_timestamp() as i64, 0)
        .unwrap_or_default()
        .date_naive();
    let previews = prepare_due_previews(&ctx.db, &ctx.queue, today).await?;
    let checks = start_due_outflow_checks(&ctx.db, &ctx.queue, today).await?;
    start_monthly_reports(&ctx.db, &ctx.queue, today).await?;
    domain::funding::run_month(&ctx.db, today).await?;
    domain::contract_watch::run_day(&ctx.db, today).await?;
    domain::steering::run_day(&ctx.db, today).await?;
    tracing::info!(%today, previews = previews.len(), checks = checks.len(), "daily schedule ran");
    Ok(())
}

/// Starts next year's preview for every region whose indexation policy
/// names `today`; returns the runs it started. Missing figures or policies
/// are recorded as a failed `indexation-schedule` job the office can see.
pub async fn prepare_due_previews(
    db: &DatabaseConnection,
    queue: &Queue,
    today: NaiveDate,
) -> Result<Vec<Uuid>, runs::JobError> {
    // Across all regions: the schedule serves every tenant.
    #[allow(clippy::disallowed_methods)]
    let due: Vec<Uuid> = policy::Entity::find()
        .filter(policy::Column::Kind.eq(kinds::INDEXATION))
        .all(db)
        .await?
        .into_iter()
        .filter(|p| match PolicyRules::parse(&p.kind, p.body.clone()) {
            Ok(PolicyRules::Indexation(rules)) => {
                rules.preview_month_day() == Some((today.month(), today.day()))
            }
            _ => false,
        })
        .map(|p| p.region_id)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut started = Vec::new();
    let year = today.year() + 1;
    for region_id in due {
        #[allow(clippy::disallowed_methods)] // the tenants themselves
        let Some(region) = region::Entity::find_by_id(region_id).one(db).await?
        else {
            continue;
        };
        let scope = RegionScope::new(region.id);
        let txn = begin_write(db).await?;
        // The day's row is claimed once per region, whichever instance comes first.
        let day = runs::create(&txn, &scope, SCHEDULE_KIND, &today.to_string()).await?;
        if day.status != entities::enums::JobStatus::Queued {
            continue; // another instance handled this day
        }
        runs::start(&txn, &scope, day.id).await?;
        let outcome = match indexation::group_indices(&txn, &scope, year).await {
            Err(runs::JobError::Permanent(message)) => Err(message),
            Err(e) => return Err(e),
            Ok(_) => match indexation::open_run(&txn, &scope, year, "schedule").await? {
                Ok((run, job)) => Ok(Some((run.id, job))),
                Err(_standing) => Ok(None),
            },
        };
        match outcome {
            Ok(Some((run_id, job))) => {
                runs::succeed(
                    &txn,
                    &scope,
                    day.id,
                    serde_json::json!({ "runId": run_id, "year": year }),
                )
                .await?;
                queue.push_and_commit(db, txn, job).await?;
                started.push(run_id);
            }
            Ok(None) => {
                runs::succeed(
                    &txn,
                    &scope,
                    day.id,
                    serde_json::json!({ "skipped": format!("a run for {year} stands") }),
                )
                .await?;
                txn.commit().await?;
            }
            Err(message) => {
                runs::fail(&txn, &scope, day.id, &message).await?;
                txn.commit().await?;
                tracing::warn!(region = %region.code, %message, "indexation preview not prepared");
            }
        }
    }
    Ok(started)
}

pub const OUTFLOW_SCHEDULE_KIND: &str = "outflow-schedule";

/// Starts the outflow check of every region whose `outflow-threshold`
/// policy names `today` (`runOn`), once per region and day.
pub async fn start_due_outflow_checks(
    db: &DatabaseConnection,
    queue: &Queue,
    today: NaiveDate,
) -> Result<Vec<Uuid>, runs::JobError> {
    #[allow(clippy::disallowed_methods)] // the schedule serves every tenant
    let due: Vec<Uuid> = policy::Entity::find()
        .filter(policy::Column::Kind.eq(kinds::OUTFLOW_THRESHOLD))
        .all(db)
        .await?
        .into_iter()
        .filter(|p| match PolicyRules::parse(&p.kind, p.body.clone()) {
            Ok(PolicyRules::OutflowThreshold(rules)) => {
                rules
                    .run_on
                    .as_deref()
                    .and_then(entities::policy::month_day)
                    == Some((today.month(), today.day()))
            }
            _ => false,
        })
        .map(|p| p.region_id)
        .collect();
    let mut started = Vec::new();
    for region_id in due {
        let scope = RegionScope::new(region_id);
        let txn = begin_write(db).await?;
        let day = runs::create(&txn, &scope, OUTFLOW_SCHEDULE_KIND, &today.to_string()).await?;
        if day.status != entities::enums::JobStatus::Queued {
            continue; // another instance handled this day
        }
        let opened = domain::outflow::open_check(&txn, &scope, today, "schedule").await?;
        runs::succeed(
            &txn,
            &scope,
            day.id,
            serde_json::json!({ "checkId": opened.as_ref().map(|(c, _)| c.id) }),
        )
        .await?;
        match opened {
            Some((check, job)) => {
                queue.push_and_commit(db, txn, job).await?;
                started.push(check.id);
            }
            None => txn.commit().await?,
        }
    }
    Ok(started)
}

pub const REPORT_SCHEDULE_KIND: &str = "report-schedule";

/// On the first of a month, every region gets the report of the month before,
/// once per region and month.
pub async fn start_monthly_reports(
    db: &DatabaseConnection,
    queue: &Queue,
    today: NaiveDate,
) -> Result<Vec<Uuid>, runs::JobError> {
    if today.day() != 1 {
        return Ok(Vec::new());
    }
    let to = today.pred_opt().unwrap_or(today);
    let from = to.with_day(1).unwrap_or(to);
    #[allow(clippy::disallowed_methods)] // every tenant gets its report
    let regions = region::Entity::find().all(db).await?;
    let mut started = Vec::new();
    for region in regions {
        let scope = RegionScope::new(region.id);
        let txn = begin_write(db).await?;
        let month = runs::create(
            &txn,
            &scope,
            REPORT_SCHEDULE_KIND,
            &from.format("%Y-%m").to_string(),
        )
        .await?;
        if month.status != entities::enums::JobStatus::Queued {
            continue;
        }
        let (report, job) =
            domain::reports::open_report(&txn, &scope, (from, to), None, "schedule").await?;
        runs::succeed(
            &txn,
            &scope,
            month.id,
            serde_json::json!({ "reportId": report.id }),
        )
        .await?;
        queue.push_and_commit(db, txn, job).await?;
        started.push(report.id);
    }
    Ok(started)
}
