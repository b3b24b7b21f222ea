//! Bad input at the edge, idempotent replays, money already spent when a
//! ceiling is set, and the binaries' `--help`.

use super::*;
use e2e::{bsn, Region};

/// Group BW, product BW0A1 (€ 96.50 a day in 2025), municipality GM0202,
/// provider 12345678 contracted, allocation 1001 for 31 days a month.
async fn setup(app: &TestApp) -> Region {
    let region = app.new_region().await;
    seed_catalogue(app, &region).await;
    let posts = [
        (
            "products",
            json!({ "code": "BW0A1", "name": "Beschermd Thuis", "productGroupCode": "BW", "iwmoCategory": "07", "unit": "day", "fundingVariant": "effort" }),
        ),
        (
            "tariffs",
            json!({ "productCode": "BW0A1", "validFrom": "2025-01-01", "validTo": "2025-12-31", "price": "96.50" }),
        ),
        (
            "contracts",
            json!({ "providerAgb": "12345678", "procurementForm": "open-house", "productGroupCodes": ["BW"], "municipalityCbsCodes": ["GM0202"], "startDate": "2025-01-01", "initialTermMonths": 48 }),
        ),
        (
            "allocations",
            json!({ "allocationNumber": 1001, "clientBsn": bsn(1), "municipalityCbs": "GM0202", "productCode": "BW0A1", "providerAgb": "12345678",
                    "startDate": "2025-01-01", "endDate": "2025-12-31", "volume": { "amount": 31, "unit": "day", "frequency": "month" } }),
        ),
    ];
    app.create_all(&region, &posts).await;
    region
}

fn line(from: &str, to: &str, days: i64) -> Value {
    json!({ "allocationNumber": 1001, "productCode": "BW0A1", "periodStart": from, "periodEnd": to, "deliveredVolume": days })
}

async fn raw(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    content_type: &str,
    body: &str,
) -> Reply {
    let response = app
        .client
        .request(method, format!("{}{path}", app.base))
        .bearer_auth(token)
        .header("content-type", content_type)
        .header("Idempotency-Key", "raw-1")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    Reply::read(response).await
}

e2e!(nul_characters_are_refused_at_the_edge, |app| {
    let region = setup(&app).await;
    let t = &region.admin;
    let in_path = app.get(&region.path("products/BW%00A1"), t).await;
    assert_eq!(in_path.status, StatusCode::BAD_REQUEST, "{}", in_path.body);
    assert_eq!(in_path.error_fields(), ["path"]);
    let in_query = app
        .get(&region.path("allocations?providerAgb=1234%005678"), t)
        .await;
    assert_eq!(in_query.status, StatusCode::BAD_REQUEST);
    assert_eq!(in_query.error_fields(), ["query"]);
    let in_body = app
        .post(
            &region.path("providers"),
            t,
            json!({ "agbCode": "87654321", "kvkNumber": "12345678", "name": "Zorg\u{0}BV" }),
        )
        .await;
    assert_eq!(in_body.status, StatusCode::BAD_REQUEST, "{}", in_body.body);
    assert_eq!(in_body.header("content-type"), "application/problem+json");
    let token = app
        .request_token(&[
            ("grant_type", "client_credentials"),
            ("client_id", "zr_\u{0}"),
            ("client_secret", "x"),
        ])
        .await;
    assert_eq!(token.status, StatusCode::BAD_REQUEST);
    // Nothing was stored.
    assert_eq!(app.get(&region.path("providers"), t).await.body["total"], 1);
});

e2e!(input_is_bounded_and_spelt_one_way, |app| {
    let region = setup(&app).await;
    let t = &region.admin;
    let far = app
        .post(
            &region.path("contracts"),
            t,
            json!({ "providerAgb": "12345678", "procurementForm": "open-house", "productGroupCodes": ["BW"], "municipalityCbsCodes": ["GM0202"], "startDate": "9999-12-01", "initialTermMonths": 48 }),
        )
        .await;
    assert_eq!(far.status, StatusCode::BAD_REQUEST, "{}", far.body);
    assert_eq!(far.error_fields(), ["startDate"]);

    let policy = json!({ "minClients": 5, "window": "rolling-12-months", "level": "region", "count": "approved-declarations", "graceForNewContracts": true, "runOn": "01-15" });
    let put = app
        .put(&region.path("policies/outflow-threshold/region"), t, policy)
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    assert_eq!(
        put.body["rules"]["window"], "rolling-12-months",
        "{}",
        put.body
    );
    let old = json!({ "minClients": 5, "window": "rolling12-months", "level": "region", "count": "approved-declarations", "graceForNewContracts": true, "runOn": "01-15" });
    let refused = app
        .put(&region.path("policies/outflow-threshold/region"), t, old)
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);

    let page = app.get(&region.path("providers?page=2000000"), t).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert_eq!(page.body["errors"][0]["message"], "must be 1 to 1000000");

    for method in [
        reqwest::Method::PUT,
        reqwest::Method::TRACE,
        reqwest::Method::DELETE,
    ] {
        let reply = app
            .send(method.clone(), &region.path("providers"), Some(t), None)
            .await;
        assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED, "{method}");
        assert_eq!(reply.header("allow"), "GET, POST", "{method}");
        assert_eq!(reply.header("content-type"), "application/problem+json");
    }

    let latin1 = raw(
        &app,
        reqwest::Method::POST,
        &region.path("providers"),
        t,
        "application/json; charset=latin1",
        r#"{"agbCode": "87654321", "kvkNumber": "12345678", "name": "Zorg BV"}"#,
    )
    .await;
    assert_eq!(latin1.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    // The token endpoint answers problem+json like every other.
    let wrong_type = app
        .client
        .post(format!("{}/api/v1/auth/token", app.base))
        .json(&json!({ "grant_type": "client_credentials" }))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_type.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(
        wrong_type.headers()["content-type"],
        "application/problem+json"
    );
    let missing = app
        .request_token(&[("grant_type", "client_credentials"), ("client_id", "zr_x")])
        .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert_eq!(missing.header("content-type"), "application/problem+json");
    let body = &missing.body;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("client_secret"),
        "{body}"
    );
});

e2e!(a_replay_answers_what_is_stored, |app| {
    let region = setup(&app).await;
    let path = region.path("declarations");
    let compact = r#"{"lines":[{"allocationNumber":1001,"productCode":"BW0A1","periodStart":"2025-01-01","periodEnd":"2025-01-31","deliveredVolume":31}]}"#;
    let spaced = r#"{ "lines": [ { "deliveredVolume": 31, "periodEnd": "2025-01-31",
        "periodStart": "2025-01-01", "productCode": "BW0A1", "allocationNumber": 1001 } ] }"#;
    let first = raw(
        &app,
        reqwest::Method::POST,
        &path,
        &region.admin,
        "application/json",
        compact,
    )
    .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let replay = raw(
        &app,
        reqwest::Method::POST,
        &path,
        &region.admin,
        "application/json",
        spaced,
    )
    .await;
    assert_eq!(replay.status, StatusCode::CREATED, "{}", replay.body);
    assert_eq!(replay.header("idempotent-replayed"), "true");
    assert_eq!(
        replay.body, first.body,
        "the replay is the first answer, byte for byte"
    );
    let stored = app
        .get(
            &region.path(&format!(
                "declarations/{}",
                first.body["id"].as_str().unwrap()
            )),
            &region.admin,
        )
        .await;
    assert_eq!(stored.body["createdAt"], first.body["createdAt"]);
});

e2e!(a_late_ceiling_counts_what_was_spent, |app| {
    let region = setup(&app).await;
    let t = &region.admin;
    let january = app
        .declare(
            &region,
            t,
            "jan",
            json!([line("2025-01-01", "2025-01-31", 31)]),
        )
        .await;
    assert_eq!(
        january.body["approvedAmount"], "2991.50",
        "{}",
        january.body
    );
    let ceiling = app
        .post(
            &region.path("budget-ceilings"),
            t,
            json!({ "providerAgb": "12345678", "year": 2025, "amount": "3000.00", "hard": true }),
        )
        .await;
    assert_eq!(ceiling.status, StatusCode::CREATED, "{}", ceiling.body);
    assert_eq!(ceiling.body["spent"], "2991.50");
    let id = ceiling.body["id"].as_str().unwrap().to_owned();
    let signals = app
        .get(
            &region.path(&format!("budget-signals?budgetCeilingId={id}")),
            t,
        )
        .await;
    let mut levels: Vec<i64> = signals.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["levelPercent"].as_i64().unwrap())
        .collect();
    levels.sort_unstable();
    assert_eq!(
        levels,
        [70, 80],
        "99.7 % spent: the default 70 % and 80 % signals at once"
    );

    // Delivered care is paid over a hard ceiling too (it steers intake
    // only): February (28 × 96.50 = 2,702.00) passes and reaches 100 %.
    let february = app
        .declare(
            &region,
            t,
            "feb",
            json!([line("2025-02-01", "2025-02-28", 28)]),
        )
        .await;
    assert_eq!(february.body["approvedCount"], 1, "{}", february.body);

    // Raising it recounts and keeps the spend; each level is signalled once.
    let raised = app
        .patch(
            &region.path(&format!("budget-ceilings/{id}")),
            t,
            json!({ "amount": "2500.00" }),
        )
        .await;
    assert_eq!(raised.body["spent"], "5693.50", "{}", raised.body);
    let signals = app
        .get(
            &region.path(&format!("budget-signals?budgetCeilingId={id}")),
            t,
        )
        .await;
    assert_eq!(signals.body["total"], 3, "70 %, 80 % and 100 %, once each");
});

/// `--help` and `--version` answer without side effects (no database file).
#[test]
fn binaries_answer_help_without_side_effects() {
    let bin_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/debug");
    let dir = std::env::temp_dir().join(format!("zorgregie-help-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    for bin in ["api", "worker"] {
        let path = bin_dir.join(bin);
        if !path.exists() {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "{bin} is not built"
            );
            eprintln!("skipped: build the binaries first (scripts/test.sh does)");
            return;
        }
        for flag in ["--help", "--version"] {
            let out = std::process::Command::new(&path)
                .arg(flag)
                .current_dir(&dir)
                .env("DATABASE_URL", "sqlite://zorgregie.db?mode=rwc")
                .output()
                .unwrap();
            assert!(out.status.success(), "{bin} {flag}");
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(text.contains(bin), "{bin} {flag}: {text}");
        }
    }
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert!(left.is_empty(), "--help created files");
    std::fs::remove_dir(&dir).unwrap();
}
