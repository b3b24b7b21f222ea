//! Issue 28: provider scorecards and the list of a group's providers,
//! checked against figures computed by hand, with each party's view.

use super::*;
use e2e::{bsn, Region};
use rust_decimal::Decimal;

const A: &str = "11111111";
const B: &str = "22222222";
const C: &str = "33333333";
const PERIOD: &str = "from=2025-01-01&to=2025-06-30";

/// GM0202; BEG (02A01, € 60.00 an hour) served by A, B and C; BW (15A01,
/// € 100.00 a day) by A only. Allocations (2025): 1 and 2 (A, BEG), 3 (B,
/// BEG), 4 (C, BEG), 5 (A, BW).
///
/// Declared: A 4 h and 6 h in January (€ 600, 2 clients) and two February
/// lines with a wrong amount (9346); B 3 h in January and February (€ 360,
/// 1 client) and one wrong March line; C 1 h in January (€ 60); A 10 days
/// of BW (€ 1,000). BEG spends € 1,020.
///
/// Recorded on: 1 on 2024-12-22, 2 on 2024-12-27, 3 on 2024-12-25 (care
/// starts with the allocation on 2025-01-01: waits 10, 5 and 7 days); 4
/// and 5 today (wait 0). Ended: 2 stopped on 2025-03-31 with reason 31
/// (90 days), 1's care ended on 2025-06-15 by a 307 (166 days), 3
/// stopped on 2025-04-30 in words (120 days).
async fn setup(app: &TestApp) -> Region {
    let region = app.new_region().await;
    let t = &region.admin;
    let mut posts = vec![
        (
            "municipalities",
            json!({ "cbsCode": "GM0202", "name": "Arnhem" }),
        ),
        (
            "product-groups",
            json!({ "code": "BEG", "name": "Begeleiding", "law": "wmo" }),
        ),
        (
            "product-groups",
            json!({ "code": "BW", "name": "Beschermd Wonen", "law": "wmo" }),
        ),
        (
            "products",
            json!({ "code": "02A01", "name": "Begeleiding", "productGroupCode": "BEG", "iwmoCategory": "02", "unit": "hour", "fundingVariant": "effort" }),
        ),
        (
            "products",
            json!({ "code": "15A01", "name": "Beschermd Wonen", "productGroupCode": "BW", "iwmoCategory": "15", "unit": "day", "fundingVariant": "effort" }),
        ),
        (
            "tariffs",
            json!({ "productCode": "02A01", "validFrom": "2024-01-01", "price": "60.00" }),
        ),
        (
            "tariffs",
            json!({ "productCode": "15A01", "validFrom": "2024-01-01", "price": "100.00" }),
        ),
    ];
    for (agb, name, groups) in [
        (A, "Aanbieder A", json!(["BEG", "BW"])),
        (B, "Aanbieder B", json!(["BEG"])),
        (C, "Aanbieder C", json!(["BEG"])),
    ] {
        posts.push((
            "providers",
            json!({ "agbCode": agb, "kvkNumber": agb, "name": name }),
        ));
        posts.push((
            "contracts",
            json!({ "providerAgb": agb, "procurementForm": "open-house", "productGroupCodes": groups, "municipalityCbsCodes": ["GM0202"], "startDate": "2024-01-01", "initialTermMonths": 48 }),
        ));
    }
    posts.push((
        "budget-ceilings",
        json!({ "providerAgb": A, "productGroupCode": "BEG", "year": 2025, "amount": "1000.00", "hard": false }),
    ));
    app.create_all(&region, &posts).await;
    for (number, agb, product, volume) in [
        (
            1,
            A,
            "02A01",
            json!({ "amount": 10, "unit": "hour", "frequency": "week" }),
        ),
        (
            2,
            A,
            "02A01",
            json!({ "amount": 10, "unit": "hour", "frequency": "week" }),
        ),
        (
            3,
            B,
            "02A01",
            json!({ "amount": 10, "unit": "hour", "frequency": "week" }),
        ),
        (
            4,
            C,
            "02A01",
            json!({ "amount": 10, "unit": "hour", "frequency": "week" }),
        ),
        (
            5,
            A,
            "15A01",
            json!({ "amount": 31, "unit": "day", "frequency": "month" }),
        ),
    ] {
        let body = json!({
            "allocationNumber": number, "clientBsn": bsn(number), "municipalityCbs": "GM0202", "productCode": product,
            "providerAgb": agb, "startDate": "2025-01-01", "endDate": "2025-12-31", "volume": volume
        });
        let reply = app.post(&region.path("allocations"), t, body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    }
    let line = |number: u32, product: &str, month: &str, last: &str, volume: i64| {
        json!({ "allocationNumber": number, "productCode": product, "periodStart": format!("2025-{month}-01"),
                "periodEnd": format!("2025-{month}-{last}"), "deliveredVolume": volume })
    };
    let wrong = |number: u32, month: &str, last: &str| {
        let mut l = line(number, "02A01", month, last, 1);
        l["declaredAmount"] = json!("1.00");
        l
    };
    for (agb, lines, approved) in [
        (
            A,
            json!([
                line(1, "02A01", "01", "31", 4),
                line(2, "02A01", "01", "31", 6),
                wrong(1, "02", "28"),
                wrong(2, "02", "28"),
                line(5, "15A01", "01", "31", 10),
            ]),
            3,
        ),
        (
            B,
            json!([
                line(3, "02A01", "01", "31", 3),
                line(3, "02A01", "02", "28", 3),
                wrong(3, "03", "31"),
            ]),
            2,
        ),
        (C, json!([line(4, "02A01", "01", "31", 1)]), 1),
    ] {
        let reply = app
            .declare(&region, &provider(app, &region, agb), agb, lines)
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        assert_eq!(reply.body["approvedCount"], approved, "{}", reply.body);
    }
    for (number, on, reason) in [
        (2, "2025-03-31", "31"),
        (3, "2025-04-30", "Cliënt verhuisd"),
    ] {
        let reply = app
            .post(
                &region.path(&format!("allocations/{number}/stop")),
                t,
                json!({ "stoppedOn": on, "reason": reason }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    let reply = app
        .post(
            &region.path(&format!("providers/{A}/compliance-checks")),
            t,
            json!({ "kind": "financial", "outcome": "failed", "checkedOn": "2025-05-01" }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    // What the API cannot set: the day each allocation was recorded, the
    // 305's start of care and a 307's end of care (sent as iWmo XML
    // elsewhere).
    let scope = entities::RegionScope::new(app.region_id(&region.code).await);
    let started = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    for (number, recorded) in [(1, "2024-12-22"), (2, "2024-12-27"), (3, "2024-12-25")] {
        let at = format!("{recorded}T09:00:00Z")
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap();
        set_allocation(
            app,
            &scope,
            number,
            allocation::Column::CreatedAt,
            at.into(),
        )
        .await;
        set_allocation(
            app,
            &scope,
            number,
            allocation::Column::CareStartedOn,
            started.into(),
        )
        .await;
    }
    let ended = chrono::NaiveDate::from_ymd_opt(2025, 6, 15).unwrap();
    set_allocation(
        app,
        &scope,
        1,
        allocation::Column::CareEndedOn,
        ended.into(),
    )
    .await;
    region
}

use entities::{schema::allocation, TenantEntity};

async fn set_allocation(
    app: &TestApp,
    scope: &entities::RegionScope,
    number: i64,
    column: allocation::Column,
    value: sea_orm::Value,
) {
    use sea_orm::{sea_query::Expr, ColumnTrait, QueryFilter};
    allocation::Entity::update_scoped(scope)
        .col_expr(column, Expr::value(value))
        .filter(allocation::Column::AllocationNumber.eq(number))
        .exec(&app.state.db)
        .await
        .unwrap();
}

fn provider(app: &TestApp, region: &Region, agb: &str) -> String {
    let mut claims = app.claims(&region.code, Role::Provider);
    claims.agb = Some(agb.into());
    app.sign(&claims)
}

fn access_team(app: &TestApp, region: &Region) -> String {
    let mut claims = app.claims(&region.code, Role::AccessTeam);
    claims.municipality = Some("GM0202".into());
    app.sign(&claims)
}

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

/// A decimal of the JSON (a string or a number); `None` for null.
fn dec(v: &Value) -> Option<Decimal> {
    match v {
        Value::String(s) => Some(s.parse().unwrap()),
        Value::Number(n) => Some(n.to_string().parse().unwrap()),
        Value::Null => None,
        other => panic!("not a decimal: {other}"),
    }
}

fn d(s: &str) -> Option<Decimal> {
    Some(s.parse().unwrap())
}

/// `(figure, its region median)` of a group row.
fn pair(row: &Value, field: &str) -> (Option<Decimal>, Option<Decimal>) {
    (dec(&row[field]), dec(&row[format!("{field}RegionMedian")]))
}

e2e!(a_scorecard_beside_the_region_median, |app| {
    let region = setup(&app).await;
    let t = &region.admin;
    let card = app
        .get(
            &region.path(&format!("providers/{A}/scorecard?{PERIOD}")),
            t,
        )
        .await;
    assert_eq!(card.status, StatusCode::OK, "{}", card.body);
    let body = &card.body;
    assert_eq!(body["providerAgb"], A);
    assert_eq!(body["providerName"], "Aanbieder A");
    assert_eq!(
        (body["from"].as_str(), body["to"].as_str()),
        (Some("2025-01-01"), Some("2025-06-30"))
    );
    let groups = body["productGroups"].as_array().unwrap();
    assert_eq!(groups.len(), 2, "{body}");
    let beg = &groups[0];
    assert_eq!(beg["productGroupCode"], "BEG");
    assert_eq!(beg["productGroupName"], "Begeleiding");
    assert_eq!(beg["unit"], "hour");
    assert_eq!(beg["providersInGroup"], 3);
    // Spend: A 600, B 360, C 60 → median 360.
    assert_eq!(pair(beg, "spend"), (d("600"), d("360")));
    // Clients 2, 1, 1 → 1.
    assert_eq!(beg["clients"], 2);
    assert_eq!(dec(&beg["clientsRegionMedian"]), d("1"));
    // Hours per client: A 10 h / 2 = 5, B 6 h / 1 = 6, C 1 → median 5.
    assert_eq!(pair(beg, "hoursPerClient"), (d("5"), d("5")));
    // Waits: A 10 and 5 (median 7.5, mean 7.5), B 7, C 0 → medians 7, 7.
    assert_eq!(beg["startedAllocations"], 2);
    assert_eq!(pair(beg, "medianWaitDays"), (d("7.5"), d("7")));
    assert_eq!(pair(beg, "meanWaitDays"), (d("7.5"), d("7")));
    // Durations: A 90 and 166 days (mean 128), B 120, C none → (128 + 120) / 2.
    assert_eq!(beg["endedAllocations"], 2);
    assert_eq!(pair(beg, "meanDurationDays"), (d("128"), d("124")));
    // Lines: A 2 of 4 rejected (50%), B 1 of 3 (33.33%), C 0 of 1.
    assert_eq!(beg["assessedLines"], 4);
    assert_eq!(pair(beg, "rejectedLines"), (d("2"), d("1")));
    assert_eq!(pair(beg, "rejectedPercent"), (d("50"), d("33.33")));
    // Market shares of 1,020: 58.82, 35.29, 5.88 → 35.29.
    assert_eq!(pair(beg, "marketSharePercent"), (d("58.82"), d("35.29")));

    // BW is bought in days: no hours per client, never 0.
    let bw = &groups[1];
    assert_eq!(bw["productGroupCode"], "BW");
    assert_eq!(bw["unit"], "day");
    assert_eq!(pair(bw, "hoursPerClient"), (None, None));
    assert_eq!(pair(bw, "spend"), (d("1000"), d("1000")));
    assert_eq!(pair(bw, "marketSharePercent"), (d("100"), d("100")));
    assert_eq!(bw["providersInGroup"], 1);

    // Outflow: reason 31 (Wmo: moved) and a 307 whose reason is not stored.
    let outflow = body["outflow"].as_array().unwrap();
    assert_eq!(outflow.len(), 2, "{body}");
    assert_eq!(outflow[0]["reasonCode"], "31");
    assert_eq!(outflow[0]["reason"], "Verhuizing naar een andere gemeente");
    assert_eq!(outflow[0]["allocations"], 1);
    // A 50%, B 0% of its one ending → median 25.
    assert_eq!(pair(&outflow[0], "sharePercent"), (d("50"), d("25")));
    assert_eq!(outflow[1]["reasonCode"], Value::Null);
    assert_eq!(
        outflow[1]["reason"],
        "Zorg beëindigd door de aanbieder (reden niet vastgelegd)"
    );

    // Rejections: both of A's lines 9346.
    let summary = &body["summary"];
    assert_eq!(
        (
            summary["rejectedLines"].as_i64(),
            summary["assessedLines"].as_i64()
        ),
        (Some(2), Some(5))
    );
    assert_eq!(dec(&summary["rejectedPercent"]), d("40"));
    assert_eq!(dec(&summary["spend"]), d("1600"));
    let reasons = body["rejectionReasons"].as_array().unwrap();
    assert_eq!(reasons.len(), 1);
    assert_eq!(reasons[0]["reasonCode"], "9346");
    assert_eq!(
        reasons[0]["meaning"],
        "Bedrag is niet geleverd volume maal tarief"
    );
    assert_eq!(reasons[0]["lines"], 2);
    assert_eq!(dec(&reasons[0]["sharePercent"]), d("100"));

    // Ceiling: 600 of 1,000; compliance: the failed financial check.
    let ceilings = body["budgetCeilings"].as_array().unwrap();
    assert_eq!(ceilings.len(), 1);
    assert_eq!(ceilings[0]["productGroupCodes"], "BEG");
    assert_eq!(
        (dec(&ceilings[0]["amount"]), dec(&ceilings[0]["spent"])),
        (d("1000"), d("600"))
    );
    assert_eq!(dec(&ceilings[0]["usedPercent"]), d("60"));
    assert_eq!(summary["complianceStanding"], "failed");
    assert_eq!(body["compliance"][0]["kind"], "financial");
    assert_eq!(body["compliance"][0]["standing"], "failed");
    let contracts = body["contracts"].as_array().unwrap();
    assert_eq!(contracts.len(), 1);
    assert_eq!(contracts[0]["productGroupCodes"], "BEG, BW");
    assert_eq!(contracts[0]["endsOn"], "2027-12-31");

    // B stands at the median; its outflow is an office stop in words.
    let b = app
        .get(
            &region.path(&format!("providers/{B}/scorecard?{PERIOD}")),
            t,
        )
        .await;
    let beg = &b.body["productGroups"][0];
    assert_eq!(pair(beg, "spend"), (d("360"), d("360")));
    assert_eq!(pair(beg, "marketSharePercent"), (d("35.29"), d("35.29")));
    assert_eq!(pair(beg, "rejectedPercent"), (d("33.33"), d("33.33")));
    assert_eq!(pair(beg, "meanDurationDays"), (d("120"), d("124")));
    assert_eq!(b.body["outflow"][0]["reasonCode"], Value::Null);
    assert_eq!(
        b.body["outflow"][0]["reason"],
        "Gestopt door het regiebureau (reden zonder code)"
    );
    assert_eq!(b.body["summary"]["complianceStanding"], "unchecked");
    // C has no ended allocation.
    let c = app
        .get(
            &region.path(&format!("providers/{C}/scorecard?{PERIOD}")),
            t,
        )
        .await;
    assert_eq!(
        pair(&c.body["productGroups"][0], "meanDurationDays"),
        (None, d("124"))
    );
    assert_eq!(c.body["outflow"], json!([]));

    // The plain CSV: one file per table, the API's field names as headers.
    let url = format!(
        "{}{}",
        app.base,
        region.path(&format!("providers/{A}/scorecard?{PERIOD}&format=csv"))
    );
    let archive = app.client.get(url).bearer_auth(t).send().await.unwrap();
    let archive = archive.bytes().await.unwrap();
    let groups_csv = unzipped(&archive, "scorecard-product-groups.csv");
    let mut lines = groups_csv.lines();
    let header = lines.next().unwrap();
    assert!(
        header.starts_with(
            "productGroupCode,productGroupName,law,unit,providersInGroup,spend,spendRegionMedian,"
        ),
        "{header}"
    );
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("BEG,Begeleiding,wmo,hour,3,600"),
        "{groups_csv}"
    );
    let outflow_csv = unzipped(&archive, "scorecard-outflow.csv");
    assert!(
        outflow_csv.contains("31,Verhuizing naar een andere gemeente,1,"),
        "{outflow_csv}"
    );
    // Files: csv (a zip) and xlsx.
    for (format, content_type) in [
        ("csv", "application/zip"),
        ("csv-excel", "application/zip"),
        (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ] {
        let reply = app
            .get(
                &region.path(&format!("providers/{A}/scorecard?{PERIOD}&format={format}")),
                t,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{format}: {}", reply.text);
        assert_eq!(reply.header("content-type"), content_type);
    }
});

e2e!(the_list_of_a_group_sorted, |app| {
    let region = setup(&app).await;
    let t = &region.admin;
    let list = |query: String| {
        let app = &app;
        let region = &region;
        async move {
            app.get(
                &region.path(&format!("scorecards?productGroupCode=BEG&{PERIOD}{query}")),
                t,
            )
            .await
        }
    };
    let agbs = |reply: &Reply| -> Vec<String> {
        reply.body["providers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["providerAgb"].as_str().unwrap().to_owned())
            .collect()
    };
    // Default: largest spend first.
    let all = list(String::new()).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    assert_eq!(agbs(&all), [A, B, C]);
    assert_eq!(all.body["productGroupName"], "Begeleiding");
    let medians = &all.body["regionMedians"];
    assert_eq!(medians["providersInGroup"], 3);
    assert_eq!(dec(&medians["spend"]), d("360"));
    assert_eq!(dec(&medians["medianWaitDays"]), d("7"));
    let a = &all.body["providers"][0];
    assert_eq!(a["providerName"], "Aanbieder A");
    assert_eq!(dec(&a["spend"]), d("600"));
    assert_eq!(a["clients"], 2);
    assert_eq!(dec(&a["hoursPerClient"]), d("5"));
    assert_eq!(dec(&a["medianWaitDays"]), d("7.5"));
    assert_eq!(dec(&a["rejectedPercent"]), d("50"));
    assert_eq!(dec(&a["marketSharePercent"]), d("58.82"));
    for (sort, expected) in [
        ("spend", [C, B, A]),
        ("medianWaitDays", [C, B, A]),
        ("-medianWaitDays", [A, B, C]),
        ("hoursPerClient", [C, A, B]),
        ("-rejectedPercent", [A, B, C]),
        ("-clients", [A, B, C]),
        ("-providerAgb", [C, B, A]),
        ("marketSharePercent", [C, B, A]),
    ] {
        let reply = list(format!("&sort={sort}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{sort}: {}", reply.body);
        assert_eq!(agbs(&reply), expected, "{sort}");
    }
    for format in ["csv", "xlsx"] {
        let reply = list(format!("&format={format}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{format}");
    }
    // A day group: hours per client null for each.
    let bw = app
        .get(
            &region.path(&format!("scorecards?productGroupCode=BW&{PERIOD}")),
            t,
        )
        .await;
    assert_eq!(bw.body["providers"][0]["hoursPerClient"], Value::Null);
    assert_eq!(bw.body["unit"], "day");
});

e2e!(each_party_sees_its_scorecards, |app| {
    let region = setup(&app).await;
    let card = |agb: &str| region.path(&format!("providers/{agb}/scorecard?{PERIOD}"));
    let list = region.path(&format!("scorecards?productGroupCode=BEG&{PERIOD}"));
    // A provider: its own scorecard, its own row; another's is a 404.
    let a = provider(&app, &region, A);
    assert_eq!(app.get(&card(A), &a).await.status, StatusCode::OK);
    let other = app.get(&card(B), &a).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND, "{}", other.body);
    let own = app.get(&list, &a).await;
    assert_eq!(own.status, StatusCode::OK);
    assert_eq!(own.body["providers"].as_array().unwrap().len(), 1);
    assert_eq!(own.body["providers"][0]["providerAgb"], A);
    // The medians stay the region's.
    assert_eq!(own.body["regionMedians"]["providersInGroup"], 3);
    assert_eq!(dec(&own.body["regionMedians"]["spend"]), d("360"));
    // In BW, A's alone: the median would be its own figure, and in a group
    // of two the other's could be worked out; a provider reads no medians
    // there, nor in a group it is not in (B has no BW care).
    let bw = region.path(&format!("scorecards?productGroupCode=BW&{PERIOD}"));
    for (agb, token) in [(A, &a), (B, &provider(&app, &region, B))] {
        let reply = app.get(&bw, token).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.body["regionMedians"]["spend"], Value::Null, "{agb}");
    }
    let own_card = app.get(&card(A), &a).await;
    let bw_card = own_card.body["productGroups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["productGroupCode"] == "BW")
        .unwrap();
    assert_eq!(bw_card["spendRegionMedian"], Value::Null, "{bw_card}");
    assert!(dec(&bw_card["spend"]) > d("0"));
    let office = app.get(&bw, &region.admin).await;
    assert!(
        office.body["regionMedians"]["spend"].is_string(),
        "{}",
        office.body
    );
    // The office, an auditor, a contract manager, an access team, the
    // central access team and a municipality user read every scorecard.
    let mut municipality = app.claims(&region.code, Role::Municipality);
    municipality.municipality = Some("GM0202".into());
    for token in [
        region.admin.clone(),
        app.token(&region.code, Role::Auditor),
        app.token(&region.code, Role::ContractManager),
        app.token(&region.code, Role::CentralAccess),
        access_team(&app, &region),
        app.sign(&municipality),
    ] {
        assert_eq!(app.get(&card(B), &token).await.status, StatusCode::OK);
        let all = app.get(&list, &token).await;
        assert_eq!(all.body["providers"].as_array().unwrap().len(), 3);
    }
    // Unknown AGB, unknown group, another region: 404.
    let t = &region.admin;
    assert_eq!(
        app.get(&card("99999999"), t).await.status,
        StatusCode::NOT_FOUND
    );
    let unknown = region.path(&format!("scorecards?productGroupCode=XX&{PERIOD}"));
    assert_eq!(app.get(&unknown, t).await.status, StatusCode::NOT_FOUND);
    let elsewhere = app.new_region().await;
    let reply = app
        .get(
            &elsewhere.path(&format!("providers/{A}/scorecard")),
            &elsewhere.admin,
        )
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let reply = app
        .get(
            &elsewhere.path("scorecards?productGroupCode=BEG"),
            &elsewhere.admin,
        )
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
});

e2e!(bad_scorecard_parameters_name_their_field, |app| {
    let region = setup(&app).await;
    let t = &region.admin;
    let card = |query: &str| region.path(&format!("providers/{A}/scorecard?{query}"));
    for (query, field) in [
        ("from=2025-13-01", "from"),
        ("to=yesterday", "to"),
        ("format=pdf", "format"),
    ] {
        let reply = app.get(&card(query), t).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{query}: {}",
            reply.body
        );
        assert_eq!(reply.error_fields(), [field], "{query}");
    }
    let reply = app.get(&card("from=2025-07-01&to=2025-06-30"), t).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    assert_eq!(reply.error_fields(), ["from", "to"]);
    // The default period (the last 12 complete months) answers too.
    assert_eq!(app.get(&card(""), t).await.status, StatusCode::OK);
    let list = |query: &str| region.path(&format!("scorecards?{query}"));
    for (query, field) in [
        ("", "productGroupCode"),
        ("productGroupCode=BEG&sort=name", "sort"),
        ("productGroupCode=BEG&sort=--spend", "sort"),
        ("productGroupCode=B%20G", "productGroupCode"),
        ("productGroupCode=BEG&from=2025-02-30", "from"),
    ] {
        let reply = app.get(&list(query), t).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{query}: {}",
            reply.body
        );
        assert_eq!(reply.error_fields(), [field], "{query}");
    }
    let reply = app
        .get(
            &list("productGroupCode=BEG&from=2025-07-01&to=2025-06-30"),
            t,
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
});
