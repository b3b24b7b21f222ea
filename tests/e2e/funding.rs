//! The funding forms besides P×Q (issue 12): task budgets with instalments
//! and settlement, arrangements, temporary intensive in hours, ceilings that
//! steer intake, municipal budget frameworks.

use super::*;
use chrono::NaiveDate;
use e2e::{bsn, Region};

/// Amersfoort and Baarn (inhabitants 2024), group BEG (Wmo) with the task
/// product 02C01 (€ 65.00/h in 2026) and 02A01 (€ 70.00/h), group BW with
/// BW0C1 (€ 190.00/day), its temporary-intensive BW0C2 (€ 68.00/h) and the
/// arrangement BW0M1 (€ 2,500.00 a month); provider 12345678 contracted for
/// both groups in both municipalities from 2026.
async fn setup(app: &TestApp) -> Region {
    let region = app.new_region().await;
    let posts = [
        (
            "municipalities",
            json!({ "cbsCode": "GM0307", "name": "Amersfoort", "population": [{ "year": 2024, "inhabitants": 160000 }] }),
        ),
        (
            "municipalities",
            json!({ "cbsCode": "GM0308", "name": "Baarn", "population": [{ "year": 2024, "inhabitants": 25300 }] }),
        ),
        (
            "product-groups",
            json!({ "code": "BEG", "name": "Wmo begeleiding", "law": "wmo" }),
        ),
        (
            "product-groups",
            json!({ "code": "BW", "name": "Beschermd wonen", "law": "wmo" }),
        ),
        (
            "products",
            json!({ "code": "02C01", "name": "Begeleiding (taakgericht)", "productGroupCode": "BEG", "iwmoCategory": "02", "unit": "hour", "fundingVariant": "task" }),
        ),
        (
            "products",
            json!({ "code": "02A01", "name": "Begeleiding", "productGroupCode": "BEG", "iwmoCategory": "02", "unit": "hour", "fundingVariant": "effort" }),
        ),
        (
            "products",
            json!({ "code": "BW0C1", "name": "Beschermd wonen", "productGroupCode": "BW", "iwmoCategory": "15", "unit": "day", "fundingVariant": "effort" }),
        ),
        (
            "products",
            json!({ "code": "BW0C2", "name": "Beschermd wonen, tijdelijk intensief", "productGroupCode": "BW", "iwmoCategory": "15", "unit": "hour", "fundingVariant": "effort", "intensiveFor": "BW0C1" }),
        ),
        (
            "products",
            json!({ "code": "BW0M1", "name": "Beschermd wonen arrangement", "productGroupCode": "BW", "iwmoCategory": "15", "unit": "piece", "fundingVariant": "output", "arrangementPeriod": "month" }),
        ),
        (
            "providers",
            json!({ "agbCode": "12345678", "kvkNumber": "11111111", "name": "Amersfoortse Begeleidingscombinatie" }),
        ),
        (
            "providers",
            json!({ "agbCode": "22222222", "kvkNumber": "22222222", "name": "Andere Aanbieder" }),
        ),
        (
            "tariffs",
            json!({ "productCode": "02C01", "validFrom": "2026-01-01", "price": "65.00" }),
        ),
        (
            "tariffs",
            json!({ "productCode": "02A01", "validFrom": "2026-01-01", "price": "70.00" }),
        ),
        (
            "tariffs",
            json!({ "productCode": "BW0C1", "validFrom": "2026-01-01", "price": "190.00" }),
        ),
        (
            "tariffs",
            json!({ "productCode": "BW0C2", "validFrom": "2026-01-01", "price": "68.00" }),
        ),
        (
            "tariffs",
            json!({ "productCode": "BW0M1", "validFrom": "2026-01-01", "price": "2500.00" }),
        ),
    ];
    app.create_all(&region, &posts).await;
    let reply = app
        .post(
            &region.path("contracts"),
            &region.admin,
            json!({ "providerAgb": "12345678", "procurementForm": "sas-tender", "productGroupCodes": ["BEG", "BW"], "municipalityCbsCodes": ["GM0307", "GM0308"], "startDate": "2026-01-01", "initialTermMonths": 36 }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    region
}

async fn contract_id(app: &TestApp, region: &Region) -> String {
    app.get(&region.path("contracts"), &region.admin).await.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn allocation(number: i64, product: &str, volume: Value) -> Value {
    json!({
        "allocationNumber": number, "clientBsn": bsn(number as u32), "municipalityCbs": "GM0307",
        "productCode": product, "providerAgb": "12345678",
        "startDate": "2026-01-01", "endDate": "2026-12-31", "volume": volume
    })
}

fn per_week(hours: i64) -> Value {
    json!({ "amount": hours, "unit": "hour", "frequency": "week" })
}

fn line(number: i64, product: &str, from: &str, to: &str, volume: i64) -> Value {
    json!({ "allocationNumber": number, "productCode": product, "periodStart": from, "periodEnd": to, "deliveredVolume": volume })
}

fn reason_codes(batch: &Reply) -> Vec<String> {
    batch.body["lines"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|l| l["reasonCode"].as_str().unwrap_or("-").to_owned())
        .collect()
}

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

async fn run_month(
    app: &TestApp,
    region: &Region,
    today: &str,
) -> Option<domain::funding::MonthRun> {
    let scope = entities::RegionScope::new(app.region_id(&region.code).await);
    domain::funding::run_month_in(&app.state.db, &scope, day(today))
        .await
        .unwrap()
}

e2e!(task_budget_pays_instalments_and_settles, |app| {
    let region = setup(&app).await;
    let t = &region.admin;
    let contract = contract_id(&app, &region).await;
    let budgets = region.path(&format!("contracts/{contract}/task-budgets"));
    // 900 × 40 h × € 65.00 = € 2,340,000.00; 5% = € 117,000.00
    let body = |start_up: &str| {
        json!({ "productCode": "02C01", "year": 2026, "plannedClients": 900, "hoursPerClient": "40",
                "startUp": start_up, "split": "inhabitants" })
    };
    let over = app.post(&budgets, t, body("117000.01")).await;
    assert_eq!(
        over.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        over.body
    );
    assert_eq!(over.error_fields(), ["startUp"]);
    let created = app.post(&budgets, t, body("117000.00")).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["hourlyPrice"], "65.00");
    assert_eq!(created.body["annualBudget"], "2340000.00");
    assert_eq!(created.body["startUp"], "117000.00");
    assert_eq!(created.body["plannedClients"], 900);
    // shared by inhabitants: 160,000 and 25,300 of 185,300; Baarn takes the rest
    assert_eq!(
        created.body["municipalities"][0]["municipalityCbs"],
        "GM0307"
    );
    assert_eq!(created.body["municipalities"][0]["total"], "2121532.64");
    assert_eq!(created.body["municipalities"][1]["total"], "335467.36");
    let id = created.body["id"].as_str().unwrap().to_owned();

    assert_eq!(
        app.post(&budgets, t, body("0")).await.status,
        StatusCode::CONFLICT
    );
    let later = app
        .post(&budgets, t, json!({ "productCode": "02C01", "year": 2027, "plannedClients": 900, "hoursPerClient": "40", "startUp": "1.00" }))
        .await;
    assert_eq!(
        later.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "start-up only in the first year"
    );
    let not_task = app
        .post(&budgets, t, json!({ "productCode": "02A01", "year": 2026, "plannedClients": 1, "hoursPerClient": "1" }))
        .await;
    assert_eq!(not_task.error_fields(), ["productCode"]);
    let both = app
        .post(&budgets, t, json!({ "productCode": "02C01", "year": 2026, "plannedClients": 1, "hoursPerClient": "1", "intensityBands": [{ "clients": 1, "hours": "2" }] }))
        .await;
    assert_eq!(
        both.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        both.body
    );

    // A task allocation records who is in care and the hours decided; a
    // declaration on it is never paid.
    let task = app
        .post(
            &region.path("allocations"),
            t,
            allocation(5001, "02C01", per_week(3)),
        )
        .await;
    assert_eq!(task.status, StatusCode::CREATED, "{}", task.body);
    let batch = app
        .declare(
            &region,
            t,
            "task-1",
            json!([line(5001, "02C01", "2026-01-01", "2026-01-31", 12)]),
        )
        .await;
    assert_eq!(reason_codes(&batch), ["ZR08"]);

    // The monthly run pays January to March, once.
    assert_eq!(
        run_month(&app, &region, "2026-03-01")
            .await
            .unwrap()
            .instalments,
        3
    );
    assert!(
        run_month(&app, &region, "2026-03-15").await.is_none(),
        "once a month"
    );
    let path = region.path(&format!("task-budgets/{id}"));
    let got = app.get(&path, t).await;
    let amounts: Vec<&str> = got.body["instalments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["amount"].as_str().unwrap())
        .collect();
    assert_eq!(amounts, ["204750.00"; 3], "€ 2,457,000 / 12");
    assert_eq!(got.body["settlement"]["paid"], "614250.00");

    // December pays the rest; the year sums to the cent.
    assert_eq!(
        run_month(&app, &region, "2026-12-01")
            .await
            .unwrap()
            .instalments,
        9
    );
    let settled = app.get(&path, t).await;
    assert_eq!(settled.body["settlement"]["paid"], "2457000.00");
    assert_eq!(settled.body["settlement"]["balance"], "0.00");
    assert_eq!(settled.body["settlement"]["realisedClients"], 1);
    assert_eq!(settled.body["settlement"]["deviationPercent"], -99);

    // After the year: far under the plan, a signal once.
    run_month(&app, &region, "2027-01-01").await;
    let signals = app
        .get(&region.path(&format!("funding-signals?subjectId={id}")), t)
        .await;
    assert_eq!(signals.body["total"], 1, "{}", signals.body);
    assert_eq!(signals.body["items"][0]["kind"], "task-clients");
    assert_eq!(signals.body["items"][0]["levelPercent"], 90);

    // Another region, or another provider, sees nothing of it.
    let other = app.new_region().await;
    let foreign = app
        .get(&other.path(&format!("task-budgets/{id}")), &other.admin)
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    let provider = |agb: &str| {
        let mut claims = app.claims(&region.code, Role::Provider);
        claims.agb = Some(agb.into());
        app.sign(&claims)
    };
    assert_eq!(
        app.get(&path, &provider("22222222")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&path, &provider("12345678")).await.status,
        StatusCode::OK
    );
});

e2e!(an_arrangement_is_declared_once_a_month, |app| {
    let region = setup(&app).await;
    let t = &region.admin;
    let refused = app
        .post(&region.path("products"), t, json!({ "code": "BW0M2", "name": "x", "productGroupCode": "BW", "iwmoCategory": "15", "unit": "day", "fundingVariant": "effort", "arrangementPeriod": "month" }))
        .await;
    assert_eq!(refused.error_fields(), ["arrangementPeriod"]);
    let twelve = json!({ "amount": 12, "unit": "piece", "frequency": "total" });
    let made = app
        .post(
            &region.path("allocations"),
            t,
            allocation(6001, "BW0M1", twelve),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let batch = app
        .declare(
            &region,
            t,
            "arrangement-1",
            json!([
                line(6001, "BW0M1", "2026-01-01", "2026-01-31", 1),
                line(6001, "BW0M1", "2026-01-10", "2026-01-31", 1),
                line(6001, "BW0M1", "2026-02-01", "2026-02-28", 2),
                line(6001, "BW0M1", "2026-02-01", "2026-02-28", 1),
            ]),
        )
        .await;
    assert_eq!(reason_codes(&batch), ["-", "ZR09", "ZR09", "-"]);
    assert_eq!(batch.body["approvedAmount"], "5000.00");
});

e2e!(temporary_intensive_is_hours_on_its_own_product, |app| {
    let region = setup(&app).await;
    let t = &region.admin;
    let daily = json!({ "amount": 1, "unit": "day", "frequency": "day" });
    let direct = app
        .post(
            &region.path("allocations"),
            t,
            allocation(7001, "BW0C2", per_week(3)),
        )
        .await;
    assert_eq!(
        direct.body["code"], "ZR-ALLOC-INTENSIVE-PRODUCT",
        "{}",
        direct.body
    );
    let policy = app
        .put_admin(
            &region,
            "policies/temporary-intensive/BW0C1",
            json!({ "maxMonths": 12, "per": "allocation" }),
        )
        .await;
    assert_eq!(policy.status, StatusCode::OK, "{}", policy.body);
    let mut body = allocation(7002, "BW0C1", daily);
    // 2 March – 31 May: 13 weeks at 3 h a week = 39 h
    // and a later episode in September, given first
    body["temporaryIntensive"] = json!([
        { "from": "2026-09-01", "to": "2026-09-30", "extraHoursPerWeek": 2 },
        { "from": "2026-03-02", "to": "2026-05-31", "extraHoursPerWeek": 3 },
    ]);
    let made = app.post(&region.path("allocations"), t, body).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    assert_eq!(made.body["temporaryIntensive"][0]["extraHoursPerWeek"], 3);
    // Read back (the allocation and its episodes in one query): both
    // episodes, in date order, and the allocation once.
    let read = app.get(&region.path("allocations/7002"), t).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    assert_eq!(read.body, made.body);
    assert_eq!(
        read.body["temporaryIntensive"],
        json!([
            { "from": "2026-03-02", "to": "2026-05-31", "extraHoursPerWeek": 3 },
            { "from": "2026-09-01", "to": "2026-09-30", "extraHoursPerWeek": 2 },
        ])
    );
    let batch = app
        .declare(
            &region,
            t,
            "intensive-1",
            json!([
                // March: 30 days of the episode × 3 / 7 = 12.86 h
                line(7002, "BW0C2", "2026-03-01", "2026-03-31", 12),
                line(7002, "BW0C2", "2026-03-01", "2026-03-31", 1),
                // no episode in January
                line(7002, "BW0C2", "2026-01-01", "2026-01-31", 1),
                // the main product keeps its own volume: 31 days
                line(7002, "BW0C1", "2026-03-01", "2026-03-31", 31),
            ]),
        )
        .await;
    assert_eq!(reason_codes(&batch), ["-", "9321", "9321", "-"]);
    let lines = batch.body["lines"].as_array().unwrap();
    assert_eq!(lines[0]["amount"], "816.00", "12 h × € 68.00");
    assert_eq!(lines[3]["amount"], "5890.00", "31 days × € 190.00");
    // 02A01 has no temporary-intensive product: no episodes on it
    let mut begeleiding = allocation(7003, "02A01", per_week(2));
    begeleiding["temporaryIntensive"] =
        json!([{ "from": "2026-03-02", "to": "2026-05-31", "extraHoursPerWeek": 3 }]);
    let refused = app.post(&region.path("allocations"), t, begeleiding).await;
    assert_eq!(
        refused.body["code"], "ZR-ALLOC-TEMPORARY-INTENSIVE",
        "{}",
        refused.body
    );
});

e2e!(ceilings_steer_intake_and_frameworks_forecast, |app| {
    let region = setup(&app).await;
    let t = &region.admin;
    // A hard ceiling is a provider's spending room (here on one group).
    let ceiling = app
        .post(
            &region.path("budget-ceilings"),
            t,
            json!({ "providerAgb": "12345678", "productGroupCode": "BEG", "year": 2026, "amount": "10000.00", "hard": true }),
        )
        .await;
    assert_eq!(ceiling.status, StatusCode::CREATED, "{}", ceiling.body);
    assert_eq!(ceiling.body["providerAgb"], "12345678");
    let id = ceiling.body["id"].as_str().unwrap().to_owned();
    let nothing = app
        .post(
            &region.path("budget-ceilings"),
            t,
            json!({ "year": 2026, "amount": "1.00" }),
        )
        .await;
    assert_eq!(nothing.status, StatusCode::UNPROCESSABLE_ENTITY);

    // 2 h/week all year: 365 × 2 / 7 × € 70.00 = € 7,300.00 committed (73%)
    let first = app
        .post(
            &region.path("allocations"),
            t,
            allocation(8001, "02A01", per_week(2)),
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let got = app
        .get(&region.path(&format!("budget-ceilings/{id}")), t)
        .await;
    assert_eq!(got.body["committed"], "7300.00");
    assert_eq!(got.body["forecast"], "7300.00");
    // + 1 h/week all year (€ 3,650.00) takes it to € 10,950.00: refused
    let over = app
        .post(
            &region.path("allocations"),
            t,
            allocation(8002, "02A01", per_week(1)),
        )
        .await;
    assert_eq!(over.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(over.body["code"], "ZR-ALLOC-CEILING");
    assert!(
        over.body["detail"].as_str().unwrap().contains(&id),
        "{}",
        over.body
    );
    assert_eq!(
        app.get(&region.path("allocations/8002"), t).await.status,
        StatusCode::NOT_FOUND,
        "nothing half-written"
    );
    // + 1 h/week from July (184 days: € 1,840.00) = € 9,140.00: the 80%
    // signal, after the 70% one of the first allocation (€ 7,300.00)
    let mut half = allocation(8003, "02A01", per_week(1));
    half["startDate"] = json!("2026-07-01");
    let made = app.post(&region.path("allocations"), t, half).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let signals = app
        .get(
            &region.path(&format!("budget-signals?budgetCeilingId={id}")),
            t,
        )
        .await;
    assert_eq!(signals.body["total"], 2, "{}", signals.body);
    assert_eq!(signals.body["items"][1]["levelPercent"], 70);
    assert_eq!(signals.body["items"][1]["spent"], "7300.00");
    assert_eq!(signals.body["items"][0]["kind"], "forecast");
    assert_eq!(signals.body["items"][0]["levelPercent"], 80);
    assert_eq!(signals.body["items"][0]["spent"], "9140.00");

    // Delivered care is paid: January, 8 h = € 560.00; what remains of the
    // first allocation is committed from 1 February (334 days: € 6,680.00).
    let batch = app
        .declare(
            &region,
            t,
            "steer-1",
            json!([line(8001, "02A01", "2026-01-01", "2026-01-31", 8)]),
        )
        .await;
    assert_eq!(reason_codes(&batch), ["-"]);
    let got = app
        .get(&region.path(&format!("budget-ceilings/{id}")), t)
        .await;
    assert_eq!(got.body["spent"], "560.00");
    assert_eq!(got.body["committed"], "8520.00");
    assert_eq!(got.body["forecast"], "9080.00");
    assert_eq!(got.body["forecastPercent"], "90.80");
    // A change is measured the same way: 2 h/week from July adds € 1,840.00
    // more (€ 10,920.00) and is refused; lowering the first allocation's
    // end to 30 June frees € 3,680.00 and passes.
    let raise = app
        .patch(
            &region.path("allocations/8003"),
            t,
            json!({ "volume": per_week(2) }),
        )
        .await;
    assert_eq!(raise.body["code"], "ZR-ALLOC-CEILING", "{}", raise.body);
    let shorter = app
        .patch(
            &region.path("allocations/8001"),
            t,
            json!({ "endDate": "2026-06-30" }),
        )
        .await;
    assert_eq!(shorter.status, StatusCode::OK, "{}", shorter.body);
    let got = app
        .get(&region.path(&format!("budget-ceilings/{id}")), t)
        .await;
    assert_eq!(got.body["forecast"], "5400.00");
    let shorter = app
        .patch(
            &region.path("allocations/8001"),
            t,
            json!({ "endDate": "2026-12-31" }),
        )
        .await;
    assert_eq!(shorter.status, StatusCode::OK, "{}", shorter.body);

    // Amersfoort's Wmo framework: realised € 560.00, committed € 8,520.00.
    let framework = region.path("budget-frameworks/GM0307/wmo/2026");
    let set = app
        .put(&framework, t, json!({ "amount": "20000.00" }))
        .await;
    assert_eq!(set.status, StatusCode::CREATED, "{}", set.body);
    assert_eq!(set.body["realised"], "560.00");
    assert_eq!(set.body["committed"], "8520.00");
    assert_eq!(
        set.body["forecast"], "9080.00",
        "realised + committed beats linear"
    );
    assert_eq!(set.body["levelsReached"], json!([]));
    let lowered = app
        .put(&framework, t, json!({ "amount": "10000.00" }))
        .await;
    assert_eq!(lowered.status, StatusCode::OK, "{}", lowered.body);
    assert_eq!(lowered.body["levelsReached"], json!([70, 80]));
    assert_eq!(
        app.put(
            &region.path("budget-frameworks/GM9999/wmo/2026"),
            t,
            json!({ "amount": "1.00" })
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let listed = app
        .get(&region.path("budget-frameworks?year=2026"), t)
        .await;
    assert_eq!(listed.body["total"], 1);
    run_month(&app, &region, "2026-12-01").await;
    let fsignals = app.get(&region.path("funding-signals"), t).await;
    // 90.8 %: the default levels 70 and 80
    assert_eq!(fsignals.body["total"], 2, "{}", fsignals.body);
    assert_eq!(fsignals.body["items"][0]["kind"], "framework-forecast");
    let levels: Vec<i64> = fsignals.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["levelPercent"].as_i64().unwrap())
        .collect();
    assert!(levels.contains(&70) && levels.contains(&80), "{levels:?}");
});

// Issue 27: task-funded care in the figures. A task budget for BEG's
// 02C01 of 12 clients × 10 h × € 65.00 = € 7,800.00, 1/12 a month =
// € 650.00, split by inhabitants (160,000 and 25,300): Amersfoort
// 65000 × 160000 / 185300 = 56125.2 → 56125 cents (rounded down), Baarn
// the rest, 8875. Two clients allocated 02C01 (one in each municipality),
// never declared, count as the lot's clients.
e2e!(
    task_care_counts_in_the_monitor_and_the_outflow_check,
    |app| {
        let region = setup(&app).await;
        let t = &region.admin;
        let contract = contract_id(&app, &region).await;
        let created = app
        .post(
            &region.path(&format!("contracts/{contract}/task-budgets")),
            t,
            json!({ "productCode": "02C01", "year": 2026, "plannedClients": 12, "hoursPerClient": "10",
                    "startUp": "0", "split": "inhabitants" }),
        )
        .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        assert_eq!(created.body["annualBudget"], "7800.00");
        for (number, cbs) in [(6001, "GM0307"), (6002, "GM0308")] {
            let mut body = allocation(number, "02C01", per_week(3));
            body["municipalityCbs"] = json!(cbs);
            let made = app.post(&region.path("allocations"), t, body).await;
            assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
        }
        // The run of 1 March pays January to March and marks the clients'
        // months up to March.
        assert_eq!(
            run_month(&app, &region, "2026-03-01")
                .await
                .unwrap()
                .instalments,
            3
        );
        let report = |from: &'static str, to: &'static str| {
            let (app, region) = (&app, &region);
            async move {
                let made = app
                    .post(
                        &region.path("reports"),
                        &region.admin,
                        json!({ "from": from, "to": to }),
                    )
                    .await;
                assert_eq!(made.status, StatusCode::ACCEPTED, "{}", made.body);
                let job =
                    e2e::wait_for_job(app, region, made.body["jobId"].as_str().unwrap()).await;
                assert_eq!(job["status"], "succeeded", "{job}");
                let id = made.body["id"].as_str().unwrap();
                app.get(&region.path(&format!("reports/{id}")), &region.admin)
                    .await
                    .body["content"]
                    .clone()
            }
        };
        let march = report("2026-03-01", "2026-03-31").await;
        let beg = march["productGroups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["productGroupCode"] == "BEG")
            .cloned()
            .unwrap();
        assert_eq!(beg["approvedAmount"], "650.00", "{beg}");
        assert_eq!(beg["clients"], 2, "{beg}");
        assert_eq!(beg["providersWithClients"], 1, "{beg}");
        let spend: Vec<(&str, &str, i64)> = march["municipalities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["cbsCode"].as_str().unwrap(),
                    m["spend"].as_str().unwrap(),
                    m["clients"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(spend, [("GM0307", "561.25", 1), ("GM0308", "88.75", 1)]);
        let trends = march["trends"].as_array().unwrap();
        let last = &trends[trends.len() - 1];
        assert_eq!(
            (&last["spend"], &last["clients"]),
            (&json!("650.00"), &json!(2))
        );
        // The quarter: three instalments, the same two clients.
        let quarter = report("2026-01-01", "2026-03-31").await;
        let beg = quarter["productGroups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["productGroupCode"] == "BEG")
            .cloned()
            .unwrap();
        assert_eq!(
            (&beg["approvedAmount"], &beg["clients"]),
            (&json!("1950.00"), &json!(2))
        );

        // The year's run of 1 December: the contractor serves 2 clients in 2026.
        run_month(&app, &region, "2026-12-01").await;
        let policy = json!({ "minClients": 2, "window": "calendar-year", "level": "region", "count": "approved-declarations", "graceForNewContracts": false });
        assert_eq!(
            app.put_admin(&region, "policies/outflow-threshold/region", policy)
                .await
                .status,
            StatusCode::OK
        );
        let check = app
            .post(
                &region.path("outflow-checks"),
                t,
                json!({ "asOf": "2027-01-15" }),
            )
            .await;
        assert_eq!(check.status, StatusCode::ACCEPTED, "{}", check.body);
        let job = e2e::wait_for_job(&app, &region, check.body["jobId"].as_str().unwrap()).await;
        assert_eq!(job["status"], "succeeded", "{job}");
        let id = check.body["id"].as_str().unwrap();
        let flags = app
            .get(
                &region.path(&format!("outflow-checks/{id}/flags?verdict=all")),
                t,
            )
            .await;
        let found: Vec<(&str, i64, &str)> = flags.body["items"]
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
        assert_eq!(found, [("12345678", 2, "ok")], "{}", flags.body);

        // The client months stand on the allocations: emptied, the next run
        // marks the same rows again (all of 2026, nothing of 2027).
        use entities::{schema::declared_client, TenantEntity};
        use sea_orm::{QueryOrder, QuerySelect};
        let scope = entities::RegionScope::new(app.region_id(&region.code).await);
        let months = || async {
            declared_client::Entity::scoped(&scope)
                .select_only()
                .column(declared_client::Column::Year)
                .column(declared_client::Column::MonthsMask)
                .order_by_asc(declared_client::Column::ClientNumber)
                .into_tuple::<(i32, i32)>()
                .all(&app.state.db)
                .await
                .unwrap()
        };
        let before = months().await;
        assert_eq!(before, [(2026, 0xFFF), (2026, 0xFFF)]);
        declared_client::Entity::delete_scoped(&scope)
            .exec(&app.state.db)
            .await
            .unwrap();
        run_month(&app, &region, "2027-01-01").await.unwrap();
        assert_eq!(months().await, before);
    }
);

/// A provider's spending room (Contractstandaard Wmo 1.2 art. 1.5) on BEG,
/// 2026: `euros` as a hard ceiling.
async fn spending_room(app: &TestApp, region: &Region, euros: &str) -> String {
    let ceiling = app
        .post(
            &region.path("budget-ceilings"),
            &region.admin,
            json!({ "providerAgb": "12345678", "productGroupCode": "BEG", "year": 2026, "amount": euros, "hard": true }),
        )
        .await;
    assert_eq!(ceiling.status, StatusCode::CREATED, "{}", ceiling.body);
    ceiling.body["id"].as_str().unwrap().to_owned()
}

e2e!(spending_room_holds_under_concurrent_intake, |app| {
    let region = setup(&app).await;
    // 1 h/week all year: 365 / 7 × € 70.00 = € 3,650.00; room for exactly 5.
    let id = spending_room(&app, &region, "18250.00").await;
    let mut sent = Vec::new();
    for number in 9001..9021 {
        let request = app
            .client
            .post(format!("{}{}", app.base, region.path("allocations")))
            .bearer_auth(&region.admin)
            .json(&allocation(number, "02A01", per_week(1)));
        sent.push(tokio::spawn(async move {
            e2e::Reply::read(request.send().await.expect("request")).await
        }));
    }
    let mut created = 0;
    let mut refused = 0;
    for reply in sent {
        let reply = reply.await.unwrap();
        match reply.status {
            StatusCode::CREATED => created += 1,
            StatusCode::UNPROCESSABLE_ENTITY => {
                assert_eq!(reply.body["code"], "ZR-ALLOC-CEILING", "{}", reply.body);
                refused += 1;
            }
            other => panic!("{other}: {}", reply.body),
        }
    }
    assert_eq!((created, refused), (5, 15));
    let got = app
        .get(
            &region.path(&format!("budget-ceilings/{id}")),
            &region.admin,
        )
        .await;
    assert_eq!(got.body["forecast"], "18250.00", "{}", got.body);
    let listed = app.get(&region.path("allocations"), &region.admin).await;
    assert_eq!(listed.body["total"], 5, "{}", listed.body);
});

e2e!(only_a_providers_room_refuses_and_crisis_care_never, |app| {
    let region = setup(&app).await;
    let t = &region.admin;
    // A ceiling of a product group or municipality alone cannot be hard...
    for reach in [
        json!({ "productGroupCode": "BEG" }),
        json!({ "municipalityCbs": "GM0307" }),
        json!({ "productGroupCode": "BEG", "municipalityCbs": "GM0307" }),
    ] {
        let mut body = reach.clone();
        body["year"] = json!(2026);
        body["amount"] = json!("1000.00");
        body["hard"] = json!(true);
        let refused = app.post(&region.path("budget-ceilings"), t, body).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{reach}");
        assert_eq!(refused.body["code"], "ZR-CEILING-HARD-PROVIDER");
    }
    // ... and a soft one steers by signals only: € 1,000.00 on the group,
    // € 3,650.00 allocated, 365 % of it.
    let group = app
        .post(
            &region.path("budget-ceilings"),
            t,
            json!({ "productGroupCode": "BEG", "year": 2026, "amount": "1000.00" }),
        )
        .await;
    assert_eq!(group.status, StatusCode::CREATED, "{}", group.body);
    let group_id = group.body["id"].as_str().unwrap().to_owned();
    let made_hard = app
        .patch(
            &region.path(&format!("budget-ceilings/{group_id}")),
            t,
            json!({ "hard": true }),
        )
        .await;
    assert_eq!(made_hard.body["code"], "ZR-CEILING-HARD-PROVIDER");
    let first = app
        .post(
            &region.path("allocations"),
            t,
            allocation(9101, "02A01", per_week(1)),
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let signals = app
        .get(
            &region.path(&format!("budget-signals?budgetCeilingId={group_id}")),
            t,
        )
        .await;
    let levels: Vec<i64> = signals.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["levelPercent"].as_i64().unwrap())
        .collect();
    assert_eq!(levels, [100, 80, 70], "{}", signals.body);

    // The provider's room of € 5,000.00: € 3,650.00 is used; one more hour a
    // week (€ 7,300.00) is a client stop, named so.
    let room = spending_room(&app, &region, "5000.00").await;
    let stopped = app
        .post(
            &region.path("allocations"),
            t,
            allocation(9102, "02A01", per_week(1)),
        )
        .await;
    assert_eq!(stopped.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(stopped.body["code"], "ZR-ALLOC-CEILING");
    let detail = stopped.body["detail"].as_str().unwrap();
    assert!(
        detail.contains("Client stop") && detail.contains(&room),
        "{detail}"
    );
    // Crisis care is never refused: a crisis product in the same group.
    app.create_all(
        &region,
        &[
            (
                "products",
                json!({ "code": "02K01", "name": "Crisisopvang", "productGroupCode": "BEG", "iwmoCategory": "02", "unit": "hour", "fundingVariant": "effort", "crisis": true }),
            ),
            (
                "tariffs",
                json!({ "productCode": "02K01", "validFrom": "2026-01-01", "price": "70.00" }),
            ),
        ],
    )
    .await;
    let product = app.get(&region.path("products/02K01"), t).await;
    assert_eq!(product.body["crisis"], true, "{}", product.body);
    assert_eq!(
        app.get(&region.path("products/02A01"), t).await.body["crisis"],
        false
    );
    let crisis = app
        .post(
            &region.path("allocations"),
            t,
            allocation(9103, "02K01", per_week(1)),
        )
        .await;
    assert_eq!(crisis.status, StatusCode::CREATED, "{}", crisis.body);
    let got = app
        .get(&region.path(&format!("budget-ceilings/{room}")), t)
        .await;
    assert_eq!(got.body["forecast"], "7300.00", "counted, not refused");
    // A product marked crisis later is never refused either.
    let marked = app
        .patch(&region.path("products/02A01"), t, json!({ "crisis": true }))
        .await;
    assert_eq!(marked.status, StatusCode::OK, "{}", marked.body);
    assert_eq!(marked.body["crisis"], true);
    let now_crisis = app
        .post(
            &region.path("allocations"),
            t,
            allocation(9104, "02A01", per_week(1)),
        )
        .await;
    assert_eq!(
        now_crisis.status,
        StatusCode::CREATED,
        "{}",
        now_crisis.body
    );
});

e2e!(signal_at_seventy_percent_is_consulted, |app| {
    let region = setup(&app).await;
    let t = &region.admin;
    // No budget-alerts policy: 70, 80 and 100 %. € 5,000.00 of room, 1 h/week
    // all year is € 3,650.00 (73 %): the 70 % signal.
    let room = spending_room(&app, &region, "5000.00").await;
    let made = app
        .post(
            &region.path("allocations"),
            t,
            allocation(9201, "02A01", per_week(1)),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let signals = app
        .get(
            &region.path(&format!("budget-signals?budgetCeilingId={room}")),
            t,
        )
        .await;
    assert_eq!(signals.body["total"], 1, "{}", signals.body);
    let signal = &signals.body["items"][0];
    assert_eq!(signal["levelPercent"], 70);
    assert_eq!(signal["kind"], "forecast");
    assert_eq!(signal["spent"], "3650.00");
    assert_eq!(signal["consultedOn"], Value::Null);
    assert_eq!(signal["outcome"], Value::Null);
    let raised: NaiveDate = signal["createdAt"].as_str().unwrap()[..10].parse().unwrap();
    assert_eq!(
        signal["consultBy"],
        (raised + chrono::Days::new(14)).to_string(),
        "consultation within two weeks"
    );
    let id = signal["id"].as_str().unwrap().to_owned();
    let path = region.path(&format!("budget-signals/{id}"));
    // Recorded: the day and the outcome, audited.
    let on = (raised + chrono::Days::new(9)).to_string();
    let consulted = app
        .patch(
            &path,
            t,
            json!({ "consultedOn": on, "outcome": "Room raised to € 8,000.00 from April" }),
        )
        .await;
    assert_eq!(consulted.status, StatusCode::OK, "{}", consulted.body);
    assert_eq!(consulted.body["consultedOn"], on);
    assert_eq!(
        consulted.body["outcome"],
        "Room raised to € 8,000.00 from April"
    );
    let events = app
        .get(
            &region.path(&format!(
                "audit-events?resource=budget-signal&resourceId={id}"
            )),
            t,
        )
        .await;
    assert_eq!(events.body["total"], 1, "{}", events.body);
    // Not before the signal; not without an outcome; not an unknown signal.
    let early = (raised - chrono::Days::new(1)).to_string();
    let before = app
        .patch(&path, t, json!({ "consultedOn": early, "outcome": "x" }))
        .await;
    assert_eq!(
        before.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        before.body
    );
    let empty = app
        .patch(&path, t, json!({ "consultedOn": on, "outcome": " " }))
        .await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST, "{}", empty.body);
    let unknown = app
        .patch(
            &region.path(&format!("budget-signals/{}", uuid::Uuid::nil())),
            t,
            json!({ "consultedOn": on, "outcome": "x" }),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
});

e2e!(
    spending_room_is_pro_rata_from_a_contract_start_in_the_year,
    |app| {
        let region = setup(&app).await;
        let t = &region.admin;
        let contract = app
        .post(
            &region.path("contracts"),
            t,
            json!({ "providerAgb": "22222222", "procurementForm": "sas-tender", "productGroupCodes": ["BEG"], "municipalityCbsCodes": ["GM0307"], "startDate": "2026-07-01", "initialTermMonths": 36 }),
        )
        .await;
        assert_eq!(contract.status, StatusCode::CREATED, "{}", contract.body);
        // € 3,650.00 a year from 1 July: 184 / 365 of it, € 1,840.00.
        let ceiling = app
        .post(
            &region.path("budget-ceilings"),
            t,
            json!({ "providerAgb": "22222222", "year": 2026, "amount": "3650.00", "hard": true }),
        )
        .await;
        assert_eq!(ceiling.status, StatusCode::CREATED, "{}", ceiling.body);
        assert_eq!(ceiling.body["amount"], "3650.00");
        assert_eq!(ceiling.body["room"], "1840.00");
        let id = ceiling.body["id"].as_str().unwrap().to_owned();
        let from_july = |number: i64| {
            let mut body = allocation(number, "02A01", per_week(1));
            body["providerAgb"] = json!("22222222");
            body["startDate"] = json!("2026-07-01");
            body
        };
        // 1 h/week from 1 July: 184 / 7 × € 70.00 = € 1,840.00, the whole room.
        let fits = app
            .post(&region.path("allocations"), t, from_july(9301))
            .await;
        assert_eq!(fits.status, StatusCode::CREATED, "{}", fits.body);
        let got = app
            .get(&region.path(&format!("budget-ceilings/{id}")), t)
            .await;
        assert_eq!(got.body["forecast"], "1840.00");
        assert_eq!(got.body["forecastPercent"], "100");
        let stopped = app
            .post(&region.path("allocations"), t, from_july(9302))
            .await;
        assert_eq!(stopped.body["code"], "ZR-ALLOC-CEILING", "{}", stopped.body);
        assert!(
            stopped.body["detail"].as_str().unwrap().contains("1840.00"),
            "{}",
            stopped.body
        );
        // The other provider, contracted from 1 January, has the whole amount.
        let whole = spending_room(&app, &region, "3650.00").await;
        let got = app
            .get(&region.path(&format!("budget-ceilings/{whole}")), t)
            .await;
        assert_eq!(got.body["room"], "3650.00");
    }
);

e2e!(a_providers_room_may_combine_product_groups, |app| {
    // Contractstandaard Wmo 1.2 art. 1.5: a provider's ceiling per calendar
    // year may combine product groups. Group HH (01A01, € 35.00/h) joins
    // BEG (02A01, € 70.00/h); BW is the third group, outside the ceiling.
    let region = setup(&app).await;
    let t = &region.admin;
    app.create_all(
        &region,
        &[
            (
                "product-groups",
                json!({ "code": "HH", "name": "Huishoudelijke hulp", "law": "wmo" }),
            ),
            (
                "products",
                json!({ "code": "01A01", "name": "Huishoudelijke hulp", "productGroupCode": "HH", "iwmoCategory": "01", "unit": "hour", "fundingVariant": "effort" }),
            ),
            (
                "tariffs",
                json!({ "productCode": "01A01", "validFrom": "2026-01-01", "price": "35.00" }),
            ),
            (
                "contracts",
                json!({ "providerAgb": "12345678", "procurementForm": "sas-tender", "productGroupCodes": ["HH"], "municipalityCbsCodes": ["GM0307"], "startDate": "2026-01-01", "initialTermMonths": 36 }),
            ),
        ],
    )
    .await;
    let ceilings = region.path("budget-ceilings");
    // An empty list: 400; both fields, or an unknown group: 422.
    for (body, status) in [
        (
            json!({ "providerAgb": "12345678", "productGroupCode": "BEG", "productGroupCodes": ["HH"], "year": 2026, "amount": "1.00" }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({ "providerAgb": "12345678", "productGroupCodes": [], "year": 2026, "amount": "1.00" }),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({ "providerAgb": "12345678", "productGroupCodes": ["BEG", "XX"], "year": 2026, "amount": "1.00" }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let refused = app.post(&ceilings, t, body.clone()).await;
        assert_eq!(refused.status, status, "{body}: {}", refused.body);
    }
    // A list of one group is a ceiling of that group.
    let one = app
        .post(
            &ceilings,
            t,
            json!({ "productGroupCodes": ["BW"], "year": 2026, "amount": "100000.00" }),
        )
        .await;
    assert_eq!(one.status, StatusCode::CREATED, "{}", one.body);
    assert_eq!(one.body["productGroupCode"], "BW");
    assert_eq!(one.body["productGroupCodes"], json!(["BW"]));

    let room = app
        .post(
            &ceilings,
            t,
            json!({ "providerAgb": "12345678", "productGroupCodes": ["HH", "BEG"], "year": 2026, "amount": "6000.00", "hard": true }),
        )
        .await;
    assert_eq!(room.status, StatusCode::CREATED, "{}", room.body);
    assert_eq!(room.body["productGroupCode"], Value::Null);
    assert_eq!(room.body["productGroupCodes"], json!(["BEG", "HH"]));
    let id = room.body["id"].as_str().unwrap().to_owned();
    let path = region.path(&format!("budget-ceilings/{id}"));

    // 1 h/week all year of each: € 3,650.00 + € 1,825.00 = € 5,475.00.
    for (number, product) in [(8101, "02A01"), (8102, "01A01")] {
        let made = app
            .post(
                &region.path("allocations"),
                t,
                allocation(number, product, per_week(1)),
            )
            .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    }
    assert_eq!(app.get(&path, t).await.body["forecast"], "5475.00");
    // The third group is not counted (and not refused): 1 day a week of
    // BW0C1 (€ 9,907.14 in the year).
    let third = app
        .post(
            &region.path("allocations"),
            t,
            allocation(
                8103,
                "BW0C1",
                json!({ "amount": 1, "unit": "day", "frequency": "week" }),
            ),
        )
        .await;
    assert_eq!(third.status, StatusCode::CREATED, "{}", third.body);
    assert_eq!(app.get(&path, t).await.body["forecast"], "5475.00");
    // Another hour a week of HH (€ 1,825.00) takes the sum to € 7,300.00,
    // over the room of € 6,000.00: a client stop.
    let stopped = app
        .post(
            &region.path("allocations"),
            t,
            allocation(8104, "01A01", per_week(1)),
        )
        .await;
    assert_eq!(stopped.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(stopped.body["code"], "ZR-ALLOC-CEILING");
    assert!(
        stopped.body["detail"].as_str().unwrap().contains(&id),
        "{}",
        stopped.body
    );

    // January delivered: 4 h of BEG (€ 280.00) and 4 h of HH (€ 140.00)
    // are spend of the ceiling; 4 days of BW (€ 760.00) are not. What
    // remains is committed from 1 February (334 days): € 3,340.00 +
    // € 1,670.00.
    let batch = app
        .declare(
            &region,
            t,
            "groups-1",
            json!([
                line(8101, "02A01", "2026-01-01", "2026-01-31", 4),
                line(8102, "01A01", "2026-01-01", "2026-01-31", 4),
                line(8103, "BW0C1", "2026-01-01", "2026-01-31", 4),
            ]),
        )
        .await;
    assert_eq!(reason_codes(&batch), ["-", "-", "-"]);
    let got = app.get(&path, t).await.body;
    assert_eq!(got["spent"], "420.00", "{got}");
    assert_eq!(got["committed"], "5010.00");
    assert_eq!(got["forecast"], "5430.00");
    // Counted again from the spend rollups (a change of the amount), and a
    // ceiling set after the spend starts from it: the same two groups.
    let changed = app.patch(&path, t, json!({ "amount": "6500.00" })).await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(changed.body["spent"], "420.00");
    let later = app
        .post(
            &ceilings,
            t,
            json!({ "productGroupCodes": ["BEG", "HH"], "municipalityCbs": "GM0307", "year": 2026, "amount": "100000.00" }),
        )
        .await;
    assert_eq!(later.status, StatusCode::CREATED, "{}", later.body);
    assert_eq!(later.body["spent"], "420.00");
    assert_eq!(later.body["forecast"], "5430.00");
    // Deleting the ceiling takes its groups with it.
    let gone = app.delete(&path, t).await;
    assert!(gone.status.is_success(), "{}", gone.body);
});
