//! Coverage of the care landscape (issue 28): contracted and active
//! providers per municipality × product group, the policy's minimum, the
//! `coverage` signal once per cell, every party's read and the downloads.

use chrono::{Duration, NaiveDate, Utc};
use e2e::{bsn, Region};

use super::*;

const X: &str = "12345678";
const Y: &str = "23456789";
const Z: &str = "34567890";

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn day(offset: i64) -> String {
    (today() + Duration::days(offset)).to_string()
}

/// GM0202 Arnhem and GM0274 Renkum; groups BW and BEG. X contracted for BW
/// in both, Y for BW in Arnhem, Z for BEG in Arnhem. Allocations (recorded
/// today): X BW in Arnhem and in Renkum (open), Y BW in Arnhem ending in
/// 10 days. Minimum 2 for BW, 1 for the region.
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
            ("providers", json!({ "agbCode": X, "kvkNumber": "11111111", "name": "Zorg X" })),
            ("providers", json!({ "agbCode": Y, "kvkNumber": "22222222", "name": "Zorg Y" })),
            ("providers", json!({ "agbCode": Z, "kvkNumber": "33333333", "name": "Zorg Z" })),
        ],
    )
    .await;
    for (agb, group, municipalities) in [
        (X, "BW", vec!["GM0202", "GM0274"]),
        (Y, "BW", vec!["GM0202"]),
        (Z, "BEG", vec!["GM0202"]),
    ] {
        app.create_all(
            &region,
            &[(
                "contracts",
                json!({ "providerAgb": agb, "procurementForm": "open-house", "productGroupCodes": [group], "municipalityCbsCodes": municipalities, "startDate": "2025-01-01", "initialTermMonths": 60 }),
            )],
        )
        .await;
    }
    for (number, cbs, agb, end) in [
        (1, "GM0202", X, None),
        (2, "GM0274", X, None),
        (3, "GM0202", Y, Some(day(10))),
    ] {
        app.create_all(
            &region,
            &[(
                "allocations",
                json!({ "allocationNumber": number, "clientBsn": bsn(number as u32), "municipalityCbs": cbs, "productCode": "BW0A1", "providerAgb": agb, "startDate": "2025-01-01", "endDate": end, "volume": { "amount": 31, "unit": "day", "frequency": "month" } }),
            )],
        )
        .await;
    }
    for (scope, minimum) in [("BW", 2), ("region", 1)] {
        let reply = app
            .put_admin(
                &region,
                &format!("policies/coverage/{scope}"),
                json!({ "minimumProviders": minimum }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    region
}

fn agbs(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|p| p["providerAgb"].as_str().unwrap())
        .collect()
}

/// `(cbs:group, active, below)` per cell.
fn summary(body: &Value) -> Vec<(String, usize, bool)> {
    body["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                format!(
                    "{}:{}",
                    c["municipalityCbs"].as_str().unwrap(),
                    c["productGroupCode"].as_str().unwrap()
                ),
                c["activeCount"].as_u64().unwrap() as usize,
                c["belowMinimum"].as_bool().unwrap(),
            )
        })
        .collect()
}

e2e!(coverage_cells_minimum_and_views, |app| {
    let region = setup(&app).await;
    let reply = app.get(&region.path("coverage"), &region.admin).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let body = &reply.body;
    assert_eq!(body["asOf"], today().to_string());
    assert_eq!(
        summary(body),
        vec![
            ("GM0202:BEG".to_owned(), 0, true),
            ("GM0202:BW".to_owned(), 2, false),
            ("GM0274:BEG".to_owned(), 0, true),
            ("GM0274:BW".to_owned(), 1, true),
        ]
    );
    assert_eq!(body["belowMinimum"], 3);
    let arnhem_bw = &body["cells"][1];
    assert_eq!(arnhem_bw["municipalityName"], "Arnhem");
    assert_eq!(arnhem_bw["productGroupName"], "Beschermd Wonen");
    assert_eq!(agbs(&arnhem_bw["contractedProviders"]), vec![X, Y]);
    assert_eq!(agbs(&arnhem_bw["activeProviders"]), vec![X, Y]);
    assert_eq!(arnhem_bw["activeProviders"][1]["providerName"], "Zorg Y");
    assert_eq!(arnhem_bw["minimumProviders"], 2);
    let arnhem_beg = &body["cells"][0];
    assert_eq!(agbs(&arnhem_beg["contractedProviders"]), vec![Z]);
    assert_eq!(arnhem_beg["contractedCount"], 1);
    assert_eq!(arnhem_beg["minimumProviders"], 1, "the region's minimum");
    assert_eq!(body["providers"].as_array().unwrap().len(), 4);

    // A year on, Y's allocation (ended in 10 days) is out of the window.
    let later = app
        .get(
            &region.path(&format!(
                "coverage?asOf={}&productGroupCode=BW&municipalityCbs=GM0202",
                day(400)
            )),
            &region.admin,
        )
        .await;
    assert_eq!(
        summary(&later.body),
        vec![("GM0202:BW".to_owned(), 1, true)]
    );
    assert_eq!(
        agbs(&later.body["cells"][0]["contractedProviders"]),
        vec![X, Y]
    );
    // Before anything was recorded, nobody was active.
    let before = app
        .get(
            &region.path(&format!("coverage?asOf={}&productGroupCode=BW", day(-1))),
            &region.admin,
        )
        .await;
    assert_eq!(
        summary(&before.body),
        vec![
            ("GM0202:BW".to_owned(), 0, true),
            ("GM0274:BW".to_owned(), 0, true)
        ]
    );

    // Without a policy no minimum and nothing below it.
    for scope in ["BW", "region"] {
        let gone = app
            .delete(
                &region.path(&format!("policies/coverage/{scope}")),
                &region.admin,
            )
            .await;
        assert_eq!(gone.status, StatusCode::NO_CONTENT, "{}", gone.body);
    }
    let free = app.get(&region.path("coverage"), &region.admin).await;
    assert_eq!(free.body["belowMinimum"], 0);
    assert_eq!(free.body["cells"][3]["minimumProviders"], Value::Null);

    // Public to every party of the region.
    for role in [
        Role::Provider,
        Role::AccessTeam,
        Role::Auditor,
        Role::ContractManager,
        Role::CentralAccess,
    ] {
        let mut claims = app.claims(&region.code, role);
        claims.agb = Some(Z.into());
        claims.municipality = Some("GM0274".into());
        let reply = app.get(&region.path("coverage"), &app.sign(&claims)).await;
        assert_eq!(reply.status, StatusCode::OK, "{role:?}: {}", reply.body);
        assert_eq!(reply.body["cells"].as_array().unwrap().len(), 4);
    }
    let elsewhere = app.new_region().await;
    let foreign = app.get(&region.path("coverage"), &elsewhere.admin).await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);

    // Downloads and bad values.
    let csv = app
        .get(&region.path("coverage?format=csv"), &region.admin)
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.header("content-type"), "application/zip");
    let xlsx = app
        .get(&region.path("coverage?format=xlsx"), &region.admin)
        .await;
    assert_eq!(
        xlsx.header("content-type"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let bad = app
        .get(
            &region.path("coverage?asOf=yesterday&format=ods&productGroupCode=B%20W"),
            &region.admin,
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    let mut fields = bad.error_fields();
    fields.sort();
    assert_eq!(fields, vec!["asOf", "format", "productGroupCode"]);
});

e2e!(coverage_signal_once_per_cell, |app| {
    let region = setup(&app).await;
    let scope = entities::RegionScope::new(app.region_id(&region.code).await);
    let first = domain::steering::signal_region(&app.state.db, &scope, today())
        .await
        .unwrap();
    assert_eq!(first.coverage, 3);
    assert_eq!(first.waiting_norm, 0, "no waiting norm set");
    let again = domain::steering::signal_region(&app.state.db, &scope, today())
        .await
        .unwrap();
    assert_eq!(again.coverage, 0);
    let signals = app
        .get(
            &region.path("steering-signals?kind=coverage"),
            &region.admin,
        )
        .await;
    assert_eq!(signals.status, StatusCode::OK, "{}", signals.body);
    let mut subjects: Vec<&str> = signals.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["subject"].as_str().unwrap())
        .collect();
    subjects.sort();
    assert_eq!(subjects, vec!["GM0202:BEG", "GM0274:BEG", "GM0274:BW"]);
    let renkum_bw = signals.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["subject"] == "GM0274:BW")
        .unwrap();
    assert_eq!(renkum_bw["municipalityCbs"], "GM0274");
    assert_eq!(renkum_bw["productGroupCode"], "BW");
    assert_eq!(
        renkum_bw["detail"],
        "Gemeente Renkum (GM0274) heeft 1 actieve aanbieder(s) voor Beschermd Wonen (BW); het minimum is 2."
    );
});
