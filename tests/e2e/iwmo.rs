//! iWmo/iJw 3.2 messages end to end: the reference example 323 assessed by
//! hand-computed figures, the round trip JSON allocation → 301 → 305 → 323
//! → 325, a credit reversing a debit, the idempotent resend, and every class
//! of level-1 and level-2 fault. Every 301 and 325 is checked against the
//! standard's XSDs in `../shared/iwmo/`.

use super::*;
use e2e::{assert_valid_xml, iwmo_example, Region};

const PROVIDER: &str = "65656055";
const OTHER_PROVIDER: &str = "42420001";

/// Municipalities GM0384 and GM0363 (the examples' 0384 and 0363), group HH
/// (Wmo) with hourly products 01A03 (€ 12.50), 01A04 (€ 15.00), 01A11
/// (€ 60.00) and per-minute 01A01, group JZ (Jeugdwet) with 45A01
/// (€ 90.00 an hour), providers 65656055 and 42420001 with
/// contracts from 2023-01-01 for six years.
async fn setup(app: &TestApp) -> Region {
    let region = app.new_region().await;
    let mut posts = vec![
        (
            "municipalities",
            json!({ "cbsCode": "GM0384", "name": "Diemen" }),
        ),
        (
            "municipalities",
            json!({ "cbsCode": "GM0363", "name": "Amsterdam" }),
        ),
        (
            "product-groups",
            json!({ "code": "HH", "name": "Begeleiding", "law": "wmo" }),
        ),
        (
            "product-groups",
            json!({ "code": "JZ", "name": "Jeugdhulp", "law": "jeugdwet" }),
        ),
        (
            "products",
            json!({ "code": "45A01", "name": "Jeugdhulp ambulant", "productGroupCode": "JZ", "iwmoCategory": "45", "unit": "hour", "fundingVariant": "effort" }),
        ),
        (
            "tariffs",
            json!({ "productCode": "45A01", "validFrom": "2023-01-01", "validTo": "2028-12-31", "price": "90.00" }),
        ),
        (
            "providers",
            json!({ "agbCode": PROVIDER, "kvkNumber": "65656055", "name": "Zorg Noord" }),
        ),
        (
            "providers",
            json!({ "agbCode": OTHER_PROVIDER, "kvkNumber": "42420001", "name": "Zorg Zuid" }),
        ),
    ];
    for (code, unit, price) in [
        ("01A03", "hour", "12.50"),
        ("01A04", "hour", "15.00"),
        ("01A11", "hour", "60.00"),
        ("01A12", "hour", "60.00"),
        ("01A01", "minute", "1.00"),
    ] {
        posts.push((
            "products",
            json!({ "code": code, "name": code, "productGroupCode": "HH", "iwmoCategory": "01", "unit": unit, "fundingVariant": "effort" }),
        ));
        posts.push((
            "tariffs",
            json!({ "productCode": code, "validFrom": "2023-01-01", "validTo": "2028-12-31", "price": price }),
        ));
    }
    app.create_all(&region, &posts).await;
    for agb in [PROVIDER, OTHER_PROVIDER] {
        let reply = app
            .post(
                &region.path("contracts"),
                &region.admin,
                json!({ "providerAgb": agb, "procurementForm": "open-house", "productGroupCodes": ["HH", "JZ"], "municipalityCbsCodes": ["GM0384", "GM0363"], "startDate": "2023-01-01", "initialTermMonths": 72 }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    }
    region
}

fn provider_token(app: &TestApp, region: &Region, agb: &str) -> String {
    let mut claims = app.claims(&region.code, Role::Provider);
    claims.agb = Some(agb.into());
    app.sign(&claims)
}

#[allow(clippy::too_many_arguments)]
async fn allocate(
    app: &TestApp,
    region: &Region,
    number: i64,
    bsn: &str,
    cbs: &str,
    product: &str,
    start: &str,
    hours_per_week: i64,
) {
    let reply = app
        .post(
            &region.path("allocations"),
            &region.admin,
            json!({
                "allocationNumber": number, "clientBsn": bsn, "municipalityCbs": cbs, "productCode": product,
                "providerAgb": PROVIDER, "startDate": start, "endDate": "2025-12-31",
                "volume": { "amount": hours_per_week, "unit": "hour", "frequency": "week" },
                "client": { "birthDate": "1967-08-13", "gender": "male", "lastName": "Wit", "prefix": "de", "initials": "T" }
            }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
}

/// `setup`, plus the allocations the example 305/307 name: 300201 (01A11)
/// and 300202 (01A12) of 999900006 in GM0363, 4 h a week from 2025-04-01.
async fn setup_with_the_examples_allocations(app: &TestApp) -> Region {
    let region = setup(app).await;
    for (number, product) in [(300201, "01A11"), (300202, "01A12")] {
        allocate(
            app,
            &region,
            number,
            "999900006",
            "GM0363",
            product,
            "2025-04-01",
            4,
        )
        .await;
    }
    region
}

/// Per listed prestatie of a 325: its reference and return codes.
fn prestatie_codes(xml: &str) -> Vec<(String, Vec<String>)> {
    xml.split("<wmo325:Prestatie>")
        .skip(1)
        .map(|chunk| {
            let chunk = chunk.split("</wmo325:Prestatie>").next().unwrap_or("");
            (
                texts(chunk, "iwmo:ReferentieNummer")[0].clone(),
                texts(chunk, "wmo325:RetourCode"),
            )
        })
        .collect()
}

/// The text of every `<tag>` in `xml`.
fn texts(xml: &str, tag: &str) -> Vec<String> {
    xml.split(&format!("<{tag}>"))
        .skip(1)
        .map(|s| {
            s.split(&format!("</{tag}>"))
                .next()
                .unwrap_or("")
                .to_owned()
        })
        .collect()
}

/// The TotaalToegekendBedrag of a 325, signed.
fn approved_total(xml: &str) -> i64 {
    let block = xml
        .split("<wmo325:TotaalToegekendBedrag>")
        .nth(1)
        .expect("TotaalToegekendBedrag");
    let cents: i64 = texts(block, "iwmo:TotaalBedrag")[0].parse().unwrap();
    if texts(block, "iwmo:DebetCredit")[0] == "C" {
        -cents
    } else {
        cents
    }
}

e2e!(the_example_323_is_assessed_and_answered_by_hand, |app| {
    let region = setup(&app).await;
    // RN001 on 20072: 2 h/week allows 8.57 h in April; 4 h × € 12.50 = € 50.00.
    allocate(
        &app,
        &region,
        20072,
        "999900006",
        "GM0384",
        "01A03",
        "2023-01-01",
        2,
    )
    .await;
    // RN002 on 200730: 1 h/week allows 4.28 h in April; 16 h is over (9321).
    allocate(
        &app,
        &region,
        200730,
        "999900006",
        "GM0384",
        "01A04",
        "2023-01-01",
        1,
    )
    .await;
    // RN003 on 20074: the allocation is 999900006's, the line names 999900018 (8187).
    allocate(
        &app,
        &region,
        20074,
        "999900006",
        "GM0384",
        "01A03",
        "2023-01-01",
        2,
    )
    .await;
    // RN004 on 20073: 5 h/week allows 21.4 h; 16 h × € 15.00 = € 240.00.
    allocate(
        &app,
        &region,
        20073,
        "999900018",
        "GM0384",
        "01A04",
        "2023-01-01",
        5,
    )
    .await;
    let token = provider_token(&app, &region, PROVIDER);
    let example = iwmo_example("WMO323.xml");

    let reply = app.send_message(&region, &token, &example).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.header("content-type"), "application/xml");
    let answer = reply.text.clone();
    assert_valid_xml(&answer, "iwmo/WMO325.xsd");
    // IV087: header 0200, only the rejected prestaties, each with its code.
    assert_eq!(texts(&answer, "wmo325:RetourCode")[0], "0200");
    assert_eq!(
        prestatie_codes(&answer),
        [
            ("RN002".to_owned(), vec!["9321".to_owned()]),
            ("RN003".to_owned(), vec!["8187".to_owned()]),
        ]
    );
    assert_eq!(approved_total(&answer), 5_000 + 24_000);
    assert!(!answer.contains("<wmo325:RetourCode>8001</wmo325:RetourCode>"));

    let location = reply.header("location").to_owned();
    let message = app.get(&location, &token).await;
    assert_eq!(message.body["messageType"], "323");
    assert_eq!(message.body["outcome"], "processed");
    assert_eq!(message.body["itemCount"], 4);
    assert_eq!(message.body["approvedCount"], 2);
    assert_eq!(message.body["approvedAmount"], "290.00");
    assert_eq!(message.body["declarationNumber"], "DN001");
    let stored = app.get(&format!("{location}/answer"), &token).await;
    assert_eq!(stored.text, answer, "the 325 is kept as sent");
    // The prestaties are declaration lines like any other, with their references.
    let batch = message.body["batchId"].as_str().unwrap();
    let lines = app
        .get(
            &region.path(&format!("declarations/{batch}/lines")),
            &region.admin,
        )
        .await;
    let references: Vec<&str> = lines.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["referenceNumber"].as_str().unwrap())
        .collect();
    assert_eq!(references, ["RN001", "RN002", "RN003", "RN004"]);

    // The same bytes again: the stored answer, nothing stored twice.
    let again = app.send_message(&region, &token, &example).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.header("idempotent-replayed"), "true");
    assert_eq!(again.text, answer);
    let list = app.get(&region.path("iwmo/messages"), &region.admin).await;
    assert_eq!(list.body["total"], 1);
    // Another message under the same identification: 9056.
    let other = example.replace("DN001", "DN002");
    let reused = app.send_message(&region, &token, &other).await;
    assert_eq!(reused.status, StatusCode::CONFLICT, "{}", reused.text);
    assert_eq!(reused.body["code"], "ZR-IWMO-9056");
    // A new message reusing the DeclaratieNummer: the Declaratie is refused (9333).
    let renumbered = example.replace("765432198", "765432199");
    let duplicate = app.send_message(&region, &token, &renumbered).await;
    assert_eq!(duplicate.status, StatusCode::OK, "{}", duplicate.text);
    assert_valid_xml(&duplicate.text, "iwmo/WMO325.xsd");
    assert!(duplicate
        .text
        .contains("<wmo325:RetourCode>9333</wmo325:RetourCode>"));
    assert_eq!(approved_total(&duplicate.text), 0);
    // An auditor sees the message but not the 325 (it names clients by BSN).
    let auditor = app.token(&region.code, Role::Auditor);
    assert_eq!(app.get(&location, &auditor).await.status, StatusCode::OK);
    let hidden = app.get(&format!("{location}/answer"), &auditor).await;
    assert_eq!(hidden.status, StatusCode::FORBIDDEN);
    let allocation_301 = app
        .get(&region.path("allocations/20072/iwmo-301"), &auditor)
        .await;
    assert_eq!(allocation_301.status, StatusCode::FORBIDDEN);
    // Another provider cannot fetch the stored 325 by sending the same bytes.
    let replayed_by_other = app
        .send_message(
            &region,
            &provider_token(&app, &region, OTHER_PROVIDER),
            &example,
        )
        .await;
    assert_eq!(replayed_by_other.status, StatusCode::FORBIDDEN);
    assert!(!replayed_by_other.text.contains("999900006"));
    // Another provider sees neither message.
    let stranger = app
        .get(
            &region.path("iwmo/messages"),
            &provider_token(&app, &region, OTHER_PROVIDER),
        )
        .await;
    assert_eq!(stranger.body["total"], 0);
    assert_eq!(
        app.get(&location, &provider_token(&app, &region, OTHER_PROVIDER))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
});

/// A 323 from `PROVIDER` to GM0363 with one client and its prestaties
/// `(reference, previous, allocation, code, volume, tariff cents, amount cents, credit)`.
#[allow(clippy::type_complexity)]
fn declaration(
    identification: &str,
    number: &str,
    period: (&str, &str),
    bsn: &str,
    prestaties: &[(&str, Option<&str>, i64, &str, i64, i64, i64, bool)],
) -> String {
    let total: i64 = prestaties
        .iter()
        .map(|p| if p.7 { -p.6 } else { p.6 })
        .sum();
    let sign = |credit: bool| if credit { "C" } else { "D" };
    let body: String = prestaties
        .iter()
        .map(|(reference, previous, allocation, code, volume, tariff, amount, credit)| {
            let previous = previous
                .map(|p| format!("<iwmo:VorigReferentieNummer>{p}</iwmo:VorigReferentieNummer>"))
                .unwrap_or_default();
            format!(
                "<wmo323:Prestatie><wmo323:ProductReferentie><iwmo:ReferentieNummer>{reference}</iwmo:ReferentieNummer>{previous}</wmo323:ProductReferentie>\
                 <wmo323:ToewijzingNummer>{allocation}</wmo323:ToewijzingNummer><wmo323:ProductCategorie>01</wmo323:ProductCategorie>\
                 <wmo323:ProductCode>{code}</wmo323:ProductCode><wmo323:ProductPeriode><iwmo:Begindatum>{}</iwmo:Begindatum><iwmo:Einddatum>{}</iwmo:Einddatum></wmo323:ProductPeriode>\
                 <wmo323:GeleverdVolume>{volume}</wmo323:GeleverdVolume><wmo323:Eenheid>04</wmo323:Eenheid><wmo323:ProductTarief>{tariff}</wmo323:ProductTarief>\
                 <wmo323:IngediendBedrag><iwmo:Bedrag>{amount}</iwmo:Bedrag><iwmo:DebetCredit>{}</iwmo:DebetCredit></wmo323:IngediendBedrag></wmo323:Prestatie>",
                period.0, period.1, sign(*credit)
            )
        })
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<wmo323:Bericht xmlns:iwmo="http://www.istandaarden.nl/iwmo/3_2/basisschema/schema" xmlns:wmo323="http://www.istandaarden.nl/iwmo/3_2/wmo323/schema">
<wmo323:Header><wmo323:BerichtCode>484</wmo323:BerichtCode><wmo323:BerichtVersie>3</wmo323:BerichtVersie><wmo323:BerichtSubversie>2</wmo323:BerichtSubversie>
<wmo323:Afzender>{PROVIDER}</wmo323:Afzender><wmo323:Ontvanger>0363</wmo323:Ontvanger>
<wmo323:BerichtIdentificatie><iwmo:Identificatie>{identification}</iwmo:Identificatie><iwmo:Dagtekening>2025-12-31</iwmo:Dagtekening></wmo323:BerichtIdentificatie>
<wmo323:XsdVersie><iwmo:BasisschemaXsdVersie>1.0.0</iwmo:BasisschemaXsdVersie><iwmo:BerichtXsdVersie>1.0.0</iwmo:BerichtXsdVersie></wmo323:XsdVersie></wmo323:Header>
<wmo323:Declaratie><wmo323:DeclaratieNummer>{number}</wmo323:DeclaratieNummer>
<wmo323:DeclaratiePeriode><iwmo:Begindatum>{}</iwmo:Begindatum><iwmo:Einddatum>{}</iwmo:Einddatum></wmo323:DeclaratiePeriode>
<wmo323:DeclaratieDagtekening>2025-12-31</wmo323:DeclaratieDagtekening>
<wmo323:TotaalIngediendBedrag><iwmo:TotaalBedrag>{}</iwmo:TotaalBedrag><iwmo:DebetCredit>{}</iwmo:DebetCredit></wmo323:TotaalIngediendBedrag>
<wmo323:Clienten><wmo323:Client><wmo323:Bsn>{bsn}</wmo323:Bsn><wmo323:Prestaties>{body}</wmo323:Prestaties></wmo323:Client></wmo323:Clienten>
</wmo323:Declaratie></wmo323:Bericht>"#,
        period.0,
        period.1,
        total.abs(),
        sign(total < 0)
    )
}

e2e!(round_trip_allocation_301_305_323_325_and_a_credit, |app| {
    let region = setup_with_the_examples_allocations(&app).await;
    let token = provider_token(&app, &region, PROVIDER);

    // Out: the 301, valid against the XSD, also waiting in the provider's outbox.
    let message = app
        .get(&region.path("allocations/300201/iwmo-301"), &token)
        .await;
    assert_eq!(message.status, StatusCode::OK, "{}", message.text);
    assert_valid_xml(&message.text, "iwmo/WMO301.xsd");
    assert!(message.text.contains("<wmo301:Bsn>999900006</wmo301:Bsn>"));
    assert!(message
        .text
        .contains("<iwmo:Achternaam>Wit</iwmo:Achternaam>"));
    let outbox = app.get(&region.path("iwmo/outbox?limit=1"), &token).await;
    assert_eq!(outbox.status, StatusCode::OK, "{}", outbox.body);
    assert_eq!(outbox.body["items"][0]["allocationNumber"], 300201);
    assert_valid_xml(
        outbox.body["items"][0]["message"].as_str().unwrap(),
        "iwmo/WMO301.xsd",
    );
    let cursor = outbox.body["nextCursor"]
        .as_str()
        .expect("a second entry")
        .to_owned();
    let rest = app
        .get(&region.path(&format!("iwmo/outbox?after={cursor}")), &token)
        .await;
    assert_eq!(rest.body["items"][0]["allocationNumber"], 300202);
    assert_eq!(rest.body["nextCursor"], Value::Null);
    // Nothing of the client's identity in the allocation's JSON.
    let json = app.get(&region.path("allocations/300201"), &token).await;
    assert!(!json.body.to_string().contains("999900006") && !json.body.to_string().contains("Wit"));

    // 305 and 307 from the reference examples: care started and ended.
    let start = iwmo_example("WMO305.xml");
    let reply = app.send_message(&region, &token, &start).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let stop = iwmo_example("WMO307.xml");
    let reply = app.send_message(&region, &token, &stop).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let after = app.get(&region.path("allocations/300201"), &token).await;
    assert_eq!(after.body["careStartedOn"], "2025-04-03");
    assert!(after.body["careEndedOn"].is_string(), "{}", after.body);
    // The 307's RedenBeeindiging is kept (the scorecards' outflow by reason).
    assert_eq!(after.body["careEndReason"], "31", "{}", after.body);

    // 323: May, 10 h × € 60.00 = € 600.00, fully approved (8001).
    let debit = declaration(
        "000000000101",
        "DNMAY",
        ("2025-05-01", "2025-05-31"),
        "999900006",
        &[("R30020105", None, 300201, "01A11", 10, 6_000, 60_000, false)],
    );
    let reply = app.send_message(&region, &token, &debit).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_valid_xml(&reply.text, "iwmo/WMO325.xsd");
    assert!(
        reply
            .text
            .contains("<wmo325:RetourCode>8001</wmo325:RetourCode>"),
        "{}",
        reply.text
    );
    assert!(prestatie_codes(&reply.text).is_empty());
    assert_eq!(approved_total(&reply.text), 60_000);
    // A second debit for the same month: 9389; the reference again: 8021.
    let twice = declaration(
        "000000000102",
        "DNMAY2",
        ("2025-05-01", "2025-05-31"),
        "999900006",
        &[("R30020105b", None, 300201, "01A11", 1, 6_000, 6_000, false)],
    );
    let reply = app.send_message(&region, &token, &twice).await;
    assert_eq!(
        prestatie_codes(&reply.text),
        [("R30020105b".to_owned(), vec!["9389".to_owned()])]
    );
    assert_valid_xml(&reply.text, "iwmo/WMO325.xsd");
    let reused = declaration(
        "000000000105",
        "DNJUN",
        ("2025-06-01", "2025-06-30"),
        "999900006",
        &[("R30020105", None, 300201, "01A11", 1, 6_000, 6_000, false)],
    );
    let reply = app.send_message(&region, &token, &reused).await;
    assert_eq!(
        prestatie_codes(&reply.text),
        [("R30020105".to_owned(), vec!["8021".to_owned()])]
    );

    // TR319: a prestatie of an earlier month in a later declaration is fine:
    // April's 4 h on 300202 in the June declaration, 4 h × € 60.00.
    let late = declaration(
        "000000000107",
        "DNLATE",
        ("2025-06-01", "2025-06-30"),
        "999900006",
        &[("R30020204", None, 300202, "01A12", 4, 6_000, 24_000, false)],
    );
    let reply = app.send_message(&region, &token, &late).await;
    assert!(reply.text.contains(">8001<"), "{}", reply.text);
    // Addressed to another municipality (0384), the allocation is unknown to it: 9338.
    let misaddressed = declaration(
        "000000000106",
        "DNJUL",
        ("2025-07-01", "2025-07-31"),
        "999900006",
        &[("R30020107", None, 300201, "01A11", 1, 6_000, 6_000, false)],
    )
    .replace("<wmo323:Ontvanger>0363", "<wmo323:Ontvanger>0384");
    let reply = app.send_message(&region, &token, &misaddressed).await;
    assert_eq!(
        prestatie_codes(&reply.text),
        [("R30020107".to_owned(), vec!["9338".to_owned()])]
    );

    // A ceiling for the provider books the debits (€ 600.00 for May, € 240.00
    // for April); the credit takes May's back.
    let ceiling = app
        .post(
            &region.path("budget-ceilings"),
            &region.admin,
            json!({ "providerAgb": PROVIDER, "year": 2025, "amount": "100000.00", "hard": false }),
        )
        .await;
    assert_eq!(ceiling.status, StatusCode::CREATED, "{}", ceiling.body);
    let ceiling_path = region.path(&format!(
        "budget-ceilings/{}",
        ceiling.body["id"].as_str().unwrap()
    ));
    assert_eq!(
        app.get(&ceiling_path, &region.admin).await.body["spent"],
        "840.00"
    );
    let credit = declaration(
        "000000000103",
        "DNMAYC",
        ("2025-05-01", "2025-05-31"),
        "999900006",
        &[(
            "R30020105c",
            Some("R30020105"),
            300201,
            "01A11",
            10,
            6_000,
            60_000,
            true,
        )],
    );
    let reply = app.send_message(&region, &token, &credit).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_valid_xml(&reply.text, "iwmo/WMO325.xsd");
    assert!(
        reply
            .text
            .contains("<wmo325:RetourCode>8001</wmo325:RetourCode>"),
        "{}",
        reply.text
    );
    assert_eq!(approved_total(&reply.text), -60_000);
    assert_eq!(
        app.get(&ceiling_path, &region.admin).await.body["spent"],
        "240.00"
    );
    // Credited once only (9390); a new debit for May is welcome again.
    let again = declaration(
        "000000000104",
        "DNMAYC2",
        ("2025-05-01", "2025-05-31"),
        "999900006",
        &[
            (
                "R30020105d",
                Some("R30020105"),
                300201,
                "01A11",
                10,
                6_000,
                60_000,
                true,
            ),
            ("R30020105e", None, 300201, "01A11", 8, 6_000, 48_000, false),
        ],
    );
    let reply = app.send_message(&region, &token, &again).await;
    assert_eq!(
        prestatie_codes(&reply.text),
        [("R30020105d".to_owned(), vec!["9390".to_owned()])]
    );
    assert_eq!(approved_total(&reply.text), 48_000);
    assert_eq!(
        app.get(&ceiling_path, &region.admin).await.body["spent"],
        "720.00"
    );
});

e2e!(
    level_one_faults_are_400s_and_level_two_a_325_with_0001,
    |app| {
        let region = setup(&app).await;
        let token = provider_token(&app, &region, PROVIDER);
        let example = iwmo_example("WMO323.xml");
        let send = |xml: String| {
            let app = &app;
            let region = &region;
            let token = token.clone();
            async move { app.send_message(region, &token, &xml).await }
        };
        // Level 1: 400 problem+json naming each fault; no 325, nothing stored.
        let level_one = [
            ("not well-formed", example.replace("</wmo323:Header>", "")),
            (
                "a DTD",
                example.replacen(
                    "<wmo323:Bericht",
                    "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><wmo323:Bericht",
                    1,
                ),
            ),
            (
                "a date with a time zone",
                example.replace(
                    "<wmo323:DeclaratieDagtekening>2023-05-06",
                    "<wmo323:DeclaratieDagtekening>2023-05-06Z",
                ),
            ),
            (
                "an amount in euros",
                example.replacen(
                    "<iwmo:Bedrag>5000</iwmo:Bedrag>",
                    "<iwmo:Bedrag>50.00</iwmo:Bedrag>",
                    1,
                ),
            ),
            (
                "a BSN failing the eleven-test",
                example.replace("999900006", "999900007"),
            ),
            (
                "an unknown unit",
                example.replacen(
                    "<wmo323:Eenheid>04</wmo323:Eenheid>",
                    "<wmo323:Eenheid>99</wmo323:Eenheid>",
                    1,
                ),
            ),
            (
                "a missing element",
                example.replacen(
                    "<wmo323:ToewijzingNummer>20072</wmo323:ToewijzingNummer>",
                    "",
                    1,
                ),
            ),
            (
                "the wrong BerichtCode",
                example.replace("<wmo323:BerichtCode>484", "<wmo323:BerichtCode>414"),
            ),
            ("a code too long", example.replacen("01A03", "01A033", 1)),
        ];
        for (what, xml) in level_one {
            let reply = send(xml).await;
            assert_eq!(
                reply.status,
                StatusCode::BAD_REQUEST,
                "{what}: {}",
                reply.text
            );
            assert_eq!(
                reply.header("content-type"),
                "application/problem+json",
                "{what}"
            );
            assert!(
                !reply.error_fields().is_empty(),
                "{what}: every fault is named: {}",
                reply.body
            );
        }
        // Level 2: a 325 whose header carries 0001 and nothing else.
        let level_two = [
            (
                "TR358 total",
                example.replace("<iwmo:TotaalBedrag>58000", "<iwmo:TotaalBedrag>58001"),
            ),
            // The DeclaratiePeriode is the first period in the message.
            (
                "CS340 two months",
                example.replacen(
                    "<iwmo:Einddatum>2023-04-30</iwmo:Einddatum>",
                    "<iwmo:Einddatum>2023-05-31</iwmo:Einddatum>",
                    1,
                ),
            ),
            (
                "CD087 no tariff",
                example.replacen("<wmo323:ProductTarief>1250</wmo323:ProductTarief>", "", 1),
            ),
        ];
        for (i, (what, xml)) in level_two.into_iter().enumerate() {
            let xml = xml.replace("765432198", &format!("76543220{i}"));
            let reply = send(xml).await;
            assert_eq!(reply.status, StatusCode::OK, "{what}: {}", reply.text);
            assert_valid_xml(&reply.text, "iwmo/WMO325.xsd");
            assert_eq!(texts(&reply.text, "wmo325:RetourCode"), ["0001"], "{what}");
            assert!(!reply.text.contains("DeclaratieAntwoord"), "{what}");
        }
        let list = app.get(&region.path("iwmo/messages"), &region.admin).await;
        assert_eq!(
            list.body["total"], 3,
            "only the level-2 rejections are kept"
        );
        assert_eq!(list.body["items"][0]["outcome"], "rejected");
        // A message rejected at level 2 counts as not received: the corrected
        // message may use its identification (TR056), and replaces its record.
        let corrected = example.replace("765432198", "765432200");
        let reply = send(corrected.clone()).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        assert_ne!(texts(&reply.text, "wmo325:RetourCode")[0], "0001");
        let list = app.get(&region.path("iwmo/messages"), &region.admin).await;
        assert_eq!(list.body["total"], 3, "the rejected record made way");
        // Newest first.
        assert_eq!(
            list.body["items"][0]["outcome"], "processed",
            "{}",
            list.body
        );
        // Once processed, the identification is taken for good.
        let other = corrected.replace("DN001", "DN009");
        assert_eq!(send(other).await.status, StatusCode::CONFLICT);

        // Addressed outside the region: 422; as another provider's AGB: 403.
        let elsewhere = example.replace("<wmo323:Ontvanger>0384", "<wmo323:Ontvanger>0999");
        assert_eq!(
            send(elsewhere).await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let other = provider_token(&app, &region, OTHER_PROVIDER);
        assert_eq!(
            app.send_message(&region, &other, &example).await.status,
            StatusCode::FORBIDDEN
        );
        // An access team sends no 323; a provider no 301.
        let mut access = app.claims(&region.code, Role::AccessTeam);
        access.municipality = Some("GM0384".into());
        assert_eq!(
            app.send_message(&region, &app.sign(&access), &example)
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.send_message(&region, &token, &iwmo_example("WMO301.xml"))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        // Beyond MAX_MESSAGE_BYTES (1 MiB in the tests): 413.
        let huge = example.replace(
            "<wmo323:Clienten>",
            &format!("<!--{}--><wmo323:Clienten>", "x".repeat(1_100_000)),
        );
        assert_eq!(send(huge).await.status, StatusCode::PAYLOAD_TOO_LARGE);
        // JSON is not a message: 415.
        let json_body = app
            .post(&region.path("iwmo/messages"), &token, json!({}))
            .await;
        assert_eq!(json_body.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }
);

e2e!(a_301_allocates_changes_and_removes, |app| {
    let region = setup(&app).await;
    let mut access = app.claims(&region.code, Role::AccessTeam);
    access.municipality = Some("GM0384".into());
    let access = app.sign(&access);
    // The example 301: 0384 allocates 01A01 (10 minutes a day in 2023) to 999900006 at 42420001.
    let example = iwmo_example("WMO301.xml");
    let reply = app.send_message(&region, &access, &example).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    assert_eq!(reply.body["itemCount"], 1);
    let allocation = app
        .get(&region.path("allocations/101"), &region.admin)
        .await;
    assert_eq!(allocation.body["productCode"], "01A01");
    assert_eq!(allocation.body["providerAgb"], OTHER_PROVIDER);
    assert_eq!(
        allocation.body["volume"],
        json!({ "amount": 10, "unit": "minute", "frequency": "day" })
    );
    assert_eq!(allocation.body["endDate"], "2023-12-31");
    // Another access team may not allocate for 0384.
    let mut elsewhere = app.claims(&region.code, Role::AccessTeam);
    elsewhere.municipality = Some("GM0363".into());
    let changed = example
        .replace("123456789012", "123456789099")
        .replace("<iwmo:Volume>10", "<iwmo:Volume>20");
    assert_eq!(
        app.send_message(&region, &app.sign(&elsewhere), &changed)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // A change: 20 minutes a day.
    let reply = app.send_message(&region, &access, &changed).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let allocation = app
        .get(&region.path("allocations/101"), &region.admin)
        .await;
    assert_eq!(allocation.body["volume"]["amount"], 20);
    // The same allocation listed again unchanged (a 301 carries the current
    // ones): accepted, nothing changes.
    let again = changed.replace("123456789099", "123456789098");
    let reply = app.send_message(&region, &access, &again).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let allocation = app
        .get(&region.path("allocations/101"), &region.admin)
        .await;
    assert_eq!(allocation.body["volume"]["amount"], 20);
    // The allocation now has the client's identity: its 301 is written.
    let out = app
        .get(&region.path("allocations/101/iwmo-301"), &region.admin)
        .await;
    assert_eq!(out.status, StatusCode::OK, "{}", out.text);
    assert_valid_xml(&out.text, "iwmo/WMO301.xsd");
    // Removal (RedenWijziging 13): kept, but nothing can be declared on it.
    let removal = example.replace("123456789012", "123456789100").replace(
        "</wmo301:Einddatum>",
        "</wmo301:Einddatum><wmo301:RedenWijziging>13</wmo301:RedenWijziging>",
    );
    let reply = app.send_message(&region, &access, &removal).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let allocation = app
        .get(&region.path("allocations/101"), &region.admin)
        .await;
    assert!(
        allocation.body["removedAt"].is_string(),
        "{}",
        allocation.body
    );
    let line = json!([{ "allocationNumber": 101, "productCode": "01A01", "periodStart": "2023-03-01", "periodEnd": "2023-03-31", "deliveredVolume": 10 }]);
    let declared = app
        .declare(&region, &region.admin, "after-removal", line)
        .await;
    assert_eq!(
        declared.body["lines"][0]["reasonCode"], "9384",
        "{}",
        declared.body
    );
    // A 301 whose second product is unknown in the region: 422, and the
    // first is not stored either (one message, one transaction).
    let product = |number: &str, code: &str| {
        let start = example.find("<wmo301:ToegewezenProduct>").unwrap();
        let end = example.find("</wmo301:ToegewezenProduct>").unwrap()
            + "</wmo301:ToegewezenProduct>".len();
        example[start..end]
            .replace(
                "<wmo301:ToewijzingNummer>101",
                &format!("<wmo301:ToewijzingNummer>{number}"),
            )
            .replace("01A01", code)
    };
    let unknown = example.replace("123456789012", "123456789101").replace(
        &product("101", "01A01"),
        &format!("{}{}", product("103", "01A01"), product("102", "09Z99")),
    );
    let reply = app.send_message(&region, &access, &unknown).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.text
    );
    for number in ["102", "103"] {
        let path = region.path(&format!("allocations/{number}"));
        assert_eq!(
            app.get(&path, &region.admin).await.status,
            StatusCode::NOT_FOUND
        );
    }
    // A 305 for another provider's allocation (101 is 42420001's): 422.
    let start = iwmo_example("WMO305.xml")
        .replace("<wmo305:Ontvanger>0363", "<wmo305:Ontvanger>0384")
        .replace("300201", "101");
    let reply = app
        .send_message(&region, &provider_token(&app, &region, PROVIDER), &start)
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.text
    );
    assert_eq!(
        app.get(&region.path("allocations/101"), &region.admin)
            .await
            .body["careStartedOn"],
        Value::Null
    );
});

e2e!(the_jeugdwet_speaks_ijw, |app| {
    let region = setup(&app).await;
    allocate(
        &app,
        &region,
        400001,
        "999900006",
        "GM0363",
        "45A01",
        "2025-01-01",
        4,
    )
    .await;
    let token = provider_token(&app, &region, PROVIDER);
    // The allocation's 301 is a JW301.
    let message = app
        .get(&region.path("allocations/400001/iwmo-301"), &token)
        .await;
    assert_eq!(message.status, StatusCode::OK, "{}", message.text);
    assert_valid_xml(&message.text, "ijw/JW301.xsd");
    // A JW323 (the same content in the iJw namespaces, BerichtCode 490,
    // JZ020 category 45): 10 h × € 90.00 = € 900.00, answered with a JW325.
    let jw323 = declaration(
        "000000000201",
        "DNJW",
        ("2025-03-01", "2025-03-31"),
        "999900006",
        &[("J40000103", None, 400001, "45A01", 10, 9_000, 90_000, false)],
    )
    .replace("iwmo/3_2/wmo323/schema", "ijw/3_2/jw323/schema")
    .replace("iwmo/3_2/basisschema/schema", "ijw/3_2/basisschema/schema")
    .replace("xmlns:wmo323", "xmlns:jw323")
    .replace("wmo323:", "jw323:")
    .replace("<jw323:BerichtCode>484", "<jw323:BerichtCode>490")
    .replace("<jw323:ProductCategorie>01", "<jw323:ProductCategorie>45");
    let reply = app.send_message(&region, &token, &jw323).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_valid_xml(&reply.text, "ijw/JW325.xsd");
    assert!(reply.text.contains(">8001<"), "{}", reply.text);
    let list = app.get(&region.path("iwmo/messages"), &token).await;
    assert_eq!(list.body["items"][0]["law"], "jeugdwet");
    assert_eq!(list.body["items"][0]["approvedAmount"], "900.00");
});

e2e!(
    concurrent_323s_of_one_provider_do_not_share_a_reference,
    |app| {
        let region = setup_with_the_examples_allocations(&app).await;
        let token = provider_token(&app, &region, PROVIDER);
        // The same reference on two allocations, in two messages sent at once:
        // one takes it, the other is told 8021 (never a 409, never both).
        let first = declaration(
            "000000000301",
            "DNC1",
            ("2025-08-01", "2025-08-31"),
            "999900006",
            &[("RCONC", None, 300201, "01A11", 1, 6_000, 6_000, false)],
        );
        let second = declaration(
            "000000000302",
            "DNC2",
            ("2025-08-01", "2025-08-31"),
            "999900006",
            &[("RCONC", None, 300202, "01A12", 1, 6_000, 6_000, false)],
        );
        let (a, b) = tokio::join!(
            app.send_message(&region, &token, &first),
            app.send_message(&region, &token, &second)
        );
        assert_eq!(
            (a.status, b.status),
            (StatusCode::OK, StatusCode::OK),
            "{} {}",
            a.text,
            b.text
        );
        let approved = [&a, &b]
            .iter()
            .filter(|r| r.text.contains(">8001<"))
            .count();
        let refused = [&a, &b]
            .iter()
            .filter(|r| prestatie_codes(&r.text) == [("RCONC".to_owned(), vec!["8021".to_owned()])])
            .count();
        assert_eq!((approved, refused), (1, 1), "{}\n{}", a.text, b.text);
    }
);

/// The report's clients for `from`..`to`: group HH's, GM0363's and the
/// trends' in the period's last month (0 where a row is missing).
async fn report_clients(app: &TestApp, region: &Region, from: &str, to: &str) -> (i64, i64, i64) {
    let made = app
        .post(
            &region.path("reports"),
            &region.admin,
            json!({ "from": from, "to": to }),
        )
        .await;
    assert_eq!(made.status, StatusCode::ACCEPTED, "{}", made.body);
    let job = e2e::wait_for_job(app, region, made.body["jobId"].as_str().unwrap()).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    let report = app
        .get(
            &region.path(&format!("reports/{}", made.body["id"].as_str().unwrap())),
            &region.admin,
        )
        .await;
    let content = &report.body["content"];
    let clients_of = |list: &str, key: &str, code: &str| {
        content[list]
            .as_array()
            .unwrap()
            .iter()
            .find(|row| row[key] == code)
            .map_or(0, |row| row["clients"].as_i64().unwrap())
    };
    let trends = content["trends"].as_array().unwrap();
    (
        clients_of("productGroups", "productGroupCode", "HH"),
        clients_of("municipalities", "cbsCode", "GM0363"),
        trends[trends.len() - 1]["clients"].as_i64().unwrap(),
    )
}

// A credit sent in a 323 takes the client out of the month its debit
// filled: 999900006's only June care is credited, 999900018's stands.
e2e!(a_credit_in_a_323_takes_the_client_out_of_the_month, |app| {
    let region = setup(&app).await;
    allocate(
        &app,
        &region,
        400001,
        "999900006",
        "GM0363",
        "01A11",
        "2025-01-01",
        4,
    )
    .await;
    allocate(
        &app,
        &region,
        400002,
        "999900018",
        "GM0363",
        "01A11",
        "2025-01-01",
        4,
    )
    .await;
    let token = provider_token(&app, &region, PROVIDER);
    let june = ("2025-06-01", "2025-06-30");
    for (identification, number, bsn, reference, allocation) in [
        ("000000000401", "DNJUN1", "999900006", "RJUN1", 400001),
        ("000000000402", "DNJUN2", "999900018", "RJUN2", 400002),
    ] {
        let debit = declaration(
            identification,
            number,
            june,
            bsn,
            &[(
                reference, None, allocation, "01A11", 10, 6_000, 60_000, false,
            )],
        );
        let reply = app.send_message(&region, &token, &debit).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        assert!(reply.text.contains(">8001<"), "{}", reply.text);
    }
    assert_eq!(
        report_clients(&app, &region, "2025-06-01", "2025-06-30").await,
        (2, 2, 2)
    );

    let credit = declaration(
        "000000000403",
        "DNJUN1C",
        june,
        "999900006",
        &[(
            "RJUN1C",
            Some("RJUN1"),
            400001,
            "01A11",
            10,
            6_000,
            60_000,
            true,
        )],
    );
    let reply = app.send_message(&region, &token, &credit).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_valid_xml(&reply.text, "iwmo/WMO325.xsd");
    assert!(reply.text.contains(">8001<"), "{}", reply.text);
    assert_eq!(approved_total(&reply.text), -60_000);
    // June counts 999900018 only, in the group, the municipality and the trend.
    assert_eq!(
        report_clients(&app, &region, "2025-06-01", "2025-06-30").await,
        (1, 1, 1)
    );
    assert_eq!(
        report_clients(&app, &region, "2025-01-01", "2025-12-31")
            .await
            .0,
        1
    );
});

// Seed 000 §4.1 through iWmo: an absence day (BW0E1) is paid instead of the
// day product (BW0A1), never beside it. A 323 declares a whole month of each
// (TR387/TR388): 31 days of BW0A1 and 1 absence day in March claim 32 days
// of 31, and the absence day is refused (ZR11, answered as 9321); 29 days
// and 1 absence day in April fit, and the whole 323 is approved (8001).
e2e!(
    an_absence_day_beside_the_day_product_in_a_323_is_9321,
    |app| {
        let region = app.new_region().await;
        app.create_all(
        &region,
        &[
            (
                "municipalities",
                json!({ "cbsCode": "GM0363", "name": "Amsterdam" }),
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
                json!({ "agbCode": PROVIDER, "kvkNumber": "65656055", "name": "Zorg Noord" }),
            ),
            (
                "contracts",
                json!({ "providerAgb": PROVIDER, "procurementForm": "open-house", "productGroupCodes": ["BW"], "municipalityCbsCodes": ["GM0363"], "startDate": "2025-01-01", "initialTermMonths": 48 }),
            ),
        ],
    )
    .await;
        for (number, product) in [(10, "BW0A1"), (11, "BW0E1")] {
            let body = json!({
                "allocationNumber": number, "clientBsn": "999900006", "municipalityCbs": "GM0363", "productCode": product,
                "providerAgb": PROVIDER, "startDate": "2025-01-01", "endDate": "2025-12-31", "volume": { "amount": 1, "unit": "day", "frequency": "day" }
            });
            let reply = app
                .post(&region.path("allocations"), &region.admin, body)
                .await;
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
        let token = provider_token(&app, &region, PROVIDER);
        // Category 07 (verblijf), unit 14 (etmaal) for both products.
        let days = |xml: String| {
            xml.replace(
                "<wmo323:ProductCategorie>01<",
                "<wmo323:ProductCategorie>07<",
            )
            .replace("<wmo323:Eenheid>04<", "<wmo323:Eenheid>14<")
        };

        let march = days(declaration(
            "000000000501",
            "DNBW03",
            ("2025-03-01", "2025-03-31"),
            "999900006",
            &[
                ("RBW03A", None, 10, "BW0A1", 31, 9_650, 299_150, false),
                ("RBW03E", None, 11, "BW0E1", 1, 5_000, 5_000, false),
            ],
        ));
        let reply = app.send_message(&region, &token, &march).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        assert_valid_xml(&reply.text, "iwmo/WMO325.xsd");
        // IV087: header 0200, only the refused prestatie listed; the day
        // product's 31 × € 96.50 is approved.
        assert_eq!(texts(&reply.text, "wmo325:RetourCode")[0], "0200");
        assert_eq!(
            prestatie_codes(&reply.text),
            [("RBW03E".to_owned(), vec!["9321".to_owned()])]
        );
        assert_eq!(approved_total(&reply.text), 299_150);
        // The lines keep our own code: approved, then ZR11.
        let location = reply.header("location").to_owned();
        let message = app.get(&location, &token).await;
        let batch = message.body["batchId"].as_str().unwrap();
        let lines = app
            .get(
                &region.path(&format!("declarations/{batch}/lines")),
                &region.admin,
            )
            .await;
        let verdicts: Vec<(&str, &str)> = lines.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["referenceNumber"].as_str().unwrap(),
                    l["reasonCode"].as_str().unwrap_or("-"),
                )
            })
            .collect();
        assert_eq!(verdicts, [("RBW03A", "-"), ("RBW03E", "ZR11")]);

        let april = days(declaration(
            "000000000502",
            "DNBW04",
            ("2025-04-01", "2025-04-30"),
            "999900006",
            &[
                ("RBW04A", None, 10, "BW0A1", 29, 9_650, 279_850, false),
                ("RBW04E", None, 11, "BW0E1", 1, 5_000, 5_000, false),
            ],
        ));
        let reply = app.send_message(&region, &token, &april).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        assert_valid_xml(&reply.text, "iwmo/WMO325.xsd");
        assert!(
            reply
                .text
                .contains("<wmo325:RetourCode>8001</wmo325:RetourCode>"),
            "{}",
            reply.text
        );
        assert!(prestatie_codes(&reply.text).is_empty());
        assert_eq!(approved_total(&reply.text), 279_850 + 5_000);
    }
);
