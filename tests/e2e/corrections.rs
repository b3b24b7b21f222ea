//! Issue 27's declaration rules, end to end: counts that survive
//! corrections (a credit takes a client out of the months it empties) and
//! the absence day paid instead of the day product (seed 000 §4.1).

use super::*;
use e2e::{bsn, wait_for_job, Region};

/// GM0202, group BEG with 02A01 (€ 60.00/h), provider 11111111 contracted
/// since 2024, and allocations 1, 2, 3 for clients 1, 2, 3 in 2025.
async fn setup(app: &TestApp) -> Region {
    let region = app.new_region().await;
    let t = &region.admin;
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
        ],
    )
    .await;
    for number in 1..=3u32 {
        let body = json!({
            "allocationNumber": number, "clientBsn": bsn(number), "municipalityCbs": "GM0202", "productCode": "02A01",
            "providerAgb": "11111111", "startDate": "2025-01-01", "endDate": "2025-12-31", "volume": { "amount": 4, "unit": "hour", "frequency": "week" }
        });
        let reply = app.post(&region.path("allocations"), t, body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    }
    region
}

/// A whole month's line of allocation `number` under `reference`.
fn month_line(number: u32, month: &str, last: &str, reference: &str) -> Value {
    json!({ "allocationNumber": number, "productCode": "02A01", "periodStart": format!("2025-{month}-01"),
            "periodEnd": format!("2025-{month}-{last}"), "deliveredVolume": 4, "referenceNumber": reference })
}

fn credit(number: u32, reference: &str, debit: &str) -> Value {
    let mut line = month_line(number, "06", "30", reference);
    line["debitCredit"] = json!("credit");
    line["previousReferenceNumber"] = json!(debit);
    line
}

/// The report's clients for `from`..`to`: (BEG's, GM0202's, the trends'
/// in the period's last month).
async fn report_clients(
    app: &TestApp,
    region: &Region,
    from: &str,
    to: &str,
) -> (Value, Value, Value) {
    let t = &region.admin;
    let made = app
        .post(
            &region.path("reports"),
            t,
            json!({ "from": from, "to": to }),
        )
        .await;
    assert_eq!(made.status, StatusCode::ACCEPTED, "{}", made.body);
    let job = wait_for_job(app, region, made.body["jobId"].as_str().unwrap()).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    let report = app
        .get(
            &region.path(&format!("reports/{}", made.body["id"].as_str().unwrap())),
            t,
        )
        .await;
    let content = &report.body["content"];
    let trends = content["trends"].as_array().unwrap();
    (
        content["productGroups"][0]["clients"].clone(),
        content["municipalities"][0]["clients"].clone(),
        trends[trends.len() - 1]["clients"].clone(),
    )
}

/// The region's `declared_clients` rows, sorted.
async fn client_months(app: &TestApp, region: &Region) -> Vec<(i32, i64, i32)> {
    use entities::{schema::declared_client, TenantEntity};
    use sea_orm::QuerySelect;
    let scope = entities::RegionScope::new(app.region_id(&region.code).await);
    let mut rows: Vec<(i32, i64, i32)> = declared_client::Entity::scoped(&scope)
        .select_only()
        .column(declared_client::Column::Year)
        .column(declared_client::Column::ClientNumber)
        .column(declared_client::Column::MonthsMask)
        .into_tuple()
        .all(&app.state.db)
        .await
        .unwrap();
    rows.sort();
    rows
}

// Client 1's only June care is credited: out of June. Client 2 has a
// second June debit that stands: stays. Client 3 keeps July.
e2e!(
    a_credit_takes_the_client_out_of_the_months_it_empties,
    |app| {
        let region = setup(&app).await;
        let t = &region.admin;
        let debits = app
        .declare(
            &region,
            t,
            "debits",
            json!([
                month_line(1, "06", "30", "R1"),
                month_line(2, "06", "30", "R2"),
                { "allocationNumber": 2, "productCode": "02A01", "periodStart": "2025-06-10", "periodEnd": "2025-06-20", "deliveredVolume": 2 },
                month_line(3, "06", "30", "R3"),
                month_line(3, "07", "31", "R4"),
            ]),
        )
        .await;
        assert_eq!(debits.body["approvedCount"], 5, "{}", debits.body);
        assert_eq!(
            report_clients(&app, &region, "2025-06-01", "2025-06-30").await,
            (json!(3), json!(3), json!(3))
        );

        let credits = app
            .declare(
                &region,
                t,
                "credits",
                json!([
                    credit(1, "C1", "R1"),
                    credit(2, "C2", "R2"),
                    credit(3, "C3", "R3")
                ]),
            )
            .await;
        assert_eq!(credits.body["approvedCount"], 3, "{}", credits.body);
        // June: client 2 only (its plain debit stands); July: client 3.
        assert_eq!(
            report_clients(&app, &region, "2025-06-01", "2025-06-30").await,
            (json!(1), json!(1), json!(1))
        );
        assert_eq!(
            report_clients(&app, &region, "2025-07-01", "2025-07-31").await,
            (json!(1), json!(1), json!(1))
        );
        assert_eq!(
            report_clients(&app, &region, "2025-01-01", "2025-12-31")
                .await
                .0,
            json!(2)
        );

        // The outflow check (seed 004 §6) counts 2 clients of 11111111 in 2025, not 3.
        let policy = json!({ "minClients": 3, "window": "calendar-year", "level": "region", "count": "approved-declarations", "graceForNewContracts": false });
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
                json!({ "asOf": "2026-01-15" }),
            )
            .await;
        assert_eq!(created.status, StatusCode::ACCEPTED, "{}", created.body);
        let job = wait_for_job(&app, &region, created.body["jobId"].as_str().unwrap()).await;
        assert_eq!(job["status"], "succeeded", "{job}");
        let id = created.body["id"].as_str().unwrap();
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
        assert_eq!(found, [("11111111", 2, "below-threshold")]);

        // June (bit 5) is gone for client 1, whose row goes; client 2 keeps
        // June, client 3 July (bit 6) only.
        let kept = client_months(&app, &region).await;
        let mut masks: Vec<i32> = kept.iter().map(|r| r.2).collect();
        masks.sort();
        assert_eq!(masks, [0b10_0000, 0b100_0000], "{kept:?}");

        // A rebuild from the lines (on a fresh SQLite file, where every
        // region is this test's) gives the same rows.
        if app.state.db.get_database_backend() == sea_orm::DbBackend::Sqlite {
            use entities::{
                schema::{declared_client, group_spend_rollup, spend_rollup, yearly_spend_rollup},
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
            migration::backfill_rollups(db).await.unwrap();
            assert_eq!(client_months(&app, &region).await, kept);
        }
    }
);

// Seed 000 §4.1: an absence day (product E) is paid instead of the day
// product, never beside it. The client has BW0A1 (day) and BW0E1 (absence
// day) on two allocations; the region's absence-day policy links them.
e2e!(an_absence_day_is_not_paid_beside_the_day_product, |app| {
    let region = app.new_region().await;
    let t = &region.admin;
    app.create_all(
        &region,
        &[
            (
                "municipalities",
                json!({ "cbsCode": "GM0202", "name": "Arnhem" }),
            ),
            (
                "product-groups",
                json!({ "code": "BW", "name": "Beschermd Wonen", "law": "wmo" }),
            ),
            (
                "products",
                json!({ "code": "BW0A1", "name": "Zelfstandig Beschermd Thuis", "productGroupCode": "BW", "iwmoCategory": "07", "unit": "day", "fundingVariant": "effort" }),
            ),
            (
                "products",
                json!({ "code": "BW0E1", "name": "Afwezigheidsdag", "productGroupCode": "BW", "iwmoCategory": "07", "unit": "day", "fundingVariant": "effort" }),
            ),
            (
                "tariffs",
                json!({ "productCode": "BW0A1", "validFrom": "2025-01-01", "price": "96.50" }),
            ),
            (
                "tariffs",
                json!({ "productCode": "BW0E1", "validFrom": "2025-01-01", "price": "50.00" }),
            ),
            (
                "providers",
                json!({ "agbCode": "11111111", "kvkNumber": "11111111", "name": "Provider A" }),
            ),
            (
                "contracts",
                json!({ "providerAgb": "11111111", "procurementForm": "open-house", "productGroupCodes": ["BW"], "municipalityCbsCodes": ["GM0202"], "startDate": "2025-01-01", "initialTermMonths": 48 }),
            ),
        ],
    )
    .await;
    for (number, product) in [(10, "BW0A1"), (11, "BW0E1")] {
        let body = json!({
            "allocationNumber": number, "clientBsn": bsn(1), "municipalityCbs": "GM0202", "productCode": product,
            "providerAgb": "11111111", "startDate": "2025-01-01", "endDate": "2025-12-31", "volume": { "amount": 1, "unit": "day", "frequency": "day" }
        });
        let reply = app.post(&region.path("allocations"), t, body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    }
    let policy = app
        .put_admin(
            &region,
            "policies/absence-day/BW0E1",
            json!({ "replaces": ["BW0A1"] }),
        )
        .await;
    assert_eq!(policy.status, StatusCode::OK, "{}", policy.body);
    let unknown = app
        .put_admin(
            &region,
            "policies/absence-day/NOPE",
            json!({ "replaces": ["BW0A1"] }),
        )
        .await;
    assert_eq!(
        unknown.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        unknown.body
    );
    let empty = app
        .put_admin(
            &region,
            "policies/absence-day/BW0E1",
            json!({ "replaces": [] }),
        )
        .await;
    assert_eq!(
        empty.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        empty.body
    );

    let day = |number: i64, product: &str, date: &str| json!({ "allocationNumber": number, "productCode": product, "periodStart": date, "periodEnd": date, "deliveredVolume": 1 });
    let batch = app
        .declare(
            &region,
            t,
            "days",
            json!([
                day(10, "BW0A1", "2025-03-10"), // the day product: 96.50
                day(11, "BW0E1", "2025-03-10"), // absent the same day → ZR11
                day(11, "BW0E1", "2025-03-11"), // absent the next day: 50.00
            ]),
        )
        .await;
    assert_eq!(batch.status, StatusCode::CREATED, "{}", batch.body);
    let verdicts: Vec<(&str, &str)> = batch.body["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["reasonCode"].as_str().unwrap_or("-"),
                l["amount"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    assert_eq!(verdicts, [("-", "96.50"), ("ZR11", "-"), ("-", "50.00")]);
    // A later batch meets the approved lines: the day product on the 11th
    // is refused beside its absence day, the 12th is paid.
    let later = app
        .declare(
            &region,
            t,
            "days-later",
            json!([
                day(10, "BW0A1", "2025-03-11"),
                day(10, "BW0A1", "2025-03-12")
            ]),
        )
        .await;
    let codes: Vec<&str> = later.body["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["reasonCode"].as_str().unwrap_or("-"))
        .collect();
    assert_eq!(codes, ["ZR11", "-"], "{}", later.body);
});
