//! Stacked care (issue 28): a new or changed allocation that overlaps
//! another of the client in its product group is stored with a
//! `ZR-ALLOC-OVERLAP` warning and one `care-overlap` signal per pair, or
//! refused under the `care-overlap` policy; `GET …/care-overlaps` lists the
//! pairs in each party's view, as JSON, CSV and XLSX; a 301 is checked the
//! same way.

use e2e::{bsn, iwmo_example, Region};

use super::*;

const X: &str = "12345678";
const Y: &str = "23456789";

/// GM0202 Arnhem and GM0274 Renkum; group BEG (Wmo) with products 02A01
/// and 02A02, group JGD (Jeugdwet) with 45A01; providers X (Zorg X) and
/// Y (Zorg Y) contracted for both groups everywhere from 2025 for 5 years.
async fn setup(app: &TestApp) -> Region {
    let region = app.new_region().await;
    app.create_all(
        &region,
        &[
            ("municipalities", json!({ "cbsCode": "GM0202", "name": "Arnhem" })),
            ("municipalities", json!({ "cbsCode": "GM0274", "name": "Renkum" })),
            ("product-groups", json!({ "code": "BEG", "name": "Begeleiding", "law": "wmo" })),
            ("product-groups", json!({ "code": "JGD", "name": "Jeugdhulp", "law": "jeugdwet" })),
            (
                "products",
                json!({ "code": "02A01", "name": "Begeleiding basis", "productGroupCode": "BEG", "iwmoCategory": "02", "unit": "hour", "fundingVariant": "effort" }),
            ),
            (
                "products",
                json!({ "code": "02A02", "name": "Dagbesteding", "productGroupCode": "BEG", "iwmoCategory": "02", "unit": "hour", "fundingVariant": "effort" }),
            ),
            (
                "products",
                json!({ "code": "45A01", "name": "Jeugdhulp ambulant", "productGroupCode": "JGD", "iwmoCategory": "45", "unit": "hour", "fundingVariant": "effort" }),
            ),
            ("providers", json!({ "agbCode": X, "kvkNumber": "11111111", "name": "Zorg X" })),
            ("providers", json!({ "agbCode": Y, "kvkNumber": "22222222", "name": "Zorg Y" })),
        ],
    )
    .await;
    for agb in [X, Y] {
        app.create_all(
            &region,
            &[(
                "contracts",
                json!({ "providerAgb": agb, "procurementForm": "open-house", "productGroupCodes": ["BEG", "JGD"], "municipalityCbsCodes": ["GM0202", "GM0274"], "startDate": "2025-01-01", "initialTermMonths": 60 }),
            )],
        )
        .await;
    }
    region
}

/// Allocates `product` to client `n` at `agb` in `cbs`, 16 hours a month.
async fn allocate(
    app: &TestApp,
    region: &Region,
    (number, n, cbs, product, agb): (i64, u32, &str, &str, &str),
    (start, end): (&str, Option<&str>),
) -> Reply {
    app.post(
        &region.path("allocations"),
        &region.admin,
        json!({ "allocationNumber": number, "clientBsn": bsn(n), "municipalityCbs": cbs, "productCode": product,
                "providerAgb": agb, "startDate": start, "endDate": end,
                "volume": { "amount": 16, "unit": "hour", "frequency": "month" } }),
    )
    .await
}

async fn created(
    app: &TestApp,
    region: &Region,
    who: (i64, u32, &str, &str, &str),
    period: (&str, Option<&str>),
) -> Value {
    let reply = allocate(app, region, who, period).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.body
}

async fn overlap_signals(app: &TestApp, region: &Region) -> Vec<Value> {
    let reply = app
        .get(
            &region.path("steering-signals?kind=care-overlap"),
            &region.admin,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["items"].as_array().unwrap().clone()
}

/// The (allocation, other allocation) numbers of a list's pairs.
fn pairs(reply: &Reply) -> Vec<(i64, i64)> {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["allocationNumber"].as_i64().unwrap(),
                p["otherAllocationNumber"].as_i64().unwrap(),
            )
        })
        .collect()
}

async fn seen(app: &TestApp, path: &str, token: String) -> Vec<(i64, i64)> {
    pairs(&app.get(path, &token).await)
}

fn token(
    app: &TestApp,
    region: &Region,
    role: Role,
    agb: Option<&str>,
    cbs: Option<&str>,
) -> String {
    let mut claims = app.claims(&region.code, role);
    claims.agb = agb.map(Into::into);
    claims.municipality = cbs.map(Into::into);
    app.sign(&claims)
}

e2e!(
    stacked_care_is_stored_with_a_warning_and_one_signal_per_pair,
    |app| {
        let region = setup(&app).await;
        let first = created(
            &app,
            &region,
            (1001, 1, "GM0202", "02A01", X),
            ("2026-01-01", Some("2026-06-30")),
        )
        .await;
        assert_eq!(first["warnings"], json!([]));
        // Y from 1 June: June is stacked on 1001.
        let second = created(
            &app,
            &region,
            (1002, 1, "GM0202", "02A01", Y),
            ("2026-06-01", Some("2026-12-31")),
        )
        .await;
        let warnings = second["warnings"].as_array().unwrap();
        assert_eq!(warnings.len(), 1, "{second}");
        assert_eq!(warnings[0]["code"], "ZR-ALLOC-OVERLAP");
        assert_eq!(warnings[0]["allocationNumber"], 1001);
        let message = warnings[0]["message"].as_str().unwrap();
        assert!(message.contains("another provider"), "{message}");
        assert!(
            message.contains("2026-06-01") && message.contains("30 days"),
            "{message}"
        );
        // Another product of the group at X beside 1001 is a combined
        // arrangement; beside Y's 1002 (from June) it is stacked.
        let third = created(
            &app,
            &region,
            (1003, 1, "GM0202", "02A02", X),
            ("2026-03-01", None),
        )
        .await;
        let numbers: Vec<&Value> = third["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| &w["allocationNumber"])
            .collect();
        assert_eq!(numbers, vec![&json!(1002)], "{third}");
        // Another group (youth care) of the same client: nothing.
        let youth = created(
            &app,
            &region,
            (1004, 1, "GM0202", "45A01", Y),
            ("2026-01-01", None),
        )
        .await;
        assert_eq!(youth["warnings"], json!([]));
        // A handover (one ends the day before the other starts) is no stacking.
        created(
            &app,
            &region,
            (1005, 2, "GM0274", "02A01", X),
            ("2026-01-01", Some("2026-03-31")),
        )
        .await;
        let handover = created(
            &app,
            &region,
            (1006, 2, "GM0274", "02A01", Y),
            ("2026-04-01", None),
        )
        .await;
        assert_eq!(handover["warnings"], json!([]));

        let signals = overlap_signals(&app, &region).await;
        assert_eq!(signals.len(), 2, "{signals:?}");
        for s in &signals {
            let ids: Vec<&str> = s["subject"].as_str().unwrap().split(':').collect();
            assert_eq!(ids.len(), 2);
            assert!(ids[0] < ids[1], "lower id first: {s}");
            assert_eq!(s["productGroupCode"], "BEG");
            assert!(!s["detail"].as_str().unwrap().contains(&bsn(1)));
        }

        // Moving 1001's end to 31 July adds July to the pair: warned again,
        // but the pair's signal is raised once.
        let longer = app
            .patch(
                &region.path("allocations/1001"),
                &region.admin,
                json!({ "endDate": "2026-07-31" }),
            )
            .await;
        assert_eq!(longer.status, StatusCode::OK, "{}", longer.body);
        assert_eq!(
            longer.body["warnings"][0]["allocationNumber"], 1002,
            "{}",
            longer.body
        );
        assert!(longer.body["warnings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("61 days"));
        assert_eq!(overlap_signals(&app, &region).await.len(), 2);
        // Shortening adds nothing: no warning.
        let shorter = app
            .patch(
                &region.path("allocations/1001"),
                &region.admin,
                json!({ "endDate": "2026-07-15" }),
            )
            .await;
        assert_eq!(shorter.status, StatusCode::OK, "{}", shorter.body);
        assert_eq!(shorter.body["warnings"], json!([]));
        // A read carries no warnings.
        let read = app
            .get(&region.path("allocations/1002"), &region.admin)
            .await;
        assert_eq!(read.body["warnings"], json!([]));
    }
);

// An access team sees that its client's care is stacked, but not the
// number of another municipality's allocation it may not read.
e2e!(
    a_warning_does_not_name_an_allocation_the_party_may_not_see,
    |app| {
        let region = setup(&app).await;
        created(
            &app,
            &region,
            (3001, 5, "GM0202", "02A01", X),
            ("2026-01-01", Some("2026-12-31")),
        )
        .await;
        let renkum = token(&app, &region, Role::AccessTeam, None, Some("GM0274"));
        let reply = app
        .post(
            &region.path("allocations"),
            &renkum,
            json!({ "allocationNumber": 3002, "clientBsn": bsn(5), "municipalityCbs": "GM0274", "productCode": "02A01",
                    "providerAgb": Y, "startDate": "2026-03-01", "endDate": "2026-12-31",
                    "volume": { "amount": 16, "unit": "hour", "frequency": "month" } }),
        )
        .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        let warning = &reply.body["warnings"][0];
        assert_eq!(warning["code"], "ZR-ALLOC-OVERLAP", "{}", reply.body);
        assert_eq!(warning["allocationNumber"], Value::Null, "{warning}");
        let message = warning["message"].as_str().unwrap();
        assert!(!message.contains("3001"), "{message}");
        assert!(
            message.contains("another allocation of this client"),
            "{message}"
        );
        // The office's signal names both.
        let signals = overlap_signals(&app, &region).await;
        assert_eq!(signals.len(), 1);
        let detail = signals[0]["detail"].as_str().unwrap();
        assert!(
            detail.contains("3001") && detail.contains("3002"),
            "{detail}"
        );
    }
);

e2e!(the_care_overlap_policy_refuses_stacked_care, |app| {
    let region = setup(&app).await;
    let policy = app
        .put_admin(
            &region,
            "policies/care-overlap/region",
            json!({ "action": "refuse" }),
        )
        .await;
    assert_eq!(policy.status, StatusCode::OK, "{}", policy.body);
    created(
        &app,
        &region,
        (1001, 1, "GM0202", "02A01", X),
        ("2026-01-01", Some("2026-06-30")),
    )
    .await;
    let refused = allocate(
        &app,
        &region,
        (1002, 1, "GM0202", "02A01", Y),
        ("2026-06-01", None),
    )
    .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert_eq!(refused.body["code"], "ZR-ALLOC-OVERLAP");
    // The caller may not see the other allocation: not named.
    let detail = refused.body["detail"].as_str().unwrap();
    assert!(
        !detail.contains("1001") && detail.contains("another allocation of this client"),
        "{detail}"
    );
    let missing = app
        .get(&region.path("allocations/1002"), &region.admin)
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(overlap_signals(&app, &region).await.is_empty());
    // The same product twice at one provider is refused too.
    let twice = allocate(
        &app,
        &region,
        (1003, 1, "GM0202", "02A01", X),
        ("2026-03-01", None),
    )
    .await;
    assert_eq!(twice.body["code"], "ZR-ALLOC-OVERLAP", "{}", twice.body);
    // A handover is not; lengthening 1001 into it is.
    created(
        &app,
        &region,
        (1004, 1, "GM0202", "02A01", Y),
        ("2026-07-01", None),
    )
    .await;
    let longer = app
        .patch(
            &region.path("allocations/1001"),
            &region.admin,
            json!({ "endDate": "2026-08-31" }),
        )
        .await;
    assert_eq!(
        longer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        longer.body
    );
    assert_eq!(longer.body["code"], "ZR-ALLOC-OVERLAP");
    let unchanged = app
        .get(&region.path("allocations/1001"), &region.admin)
        .await;
    assert_eq!(unchanged.body["endDate"], "2026-06-30");
});

e2e!(care_overlaps_list_the_pairs_in_each_partys_view, |app| {
    let region = setup(&app).await;
    // Client 1: X and Y in Arnhem (March to September stacked).
    created(
        &app,
        &region,
        (1001, 1, "GM0202", "02A01", X),
        ("2026-01-01", None),
    )
    .await;
    created(
        &app,
        &region,
        (1002, 1, "GM0202", "02A01", Y),
        ("2026-03-01", Some("2026-09-30")),
    )
    .await;
    // Client 2: the same product twice at X in Renkum (February to April).
    created(
        &app,
        &region,
        (1003, 2, "GM0274", "02A01", X),
        ("2026-01-01", None),
    )
    .await;
    created(
        &app,
        &region,
        (1004, 2, "GM0274", "02A01", X),
        ("2026-02-01", Some("2026-04-30")),
    )
    .await;
    // Client 3: X in Arnhem, Y in Renkum, both open.
    created(
        &app,
        &region,
        (1005, 3, "GM0202", "02A01", X),
        ("2026-01-01", None),
    )
    .await;
    created(
        &app,
        &region,
        (1006, 3, "GM0274", "02A01", Y),
        ("2026-05-01", None),
    )
    .await;

    let path = |query: &str| region.path(&format!("care-overlaps?asOf=2026-03-15{query}"));
    let office = app.get(&path(""), &region.admin).await;
    assert_eq!(
        pairs(&office),
        vec![(1001, 1002), (1003, 1004), (1005, 1006)]
    );
    assert_eq!(office.body["totalPairs"], 3);
    assert_eq!(office.body["clients"], 3);
    assert_eq!(
        office.body["groups"],
        json!([{ "productGroupCode": "BEG", "productGroupName": "Begeleiding", "pairs": 3, "clients": 3 }])
    );
    let first = &office.body["pairs"][0];
    assert_eq!(first["kind"], "different-providers");
    assert_eq!(first["overlapFrom"], "2026-03-01");
    assert_eq!(first["overlapTo"], "2026-09-30");
    // March 31 + April 30 + May 31 + June 30 + July 31 + August 31 + September 30.
    assert_eq!(first["days"], 214);
    assert_eq!(first["providerName"], "Zorg X");
    assert_eq!(first["otherProviderAgb"], Y);
    assert_eq!(first["otherProviderName"], "Zorg Y");
    assert_eq!(first["productGroupName"], "Begeleiding");
    assert_eq!(first["municipalityName"], "Arnhem");
    assert_eq!(office.body["pairs"][1]["kind"], "same-product");
    let open = &office.body["pairs"][2];
    assert_eq!(
        (&open["overlapTo"], &open["days"]),
        (&Value::Null, &Value::Null)
    );
    assert_eq!(open["otherMunicipalityCbs"], "GM0274");
    assert!(!office.text.contains("clientKey") && !office.text.contains(&bsn(1)));

    // Each party: both allocations must be its own.
    let all = path("");
    let seen = |token: String| seen(&app, &all, token);
    assert_eq!(
        seen(token(&app, &region, Role::Provider, Some(X), None)).await,
        vec![(1003, 1004)]
    );
    assert!(seen(token(&app, &region, Role::Provider, Some(Y), None))
        .await
        .is_empty());
    assert_eq!(
        seen(token(&app, &region, Role::AccessTeam, None, Some("GM0202"))).await,
        vec![(1001, 1002)]
    );
    assert_eq!(
        seen(token(&app, &region, Role::AccessTeam, None, Some("GM0274"))).await,
        vec![(1003, 1004)]
    );
    assert_eq!(
        seen(token(&app, &region, Role::CentralAccess, None, None))
            .await
            .len(),
        3
    );
    assert_eq!(
        seen(token(&app, &region, Role::Auditor, None, None))
            .await
            .len(),
        3
    );
    assert_eq!(
        seen(token(&app, &region, Role::ContractManager, None, None))
            .await
            .len(),
        3
    );

    // Filters: either allocation in Renkum; the group; asOf after April.
    assert_eq!(
        pairs(
            &app.get(&path("&municipalityCbs=GM0274"), &region.admin)
                .await
        ),
        vec![(1003, 1004), (1005, 1006)]
    );
    assert_eq!(
        pairs(&app.get(&path("&productGroupCode=BEG"), &region.admin).await).len(),
        3
    );
    assert!(pairs(&app.get(&path("&productGroupCode=JGD"), &region.admin).await).is_empty());
    let later = app
        .get(&region.path("care-overlaps?asOf=2026-05-01"), &region.admin)
        .await;
    assert_eq!(pairs(&later), vec![(1001, 1002), (1005, 1006)]);
    let bad = app
        .get(&region.path("care-overlaps?asOf=15-03-2026"), &region.admin)
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.error_fields(), vec!["asOf"]);

    // The downloads.
    let csv = app.get(&path("&format=csv"), &region.admin).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.header("content-type"), "application/zip");
    let xlsx = app.get(&path("&format=xlsx"), &region.admin).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.header("content-type").contains("spreadsheetml"));

    // Another region's admin: 404.
    let other = app.new_region().await;
    let foreign = app.get(&path(""), &other.admin).await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
});

/// GM0384 (the example 301's 0384), group HH with 01A01 per minute,
/// providers 65656055 and 42420001 contracted from 2023 for six years.
async fn setup_301(app: &TestApp) -> Region {
    let region = app.new_region().await;
    app.create_all(
        &region,
        &[
            ("municipalities", json!({ "cbsCode": "GM0384", "name": "Diemen" })),
            ("product-groups", json!({ "code": "HH", "name": "Huishoudelijke hulp", "law": "wmo" })),
            (
                "products",
                json!({ "code": "01A01", "name": "Huishoudelijke hulp", "productGroupCode": "HH", "iwmoCategory": "01", "unit": "minute", "fundingVariant": "effort" }),
            ),
            ("providers", json!({ "agbCode": "65656055", "kvkNumber": "65656055", "name": "Zorg Noord" })),
            ("providers", json!({ "agbCode": "42420001", "kvkNumber": "42420001", "name": "Zorg Zuid" })),
        ],
    )
    .await;
    for agb in ["65656055", "42420001"] {
        app.create_all(
            &region,
            &[(
                "contracts",
                json!({ "providerAgb": agb, "procurementForm": "open-house", "productGroupCodes": ["HH"], "municipalityCbsCodes": ["GM0384"], "startDate": "2023-01-01", "initialTermMonths": 72 }),
            )],
        )
        .await;
    }
    // The example's client at the other provider, from June 2023.
    let reply = app
        .post(
            &region.path("allocations"),
            &region.admin,
            json!({ "allocationNumber": 100, "clientBsn": "999900006", "municipalityCbs": "GM0384", "productCode": "01A01",
                    "providerAgb": "65656055", "startDate": "2023-06-01", "endDate": "2023-12-31",
                    "volume": { "amount": 10, "unit": "minute", "frequency": "day" } }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    region
}

e2e!(
    an_allocation_from_a_301_is_checked_for_stacked_care,
    |app| {
        // The example 301 allocates 01A01 in 2023 to 999900006 at 42420001:
        // stacked on allocation 100 at 65656055.
        let region = setup_301(&app).await;
        let mut access = app.claims(&region.code, Role::AccessTeam);
        access.municipality = Some("GM0384".into());
        let access = app.sign(&access);
        let reply = app
            .send_message(&region, &access, &iwmo_example("WMO301.xml"))
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        let signals = overlap_signals(&app, &region).await;
        assert_eq!(signals.len(), 1, "{signals:?}");
        assert_eq!(signals[0]["providerAgb"], "42420001");
        // A 301 carries no Verwijzer: the allocation has no referrer.
        let allocation = app
            .get(&region.path("allocations/101"), &region.admin)
            .await;
        assert_eq!(allocation.body["referrer"], Value::Null);

        // Under the refuse policy the 301 is refused and nothing is stored.
        let region = setup_301(&app).await;
        let policy = app
            .put_admin(
                &region,
                "policies/care-overlap/region",
                json!({ "action": "refuse" }),
            )
            .await;
        assert_eq!(policy.status, StatusCode::OK, "{}", policy.body);
        let mut access = app.claims(&region.code, Role::AccessTeam);
        access.municipality = Some("GM0384".into());
        let reply = app
            .send_message(&region, &app.sign(&access), &iwmo_example("WMO301.xml"))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            reply.text
        );
        let missing = app
            .get(&region.path("allocations/101"), &region.admin)
            .await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert!(overlap_signals(&app, &region).await.is_empty());
    }
);
