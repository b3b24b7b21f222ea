//! The annual indexation end to end: figures and policy, preview through the
//! queue, approval, apply; duplicates change nothing; progress moves.

use super::*;
use e2e::{wait_for_job, Region};

const POLICY: &str = r#"{"weights": {"ova": "0.9", "ppc": "0.1"}, "postCalculation": true, "indexDecimals": 2,
    "indexRounding": "half-away-from-zero", "tariffDecimals": 2, "tariffRounding": "half-away-from-zero", "previewOn": "10-01"}"#;

/// Group BEG with hourly product 02A01; tariffs valid on 31 Dec 2024: the
/// region's € 70.00 (open-ended), provider 12345678's € 72.00, and GM0202's
/// € 75.00, which already has a 2025 version (€ 78.00); the VNG figures of
/// 2024 and 2025 and a 90/10 indexation policy.
pub(super) async fn setup(app: &TestApp) -> Region {
    let region = app.new_region().await;
    let posts = [
        (
            "municipalities",
            json!({ "cbsCode": "GM0202", "name": "Arnhem" }),
        ),
        (
            "product-groups",
            json!({ "code": "BEG", "name": "Begeleiding", "law": "wmo" }),
        ),
        (
            "products",
            json!({ "code": "02A01", "name": "Begeleiding", "productGroupCode": "BEG", "iwmoCategory": "02", "unit": "hour", "fundingVariant": "effort" }),
        ),
        (
            "providers",
            json!({ "agbCode": "12345678", "kvkNumber": "11111111", "name": "Zorg BV" }),
        ),
        (
            "tariffs",
            json!({ "productCode": "02A01", "validFrom": "2024-01-01", "price": "70.00" }),
        ),
        (
            "tariffs",
            json!({ "productCode": "02A01", "validFrom": "2024-01-01", "validTo": "2024-12-31", "price": "72.00", "providerAgb": "12345678" }),
        ),
        (
            "tariffs",
            json!({ "productCode": "02A01", "validFrom": "2024-01-01", "validTo": "2024-12-31", "price": "75.00", "municipalityCbs": "GM0202" }),
        ),
        (
            "tariffs",
            json!({ "productCode": "02A01", "validFrom": "2025-01-01", "price": "78.00", "municipalityCbs": "GM0202" }),
        ),
    ];
    app.create_all(&region, &posts).await;
    for (series, year, body) in [
        (
            "ova",
            2024,
            json!({ "forecast": "4.94", "definitive": "6.00" }),
        ),
        ("ova", 2025, json!({ "forecast": "4.18" })),
        (
            "ppc",
            2024,
            json!({ "forecast": "2.51", "definitive": "3.10" }),
        ),
        ("ppc", 2025, json!({ "forecast": "1.82" })),
    ] {
        let reply = app
            .put_admin(&region, &format!("index-figures/{series}/{year}"), body)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    let policy: Value = serde_json::from_str(POLICY).unwrap();
    let reply = app
        .put_admin(&region, "policies/indexation/region", policy)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    region
}

pub(super) async fn previewed_run(app: &TestApp, region: &Region, year: i32) -> Value {
    let created = app
        .post(
            &region.path("indexation-runs"),
            &region.admin,
            json!({ "year": year }),
        )
        .await;
    assert_eq!(created.status, StatusCode::ACCEPTED, "{}", created.body);
    let job = wait_for_job(app, region, created.body["previewJobId"].as_str().unwrap()).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    assert_eq!(job["progress"], 100);
    let id = created.body["id"].as_str().unwrap();
    app.get(
        &region.path(&format!("indexation-runs/{id}")),
        &region.admin,
    )
    .await
    .body
}

async fn preview_approve_apply(app: &TestApp) {
    let region = setup(app).await;
    let t = &region.admin;
    let run = previewed_run(app, &region, 2025).await;
    assert_eq!(run["status"], "previewed");
    assert_eq!(run["indices"], json!({ "BEG": "4.96" }));
    assert_eq!(run["proposedCount"], 2);
    assert_eq!(run["skippedCount"], 1);
    let id = run["id"].as_str().unwrap().to_owned();

    let proposals = app
        .get(&region.path(&format!("indexation-runs/{id}/proposals")), t)
        .await;
    let mut prices: Vec<(String, String)> = proposals.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["oldPrice"].as_str().unwrap().to_owned(),
                p["newPrice"].as_str().unwrap_or("skipped").to_owned(),
            )
        })
        .collect();
    prices.sort();
    // 70.00 × 1.0496 = 73.472 → 73.47; 72.00 × 1.0496 = 75.5712 → 75.57; 75.00 has a 2025 version.
    assert_eq!(
        prices,
        [
            ("70.00".into(), "73.47".into()),
            ("72.00".into(), "75.57".into()),
            ("75.00".into(), "skipped".into())
        ]
    );
    let csv = app
        .client
        .get(format!(
            "{}{}",
            app.base,
            region.path(&format!("indexation-runs/{id}/proposals?format=csv"))
        ))
        .bearer_auth(t)
        .send()
        .await
        .unwrap();
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = csv.text().await.unwrap();
    assert_eq!(csv.lines().count(), 4, "{csv}");
    assert!(csv.contains(",70.00,73.47,4.96,proposed,"));

    // Only a region admin approves; nothing changes before that.
    let auditor = app.token(&region.code, Role::Auditor);
    assert_eq!(
        app.post(
            &region.path(&format!("indexation-runs/{id}/approval")),
            &auditor,
            json!({})
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get(&region.path("tariffs?date=2025-06-01"), t)
            .await
            .body["total"],
        2,
        "the region's 70.00 and GM0202's 78.00"
    );
    let approved = app
        .post(
            &region.path(&format!("indexation-runs/{id}/approval")),
            t,
            json!({}),
        )
        .await;
    assert_eq!(approved.status, StatusCode::ACCEPTED, "{}", approved.body);
    let again = app
        .post(
            &region.path(&format!("indexation-runs/{id}/approval")),
            t,
            json!({}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let job = wait_for_job(app, &region, approved.body["applyJobId"].as_str().unwrap()).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    assert_eq!(job["progress"], 100);
    let applied = app
        .get(&region.path(&format!("indexation-runs/{id}")), t)
        .await;
    assert_eq!(applied.body["status"], "applied");

    let valid = app.get(&region.path("tariffs?date=2025-06-01"), t).await;
    let mut now: Vec<(&str, &str)> = valid.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["price"].as_str().unwrap(),
                t["indexationRunId"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    now.sort();
    assert_eq!(
        now,
        [
            ("73.47", id.as_str()),
            ("75.57", id.as_str()),
            ("78.00", "-")
        ]
    );
    let old = app.get(&region.path("tariffs?date=2024-06-01"), t).await;
    let closed: Vec<&str> = old.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["validTo"].as_str().unwrap())
        .collect();
    assert_eq!(closed, ["2024-12-31"; 3]);
    let successor = valid.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["price"] == "73.47")
        .unwrap();
    assert!(successor["supersedesId"].is_string());
    assert_eq!(
        successor["validTo"],
        Value::Null,
        "the open-ended version stays open"
    );

    // A second run for the same year is refused.
    let second = app
        .post(&region.path("indexation-runs"), t, json!({ "year": 2025 }))
        .await;
    assert_eq!(second.status, StatusCode::CONFLICT);
    assert_eq!(second.body["code"], "ZR-INDEXATION-RUN-EXISTS");

    // Delivering the apply job again, twice at once, changes nothing.
    let job = domain::jobs::Job::IndexationApply {
        region_id: app.region_id(&region.code).await,
        run_id: id.parse().unwrap(),
        job_run_id: approved.body["applyJobId"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap(),
    };
    let ctx = worker::JobContext {
        db: app.state.db.clone(),
    };
    let (a, b) = tokio::join!(
        worker::execute(&ctx, job.clone()),
        worker::execute(&ctx, job.clone())
    );
    a.unwrap();
    b.unwrap();
    app.state.queue.push(job).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let all = app.get(&region.path("tariffs?pageSize=500"), t).await;
    assert_eq!(
        all.body["total"], 6,
        "4 versions + 2 indexed, nothing twice"
    );
}

e2e!(indexation_preview_approve_apply, |app| {
    preview_approve_apply(&app).await;
});

#[tokio::test]
async fn indexation_through_the_redis_queue() {
    // PostgreSQL where available (as in production), else SQLite.
    let backend = if std::env::var("TEST_DATABASE_URL").is_ok() {
        e2e::Backend::Postgres
    } else {
        e2e::Backend::Sqlite
    };
    let Some(app) = TestApp::spawn_with_queue(backend, true).await else {
        return;
    };
    assert!(matches!(app.state.queue, worker::queue::Queue::Redis(_)));
    preview_approve_apply(&app).await;
    app.stop().await;
}

// The provider's line gets a 2025 version between the preview and the
// apply: its proposal is skipped, the region's is applied and names its
// new version.
e2e!(a_line_changed_after_the_preview_is_skipped, |app| {
    let region = setup(&app).await;
    let t = &region.admin;
    let run = previewed_run(&app, &region, 2025).await;
    assert_eq!(run["proposedCount"], 2);
    let id = run["id"].as_str().unwrap().to_owned();
    let manual = json!({ "productCode": "02A01", "validFrom": "2025-02-01", "price": "80.00", "providerAgb": "12345678" });
    let reply = app.post(&region.path("tariffs"), t, manual).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let approved = app
        .post(
            &region.path(&format!("indexation-runs/{id}/approval")),
            t,
            json!({}),
        )
        .await;
    assert_eq!(approved.status, StatusCode::ACCEPTED, "{}", approved.body);
    let job = wait_for_job(&app, &region, approved.body["applyJobId"].as_str().unwrap()).await;
    assert_eq!(job["status"], "succeeded", "{job}");

    let valid = app.get(&region.path("tariffs?date=2025-06-01"), t).await;
    let mut prices: Vec<&str> = valid.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["price"].as_str().unwrap())
        .collect();
    prices.sort();
    assert_eq!(prices, ["73.47", "78.00", "80.00"]);
    let indexed = valid.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["price"] == "73.47")
        .unwrap();
    let proposals = app
        .get(&region.path(&format!("indexation-runs/{id}/proposals")), t)
        .await;
    let mut outcomes: Vec<(&str, &str, Value)> = proposals.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["status"].as_str().unwrap(),
                p["skipReason"].as_str().unwrap_or("-"),
                p["newTariffId"].clone(),
            )
        })
        .collect();
    outcomes.sort_by_key(|o| (o.0, o.1));
    assert_eq!(
        outcomes,
        [
            ("applied", "-", indexed["id"].clone()),
            (
                "skipped",
                "a version starting in 2025 exists; it is not overwritten",
                Value::Null
            ),
            (
                "skipped",
                "the tariff changed after the preview",
                Value::Null
            ),
        ]
    );
});

e2e!(missing_figures_or_policy_are_422s, |app| {
    let region = setup(&app).await;
    let t = &region.admin;
    // 2026 needs the 2026 forecasts, then the 2025 definitive figures.
    let missing = app
        .post(&region.path("indexation-runs"), t, json!({ "year": 2026 }))
        .await;
    assert_eq!(
        missing.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        missing.body
    );
    assert_eq!(missing.body["code"], "ZR-INDEX-FIGURES-MISSING");
    assert!(
        missing.body["detail"]
            .as_str()
            .unwrap()
            .contains("forecast percentage of series ova for 2026"),
        "{}",
        missing.body
    );
    app.put_admin(
        &region,
        "index-figures/ova/2026",
        json!({ "forecast": "3.00" }),
    )
    .await;
    app.put_admin(
        &region,
        "index-figures/ppc/2026",
        json!({ "forecast": "2.00" }),
    )
    .await;
    let definitive = app
        .post(&region.path("indexation-runs"), t, json!({ "year": 2026 }))
        .await;
    assert!(
        definitive.body["detail"]
            .as_str()
            .unwrap()
            .contains("definitive percentage of series ova for 2025"),
        "{}",
        definitive.body
    );
    // The first year after a new procurement needs forecasts only.
    let mut policy: Value = serde_json::from_str(POLICY).unwrap();
    policy["firstYearAfterProcurement"] = json!(2026);
    app.put_admin(&region, "policies/indexation/region", policy)
        .await;
    let forecast_only = app
        .post(&region.path("indexation-runs"), t, json!({ "year": 2026 }))
        .await;
    assert_eq!(
        forecast_only.status,
        StatusCode::ACCEPTED,
        "{}",
        forecast_only.body
    );

    assert_eq!(
        app.delete(&region.path("policies/indexation/region"), t)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let no_policy = app
        .post(&region.path("indexation-runs"), t, json!({ "year": 2025 }))
        .await;
    assert_eq!(no_policy.body["code"], "ZR-INDEXATION-NO-POLICY");
    assert!(no_policy.body["detail"].as_str().unwrap().contains("BEG"));
    let nothing = app
        .post(&region.path("indexation-runs"), t, json!({ "year": 2010 }))
        .await;
    assert_eq!(nothing.body["code"], "ZR-INDEXATION-NOTHING");
    assert_eq!(
        app.get(&region.path("indexation-runs"), t).await.body["total"],
        1,
        "refused runs leave nothing behind"
    );
});

e2e!(index_figures_and_policy_input, |app| {
    let region = setup(&app).await;
    let t = &region.admin;
    let listed = app.get(&region.path("index-figures?series=ova"), t).await;
    assert_eq!(listed.body["total"], 2);
    assert_eq!(listed.body["items"][0]["definitive"], "6.00");
    // A later definitive figure keeps the forecast.
    let updated = app
        .put_admin(
            &region,
            "index-figures/ova/2025",
            json!({ "definitive": "4.50" }),
        )
        .await;
    assert_eq!(updated.body["forecast"], "4.18");
    assert_eq!(updated.body["definitive"], "4.50");
    let bad = app
        .put_admin(
            &region,
            "index-figures/ova/2025",
            json!({ "forecast": 4.18 }),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let bad = app
        .put_admin(
            &region,
            "index-figures/ova/2025",
            json!({ "forecast": "4,18", "definitive": "1e2" }),
        )
        .await;
    assert_eq!(bad.error_fields(), ["forecast", "definitive"]);
    let mut policy: Value = serde_json::from_str(POLICY).unwrap();
    policy["weights"] = json!({ "ova": "0.9", "ppc": "0.2" });
    assert_eq!(
        app.put_admin(&region, "policies/indexation/BEG", policy)
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.put_admin(
            &region,
            "policies/indexation/NOPE",
            serde_json::from_str(POLICY).unwrap()
        )
        .await
        .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.delete(&region.path("index-figures/ova/2025"), t)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get(&region.path("index-figures"), t).await.body["total"],
        3
    );
    let other = app.new_region().await;
    assert_eq!(
        app.get(&region.path("index-figures"), &other.admin)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&other.path("index-figures"), &other.admin)
            .await
            .body["total"],
        0
    );
});

// 4,800 tariffs apply in chunks of 2,000. A database failure in the second
// chunk stops the job after the first: progress shows it, the first chunk is
// indexed, none twice; the retry finishes the rest.
e2e!(a_killed_apply_resumes_and_progress_moves, |app| {
    let region = setup(&app).await;
    let t = &region.admin;
    let region_id = app.region_id(&region.code).await;
    {
        use entities::schema::{product, provider, tariff};
        use entities::TenantEntity;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let scope = entities::RegionScope::new(region_id);
        let db = &app.state.db;
        let product_id = product::Entity::scoped(&scope)
            .filter(product::Column::Code.eq("02A01"))
            .one(db)
            .await
            .unwrap()
            .unwrap()
            .id;
        let now = chrono::Utc::now();
        let providers: Vec<provider::ActiveModel> = (0..4797)
            .map(|i| provider::Model {
                region_id,
                id: uuid::Uuid::now_v7(),
                agb_code: format!("7{i:07}"),
                kvk_number: format!("7{i:07}"),
                name: format!("Provider {i}"),
                uses_self_employed: false,
                integrity_checked_on: None,
                financial_checked_on: None,
                created_at: now,
            })
            .map(Into::into)
            .collect();
        let ids: Vec<uuid::Uuid> = providers.iter().map(|p| p.id.clone().unwrap()).collect();
        for chunk in providers.chunks(100) {
            provider::Entity::insert_many(chunk.to_vec())
                .exec(db)
                .await
                .unwrap();
        }
        let tariffs: Vec<tariff::ActiveModel> = ids
            .iter()
            .enumerate()
            .map(|(i, provider_id)| tariff::Model {
                region_id,
                id: uuid::Uuid::now_v7(),
                product_id,
                provider_id: Some(*provider_id),
                municipality_id: None,
                valid_from: chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
                valid_to: None,
                // 2700 = the poisoned one, in the second chunk
                price_cents: if i == 2700 { 4242 } else { 7000 },
                supersedes_id: None,
                indexation_run_id: None,
                created_at: now,
            })
            .map(Into::into)
            .collect();
        for chunk in tariffs.chunks(100) {
            tariff::Entity::insert_many(chunk.to_vec())
                .exec(db)
                .await
                .unwrap();
        }
    }
    let run = previewed_run(&app, &region, 2025).await;
    assert_eq!(run["proposedCount"], 4799);
    let id = run["id"].as_str().unwrap().to_owned();

    // The database refuses the indexed version of the 42.42 tariff (42.42 × 1.0496 = 44.524 → 44.52).
    use sea_orm::ConnectionTrait;
    let db = &app.state.db;
    let postgres = db.get_database_backend() == sea_orm::DbBackend::Postgres;
    let (create, drop) = if postgres {
        (
            vec![
                "CREATE OR REPLACE FUNCTION zr_test_poison() RETURNS trigger AS $$ BEGIN IF NEW.price_cents = 4452 THEN RAISE EXCEPTION 'poison'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
                "DROP TRIGGER IF EXISTS zr_test_poison ON tariffs",
                "CREATE TRIGGER zr_test_poison BEFORE INSERT ON tariffs FOR EACH ROW EXECUTE FUNCTION zr_test_poison()",
            ],
            "DROP TRIGGER zr_test_poison ON tariffs",
        )
    } else {
        (
            vec!["CREATE TRIGGER zr_test_poison BEFORE INSERT ON tariffs WHEN NEW.price_cents = 4452 BEGIN SELECT RAISE(ABORT, 'poison'); END"],
            "DROP TRIGGER zr_test_poison",
        )
    };
    for sql in create {
        db.execute_unprepared(sql).await.unwrap();
    }
    // Approve in the database, so that only this test delivers the apply job.
    let scope = entities::RegionScope::new(region_id);
    let job_run = domain::runs::create(db, &scope, domain::indexation::APPLY, &id)
        .await
        .unwrap();
    let job_id = job_run.id.to_string();
    {
        use entities::schema::indexation_run as run;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        #[allow(clippy::disallowed_methods)] // filtered on region and id
        run::Entity::update_many()
            .col_expr(run::Column::Status, "approved".into())
            .filter(run::Column::RegionId.eq(region_id))
            .filter(run::Column::Id.eq(id.parse::<uuid::Uuid>().unwrap()))
            .exec(db)
            .await
            .unwrap();
    }
    let job = domain::jobs::Job::IndexationApply {
        region_id,
        run_id: id.parse().unwrap(),
        job_run_id: job_run.id,
    };
    let ctx = worker::JobContext { db: db.clone() };
    let first = worker::execute(&ctx, job.clone()).await;
    // Drop the trigger at once, whatever happened, so no other test meets it.
    db.execute_unprepared(drop).await.unwrap();
    assert!(first.is_err(), "the poisoned chunk fails");
    let progress = app
        .get(&region.path(&format!("jobs/{job_id}")), t)
        .await
        .body["progress"]
        .as_i64()
        .unwrap();
    assert!(
        (1..100).contains(&progress),
        "progress after the first chunk: {progress}"
    );
    let status = app
        .get(&region.path(&format!("indexation-runs/{id}")), t)
        .await
        .body["status"]
        .clone();
    assert_eq!(status, "approved", "not applied while chunks remain");
    let indexed = app
        .get(
            &region.path(&format!(
                "indexation-runs/{id}/proposals?status=applied&pageSize=1"
            )),
            t,
        )
        .await;
    assert_eq!(indexed.body["total"], 2000, "exactly the first chunk");

    worker::execute(&ctx, job.clone()).await.unwrap();
    let done = app
        .get(&region.path(&format!("indexation-runs/{id}")), t)
        .await;
    assert_eq!(done.body["status"], "applied");
    assert_eq!(
        app.get(&region.path(&format!("jobs/{job_id}")), t)
            .await
            .body["progress"],
        100
    );
    let applied = app
        .get(
            &region.path(&format!(
                "indexation-runs/{id}/proposals?status=applied&pageSize=1"
            )),
            t,
        )
        .await;
    assert_eq!(applied.body["total"], 4799);
    let new_versions = app
        .get(&region.path("tariffs?date=2025-06-01&pageSize=1"), t)
        .await;
    assert_eq!(
        new_versions.body["total"], 4800,
        "4799 indexed + GM0202's own 2025 version, none twice"
    );
});

e2e!(
    the_schedule_prepares_the_preview_on_the_policy_date,
    |app| {
        let region = setup(&app).await;
        let t = &region.admin;
        // A date of this test's own, so that other tests' regions are not due.
        let mut policy: Value = serde_json::from_str(POLICY).unwrap();
        policy["previewOn"] = json!("03-17");
        app.put_admin(&region, "policies/indexation/region", policy)
            .await;
        let db = &app.state.db;
        let queue = &app.state.queue;
        let day = chrono::NaiveDate::from_ymd_opt(2024, 3, 17).unwrap();

        let before = worker::schedule::prepare_due_previews(db, queue, day.pred_opt().unwrap())
            .await
            .unwrap();
        assert!(
            app.get(&region.path("indexation-runs"), t).await.body["total"] == 0,
            "not due the day before: {before:?}"
        );
        let started = worker::schedule::prepare_due_previews(db, queue, day)
            .await
            .unwrap();
        let runs = app.get(&region.path("indexation-runs"), t).await;
        assert_eq!(runs.body["total"], 1);
        let run = &runs.body["items"][0];
        assert_eq!(run["year"], 2025);
        assert_eq!(run["requestedBy"], "schedule");
        assert!(started.contains(&run["id"].as_str().unwrap().parse().unwrap()));
        let job = wait_for_job(&app, &region, run["previewJobId"].as_str().unwrap()).await;
        assert_eq!(job["status"], "succeeded");
        // A second tick of the same day (another instance) starts nothing more,
        // and the preview is never applied without an approval.
        worker::schedule::prepare_due_previews(db, queue, day)
            .await
            .unwrap();
        let runs = app.get(&region.path("indexation-runs"), t).await;
        assert_eq!(runs.body["total"], 1);
        assert_eq!(runs.body["items"][0]["status"], "previewed");
        let days = app
            .get(&region.path("jobs?kind=indexation-schedule"), t)
            .await;
        assert_eq!(days.body["total"], 1);
        assert_eq!(days.body["items"][0]["status"], "succeeded");
    }
);
