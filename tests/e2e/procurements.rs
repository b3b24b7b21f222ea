//! Procurements (issue 27): the EU threshold belongs to the procurement,
//! not to the contract form. A private (or national SAS) procurement whose
//! whole value exceeds it is flagged or refused; SAS European and open
//! house never are. Migration 21 gives existing contracts a procurement.

use super::*;
use e2e::Region;
use migration::{Migrator, MigratorTrait};

/// Amersfoort; groups BEG and BW; providers 11111111 to 66666666.
async fn setup(app: &TestApp) -> Region {
    let region = app.new_region().await;
    let mut posts = vec![
        (
            "municipalities",
            json!({ "cbsCode": "GM0307", "name": "Amersfoort" }),
        ),
        (
            "product-groups",
            json!({ "code": "BEG", "name": "Wmo begeleiding", "law": "wmo" }),
        ),
        (
            "product-groups",
            json!({ "code": "BW", "name": "Beschermd wonen", "law": "wmo" }),
        ),
    ];
    for n in 1..=6 {
        let agb = n.to_string().repeat(8);
        posts.push((
            "providers",
            json!({ "agbCode": agb, "kvkNumber": agb, "name": format!("Aanbieder {n}") }),
        ));
    }
    app.create_all(&region, &posts).await;
    region
}

fn code(reply: &Reply) -> &str {
    reply.body["code"].as_str().unwrap_or("-")
}

/// A contract of provider `n` (11111111 …) for `group` worth `value`.
async fn contract(
    app: &TestApp,
    region: &Region,
    (n, form, group): (u32, &str, &str),
    value: &str,
    procurement: Option<&str>,
) -> Reply {
    let mut body = json!({
        "providerAgb": n.to_string().repeat(8), "procurementForm": form,
        "productGroupCodes": [group], "municipalityCbsCodes": ["GM0307"],
        "startDate": "2026-01-01", "initialTermMonths": 48, "estimatedValue": value,
    });
    if let Some(code) = procurement {
        body["procurementCode"] = json!(code);
    }
    app.post(&region.path("contracts"), &region.admin, body)
        .await
}

async fn eu_signals(app: &TestApp, region: &Region) -> Value {
    app.get(
        &region.path("contract-signals?kind=eu-threshold"),
        &region.admin,
    )
    .await
    .body
}

e2e!(the_threshold_belongs_to_the_procurement, |app| {
    let region = setup(&app).await;
    let t = &region.admin;

    // A private procurement (meervoudig onderhands) without an estimate:
    // its contracts' values add up.
    let private = app
        .post(&region.path("procurements"), t, json!({
            "code": "BEG-2026", "name": "Begeleiding 2026", "form": "private-multiple",
            "productGroupCodes": ["BEG"], "publishedOn": "2025-10-01", "awardedOn": "2025-12-01",
        }))
        .await;
    assert_eq!(private.status, StatusCode::CREATED, "{}", private.body);
    assert_eq!(
        private.header("location"),
        region.path("procurements/BEG-2026")
    );
    assert_eq!(private.body["overEuThreshold"], false);
    assert_eq!(private.body["thresholdValue"], "0.00");

    // € 400,000: below the threshold.
    let first = contract(
        &app,
        &region,
        (1, "sas-tender", "BEG"),
        "400000.00",
        Some("BEG-2026"),
    )
    .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert_eq!(first.body["procurementCode"], "BEG-2026");
    assert_eq!(eu_signals(&app, &region).await["total"], 0);
    // € 400,000 more: each contract below € 750,000, the procurement's
    // € 800,000 above it: flagged on the contract that crossed it.
    let second = contract(
        &app,
        &region,
        (2, "sas-tender", "BEG"),
        "400000.00",
        Some("BEG-2026"),
    )
    .await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    let signals = eu_signals(&app, &region).await;
    assert_eq!(signals["total"], 1, "{signals}");
    assert_eq!(signals["items"][0]["subjectId"], second.body["id"]);
    let got = app.get(&region.path("procurements/BEG-2026"), t).await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.body);
    assert_eq!(got.body["contractCount"], 2);
    assert_eq!(got.body["contractedValue"], "800000.00");
    assert_eq!(got.body["thresholdValue"], "800000.00");
    assert_eq!(got.body["overEuThreshold"], true);
    assert_eq!(got.body["productGroupCodes"], json!(["BEG"]));

    // Refused by policy from now on.
    let policy = app
        .put_admin(&region, "policies/contract-life/region", json!({ "endingHorizonDays": 90, "euThreshold": "750000.00", "euThresholdAction": "refuse" }))
        .await;
    assert!(policy.status.is_success(), "{}", policy.body);
    let third = contract(
        &app,
        &region,
        (3, "sas-tender", "BEG"),
        "100.00",
        Some("BEG-2026"),
    )
    .await;
    assert_eq!(code(&third), "ZR-CONTRACT-EU-THRESHOLD", "{}", third.body);
    let single = app
        .post(
            &region.path("procurements"),
            t,
            json!({
                "code": "BEG-SINGLE", "name": "Enkelvoudig", "form": "private-single",
                "productGroupCodes": ["BEG"], "estimatedValue": "750000.01",
            }),
        )
        .await;
    assert_eq!(
        code(&single),
        "ZR-PROCUREMENT-EU-THRESHOLD",
        "{}",
        single.body
    );
    // The name of a procurement flagged before still changes.
    let renamed = app
        .patch(
            &region.path("procurements/BEG-2026"),
            t,
            json!({ "name": "Begeleiding 2026-2029" }),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
    assert_eq!(renamed.body["name"], "Begeleiding 2026-2029");

    // SAS European far above the threshold (seed 003 §3.4: € 18 M a year,
    // selection of at most 7, award to at most 5; here 2): accepted.
    let sas = app
        .post(
            &region.path("procurements"),
            t,
            json!({
                "code": "BW-SAS", "name": "Beschermd wonen", "form": "sas-european",
                "productGroupCodes": ["BW"], "estimatedValue": "18000000.00",
                "maxSelected": 7, "maxAwards": 2,
            }),
        )
        .await;
    assert_eq!(sas.status, StatusCode::CREATED, "{}", sas.body);
    assert_eq!(sas.body["overEuThreshold"], false);
    assert_eq!(sas.body["maxAwards"], 2);
    let bw1 = contract(
        &app,
        &region,
        (1, "sas-tender", "BW"),
        "9000000.00",
        Some("BW-SAS"),
    )
    .await;
    assert_eq!(bw1.status, StatusCode::CREATED, "{}", bw1.body);
    let outside = contract(
        &app,
        &region,
        (2, "sas-tender", "BEG"),
        "1.00",
        Some("BW-SAS"),
    )
    .await;
    assert_eq!(code(&outside), "ZR-PROCUREMENT-LOT", "{}", outside.body);
    let wrong_form = contract(
        &app,
        &region,
        (2, "open-house", "BW"),
        "1.00",
        Some("BW-SAS"),
    )
    .await;
    assert_eq!(
        code(&wrong_form),
        "ZR-PROCUREMENT-FORM",
        "{}",
        wrong_form.body
    );
    let bw2 = contract(
        &app,
        &region,
        (2, "eu-tender", "BW"),
        "9000000.00",
        Some("BW-SAS"),
    )
    .await;
    assert_eq!(bw2.status, StatusCode::CREATED, "{}", bw2.body);
    let bw3 = contract(
        &app,
        &region,
        (3, "sas-tender", "BW"),
        "1.00",
        Some("BW-SAS"),
    )
    .await;
    assert_eq!(code(&bw3), "ZR-PROCUREMENT-FULL", "{}", bw3.body);
    let fewer = app
        .patch(
            &region.path("procurements/BW-SAS"),
            t,
            json!({ "maxAwards": 1 }),
        )
        .await;
    assert_eq!(
        fewer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        fewer.body
    );

    // Open house: an admission, no public contract; never flagged.
    let open = app
        .post(
            &region.path("procurements"),
            t,
            json!({
                "code": "OH-BEG", "name": "Open house begeleiding", "form": "open-house",
                "productGroupCodes": ["BEG", "BW"], "estimatedValue": "50000000.00",
            }),
        )
        .await;
    assert_eq!(open.status, StatusCode::CREATED, "{}", open.body);
    let admitted = contract(
        &app,
        &region,
        (4, "open-house", "BEG"),
        "2000000.00",
        Some("OH-BEG"),
    )
    .await;
    assert_eq!(admitted.status, StatusCode::CREATED, "{}", admitted.body);

    // Without a procurement a SAS tender or open house contract above the
    // threshold is neither flagged nor refused.
    for (n, form) in [(5, "sas-tender"), (6, "open-house")] {
        let plain = contract(&app, &region, (n, form, "BW"), "900000.00", None).await;
        assert_eq!(plain.status, StatusCode::CREATED, "{}", plain.body);
        assert_eq!(plain.body["procurementCode"], Value::Null);
    }
    assert_eq!(eu_signals(&app, &region).await["total"], 1);
    let unknown = contract(&app, &region, (5, "sas-tender", "BW"), "1.00", Some("NOPE")).await;
    assert_eq!(
        unknown.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        unknown.body
    );
    assert_eq!(unknown.error_fields(), ["procurementCode"]);

    // Lists, filters, and the change of form.
    let all = app.get(&region.path("procurements"), t).await;
    assert_eq!(all.body["total"], 3, "{}", all.body);
    let european = app
        .get(&region.path("procurements?form=sas-european"), t)
        .await;
    assert_eq!(european.body["total"], 1, "{}", european.body);
    let under = app
        .get(&region.path("contracts?procurementCode=BW-SAS"), t)
        .await;
    assert_eq!(under.body["total"], 2, "{}", under.body);
    let european_now = app
        .patch(
            &region.path("procurements/BEG-2026"),
            t,
            json!({ "form": "sas-european", "publishedOn": null }),
        )
        .await;
    assert_eq!(european_now.status, StatusCode::OK, "{}", european_now.body);
    assert_eq!(european_now.body["overEuThreshold"], false);
    assert_eq!(european_now.body["publishedOn"], Value::Null);
    assert_eq!(european_now.body["awardedOn"], "2025-12-01");
    let events = app
        .get(
            &region.path(&format!(
                "audit-events?resource=procurement&resourceId={}",
                private.body["id"].as_str().unwrap()
            )),
            t,
        )
        .await;
    let actions: Vec<&str> = events.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["update", "update", "create"], "{}", events.body);

    // Another region does not see them.
    let other = app.new_region().await;
    let hidden = app
        .get(&other.path("procurements/BW-SAS"), &other.admin)
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
});

/// Contracts made before migration 21 get a procurement per region and
/// form, named after the form, with their lots.
async fn backfill_on(url: &str) {
    let app = TestApp::spawn_on(url, None).await;
    let region = setup(&app).await;
    for (n, form, group) in [
        (1, "open-house", "BEG"),
        (2, "open-house", "BW"),
        (3, "sas-tender", "BW"),
    ] {
        let made = contract(&app, &region, (n, form, group), "100.00", None).await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    }
    let token = region.admin.clone();
    app.stop().await;

    // Back to before migration 21 (and what came after it), then up again.
    let db = sea_orm::Database::connect(url).await.unwrap();
    let migrations = Migrator::migrations();
    let at = migrations
        .iter()
        .position(|m| m.name() == "m20261207_000021_procurements")
        .expect("migration 21");
    Migrator::down(&db, Some((migrations.len() - at) as u32))
        .await
        .unwrap();
    Migrator::up(&db, None).await.unwrap();
    db.close().await.unwrap();

    let app = TestApp::spawn_on(url, None).await;
    let contracts = app.get(&region.path("contracts"), &token).await;
    assert_eq!(contracts.status, StatusCode::OK, "{}", contracts.body);
    for c in contracts.body["items"].as_array().unwrap() {
        assert_eq!(c["procurementCode"], c["procurementForm"], "{c}");
    }
    let open = app
        .get(&region.path("procurements/open-house"), &token)
        .await;
    assert_eq!(open.status, StatusCode::OK, "{}", open.body);
    assert_eq!(open.body["name"], "Open house");
    assert_eq!(open.body["form"], "open-house");
    assert_eq!(open.body["productGroupCodes"], json!(["BEG", "BW"]));
    assert_eq!(open.body["contractCount"], 2);
    let sas = app
        .get(&region.path("procurements/sas-tender"), &token)
        .await;
    assert_eq!(sas.body["form"], "sas-european", "{}", sas.body);
    assert_eq!(sas.body["productGroupCodes"], json!(["BW"]));
    assert_eq!(sas.body["contractCount"], 1);
    let all = app.get(&region.path("procurements"), &token).await;
    assert_eq!(all.body["total"], 2, "{}", all.body);
    // A new contract under the migrated procurement.
    let more = contract(
        &app,
        &region,
        (4, "open-house", "BEG"),
        "100.00",
        Some("open-house"),
    )
    .await;
    assert_eq!(more.status, StatusCode::CREATED, "{}", more.body);
    app.stop().await;
}

#[tokio::test]
async fn sqlite_backfill_gives_contracts_a_procurement() {
    let file = std::env::temp_dir().join(format!("zorgregie-backfill-{}.db", uuid::Uuid::now_v7()));
    backfill_on(&format!("sqlite://{}?mode=rwc", file.display())).await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
}

#[tokio::test]
async fn postgres_backfill_gives_contracts_a_procurement() {
    let Some(scratch) = e2e::ScratchDatabase::create("zorgregie_backfill").await else {
        return;
    };
    backfill_on(&scratch.url).await;
    // The stopped apps' pools (and the embedded worker's queue) still hold
    // sessions on the scratch database: end them before dropping it.
    let name = scratch.url.rsplit('/').next().unwrap().to_owned();
    let admin = sea_orm::Database::connect(std::env::var("TEST_DATABASE_URL").unwrap())
        .await
        .unwrap();
    sea_orm::ConnectionTrait::execute_unprepared(
        &admin,
        &format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        ),
    )
    .await
    .unwrap();
    admin.close().await.unwrap();
    scratch.drop().await;
}
