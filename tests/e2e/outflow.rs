//! Outflow checks and the admission rules, end to end.

use super::*;
use e2e::{bsn, wait_for_job, Region};

async fn create(
    app: &TestApp,
    region: &Region,
    agb: &str,
    form: &str,
    start: &str,
    cbs: Value,
) -> Reply {
    app.post(
        &region.path("contracts"),
        &region.admin,
        contract(agb, form, start, cbs),
    )
    .await
}

fn contract(agb: &str, form: &str, start: &str, municipalities: Value) -> Value {
    json!({ "providerAgb": agb, "procurementForm": form, "productGroupCodes": ["BEG"], "municipalityCbsCodes": municipalities, "startDate": start, "initialTermMonths": 48 })
}

/// Providers A, B, C contracted since 2024 and NEW since June 2025; in 2025
/// A serves 6 clients, B 2, C none, NEW 1 (approved declarations).
async fn setup(app: &TestApp) -> Region {
    let region = app.new_region().await;
    let t = &region.admin;
    let mut posts = vec![
        (
            "municipalities",
            json!({ "cbsCode": "GM0202", "name": "Arnhem" }),
        ),
        (
            "municipalities",
            json!({ "cbsCode": "GM0274", "name": "Renkum" }),
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
            "tariffs",
            json!({ "productCode": "02A01", "validFrom": "2024-01-01", "price": "60.00" }),
        ),
    ];
    for (agb, start) in [
        ("11111111", "2024-01-01"),
        ("22222222", "2024-01-01"),
        ("33333333", "2024-01-01"),
        ("44444444", "2025-06-01"),
    ] {
        posts.push((
            "providers",
            json!({ "agbCode": agb, "kvkNumber": agb, "name": format!("Provider {agb}") }),
        ));
        posts.push((
            "contracts",
            contract(agb, "sas-tender", start, json!(["GM0202", "GM0274"])),
        ));
    }
    app.create_all(&region, &posts).await;
    let mut lines = Vec::new();
    let mut number = 1;
    for (agb, clients, start) in [
        ("11111111", 6, "2025-01-01"),
        ("22222222", 2, "2025-01-01"),
        ("44444444", 1, "2025-06-01"),
    ] {
        for c in 0..clients {
            let body = json!({
                "allocationNumber": number, "clientBsn": bsn(number as u32), "municipalityCbs": "GM0202", "productCode": "02A01",
                "providerAgb": agb, "startDate": start, "endDate": "2025-12-31", "volume": { "amount": 2, "unit": "hour", "frequency": "week" }
            });
            let reply = app.post(&region.path("allocations"), t, body).await;
            assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
            lines.push(json!({ "allocationNumber": number, "productCode": "02A01", "periodStart": "2025-06-01", "periodEnd": "2025-06-30", "deliveredVolume": 4 }));
            // A's first client twice: one client, not two
            if c == 0 && agb == "11111111" {
                lines.push(json!({ "allocationNumber": number, "productCode": "02A01", "periodStart": "2025-07-01", "periodEnd": "2025-07-31", "deliveredVolume": 4 }));
            }
            number += 1;
        }
    }
    let response = app
        .client
        .post(format!("{}{}", app.base, region.path("declarations")))
        .bearer_auth(t)
        .header("Idempotency-Key", "outflow-2025")
        .json(&json!({ "lines": lines }))
        .send()
        .await
        .unwrap();
    let batch: Value = response.json().await.unwrap();
    assert_eq!(batch["approvedCount"], 10, "{batch}");
    let policy = json!({ "minClients": 5, "window": "calendar-year", "level": "region", "count": "approved-declarations", "graceForNewContracts": true, "runOn": "01-15" });
    assert_eq!(
        app.put_admin(&region, "policies/outflow-threshold/region", policy)
            .await
            .status,
        StatusCode::OK
    );
    region
}

e2e!(outflow_check_flags_and_the_office_acts, |app| {
    let region = setup(&app).await;
    let t = &region.admin;
    let created = app
        .post(
            &region.path("outflow-checks"),
            t,
            json!({ "asOf": "2026-01-15" }),
        )
        .await;
    assert_eq!(created.status, StatusCode::ACCEPTED, "{}", created.body);
    assert_eq!(created.body["windowFrom"], "2025-01-01");
    assert_eq!(created.body["windowTo"], "2025-12-31");
    let job = wait_for_job(&app, &region, created.body["jobId"].as_str().unwrap()).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    let id = created.body["id"].as_str().unwrap().to_owned();
    let check = app
        .get(&region.path(&format!("outflow-checks/{id}")), t)
        .await;
    assert_eq!(check.body["status"], "done");
    assert_eq!(check.body["checkedCount"], 4);
    assert_eq!(check.body["flaggedCount"], 2);

    let flags = app
        .get(&region.path(&format!("outflow-checks/{id}/flags")), t)
        .await;
    let flagged: Vec<(&str, i64, &str)> = flags.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["providerAgb"].as_str().unwrap(),
                f["clients"].as_i64().unwrap(),
                f["verdict"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        flagged,
        [
            ("33333333", 0, "zero-clients"),
            ("22222222", 2, "below-threshold")
        ]
    );
    let all = app
        .get(
            &region.path(&format!("outflow-checks/{id}/flags?verdict=all")),
            t,
        )
        .await;
    let verdicts: Vec<(&str, i64, &str)> = all.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["providerAgb"].as_str().unwrap(),
                f["clients"].as_i64().unwrap(),
                f["verdict"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        verdicts.contains(&("11111111", 6, "ok")) && verdicts.contains(&("44444444", 1, "grace")),
        "{verdicts:?}"
    );
    let csv = app
        .client
        .get(format!(
            "{}{}",
            app.base,
            region.path(&format!("outflow-checks/{id}/flags?format=csv"))
        ))
        .bearer_auth(t)
        .send()
        .await
        .unwrap();
    let csv = csv.text().await.unwrap();
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(csv.contains("33333333,,,"), "{csv}");

    // The office acts on the zero-clients flag through the contract.
    let contract_id = flags.body["items"][0]["contractId"]
        .as_str()
        .unwrap()
        .to_owned();
    let proposed = app
        .patch(
            &region.path(&format!("contracts/{contract_id}")),
            t,
            json!({ "status": "outflow-proposed" }),
        )
        .await;
    assert_eq!(proposed.body["status"], "outflow-proposed");
    let ended = app
        .post(
            &region.path(&format!("contracts/{contract_id}/termination")),
            t,
            json!({ "terminatedOn": "2026-03-31", "ground": "underperformance", "reason": "No clients in 2025 (outflow check)" }),
        )
        .await;
    assert_eq!(ended.body["status"], "terminated");
    let late = json!({ "allocationNumber": 99, "clientBsn": bsn(99), "municipalityCbs": "GM0202", "productCode": "02A01", "providerAgb": "33333333",
        "startDate": "2026-04-01", "endDate": "2026-12-31", "volume": { "amount": 1, "unit": "hour", "frequency": "week" } });
    assert_eq!(
        app.post(&region.path("allocations"), t, late).await.body["code"],
        "ZR-ALLOC-NO-CONTRACT"
    );

    // The yearly schedule starts the same check on the policy's day, once.
    let db = &app.state.db;
    let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
    worker::schedule::start_due_outflow_checks(db, &app.state.queue, day)
        .await
        .unwrap();
    worker::schedule::start_due_outflow_checks(db, &app.state.queue, day)
        .await
        .unwrap();
    assert_eq!(
        app.get(&region.path("outflow-checks"), t).await.body["total"],
        2
    );
});

// A rolling year made on 20 June 2026 runs from 21 June 2025: of June
// 2025 only the lines from the 21st count (read from the lines), the whole
// months after it come from the client rollup. The setup's June lines
// start on the 1st; C gets one client from the 25th; A's July line counts.
e2e!(a_rolling_window_counts_part_months_by_day, |app| {
    let region = setup(&app).await;
    let t = &region.admin;
    let body = json!({
        "allocationNumber": 100, "clientBsn": bsn(100), "municipalityCbs": "GM0202", "productCode": "02A01",
        "providerAgb": "33333333", "startDate": "2025-06-25", "endDate": "2025-12-31", "volume": { "amount": 8, "unit": "hour", "frequency": "week" }
    });
    let reply = app.post(&region.path("allocations"), t, body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let line = json!({ "allocationNumber": 100, "productCode": "02A01", "periodStart": "2025-06-25", "periodEnd": "2025-06-30", "deliveredVolume": 1 });
    let batch = app.declare(&region, t, "rolling-june", json!([line])).await;
    assert_eq!(batch.body["approvedCount"], 1, "{}", batch.body);
    let policy = json!({ "minClients": 5, "window": "rolling-12-months", "level": "region", "count": "approved-declarations", "graceForNewContracts": false, "runOn": "06-20" });
    assert_eq!(
        app.put_admin(&region, "policies/outflow-threshold/region", policy)
            .await
            .status,
        StatusCode::OK
    );
    let created = app
        .post(
            &region.path("outflow-checks"),
            t,
            json!({ "asOf": "2026-06-20" }),
        )
        .await;
    assert_eq!(created.status, StatusCode::ACCEPTED, "{}", created.body);
    assert_eq!(created.body["windowFrom"], "2025-06-21");
    let job = wait_for_job(&app, &region, created.body["jobId"].as_str().unwrap()).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    let id = created.body["id"].as_str().unwrap();
    let all = app
        .get(
            &region.path(&format!("outflow-checks/{id}/flags?verdict=all")),
            t,
        )
        .await;
    let mut clients: Vec<(&str, i64)> = all.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["providerAgb"].as_str().unwrap(),
                f["clients"].as_i64().unwrap(),
            )
        })
        .collect();
    clients.sort();
    assert_eq!(
        clients,
        [
            ("11111111", 1),
            ("22222222", 0),
            ("33333333", 1),
            ("44444444", 0)
        ]
    );
});

e2e!(outflow_check_needs_a_policy, |app| {
    let region = app.new_region().await;
    let reply = app
        .post(&region.path("outflow-checks"), &region.admin, json!({}))
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.body["code"], "ZR-OUTFLOW-NO-POLICY");
    let other = app.new_region().await;
    assert_eq!(
        app.get(&region.path("outflow-checks"), &other.admin)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
});

e2e!(admission_rules_are_422s_naming_the_rule, |app| {
    let region = app.new_region().await;
    let t = &region.admin;
    for (path, body) in [
        (
            "municipalities",
            json!({ "cbsCode": "GM0307", "name": "Amersfoort" }),
        ),
        (
            "municipalities",
            json!({ "cbsCode": "GM0308", "name": "Baarn" }),
        ),
        (
            "product-groups",
            json!({ "code": "BEG", "name": "Beschermd wonen", "law": "wmo" }),
        ),
    ] {
        app.post(&region.path(path), t, body).await;
    }
    for n in 1..=6 {
        let agb = format!("5555555{n}");
        app.post(
            &region.path("providers"),
            t,
            json!({ "agbCode": agb, "kvkNumber": agb, "name": format!("P{n}") }),
        )
        .await;
    }
    // At most 5 providers for the group (beschermd wonen in Amersfoort).
    assert_eq!(
        app.put_admin(
            &region,
            "policies/contract-admission/BEG",
            json!({ "maxProviders": 5 })
        )
        .await
        .status,
        StatusCode::OK
    );
    for n in 1..=5 {
        let reply = create(
            &app,
            &region,
            &format!("5555555{n}"),
            "sas-tender",
            "2026-01-01",
            json!(["GM0307"]),
        )
        .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    }
    let sixth = create(
        &app,
        &region,
        "55555556",
        "sas-tender",
        "2026-01-01",
        json!(["GM0307"]),
    )
    .await;
    assert_eq!(sixth.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(sixth.body["code"], "ZR-CONTRACT-MAX-PROVIDERS");
    // A provider already contracted may get another contract for the group.
    assert_eq!(
        create(
            &app,
            &region,
            "55555551",
            "sas-tender",
            "2026-06-01",
            json!(["GM0308"])
        )
        .await
        .status,
        StatusCode::CREATED
    );

    // Open house only within the admission window.
    let rules = json!({ "admissionWindows": [{ "from": "01-01", "to": "01-31" }] });
    assert_eq!(
        app.put_admin(&region, "policies/contract-admission/BEG", rules)
            .await
            .status,
        StatusCode::OK
    );
    let outside = create(
        &app,
        &region,
        "55555556",
        "open-house",
        "2026-03-01",
        json!(["GM0307"]),
    )
    .await;
    assert_eq!(outside.body["code"], "ZR-CONTRACT-ADMISSION-WINDOW");
    assert_eq!(
        create(
            &app,
            &region,
            "55555556",
            "open-house",
            "2027-01-15",
            json!(["GM0307"])
        )
        .await
        .status,
        StatusCode::CREATED
    );

    // Baarn closes the group for new providers.
    let closed = json!({ "productGroupCodes": ["BEG"], "closedFrom": "2026-01-01" });
    assert_eq!(
        app.put_admin(&region, "policies/closed-product-groups/GM0308", closed)
            .await
            .status,
        StatusCode::OK
    );
    let refused = create(
        &app,
        &region,
        "55555552",
        "sas-tender",
        "2026-02-01",
        json!(["GM0307", "GM0308"]),
    )
    .await;
    assert_eq!(refused.body["code"], "ZR-CONTRACT-GROUP-CLOSED");
    assert!(refused.body["detail"].as_str().unwrap().contains("GM0308"));
    assert_eq!(
        app.get(&region.path("contracts"), t).await.body["total"],
        7,
        "refused contracts leave nothing"
    );
});

e2e!(lots_added_to_a_contract_pass_the_admission_rules, |app| {
    let region = app.new_region().await;
    let t = &region.admin;
    for (path, body) in [
        (
            "municipalities",
            json!({ "cbsCode": "GM0307", "name": "Amersfoort" }),
        ),
        (
            "municipalities",
            json!({ "cbsCode": "GM0308", "name": "Baarn" }),
        ),
        (
            "product-groups",
            json!({ "code": "BEG", "name": "Begeleiding", "law": "wmo" }),
        ),
        (
            "providers",
            json!({ "agbCode": "55555551", "kvkNumber": "55555551", "name": "P1" }),
        ),
    ] {
        app.post(&region.path(path), t, body).await;
    }
    let created = create(
        &app,
        &region,
        "55555551",
        "sas-tender",
        "2024-01-01",
        json!(["GM0307"]),
    )
    .await;
    let id = created.body["id"].as_str().unwrap().to_owned();
    // Baarn closed BEG for new providers long ago: P1 cannot be added there.
    let closed = json!({ "productGroupCodes": ["BEG"], "closedFrom": "2025-01-01" });
    app.put_admin(&region, "policies/closed-product-groups/GM0308", closed)
        .await;
    let added = app
        .patch(
            &region.path(&format!("contracts/{id}")),
            t,
            json!({ "municipalityCbsCodes": ["GM0307", "GM0308"] }),
        )
        .await;
    assert_eq!(
        added.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        added.body
    );
    assert_eq!(added.body["code"], "ZR-CONTRACT-GROUP-CLOSED");
    // Keeping what it has is fine.
    let same = app
        .patch(
            &region.path(&format!("contracts/{id}")),
            t,
            json!({ "municipalityCbsCodes": ["GM0307"] }),
        )
        .await;
    assert_eq!(same.status, StatusCode::OK, "{}", same.body);
});
