//! Places (issue 28): a provider's locations with their places, an
//! allocation's location, and capacity (places, occupied, free) on a day
//! and per month, for each party.

use super::*;
use e2e::{bsn, Region};

const X: &str = "12345678";
const Y: &str = "23456789";

/// Arnhem (GM0202) and Renkum (GM0274); group BW with beschermd wonen
/// BW0A1 and beschermd thuis BT0A1 (per day); providers X and Y contracted
/// for BW in both municipalities from 2025. Locations: X's "De Linde" in
/// Arnhem (BW0A1: 2 places from 2026; BT0A1: 1 place in the first half of
/// 2026) and Y's "Het Anker" in Renkum (BW0A1: 1 place from 2026).
/// Gives the region and the two locations' ids.
async fn setup(app: &TestApp) -> (Region, String, String) {
    let region = app.new_region().await;
    let posts = [
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
            json!({ "code": "BW", "name": "Beschermd Wonen", "law": "wmo" }),
        ),
        (
            "products",
            json!({ "code": "BW0A1", "name": "Beschermd wonen", "productGroupCode": "BW", "iwmoCategory": "15", "unit": "day", "fundingVariant": "effort" }),
        ),
        (
            "products",
            json!({ "code": "BT0A1", "name": "Beschermd thuis", "productGroupCode": "BW", "iwmoCategory": "15", "unit": "day", "fundingVariant": "effort" }),
        ),
        (
            "providers",
            json!({ "agbCode": X, "kvkNumber": "11111111", "name": "Zorg X" }),
        ),
        (
            "providers",
            json!({ "agbCode": Y, "kvkNumber": "22222222", "name": "Zorg Y" }),
        ),
    ];
    app.create_all(&region, &posts).await;
    for agb in [X, Y] {
        let reply = app
            .post(
                &region.path("contracts"),
                &region.admin,
                json!({ "providerAgb": agb, "procurementForm": "open-house", "productGroupCodes": ["BW"], "municipalityCbsCodes": ["GM0202", "GM0274"], "startDate": "2025-01-01", "initialTermMonths": 48 }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    }
    let linde = app
        .post(
            &locations(&region, X),
            &region.admin,
            json!({ "name": "De Linde", "municipalityCbs": "GM0202", "places": [
                { "productCode": "BW0A1", "places": 2, "validFrom": "2026-01-01" },
                { "productCode": "BT0A1", "places": 1, "validFrom": "2026-01-01", "validTo": "2026-06-30" }
            ] }),
        )
        .await;
    assert_eq!(linde.status, StatusCode::CREATED, "{}", linde.body);
    let anker = app
        .post(
            &locations(&region, Y),
            &region.admin,
            json!({ "name": "Het Anker", "municipalityCbs": "GM0274", "places": [
                { "productCode": "BW0A1", "places": 1, "validFrom": "2026-01-01" }
            ] }),
        )
        .await;
    assert_eq!(anker.status, StatusCode::CREATED, "{}", anker.body);
    let id = |r: &Reply| r.body["id"].as_str().unwrap().to_owned();
    let ids = (id(&linde), id(&anker));
    (region, ids.0, ids.1)
}

fn locations(region: &Region, agb: &str) -> String {
    region.path(&format!("providers/{agb}/locations"))
}

fn provider(app: &TestApp, region: &Region, agb: &str) -> String {
    let mut claims = app.claims(&region.code, Role::Provider);
    claims.agb = Some(agb.into());
    app.sign(&claims)
}

fn access_team(app: &TestApp, region: &Region, municipality: &str) -> String {
    let mut claims = app.claims(&region.code, Role::AccessTeam);
    claims.municipality = Some(municipality.into());
    app.sign(&claims)
}

/// Allocates `product` at X (or `agb`) in Arnhem from `start`, at `location`.
async fn allocate(
    app: &TestApp,
    region: &Region,
    number: i64,
    (agb, product, location): (&str, &str, &str),
    (start, end): (&str, &str),
) -> Reply {
    app.post(
        &region.path("allocations"),
        &region.admin,
        json!({ "allocationNumber": number, "clientBsn": bsn(number as u32), "municipalityCbs": "GM0202",
                "productCode": product, "providerAgb": agb, "startDate": start, "endDate": end,
                "volume": { "amount": 31, "unit": "day", "frequency": "month" }, "locationId": location }),
    )
    .await
}

fn fields(reply: &Reply) -> Vec<String> {
    let mut f = reply.error_fields();
    f.sort();
    f
}

e2e!(locations_are_created_read_changed_and_deleted, |app| {
    let (region, linde, _) = setup(&app).await;
    let t = &region.admin;
    let list = app.get(&locations(&region, X), t).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert_eq!(list.body["total"], 1);
    let one = &list.body["items"][0];
    assert_eq!(one["name"], "De Linde");
    assert_eq!(one["providerAgb"], X);
    assert_eq!(one["municipalityCbs"], "GM0202");
    // Places by product code, then start.
    assert_eq!(one["places"][0]["productCode"], "BT0A1");
    assert_eq!(one["places"][0]["validTo"], "2026-06-30");
    assert_eq!(one["places"][1]["productCode"], "BW0A1");
    assert_eq!(one["places"][1]["places"], 2);
    assert_eq!(one["places"][1]["validTo"], Value::Null);
    let path = format!("{}/{linde}", locations(&region, X));
    let got = app.get(&path, t).await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.body);
    assert_eq!(got.body["id"], linde.as_str());
    // The location under another provider's path does not exist.
    assert_eq!(
        app.get(&format!("{}/{linde}", locations(&region, Y)), t)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&locations(&region, "99999999"), t).await.status,
        StatusCode::NOT_FOUND
    );

    // Form: 400 naming each field.
    let bad = app
        .post(
            &locations(&region, X),
            t,
            json!({ "name": "", "municipalityCbs": "Arnhem", "places": [
                { "productCode": "BW0A1", "places": -1, "validFrom": "2026-13-01" },
                { "productCode": "BW0A1", "places": 10001, "validFrom": "2026-01-01", "validTo": "soon" }
            ] }),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert_eq!(
        fields(&bad),
        [
            "municipalityCbs",
            "name",
            "places[0].places",
            "places[0].validFrom",
            "places[1].places",
            "places[1].validTo"
        ]
    );
    // Rules: 422 naming each field.
    let rules = app
        .post(
            &locations(&region, X),
            t,
            json!({ "name": "Nieuw", "municipalityCbs": "GM9999", "places": [
                { "productCode": "NOPE", "places": 1, "validFrom": "2026-01-01" },
                { "productCode": "BW0A1", "places": 1, "validFrom": "2026-03-01", "validTo": "2026-02-01" }
            ] }),
        )
        .await;
    assert_eq!(
        rules.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        rules.body
    );
    assert_eq!(
        fields(&rules),
        [
            "municipalityCbs",
            "places[0].productCode",
            "places[1].validTo"
        ]
    );
    let overlap = app
        .post(
            &locations(&region, X),
            t,
            json!({ "name": "Nieuw", "municipalityCbs": "GM0202", "places": [
                { "productCode": "BW0A1", "places": 1, "validFrom": "2026-01-01", "validTo": "2026-06-30" },
                { "productCode": "BT0A1", "places": 1, "validFrom": "2026-01-01" },
                { "productCode": "BW0A1", "places": 3, "validFrom": "2026-06-30" }
            ] }),
        )
        .await;
    assert_eq!(
        overlap.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        overlap.body
    );
    assert_eq!(fields(&overlap), ["places[2].validFrom"]);
    let duplicate = app
        .post(
            &locations(&region, X),
            t,
            json!({ "name": "De Linde", "municipalityCbs": "GM0274" }),
        )
        .await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT, "{}", duplicate.body);
    assert_eq!(duplicate.body["code"], "ZR-DUPLICATE");
    // Another provider may have a location of the same name.
    let same_name = app
        .post(
            &locations(&region, Y),
            t,
            json!({ "name": "De Linde", "municipalityCbs": "GM0274" }),
        )
        .await;
    assert_eq!(same_name.status, StatusCode::CREATED, "{}", same_name.body);
    assert_eq!(same_name.body["places"], json!([]));

    // A change: the places list is replaced as a whole.
    let changed = app
        .patch(
            &path,
            t,
            json!({ "name": "De Linde (nieuwbouw)", "places": [
                { "productCode": "BW0A1", "places": 2, "validFrom": "2026-01-01", "validTo": "2026-03-31" },
                { "productCode": "BW0A1", "places": 4, "validFrom": "2026-04-01" }
            ] }),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(changed.body["name"], "De Linde (nieuwbouw)");
    assert_eq!(changed.body["places"].as_array().unwrap().len(), 2);
    assert_eq!(changed.body["places"][1]["places"], 4);
    let overlapping = app
        .patch(
            &path,
            t,
            json!({ "places": [
                { "productCode": "BW0A1", "places": 2, "validFrom": "2026-01-01" },
                { "productCode": "BW0A1", "places": 4, "validFrom": "2026-04-01" }
            ] }),
        )
        .await;
    assert_eq!(overlapping.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&overlapping), ["places[1].validFrom"]);
    let bad_patch = app.patch(&path, t, json!({ "name": "" })).await;
    assert_eq!(bad_patch.status, StatusCode::BAD_REQUEST);
    assert_eq!(fields(&bad_patch), ["name"]);
    let taken = app
        .patch(
            &format!(
                "{}/{}",
                locations(&region, Y),
                same_name.body["id"].as_str().unwrap()
            ),
            t,
            json!({ "name": "Het Anker" }),
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT, "{}", taken.body);

    // A provider writes its own locations only; an access team or an
    // auditor writes none.
    let own = app
        .post(
            &locations(&region, X),
            &provider(&app, &region, X),
            json!({ "name": "Eigen huis", "municipalityCbs": "GM0274" }),
        )
        .await;
    assert_eq!(own.status, StatusCode::CREATED, "{}", own.body);
    let others = app
        .post(
            &locations(&region, Y),
            &provider(&app, &region, X),
            json!({ "name": "Niet van X", "municipalityCbs": "GM0274" }),
        )
        .await;
    assert_eq!(others.status, StatusCode::NOT_FOUND, "{}", others.body);
    for role in [Role::Auditor, Role::CentralAccess] {
        let refused = app
            .post(
                &locations(&region, X),
                &app.token(&region.code, role),
                json!({ "name": "Nee", "municipalityCbs": "GM0202" }),
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{role:?}");
    }
    let contract_manager = app.token(&region.code, Role::ContractManager);
    let deleted = app
        .delete(
            &format!(
                "{}/{}",
                locations(&region, X),
                own.body["id"].as_str().unwrap()
            ),
            &contract_manager,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.body);
    assert_eq!(
        app.delete(&path, &provider(&app, &region, Y)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.delete(&path, t).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&path, t).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.delete(&path, t).await.status, StatusCode::NOT_FOUND);

    // Every write is audited, with the location by codes.
    let events = app
        .get(
            &region.path(&format!(
                "audit-events?resource=provider-location&resourceId={linde}"
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
    assert_eq!(actions, ["delete", "update", "create"], "{}", events.body);
    assert_eq!(events.body["items"][2]["details"]["providerAgb"], X);
    assert_eq!(
        events.body["items"][1]["details"]["before"]["name"],
        "De Linde"
    );
    assert_eq!(
        events.body["items"][1]["details"]["after"]["places"][1]["places"],
        4
    );
});

e2e!(
    an_allocation_names_a_location_of_its_provider_offering_its_product,
    |app| {
        let (region, linde, anker) = setup(&app).await;
        let ok = allocate(
            &app,
            &region,
            1,
            (X, "BW0A1", &linde),
            ("2026-01-01", "2026-12-31"),
        )
        .await;
        assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
        assert_eq!(ok.body["locationId"], linde.as_str());
        let got = app.get(&region.path("allocations/1"), &region.admin).await;
        assert_eq!(got.body["locationId"], linde.as_str());
        // Y's location for an allocation at X.
        let other = allocate(
            &app,
            &region,
            2,
            (X, "BW0A1", &anker),
            ("2026-01-01", "2026-12-31"),
        )
        .await;
        assert_eq!(
            other.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            other.body
        );
        assert_eq!(other.error_fields(), ["locationId"]);
        // BT0A1 is offered at De Linde through June only.
        let closed = allocate(
            &app,
            &region,
            3,
            (X, "BT0A1", &linde),
            ("2026-07-01", "2026-12-31"),
        )
        .await;
        assert_eq!(
            closed.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            closed.body
        );
        assert_eq!(closed.error_fields(), ["locationId"]);
        let open = allocate(
            &app,
            &region,
            4,
            (X, "BT0A1", &linde),
            ("2026-06-30", "2026-12-31"),
        )
        .await;
        assert_eq!(open.status, StatusCode::CREATED, "{}", open.body);
        let unknown = allocate(
            &app,
            &region,
            5,
            (X, "BW0A1", "019afc4e-0000-7000-8000-000000000000"),
            ("2026-01-01", "2026-12-31"),
        )
        .await;
        assert_eq!(
            unknown.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            unknown.body
        );
        assert_eq!(unknown.error_fields(), ["locationId"]);
        // Without a location, as before.
        let none = app
            .post(
                &region.path("allocations"),
                &region.admin,
                json!({ "allocationNumber": 6, "clientBsn": bsn(6), "municipalityCbs": "GM0202",
                    "productCode": "BW0A1", "providerAgb": X, "startDate": "2026-01-01",
                    "volume": { "amount": 31, "unit": "day", "frequency": "month" } }),
            )
            .await;
        assert_eq!(none.status, StatusCode::CREATED, "{}", none.body);
        // A location an allocation names stays.
        let in_use = app
            .delete(&format!("{}/{linde}", locations(&region, X)), &region.admin)
            .await;
        assert_eq!(in_use.status, StatusCode::CONFLICT, "{}", in_use.body);
        assert_eq!(in_use.body["code"], "ZR-IN-USE");
    }
);

/// Allocations at De Linde for BW0A1 (2 places): 1 and 2 all year, 3 from
/// January through February; Het Anker's place stays free.
async fn occupy(app: &TestApp, region: &Region, linde: &str) {
    for (number, end) in [(1, "2026-12-31"), (2, "2026-12-31"), (3, "2026-02-28")] {
        let reply = allocate(
            app,
            region,
            number,
            (X, "BW0A1", linde),
            ("2026-01-01", end),
        )
        .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    }
}

fn row<'a>(capacity: &'a Value, location: &str, product: &str) -> &'a Value {
    capacity["locations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["locationName"] == location && r["productCode"] == product)
        .unwrap_or_else(|| panic!("no row {location} {product}: {capacity}"))
}

fn figures(row: &Value) -> (i64, i64, i64) {
    (
        row["places"].as_i64().unwrap(),
        row["occupied"].as_i64().unwrap(),
        row["free"].as_i64().unwrap(),
    )
}

e2e!(capacity_counts_places_occupied_and_free, |app| {
    let (region, linde, _) = setup(&app).await;
    occupy(&app, &region, &linde).await;
    let t = &region.admin;
    // 15 February: three clients in two places, over-occupied.
    let feb = app.get(&region.path("capacity?asOf=2026-02-15"), t).await;
    assert_eq!(feb.status, StatusCode::OK, "{}", feb.body);
    assert_eq!(feb.body["asOf"], "2026-02-15");
    let linde_bw = row(&feb.body, "De Linde", "BW0A1");
    assert_eq!(figures(linde_bw), (2, 3, -1));
    assert_eq!(linde_bw["providerAgb"], X);
    assert_eq!(linde_bw["providerName"], "Zorg X");
    assert_eq!(linde_bw["municipalityCbs"], "GM0202");
    assert_eq!(linde_bw["municipalityName"], "Arnhem");
    assert_eq!(linde_bw["productName"], "Beschermd wonen");
    assert_eq!(linde_bw["locationId"], linde.as_str());
    assert_eq!(figures(row(&feb.body, "De Linde", "BT0A1")), (1, 0, 1));
    assert_eq!(figures(row(&feb.body, "Het Anker", "BW0A1")), (1, 0, 1));
    // 1 March: allocation 3 ended the day before; De Linde is full.
    let march = app.get(&region.path("capacity?asOf=2026-03-01"), t).await;
    assert_eq!(figures(row(&march.body, "De Linde", "BW0A1")), (2, 2, 0));
    let products = &march.body["products"];
    assert_eq!(
        products,
        &json!([
            { "productCode": "BT0A1", "productName": "Beschermd thuis", "places": 1, "occupied": 0, "free": 1 },
            { "productCode": "BW0A1", "productName": "Beschermd wonen", "places": 3, "occupied": 2, "free": 1 }
        ])
    );
    assert_eq!(
        march.body["municipalities"],
        json!([
            { "municipalityCbs": "GM0202", "municipalityName": "Arnhem", "places": 3, "occupied": 2, "free": 1 },
            { "municipalityCbs": "GM0274", "municipalityName": "Renkum", "places": 1, "occupied": 0, "free": 1 }
        ])
    );
    // July: BT0A1's period ended; no row for it.
    let july = app.get(&region.path("capacity?asOf=2026-07-01"), t).await;
    assert_eq!(
        july.body["locations"].as_array().unwrap().len(),
        2,
        "{}",
        july.body
    );
    // Filters.
    let y_only = app
        .get(
            &region.path(&format!("capacity?asOf=2026-03-01&providerAgb={Y}")),
            t,
        )
        .await;
    assert_eq!(y_only.body["locations"].as_array().unwrap().len(), 1);
    assert_eq!(y_only.body["locations"][0]["locationName"], "Het Anker");
    let bt_only = app
        .get(
            &region.path("capacity?asOf=2026-03-01&productCode=BT0A1&municipalityCbs=GM0202"),
            t,
        )
        .await;
    assert_eq!(bt_only.body["locations"].as_array().unwrap().len(), 1);
    assert_eq!(bt_only.body["products"][0]["productCode"], "BT0A1");
    let bad = app
        .get(
            &region.path("capacity?asOf=2026-02-30&providerAgb=12&municipalityCbs=X"),
            t,
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let mut bad_fields = bad.error_fields();
    bad_fields.sort();
    assert_eq!(bad_fields, ["asOf", "municipalityCbs", "providerAgb"]);

    // The monthly series: February (28 days), BW0A1: 3 places a day (84
    // place-days), clients 1, 2 and 3 all month (84 days): 100 %. March:
    // 93 place-days, 62 occupied days: 66.67 %.
    let series = app
        .get(
            &region.path("capacity/series?from=2026-01&to=2026-03&productCode=BW0A1"),
            t,
        )
        .await;
    assert_eq!(series.status, StatusCode::OK, "{}", series.body);
    assert_eq!(series.body["from"], "2026-01");
    let months = series.body["months"].as_array().unwrap();
    assert_eq!(months.len(), 3, "{}", series.body);
    assert_eq!(
        months[1],
        json!({ "month": "2026-02", "productCode": "BW0A1", "productName": "Beschermd wonen", "days": 28,
                "placeDays": 84, "occupiedDays": 84, "places": "3.00", "occupied": "3.00", "occupancyPercent": "100.00" })
    );
    assert_eq!(months[2]["placeDays"], 93);
    assert_eq!(months[2]["occupiedDays"], 62);
    assert_eq!(months[2]["occupied"], "2.00");
    assert_eq!(months[2]["occupancyPercent"], "66.67");
    let backwards = app
        .get(&region.path("capacity/series?from=2026-03&to=2026-01"), t)
        .await;
    assert_eq!(backwards.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(backwards.error_fields(), ["to"]);
    let bad_month = app
        .get(&region.path("capacity/series?from=2026-1&to=2026-13"), t)
        .await;
    assert_eq!(bad_month.status, StatusCode::BAD_REQUEST);

    // The tables as files.
    for (path, format, content_type) in [
        ("capacity?asOf=2026-03-01", "csv", "application/zip"),
        ("capacity?asOf=2026-03-01", "csv-excel", "application/zip"),
        (
            "capacity?asOf=2026-03-01",
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "capacity/series?from=2026-01&to=2026-03",
            "csv",
            "application/zip",
        ),
        (
            "capacity/series?from=2026-01&to=2026-03",
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ] {
        let reply = app
            .get(&region.path(&format!("{path}&format={format}")), t)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{path} {format}");
        assert_eq!(
            reply.header("content-type"),
            content_type,
            "{path} {format}"
        );
        assert!(!reply.text.is_empty());
    }
    let unknown = app.get(&region.path("capacity?format=pdf"), t).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
});

e2e!(each_party_sees_its_locations_and_capacity, |app| {
    let (region, linde, anker) = setup(&app).await;
    occupy(&app, &region, &linde).await;
    let names = |capacity: &Value| -> Vec<String> {
        let mut names: Vec<String> = capacity["locations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["locationName"].as_str().unwrap().to_owned())
            .collect();
        names.dedup();
        names
    };
    let central = {
        let mut claims = app.claims(&region.code, Role::AccessTeam);
        claims.municipality = Some("*".into());
        app.sign(&claims)
    };
    // The office, an auditor and the central access team see every
    // provider's locations and free places.
    for token in [
        region.admin.clone(),
        app.token(&region.code, Role::ContractManager),
        app.token(&region.code, Role::Auditor),
        app.token(&region.code, Role::CentralAccess),
        central,
    ] {
        let capacity = app
            .get(&region.path("capacity?asOf=2026-03-01"), &token)
            .await;
        assert_eq!(capacity.status, StatusCode::OK, "{}", capacity.body);
        assert_eq!(names(&capacity.body), ["De Linde", "Het Anker"]);
        assert_eq!(
            app.get(&format!("{}/{anker}", locations(&region, Y)), &token)
                .await
                .status,
            StatusCode::OK
        );
    }
    // A provider sees its own.
    let x = provider(&app, &region, X);
    let capacity = app.get(&region.path("capacity?asOf=2026-03-01"), &x).await;
    assert_eq!(names(&capacity.body), ["De Linde"]);
    assert_eq!(capacity.body["products"][1]["places"], 2);
    assert_eq!(app.get(&locations(&region, X), &x).await.body["total"], 1);
    assert_eq!(
        app.get(&locations(&region, Y), &x).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("{}/{anker}", locations(&region, Y)), &x)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let series = app
        .get(&region.path("capacity/series?from=2026-03&to=2026-03"), &x)
        .await;
    let bw = series.body["months"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["productCode"] == "BW0A1")
        .unwrap()
        .clone();
    assert_eq!(bw["placeDays"], 62, "X's 2 places only: {}", series.body);
    // A municipality's access team sees the locations in its municipality.
    let renkum = access_team(&app, &region, "GM0274");
    let capacity = app
        .get(&region.path("capacity?asOf=2026-03-01"), &renkum)
        .await;
    assert_eq!(capacity.status, StatusCode::OK, "{}", capacity.body);
    assert_eq!(names(&capacity.body), ["Het Anker"]);
    assert_eq!(capacity.body["municipalities"].as_array().unwrap().len(), 1);
    assert_eq!(
        app.get(&locations(&region, X), &renkum).await.body["total"],
        0
    );
    assert_eq!(
        app.get(&format!("{}/{linde}", locations(&region, X)), &renkum)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let mut claims = app.claims(&region.code, Role::Municipality);
    claims.municipality = Some("GM0202".into());
    let arnhem = app.sign(&claims);
    let capacity = app
        .get(&region.path("capacity?asOf=2026-03-01"), &arnhem)
        .await;
    assert_eq!(names(&capacity.body), ["De Linde"]);
    // Every occupying allocation counts, whichever municipality allocated it.
    assert_eq!(figures(row(&capacity.body, "De Linde", "BW0A1")), (2, 2, 0));
});

e2e!(another_regions_locations_and_capacity_are_404, |app| {
    let (a, linde, _) = setup(&app).await;
    let (b, _, _) = setup(&app).await;
    let a_location = format!("{}/{linde}", locations(&a, X));
    for path in [
        a_location.clone(),
        locations(&a, X),
        a.path("capacity"),
        a.path("capacity/series"),
    ] {
        assert_eq!(
            app.get(&path, &b.admin).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    // B's paths with A's location id: 404 for every verb.
    let in_b = format!("{}/{linde}", locations(&b, X));
    assert_eq!(app.get(&in_b, &b.admin).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.patch(&in_b, &b.admin, json!({ "name": "Overgenomen" }))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.delete(&in_b, &b.admin).await.status,
        StatusCode::NOT_FOUND
    );
    // A's location cannot be named by an allocation in B.
    let reply = allocate(
        &app,
        &b,
        1,
        (X, "BW0A1", &linde),
        ("2026-01-01", "2026-12-31"),
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    assert_eq!(reply.error_fields(), ["locationId"]);
    // B's capacity holds B's locations only; A's survived.
    let capacity = app.get(&b.path("capacity?asOf=2026-03-01"), &b.admin).await;
    assert!(!capacity.body.to_string().contains(&linde));
    assert_eq!(app.get(&a_location, &a.admin).await.status, StatusCode::OK);
});
