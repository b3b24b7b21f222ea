use super::*;
use e2e::Region;

const REGIONS: [&str; 5] = [
    "centraal-gelderland",
    "rijk-van-nijmegen",
    "rivierenland",
    "regio-amersfoort",
    "midden-ijssel-oost-veluwe",
];

fn admin(app: &TestApp, code: &str) -> Region {
    Region {
        code: code.into(),
        admin: app.token(code, Role::RegionAdmin),
    }
}

fn items(reply: &Reply) -> Vec<Value> {
    reply.body["items"].as_array().cloned().unwrap_or_default()
}

/// On a fresh SQLite file only: the shared PostgreSQL test database keeps
/// the demo regions of earlier runs, which `load` rightly leaves alone.
#[tokio::test]
async fn demo_loads_the_five_regions_once() {
    let app = TestApp::spawn(e2e::Backend::Sqlite).await.unwrap();
    assert_eq!(api::demo::load(&app.state.db).await.unwrap(), 5);
    assert_eq!(
        api::demo::load(&app.state.db).await.unwrap(),
        0,
        "loading twice adds nothing"
    );
    let regions = app
        .get("/api/v1/regions?pageSize=500", &app.platform_token())
        .await;
    for code in REGIONS {
        assert!(regions.body.to_string().contains(code), "{code}");
    }
    catalogue_and_contracts_follow_the_seeds(&app).await;
    app.stop().await;
}

async fn catalogue_and_contracts_follow_the_seeds(app: &TestApp) {
    // Centraal Gelderland (seed 000): the bridged contracts end with 2026,
    // the new SAS ones run 4 + 2 × 2 years from 2027.
    let cg = admin(app, "centraal-gelderland");
    let t = &cg.admin;
    assert_eq!(
        app.get(&cg.path("municipalities"), t).await.body["total"],
        10
    );
    let arnhem = app.get(&cg.path("municipalities/GM0202"), t).await;
    assert_eq!(arnhem.body["name"], "Arnhem");
    let products = items(&app.get(&cg.path("products"), t).await);
    assert_eq!(products.len(), 8);
    for p in &products {
        let expected = if p["code"] == "BW0D1" { "04" } else { "15" };
        assert_eq!(p["iwmoCategory"], expected, "{p}");
    }
    let contracts = items(&app.get(&cg.path("contracts?pageSize=100"), t).await);
    let (old, new): (Vec<_>, Vec<_>) = contracts
        .iter()
        .partition(|c| c["startDate"] == "2022-01-01");
    assert_eq!((old.len(), new.len()), (6, 5));
    assert!(old.iter().all(|c| c["currentEndDate"] == "2026-12-31"));
    assert!(new.iter().all(|c| c["startDate"] == "2027-01-01"
        && c["procurementForm"] == "sas-tender"
        && c["maxEndDate"] == "2034-12-31"));
    // 2026 tariff of BW0C1 = 182.75 × 1.0496 = 191.8144 → 191.81
    let tariff = app
        .get(&cg.path("tariffs?productCode=BW0C1&date=2026-06-01"), t)
        .await;
    assert_eq!(
        tariff.body["items"][0]["price"], "191.81",
        "{}",
        tariff.body
    );
    assert_eq!(
        app.get(&cg.path("policies"), t).await.body["total"],
        7,
        "six of seed 000 and DOMAIN.md, and the indexation policy"
    );

    // Rijk van Nijmegen (seed 001 §3.1, §3.5): SAS, 1 January 2025 – 2037.
    let rvn = admin(app, "rijk-van-nijmegen");
    let contracts = items(&app.get(&rvn.path("contracts"), &rvn.admin).await);
    assert!(contracts.len() >= 8);
    for c in &contracts {
        assert_eq!(c["procurementForm"], "sas-tender", "{c}");
        assert_eq!(c["startDate"], "2025-01-01");
        assert_eq!(c["maxEndDate"], "2037-12-31");
    }
    let day_care = app.get(&rvn.path("products/07A01"), &rvn.admin).await;
    assert_eq!(day_care.body["iwmoCategory"], "07", "dagbesteding");

    // Rivierenland (seed 002): a tender from 2023, the first option used.
    let riv = admin(app, "rivierenland");
    for c in items(&app.get(&riv.path("contracts"), &riv.admin).await) {
        assert_eq!(c["procurementForm"], "sas-tender", "{c}");
        assert_eq!(c["currentEndDate"], "2028-12-31");
    }

    // Regio Amersfoort (seed 003): from 2027 one task-based contractor for
    // begeleiding, BW by SAS with at most five, safehouse and respijt by
    // open house for nine years, closed to newcomers once it runs.
    let amf = admin(app, "regio-amersfoort");
    let t = &amf.admin;
    let bw = items(&app.get(&amf.path("products?productGroupCode=BW"), t).await);
    assert_eq!(bw.len(), 2);
    assert!(bw.iter().all(|p| p["iwmoCategory"] == "15"), "{bw:?}");
    let task = app.get(&amf.path("products/02C01"), t).await;
    assert_eq!(task.body["fundingVariant"], "task");
    let from_2027 = |list: Vec<Value>| -> Vec<Value> {
        list.into_iter()
            .filter(|c| c["startDate"] == "2027-01-01")
            .collect()
    };
    let beg = from_2027(items(
        &app.get(&amf.path("contracts?productGroupCode=BEG"), t)
            .await,
    ));
    assert_eq!(beg.len(), 1, "one contractor for begeleiding");
    assert_eq!(beg[0]["procurementForm"], "sas-tender");
    assert_eq!(beg[0]["maxEndDate"], "2035-12-31");
    let bw = from_2027(items(
        &app.get(&amf.path("contracts?productGroupCode=BW"), t).await,
    ));
    assert!((1..=5).contains(&bw.len()));
    assert!(bw.iter().all(|c| c["procurementForm"] == "sas-tender"));
    for group in ["SH", "RV"] {
        let open = from_2027(items(
            &app.get(&amf.path(&format!("contracts?productGroupCode={group}")), t)
                .await,
        ));
        assert!(!open.is_empty());
        assert!(open
            .iter()
            .all(|c| c["procurementForm"] == "open-house" && c["initialTermMonths"] == 108));
    }
    let policies = app.get(&amf.path("policies?pageSize=100"), t).await;
    let text = policies.body.to_string();
    assert!(text.contains(r#""maxProviders":5"#), "{text}");
    assert_eq!(text.matches(r#""closedFrom":"2027-01-02""#).count(), 7);

    // Midden-IJssel/Oost-Veluwe (seed 004): the open house of 2026 – 2036;
    // Apeldoorn buys HH itself from 2026.
    let mij = admin(app, "midden-ijssel-oost-veluwe");
    let t = &mij.admin;
    let contracts = items(&app.get(&mij.path("contracts?pageSize=100"), t).await);
    let new: Vec<&Value> = contracts
        .iter()
        .filter(|c| c["startDate"] == "2026-01-01")
        .collect();
    assert!(new.len() >= 10);
    for c in &new {
        assert_eq!(c["procurementForm"], "open-house", "{c}");
        assert_eq!(c["currentEndDate"], "2036-12-31");
    }
    assert!(contracts
        .iter()
        .filter(|c| c["startDate"] == "2019-01-01")
        .all(|c| c["currentEndDate"] == "2025-12-31"));
    assert!(new
        .iter()
        .filter(|c| c["productGroupCodes"] == json!(["HH"]))
        .all(|c| !c["municipalityCbsCodes"].to_string().contains("GM0200")));
}
