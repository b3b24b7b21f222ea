//! Youth turning 18 (issue 28): the Jeugdwet allocations in force whose
//! client turns 18 within the horizon, by the month (never the birth date),
//! whether a Wmo allocation follows, the clients without a known birth date
//! counted, each party's view and the downloads.

use e2e::{bsn, Region};

use super::*;

const X: &str = "12345678";
const Y: &str = "23456789";
const AS_OF: &str = "2026-12-07";

/// Birth dates given with the JSON `client`, which must never come back.
const BIRTHS: [&str; 4] = ["2010-06-15", "2010-07-01", "2009-03-10", "2008-01-01"];

/// GM0202 Arnhem and GM0274 Renkum; group JGD (Jeugdwet, 45A01) and BEG
/// (Wmo, 02A01); providers X and Y contracted for both everywhere from
/// 2025 for 5 years. Youth allocations from 2026-01-01, on asOf 2026-12-07:
/// - 2001 X GM0202, client 1 born 2010-06-15: 18 in 2028-06 (month 18),
///   a Wmo allocation 2101 from 2028-06-15 follows;
/// - 2002 Y GM0274, client 2 born 2010-07-01: 18 in 2028-07 (month 19);
/// - 2003 X GM0274, client 3 without a birth date;
/// - 2004 Y GM0202, client 4 born 2009-03-10: 18 in 2027-03 (month 3), no Wmo;
/// - 2005 X GM0202, client 5 born 2008-01-01: 18 in January 2026, past;
/// - 2006 X GM0202, client 4 again, ended 2026-11-30: not in force.
async fn setup(app: &TestApp) -> Region {
    let region = app.new_region().await;
    app.create_all(
        &region,
        &[
            ("municipalities", json!({ "cbsCode": "GM0202", "name": "Arnhem" })),
            ("municipalities", json!({ "cbsCode": "GM0274", "name": "Renkum" })),
            ("product-groups", json!({ "code": "JGD", "name": "Jeugdhulp", "law": "jeugdwet" })),
            ("product-groups", json!({ "code": "BEG", "name": "Begeleiding", "law": "wmo" })),
            (
                "products",
                json!({ "code": "45A01", "name": "Jeugdhulp ambulant", "productGroupCode": "JGD", "iwmoCategory": "45", "unit": "hour", "fundingVariant": "effort" }),
            ),
            (
                "products",
                json!({ "code": "02A01", "name": "Begeleiding basis", "productGroupCode": "BEG", "iwmoCategory": "02", "unit": "hour", "fundingVariant": "effort" }),
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
                json!({ "providerAgb": agb, "procurementForm": "open-house", "productGroupCodes": ["JGD", "BEG"], "municipalityCbsCodes": ["GM0202", "GM0274"], "startDate": "2025-01-01", "initialTermMonths": 60 }),
            )],
        )
        .await;
    }
    let allocations = [
        (
            2001,
            1,
            "GM0202",
            "45A01",
            X,
            "2026-01-01",
            Some("2028-06-14"),
            Some(BIRTHS[0]),
        ),
        (
            2002,
            2,
            "GM0274",
            "45A01",
            Y,
            "2026-01-01",
            None,
            Some(BIRTHS[1]),
        ),
        (2003, 3, "GM0274", "45A01", X, "2026-01-01", None, None),
        (
            2004,
            4,
            "GM0202",
            "45A01",
            Y,
            "2026-01-01",
            None,
            Some(BIRTHS[2]),
        ),
        (
            2005,
            5,
            "GM0202",
            "45A01",
            X,
            "2026-01-01",
            None,
            Some(BIRTHS[3]),
        ),
        (
            2006,
            4,
            "GM0202",
            "45A01",
            X,
            "2026-01-01",
            Some("2026-11-30"),
            None,
        ),
        (2101, 1, "GM0202", "02A01", X, "2028-06-15", None, None),
    ];
    for (number, n, cbs, product, agb, start, end, birth) in allocations {
        let mut body = json!({ "allocationNumber": number, "clientBsn": bsn(n), "municipalityCbs": cbs, "productCode": product,
                               "providerAgb": agb, "startDate": start, "endDate": end,
                               "volume": { "amount": 8, "unit": "hour", "frequency": "month" } });
        if let Some(birth) = birth {
            body["client"] = json!({ "birthDate": birth, "gender": "female", "lastName": "Wit" });
        }
        let reply = app
            .post(&region.path("allocations"), &region.admin, body)
            .await;
        assert_eq!(
            reply.status,
            StatusCode::CREATED,
            "{number}: {}",
            reply.body
        );
    }
    region
}

fn numbers(reply: &Reply) -> Vec<i64> {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["allocations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["allocationNumber"].as_i64().unwrap())
        .collect()
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

e2e!(turning_18_lists_youth_by_the_month_they_turn_18, |app| {
    let region = setup(&app).await;
    let path = |query: &str| region.path(&format!("turning-18?asOf={AS_OF}{query}"));
    let office = app.get(&path(""), &region.admin).await;
    // Default horizon 18: month 3 (2004) and month 18 (2001), not month 19.
    assert_eq!(numbers(&office), vec![2004, 2001]);
    assert_eq!(office.body["horizonMonths"], 18);
    let soon = &office.body["allocations"][0];
    assert_eq!(soon["turns18In"], "2027-03");
    assert_eq!(soon["monthsLeft"], 3);
    assert_eq!(soon["wmoFollows"], false);
    assert_eq!(soon["providerName"], "Zorg Y");
    assert_eq!(soon["municipalityName"], "Arnhem");
    assert_eq!(soon["productGroupName"], "Jeugdhulp");
    let last = &office.body["allocations"][1];
    assert_eq!(last["turns18In"], "2028-06");
    assert_eq!(last["monthsLeft"], 18);
    assert_eq!(last["endDate"], "2028-06-14");
    // Wmo from the birthday: it follows.
    assert_eq!(last["wmoFollows"], true);
    assert_eq!(
        office.body["totals"],
        json!({ "allocations": 2, "clients": 2, "withoutWmo": 1, "withoutBirthDate": 1, "pastEighteen": 1 })
    );
    // The birth date never leaves the vault.
    for birth in BIRTHS {
        assert!(!office.text.contains(birth), "{birth} in {}", office.text);
    }
    assert!(!office.text.contains("\"birthDate\""));

    // Month 19 is within a horizon of 19.
    let wider = app.get(&path("&horizonMonths=19"), &region.admin).await;
    assert_eq!(numbers(&wider), vec![2004, 2001, 2002]);
    assert_eq!(wider.body["allocations"][2]["monthsLeft"], 19);
    for bad in ["0", "61", "abc", "1.5"] {
        let reply = app
            .get(&path(&format!("&horizonMonths={bad}")), &region.admin)
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(reply.error_fields(), vec!["horizonMonths"]);
    }
    let bad = app
        .get(&region.path("turning-18?asOf=tomorrow"), &region.admin)
        .await;
    assert_eq!(bad.error_fields(), vec!["asOf"]);

    // Party views: as for allocations.
    let seen = |token: String| {
        let url = path("&horizonMonths=19");
        let app = &app;
        async move { numbers(&app.get(&url, &token).await) }
    };
    assert_eq!(
        seen(token(&app, &region, Role::Provider, Some(X), None)).await,
        vec![2001]
    );
    assert_eq!(
        seen(token(&app, &region, Role::Provider, Some(Y), None)).await,
        vec![2004, 2002]
    );
    assert_eq!(
        seen(token(&app, &region, Role::AccessTeam, None, Some("GM0202"))).await,
        vec![2004, 2001]
    );
    assert_eq!(
        seen(token(&app, &region, Role::AccessTeam, None, Some("GM0274"))).await,
        vec![2002]
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
    let renkum = app
        .get(
            &path(""),
            &token(&app, &region, Role::AccessTeam, None, Some("GM0274")),
        )
        .await;
    // Client 3 (no birth date) is Renkum's.
    assert_eq!(renkum.body["totals"]["withoutBirthDate"], 1);
    assert_eq!(renkum.body["totals"]["clients"], 0);

    // The downloads.
    let csv = app.get(&path("&format=csv"), &region.admin).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.header("content-type"), "application/zip");
    let excel = app.get(&path("&format=csv-excel"), &region.admin).await;
    assert_eq!(excel.status, StatusCode::OK);
    let xlsx = app.get(&path("&format=xlsx"), &region.admin).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.header("content-type").contains("spreadsheetml"));

    // Another region's admin: 404.
    let other = app.new_region().await;
    assert_eq!(
        app.get(&path(""), &other.admin).await.status,
        StatusCode::NOT_FOUND
    );
});
