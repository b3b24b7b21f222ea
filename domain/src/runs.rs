//! `job_runs`: one row per run of a job, with status, progress (0–100),
//! timestamps, result and error, for `GET .../jobs/{id}`.

use std::time::Duration;

use chrono::{DateTime, Utc};
use entities::{enums::JobStatus, schema::job_run, RegionScope, TenantEntity, TenantRecord};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Retrying cannot help: the subject is gone or a rule refuses.
    #[error("{0}")]
    Permanent(String),
    /// The database or queue failed; a retry may succeed.
    #[error("database: {0}")]
    Database(#[from] DbErr),
    /// Not now: another worker holds the lease, the run's row is not visible
    /// yet, or this worker lost its lease; a later delivery may succeed.
    #[error("{0}")]
    Retry(String),
}

/// Runs a lost queue may have forgotten: queued for longer than `older_than`,
/// or running under a lease that expired longer than `older_than` ago (its
/// worker died and no delivery came back for it). Across all regions.
pub async fn stale<C: ConnectionTrait>(
    db: &C,
    older_than: chrono::Duration,
) -> Result<Vec<job_run::Model>, DbErr> {
    use sea_orm::sea_query::Condition;
    let before = entities::clock::now() - older_than;
    #[allow(clippy::disallowed_methods)] // the sweep serves every region
    job_run::Entity::find()
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(job_run::Column::Status.eq(JobStatus::Queued))
                        .add(job_run::Column::CreatedAt.lt(before)),
                )
                .add(
                    Condition::all()
                        .add(job_run::Column::Status.eq(JobStatus::Running))
                        .add(job_run::Column::LeaseExpiresAt.lt(before)),
                ),
        )
        .all(db)
        .await
}

/// Records a queued run. `(region, kind, unique_key)` is unique: the same
/// key returns the existing run instead of a second one.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    kind: &str,
    unique_key: &str,
) -> Result<job_run::Model, DbErr> {
    let existing = job_run::Entity::scoped(scope)
        .filter(job_run::Column::Kind.eq(kind))
        .filter(job_run::Column::UniqueKey.eq(unique_key))
        .one(db)
        .await?;
    if let Some(existing) = existing {
        return Ok(existing);
    }
    job_run::ActiveModel {
        region_id: Set(scope.region_id),
        id: Set(Uuid::now_v7()),
        kind: Set(kind.to_owned()),
        unique_key: Set(unique_key.to_owned()),
        status: Set(JobStatus::Queued),
        progress: Set(0),
        result: Set(None),
        error: Set(None),
        created_at: Set(entities::clock::now()),
        started_at: Set(None),
        finished_at: Set(None),
        lease_owner: Set(None),
        lease_expires_at: Set(None),
    }
    .insert(db)
    .await
}

/// A run of the region, by id: every lookup names the region too, so on
/// a distributed database it routes to the region's shard.
async fn update<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    id: Uuid,
    change: impl FnOnce(&mut job_run::ActiveModel),
) -> Result<(), JobError> {
    let found = job_run::Entity::find_scoped(db, scope, id)
        .await?
        .ok_or_else(|| JobError::Permanent(format!("job run {id} does not exist")))?;
    let mut model: job_run::ActiveModel = found.into();
    change(&mut model);
    model.update(db).await?;
    Ok(())
}

pub async fn start<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    id: Uuid,
) -> Result<(), JobError> {
    update(db, scope, id, |m| {
        m.status = Set(JobStatus::Running);
        m.started_at = Set(Some(entities::clock::now()));
        m.error = Set(None);
    })
    .await
}

/// Progress a person watches, 0 to 100.
pub async fn progress<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    id: Uuid,
    percent: i32,
) -> Result<(), JobError> {
    update(db, scope, id, |m| m.progress = Set(percent.clamp(0, 100))).await
}

pub async fn succeed<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    id: Uuid,
    result: serde_json::Value,
) -> Result<(), JobError> {
    update(db, scope, id, |m| {
        m.status = Set(JobStatus::Succeeded);
        m.progress = Set(100);
        m.result = Set(Some(result));
        m.finished_at = Set(Some(entities::clock::now()));
        release(m);
    })
    .await
}

pub async fn fail<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    id: Uuid,
    error: &str,
) -> Result<(), JobError> {
    update(db, scope, id, |m| {
        m.status = Set(JobStatus::Failed);
        m.error = Set(Some(error.to_owned()));
        m.finished_at = Set(Some(entities::clock::now()));
        release(m);
    })
    .await
}

fn release(m: &mut job_run::ActiveModel) {
    m.lease_owner = Set(None);
    m.lease_expires_at = Set(None);
}

/// How long a lease holds without renewal. A killed worker's job is free
/// again this long after its last renewal; the queue's own orphan timeout
/// (`queue::MISSED_HEARTBEATS`) is longer, so a re-delivered job of a dead
/// worker normally finds its lease expired.
pub const LEASE_TTL: Duration = Duration::from_secs(15);
/// A running job renews its lease this often: three chances per TTL.
pub const LEASE_RENEW_EVERY: Duration = Duration::from_secs(5);

/// The right to run one job: held by one attempt at a time.
#[derive(Debug, Clone)]
pub struct Lease {
    pub region_id: Uuid,
    pub run_id: Uuid,
    /// Unique per attempt, so an attempt never mistakes another's lease for its own.
    pub owner: String,
    pub expires_at: DateTime<Utc>,
}

/// What [`take_lease`] found.
#[derive(Debug)]
pub enum Leasing {
    /// This attempt runs the job.
    Taken(Lease),
    /// The run already succeeded or failed: a duplicate delivery.
    Finished,
    /// Another attempt holds a live lease until then.
    Held(DateTime<Utc>),
    /// No such row (yet): its transaction may not have committed.
    Missing,
}

fn expiry(from: DateTime<Utc>, ttl: Duration) -> DateTime<Utc> {
    from + chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::MAX)
}

/// Takes the run's lease for `ttl` when it is free or expired, marking the
/// run running. The update is a compare-and-swap on the previous owner
/// token: of two attempts that read the same expired lease, one changes the
/// row and the other finds it [`Leasing::Held`].
pub async fn take_lease<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    run_id: Uuid,
    worker: &str,
    ttl: Duration,
) -> Result<Leasing, DbErr> {
    let Some(found) = job_run::Entity::find_scoped(db, scope, run_id).await? else {
        return Ok(Leasing::Missing);
    };
    if matches!(found.status, JobStatus::Succeeded | JobStatus::Failed) {
        return Ok(Leasing::Finished);
    }
    let now = entities::clock::now();
    if let (Some(_), Some(until)) = (&found.lease_owner, found.lease_expires_at) {
        if until > now {
            return Ok(Leasing::Held(until));
        }
    }
    let lease = Lease {
        region_id: scope.region_id,
        run_id,
        owner: format!("{worker}/{}", Uuid::now_v7().simple()),
        expires_at: expiry(now, ttl),
    };
    let previous = match &found.lease_owner {
        Some(owner) => job_run::Column::LeaseOwner.eq(owner.as_str()),
        None => job_run::Column::LeaseOwner.is_null(),
    };
    #[allow(clippy::disallowed_methods)] // filtered on the run's region and id below
    let changed = job_run::Entity::update_many()
        .col_expr(
            job_run::Column::LeaseOwner,
            Some(lease.owner.clone()).into(),
        )
        .col_expr(
            job_run::Column::LeaseExpiresAt,
            Some(lease.expires_at).into(),
        )
        .col_expr(job_run::Column::Status, JobStatus::Running.into())
        .col_expr(job_run::Column::StartedAt, Some(now).into())
        .col_expr(job_run::Column::Error, Option::<String>::None.into())
        .filter(job_run::Column::RegionId.eq(found.region_id))
        .filter(job_run::Column::Id.eq(run_id))
        .filter(job_run::Column::Status.is_in([JobStatus::Queued, JobStatus::Running]))
        .filter(previous)
        .exec(db)
        .await?;
    Ok(if changed.rows_affected == 1 {
        Leasing::Taken(lease)
    } else {
        Leasing::Held(expiry(now, ttl))
    })
}

/// Extends a held lease by `ttl`; `false` when the lease is no longer this
/// attempt's (it expired and another worker took it).
pub async fn renew_lease<C: ConnectionTrait>(
    db: &C,
    lease: &mut Lease,
    ttl: Duration,
) -> Result<bool, DbErr> {
    let expires_at = expiry(entities::clock::now(), ttl);
    #[allow(clippy::disallowed_methods)] // filtered on the run's region, id and owner
    let changed = job_run::Entity::update_many()
        .col_expr(job_run::Column::LeaseExpiresAt, Some(expires_at).into())
        .filter(job_run::Column::RegionId.eq(lease.region_id))
        .filter(job_run::Column::Id.eq(lease.run_id))
        .filter(job_run::Column::LeaseOwner.eq(lease.owner.as_str()))
        .exec(db)
        .await?;
    if changed.rows_affected == 1 {
        lease.expires_at = expires_at;
    }
    Ok(changed.rows_affected == 1)
}

/// Gives a lease up after a transient failure, so the retry need not wait
/// for it to expire.
pub async fn release_lease<C: ConnectionTrait>(db: &C, lease: &Lease) -> Result<(), DbErr> {
    #[allow(clippy::disallowed_methods)] // filtered on the run's region, id and owner
    job_run::Entity::update_many()
        .col_expr(job_run::Column::LeaseOwner, Option::<String>::None.into())
        .col_expr(
            job_run::Column::LeaseExpiresAt,
            Option::<DateTime<Utc>>::None.into(),
        )
        .filter(job_run::Column::RegionId.eq(lease.region_id))
        .filter(job_run::Column::Id.eq(lease.run_id))
        .filter(job_run::Column::LeaseOwner.eq(lease.owner.as_str()))
        .exec(db)
        .await?;
    Ok(())
}

/// Renews `lease` every `every` until it is lost, then returns: the caller
/// stops the job, so two attempts never run it at once. A renewal that fails
/// (the database is away) is tried again until the lease would expire.
pub async fn keep_lease<C: ConnectionTrait>(
    db: &C,
    mut lease: Lease,
    every: Duration,
    ttl: Duration,
) {
    loop {
        tokio::time::sleep(every).await;
        match renew_lease(db, &mut lease, ttl).await {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(run_id = %lease.run_id, "lease lost to another worker; stopping the job");
                return;
            }
            Err(e) if Utc::now() >= lease.expires_at => {
                tracing::warn!(run_id = %lease.run_id, error = %e, "lease expired unrenewed; stopping the job");
                return;
            }
            Err(e) => {
                tracing::warn!(run_id = %lease.run_id, error = %e, "renewing the lease failed; trying again")
            }
        }
    }
}
