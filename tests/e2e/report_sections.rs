//! The monitoring report's sections of issue 28: spend and clients per
//! referrer, places per month, stacked care; and their downloads.

use super::*;
use e2e::{bsn, wait_for_job, Region};

const P1: &str = "11111111";
const P2: &str = "22222222";

/// GM0202; groups BEG (02A01, € 60.00/h) and BW (15A01, per day); P1 and
/// P2 contracted for both. P1's location "De Linde" in Arnhem has 2 places
/// of 15A01 from 2025. Allocations in 2025:
/// 1. client 1, BEG at P1, referred by a GP (02), all year;
/// 2. client 1, BEG at P2, by a GP, from March: stacked with 1;
/// 3. client 2, BEG at P1, no referrer, all year;
/// 4. client 3, BW at De Linde, by a certified institution (04), from
///    February, open-ended.
///
/// June is declared: 4 h of 1 (€ 240.00), 2 h of 3 (€ 120.00).
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
            json!({ "code": "BW", "name": "Beschermd wonen", "law": "wmo" }),
        ),
        (
            "products",
            json!({ "code": "02A01", "name": "Begeleiding", "productGroupCode": "BEG", "iwmoCategory": "02", "unit": "hour", "fundingVariant": "effort" }),
        ),
        (
            "products",
            json!({ "code": "15A01", "name": "Beschermd wonen A", "productGroupCode": "BW", "iwmoCategory": "15", "unit": "day", "fundingVariant": "effort" }),
        ),
        (
            "tariffs",
            json!({ "productCode": "02A01", "validFrom": "2024-01-01", "price": "60.00" }),
        ),
    ];
    for agb in [P1, P2] {
        posts.push((
            "providers",
            json!({ "agbCode": agb, "kvkNumber": agb, "name": format!("Zorg {agb}") }),
        ));
        posts.push(("contracts", json!({ "providerAgb": agb, "procurementForm": "open-house", "productGroupCodes": ["BEG", "BW"], "municipalityCbsCodes": ["GM0202"], "startDate": "2024-01-01", "initialTermMonths": 48 })));
    }
    app.create_all(&region, &posts).await;
    let linde = app
        .post(
            &region.path(&format!("providers/{P1}/locations")),
            t,
            json!({ "name": "De Linde", "municipalityCbs": "GM0202", "places": [
                { "productCode": "15A01", "places": 2, "validFrom": "2025-01-01" }
            ] }),
        )
        .await;
    assert_eq!(linde.status, StatusCode::CREATED, "{}", linde.body);
    let hours = json!({ "amount": 4, "unit": "hour", "frequency": "week" });
    let allocations = [
        (
            1,
            1,
            "02A01",
            P1,
            "2025-01-01",
            Some("2025-12-31"),
            Some("02"),
            None,
        ),
        (
            2,
            1,
            "02A01",
            P2,
            "2025-03-01",
            Some("2025-12-31"),
            Some("02"),
            None,
        ),
        (
            3,
            2,
            "02A01",
            P1,
            "2025-01-01",
            Some("2025-12-31"),
            None,
            None,
        ),
        (
            4,
            3,
            "15A01",
            P1,
            "2025-02-01",
            None,
            Some("04"),
            Some(linde.body["id"].clone()),
        ),
    ];
    for (number, client, product, agb, start, end, referrer, location) in allocations {
        let mut body = json!({ "allocationNumber": number, "clientBsn": bsn(client), "municipalityCbs": "GM0202",
            "productCode": product, "providerAgb": agb, "startDate": start, "endDate": end, "referrer": referrer,
            "locationId": location });
        if product == "02A01" {
            body["volume"] = hours.clone();
        } else {
            body["volume"] = json!({ "amount": 1, "unit": "day", "frequency": "day" });
        }
        let reply = app.post(&region.path("allocations"), t, body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    }
    let line = |n: u32, hours: u32| json!({ "allocationNumber": n, "productCode": "02A01", "periodStart": "2025-06-01", "periodEnd": "2025-06-30", "deliveredVolume": hours });
    let batch = app
        .declare(&region, t, "june", json!([line(1, 4), line(3, 2)]))
        .await;
    assert_eq!(batch.body["approvedAmount"], "360.00", "{}", batch.body);
    region
}

/// Makes the report of the first half of 2025; gives its id and content.
async fn half_year(app: &TestApp, region: &Region) -> (String, Value) {
    let made = app
        .post(
            &region.path("reports"),
            &region.admin,
            json!({ "from": "2025-01-01", "to": "2025-06-30" }),
        )
        .await;
    assert_eq!(made.status, StatusCode::ACCEPTED, "{}", made.body);
    let job = wait_for_job(app, region, made.body["jobId"].as_str().unwrap()).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    let id = made.body["id"].as_str().unwrap().to_owned();
    let report = app
        .get(&region.path(&format!("reports/{id}")), &region.admin)
        .await;
    (id, report.body["content"].clone())
}

e2e!(a_report_shows_referrers_places_and_stacked_care, |app| {
    let region = setup(&app).await;
    let (id, content) = half_year(&app, &region).await;
    // Spend per referrer from the rollups; clients of allocations in force.
    let referrer = |group: &str, code: Value, name: &str, spend: &str, clients: u32| {
        let group_name = if group == "BEG" {
            "Begeleiding"
        } else {
            "Beschermd wonen"
        };
        json!({ "productGroupCode": group, "productGroup": group_name, "referrer": code,
                "referrerName": name, "spend": spend, "clients": clients })
    };
    assert_eq!(
        content["referrers"],
        json!([
            referrer("BEG", json!("02"), "Huisarts", "240.00", 1),
            referrer("BEG", Value::Null, "onbekend", "120.00", 1),
            referrer("BW", json!("04"), "Gecertificeerde instelling", "0.00", 1),
        ]),
        "{}",
        content["referrers"]
    );
    // Places: 2 a day; client 3 occupies one from February.
    let places = content["places"].as_array().unwrap();
    let shown: Vec<(&str, &str, i64, i64, &Value)> = places
        .iter()
        .map(|p| {
            (
                p["month"].as_str().unwrap(),
                p["productCode"].as_str().unwrap(),
                p["placeDays"].as_i64().unwrap(),
                p["occupiedDays"].as_i64().unwrap(),
                &p["occupancyPercent"],
            )
        })
        .collect();
    assert_eq!(
        shown,
        vec![
            ("2025-01", "15A01", 62, 0, &json!("0.00")),
            ("2025-02", "15A01", 56, 28, &json!("50.00")),
            ("2025-03", "15A01", 62, 31, &json!("50.00")),
            ("2025-04", "15A01", 60, 30, &json!("50.00")),
            ("2025-05", "15A01", 62, 31, &json!("50.00")),
            ("2025-06", "15A01", 60, 30, &json!("50.00")),
        ],
        "{places:?}"
    );
    // Stacked care: client 1's two BEG allocations at two providers.
    assert_eq!(
        content["stackedCare"],
        json!([
            { "productGroupCode": "BEG", "productGroup": "Begeleiding", "pairs": 1,
              "differentProviders": 1, "sameProduct": 0, "clients": 1 },
            { "productGroupCode": "BW", "productGroup": "Beschermd wonen", "pairs": 0,
              "differentProviders": 0, "sameProduct": 0, "clients": 0 },
        ])
    );

    // The downloads carry the new tables.
    let t = &region.admin;
    let download = |format: &'static str| {
        let url = format!(
            "{}{}",
            app.base,
            region.path(&format!("reports/{id}?format={format}"))
        );
        app.client.get(url).bearer_auth(t).send()
    };
    let plain = download("csv").await.unwrap().bytes().await.unwrap();
    let referrers = unzipped(&plain, "referrers.csv");
    assert!(
        referrers.starts_with(
            "productGroupCode,productGroup,referrer,referrerName,spend,clients\n\
             BEG,Begeleiding,02,Huisarts,240.00,1\n"
        ),
        "{referrers}"
    );
    assert!(unzipped(&plain, "places.csv").contains("2025-02,15A01,Beschermd wonen A,56,28,"));
    assert!(unzipped(&plain, "stacked-care.csv").contains("BEG,Begeleiding,1,1,0,1"));
    let excel = download("csv-excel").await.unwrap().bytes().await.unwrap();
    let verwijzers = unzipped(&excel, "Verwijzers.csv");
    assert!(
        verwijzers.starts_with(
            "\u{feff}Perceel;Naam perceel;Code verwijzer;Verwijzer;Uitgaven;Aantal cliënten\n"
        ),
        "{verwijzers}"
    );
    assert!(
        verwijzers.contains("BEG;Begeleiding;;onbekend;120,00;1\n"),
        "{verwijzers}"
    );
    assert!(unzipped(&excel, "Plaatsen.csv").contains("50,00%"));
    assert!(unzipped(&excel, "Stapeling.csv")
        .starts_with("\u{feff}Perceel;Naam perceel;Gestapelde paren"));
    let workbook = download("xlsx").await.unwrap().bytes().await.unwrap();
    let names = unzipped(&workbook, "xl/workbook.xml");
    for sheet in ["Verwijzers", "Plaatsen", "Stapeling"] {
        assert!(
            names.contains(&format!(r#"name="{sheet}""#)),
            "{sheet}: {names}"
        );
    }
    let strings = unzipped(&workbook, "xl/sharedStrings.xml");
    for text in [
        "Huisarts",
        "Gecertificeerde instelling",
        "Gestapelde paren",
        "Bezetting",
    ] {
        assert!(strings.contains(text), "{text}");
    }

    // A municipality's own report has its locations' places only: Renkum
    // has none, nor clients or pairs.
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
            json!({ "from": "2025-01-01", "to": "2025-06-30", "municipalityCbs": "GM0274" }),
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
    let renkum = &renkum.body["content"];
    assert_eq!(renkum["referrers"], json!([]), "{renkum}");
    assert_eq!(renkum["places"], json!([]));
    assert_eq!(renkum["stackedCare"][0]["pairs"], 0);
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
