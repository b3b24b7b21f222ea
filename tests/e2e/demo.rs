use super::*;
use e2e::{wait_for_job, Region};

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
/// The worker starts after the load, as `api --demo` starts it.
#[tokio::test]
async fn demo_loads_the_five_regions_once() {
    let app = TestApp::spawn_with_workers(e2e::Backend::Sqlite, None, false)
        .await
        .unwrap();
    let secret = app.state.config.client_key_secret.clone();
    let started = std::time::Instant::now();
    // A fixed day: the figures below must not move with the calendar.
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    assert_eq!(
        api::demo::load_on(&app.state.db, &secret, &app.state.config.data_keys, today)
            .await
            .unwrap(),
        5
    );
    println!("api::demo::load: five regions in {:.2?}", started.elapsed());
    assert_eq!(
        api::demo::load(&app.state.db, &secret, &app.state.config.data_keys)
            .await
            .unwrap(),
        0,
        "loading twice adds nothing"
    );
    api::app::spawn_embedded_worker(&app.state);
    let regions = app
        .get("/api/v1/regions?pageSize=500", &app.platform_token())
        .await;
    for code in REGIONS {
        assert!(regions.body.to_string().contains(code), "{code}");
    }
    catalogue_and_contracts_follow_the_seeds(&app).await;
    a_year_of_care(&app).await;
    the_steering_instruments_show_the_regions(&app).await;
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
        9,
        "six of seed 000 and DOMAIN.md, the indexation policy, and the demo's waiting norm and coverage minimum"
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

    // Rivierenland (seed 002): a tender from 2023, the first option used,
    // on §4.3's new lots; persoonlijke verzorging only for its current
    // clients (the open house of before 2023 carried it).
    let riv = admin(app, "rivierenland");
    let t = &riv.admin;
    let contracts = items(&app.get(&riv.path("contracts?pageSize=100"), t).await);
    let (old, new): (Vec<_>, Vec<_>) = contracts
        .iter()
        .partition(|c| c["startDate"] == "2019-01-01");
    assert!(old
        .iter()
        .all(|c| c["productGroupCodes"] == json!(["PV"]) && c["currentEndDate"] == "2022-12-31"));
    assert!(!new.is_empty());
    for c in new {
        assert_eq!(c["startDate"], "2023-01-01", "{c}");
        assert_eq!(c["procurementForm"], "sas-tender", "{c}");
        assert_eq!(c["currentEndDate"], "2028-12-31");
    }
    let begeleiding = items(&app.get(&riv.path("products?productGroupCode=BEG"), t).await);
    let codes: Vec<&str> = begeleiding
        .iter()
        .filter_map(|p| p["code"].as_str())
        .collect();
    assert_eq!(codes.len(), 2, "individual and group together: {codes:?}");
    assert!(
        codes.contains(&"02B01") && codes.contains(&"07B01"),
        "{codes:?}"
    );
    let pv = app.get(&riv.path("products/03B01"), t).await;
    assert_eq!(
        pv.body["closedToNewClientsFrom"], "2023-01-01",
        "{}",
        pv.body
    );
    let pv_allocations = items(
        &app.get(&riv.path("allocations?productCode=03B01&pageSize=100"), t)
            .await,
    );
    assert!(pv_allocations.len() >= 6, "{pv_allocations:?}");
    assert!(
        pv_allocations
            .iter()
            .any(|a| a["startDate"].as_str().unwrap() < "2023-01-01"),
        "the clients of before the closing: {pv_allocations:?}"
    );

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
    // its task budget (§3.3), of the seed's size (about € 18 million):
    // 2,300 clients × 120 h × the 2027 hourly tariff, start-up at the 5%
    // maximum, shared by inhabitants
    let budgets = app
        .get(
            &amf.path(&format!(
                "contracts/{}/task-budgets",
                beg[0]["id"].as_str().unwrap()
            )),
            t,
        )
        .await;
    let budget = &budgets.body["items"][0];
    assert_eq!(budget["year"], 2027, "{}", budgets.body);
    assert_eq!(budget["plannedClients"], 2300);
    let price: f64 = budget["hourlyPrice"].as_str().unwrap().parse().unwrap();
    let annual: f64 = budget["annualBudget"].as_str().unwrap().parse().unwrap();
    assert!(
        price > 60.0 && (annual - 276_000.0 * price).abs() < 0.005,
        "{budget}"
    );
    assert!((17_500_000.0..18_500_000.0).contains(&annual), "{budget}");
    // §4.3 and §6.3: beschermd wonen and respijt per arrangement.
    for (code, per) in [("15C01", "month"), ("15C02", "month"), ("04C01", "stay")] {
        let p = app.get(&amf.path(&format!("products/{code}")), t).await;
        assert_eq!(p.body["fundingVariant"], "output", "{}", p.body);
        assert_eq!(p.body["arrangementPeriod"], per, "{}", p.body);
    }
    assert_eq!(budget["municipalities"].as_array().unwrap().len(), 7);
    let cg = admin(app, "centraal-gelderland");
    let ti = app.get(&cg.path("products/BW0C2"), &cg.admin).await;
    assert_eq!(ti.body["intensiveFor"], "BW0C1", "{}", ti.body);
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
        // §5.7, §6.7: nine years, notice at least a year before.
        assert!(open.iter().all(|c| c["procurementForm"] == "open-house"
            && c["initialTermMonths"] == 108
            && c["noticeMonths"] == 12));
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

async fn a_year_of_care(app: &TestApp) {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    let (from, to) = api::demo::window(today);
    for code in REGIONS {
        let region = admin(app, code);
        let t = &region.admin;
        let allocations = app.get(&region.path("allocations?pageSize=1"), t).await;
        let count = allocations.body["total"].as_i64().unwrap();
        assert!(count >= 60, "{code}: {count} allocations");

        let batches = items(&app.get(&region.path("declarations?pageSize=500"), t).await);
        let sum = |field: &str| -> i64 { batches.iter().map(|b| b[field].as_i64().unwrap()).sum() };
        let (approved, rejected) = (sum("approvedCount"), sum("rejectedCount"));
        let share = rejected as f64 / (approved + rejected) as f64;
        println!("{code}: {count} allocations, {approved} lines approved, {rejected} rejected");
        assert!(approved >= 300, "{code}: {approved} approved lines");
        assert!(
            (0.005..0.08).contains(&share),
            "{code}: {rejected} of {} rejected",
            approved + rejected
        );

        // A monitoring report over the generated year.
        let created = app
            .post(
                &region.path("reports"),
                t,
                json!({ "from": from.to_string(), "to": to.to_string() }),
            )
            .await;
        assert_eq!(created.status, StatusCode::ACCEPTED, "{}", created.body);
        let job = wait_for_job(app, &region, created.body["jobId"].as_str().unwrap()).await;
        assert_eq!(job["status"], "succeeded", "{job}");
        let id = created.body["id"].as_str().unwrap();
        let report = app.get(&region.path(&format!("reports/{id}")), t).await;
        let content = &report.body["content"];
        let total: f64 = content["productGroups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                g["approvedAmount"]
                    .as_str()
                    .unwrap()
                    .parse::<f64>()
                    .unwrap()
            })
            .sum();
        assert!(total > 10_000.0, "{code}: {total}");
        assert!(
            content["flows"]["inflow"].as_i64().unwrap() > 0,
            "{content}"
        );
        // Every municipality has its inhabitants for the report's year.
        let municipalities = content["municipalities"].as_array().unwrap();
        assert!(!municipalities.is_empty());
        for m in municipalities {
            assert!(
                m["inhabitants"].as_i64().is_some_and(|n| n > 0)
                    && m["spendPerInhabitant"].is_string(),
                "{code}: {m}"
            );
        }
        // Allocations are registered before care starts: waiting times.
        let waits: Vec<f64> = content["waitingTimes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|w| w["dimension"] == "product-group")
            .map(|w| w["medianDays"].as_str().unwrap().parse().unwrap())
            .collect();
        assert!(!waits.is_empty(), "{code}: {}", content["waitingTimes"]);
        assert!(
            waits.iter().all(|d| (5.0..=40.0).contains(d)),
            "{code}: {waits:?}"
        );

        // Ceilings of the year: one just past its 80 % alert level.
        let ceilings = items(&app.get(&region.path("budget-ceilings"), t).await);
        assert!(ceilings.len() >= 2, "{code}: {ceilings:?}");
        let near = ceilings.iter().any(|c| {
            let used: f64 = c["usedPercent"].as_str().unwrap().parse().unwrap();
            (80.0..90.0).contains(&used)
        });
        assert!(near, "{code}: {ceilings:?}");
        let signals = app.get(&region.path("budget-signals"), t).await;
        assert!(
            signals.body.to_string().contains(r#""levelPercent":80"#),
            "{code}: {}",
            signals.body
        );

        // The register: one financial check expires within the horizon,
        // and the first contract watch signalled it.
        let expiring = app
            .get(&region.path("compliance-checks?standing=expiring"), t)
            .await;
        assert_eq!(
            expiring.body.as_array().map(Vec::len),
            Some(1),
            "{code}: {}",
            expiring.body
        );
        assert_eq!(expiring.body[0]["kind"], "financial");
        let watched = app
            .get(&region.path("contract-signals?kind=check-expiring"), t)
            .await;
        assert_eq!(watched.body["total"], 1, "{code}: {}", watched.body);
    }

    // Centraal Gelderland's contracts of the old tender end on 2026-12-31,
    // with allocations running past it: the watch says so, and the transfer
    // list names them for the access teams.
    let cg = admin(app, "centraal-gelderland");
    let ending = app
        .get(&cg.path("contract-signals?kind=contract-ending"), &cg.admin)
        .await;
    let ending = items(&ending);
    assert!(!ending.is_empty(), "{ending:?}");
    let contract = ending[0]["subjectId"].as_str().unwrap();
    assert_eq!(ending[0]["dueOn"], "2026-12-31");
    let list = app
        .get(
            &cg.path(&format!("contracts/{contract}/transfer-list")),
            &cg.admin,
        )
        .await;
    assert_eq!(list.body["lastDay"], "2026-12-31", "{}", list.body);
    assert!(
        !list.body["municipalities"].as_array().unwrap().is_empty(),
        "{}",
        list.body
    );

    // Rivierenland's outflow threshold (10 clients in 12 months) flags the
    // provider that served no one.
    let riv = admin(app, "rivierenland");
    let created = app
        .post(
            &riv.path("outflow-checks"),
            &riv.admin,
            json!({ "asOf": today.to_string() }),
        )
        .await;
    assert_eq!(created.status, StatusCode::ACCEPTED, "{}", created.body);
    let job = wait_for_job(app, &riv, created.body["jobId"].as_str().unwrap()).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    let id = created.body["id"].as_str().unwrap();
    let flags = app
        .get(&riv.path(&format!("outflow-checks/{id}/flags")), &riv.admin)
        .await;
    let flagged = items(&flags);
    assert!(
        flagged
            .iter()
            .any(|f| f["providerAgb"] == "98030008" && f["verdict"] == "zero-clients"),
        "{}",
        flags.body
    );

    // The 2027 indexation on the CAO figures (seed 001 §4.3):
    // 0.9 × 4.20 + 0.1 × 2.10 + 0.9 × 0.15 − 0.1 × 0.20 = 4.105 → 4.11 %.
    let rvn = admin(app, "rijk-van-nijmegen");
    let created = app
        .post(
            &rvn.path("indexation-runs"),
            &rvn.admin,
            json!({ "year": 2027 }),
        )
        .await;
    assert_eq!(created.status, StatusCode::ACCEPTED, "{}", created.body);
    let job = wait_for_job(app, &rvn, created.body["previewJobId"].as_str().unwrap()).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    let id = created.body["id"].as_str().unwrap();
    let run = app
        .get(&rvn.path(&format!("indexation-runs/{id}")), &rvn.admin)
        .await;
    assert_eq!(run.body["status"], "previewed", "{}", run.body);
    assert_eq!(
        run.body["indices"],
        json!({ "BEG": "4.11", "DB": "4.11", "KV": "4.11" })
    );
    assert_eq!(run.body["proposedCount"], 5);
}

/// Every instrument of issue 28 shows something real in the demo: clients
/// waiting (some past the norm, signalled), municipalities short of
/// providers, a stacked pair, a full location, youth near 18.
async fn the_steering_instruments_show_the_regions(app: &TestApp) {
    let on = "asOf=2026-11-24";
    for code in REGIONS {
        let region = &admin(app, code);
        let t = &region.admin;
        let get = |path: String| async move {
            let reply = app.get(&region.path(&path), t).await;
            assert_eq!(
                reply.status,
                StatusCode::OK,
                "{code} {path}: {}",
                reply.body
            );
            reply.body
        };
        let waiting = get(format!("waiting-list?{on}")).await;
        let rows = waiting["rows"].as_array().unwrap();
        assert!(rows.len() >= 5, "{code}: {waiting}");
        assert!(
            rows.iter().any(|r| r["overNorm"] == true),
            "{code}: {waiting}"
        );
        let signalled = get("steering-signals?kind=waiting-norm".into()).await;
        assert!(
            signalled["total"].as_i64().unwrap() >= 1,
            "{code}: {signalled}"
        );
        let coverage = get(format!("coverage?{on}")).await;
        let short = coverage["cells"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["belowMinimum"] == true)
            .count();
        assert!(short >= 1, "{code}: no municipality short of providers");
        let stacked = get(format!("care-overlaps?{on}")).await;
        assert!(
            !stacked["pairs"].as_array().unwrap().is_empty(),
            "{code}: {stacked}"
        );
    }
    // Beschermd wonen in Centraal Gelderland: one location full.
    let cg = admin(app, "centraal-gelderland");
    let capacity = app
        .get(&cg.path(&format!("capacity?{on}")), &cg.admin)
        .await;
    let locations = capacity.body["locations"].as_array().unwrap();
    assert!(locations.len() >= 3, "{}", capacity.body);
    assert!(
        locations.iter().any(|l| l["free"] == 0 && l["places"] == 6),
        "{}",
        capacity.body
    );
    // Youth care in Rivierenland: clients turning 18, one with Wmo care
    // following, and the birth dates never shown.
    let riv = admin(app, "rivierenland");
    let youth = app
        .get(&riv.path(&format!("turning-18?{on}")), &riv.admin)
        .await;
    let listed = youth.body["allocations"].as_array().unwrap();
    assert!(listed.len() >= 5, "{}", youth.body);
    assert!(
        listed.iter().any(|a| a["wmoFollows"] == true),
        "{}",
        youth.body
    );
    assert!(!youth.body.to_string().contains("birth"), "{}", youth.body);
}
