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
async fn setup(app: &TestApp) -> Region {
    let region = app.new_region().await;
    let t = &region.admin;
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
    for (path, body) in posts {
        let reply = app.post(&region.path(path), t, body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{path}: {}", reply.body);
    }
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
        let reply = put(
            app,
            &region,
            &format!("index-figures/{series}/{year}"),
            body,
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    let policy: Value = serde_json::from_str(POLICY).unwrap();
    let reply = put(app, &region, "policies/indexation/region", policy).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    region
}

async fn put(app: &TestApp, region: &Region, path: &str, body: Value) -> Reply {
    app.send(
        reqwest::Method::PUT,
        &region.path(path),
        Some(&region.admin),
        Some(body),
    )
    .await
}

async fn previewed_run(app: &TestApp, region: &Region, year: i32) -> Value {
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
    let job = worker::Job::IndexationApply {
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
