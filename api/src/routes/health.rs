//! Liveness and readiness for orchestrators and load balancers, without a
//! token: `health` answers while the process serves; `ready` only while the
//! database and the job queue answer too, so traffic goes elsewhere (and
//! nothing is half-written) while either is away.

use std::time::Duration;

use super::prelude::*;

/// A dependency check answers within this, or counts as down.
const CHECK_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HealthOut {
    /// `ok`.
    #[schema(example = "ok")]
    pub status: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReadyOut {
    /// `ready`.
    #[schema(example = "ready")]
    pub status: &'static str,
    /// `up` per dependency: `database`, `queue`.
    #[schema(example = json!({"database": "up", "queue": "up"}))]
    pub checks: std::collections::BTreeMap<&'static str, &'static str>,
}

/// Liveness: 200 while the process serves requests. It checks nothing else,
/// so an orchestrator does not restart the api for an outage elsewhere.
#[utoipa::path(
    tag = "health",
    responses((status = 200, description = "The process serves", body = HealthOut)),
)]
#[get("/health")]
pub async fn health() -> web::Json<HealthOut> {
    web::Json(HealthOut { status: "ok" })
}

/// Readiness: 200 when the database and the job queue answer; 503
/// problem+json with `Retry-After`, naming what is down, otherwise.
#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, description = "The database and the queue answer", body = ReadyOut),
        (status = 503, description = "The database or the queue is down (named in `detail`); `Retry-After` says when to ask again", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/ready")]
pub async fn ready(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let database = async {
        match tokio::time::timeout(CHECK_TIMEOUT, state.db.ping()).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err(format!("no answer in {CHECK_TIMEOUT:?}")),
        }
    };
    let (database, queue) = tokio::join!(database, state.queue.ping());
    let (what, cause) = match (database, queue) {
        (Ok(()), Ok(())) => {
            let checks = [("database", "up"), ("queue", "up")].into_iter().collect();
            return Ok(HttpResponse::Ok().json(ReadyOut {
                status: "ready",
                checks,
            }));
        }
        (Err(db), Err(q)) => (
            "the database and the job queue",
            format!("database: {db}; queue: {q}"),
        ),
        (Err(db), Ok(())) => ("the database", db),
        (Ok(()), Err(q)) => ("the job queue", q),
    };
    Err(ApiError::Unavailable { what, cause })
}
