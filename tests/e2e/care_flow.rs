//! Allocations and declarations under the region's rules, end to end.

use super::*;
use e2e::Region;

const BSN: &str = "111222333";
const OTHER_BSN: &str = "123456782";

/// Two municipalities, group BW (day product BW0A1) and BEG (hour products
/// 02A01/02A02, task product 02T01), providers 12345678 (employees) and
/// 22222222 (self-employed staff), both contracted from 2025-01-01 for four
/// years. Tariffs 2025: BW0A1 € 96.50/day; 02A01 € 70.00/h for the region,
/// € 72.00/h for 12345678, € 75.00/h in GM1734 (12345678 keeps its own € 72.00 there).
async fn setup(app: &TestApp) -> Region {
    let region = app.new_region().await;
    let t = &region.admin;
    let posts = [
        (
            "municipalities",
            json!({ "cbsCode": "GM0202", "name": "Arnhem" }),
        ),
        (
            "municipalities",
            json!({ "cbsCode": "GM1734", "name": "Overbetuwe" }),
        ),
        (
            "product-groups",
            json!({ "code": "BW", "name": "Beschermd Wonen", "law": "wmo" }),
        ),
        (
            "product-groups",
            json!({ "code": "BEG", "name": "Begeleiding", "law": "wmo" }),
        ),
        (
            "products",
            json!({ "code": "BW0A1", "name": "Zelfstandig Beschermd Thuis", "productGroupCode": "BW", "iwmoCategory": "07", "unit": "day", "fundingVariant": "effort" }),
        ),
        (
            "products",
            json!({ "code": "BW0A2", "name": "Zelfstandig Beschermd Thuis, tijdelijk intensief", "productGroupCode": "BW", "iwmoCategory": "07", "unit": "hour", "fundingVariant": "effort", "intensiveFor": "BW0A1" }),
        ),
        (
            "products",
            json!({ "code": "02A01", "name": "Begeleiding basis", "productGroupCode": "BEG", "iwmoCategory": "02", "unit": "hour", "fundingVariant": "effort" }),
        ),
        (
            "products",
            json!({ "code": "02A02", "name": "Begeleiding specialistisch", "productGroupCode": "BEG", "iwmoCategory": "02", "unit": "hour", "fundingVariant": "effort" }),
        ),
        (
            "products",
            json!({ "code": "02T01", "name": "Begeleiding taakgericht", "productGroupCode": "BEG", "iwmoCategory": "02", "unit": "euro", "fundingVariant": "task" }),
        ),
        (
            "providers",
            json!({ "agbCode": "12345678", "kvkNumber": "11111111", "name": "Zorg in Dienst" }),
        ),
        (
            "providers",
            json!({ "agbCode": "22222222", "kvkNumber": "22222222", "name": "ZZP Collectief", "usesSelfEmployed": true }),
        ),
        (
            "tariffs",
            json!({ "productCode": "BW0A1", "validFrom": "2025-01-01", "validTo": "2025-12-31", "price": "96.50" }),
        ),
        (
            "tariffs",
            json!({ "productCode": "02A01", "validFrom": "2025-01-01", "validTo": "2025-12-31", "price": "70.00" }),
        ),
        (
            "tariffs",
            json!({ "productCode": "02A01", "validFrom": "2025-01-01", "validTo": "2025-12-31", "price": "72.00", "providerAgb": "12345678" }),
        ),
        (
            "tariffs",
            json!({ "productCode": "02A01", "validFrom": "2025-01-01", "validTo": "2025-12-31", "price": "75.00", "municipalityCbs": "GM1734" }),
        ),
        (
            "tariffs",
            json!({ "productCode": "02A02", "validFrom": "2025-01-01", "validTo": "2025-12-31", "price": "80.00" }),
        ),
    ];
    app.create_all(&region, &posts).await;
    for agb in ["12345678", "22222222"] {
        let reply = app
            .post(
                &region.path("contracts"),
                t,
                json!({ "providerAgb": agb, "procurementForm": "open-house", "productGroupCodes": ["BW", "BEG"], "municipalityCbsCodes": ["GM0202", "GM1734"], "startDate": "2025-01-01", "initialTermMonths": 48 }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    }
    region
}

fn allocation(number: i64, cbs: &str, product: &str, agb: &str, volume: Value) -> Value {
    json!({
        "allocationNumber": number, "clientBsn": BSN, "municipalityCbs": cbs, "productCode": product, "providerAgb": agb,
        "startDate": "2025-01-01", "endDate": "2025-12-31", "volume": volume
    })
}

fn hours_per_week(n: i64) -> Value {
    json!({ "amount": n, "unit": "hour", "frequency": "week" })
}

async fn allocate(app: &TestApp, region: &Region, body: Value) -> Reply {
    app.post(&region.path("allocations"), &region.admin, body)
        .await
}

fn line(number: i64, product: &str, from: &str, to: &str, volume: i64) -> Value {
    json!({ "allocationNumber": number, "productCode": product, "periodStart": from, "periodEnd": to, "deliveredVolume": volume })
}

/// `body` with `field` set to `value`.
fn with(mut body: Value, field: &str, value: Value) -> Value {
    body[field] = value;
    body
}

e2e!(allocation_lifecycle_keeps_no_bsn, |app| {
    let region = setup(&app).await;
    let t = &region.admin;
    let created = allocate(
        &app,
        &region,
        allocation(1001, "GM0202", "02A01", "12345678", hours_per_week(4)),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let key = created.body["clientKey"].as_str().unwrap().to_owned();
    assert_eq!(key.len(), 64);
    assert!(!created.body.to_string().contains(BSN));

    let same_client = allocate(
        &app,
        &region,
        allocation(1002, "GM0202", "02A02", "12345678", hours_per_week(2)),
    )
    .await;
    assert_eq!(
        same_client.body["clientKey"],
        key.as_str(),
        "the same BSN gives the same key"
    );
    let other = allocate(
        &app,
        &region,
        with(
            allocation(1003, "GM0202", "02A01", "12345678", hours_per_week(1)),
            "clientBsn",
            json!(OTHER_BSN),
        ),
    )
    .await;
    assert_ne!(other.body["clientKey"], key.as_str());

    let by_key = app
        .get(&region.path(&format!("allocations?clientKey={key}")), t)
        .await;
    assert_eq!(by_key.body["total"], 2);
    let got = app.get(&region.path("allocations/1001"), t).await;
    assert_eq!(
        got.body["volume"],
        json!({ "amount": 4, "unit": "hour", "frequency": "week" })
    );
    assert_eq!(
        app.get(&region.path("allocations?activeOn=2026-01-01"), t)
            .await
            .body["total"],
        0
    );

    // Format errors are 400s listing every field; the BSN is never echoed.
    let bad = allocate(
        &app,
        &region,
        json!({ "allocationNumber": 0, "clientBsn": "123456789", "municipalityCbs": "GM9999", "productCode": "02A01", "providerAgb": "12345678", "startDate": "2025-13-01", "volume": { "amount": 0, "unit": "hours", "frequency": "week" } }),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        bad.error_fields(),
        [
            "allocationNumber",
            "startDate",
            "volume.amount",
            "volume.unit",
            // Rules (the eleven-test, an unknown code) after the form errors.
            "clientBsn",
            "municipalityCbs"
        ]
    );
    assert!(!bad.body.to_string().contains("123456789"));
    let duplicate = allocate(
        &app,
        &region,
        allocation(1001, "GM0202", "02A01", "12345678", hours_per_week(4)),
    )
    .await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT);

    // A change keeps before and after in the audit trail.
    let changed = app
        .patch(
            &region.path("allocations/1001"),
            t,
            json!({ "volume": hours_per_week(6) }),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(changed.body["volume"]["amount"], 6);
    let history = app
        .get(
            &region.path("audit-events?resource=allocation&resourceId=1001"),
            t,
        )
        .await;
    assert_eq!(
        history.body["items"][0]["details"]["before"]["volume"]["amount"],
        4
    );
    assert_eq!(
        history.body["items"][0]["details"]["after"]["volume"]["amount"],
        6
    );

    let stopped = app
        .post(
            &region.path("allocations/1001/stop"),
            t,
            json!({ "stoppedOn": "2025-06-30", "reason": "Moved away" }),
        )
        .await;
    assert_eq!(stopped.status, StatusCode::OK, "{}", stopped.body);
    assert_eq!(stopped.body["endDate"], "2025-06-30");
    assert_eq!(stopped.body["stoppedOn"], "2025-06-30");
    assert_eq!(
        app.post(
            &region.path("allocations/1001/stop"),
            t,
            json!({ "stoppedOn": "2025-05-31", "reason": "x" })
        )
        .await
        .status,
        StatusCode::CONFLICT
    );
    assert_eq!(
        app.patch(
            &region.path("allocations/1001"),
            t,
            json!({ "endDate": "2025-12-31" })
        )
        .await
        .status,
        StatusCode::CONFLICT
    );
    let events = app
        .get(
            &region.path("audit-events?resource=allocation&resourceId=1001"),
            t,
        )
        .await;
    let actions: Vec<&str> = events.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["stop", "update", "create"]);

    // No BSN anywhere: responses, audit trail, or the stored rows.
    let audit = app.get(&region.path("audit-events?pageSize=500"), t).await;
    assert!(!audit.body.to_string().contains(BSN) && !audit.body.to_string().contains(OTHER_BSN));
    let all = app.get(&region.path("allocations"), t).await;
    assert!(!all.body.to_string().contains(BSN));
    use sea_orm::{ConnectionTrait, Statement};
    let backend = app.state.db.get_database_backend();
    for table in ["allocations", "audit_events"] {
        let rows = app
            .state
            .db
            .query_all_raw(Statement::from_string(
                backend,
                format!("SELECT * FROM {table}"),
            ))
            .await
            .unwrap();
        assert!(!rows.is_empty());
        assert!(!format!("{rows:?}").contains(BSN), "{table} holds a BSN");
    }
});

e2e!(allocation_rules_are_422s_naming_the_rule, |app| {
    let region = setup(&app).await;
    let t = &region.admin;
    let code = |reply: &Reply| reply.body["code"].as_str().unwrap_or("").to_owned();

    // No contract: a provider without one, or a product group not covered.
    app.post(
        &region.path("providers"),
        t,
        json!({ "agbCode": "33333333", "kvkNumber": "33333333", "name": "Nieuw" }),
    )
    .await;
    let no_contract = allocate(
        &app,
        &region,
        allocation(2001, "GM0202", "02A01", "33333333", hours_per_week(4)),
    )
    .await;
    assert_eq!(
        no_contract.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        no_contract.body
    );
    assert_eq!(code(&no_contract), "ZR-ALLOC-NO-CONTRACT");
    let before_start = allocate(
        &app,
        &region,
        with(
            allocation(2002, "GM0202", "02A01", "12345678", hours_per_week(4)),
            "startDate",
            json!("2024-12-01"),
        ),
    )
    .await;
    assert_eq!(code(&before_start), "ZR-ALLOC-NO-CONTRACT");

    // After the termination date no new allocation starts.
    let contracts = app
        .get(&region.path("contracts?providerAgb=22222222"), t)
        .await;
    let id = contracts.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post(
        &region.path(&format!("contracts/{id}/termination")),
        t,
        json!({ "terminatedOn": "2025-06-30", "ground": "by-agreement", "reason": "Bibob" }),
    )
    .await;
    let after = with(
        allocation(2003, "GM1734", "02A01", "22222222", hours_per_week(4)),
        "startDate",
        json!("2025-07-01"),
    );
    assert_eq!(
        code(&allocate(&app, &region, after).await),
        "ZR-ALLOC-NO-CONTRACT"
    );
    let before = with(
        allocation(2004, "GM1734", "02A01", "22222222", hours_per_week(4)),
        "startDate",
        json!("2025-06-30"),
    );
    assert_eq!(
        allocate(&app, &region, before).await.status,
        StatusCode::CREATED
    );

    // Execution variants.
    let week_without_end = with(
        allocation(2005, "GM0202", "02A01", "12345678", hours_per_week(4)),
        "endDate",
        Value::Null,
    );
    let reply = allocate(&app, &region, week_without_end).await;
    assert_eq!(code(&reply), "ZR-ALLOC-EXECUTION-VARIANT");
    assert!(reply.body["detail"].as_str().unwrap().contains("end date"));
    let task_with_volume = allocation(2006, "GM0202", "02T01", "12345678", hours_per_week(4));
    assert_eq!(
        code(&allocate(&app, &region, task_with_volume).await),
        "ZR-ALLOC-EXECUTION-VARIANT"
    );
    let mut task = allocation(2007, "GM0202", "02T01", "12345678", Value::Null);
    task.as_object_mut().unwrap().remove("volume");
    assert_eq!(
        allocate(&app, &region, task).await.status,
        StatusCode::CREATED
    );
    let mut budget = allocation(2008, "GM0202", "02A01", "12345678", Value::Null);
    budget.as_object_mut().unwrap().remove("volume");
    budget["budget"] = json!("1500.00");
    assert_eq!(
        code(&allocate(&app, &region, budget).await),
        "ZR-ALLOC-EXECUTION-VARIANT",
        "effort products take no budget"
    );

    // Temporary intensive: A/B 3 months per calendar year (a policy, not code).
    let daily = json!({ "amount": 1, "unit": "day", "frequency": "day" });
    let with_episodes = |n: i64, episodes: Value| {
        with(
            allocation(n, "GM0202", "BW0A1", "12345678", daily.clone()),
            "temporaryIntensive",
            episodes,
        )
    };
    let three = json!([{ "from": "2025-02-01", "to": "2025-04-30", "extraHoursPerWeek": 3 }]);
    let four = json!([{ "from": "2025-02-01", "to": "2025-05-01", "extraHoursPerWeek": 3 }]);
    assert_eq!(
        code(&allocate(&app, &region, with_episodes(2009, three.clone())).await),
        "ZR-ALLOC-TEMPORARY-INTENSIVE",
        "no policy yet"
    );
    let policy = app
        .send(
            reqwest::Method::PUT,
            &region.path("policies/temporary-intensive/BW0A1"),
            Some(t),
            Some(json!({ "maxMonths": 3, "per": "calendar-year" })),
        )
        .await;
    assert_eq!(policy.status, StatusCode::OK, "{}", policy.body);
    assert_eq!(
        allocate(&app, &region, with_episodes(2010, three))
            .await
            .status,
        StatusCode::CREATED
    );
    let too_long = allocate(&app, &region, with_episodes(2011, four)).await;
    assert_eq!(code(&too_long), "ZR-ALLOC-TEMPORARY-INTENSIVE");
    assert!(too_long.body["detail"]
        .as_str()
        .unwrap()
        .contains("4 months"));

    // Self-employed staff forbidden in Arnhem, allowed in Overbetuwe.
    let ban = app
        .put_admin(
            &region,
            "policies/self-employed/GM0202",
            json!({ "forbidden": true }),
        )
        .await;
    assert_eq!(ban.status, StatusCode::OK, "{}", ban.body);
    let contracts = app.get(&region.path("providers/22222222"), t).await;
    assert_eq!(contracts.body["usesSelfEmployed"], true);
    app.post(&region.path("providers"), t, json!({ "agbCode": "44444444", "kvkNumber": "44444444", "name": "Ook ZZP", "usesSelfEmployed": true })).await;
    app.post(&region.path("contracts"), t, json!({ "providerAgb": "44444444", "procurementForm": "open-house", "productGroupCodes": ["BEG"], "municipalityCbsCodes": ["GM0202", "GM1734"], "startDate": "2025-07-01", "initialTermMonths": 36 })).await;
    let zzp = |n: i64, cbs: &str| {
        with(
            allocation(n, cbs, "02A01", "44444444", hours_per_week(2)),
            "startDate",
            json!("2025-08-01"),
        )
    };
    assert_eq!(
        code(&allocate(&app, &region, zzp(2012, "GM0202")).await),
        "ZR-ALLOC-SELF-EMPLOYED"
    );
    assert_eq!(
        allocate(&app, &region, zzp(2013, "GM1734")).await.status,
        StatusCode::CREATED
    );

    // Overbetuwe closes BEG for providers contracted from 2025-06-01.
    assert_eq!(
        app.put_admin(
            &region,
            "policies/closed-product-groups/GM1734",
            json!({ "productGroupCodes": ["BEG"], "closedFrom": "2025-06-01" })
        )
        .await
        .status,
        StatusCode::OK
    );
    assert_eq!(
        code(&allocate(&app, &region, zzp(2014, "GM1734")).await),
        "ZR-ALLOC-GROUP-CLOSED"
    );
    let established = allocation(2015, "GM1734", "02A01", "12345678", hours_per_week(2));
    assert_eq!(
        allocate(&app, &region, established).await.status,
        StatusCode::CREATED
    );

    // Policies are validated per kind and scope, and listed.
    assert_eq!(
        app.put_admin(
            &region,
            "policies/temporary-intensive/NOPE",
            json!({ "maxMonths": 3, "per": "calendar-year" })
        )
        .await
        .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.put_admin(
            &region,
            "policies/self-employed/GM0202",
            json!({ "forbidden": "yes" })
        )
        .await
        .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.put_admin(&region, "policies/made-up/region", json!({}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get(&region.path("policies"), t).await.body["total"], 3);
    // Nothing of the refused allocations was stored.
    let numbers: Vec<i64> = app
        .get(&region.path("allocations?pageSize=500"), t)
        .await
        .body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["allocationNumber"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, [2004, 2007, 2010, 2013, 2015]);
});

e2e!(access_teams_and_providers_see_their_own, |app| {
    let region = setup(&app).await;
    allocate(
        &app,
        &region,
        allocation(3001, "GM0202", "02A01", "12345678", hours_per_week(4)),
    )
    .await;
    allocate(
        &app,
        &region,
        allocation(3002, "GM1734", "02A01", "22222222", hours_per_week(4)),
    )
    .await;
    let mut claims = app.claims(&region.code, Role::AccessTeam);
    claims.municipality = Some("GM0202".into());
    let arnhem = app.sign(&claims);
    let elsewhere = app
        .post(
            &region.path("allocations"),
            &arnhem,
            allocation(3003, "GM1734", "02A01", "12345678", hours_per_week(1)),
        )
        .await;
    assert_eq!(elsewhere.status, StatusCode::FORBIDDEN);
    let own = app
        .post(
            &region.path("allocations"),
            &arnhem,
            allocation(3004, "GM0202", "02A01", "12345678", hours_per_week(1)),
        )
        .await;
    assert_eq!(own.status, StatusCode::CREATED, "{}", own.body);
    assert_eq!(
        app.get(&region.path("allocations"), &arnhem).await.body["total"],
        2
    );
    assert_eq!(
        app.get(&region.path("allocations/3002"), &arnhem)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post(
            &region.path("allocations/3002/stop"),
            &arnhem,
            json!({ "stoppedOn": "2025-02-01", "reason": "x" })
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );

    let mut claims = app.claims(&region.code, Role::Provider);
    claims.agb = Some("22222222".into());
    let provider = app.sign(&claims);
    let seen = app.get(&region.path("allocations"), &provider).await;
    assert_eq!(seen.body["total"], 1);
    assert_eq!(seen.body["items"][0]["allocationNumber"], 3002);
    assert_eq!(
        app.post(
            &region.path("allocations"),
            &provider,
            allocation(3005, "GM0202", "02A01", "22222222", hours_per_week(1))
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    // A provider declares only its own allocations.
    let batch = app
        .declare(
            &region,
            &provider,
            "p-1",
            json!([
                line(3001, "02A01", "2025-01-01", "2025-01-31", 1),
                line(3002, "02A01", "2025-01-01", "2025-01-31", 1)
            ]),
        )
        .await;
    assert_eq!(batch.status, StatusCode::CREATED, "{}", batch.body);
    assert_eq!(batch.body["lines"][0]["reasonCode"], "ZR04");
    assert_eq!(batch.body["lines"][1]["status"], "approved");
    assert_eq!(
        app.post(
            &region.path("declarations"),
            &arnhem,
            json!({ "lines": [] })
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
});

e2e!(a_batch_with_approved_and_rejected_lines, |app| {
    let region = setup(&app).await;
    let t = &region.admin;
    allocate(
        &app,
        &region,
        allocation(1001, "GM0202", "02A01", "12345678", hours_per_week(4)),
    )
    .await;
    allocate(
        &app,
        &region,
        allocation(1002, "GM1734", "02A01", "12345678", hours_per_week(4)),
    )
    .await;
    allocate(
        &app,
        &region,
        allocation(
            1003,
            "GM0202",
            "02A01",
            "12345678",
            json!({ "amount": 240, "unit": "minute", "frequency": "week" }),
        ),
    )
    .await;
    let mut declared = line(1001, "02A01", "2025-02-01", "2025-02-28", 3);
    declared["declaredAmount"] = json!("216.01");
    let mut wrong_tariff = line(1001, "02A01", "2025-03-01", "2025-03-31", 1);
    wrong_tariff["declaredTariff"] = json!("70.00");
    let mut minutes = line(1003, "02A01", "2025-01-06", "2025-01-12", 45);
    minutes["unit"] = json!("minute");
    let batch = app
        .declare(
            &region,
            t,
            "batch-1",
            json!([
                line(1001, "02A01", "2025-01-01", "2025-01-31", 10), // 10 × 72.00 (provider tariff) = 720.00
                line(1002, "02A01", "2025-01-01", "2025-01-31", 2), // 2 × 72.00 (the provider's own, not GM1734's 75.00) = 144.00
                minutes,                                            // 72.00 × 45 / 60 = 54.00
                line(1001, "02A01", "2025-01-01", "2025-01-31", 8), // 18 > 4 × 31 / 7 = 17.71 → 9321
                line(9999, "02A01", "2025-01-01", "2025-01-31", 1), // no allocation → 9338
                line(1001, "02A02", "2025-01-01", "2025-01-31", 1), // other product, same category → 9340
                line(1001, "02A01", "2024-12-01", "2024-12-31", 1), // before the allocation → 9307
                declared,     // 3 × 72.00 = 216.00 ≠ 216.01 → 9346
                wrong_tariff, // 70.00 ≠ 72.00 → 0611
                line(1001, "02A01", "2025-01-20", "2025-02-10", 1), // two months → ZR05
            ]),
        )
        .await;
    assert_eq!(batch.status, StatusCode::CREATED, "{}", batch.body);
    let lines = batch.body["lines"].as_array().unwrap();
    let codes: Vec<&str> = lines
        .iter()
        .map(|l| l["reasonCode"].as_str().unwrap_or("-"))
        .collect();
    assert_eq!(
        codes,
        ["-", "-", "-", "9321", "9338", "9340", "9307", "9346", "0611", "ZR05"]
    );
    let amounts: Vec<&str> = lines
        .iter()
        .take(3)
        .map(|l| l["amount"].as_str().unwrap())
        .collect();
    assert_eq!(amounts, ["720.00", "144.00", "54.00"]);
    assert_eq!(batch.body["approvedCount"], 3);
    assert_eq!(batch.body["rejectedCount"], 7);
    assert_eq!(batch.body["approvedAmount"], "918.00");

    let id = batch.body["id"].as_str().unwrap();
    let rejected = app
        .get(
            &region.path(&format!(
                "declarations/{id}/lines?status=rejected&pageSize=2"
            )),
            t,
        )
        .await;
    assert_eq!(rejected.body["total"], 7);
    assert_eq!(rejected.body["items"][0]["lineNo"], 4);
    let listed = app.get(&region.path("declarations"), t).await;
    assert_eq!(listed.body["items"][0]["approvedAmount"], "918.00");
    // The provider sees the batch the office submitted for its allocations; another provider does not.
    let mut claims = app.claims(&region.code, Role::Provider);
    claims.agb = Some("12345678".into());
    let own = app.sign(&claims);
    assert_eq!(
        app.get(&region.path("declarations"), &own).await.body["total"],
        1
    );
    assert_eq!(
        app.get(
            &region.path(&format!("declarations/{id}/lines?pageSize=1")),
            &own
        )
        .await
        .body["total"],
        9,
        "its own lines: not line 5 (allocation 9999 belongs to no one)"
    );
    claims.agb = Some("22222222".into());
    let other = app.sign(&claims);
    assert_eq!(
        app.get(&region.path("declarations"), &other).await.body["total"],
        0
    );
    assert_eq!(
        app.get(&region.path(&format!("declarations/{id}")), &other)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Approved volume counts in later batches too: 17 of 17.71 hours left room for 0.
    let later = app
        .declare(
            &region,
            t,
            "batch-2",
            json!([
                line(1001, "02A01", "2025-01-01", "2025-01-31", 7),
                line(1001, "02A01", "2025-01-01", "2025-01-31", 1)
            ]),
        )
        .await;
    let codes: Vec<&str> = later.body["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["reasonCode"].as_str().unwrap_or("-"))
        .collect();
    assert_eq!(codes, ["-", "9321"]);
});

e2e!(idempotent_retries_store_nothing_twice, |app| {
    let region = setup(&app).await;
    let t = &region.admin;
    allocate(
        &app,
        &region,
        allocation(1001, "GM0202", "02A01", "12345678", hours_per_week(4)),
    )
    .await;
    let lines = json!([line(1001, "02A01", "2025-01-01", "2025-01-31", 5)]);
    let first = app.declare(&region, t, "key-1", lines.clone()).await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(first.header("idempotent-replayed"), "");
    let retry = app.declare(&region, t, "key-1", lines.clone()).await;
    assert_eq!(retry.status, StatusCode::CREATED);
    assert_eq!(retry.header("idempotent-replayed"), "true");
    assert_eq!(retry.body["id"], first.body["id"]);
    assert_eq!(retry.body["lines"], first.body["lines"]);
    assert_eq!(
        app.get(&region.path("declarations"), t).await.body["total"],
        1
    );

    let other_body = app
        .declare(
            &region,
            t,
            "key-1",
            json!([line(1001, "02A01", "2025-02-01", "2025-02-28", 5)]),
        )
        .await;
    assert_eq!(other_body.status, StatusCode::CONFLICT);
    assert_eq!(other_body.body["code"], "ZR-IDEMPOTENCY-KEY-REUSED");

    let no_key = app
        .post(&region.path("declarations"), t, json!({ "lines": lines }))
        .await;
    assert_eq!(no_key.status, StatusCode::BAD_REQUEST);
    assert_eq!(no_key.error_fields(), ["Idempotency-Key"]);
    let too_many: Vec<Value> = (0..10_001)
        .map(|_| line(1001, "02A01", "2025-01-01", "2025-01-31", 1))
        .collect();
    let huge = app.declare(&region, t, "key-2", json!(too_many)).await;
    assert!(
        huge.status == StatusCode::BAD_REQUEST || huge.status == StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        huge.status
    );
    // The one approved line still stands alone: 5 more hours fit January (10 ≤ 17.71), 13 more do not.
    let check = app
        .declare(
            &region,
            t,
            "key-3",
            json!([line(1001, "02A01", "2025-01-01", "2025-01-31", 13)]),
        )
        .await;
    assert_eq!(check.body["lines"][0]["reasonCode"], "9321");
});

e2e!(a_batch_that_fails_midway_stores_nothing, |app| {
    let region = setup(&app).await;
    let t = &region.admin;
    let daily = json!({ "amount": 1, "unit": "day", "frequency": "day" });
    allocate(
        &app,
        &region,
        allocation(1001, "GM0202", "BW0A1", "12345678", daily),
    )
    .await;
    app.post(
        &region.path("budget-ceilings"),
        t,
        json!({ "providerAgb": "12345678", "year": 2025, "amount": "100000.00" }),
    )
    .await;
    // A trigger makes the database fail on line 151, after the first chunks were written.
    use sea_orm::ConnectionTrait;
    let db = &app.state.db;
    let postgres = db.get_database_backend() == sea_orm::DbBackend::Postgres;
    let ddl = if postgres {
        vec![
            "CREATE OR REPLACE FUNCTION zr_test_boom() RETURNS trigger AS $$ BEGIN IF NEW.allocation_number = 987654321 THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
            "DROP TRIGGER IF EXISTS zr_test_boom ON declaration_lines",
            "CREATE TRIGGER zr_test_boom BEFORE INSERT ON declaration_lines FOR EACH ROW EXECUTE FUNCTION zr_test_boom()",
        ]
    } else {
        vec!["CREATE TRIGGER zr_test_boom BEFORE INSERT ON declaration_lines WHEN NEW.allocation_number = 987654321 BEGIN SELECT RAISE(ABORT, 'boom'); END"]
    };
    for sql in ddl {
        db.execute_unprepared(sql).await.unwrap();
    }
    let start = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let mut lines: Vec<Value> = (0..150)
        .map(|i| {
            let day = (start + chrono::Duration::days(i)).to_string();
            line(1001, "BW0A1", &day, &day, 1)
        })
        .collect();
    lines.push(line(987654321, "BW0A1", "2025-01-01", "2025-01-01", 1));
    let failed = app
        .declare(&region, t, "crash-1", json!(lines.clone()))
        .await;
    assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(failed.body["code"], "ZR-INTERNAL");
    assert!(
        !failed.body.to_string().contains("boom"),
        "a 5xx does not leak its cause"
    );
    assert_eq!(
        app.get(&region.path("declarations"), t).await.body["total"],
        0
    );
    let ceilings = app.get(&region.path("budget-ceilings"), t).await;
    assert_eq!(ceilings.body["items"][0]["spent"], "0.00");
    assert_eq!(
        app.get(&region.path("audit-events?action=submit"), t)
            .await
            .body["total"],
        0
    );

    let drop = if postgres {
        "DROP TRIGGER zr_test_boom ON declaration_lines"
    } else {
        "DROP TRIGGER zr_test_boom"
    };
    db.execute_unprepared(drop).await.unwrap();
    let retried = app.declare(&region, t, "crash-1", json!(lines)).await;
    assert_eq!(retried.status, StatusCode::CREATED, "{}", retried.body);
    assert_eq!(retried.body["approvedCount"], 150);
    assert_eq!(
        retried.body["approvedAmount"], "14475.00",
        "150 days × 96.50"
    );
    assert_eq!(
        app.get(&region.path("budget-ceilings"), t).await.body["items"][0]["spent"],
        "14475.00"
    );
});

e2e!(budget_ceilings_signal_and_stop, |app| {
    let region = setup(&app).await;
    let t = &region.admin;
    allocate(
        &app,
        &region,
        allocation(1001, "GM0202", "02A01", "12345678", hours_per_week(4)),
    )
    .await;
    let ceiling = app.post(&region.path("budget-ceilings"), t, json!({ "providerAgb": "12345678", "productGroupCode": "BEG", "year": 2025, "amount": "1000.00", "hard": true })).await;
    assert_eq!(ceiling.status, StatusCode::CREATED, "{}", ceiling.body);
    let id = ceiling.body["id"].as_str().unwrap().to_owned();
    let lines = json!([
        line(1001, "02A01", "2025-01-01", "2025-01-31", 10), // 720.00: 72%
        line(1001, "02A01", "2025-02-01", "2025-02-28", 2),  // 864.00: 86.4%, crosses 80%
        line(1001, "02A01", "2025-03-01", "2025-03-31", 2),  // 1008.00 > 1000.00 on a hard ceiling
    ]);
    let batch = app.declare(&region, t, "ceiling-1", lines).await;
    let codes: Vec<&str> = batch.body["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["reasonCode"].as_str().unwrap_or("-"))
        .collect();
    // Delivered care within the allocation is paid, hard ceiling or not
    // (seed 002 §5.3): a ceiling steers intake, not payment.
    assert_eq!(codes, ["-", "-", "-"]);
    let got = app
        .get(&region.path(&format!("budget-ceilings/{id}")), t)
        .await;
    assert_eq!(got.body["spent"], "1008.00");
    assert_eq!(got.body["usedPercent"], "100.80");
    let signals = app.get(&region.path("budget-signals"), t).await;
    // The default levels: 70 % (Contractstandaard Wmo art. 1.5), 80, 100.
    assert_eq!(signals.body["total"], 3);
    assert_eq!(signals.body["items"][0]["levelPercent"], 100);
    assert_eq!(signals.body["items"][0]["kind"], "spent");
    assert_eq!(signals.body["items"][1]["levelPercent"], 80);
    assert_eq!(signals.body["items"][1]["spent"], "864.00");
    assert_eq!(signals.body["items"][2]["levelPercent"], 70);
    assert_eq!(signals.body["items"][2]["spent"], "720.00");

    // Soft, the same line passes and the 100% level is signalled once.
    assert_eq!(
        app.patch(
            &region.path(&format!("budget-ceilings/{id}")),
            t,
            json!({ "hard": false })
        )
        .await
        .status,
        StatusCode::OK
    );
    let again = app
        .declare(
            &region,
            t,
            "ceiling-2",
            json!([
                line(1001, "02A01", "2025-03-01", "2025-03-31", 2),
                line(1001, "02A01", "2025-04-01", "2025-04-30", 1)
            ]),
        )
        .await;
    assert_eq!(again.body["approvedCount"], 2);
    let levels: Vec<i64> = app.get(&region.path("budget-signals"), t).await.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["levelPercent"].as_i64().unwrap())
        .collect();
    assert_eq!(levels, [100, 80, 70], "each level once");
    assert_eq!(
        app.get(&region.path(&format!("budget-ceilings/{id}")), t)
            .await
            .body["spent"],
        "1224.00"
    );

    // The region's own alert levels.
    let put = app
        .send(
            reqwest::Method::PUT,
            &region.path("policies/budget-alerts/region"),
            Some(t),
            Some(json!({ "levelsPercent": [50] })),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    let second = app
        .post(
            &region.path("budget-ceilings"),
            t,
            json!({ "providerAgb": "12345678", "year": 2025, "amount": "200.00" }),
        )
        .await;
    let second_id = second.body["id"].as_str().unwrap().to_owned();
    app.declare(
        &region,
        t,
        "ceiling-3",
        json!([line(1001, "02A01", "2025-05-01", "2025-05-31", 2)]),
    )
    .await;
    let signals = app
        .get(
            &region.path(&format!("budget-signals?budgetCeilingId={second_id}")),
            t,
        )
        .await;
    assert_eq!(signals.body["items"][0]["levelPercent"], 50);
});

e2e!(care_flow_resources_are_404_across_regions, |app| {
    let a = setup(&app).await;
    allocate(
        &app,
        &a,
        allocation(1001, "GM0202", "02A01", "12345678", hours_per_week(4)),
    )
    .await;
    let batch = app
        .declare(
            &a,
            &a.admin,
            "x-1",
            json!([line(1001, "02A01", "2025-01-01", "2025-01-31", 1)]),
        )
        .await;
    let batch_id = batch.body["id"].as_str().unwrap().to_owned();
    let ceiling = app
        .post(
            &a.path("budget-ceilings"),
            &a.admin,
            json!({ "providerAgb": "12345678", "year": 2025, "amount": "10.00" }),
        )
        .await;
    let ceiling_id = ceiling.body["id"].as_str().unwrap().to_owned();
    app.send(
        reqwest::Method::PUT,
        &a.path("policies/self-employed/GM0202"),
        Some(&a.admin),
        Some(json!({ "forbidden": true })),
    )
    .await;

    let b = setup(&app).await;
    for path in [
        "allocations/1001".to_owned(),
        format!("declarations/{batch_id}"),
        format!("declarations/{batch_id}/lines"),
        format!("budget-ceilings/{ceiling_id}"),
        "policies/self-employed/GM0202".to_owned(),
    ] {
        assert_eq!(
            app.get(&a.path(&path), &b.admin).await.status,
            StatusCode::NOT_FOUND,
            "A's path {path}"
        );
        assert_eq!(
            app.get(&b.path(&path), &b.admin).await.status,
            StatusCode::NOT_FOUND,
            "B's path {path}"
        );
    }
    assert_eq!(
        app.patch(
            &b.path("allocations/1001"),
            &b.admin,
            json!({ "endDate": "2025-03-31" })
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post(
            &b.path("allocations/1001/stop"),
            &b.admin,
            json!({ "stoppedOn": "2025-03-31", "reason": "x" })
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.patch(
            &b.path(&format!("budget-ceilings/{ceiling_id}")),
            &b.admin,
            json!({ "hard": true })
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.delete(&b.path(&format!("budget-ceilings/{ceiling_id}")), &b.admin)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    for path in [
        "allocations",
        "declarations",
        "budget-ceilings",
        "budget-signals",
        "policies",
    ] {
        assert_eq!(
            app.get(&a.path(path), &b.admin).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    // B declaring A's allocation number finds nothing in B.
    let cross = app
        .declare(
            &b,
            &b.admin,
            "x-1",
            json!([line(1001, "02A01", "2025-01-01", "2025-01-31", 1)]),
        )
        .await;
    assert_eq!(cross.body["lines"][0]["reasonCode"], "9338");
    assert_eq!(
        app.declare(&a, &b.admin, "x-2", json!([])).await.status,
        StatusCode::NOT_FOUND
    );
});
