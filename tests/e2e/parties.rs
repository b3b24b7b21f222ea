//! Isolation between the parties inside one region: every read operation of
//! a party-specific resource, with every role, against the data of two
//! providers and two municipalities (the matrix of `api/src/parties.rs`).

use super::*;
use e2e::{bsn, wait_for_job, Region};

const X: &str = "12345678";
const Y: &str = "23456789";

/// Municipalities GM0202 and GM0274; providers X and Y, both contracted;
/// allocation 1001 (X, GM0202) and 1002 (Y, GM0274); a region-wide tariff
/// and one of Y's own; batches of each provider under the same key, a
/// January batch of each, and an office batch with a line for each; a
/// ceiling per provider; an outflow check with a verdict per provider.
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
            json!({ "cbsCode": "GM0274", "name": "Renkum" }),
        ),
        (
            "product-groups",
            json!({ "code": "BW", "name": "Beschermd Wonen", "law": "wmo" }),
        ),
        (
            "products",
            json!({ "code": "BW0A1", "name": "Beschermd Thuis", "productGroupCode": "BW", "iwmoCategory": "07", "unit": "day", "fundingVariant": "effort" }),
        ),
        (
            "providers",
            json!({ "agbCode": X, "kvkNumber": "11111111", "name": "X" }),
        ),
        (
            "providers",
            json!({ "agbCode": Y, "kvkNumber": "22222222", "name": "Y" }),
        ),
        (
            "tariffs",
            json!({ "productCode": "BW0A1", "validFrom": "2025-01-01", "validTo": "2025-12-31", "price": "96.50" }),
        ),
        (
            "tariffs",
            json!({ "productCode": "BW0A1", "validFrom": "2025-01-01", "validTo": "2025-12-31", "price": "98.00", "providerAgb": Y }),
        ),
    ];
    app.create_all(&region, &posts).await;
    for agb in [X, Y] {
        let reply = app
            .post(
                &region.path("contracts"),
                t,
                json!({ "providerAgb": agb, "procurementForm": "open-house", "productGroupCodes": ["BW"], "municipalityCbsCodes": ["GM0202", "GM0274"], "startDate": "2025-01-01", "initialTermMonths": 48 }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        let reply = app
            .post(
                &region.path("budget-ceilings"),
                t,
                json!({ "providerAgb": agb, "year": 2025, "amount": "100000.00", "hard": false }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        let reply = app
            .post(
                &region.path("enrolments"),
                t,
                json!({ "providerAgb": agb, "procurementForm": "sas-tender", "productGroupCodes": ["BW"], "municipalityCbsCodes": ["GM0202"], "startDate": "2029-01-01" }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    }
    for (number, cbs, agb, n) in [(1001, "GM0202", X, 1), (1002, "GM0274", Y, 2)] {
        let reply = app
            .post(
                &region.path("allocations"),
                t,
                json!({ "allocationNumber": number, "clientBsn": bsn(n), "municipalityCbs": cbs, "productCode": "BW0A1", "providerAgb": agb,
                        "startDate": "2025-01-01", "endDate": "2025-12-31", "volume": { "amount": 31, "unit": "day", "frequency": "month" } }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    }
    // The same key and body from both providers (a line for an unknown
    // allocation): two batches, one each.
    let unknown = json!([line(9999, "2025-01-01", "2025-01-31")]);
    let y_first = app
        .declare(
            &region,
            &provider(app, &region, Y),
            "shared-1",
            unknown.clone(),
        )
        .await;
    assert_eq!(y_first.status, StatusCode::CREATED, "{}", y_first.body);
    let x_same = app
        .declare(&region, &provider(app, &region, X), "shared-1", unknown)
        .await;
    assert_eq!(x_same.status, StatusCode::CREATED, "{}", x_same.body);
    assert_eq!(
        x_same.header("Idempotent-Replayed"),
        "",
        "X must not get Y's batch"
    );
    assert_ne!(x_same.body["id"], y_first.body["id"]);
    assert_eq!(x_same.body["submittedBy"], "provider:same-subject");

    for (agb, number) in [(X, 1001), (Y, 1002)] {
        let reply = app
            .declare(
                &region,
                &provider(app, &region, agb),
                "january",
                json!([line(number, "2025-01-01", "2025-01-31")]),
            )
            .await;
        assert_eq!(reply.body["approvedCount"], 1, "{}", reply.body);
    }
    let office = app
        .declare(
            &region,
            t,
            "february",
            json!([
                line(1001, "2025-02-01", "2025-02-28"),
                line(1002, "2025-02-01", "2025-02-28")
            ]),
        )
        .await;
    assert_eq!(office.body["approvedCount"], 2, "{}", office.body);

    let policy = json!({ "minClients": 5, "window": "calendar-year", "level": "region", "count": "approved-declarations", "graceForNewContracts": false, "runOn": "01-15" });
    let reply = app
        .put(&region.path("policies/outflow-threshold/region"), t, policy)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let check = app
        .post(
            &region.path("outflow-checks"),
            t,
            json!({ "asOf": "2026-01-15" }),
        )
        .await;
    assert_eq!(check.status, StatusCode::ACCEPTED, "{}", check.body);
    let job = wait_for_job(app, &region, check.body["jobId"].as_str().unwrap()).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    region
}

fn line(number: i64, from: &str, to: &str) -> Value {
    json!({ "allocationNumber": number, "productCode": "BW0A1", "periodStart": from, "periodEnd": to, "deliveredVolume": 10 })
}

/// A provider token; every provider token here has the same `sub`, as the
/// `token` command's default gives them: visibility must follow the AGB.
fn provider(app: &TestApp, region: &Region, agb: &str) -> String {
    let mut claims = app.claims(&region.code, Role::Provider);
    claims.sub = "same-subject".into();
    claims.agb = Some(agb.into());
    app.sign(&claims)
}

fn access_team(app: &TestApp, region: &Region, municipality: &str) -> String {
    let mut claims = app.claims(&region.code, Role::AccessTeam);
    claims.municipality = Some(municipality.into());
    app.sign(&claims)
}

/// A token of Y's API client, through the client-credentials grant.
async fn api_client_token(app: &TestApp, region: &Region) -> String {
    let created = app
        .post(
            &region.path("api-clients"),
            &region.admin,
            json!({ "name": "Y's portal", "role": "provider", "providerAgb": Y }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let token = app
        .request_token(&[
            ("grant_type", "client_credentials"),
            ("client_id", created.body["clientId"].as_str().unwrap()),
            (
                "client_secret",
                created.body["clientSecret"].as_str().unwrap(),
            ),
        ])
        .await;
    token.body["access_token"].as_str().unwrap().to_owned()
}

/// The id of the batch a party sees under `key`.
async fn batch_id(app: &TestApp, region: &Region, token: &str, key: &str) -> String {
    let batches = app.get(&region.path("declarations"), token).await;
    let found = batches.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["idempotencyKey"] == key)
        .unwrap_or_else(|| panic!("no batch {key}: {}", batches.body));
    found["id"].as_str().unwrap().to_owned()
}

/// What one party sees: the sorted values of `field` in a list.
async fn seen(app: &TestApp, token: &str, path: &str, field: &str) -> Vec<String> {
    let reply = app.get(path, token).await;
    assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
    let mut values: Vec<String> = reply.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| match &item[field] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect();
    values.sort();
    values
}

struct Expected {
    allocations: &'static [&'static str],
    /// Idempotency keys of the batches seen.
    batches: &'static [&'static str],
    /// Allocation numbers of the office batch's lines seen.
    office_lines: &'static [&'static str],
    office_amount: &'static str,
    contracts: &'static [&'static str],
    tariffs: &'static [&'static str],
    ceilings: &'static [&'static str],
    flags: &'static [&'static str],
    /// Provider AGBs of the enrolments seen (when the party may list them).
    enrolments: &'static [&'static str],
    /// Status of reports, audit events, jobs, API clients, budget signals,
    /// the compliance register, contract signals and enrolments.
    guarded: [u16; 8],
}

const ALL_BATCHES: &[&str] = &["february", "january", "january", "shared-1", "shared-1"];
const BOTH: &[&str] = &[X, Y];
const OFFICE: Expected = Expected {
    allocations: &["1001", "1002"],
    batches: ALL_BATCHES,
    office_lines: &["1001", "1002"],
    office_amount: "1945.00",
    contracts: BOTH,
    tariffs: &["96.50", "98.00"],
    ceilings: BOTH,
    flags: BOTH,
    enrolments: BOTH,
    guarded: [200; 8],
};
/// Access teams: their own municipality's reports; no register, signals or enrolments.
const MUNICIPALITY_GUARDED: [u16; 8] = [200, 403, 403, 403, 403, 403, 403, 403];
/// The central-access role: none of these.
const NONE_GUARDED: [u16; 8] = [403; 8];
/// Providers: only their own enrolments.
const PROVIDER_GUARDED: [u16; 8] = [403, 403, 403, 403, 403, 403, 403, 200];

e2e!(every_party_sees_its_own_rows, |app| {
    let region = setup(&app).await;
    let mut contract_manager = app.claims(&region.code, Role::ContractManager);
    contract_manager.sub = "cm".into();
    let parties: Vec<(&str, String, Expected)> = vec![
        ("region-admin", region.admin.clone(), OFFICE),
        (
            "contract-manager",
            app.sign(&contract_manager),
            Expected {
                guarded: [200, 403, 200, 403, 200, 200, 200, 200],
                ..OFFICE
            },
        ),
        (
            "auditor",
            app.token(&region.code, Role::Auditor),
            Expected {
                guarded: [200, 200, 200, 403, 403, 200, 200, 200],
                ..OFFICE
            },
        ),
        (
            "central access team",
            access_team(&app, &region, "*"),
            Expected {
                guarded: MUNICIPALITY_GUARDED,
                ..OFFICE
            },
        ),
        (
            "central-access role",
            app.token(&region.code, Role::CentralAccess),
            Expected {
                guarded: NONE_GUARDED,
                ..OFFICE
            },
        ),
        (
            "access team of GM0202",
            access_team(&app, &region, "GM0202"),
            Expected {
                allocations: &["1001"],
                batches: &["february", "january"],
                office_lines: &["1001"],
                office_amount: "965.00",
                guarded: MUNICIPALITY_GUARDED,
                ..OFFICE
            },
        ),
        (
            "municipality user of GM0202",
            {
                let mut claims = app.claims(&region.code, Role::Municipality);
                claims.municipality = Some("GM0202".into());
                app.sign(&claims)
            },
            Expected {
                allocations: &["1001"],
                batches: &["february", "january"],
                office_lines: &["1001"],
                office_amount: "965.00",
                guarded: MUNICIPALITY_GUARDED,
                ..OFFICE
            },
        ),
        (
            "provider X",
            provider(&app, &region, X),
            Expected {
                allocations: &["1001"],
                batches: &["february", "january", "shared-1"],
                office_lines: &["1001"],
                office_amount: "965.00",
                contracts: &[X],
                tariffs: &["96.50"],
                ceilings: &[X],
                flags: &[X],
                enrolments: &[X],
                guarded: PROVIDER_GUARDED,
            },
        ),
        (
            "API client of provider Y",
            api_client_token(&app, &region).await,
            Expected {
                allocations: &["1002"],
                batches: &["february", "january", "shared-1"],
                office_lines: &["1002"],
                office_amount: "980.00",
                contracts: &[Y],
                tariffs: &["96.50", "98.00"],
                ceilings: &[Y],
                flags: &[Y],
                enrolments: &[Y],
                guarded: PROVIDER_GUARDED,
            },
        ),
    ];
    let office_batch = batch_id(&app, &region, &region.admin, "february").await;
    let checks = app.get(&region.path("outflow-checks"), &region.admin).await;
    let check = checks.body["items"][0]["id"].as_str().unwrap().to_owned();

    for (party, token, expected) in &parties {
        let get = |path: &str, field: &'static str| {
            let path = region.path(path);
            let token = token.clone();
            let app = &app;
            async move { seen(app, &token, &path, field).await }
        };
        assert_eq!(
            get("allocations", "allocationNumber").await,
            expected.allocations,
            "{party}: allocations"
        );
        assert_eq!(
            get("declarations", "idempotencyKey").await,
            expected.batches,
            "{party}: batches"
        );
        let lines = format!("declarations/{office_batch}/lines");
        assert_eq!(
            get(&lines, "allocationNumber").await,
            expected.office_lines,
            "{party}: lines"
        );
        let batch = app
            .get(&region.path(&format!("declarations/{office_batch}")), token)
            .await;
        assert_eq!(
            batch.body["approvedAmount"], expected.office_amount,
            "{party}: batch totals"
        );
        assert_eq!(
            batch.body["lineCount"],
            expected.office_lines.len(),
            "{party}: batch totals"
        );
        assert_eq!(
            get("contracts", "providerAgb").await,
            expected.contracts,
            "{party}: contracts"
        );
        assert_eq!(
            get("tariffs", "price").await,
            expected.tariffs,
            "{party}: tariffs"
        );
        assert_eq!(
            get("budget-ceilings", "providerAgb").await,
            expected.ceilings,
            "{party}: ceilings"
        );
        let flags = format!("outflow-checks/{check}/flags?verdict=all");
        assert_eq!(
            get(&flags, "providerAgb").await,
            expected.flags,
            "{party}: outflow flags"
        );
        // The region's shared information: every party reads it.
        for path in [
            "products",
            "product-groups",
            "municipalities",
            "providers",
            "index-figures",
            "policies",
            "outflow-checks",
            "indexation-runs",
            &format!("outflow-checks/{check}"),
            "municipalities/GM0274",
            &format!("providers/{Y}"),
        ] {
            let reply = app.get(&region.path(path), token).await;
            assert_eq!(reply.status, StatusCode::OK, "{party}: {path}");
        }
        let mut guarded = [0u16; 8];
        for (i, path) in [
            "reports",
            "audit-events",
            "jobs",
            "api-clients",
            "budget-signals",
            "compliance-checks",
            "contract-signals",
            "enrolments",
        ]
        .iter()
        .enumerate()
        {
            guarded[i] = app.get(&region.path(path), token).await.status.as_u16();
        }
        assert_eq!(
            guarded, expected.guarded,
            "{party}: reports, audit, jobs, api clients, signals, register, contract signals, enrolments"
        );
        if guarded[7] == 200 {
            assert_eq!(
                get("enrolments", "providerAgb").await,
                expected.enrolments,
                "{party}: enrolments"
            );
        }
    }

    // What a party does not see is a 404, as another region's object is.
    let y_allocation = app
        .get(
            &region.path("allocations/1002"),
            &provider(&app, &region, X),
        )
        .await;
    assert_eq!(y_allocation.status, StatusCode::NOT_FOUND);
    let y_shared = batch_id(&app, &region, &provider(&app, &region, Y), "shared-1").await;
    let x_shared = batch_id(&app, &region, &provider(&app, &region, X), "shared-1").await;
    assert_ne!(
        y_shared, x_shared,
        "each provider sees its own batch under the key"
    );
    let foreign = app
        .get(
            &region.path(&format!("declarations/{x_shared}")),
            &provider(&app, &region, Y),
        )
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);

    // An access team or provider token without its scope claim is refused.
    for role in [Role::AccessTeam, Role::Provider] {
        let bare = app.token(&region.code, role);
        assert_eq!(
            app.get(&region.path("allocations"), &bare).await.status,
            StatusCode::FORBIDDEN
        );
    }
});

// Indexation proposals carry the next price of provider-specific tariffs:
// a provider sees those of the region's tariffs and its own only.
e2e!(a_provider_sees_proposals_of_its_own_tariffs_only, |app| {
    let region = super::indexation::setup(&app).await;
    let run = super::indexation::previewed_run(&app, &region, 2025).await;
    let path = region.path(&format!(
        "indexation-runs/{}/proposals",
        run["id"].as_str().unwrap()
    ));
    let all = seen(&app, &region.admin, &path, "providerAgb").await;
    assert!(all.contains(&"12345678".to_owned()), "{all:?}");
    let own = seen(
        &app,
        &provider(&app, &region, "12345678"),
        &path,
        "providerAgb",
    )
    .await;
    assert_eq!(own, all);
    let other = seen(
        &app,
        &provider(&app, &region, "87654321"),
        &path,
        "providerAgb",
    )
    .await;
    let region_wide: Vec<String> = all.iter().filter(|agb| *agb == "null").cloned().collect();
    assert_eq!(other, region_wide);
});
