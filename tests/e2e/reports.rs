//! Monitoring reports end to end: JSON, CSV in a zip, XLSX.

use super::*;
use e2e::{bsn, wait_for_job, Region};

/// 2025 in GM0202 (100,000 inhabitants): BEG (€ 50.00/h) served by P1 (c1
/// 10 h, c2 6 h), P2 (c3 4 h), P3 (c4 4 h), P4 (c5 2 h); JAB contracted, no
/// clients. c1 moves from P1 to P2 on 1 July. P4's contract ends 2026-05-31.
async fn setup(app: &TestApp) -> Region {
    let region = app.new_region().await;
    let t = &region.admin;
    let mut posts = vec![
        (
            "municipalities",
            json!({ "cbsCode": "GM0202", "name": "Arnhem", "population": [{ "year": 2025, "inhabitants": 100000 }] }),
        ),
        (
            "product-groups",
            json!({ "code": "BEG", "name": "Individuele begeleiding", "law": "wmo" }),
        ),
        (
            "product-groups",
            json!({ "code": "JAB", "name": "Ambulante begeleiding", "law": "jeugdwet" }),
        ),
        (
            "products",
            json!({ "code": "02A01", "name": "Begeleiding", "productGroupCode": "BEG", "iwmoCategory": "02", "unit": "hour", "fundingVariant": "effort" }),
        ),
        (
            "tariffs",
            json!({ "productCode": "02A01", "validFrom": "2025-01-01", "price": "50.00" }),
        ),
    ];
    for (n, agb) in ["11111111", "22222222", "33333333", "44444444"]
        .iter()
        .enumerate()
    {
        posts.push((
            "providers",
            json!({ "agbCode": agb, "kvkNumber": agb, "name": format!("P{}", n + 1) }),
        ));
        let (start, months) = if n == 3 {
            ("2025-06-01", 12)
        } else {
            ("2024-01-01", 48)
        };
        posts.push(("contracts", json!({ "providerAgb": agb, "procurementForm": "open-house", "productGroupCodes": ["BEG", "JAB"], "municipalityCbsCodes": ["GM0202"], "startDate": start, "initialTermMonths": months })));
    }
    app.create_all(&region, &posts).await;
    let allocations = [
        (1, 1, "11111111", "2025-01-01"),
        (2, 2, "11111111", "2025-01-01"),
        (3, 3, "22222222", "2025-01-01"),
        (4, 4, "33333333", "2025-01-01"),
        (5, 5, "44444444", "2025-06-01"),
        (6, 1, "22222222", "2025-07-01"),
    ];
    for (number, client, agb, start) in allocations {
        let body = json!({ "allocationNumber": number, "clientBsn": bsn(client), "municipalityCbs": "GM0202", "productCode": "02A01", "providerAgb": agb,
            "startDate": start, "endDate": "2025-12-31", "volume": { "amount": 4, "unit": "hour", "frequency": "week" } });
        let reply = app.post(&region.path("allocations"), t, body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    }
    app.post(
        &region.path("budget-ceilings"),
        t,
        json!({ "providerAgb": "11111111", "year": 2025, "amount": "10000.00" }),
    )
    .await;
    app.post(
        &region.path("allocations/1/stop"),
        t,
        json!({ "stoppedOn": "2025-06-30", "reason": "Moves to P2" }),
    )
    .await;
    let line = |n: i64, hours: i64| json!({ "allocationNumber": n, "productCode": "02A01", "periodStart": "2025-06-01", "periodEnd": "2025-06-30", "deliveredVolume": hours });
    let lines = json!([line(1, 10), line(2, 6), line(3, 4), line(4, 4), line(5, 2)]);
    let response = app
        .client
        .post(format!("{}{}", app.base, region.path("declarations")))
        .bearer_auth(t)
        .header("Idempotency-Key", "r-1")
        .json(&json!({ "lines": lines }))
        .send()
        .await
        .unwrap();
    let batch: Value = response.json().await.unwrap();
    assert_eq!(batch["approvedAmount"], "1300.00", "{batch}");
    region
}

e2e!(a_report_is_made_and_downloaded, |app| {
    let region = setup(&app).await;
    let t = &region.admin;
    // The register: 44444444's Bibob check lapsed within the year.
    let check = app
        .post(
            &region.path("providers/44444444/compliance-checks"),
            t,
            json!({ "kind": "integrity", "outcome": "passed", "checkedOn": "2023-07-01", "validUntil": "2025-06-30" }),
        )
        .await;
    assert_eq!(check.status, StatusCode::CREATED, "{}", check.body);
    let framework = app
        .put_admin(
            &region,
            "budget-frameworks/GM0202/wmo/2025",
            json!({ "amount": "250000.00" }),
        )
        .await;
    assert!(framework.status.is_success(), "{}", framework.body);
    // Table 1's shares need 2 clients here (the default 50 would make them n.v.t.).
    let market = app
        .put_admin(
            &region,
            "policies/market-concentration/region",
            json!({ "minClients": 2 }),
        )
        .await;
    assert!(market.status.is_success(), "{}", market.body);
    let created = app
        .post(
            &region.path("reports"),
            t,
            json!({ "from": "2025-01-01", "to": "2025-12-31" }),
        )
        .await;
    assert_eq!(created.status, StatusCode::ACCEPTED, "{}", created.body);
    let job = wait_for_job(&app, &region, created.body["jobId"].as_str().unwrap()).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    let id = created.body["id"].as_str().unwrap().to_owned();
    let report = app.get(&region.path(&format!("reports/{id}")), t).await;
    assert_eq!(report.body["status"], "done");
    let content = &report.body["content"];
    let beg = &content["productGroups"][0];
    assert_eq!(beg["productGroupCode"], "BEG");
    assert_eq!(beg["approvedAmount"], "1300.00");
    assert_eq!(beg["contractedProviders"], 4);
    assert_eq!(beg["providersWithClients"], 4);
    assert_eq!(beg["clients"], 5);
    // top 3: 800 + 200 + 200 (P2 and P3 tie) of 1300 = 92.307…% → 92.31
    assert_eq!(beg["top3Share"], "92.31");
    assert_eq!(beg["top3ShareNotApplicable"], Value::Null);
    assert_eq!(beg["top10Share"], Value::Null);
    assert_eq!(beg["top10ShareNotApplicable"], "few-providers");
    // Allocations recorded after their care began wait 0 days.
    let waits = content["waitingTimes"].as_array().unwrap();
    let by_group = waits
        .iter()
        .find(|w| w["dimension"] == "product-group")
        .unwrap();
    assert_eq!(
        (
            &by_group["code"],
            &by_group["allocations"],
            &by_group["medianDays"],
            &by_group["p90Days"]
        ),
        (&json!("BEG"), &json!(6), &json!("0.00"), &json!(0))
    );
    // In clients: four start in January; in June client 5 comes in and
    // client 1 moves from P1 to P2 (throughflow, not out and in again);
    // all five leave in December.
    let row = |month: &str, inflow: u32, outflow: u32, throughflow: u32| {
        json!({ "productGroupCode": "BEG", "municipalityCbs": "GM0202", "month": month,
                "inflow": inflow, "outflow": outflow, "throughflow": throughflow })
    };
    assert_eq!(
        content["clientFlows"],
        json!([
            row("2025-01", 4, 0, 0),
            row("2025-06", 1, 0, 1),
            row("2025-12", 0, 5, 0)
        ])
    );
    // The trends: 24 months up to December 2025, the year's spend in them.
    let trends = content["trends"].as_array().unwrap();
    assert_eq!(trends.len(), 24);
    assert_eq!(
        (&trends[0]["month"], &trends[23]["month"]),
        (&json!("2024-01"), &json!("2025-12"))
    );
    let cents: i64 = trends
        .iter()
        .map(|t| (t["spend"].as_str().unwrap().parse::<f64>().unwrap() * 100.0).round() as i64)
        .sum();
    assert_eq!(cents, 130_000);
    assert!(trends.iter().any(|t| t["clients"].as_u64().unwrap() > 0));
    // June: 26 approved hours (10 + 6 + 4 + 4 + 2) for the clients with a
    // line, all of them new that month and gone the month after.
    let june = trends.iter().find(|t| t["month"] == "2025-06").unwrap();
    let clients = june["clients"].as_u64().unwrap();
    assert_eq!(clients, 5, "{june}");
    assert_eq!(
        (
            &june["hours"],
            &june["hoursPerClient"],
            &june["inflow"],
            &june["outflow"]
        ),
        (&json!("26.00"), &json!("5.20"), &json!(5), &json!(5)),
        "{june}"
    );
    assert_eq!(
        trends[23]["outflow"],
        Value::Null,
        "December's next month is not declared yet"
    );
    assert_eq!(content["durations"][0]["productGroupCode"], "BEG");
    assert_eq!(content["durations"][0]["ended"], 6);
    let arnhem = &content["municipalities"][0];
    assert_eq!(
        (&arnhem["wmoSpend"], &arnhem["jeugdwetSpend"]),
        (&json!("1300.00"), &json!("0.00"))
    );
    assert_eq!(arnhem["wmoFramework"], "250000.00");
    let jab = &content["productGroups"][1];
    assert_eq!(
        (
            jab["law"].as_str(),
            jab["approvedAmount"].as_str(),
            jab["providersWithClients"].as_i64()
        ),
        (Some("jeugdwet"), Some("0.00"), Some(0))
    );
    let arnhem = &content["municipalities"][0];
    assert_eq!(arnhem["spend"], "1300.00");
    assert_eq!(arnhem["spendPerInhabitant"], "0.01");
    assert_eq!(arnhem["allocations"], 6);
    assert_eq!(
        content["flows"],
        json!({ "inflow": 6, "outflow": 6, "throughflow": 1 })
    );
    assert_eq!(content["budgetCeilings"][0]["usedPercent"], "8.00");
    assert_eq!(content["contractsEnding"][0]["providerAgb"], "44444444");
    assert_eq!(content["contractsEnding"][0]["endsOn"], "2026-05-31");
    assert_eq!(
        content["compliance"],
        json!([{ "providerAgb": "44444444", "kind": "integrity", "standing": "expired", "checkedOn": "2023-07-01", "validUntil": "2025-06-30" }])
    );

    let download = |format: &'static str| {
        let url = format!(
            "{}{}",
            app.base,
            region.path(&format!("reports/{id}?format={format}"))
        );
        app.client.get(url).bearer_auth(t).send()
    };
    let zip = download("csv").await.unwrap();
    assert_eq!(zip.headers()["content-type"], "application/zip");
    let bytes = zip.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK"), "a zip file");
    assert!(bytes.windows(18).any(|w| w == b"product-groups.csv"));
    // For Dutch Excel: Table 1 as seed 002 prints it.
    let excel = download("csv-excel").await.unwrap();
    let table1 = unzipped(&excel.bytes().await.unwrap(), "Tabel 1.csv");
    assert!(
        table1.starts_with("\u{feff}Wet;Perceel;Goedgekeurd bedrag;Ingeschreven aanbieders;Aantal cliënten;Aandeel top-3;Aandeel top-10\n"),
        "{table1}"
    );
    assert!(
        table1.contains("Wmo 2015;Individuele begeleiding;1300,00;4;5;92,31%;n.v.t.\n"),
        "{table1}"
    );
    let xlsx = download("xlsx").await.unwrap();
    assert!(xlsx.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("spreadsheetml"));
    let workbook = xlsx.bytes().await.unwrap();
    let strings = unzipped(&workbook, "xl/sharedStrings.xml");
    for text in ["Goedgekeurd bedrag", "Aandeel top-10", "n.v.t.", "Wmo 2015"] {
        assert!(strings.contains(text), "{text}: {strings}");
    }
    let first = unzipped(&workbook, "xl/worksheets/sheet1.xml");
    assert!(
        first.contains(r#"ySplit="1""#),
        "a frozen header row: {first}"
    );
    assert!(unzipped(&workbook, "xl/styles.xml").contains("€ #,##0.00"));
    assert!(unzipped(&workbook, "xl/workbook.xml").contains(r#"name="Tabel 1""#));
    assert_eq!(
        download("pdf").await.unwrap().status(),
        StatusCode::BAD_REQUEST
    );

    let other = app.new_region().await;
    assert_eq!(
        app.get(&other.path(&format!("reports/{id}")), &other.admin)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&region.path(&format!("reports/{id}")), &other.admin)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let access = app.token(&region.code, Role::AccessTeam);
    assert_eq!(
        app.get(&region.path("reports"), &access).await.status,
        StatusCode::FORBIDDEN
    );

    let bad = app
        .post(
            &region.path("reports"),
            t,
            json!({ "from": "2025-12-01", "to": "2025-01-31" }),
        )
        .await;
    assert_eq!(bad.error_fields(), ["to"]);
    // Reports read monthly rollups: whole months only.
    let partial = app
        .post(
            &region.path("reports"),
            t,
            json!({ "from": "2025-01-02", "to": "2025-01-30" }),
        )
        .await;
    assert_eq!(partial.error_fields(), ["from", "to"]);

    // A period's whole years come from the yearly cells, its other months
    // from the monthly ones: each euro once, whatever the period's shape.
    for ((from, to), amount) in [
        (("2024-12-01", "2025-12-31"), "1300.00"),
        (("2025-01-01", "2026-02-28"), "1300.00"),
        (("2025-06-01", "2025-06-30"), "1300.00"),
        (("2025-07-01", "2025-12-31"), "0.00"),
        (("2024-01-01", "2024-12-31"), "0.00"),
    ] {
        let made = app
            .post(
                &region.path("reports"),
                t,
                json!({ "from": from, "to": to }),
            )
            .await;
        assert_eq!(made.status, StatusCode::ACCEPTED, "{}", made.body);
        wait_for_job(&app, &region, made.body["jobId"].as_str().unwrap()).await;
        let shaped = app
            .get(
                &region.path(&format!("reports/{}", made.body["id"].as_str().unwrap())),
                t,
            )
            .await;
        let content = &shaped.body["content"];
        assert_eq!(
            (
                &content["productGroups"][0]["approvedAmount"],
                &content["municipalities"][0]["spend"]
            ),
            (&json!(amount), &json!(amount)),
            "{from} to {to}"
        );
    }

    // The monthly schedule (on a fresh SQLite file, where every region is this test's).
    if app.state.db.get_database_backend() == sea_orm::DbBackend::Sqlite {
        // Rollups rebuilt from the lines (the migration's backfill) give the
        // same report as the ones kept up to date batch by batch.
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
        let again = app
            .post(
                &region.path("reports"),
                t,
                json!({ "from": "2025-01-01", "to": "2025-12-31" }),
            )
            .await;
        wait_for_job(&app, &region, again.body["jobId"].as_str().unwrap()).await;
        let rebuilt = app
            .get(
                &region.path(&format!("reports/{}", again.body["id"].as_str().unwrap())),
                t,
            )
            .await;
        assert_eq!(&rebuilt.body["content"], content);

        let first = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let started =
            worker::schedule::start_monthly_reports(&app.state.db, &app.state.queue, first)
                .await
                .unwrap();
        assert_eq!(started.len(), 2, "both regions of this database");
        assert!(
            worker::schedule::start_monthly_reports(&app.state.db, &app.state.queue, first)
                .await
                .unwrap()
                .is_empty(),
            "once a month"
        );
        let reports = app.get(&region.path("reports"), t).await;
        assert_eq!(reports.body["items"][0]["from"], "2025-12-01");
    }

    // Each municipality reads its own monitor; the region's is the office's.
    let as_municipality = |role: Role, cbs: &str| {
        let mut claims = app.claims(&region.code, role);
        claims.municipality = Some(cbs.into());
        app.sign(&claims)
    };
    let team = as_municipality(Role::AccessTeam, "GM0202");
    let region_report = region.path(&format!("reports/{id}"));
    assert_eq!(
        app.get(&region_report, &team).await.status,
        StatusCode::NOT_FOUND
    );
    let whole_year = json!({ "from": "2025-01-01", "to": "2025-12-31" });
    let own = app
        .post(&region.path("reports"), &team, whole_year.clone())
        .await;
    assert_eq!(own.status, StatusCode::ACCEPTED, "{}", own.body);
    assert_eq!(own.body["municipalityCbs"], "GM0202");
    let job = wait_for_job(&app, &region, own.body["jobId"].as_str().unwrap()).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    let own_path = region.path(&format!("reports/{}", own.body["id"].as_str().unwrap()));
    let mine = app.get(&own_path, &team).await;
    assert_eq!(
        mine.body["content"]["productGroups"][0]["approvedAmount"],
        "1300.00"
    );
    let user = as_municipality(Role::Municipality, "GM0202");
    let listed = app.get(&region.path("reports"), &user).await;
    assert_eq!(listed.body["total"], 1, "{}", listed.body);
    let another = app
        .post(
            &region.path("reports"),
            &team,
            json!({ "from": "2025-01-01", "to": "2025-12-31", "municipalityCbs": "GM0274" }),
        )
        .await;
    assert_eq!(another.error_fields(), ["municipalityCbs"]);
    // The office asks for Renkum's: none of Arnhem's figures are in it.
    app.create_all(
        &region,
        &[(
            "municipalities",
            json!({ "cbsCode": "GM0274", "name": "Renkum" }),
        )],
    )
    .await;
    let renkum = app
        .post(
            &region.path("reports"),
            t,
            json!({ "from": "2025-01-01", "to": "2025-12-31", "municipalityCbs": "GM0274" }),
        )
        .await;
    assert_eq!(renkum.status, StatusCode::ACCEPTED, "{}", renkum.body);
    wait_for_job(&app, &region, renkum.body["jobId"].as_str().unwrap()).await;
    let renkum = app
        .get(
            &region.path(&format!("reports/{}", renkum.body["id"].as_str().unwrap())),
            t,
        )
        .await;
    let renkum_content = &renkum.body["content"];
    assert_eq!(
        renkum_content["productGroups"][0]["approvedAmount"], "0.00",
        "{renkum_content}"
    );
    assert_eq!(
        renkum_content["municipalities"].as_array().unwrap().len(),
        1
    );
    assert_eq!(renkum_content["municipalities"][0]["cbsCode"], "GM0274");
    assert_eq!(renkum_content["clientFlows"], json!([]));
    let all = app.get(&region.path("reports"), t).await.body["total"]
        .as_u64()
        .unwrap();
    let own_only = app.get(&region.path("reports"), &user).await.body["total"]
        .as_u64()
        .unwrap();
    assert!(all > own_only && own_only == 1, "{all} {own_only}");
});

/// A file of a zip archive, as text.
fn unzipped(archive: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(archive)).unwrap();
    let mut text = String::new();
    zip.by_name(name)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .read_to_string(&mut text)
        .unwrap();
    text
}
