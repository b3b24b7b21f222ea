//! The live waiting list (issue 28): who waits on a day, days waited
//! against the group's norm, totals, each party's view, the downloads,
//! and the `waiting-norm` signal once per allocation.

use chrono::{Duration, NaiveDate, Utc};
use e2e::{bsn, Region};

use super::*;

const X: &str = "12345678";
const Y: &str = "23456789";

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn day(offset: i64) -> String {
    (today() + Duration::days(offset)).to_string()
}

/// GM0202 Arnhem and GM0274 Renkum; groups BW (BW0A1) and BEG (02A01);
/// providers X and Y contracted for both everywhere; norms 42 days for BW
/// and 90 for the region. Allocations, all recorded today:
/// 1001 X GM0202 BW, 1002 Y GM0274 BW, 1003 X GM0274 BEG (waiting);
/// 1004 X GM0202 BW starting in 100 days (planned); 1005 X GM0202 BW with
/// January 2025 declared (care started).
async fn setup(app: &TestApp) -> Region {
    let region = app.new_region().await;
    app.create_all(
        &region,
        &[
            ("municipalities", json!({ "cbsCode": "GM0202", "name": "Arnhem" })),
            ("municipalities", json!({ "cbsCode": "GM0274", "name": "Renkum" })),
            ("product-groups", json!({ "code": "BW", "name": "Beschermd Wonen", "law": "wmo" })),
            ("product-groups", json!({ "code": "BEG", "name": "Begeleiding", "law": "wmo" })),
            (
                "products",
                json!({ "code": "BW0A1", "name": "Beschermd Thuis", "productGroupCode": "BW", "iwmoCategory": "07", "unit": "day", "fundingVariant": "effort" }),
            ),
            (
                "products",
                json!({ "code": "02A01", "name": "Begeleiding basis", "productGroupCode": "BEG", "iwmoCategory": "02", "unit": "hour", "fundingVariant": "effort" }),
            ),
            ("providers", json!({ "agbCode": X, "kvkNumber": "11111111", "name": "Zorg X" })),
            ("providers", json!({ "agbCode": Y, "kvkNumber": "22222222", "name": "Zorg Y" })),
            (
                "tariffs",
                json!({ "productCode": "BW0A1", "validFrom": "2025-01-01", "validTo": "2025-12-31", "price": "96.50" }),
            ),
        ],
    )
    .await;
    for agb in [X, Y] {
        app.create_all(
            &region,
            &[(
                "contracts",
                json!({ "providerAgb": agb, "procurementForm": "open-house", "productGroupCodes": ["BW", "BEG"], "municipalityCbsCodes": ["GM0202", "GM0274"], "startDate": "2025-01-01", "initialTermMonths": 60 }),
            )],
        )
        .await;
    }
    for (number, cbs, product, agb, start) in [
        (1001, "GM0202", "BW0A1", X, "2025-01-01".to_owned()),
        (1002, "GM0274", "BW0A1", Y, "2025-01-01".to_owned()),
        (1003, "GM0274", "02A01", X, "2025-01-01".to_owned()),
        (1004, "GM0202", "BW0A1", X, day(100)),
        (1005, "GM0202", "BW0A1", X, "2025-01-01".to_owned()),
    ] {
        app.create_all(
            &region,
            &[(
                "allocations",
                json!({ "allocationNumber": number, "clientBsn": bsn(number as u32), "municipalityCbs": cbs, "productCode": product, "providerAgb": agb, "startDate": start, "volume": volume(product) }),
            )],
        )
        .await;
    }
    let declared = app
        .declare(
            &region,
            &region.admin,
            "january",
            json!([{ "allocationNumber": 1005, "productCode": "BW0A1", "periodStart": "2025-01-01", "periodEnd": "2025-01-31", "deliveredVolume": 10 }]),
        )
        .await;
    assert_eq!(declared.body["approvedCount"], 1, "{}", declared.body);
    for (scope, days) in [("BW", 42), ("region", 90)] {
        let reply = app
            .put_admin(
                &region,
                &format!("policies/waiting-norm/{scope}"),
                json!({ "days": days }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    region
}

/// A month of days for the day product, hours a month for the other.
fn volume(product: &str) -> Value {
    if product == "BW0A1" {
        json!({ "amount": 31, "unit": "day", "frequency": "month" })
    } else {
        json!({ "amount": 16, "unit": "hour", "frequency": "month" })
    }
}

fn numbers(body: &Value) -> Vec<i64> {
    body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["allocationNumber"].as_i64().unwrap())
        .collect()
}

fn token(
    app: &TestApp,
    region: &Region,
    role: Role,
    cbs: Option<&str>,
    agb: Option<&str>,
) -> String {
    let mut claims = app.claims(&region.code, role);
    claims.municipality = cbs.map(Into::into);
    claims.agb = agb.map(Into::into);
    app.sign(&claims)
}

e2e!(waiting_list_rows_norms_totals_and_filters, |app| {
    let region = setup(&app).await;
    let list = |query: String| {
        let path = region.path(&format!("waiting-list?{query}"));
        let admin = region.admin.clone();
        let app = &app;
        async move { app.get(&path, &admin).await }
    };

    // Sixty days on: the two BW clients are past 42 days, the BEG client
    // within the region's 90; 1004 has not started, 1005's care has.
    let reply = list(format!("asOf={}", day(60))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let body = &reply.body;
    assert_eq!(numbers(body), vec![1001, 1002, 1003]);
    assert_eq!(body["waiting"], 3);
    assert_eq!(body["overNorm"], 2);
    let first = &body["rows"][0];
    assert_eq!(first["municipalityCbs"], "GM0202");
    assert_eq!(first["municipalityName"], "Arnhem");
    assert_eq!(first["productGroupCode"], "BW");
    assert_eq!(first["productGroupName"], "Beschermd Wonen");
    assert_eq!(first["productCode"], "BW0A1");
    assert_eq!(first["providerAgb"], X);
    assert_eq!(first["providerName"], "Zorg X");
    assert_eq!(first["allocatedOn"], today().to_string());
    assert_eq!(first["daysWaited"], 60);
    assert_eq!(first["normDays"], 42);
    assert_eq!(first["overNorm"], true);
    let beg = &body["rows"][2];
    assert_eq!(
        (beg["normDays"].clone(), beg["overNorm"].clone()),
        (json!(90), json!(false))
    );
    assert_eq!(
        body["productGroups"],
        json!([
            { "productGroupCode": "BEG", "productGroupName": "Begeleiding", "waiting": 1, "overNorm": 0, "longestDays": 60, "medianDays": "60" },
            { "productGroupCode": "BW", "productGroupName": "Beschermd Wonen", "waiting": 2, "overNorm": 2, "longestDays": 60, "medianDays": "60" },
        ])
    );
    assert_eq!(body["municipalities"][1]["municipalityCbs"], "GM0274");
    assert_eq!(body["municipalities"][1]["waiting"], 2);
    assert_eq!(body["providers"][0]["providerAgb"], X);
    assert_eq!(body["providers"][0]["waiting"], 2);
    assert_eq!(body["providers"][0]["overNorm"], 1);

    // Exactly at the norm is within it.
    let at_norm = list(format!("asOf={}&productGroupCode=BW", day(42))).await;
    assert_eq!(numbers(&at_norm.body), vec![1001, 1002]);
    assert_eq!(at_norm.body["overNorm"], 0);
    // 1004 was recorded today for care from day 100: it waits from its
    // start (the weeks before were planned), 1 day on day 101.
    let later = list(format!("asOf={}", day(101))).await;
    assert_eq!(numbers(&later.body), vec![1001, 1002, 1003, 1004]);
    assert_eq!(later.body["rows"][3]["daysWaited"], 1);
    // Before the allocations were recorded nobody waited.
    let before = list(format!("asOf={}", day(-1))).await;
    assert_eq!(before.body["rows"], json!([]));
    // Today (the default): recorded today, 0 days.
    let now = list(String::new()).await;
    assert_eq!(now.body["asOf"], today().to_string());
    assert_eq!(now.body["rows"][0]["daysWaited"], 0);

    // Filters.
    let filtered = list(format!("asOf={}&municipalityCbs=GM0274", day(60))).await;
    assert_eq!(numbers(&filtered.body), vec![1002, 1003]);
    let filtered = list(format!("asOf={}&providerAgb={Y}", day(60))).await;
    assert_eq!(numbers(&filtered.body), vec![1002]);
    let unknown = list(format!("asOf={}&productGroupCode=JGZ", day(60))).await;
    assert_eq!(unknown.status, StatusCode::OK);
    assert_eq!(unknown.body["rows"], json!([]));

    // Bad query values name their fields.
    let bad = list("asOf=2026-02-30&format=pdf&municipalityCbs=0202&providerAgb=12".into()).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    let mut fields = bad.error_fields();
    fields.sort();
    assert_eq!(
        fields,
        vec!["asOf", "format", "municipalityCbs", "providerAgb"]
    );

    // Downloads.
    let csv = list(format!("asOf={}&format=csv", day(60))).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.header("content-type"), "application/zip");
    let excel = list(format!("asOf={}&format=csv-excel", day(60))).await;
    assert_eq!(excel.header("content-type"), "application/zip");
    let xlsx = list(format!("asOf={}&format=xlsx", day(60))).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert_eq!(
        xlsx.header("content-type"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
});

e2e!(waiting_list_per_party, |app| {
    let region = setup(&app).await;
    let path = region.path(&format!("waiting-list?asOf={}", day(60)));
    let seen = |reply: Reply| {
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        numbers(&reply.body)
    };
    let arnhem = token(&app, &region, Role::AccessTeam, Some("GM0202"), None);
    assert_eq!(seen(app.get(&path, &arnhem).await), vec![1001]);
    let renkum = token(&app, &region, Role::Municipality, Some("GM0274"), None);
    let renkum_view = app.get(&path, &renkum).await;
    assert_eq!(
        renkum_view.body["municipalities"].as_array().unwrap().len(),
        1
    );
    assert_eq!(seen(renkum_view), vec![1002, 1003]);
    let provider_y = token(&app, &region, Role::Provider, None, Some(Y));
    assert_eq!(seen(app.get(&path, &provider_y).await), vec![1002]);
    // A provider asking for another's allocations sees nothing.
    let other = region.path(&format!("waiting-list?asOf={}&providerAgb={X}", day(60)));
    assert_eq!(seen(app.get(&other, &provider_y).await), Vec::<i64>::new());
    let central = token(&app, &region, Role::AccessTeam, Some("*"), None);
    assert_eq!(seen(app.get(&path, &central).await), vec![1001, 1002, 1003]);
    let central = app.token(&region.code, Role::CentralAccess);
    assert_eq!(seen(app.get(&path, &central).await), vec![1001, 1002, 1003]);
    let auditor = app.token(&region.code, Role::Auditor);
    assert_eq!(seen(app.get(&path, &auditor).await), vec![1001, 1002, 1003]);
    // Another region's token on this region's path: 404.
    let elsewhere = app.new_region().await;
    let foreign = app.get(&path, &elsewhere.admin).await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
});

e2e!(waiting_norm_signals_once_per_allocation, |app| {
    let region = setup(&app).await;
    let scope = entities::RegionScope::new(app.region_id(&region.code).await);
    let on = today() + Duration::days(60);
    let first = domain::steering::signal_region(&app.state.db, &scope, on)
        .await
        .unwrap();
    assert_eq!(first.waiting_norm, 2);
    let again = domain::steering::signal_region(&app.state.db, &scope, on + Duration::days(1))
        .await
        .unwrap();
    assert_eq!(again.waiting_norm, 0, "raised once per allocation");

    let signals = app
        .get(
            &region.path("steering-signals?kind=waiting-norm"),
            &region.admin,
        )
        .await;
    assert_eq!(signals.status, StatusCode::OK, "{}", signals.body);
    assert_eq!(signals.body["total"], 2);
    let mut seen: Vec<(String, String)> = signals.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            assert_eq!(s["kind"], "waiting-norm");
            assert_eq!(s["productGroupCode"], "BW");
            assert_eq!(s["observedOn"], on.to_string());
            (
                s["providerAgb"].as_str().unwrap().to_owned(),
                s["detail"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    seen.sort();
    assert_eq!(seen[0].0, X);
    assert!(
        seen[0].1.contains("Toewijzing 1001") && seen[0].1.contains("60 dagen"),
        "{}",
        seen[0].1
    );
    assert_eq!(seen[1].0, Y);

    // The daily run covers the region too, and adds nothing new.
    let runs = domain::steering::run_day(&app.state.db, on).await.unwrap();
    let ours = runs.iter().find(|(id, _)| *id == scope.region_id).unwrap();
    assert_eq!(ours.1.waiting_norm, 0);
});
