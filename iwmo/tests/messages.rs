//! Tests against the iWmo/iJw 3.2 reference material in the shared folder
//! (env IWMO_REFERENCE, else ../../shared/iwmo beside the checkout).

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use chrono::NaiveDate;
use iwmo::{
    content_faults, parse, write_301, write_325, Answer325, AnswerBody, Declaration323, Fault,
    Header, Kind, Law, Message, Outgoing301,
};

fn reference() -> PathBuf {
    std::env::var_os("IWMO_REFERENCE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/iwmo")))
}

fn example(name: &str) -> String {
    let path = reference().join("examples/iwmo").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn faults_of(xml: &str) -> Vec<Fault> {
    match parse(xml.as_bytes()) {
        Ok(_) => panic!("expected faults, the message parsed"),
        Err(f) => f,
    }
}

/// Asserts some fault's path ends with `path` and its message contains `text`.
fn assert_fault(faults: &[Fault], path: &str, text: &str) {
    assert!(
        faults
            .iter()
            .any(|f| f.path.ends_with(path) && f.message.contains(text)),
        "no fault at {path:?} containing {text:?} in {faults:#?}"
    );
}

fn declaration(xml: &str) -> (Header, Declaration323) {
    match parse(xml.as_bytes()) {
        Ok((h, Message::Declaration(d))) => (h, d),
        Ok(other) => panic!("not a 323: {other:?}"),
        Err(f) => panic!("faults: {f:#?}"),
    }
}

/// Validates `xml` against `xsd` (relative to the reference folder) with xmllint.
fn assert_valid(xml: &str, xsd: &str) {
    let xsd = reference().join("xsd").join(xsd);
    let child = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(&xsd)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => panic!("xmllint is needed for this test ({e}): apt-get install libxml2-utils"),
    };
    child
        .stdin
        .take()
        .unwrap()
        .write_all(xml.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "not valid against {}:\n{}\n{xml}",
        xsd.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn parses_example_301() {
    let (h, m) = parse(example("WMO301.xml").as_bytes()).unwrap();
    assert_eq!((h.law, h.kind), (Law::Wmo, Kind::Allocation301));
    assert_eq!(
        (h.sender.as_str(), h.receiver.as_str()),
        ("0384", "42420001")
    );
    assert_eq!(h.message_id, "123456789012");
    assert_eq!(h.dated, date("2023-08-13"));
    let Message::Allocation(a) = m else { panic!() };
    assert_eq!(a.client.bsn, "999900006");
    assert_eq!(a.client.birth_date, date("1967-08-13"));
    assert_eq!(a.client.gender, "1");
    assert_eq!(a.client.last_name, "Wit");
    assert_eq!(a.client.prefix.as_deref(), Some("de"));
    assert_eq!(a.client.first_names.as_deref(), Some("Tim"));
    assert_eq!(a.client.initials.as_deref(), Some("T"));
    assert_eq!(a.client.name_usage.as_deref(), Some("4"));
    assert_eq!(a.contacts.len(), 1);
    assert_eq!(a.products.len(), 1);
    let p = &a.products[0];
    assert_eq!(p.number, 101);
    assert_eq!(
        (p.category.as_str(), p.code.as_deref()),
        ("01", Some("01A01"))
    );
    assert_eq!(
        (p.start, p.end),
        (date("2023-01-01"), Some(date("2023-12-31")))
    );
    assert_eq!(p.allocated_on, date("2023-08-13"));
    let v = p.volume.as_ref().unwrap();
    assert_eq!(
        (v.volume, v.unit.as_str(), v.frequency.as_str()),
        (10, "01", "1")
    );
    assert_eq!(p.budget_cents, None);
    assert_eq!(p.change_reason, None);
}

#[test]
fn parses_example_305_and_307() {
    let (h, m) = parse(example("WMO305.xml").as_bytes()).unwrap();
    assert_eq!(
        (h.kind, h.sender.as_str(), h.receiver.as_str()),
        (Kind::Start305, "65656055", "0363")
    );
    let Message::Start(s) = m else { panic!() };
    assert_eq!(s.client.bsn, "999900006");
    assert_eq!(s.products.len(), 2);
    assert_eq!(s.products[1].number, 300202);
    assert_eq!(s.products[1].code.as_deref(), Some("01A12"));
    assert_eq!(s.products[1].allocation_start, date("2025-04-01"));
    assert_eq!(s.products[1].start, date("2025-04-04"));
    assert_eq!(s.products[1].status, "1");

    let (h, m) = parse(example("WMO307.xml").as_bytes()).unwrap();
    assert_eq!(h.kind, Kind::Stop307);
    let Message::Stop(s) = m else { panic!() };
    assert_eq!(s.client.last_name, "Vries");
    assert_eq!(s.client.first_names.as_deref(), Some("Peter R"));
    let p = &s.products[1];
    assert_eq!(p.number, 300202);
    assert_eq!(p.start, Some(date("2025-04-15")));
    assert_eq!(p.end, date("2025-07-18"));
    assert_eq!(p.reason.as_deref(), Some("31"));
}

#[test]
fn parses_example_323() {
    let (h, d) = declaration(&example("WMO323.xml"));
    assert_eq!((h.law, h.kind), (Law::Wmo, Kind::Declaration323));
    assert_eq!(
        (h.sender.as_str(), h.receiver.as_str()),
        ("65656055", "0384")
    );
    assert_eq!(h.message_id, "765432198");
    assert_eq!(h.xsd_version.message, "1.0.0");
    assert_eq!(d.number, "DN001");
    assert_eq!(d.period, (date("2023-04-01"), date("2023-04-30")));
    assert_eq!(d.dated, date("2023-05-06"));
    assert_eq!(d.total_cents, 58000);
    assert_eq!(d.clients.len(), 2);
    assert_eq!(
        d.clients.iter().map(|c| c.prestaties.len()).sum::<usize>(),
        4
    );
    let rn002 = &d.clients[0].prestaties[1];
    assert_eq!(rn002.reference, "RN002");
    assert_eq!(rn002.allocation_number, 200730);
    assert_eq!(rn002.volume, 16);
    assert_eq!(rn002.unit, "04");
    assert_eq!(rn002.tariff_cents, Some(1500));
    assert_eq!(rn002.amount_cents, 24000);
    assert!(!rn002.credit);
    assert_eq!(d.clients[1].bsn, "999900018");
}

#[test]
fn content_rules_of_the_323() {
    let xml = example("WMO323.xml");
    let (_, d) = declaration(&xml);
    assert_eq!(content_faults(&d), vec![]);

    let (_, d) =
        declaration(&xml.replace("<iwmo:TotaalBedrag>58000<", "<iwmo:TotaalBedrag>58001<"));
    assert_fault(
        &content_faults(&d),
        "Declaratie/TotaalIngediendBedrag",
        "TR358",
    );

    // A credit total of the same amount is wrong too: the sign counts.
    let at = xml.find("<iwmo:TotaalBedrag>").unwrap();
    let dc = at + xml[at..].find("<iwmo:DebetCredit>D").unwrap();
    let credit_total = format!("{}<iwmo:DebetCredit>C{}", &xml[..dc], &xml[dc + 19..]);
    let (_, d) = declaration(&credit_total);
    assert_eq!(d.total_cents, -58000);
    assert_fault(
        &content_faults(&d),
        "Declaratie/TotaalIngediendBedrag",
        "TR358",
    );

    let two_months = xml.replacen(
        "<iwmo:Einddatum>2023-04-30</iwmo:Einddatum>",
        "<iwmo:Einddatum>2023-05-31</iwmo:Einddatum>",
        1,
    );
    let (_, d) = declaration(&two_months.replace("2023-05-06", "2023-06-06"));
    let faults = content_faults(&d);
    assert_fault(&faults, "Declaratie/DeclaratiePeriode", "CS340");
    assert_eq!(faults.len(), 1, "{faults:#?}");

    let (_, d) =
        declaration(&xml.replacen("<wmo323:ProductTarief>1500</wmo323:ProductTarief>", "", 1));
    assert_fault(
        &content_faults(&d),
        "Declaratie/Clienten/Client[1]/Prestaties/Prestatie[2]/ProductTarief",
        "CD087",
    );
    // Eenheid 83 (Euro's) needs no tariff.
    let euros = xml
        .replace("\r\n", "\n")
        .replacen("<wmo323:ProductTarief>1500</wmo323:ProductTarief>", "", 1)
        .replacen(
            "<wmo323:GeleverdVolume>16</wmo323:GeleverdVolume>\n\t\t\t\t\t\t<wmo323:Eenheid>04</wmo323:Eenheid>",
            "<wmo323:GeleverdVolume>16</wmo323:GeleverdVolume>\n\t\t\t\t\t\t<wmo323:Eenheid>83</wmo323:Eenheid>",
            1,
        );
    let (_, d) = declaration(&euros);
    assert_eq!(content_faults(&d), vec![]);

    let duplicate_previous = xml
        .replace(
            "<iwmo:ReferentieNummer>RN001</iwmo:ReferentieNummer>",
            "<iwmo:ReferentieNummer>RN001</iwmo:ReferentieNummer>\n<iwmo:VorigReferentieNummer>RN000</iwmo:VorigReferentieNummer>",
        )
        .replace(
            "<iwmo:ReferentieNummer>RN003</iwmo:ReferentieNummer>",
            "<iwmo:ReferentieNummer>RN003</iwmo:ReferentieNummer>\n<iwmo:VorigReferentieNummer>RN000</iwmo:VorigReferentieNummer>",
        );
    let (_, d) = declaration(&duplicate_previous);
    let faults = content_faults(&d);
    assert_fault(
        &faults,
        "Client[2]/Prestaties/Prestatie[1]/ProductReferentie/VorigReferentieNummer",
        "TR315",
    );
    assert_eq!(faults.len(), 1, "{faults:#?}");

    // TR416: a second debit for the same allocation, product and period.
    let (_, mut d) = declaration(&xml);
    let copy = d.clients[0].prestaties[0].clone();
    d.clients[0].prestaties.push(iwmo::Prestatie {
        reference: "RN009".into(),
        ..copy
    });
    d.total_cents += 5000;
    assert_fault(
        &content_faults(&d),
        "Client[1]/Prestaties/Prestatie[3]",
        "TR416",
    );
}

#[test]
fn level_1_faults() {
    let xml = example("WMO323.xml");

    let laughs = xml.replacen(
        "<wmo323:Bericht",
        "<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]>\n<wmo323:Bericht",
        1,
    );
    assert_fault(&faults_of(&laughs), "Document", "DOCTYPE");
    let external = xml
        .replacen(
            "<wmo323:Bericht",
            "<!DOCTYPE x [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n<wmo323:Bericht",
            1,
        )
        .replace("DN001", "&xxe;");
    assert_fault(&faults_of(&external), "Document", "DOCTYPE");
    // Without a DTD an unknown entity is refused too.
    assert_fault(
        &faults_of(&xml.replace("DN001", "DN&xxe;")),
        "Document",
        "unknown entity",
    );
    // Predefined entities and character references are fine.
    let (_, d) = declaration(&xml.replace("DN001", "DN&#48;01"));
    assert_eq!(d.number, "DN001");

    assert_fault(&faults_of("<a><b></a>"), "Document", "not well-formed");

    let zoned = xml.replace(
        "<wmo323:DeclaratieDagtekening>2023-05-06<",
        "<wmo323:DeclaratieDagtekening>2023-05-06Z<",
    );
    assert_fault(
        &faults_of(&zoned),
        "Declaratie/DeclaratieDagtekening",
        "not a date",
    );
    let offset = xml.replace(
        "<wmo323:DeclaratieDagtekening>2023-05-06<",
        "<wmo323:DeclaratieDagtekening>2023-05-06+01:00<",
    );
    assert_fault(
        &faults_of(&offset),
        "Declaratie/DeclaratieDagtekening",
        "not a date",
    );
    let impossible = xml.replace(
        "<wmo323:DeclaratieDagtekening>2023-05-06<",
        "<wmo323:DeclaratieDagtekening>2023-02-30<",
    );
    assert_fault(
        &faults_of(&impossible),
        "Declaratie/DeclaratieDagtekening",
        "not a date",
    );

    let cents = xml.replacen("<iwmo:Bedrag>5000<", "<iwmo:Bedrag>12.50<", 1);
    assert_fault(
        &faults_of(&cents),
        "Client[1]/Prestaties/Prestatie[1]/IngediendBedrag/Bedrag",
        "non-negative integer",
    );
    let too_big = xml.replacen("<iwmo:Bedrag>5000<", "<iwmo:Bedrag>100000000<", 1);
    assert_fault(&faults_of(&too_big), "IngediendBedrag/Bedrag", "maximum");

    let bsn = xml.replace("999900018", "999900019");
    assert_fault(
        &faults_of(&bsn),
        "Declaratie/Clienten/Client[2]/Bsn",
        "eleven-test",
    );

    let unit = xml.replacen("<wmo323:Eenheid>04<", "<wmo323:Eenheid>05<", 1);
    assert_fault(&faults_of(&unit), "Prestatie[1]/Eenheid", "WJ756");

    let no_bsn = xml.replace("<wmo323:Bsn>999900018</wmo323:Bsn>", "");
    assert_fault(
        &faults_of(&no_bsn),
        "Declaratie/Clienten/Client[2]/Bsn",
        "missing",
    );

    let code = xml.replace("<wmo323:BerichtCode>484<", "<wmo323:BerichtCode>414<");
    assert_fault(&faults_of(&code), "Header/BerichtCode", "does not match");

    let version = xml.replace("<wmo323:BerichtSubversie>2<", "<wmo323:BerichtSubversie>1<");
    assert_fault(
        &faults_of(&version),
        "Header/BerichtSubversie",
        "expected 2",
    );

    let unknown = xml.replace(
        "<wmo323:GeleverdVolume>4<",
        "<wmo323:Extra>x</wmo323:Extra><wmo323:GeleverdVolume>4<",
    );
    assert_fault(
        &faults_of(&unknown),
        "Prestatie[1]/Extra",
        "unknown element",
    );

    let category = xml.replacen(
        "<wmo323:ProductCategorie>01<",
        "<wmo323:ProductCategorie>45<",
        1,
    );
    assert_fault(
        &faults_of(&category),
        "Prestatie[1]/ProductCategorie",
        "WMO020",
    );

    let long_code = xml.replacen("01A03", "01A033", 1);
    assert_fault(
        &faults_of(&long_code),
        "Prestatie[1]/ProductCode",
        "at most 5",
    );

    let sender = xml.replace("<wmo323:Afzender>65656055<", "<wmo323:Afzender>0384<");
    assert_fault(&faults_of(&sender), "Header/Afzender", "AGB");

    let root = xml.replace("wmo323/schema", "wmo399/schema");
    assert_fault(&faults_of(&root), "Document", "not a Bericht");

    // Every fault is reported, not just the first.
    let many = bsn.replace("<wmo323:Eenheid>04<", "<wmo323:Eenheid>05<");
    let faults = faults_of(&many);
    assert_eq!(faults.len(), 5, "{faults:#?}");
}

#[test]
fn faults_are_capped_at_100() {
    let xml = example("WMO323.xml").replace("<wmo323:Eenheid>04<", "<wmo323:Eenheid>05<");
    let prestatie_start = xml.find("<wmo323:Prestatie>").unwrap();
    let prestatie_end = xml.find("</wmo323:Prestatie>").unwrap() + "</wmo323:Prestatie>".len();
    let one = &xml[prestatie_start..prestatie_end];
    let many = xml.replacen(one, &one.repeat(150), 1);
    assert_eq!(faults_of(&many).len(), 100);
}

fn example_answer<'a>(h: &'a Header, d: &'a Declaration323) -> Answer325<'a> {
    let codes = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    Answer325 {
        law: h.law,
        sender: h.receiver.clone(),
        receiver: h.sender.clone(),
        message_id: "654321987".into(),
        dated: date("2023-05-06"),
        request: h,
        body: AnswerBody::Assessed {
            declaration: d,
            prestatie_codes: vec![
                vec![codes(&["0611"]), codes(&["9339", "9340", "9341"])],
                vec![codes(&["9307"]), vec![]],
            ],
            client_codes: vec![vec![], vec![]],
            approved_total_cents: 24000,
        },
    }
}

#[test]
fn writes_the_example_325() {
    let (h, d) = declaration(&example("WMO323.xml"));
    let answer = example_answer(&h, &d);
    let xml = write_325(&answer);
    assert_valid(&xml, "iwmo/WMO325.xsd");
    assert_eq!(xml, write_325(&answer), "byte-stable");
    // Same structure as the reference 325, except that the prestaties repeat the
    // 323's values (the reference has ToewijzingNummer 20073 and Eenheid 01 for
    // RN002 where the 323 has 200730 and 04).
    let expected = example("WMO325.xml")
        .replace("\r\n", "\n")
        .replace("<wmo325:ToewijzingNummer>20073</wmo325:ToewijzingNummer>\n\t\t\t\t\t\t<wmo325:ProductCategorie>01</wmo325:ProductCategorie>\n\t\t\t\t\t\t<wmo325:ProductCode>01A04", "<wmo325:ToewijzingNummer>200730</wmo325:ToewijzingNummer>\n\t\t\t\t\t\t<wmo325:ProductCategorie>01</wmo325:ProductCategorie>\n\t\t\t\t\t\t<wmo325:ProductCode>01A04")
        .replace("<wmo325:Eenheid>01<", "<wmo325:Eenheid>04<");
    let normalise = |s: &str| s.split_whitespace().collect::<String>().replace("\"", "'");
    assert_eq!(normalise(&xml), normalise(&expected.replace(" >", ">")));
}

#[test]
fn writes_other_325_variants() {
    let (h, d) = declaration(&example("WMO323.xml"));
    let mut answer = example_answer(&h, &d);

    answer.body = AnswerBody::Rejected;
    let xml = write_325(&answer);
    assert_valid(&xml, "iwmo/WMO325.xsd");
    assert!(xml.contains("<wmo325:RetourCode>0001<") && !xml.contains("DeclaratieAntwoord"));

    answer.body = AnswerBody::Assessed {
        declaration: &d,
        prestatie_codes: vec![vec![vec![], vec![]], vec![vec![], vec![]]],
        client_codes: vec![vec![], vec![]],
        approved_total_cents: 58000,
    };
    let xml = write_325(&answer);
    assert_valid(&xml, "iwmo/WMO325.xsd");
    assert!(xml.contains("<wmo325:RetourCode>8001<") && !xml.contains("Clienten"));

    answer.body = AnswerBody::Assessed {
        declaration: &d,
        prestatie_codes: vec![vec![vec![], vec![]], vec![vec![], vec![]]],
        client_codes: vec![vec![], vec!["8187".into()]],
        approved_total_cents: 29000,
    };
    let xml = write_325(&answer);
    assert_valid(&xml, "iwmo/WMO325.xsd");
    assert_eq!(xml.matches("<wmo325:RetourCode>0233<").count(), 2);
    assert_eq!(xml.matches("<wmo325:Client>").count(), 1);
    assert!(xml.contains("<wmo325:RetourCode>8187<"));

    answer.body = AnswerBody::DeclarationRejected {
        declaration: &d,
        codes: vec!["9333".into()],
    };
    let xml = write_325(&answer);
    assert_valid(&xml, "iwmo/WMO325.xsd");
    assert!(xml.contains("<wmo325:RetourCode>9333<") && !xml.contains("Clienten"));
}

#[test]
fn writes_and_rereads_the_301() {
    let (h, m) = parse(example("WMO301.xml").as_bytes()).unwrap();
    let Message::Allocation(a) = m else { panic!() };
    let mut out = Outgoing301::from_parsed(&h, a);
    out.comment = Some("Zorg & <ondersteuning> \"thuis\"".into());
    let xml = write_301(&out);
    assert_valid(&xml, "iwmo/WMO301.xsd");
    let (h2, m2) = parse(xml.as_bytes()).unwrap();
    assert_eq!(h2.message_id, out.message_id);
    assert_eq!(h2.dated, out.dated);
    assert_eq!(
        (h2.sender.as_str(), h2.receiver.as_str()),
        (out.sender.as_str(), out.receiver.as_str())
    );
    assert_eq!(m2, Message::Allocation(out.allocation()));

    // A removed allocation with a budget and no product (the XSD allows that).
    let p = &mut out.products[0];
    p.change_reason = Some("13".into());
    p.budget_cents = Some(150_000);
    p.category.clear();
    p.code = None;
    let xml = write_301(&out);
    assert_valid(&xml, "iwmo/WMO301.xsd");
    let (_, m3) = parse(xml.as_bytes()).unwrap();
    assert_eq!(m3, Message::Allocation(out.allocation()));
}

/// The WMO323 example turned into a JW323 by namespaces, BerichtCode and a JZ020 category.
fn jw323() -> String {
    example("WMO323.xml")
        .replace(
            "http://www.istandaarden.nl/iwmo/3_2/wmo323/schema",
            "http://www.istandaarden.nl/ijw/3_2/jw323/schema",
        )
        .replace(
            "http://www.istandaarden.nl/iwmo/3_2/basisschema/schema",
            "http://www.istandaarden.nl/ijw/3_2/basisschema/schema",
        )
        .replace("<wmo323:BerichtCode>484<", "<wmo323:BerichtCode>490<")
        .replace(
            "<wmo323:ProductCategorie>01<",
            "<wmo323:ProductCategorie>45<",
        )
        .replace(
            "<iwmo:BasisschemaXsdVersie>1.0.0<",
            "<iwmo:BasisschemaXsdVersie>0.1.0<",
        )
        .replace(
            "<iwmo:BerichtXsdVersie>1.0.0<",
            "<iwmo:BerichtXsdVersie>0.1.0<",
        )
}

#[test]
fn ijw_323_and_325() {
    let xml = jw323();
    assert_valid(&xml, "ijw/JW323.xsd");
    let (h, d) = declaration(&xml);
    assert_eq!((h.law, h.kind), (Law::Jw, Kind::Declaration323));
    assert_eq!(d.clients[0].prestaties[0].category, "45");
    assert_eq!(content_faults(&d), vec![]);

    // A Wmo category is not in JZ020, and the Wmo BerichtCode does not fit.
    let wmo_category = xml.replacen(
        "<wmo323:ProductCategorie>45<",
        "<wmo323:ProductCategorie>01<",
        1,
    );
    assert_fault(
        &faults_of(&wmo_category),
        "Prestatie[1]/ProductCategorie",
        "JZ020",
    );
    let wmo_code = xml.replace("<wmo323:BerichtCode>490<", "<wmo323:BerichtCode>484<");
    assert_fault(&faults_of(&wmo_code), "Header/BerichtCode", "expected 490");

    let answer = example_answer(&h, &d);
    let out = write_325(&answer);
    assert!(out.contains("<jw325:BerichtCode>491<"));
    assert_valid(&out, "ijw/JW325.xsd");
}

#[test]
fn ijw_301_validates() {
    let (h, m) = parse(example("WMO301.xml").as_bytes()).unwrap();
    let Message::Allocation(mut a) = m else {
        panic!()
    };
    a.products[0].category = "45".into();
    a.products[0].code = Some("45A01".into());
    let mut out = Outgoing301::from_parsed(&h, a);
    out.law = Law::Jw;
    let xml = write_301(&out);
    assert_valid(&xml, "ijw/JW301.xsd");
    let (h2, m2) = parse(xml.as_bytes()).unwrap();
    assert_eq!((h2.law, h2.kind), (Law::Jw, Kind::Allocation301));
    assert_eq!(m2, Message::Allocation(out.allocation()));
}

#[test]
fn bsn_and_municipality_codes() {
    assert!(iwmo::is_valid_bsn("999900006"));
    assert!(iwmo::is_valid_bsn("999900018"));
    assert!(!iwmo::is_valid_bsn("999900019"));
    assert!(!iwmo::is_valid_bsn("99990001"));
    assert!(!iwmo::is_valid_bsn("99990001a"));
    assert_eq!(iwmo::municipality_code_to_cbs("0384"), "GM0384");
    assert_eq!(
        iwmo::cbs_to_municipality_code("GM0384").as_deref(),
        Some("0384")
    );
    assert_eq!(iwmo::cbs_to_municipality_code("0384"), None);
    assert_eq!(iwmo::codes::unit_meaning("04"), Some("Uur"));
}

#[test]
fn deep_nesting_and_floods_of_elements_are_refused_before_they_cost() {
    // 100,000 levels would overflow a thread's stack when the tree is dropped.
    let deep = format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000));
    let faults = faults_of(&deep);
    assert!(
        faults[0].message.contains("nested deeper than 32"),
        "{faults:?}"
    );
    let flood = format!("<a>{}</a>", "<x/>".repeat(1_600_000));
    let faults = faults_of(&flood);
    assert!(
        faults[0].message.contains("more than 1500000 elements"),
        "{faults:?}"
    );
}

#[test]
fn tr316_looks_at_the_credits_previous_reference() {
    let example = example("WMO323.xml");
    // RN004 credits RN001, which this same message debits: TR316.
    let credit = example.replace(
        "<iwmo:ReferentieNummer>RN004</iwmo:ReferentieNummer>",
        "<iwmo:ReferentieNummer>RN004</iwmo:ReferentieNummer><iwmo:VorigReferentieNummer>RN001</iwmo:VorigReferentieNummer>",
    );
    let (_, mut d) = declaration(&credit);
    let last = d.clients[1].prestaties.last_mut().unwrap();
    last.credit = true;
    d.total_cents = 58_000 - 2 * 24_000;
    let faults = iwmo::content_faults(&d);
    assert!(
        faults.iter().any(|f| f.message.starts_with("TR316")),
        "{faults:?}"
    );
    // A credit whose own reference merely equals a debit's is no TR316 (that is 8021's).
    let (_, mut d) = declaration(&example);
    let last = d.clients[1].prestaties.last_mut().unwrap();
    last.credit = true;
    last.reference = "RN001".into();
    d.total_cents = 58_000 - 2 * 24_000;
    let faults = iwmo::content_faults(&d);
    assert!(
        !faults.iter().any(|f| f.message.starts_with("TR316")),
        "{faults:?}"
    );
}
