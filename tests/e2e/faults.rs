//! Outages: a PostgreSQL and a Redis of the test's own are stopped and
//! started again under a running app. While one is down the app answers
//! 503 problem+json with `Retry-After` (fast, not after 30 s) and writes
//! nothing half; when it is back, the same app (no restart) serves again and
//! its worker takes jobs again. And a killed worker's job is taken over once
//! its lease expires, never while it is live.

use std::time::{Duration, Instant};

use super::*;
use e2e::{
    servers::{wait_until, PostgresServer, RedisServer},
    wait_for_job, Region,
};

async fn request_report(app: &TestApp, region: &Region) -> Reply {
    app.post(
        &region.path("reports"),
        &region.admin,
        json!({ "from": "2025-01-01", "to": "2025-12-31" }),
    )
    .await
}

/// A report is queued and the worker makes it.
async fn report_is_made(app: &TestApp, region: &Region) {
    let created = request_report(app, region).await;
    assert_eq!(created.status, StatusCode::ACCEPTED, "{}", created.body);
    let job = wait_for_job(app, region, created.body["jobId"].as_str().unwrap()).await;
    assert_eq!(job["status"], "succeeded", "{job}");
}

fn assert_unavailable(reply: &Reply, naming: &str) {
    assert_eq!(
        reply.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        reply.body
    );
    assert_eq!(reply.header("Retry-After"), "5");
    assert!(reply
        .header("content-type")
        .starts_with("application/problem+json"));
    assert_eq!(reply.body["code"], "ZR-UNAVAILABLE", "{}", reply.body);
    assert!(
        reply.body["detail"].as_str().unwrap_or("").contains(naming),
        "{}",
        reply.body
    );
}

async fn total(app: &TestApp, region: &Region, path: &str) -> Value {
    let reply = app.get(&region.path(path), &region.admin).await;
    assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
    reply.body["total"].clone()
}

async fn ready(app: &TestApp) -> Reply {
    app.send(reqwest::Method::GET, "/api/v1/ready", None, None)
        .await
}

#[tokio::test]
async fn redis_down_leaves_nothing_behind_and_the_app_recovers() {
    let Some(mut redis) = RedisServer::start().await else {
        return;
    };
    // PostgreSQL where available (as in production), else SQLite.
    let backend = if std::env::var("TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
        e2e::Backend::Postgres
    } else {
        e2e::Backend::Sqlite
    };
    let app = TestApp::spawn_with_queue_url(backend, Some(redis.url()))
        .await
        .expect("app");
    let region = app.new_region().await;
    report_is_made(&app, &region).await;
    assert_eq!(ready(&app).await.status, StatusCode::OK);

    redis.stop().await;
    let started = Instant::now();
    let refused = request_report(&app, &region).await;
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "{:?}",
        started.elapsed()
    );
    assert_unavailable(&refused, "job queue");
    // Nothing half-written: no report, no job run beside the first ones.
    assert_eq!(total(&app, &region, "reports").await, 1);
    assert_eq!(total(&app, &region, "jobs").await, 1);
    assert_eq!(total(&app, &region, "jobs?status=queued").await, 0);
    assert_unavailable(&ready(&app).await, "job queue");
    let health = app
        .send(reqwest::Method::GET, "/api/v1/health", None, None)
        .await;
    assert_eq!(health.status, StatusCode::OK);

    redis.resume().await;
    let back = Instant::now();
    assert!(
        wait_until(Duration::from_secs(20), || async {
            ready(&app).await.status == StatusCode::OK
        })
        .await,
        "the app did not see Redis again"
    );
    // The same app enqueues again, and its worker (restarted after the
    // outage) makes the report.
    report_is_made(&app, &region).await;
    eprintln!("redis: back to work {:?} after the restart", back.elapsed());
    app.stop().await;
}

#[tokio::test]
async fn postgres_down_answers_503_fast_and_the_app_recovers() {
    let Some(postgres) = PostgresServer::start().await else {
        return;
    };
    // The queue is in that PostgreSQL too (no Redis): the embedded worker
    // loses it with the database.
    let app = TestApp::spawn_on(&postgres.url(), None).await;
    let region = app.new_region().await;
    report_is_made(&app, &region).await;

    postgres.stop().await;
    let started = Instant::now();
    let read = app.get(&region.path("reports"), &region.admin).await;
    let waited = started.elapsed();
    assert_unavailable(&read, "database");
    assert!(waited < Duration::from_secs(8), "503 after {waited:?}");
    assert_unavailable(&request_report(&app, &region).await, "database");
    assert_unavailable(&ready(&app).await, "database");
    let health = app
        .send(reqwest::Method::GET, "/api/v1/health", None, None)
        .await;
    assert_eq!(health.status, StatusCode::OK);

    postgres.resume().await;
    let back = Instant::now();
    assert!(
        wait_until(Duration::from_secs(30), || async {
            app.get(&region.path("reports"), &region.admin).await.status == StatusCode::OK
        })
        .await,
        "the app did not reach PostgreSQL again"
    );
    assert_eq!(ready(&app).await.status, StatusCode::OK);
    // Nothing of the refused request was written.
    assert_eq!(total(&app, &region, "reports").await, 1);
    report_is_made(&app, &region).await;
    eprintln!(
        "postgres: 503 after {waited:?}; back to work {:?} after the restart",
        back.elapsed()
    );
    app.stop().await;
}

mod leases {
    use super::*;
    use chrono::Utc;
    use domain::{
        indexation::{self, status},
        jobs::Job,
        runs::{self, Leasing},
    };
    use entities::{
        schema::{indexation_proposal as proposal, indexation_run as run},
        RegionScope, TenantEntity,
    };
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, TransactionTrait};

    /// How long the killed worker's lease still holds when the test starts.
    const DEAD_LEASE: Duration = Duration::from_secs(4);
    /// Recovery bound after the lease expires: the re-delivered job waits
    /// out the lease, then runs.
    const BOUND: Duration = Duration::from_secs(10);

    e2e!(
        a_killed_workers_job_runs_once_after_its_lease_expires,
        |app| {
            let region = crate::indexation::setup(&app).await;
            let t = &region.admin;
            let previewed = crate::indexation::previewed_run(&app, &region, 2025).await;
            let run_id: uuid::Uuid = previewed["id"].as_str().unwrap().parse().unwrap();
            let region_id = app.region_id(&region.code).await;
            let db = &app.state.db;

            // Approved as the API approves, but the apply was taken by a worker
            // that was then killed: its lease holds for DEAD_LEASE more.
            let txn = entities::transaction::begin_write(db).await.unwrap();
            let job_run = runs::create(
                &txn,
                &RegionScope::new(region_id),
                indexation::APPLY,
                &run_id.to_string(),
            )
            .await
            .unwrap();
            #[allow(clippy::disallowed_methods)] // filtered on region and id
            run::Entity::update_many()
                .col_expr(run::Column::Status, status::APPROVED.into())
                .col_expr(run::Column::ApplyJobId, Some(job_run.id).into())
                .filter(run::Column::RegionId.eq(region_id))
                .filter(run::Column::Id.eq(run_id))
                .exec(&txn)
                .await
                .unwrap();
            txn.commit().await.unwrap();
            let Leasing::Taken(dead) = runs::take_lease(
                db,
                &RegionScope::new(region_id),
                job_run.id,
                "killed-worker",
                DEAD_LEASE,
            )
            .await
            .unwrap() else {
                panic!("a fresh run's lease is free");
            };

            // A second worker cannot take it while the lease is live.
            let second = runs::take_lease(
                db,
                &RegionScope::new(region_id),
                job_run.id,
                "second-worker",
                runs::LEASE_TTL,
            )
            .await
            .unwrap();
            assert!(matches!(second, Leasing::Held(_)), "{second:?}");

            // The queue delivers the job again, as apalis does with a dead
            // worker's jobs; the app's worker gets it at once and must wait.
            let job = Job::IndexationApply {
                region_id,
                run_id,
                job_run_id: job_run.id,
            };
            app.state.queue.push(job.clone()).await.unwrap();
            let run_path = region.path(&format!("indexation-runs/{run_id}"));
            let job_path = region.path(&format!("jobs/{}", job_run.id));
            // Checked until a second before it expires (two requests fit easily).
            while Utc::now() + chrono::Duration::seconds(1) < dead.expires_at {
                assert_eq!(app.get(&run_path, t).await.body["status"], "approved");
                let running = app.get(&job_path, t).await.body;
                assert_eq!(running["status"], "running", "{running}");
                assert_eq!(running["progress"], 0, "{running}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }

            // Then it runs, once, within the bound.
            let finished = wait_for_job(&app, &region, &job_run.id.to_string()).await;
            let recovered = (Utc::now() - dead.expires_at).to_std().unwrap_or_default();
            assert_eq!(finished["status"], "succeeded", "{finished}");
            assert_eq!(finished["result"]["applied"], 2, "{finished}");
            assert!(
                recovered < BOUND,
                "taken over {recovered:?} after the lease expired"
            );
            eprintln!(
                "lease: the job finished {recovered:?} after the dead worker's lease expired"
            );
            assert_eq!(app.get(&run_path, t).await.body["status"], "applied");
            let tariffs = app.get(&region.path("tariffs?pageSize=500"), t).await;
            assert_eq!(tariffs.body["total"], 6, "4 versions + 2 indexed");

            // The killed worker, were it to wake up, no longer holds the lease.
            let mut dead = dead;
            assert!(!runs::renew_lease(db, &mut dead, runs::LEASE_TTL)
                .await
                .unwrap());
            // Delivered twice more at once: a finished run does nothing.
            let ctx = worker::JobContext { db: db.clone() };
            let (a, b) = tokio::join!(
                worker::execute(&ctx, job.clone()),
                worker::execute(&ctx, job.clone())
            );
            a.unwrap();
            b.unwrap();
            let again = app.get(&job_path, t).await.body;
            assert_eq!(again["result"], finished["result"]);
            let tariffs = app.get(&region.path("tariffs?pageSize=500"), t).await;
            assert_eq!(tariffs.body["total"], 6, "nothing twice");
        }
    );

    /// The whole chain on PostgreSQL and Redis: worker 1 takes the apply and
    /// is killed mid-job (its task aborted: no more heartbeats or lease
    /// renewals); worker 2 gets the job back from apalis once worker 1 is
    /// 30 s silent, finds the lease expired and applies it, once.
    #[tokio::test]
    async fn a_worker_killed_mid_job_is_replaced_within_a_minute() {
        let Some(redis) = RedisServer::start().await else {
            return;
        };
        let Some(app) =
            TestApp::spawn_with_workers(e2e::Backend::Postgres, Some(redis.url()), false).await
        else {
            return;
        };
        let db = &app.state.db;
        let ctx = worker::JobContext { db: db.clone() };
        let first = tokio::spawn(app.state.queue.clone().run_worker(ctx.clone(), "first"));
        let region = crate::indexation::setup(&app).await;
        let t = &region.admin;
        let previewed = crate::indexation::previewed_run(&app, &region, 2025).await;
        let run_id: uuid::Uuid = previewed["id"].as_str().unwrap().parse().unwrap();
        let scope = RegionScope::new(app.region_id(&region.code).await);

        // Hold the proposals' rows, so the apply stops half-way, leased.
        let blocker = db.begin().await.unwrap();
        proposal::Entity::scoped(&scope)
            .filter(proposal::Column::RunId.eq(run_id))
            .lock_exclusive()
            .all(&blocker)
            .await
            .unwrap();
        let approved = app
            .post(
                &region.path(&format!("indexation-runs/{run_id}/approval")),
                t,
                json!({}),
            )
            .await;
        assert_eq!(approved.status, StatusCode::ACCEPTED, "{}", approved.body);
        let job_path = region.path(&format!(
            "jobs/{}",
            approved.body["applyJobId"].as_str().unwrap()
        ));
        assert!(
            wait_until(Duration::from_secs(20), || async {
                app.get(&job_path, t).await.body["status"] == "running"
            })
            .await,
            "the first worker did not take the apply"
        );

        first.abort();
        let _ = first.await;
        let killed = Instant::now();
        blocker.rollback().await.unwrap();
        let second = tokio::spawn(app.state.queue.clone().run_worker(ctx, "second"));
        assert!(
            wait_until(Duration::from_secs(60), || async {
                app.get(&job_path, t).await.body["status"] == "succeeded"
            })
            .await,
            "the job was not taken over within a minute"
        );
        let recovered = killed.elapsed();
        eprintln!(
            "kill: the second worker finished the job {recovered:?} after the first was killed"
        );
        let finished = app.get(&job_path, t).await.body;
        assert_eq!(finished["result"]["applied"], 2, "{finished}");
        let tariffs = app.get(&region.path("tariffs?pageSize=500"), t).await;
        assert_eq!(
            tariffs.body["total"], 6,
            "4 versions + 2 indexed, nothing twice"
        );
        #[allow(clippy::disallowed_methods)] // by id, the test's own run
        let applied = run::Entity::find()
            .filter(run::Column::Id.eq(run_id))
            .one(db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(applied.status, status::APPLIED);
        second.abort();
        app.stop().await;
    }
}

// A queue that lost its data (a Redis restarted without persistence) forgot
// the jobs in it. The sweep pushes the job of a run queued for too long
// again, and the job runs once.
e2e!(the_sweep_pushes_forgotten_jobs_again, |app| {
    use sea_orm::{sea_query::Expr, ColumnTrait, EntityTrait, QueryFilter};
    let region = app.new_region().await;
    let scope = entities::RegionScope::new(app.region_id(&region.code).await);
    let db = &app.state.db;
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    // The run is recorded, its job pushed nowhere: as if the queue lost it.
    let (report, _forgotten) = domain::reports::open_report(
        db,
        &scope,
        (day("2025-01-01"), day("2025-12-31")),
        None,
        "test",
    )
    .await
    .unwrap();
    let run_id = report.job_run_id.unwrap();
    // Eleven minutes pass.
    #[allow(clippy::disallowed_methods)] // the test's own run, by id
    entities::schema::job_run::Entity::update_many()
        .col_expr(
            entities::schema::job_run::Column::CreatedAt,
            Expr::value(entities::clock::now() - chrono::Duration::minutes(11)),
        )
        .filter(entities::schema::job_run::Column::Id.eq(run_id))
        .exec(db)
        .await
        .unwrap();
    let pushed =
        worker::schedule::requeue_stale(db, &app.state.queue, chrono::Duration::minutes(10))
            .await
            .unwrap();
    assert!(pushed >= 1, "the forgotten job is pushed again");
    let job = wait_for_job(&app, &region, &run_id.to_string()).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    let report = app
        .get(
            &region.path(&format!("reports/{}", report.id)),
            &region.admin,
        )
        .await;
    assert_eq!(report.body["status"], "done", "{}", report.body);
});
