//! `job_runs`: one row per run of a job, with status, progress (0–100),
//! timestamps, result and error, for `GET .../jobs/{id}`.

use entities::{enums::JobStatus, schema::job_run, RegionScope, TenantEntity};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, QueryFilter, Set};
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Retrying cannot help: the subject is gone or a rule refuses.
    #[error("{0}")]
    Permanent(String),
    /// The database or queue failed; a retry may succeed.
    #[error("database: {0}")]
    Database(#[from] DbErr),
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
    }
    .insert(db)
    .await
}

/// `job_runs` rows are addressed by id alone inside the worker: the id came
/// from a row the API created in the job's region.
async fn update<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    change: impl FnOnce(&mut job_run::ActiveModel),
) -> Result<(), JobError> {
    #[allow(clippy::disallowed_methods)]
    let found = <job_run::Entity as sea_orm::EntityTrait>::find()
        .filter(job_run::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or_else(|| JobError::Permanent(format!("job run {id} does not exist")))?;
    let mut model: job_run::ActiveModel = found.into();
    change(&mut model);
    model.update(db).await?;
    Ok(())
}

pub async fn start<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<(), JobError> {
    update(db, id, |m| {
        m.status = Set(JobStatus::Running);
        m.started_at = Set(Some(entities::clock::now()));
        m.error = Set(None);
    })
    .await
}

/// Progress a person watches, 0 to 100.
pub async fn progress<C: ConnectionTrait>(db: &C, id: Uuid, percent: i32) -> Result<(), JobError> {
    update(db, id, |m| m.progress = Set(percent.clamp(0, 100))).await
}

pub async fn succeed<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    result: serde_json::Value,
) -> Result<(), JobError> {
    update(db, id, |m| {
        m.status = Set(JobStatus::Succeeded);
        m.progress = Set(100);
        m.result = Set(Some(result));
        m.finished_at = Set(Some(entities::clock::now()));
    })
    .await
}

pub async fn fail<C: ConnectionTrait>(db: &C, id: Uuid, error: &str) -> Result<(), JobError> {
    update(db, id, |m| {
        m.status = Set(JobStatus::Failed);
        m.error = Set(Some(error.to_owned()));
        m.finished_at = Set(Some(entities::clock::now()));
    })
    .await
}
