//! A report's cut-off (issue 28, "A cut-off date"): only allocations made
//! and declaration batches recorded by `asOf` count, so the same report
//! made again later gives the same figures.

use super::*;
use e2e::{bsn, wait_for_job, Region};

/// GM0202, group BEG with 02A01 (€ 60.00/h), provider 11111111 contracted
/// since 2024 with a ceiling of € 10,000 in 2025, and allocations 1 and 2
/// for clients 1 and 2 in 2025.
async fn setup(app: &TestApp) -> Region {
    let region = app.new_region().await;
    app.create_all(
        &region,
        &[
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
                "tariffs",
                json!({ "productCode": "02A01", "validFrom": "2024-01-01", "price": "60.00" }),
            ),
            (
                "providers",
                json!({ "agbCode": "11111111", "kvkNumber": "11111111", "name": "Provider A" }),
            ),
            (
                "contracts",
                json!({ "providerAgb": "11111111", "procurementForm": "open-house", "productGroupCodes": ["BEG"], "municipalityCbsCodes": ["GM0202"], "startDate": "2024-01-01", "initialTermMonths": 48 }),
            ),
            (
                "budget-ceilings",
                json!({ "providerAgb": "11111111", "year": 2025, "amount": "10000.00" }),
            ),
        ],
    )
    .await;
    for number in 1..=2u32 {
        allocate(app, &region, number).await;
    }
    region
}

async fn allocate(app: &TestApp, region: &Region, number: u32) {
    let body = json!({
        "allocationNumber": number, "clientBsn": bsn(number), "municipalityCbs": "GM0202", "productCode": "02A01",
        "providerAgb": "11111111", "startDate": "2025-01-01", "endDate": "2025-12-31", "volume": { "amount": 4, "unit": "hour", "frequency": "week" }
    });
    let reply = app
        .post(&region.path("allocations"), &region.admin, body)
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
}

/// 4 hours (€ 240.00) of allocation `number` in `month` of 2025.
fn line(number: u32, month: &str, last: &str, reference: &str) -> Value {
    json!({ "allocationNumber": number, "productCode": "02A01", "periodStart": format!("2025-{month}-01"),
            "periodEnd": format!("2025-{month}-{last}"), "deliveredVolume": 4, "referenceNumber": reference })
}

/// Makes the 2025 report with `body`'s extra fields; gives the report.
async fn report(app: &TestApp, region: &Region, extra: Value) -> Value {
    let mut body = json!({ "from": "2025-01-01", "to": "2025-12-31" });
    for (key, value) in extra.as_object().unwrap() {
        body[key] = value.clone();
    }
    let made = app.post(&region.path("reports"), &region.admin, body).await;
    assert_eq!(made.status, StatusCode::ACCEPTED, "{}", made.body);
    let job = wait_for_job(app, region, made.body["jobId"].as_str().unwrap()).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    let id = made.body["id"].as_str().unwrap();
    app.get(&region.path(&format!("reports/{id}")), &region.admin)
        .await
        .body
}

/// (BEG's amount, BEG's clients, GM0202's allocations, the ceiling's
/// spend, July's spend and June's clients in the trends).
fn figures(content: &Value) -> (Value, Value, Value, Value, Value, Value) {
    let trends = content["trends"].as_array().unwrap();
    let month = |m: &str| trends.iter().find(|t| t["month"] == m).unwrap().clone();
    (
        content["productGroups"][0]["approvedAmount"].clone(),
        content["productGroups"][0]["clients"].clone(),
        content["municipalities"][0]["allocations"].clone(),
        content["budgetCeilings"][0]["spent"].clone(),
        month("2025-07")["spend"].clone(),
        month("2025-06")["clients"].clone(),
    )
}

// June's lines of clients 1 and 2 are recorded before the cut-off. After
// it: allocation 3 (client 3) is made, client 1's June is credited (which
// empties the month), client 2 gets July and client 3 June.
e2e!(a_report_counts_what_was_recorded_by_its_cut_off, |app| {
    let region = setup(&app).await;
    let t = &region.admin;
    let before = app
        .declare(
            &region,
            t,
            "before",
            json!([line(1, "06", "30", "R1"), line(2, "06", "30", "R2")]),
        )
        .await;
    assert_eq!(before.status, StatusCode::CREATED, "{}", before.body);
    let cut = before.body["createdAt"].as_str().unwrap().to_owned();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    allocate(&app, &region, 3).await;
    let mut credit = line(1, "06", "30", "C1");
    credit["debitCredit"] = json!("credit");
    credit["previousReferenceNumber"] = json!("R1");
    let after = app
        .declare(
            &region,
            t,
            "after",
            json!([credit, line(2, "07", "31", "R3"), line(3, "06", "30", "R4")]),
        )
        .await;
    assert_eq!(after.body["approvedCount"], 3, "{}", after.body);
    // A change after the cut-off: allocation 1 stopped at the end of March
    // (the audit trail keeps its end before the stop).
    let stopped = app
        .post(
            &region.path("allocations/1/stop"),
            t,
            json!({ "stoppedOn": "2025-03-31", "reason": "Moved away" }),
        )
        .await;
    assert!(stopped.status.is_success(), "{}", stopped.body);

    let at_cut = report(&app, &region, json!({ "asOf": cut })).await;
    let shown: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(at_cut["asOf"].clone()).unwrap();
    assert_eq!(shown, cut.parse::<chrono::DateTime<chrono::Utc>>().unwrap());
    let content = &at_cut["content"];
    assert_eq!(
        figures(content),
        (
            json!("480.00"),
            json!(2),
            json!(2),
            json!("480.00"),
            json!("0.00"),
            json!(2)
        ),
        "{content}"
    );
    // At the cut-off both allocations ran all year: in in January, out in
    // December, 365 days each.
    let flow = |month: &str, inflow: u32, outflow: u32| {
        json!({ "productGroupCode": "BEG", "municipalityCbs": "GM0202", "month": month,
                "inflow": inflow, "outflow": outflow, "throughflow": 0 })
    };
    assert_eq!(
        content["clientFlows"],
        json!([flow("2025-01", 2, 0), flow("2025-12", 0, 2)])
    );
    assert_eq!(
        content["durations"][0],
        json!({ "productGroupCode": "BEG", "ended": 2, "medianDays": "365.00", "meanDays": "365.00" })
    );
    // Now: 480 − 240 + 240 + 240; client 1 left June, client 3 came.
    let now = report(&app, &region, json!({})).await;
    assert!(now["asOf"].is_string(), "by default the request's moment");
    assert_eq!(
        figures(&now["content"]),
        (
            json!("720.00"),
            json!(2),
            json!(3),
            json!("720.00"),
            json!("240.00"),
            json!(2)
        )
    );
    // Now client 1 leaves in March; clients 2 and 3 in December.
    assert_eq!(
        now["content"]["clientFlows"],
        json!([
            flow("2025-01", 3, 0),
            flow("2025-03", 0, 1),
            flow("2025-12", 0, 2)
        ])
    );
    // A batch recorded later still leaves the cut-off's figures alone.
    let later = app
        .declare(&region, t, "later", json!([line(2, "08", "31", "R5")]))
        .await;
    assert_eq!(later.status, StatusCode::CREATED, "{}", later.body);
    let again = report(&app, &region, json!({ "asOf": cut })).await;
    assert_eq!(&again["content"], content);
    // The rebuild of the rollups gives the same figures at the cut-off.
    if app.state.db.get_database_backend() == sea_orm::DbBackend::Sqlite {
        use entities::{
            schema::{
                declared_client, group_spend_rollup, referrer_spend_rollup, spend_rollup,
                yearly_spend_rollup,
            },
            TenantEntity,
        };
        let scope = entities::RegionScope::new(app.region_id(&region.code).await);
        let db = &app.state.db;
        spend_rollup::Entity::delete_scoped(&scope)
            .exec(db)
            .await
            .unwrap();
        declared_client::Entity::delete_scoped(&scope)
            .exec(db)
            .await
            .unwrap();
        yearly_spend_rollup::Entity::delete_scoped(&scope)
            .exec(db)
            .await
            .unwrap();
        group_spend_rollup::Entity::delete_scoped(&scope)
            .exec(db)
            .await
            .unwrap();
        referrer_spend_rollup::Entity::delete_scoped(&scope)
            .exec(db)
            .await
            .unwrap();
        migration::backfill_rollups(db).await.unwrap();
        let rebuilt = report(&app, &region, json!({ "asOf": cut })).await;
        assert_eq!(&rebuilt["content"], content);
    }

    // Not in the future (a rule: 422), and a moment with its offset (400).
    let future = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let refused = app
        .post(
            &region.path("reports"),
            t,
            json!({ "from": "2025-01-01", "to": "2025-12-31", "asOf": future }),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert_eq!(refused.error_fields(), ["asOf"]);
    let day = app
        .post(
            &region.path("reports"),
            t,
            json!({ "from": "2025-01-01", "to": "2025-12-31", "asOf": "2025-12-31" }),
        )
        .await;
    assert_eq!(day.status, StatusCode::BAD_REQUEST, "{}", day.body);
    assert_eq!(day.error_fields(), ["asOf"]);
    // A cut-off before anything was recorded: nothing counts.
    let empty = report(
        &app,
        &region,
        json!({ "asOf": "2020-01-01T00:00:00+01:00" }),
    )
    .await;
    assert_eq!(
        figures(&empty["content"]),
        (
            json!("0.00"),
            json!(0),
            json!(0),
            json!("0.00"),
            json!("0.00"),
            json!(0)
        )
    );
});
