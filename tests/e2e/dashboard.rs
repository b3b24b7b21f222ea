//! The dashboard in a real browser: headless Chromium (Debian's `chromium`
//! and `chromium-driver`) driven over WebDriver. A person of the office of
//! a demo region logs in with an API client's credentials, opens every
//! page, and sees the figures of the report's JSON; another region's pages
//! and data stay out of reach. A screenshot of each page is written under
//! `target/dashboard/` for a person to look at.

use std::{process::Stdio, time::Duration};

use e2e::{servers::wait_until, wait_for_job, Region};
use fantoccini::{Client, ClientBuilder, Locator};
use rust_decimal::Decimal;

use super::*;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Chromedriver on a free port, with the browser flags this machine needs
/// (no sandbox as root, no network chatter, a fresh profile).
struct Browser {
    driver: std::process::Child,
    client: Client,
    _profile: std::path::PathBuf,
}

impl Browser {
    async fn start() -> Option<Self> {
        if !std::path::Path::new(CHROMEDRIVER).exists() {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("CI=true but {CHROMEDRIVER} is missing (apt-get install chromium chromium-driver)");
            }
            eprintln!("skipped: install chromium and chromium-driver to run the browser tests");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = std::process::Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let url = format!("http://127.0.0.1:{port}");
        let ready = wait_until(Duration::from_secs(20), || async {
            reqwest::get(format!("{url}/status")).await.is_ok()
        })
        .await;
        assert!(ready, "chromedriver did not start");
        let profile =
            std::env::temp_dir().join(format!("zorgregie-chromium-{}", uuid::Uuid::now_v7()));
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--disable-quic", "--window-size=1366,900",
                    format!("--user-data-dir={}", profile.display()),
                ]
            }),
        );
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&url)
            .await
            .expect("a Chromium session");
        Some(Self {
            driver,
            client,
            _profile: profile,
        })
    }

    async fn stop(mut self) {
        let _ = self.client.close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self._profile);
    }

    async fn open(&self, url: &str) {
        self.client.goto(url).await.unwrap();
    }

    /// Types into the fields (by id) and clicks the form's button.
    async fn fill_and_post(&self, fields: &[(&str, &str)], button: &str) {
        for (id, text) in fields {
            let field = self.client.find(Locator::Id(id)).await.unwrap();
            field.send_keys(text).await.unwrap();
        }
        let button = self.client.find(Locator::Css(button)).await.unwrap();
        button.click().await.unwrap();
    }

    /// Waits for an element of the next page (a click does not wait for
    /// the page it posts to).
    async fn wait_for(&self, css: &str) {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"));
    }

    async fn heading(&self) -> String {
        self.client
            .find(Locator::Css("h1"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    async fn source(&self) -> String {
        self.client.source().await.unwrap()
    }

    /// The shown cells of a table, row by row, by column key.
    async fn cells(&self, table: &str, key: &str) -> Vec<String> {
        let selector = format!("table[data-table={table}] tbody td[data-key={key}]");
        let mut out = Vec::new();
        for cell in self.client.find_all(Locator::Css(&selector)).await.unwrap() {
            out.push(cell.text().await.unwrap());
        }
        out
    }

    /// The session cookie the login set.
    async fn session(&self) -> fantoccini::cookies::Cookie<'static> {
        self.client
            .get_named_cookie("zorgregie_session")
            .await
            .unwrap()
    }

    /// A screenshot for people, under `target/dashboard/`.
    async fn screenshot(&self, name: &str) {
        let dir = std::env::var("CARGO_TARGET_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|_| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"))
            .join("dashboard");
        std::fs::create_dir_all(&dir).unwrap();
        // The whole page, not the laptop-sized window: grow it, then back.
        let height = self
            .client
            .execute("return document.documentElement.scrollHeight", vec![])
            .await
            .unwrap()
            .as_u64()
            .unwrap_or(900)
            .clamp(900, 8000);
        self.client
            .set_window_size(1366, height as u32 + 120)
            .await
            .unwrap();
        let png = self.client.screenshot().await.unwrap();
        self.client.set_window_size(1366, 900).await.unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }
}

/// `€ 2.000.987,62` or `81,53%` or `1.656` as a decimal.
fn dutch(shown: &str) -> Decimal {
    let plain: String = shown
        .trim_start_matches("€ ")
        .trim_end_matches('%')
        .replace('.', "")
        .replace(',', ".");
    plain
        .parse()
        .unwrap_or_else(|_| panic!("not a Dutch number: {shown:?}"))
}

fn json_decimal(v: &Value) -> Decimal {
    match v {
        Value::String(s) => s.parse().unwrap(),
        other => other.to_string().parse().unwrap(),
    }
}

const CG: &str = "centraal-gelderland";

async fn log_out(browser: &Browser) {
    browser
        .client
        .find(Locator::Css("form.logout button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser.wait_for("form.login").await;
}

/// The office's steering pages, each beside the API's answer: the tables
/// have the API's rows, the marks match its figures, a filter narrows the
/// list, and each table downloads.
async fn steering_pages(browser: &Browser, app: &TestApp, region: &Region) {
    let t = &region.admin;
    let page = |slug: &str| format!("{}/dashboard/{CG}/{slug}", app.base);

    // The waiting list: longest first, those past the norm marked.
    let waiting = app.get(&region.path("waiting-list"), t).await;
    let rows = waiting.body["rows"].as_array().unwrap();
    assert!(!rows.is_empty(), "the demo has clients waiting");
    browser.open(&page("wachtlijst")).await;
    assert_eq!(browser.heading().await, "Wachtlijst");
    let numbers = browser.cells("rows", "allocationNumber").await;
    assert_eq!(
        numbers,
        rows.iter()
            .map(|r| r["allocationNumber"].to_string())
            .collect::<Vec<_>>()
    );
    let over = waiting.body["overNorm"].as_u64().unwrap() as usize;
    assert!(over > 0, "the demo has clients past the norm");
    let marked = browser
        .client
        .find_all(Locator::Css("table[data-table=rows] tbody tr.over"))
        .await
        .unwrap();
    assert_eq!(marked.len(), over);
    let said = browser.cells("rows", "overNorm").await;
    assert_eq!(said.iter().filter(|s| *s == "ja").count(), over);
    let groups = browser.cells("productGroups", "productGroupName").await;
    assert_eq!(
        groups.len(),
        waiting.body["productGroups"].as_array().unwrap().len()
    );
    assert!(!browser.cells("municipalities", "waiting").await.is_empty());
    assert!(!browser.cells("providers", "providerName").await.is_empty());
    assert!(
        browser.source().await.contains("data-table=\"signals\""),
        "the office sees the signals"
    );
    browser.screenshot("wachtlijst").await;
    // The filter form narrows to a municipality, named in the select.
    let cbs = rows[0]["municipalityCbs"].as_str().unwrap();
    browser
        .client
        .find(Locator::Id("municipalityCbs"))
        .await
        .unwrap()
        .select_by_value(cbs)
        .await
        .unwrap();
    browser
        .client
        .find(Locator::Css("form.filters button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The click does not wait for the next page: wait for its address.
    let filtered = format!("municipalityCbs={cbs}");
    let arrived = wait_until(Duration::from_secs(10), || async {
        let url = browser.client.current_url().await.unwrap();
        url.query().unwrap_or_default().contains(&filtered)
    })
    .await;
    assert!(arrived, "the filter form asks for {filtered}");
    browser.wait_for("table[data-table=rows]").await;
    let url = browser.client.current_url().await.unwrap();
    let shown = browser.cells("rows", "municipalityCbs").await;
    let expected = rows.iter().filter(|r| r["municipalityCbs"] == cbs).count();
    assert_eq!(shown.len(), expected);
    assert!(shown.iter().all(|c| c == cbs));
    // Its download holds the filtered rows.
    let session = format!("zorgregie_session={}", browser.session().await.value());
    let csv = app
        .client
        .get(format!("{url}&download=csv&table=rows"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    let csv = csv.text().await.unwrap();
    assert!(
        csv.starts_with("\u{feff}Toewijzingsnummer;CBS-code;Gemeente"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), expected + 1);

    // Scorecards: the group's providers, then one provider's card with
    // each figure beside the region's median.
    let list = app
        .get(&region.path("scorecards?productGroupCode=BW"), t)
        .await;
    let listed = list.body["providers"].as_array().unwrap();
    assert!(!listed.is_empty());
    browser.open(&page("aanbieders")).await;
    assert_eq!(browser.heading().await, "Aanbieders");
    assert_eq!(
        browser.cells("providers", "providerAgb").await,
        listed
            .iter()
            .map(|p| p["providerAgb"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    );
    let spend = browser.cells("providers", "spend").await;
    assert_eq!(dutch(&spend[0]), json_decimal(&listed[0]["spend"]));
    assert_eq!(browser.cells("regionMedians", "spend").await.len(), 1);
    browser.screenshot("aanbieders").await;
    let agb = listed[0]["providerAgb"].as_str().unwrap();
    browser
        .client
        .find(Locator::Id("agb"))
        .await
        .unwrap()
        .select_by_value(agb)
        .await
        .unwrap();
    browser
        .client
        .find(Locator::Css("form.card button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser.wait_for("table[data-table=figures-BW]").await;
    let card = app
        .get(&region.path(&format!("providers/{agb}/scorecard")), t)
        .await;
    let group = &card.body["productGroups"][0];
    assert_eq!(
        browser.heading().await,
        format!("Scorecard {}", card.body["providerName"].as_str().unwrap())
    );
    let values = browser.cells("figures-BW", "value").await;
    let medians = browser.cells("figures-BW", "median").await;
    assert_eq!((values.len(), medians.len()), (9, 9));
    assert_eq!(dutch(&values[0]), json_decimal(&group["spend"]));
    assert_eq!(
        dutch(&medians[0]),
        json_decimal(&group["spendRegionMedian"])
    );
    browser.screenshot("scorecard").await;

    // Coverage: the cells below the minimum, said in words.
    let coverage = app.get(&region.path("coverage"), t).await;
    let below = coverage.body["belowMinimum"].as_u64().unwrap() as usize;
    assert!(below > 0, "the demo has a municipality short of providers");
    browser.open(&page("dekking")).await;
    assert_eq!(browser.heading().await, "Dekking");
    assert_eq!(
        browser.cells("cells", "municipalityName").await.len(),
        coverage.body["cells"].as_array().unwrap().len()
    );
    let said = browser.cells("cells", "belowMinimum").await;
    assert_eq!(said.iter().filter(|s| *s == "ja").count(), below);
    let marked = browser
        .client
        .find_all(Locator::Css("table[data-table=grid] td.below strong"))
        .await
        .unwrap();
    assert_eq!(marked.len(), below);
    assert_eq!(marked[0].text().await.unwrap(), "Onder het minimum");
    assert!(!browser.cells("providers", "providerName").await.is_empty());
    browser.screenshot("dekking").await;

    // Places: per location and product, with the monthly chart.
    let capacity = app.get(&region.path("capacity"), t).await;
    let locations = capacity.body["locations"].as_array().unwrap();
    assert!(!locations.is_empty(), "the demo has locations");
    browser.open(&page("plaatsen")).await;
    assert_eq!(browser.heading().await, "Plaatsen");
    let places = browser.cells("locations", "places").await;
    assert_eq!(
        places.iter().map(|p| dutch(p)).collect::<Vec<_>>(),
        locations
            .iter()
            .map(|l| json_decimal(&l["places"]))
            .collect::<Vec<_>>()
    );
    assert!(!browser.cells("products", "productName").await.is_empty());
    assert!(!browser.cells("months", "month").await.is_empty());
    assert!(browser
        .client
        .find(Locator::Css("svg[aria-labelledby^=plaatsen-per-maand]"))
        .await
        .is_ok());
    browser.screenshot("plaatsen").await;

    // Stacked care: the demo's pair, its kind in Dutch.
    let stacked = app.get(&region.path("care-overlaps"), t).await;
    let pairs = stacked.body["pairs"].as_array().unwrap();
    assert!(!pairs.is_empty(), "the demo has a stacked pair");
    browser.open(&page("stapeling")).await;
    assert_eq!(browser.heading().await, "Stapeling van zorg");
    assert_eq!(
        browser.cells("pairs", "allocationNumber").await,
        pairs
            .iter()
            .map(|p| p["allocationNumber"].to_string())
            .collect::<Vec<_>>()
    );
    for kind in browser.cells("pairs", "kind").await {
        assert!(
            ["bij twee aanbieders", "hetzelfde product twee keer"].contains(&kind.as_str()),
            "{kind}"
        );
    }
    browser.screenshot("stapeling").await;

    // Turning 18: a Wmo region has no youth care, and says so.
    browser.open(&page("18-jarigen")).await;
    assert_eq!(browser.heading().await, "Jongeren die 18 worden");
    let youth = app.get(&region.path("turning-18"), t).await;
    assert_eq!(youth.body["allocations"], json!([]));
    assert!(browser
        .cells("allocations", "allocationNumber")
        .await
        .is_empty());
    let empty = browser
        .client
        .find(Locator::Css("table[data-table=allocations] tbody td"))
        .await
        .unwrap();
    assert_eq!(empty.text().await.unwrap(), "Geen gegevens.");
}

#[tokio::test]
async fn the_office_reads_its_monitor_in_a_browser() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn_with_workers(e2e::Backend::Sqlite, None, false)
        .await
        .unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    let secret = app.state.config.client_key_secret.clone();
    api::demo::load_on(&app.state.db, &secret, &app.state.config.data_keys, today)
        .await
        .unwrap();
    api::app::spawn_embedded_worker(&app.state);
    let region = Region {
        code: CG.into(),
        admin: app.token(CG, Role::RegionAdmin),
    };
    let t = &region.admin;

    // The report the monitor shows, made through the API.
    let (from, to) = api::demo::window(today);
    let made = app
        .post(
            &region.path("reports"),
            t,
            json!({ "from": from.to_string(), "to": to.to_string() }),
        )
        .await;
    assert_eq!(made.status, StatusCode::ACCEPTED, "{}", made.body);
    wait_for_job(&app, &region, made.body["jobId"].as_str().unwrap()).await;
    let report = app
        .get(
            &region.path(&format!("reports/{}", made.body["id"].as_str().unwrap())),
            t,
        )
        .await;
    let content = &report.body["content"];

    // An API client of the office logs in through the form.
    let client = app
        .post(
            &region.path("api-clients"),
            t,
            json!({ "name": "Dashboard", "role": "region-admin" }),
        )
        .await;
    assert_eq!(client.status, StatusCode::CREATED, "{}", client.body);
    browser
        .open(&format!("{}/dashboard/{CG}/monitor", app.base))
        .await;
    assert_eq!(
        browser.heading().await,
        "Inloggen",
        "no session: the login form"
    );
    let client_id = client.body["clientId"].as_str().unwrap();
    browser
        .fill_and_post(
            &[("clientId", client_id), ("clientSecret", "not the secret")],
            "form.login button",
        )
        .await;
    browser.wait_for("p.problem").await;
    let refused = browser.source().await;
    assert!(
        refused.contains("Deze gegevens geven geen toegang."),
        "{refused}"
    );
    let secret = client.body["clientSecret"].as_str().unwrap();
    browser
        .fill_and_post(
            &[("clientId", client_id), ("clientSecret", secret)],
            "form.login button",
        )
        .await;
    browser.wait_for("header nav").await;
    let url = browser.client.current_url().await.unwrap();
    assert_eq!(url.path(), format!("/dashboard/{CG}/monitor"));
    assert!(url.query().is_none(), "no token in the URL: {url}");

    // The monitor: Table 1 and the municipalities as the JSON has them.
    assert_eq!(browser.heading().await, "Monitor");
    let groups = content["productGroups"].as_array().unwrap();
    let amounts = browser.cells("productGroups", "approvedAmount").await;
    assert_eq!(amounts.len(), groups.len());
    for (shown, row) in amounts.iter().zip(groups) {
        assert!(shown.starts_with("€ "), "{shown}");
        assert_eq!(dutch(shown), json_decimal(&row["approvedAmount"]), "{row}");
    }
    for (key, json_key) in [("top3Share", "top3Share"), ("top10Share", "top10Share")] {
        for (shown, row) in browser.cells("productGroups", key).await.iter().zip(groups) {
            match &row[json_key] {
                Value::Null => assert_eq!(shown, "n.v.t."),
                v => assert_eq!(dutch(shown), json_decimal(v).round_dp(2), "{row}"),
            }
        }
    }
    let clients = browser.cells("productGroups", "clients").await;
    assert_eq!(
        clients.iter().map(|c| dutch(c)).collect::<Vec<_>>(),
        groups
            .iter()
            .map(|g| json_decimal(&g["clients"]))
            .collect::<Vec<_>>()
    );
    let spend = browser.cells("municipalities", "spend").await;
    let municipalities = content["municipalities"].as_array().unwrap();
    assert_eq!(spend.len(), municipalities.len());
    for (shown, row) in spend.iter().zip(municipalities) {
        assert_eq!(dutch(shown), json_decimal(&row["spend"]), "{row}");
    }
    // The 24 months of the trend, in a chart and a table.
    assert_eq!(browser.cells("trends", "month").await.len(), 24);
    assert!(browser
        .client
        .find(Locator::Css("svg[aria-labelledby^=uitgaven-per-maand]"))
        .await
        .is_ok());
    browser.screenshot("monitor").await;

    // Every table downloads as CSV for Dutch Excel, with the same figures.
    let cookie = browser.session().await;
    assert_eq!(cookie.http_only(), Some(true));
    assert_eq!(format!("{:?}", cookie.same_site()), "Some(Strict)");
    let session = format!("zorgregie_session={}", cookie.value());
    let csv = app
        .client
        .get(format!(
            "{}/dashboard/{CG}/monitor?download=csv&table=productGroups",
            app.base
        ))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    let csv = csv.text().await.unwrap();
    assert!(
        csv.starts_with("\u{feff}Wet;Perceel;Goedgekeurd bedrag"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), groups.len() + 1);
    let page = app
        .client
        .get(format!("{}/dashboard/{CG}/monitor", app.base))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("default-src 'none'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(
        !page.text().await.unwrap().contains("<script"),
        "no script on a page"
    );

    // The other pages, each beside the API's answer.
    let ceilings = app
        .get(&region.path("budget-ceilings?pageSize=500"), t)
        .await;
    browser
        .open(&format!("{}/dashboard/{CG}/ceilings", app.base))
        .await;
    assert_eq!(browser.heading().await, "Budgetplafonds");
    let used = browser.cells("budgetCeilings", "usedPercent").await;
    let listed = ceilings.body["items"].as_array().unwrap();
    assert_eq!(used.len(), listed.len());
    let mut expected: Vec<Decimal> = listed
        .iter()
        .map(|c| json_decimal(&c["usedPercent"]))
        .collect();
    let mut shown: Vec<Decimal> = used.iter().map(|u| dutch(u)).collect();
    expected.sort();
    shown.sort();
    assert_eq!(shown, expected);
    browser.screenshot("ceilings").await;

    let signals = app
        .get(
            &region.path("contract-signals?kind=contract-ending&pageSize=500"),
            t,
        )
        .await;
    browser
        .open(&format!("{}/dashboard/{CG}/contracts", app.base))
        .await;
    assert_eq!(browser.heading().await, "Contracten en uitstroom");
    let kinds = browser.cells("contractSignals", "kind").await;
    let ending = kinds.iter().filter(|k| *k == "contract loopt af").count();
    assert_eq!(ending as i64, signals.body["total"].as_i64().unwrap());
    assert!(
        ending > 0,
        "the demo's old-tender contracts end on 2026-12-31"
    );
    browser.screenshot("contracts").await;

    browser
        .open(&format!("{}/dashboard/{CG}/indexation", app.base))
        .await;
    assert_eq!(browser.heading().await, "Indexatie");
    browser.screenshot("indexation").await;

    let jobs = app.get(&region.path("jobs?pageSize=500"), t).await;
    browser
        .open(&format!("{}/dashboard/{CG}/jobs", app.base))
        .await;
    assert_eq!(browser.heading().await, "Taken");
    assert_eq!(
        browser.cells("jobs", "kind").await.len() as i64,
        jobs.body["total"].as_i64().unwrap()
    );
    browser.screenshot("jobs").await;

    // The steering instruments, each beside the API's answer.
    steering_pages(&browser, &app, &region).await;

    // Another region: not found, and none of its names on any page.
    let other = app
        .get(
            "/api/v1/regions/rivierenland/municipalities?pageSize=500",
            &app.platform_token(),
        )
        .await;
    let names: Vec<String> = other.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap().to_owned())
        .collect();
    assert!(!names.is_empty());
    for page in [
        "monitor",
        "ceilings",
        "contracts",
        "indexation",
        "jobs",
        "wachtlijst",
        "aanbieders",
        "dekking",
        "plaatsen",
        "stapeling",
        "18-jarigen",
    ] {
        browser
            .open(&format!("{}/dashboard/{CG}/{page}", app.base))
            .await;
        let source = browser.source().await;
        for name in &names {
            assert!(
                !source.contains(&format!(">{name}<")),
                "{page} shows {name}"
            );
        }
        browser
            .open(&format!("{}/dashboard/rivierenland/{page}", app.base))
            .await;
        assert_eq!(browser.heading().await, "Niet gevonden (404)", "{page}");
        assert!(!browser.source().await.contains("Rivierenland"));
    }

    // Logging out ends the session.
    browser
        .open(&format!("{}/dashboard/{CG}/monitor", app.base))
        .await;
    browser
        .client
        .find(Locator::Css("form.logout button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser.wait_for("form.login").await;
    assert_eq!(browser.heading().await, "Inloggen");
    browser
        .open(&format!("{}/dashboard/{CG}/monitor", app.base))
        .await;
    assert_eq!(browser.heading().await, "Inloggen");
    browser.screenshot("login").await;

    // A municipality's user (a token of the identity provider, pasted)
    // sees its own monitor and no pages of the office.
    let mut claims = app.claims(CG, Role::Municipality);
    claims.municipality = Some("GM0202".into());
    let token = app.sign(&claims);
    browser
        .fill_and_post(&[("token", &token)], "form.login button")
        .await;
    browser.wait_for("header nav").await;
    assert_eq!(browser.heading().await, "Monitor");
    assert!(
        browser.source().await.contains("Er is nog geen rapportage"),
        "the region's report is not Arnhem's"
    );
    // It asks for its own report in the form, and sees it once made.
    let month = |d: chrono::NaiveDate| d.format("%Y-%m").to_string();
    let (van, tot) = (month(from), month(to));
    browser
        .fill_and_post(&[("van", &van), ("tot", &tot)], "form.ask button")
        .await;
    browser.wait_for("p.period").await;
    assert_eq!(
        browser.cells("municipalities", "municipality").await,
        ["Arnhem"]
    );
    let own = app.get(&region.path("reports?pageSize=50"), &token).await;
    let own = &own.body["items"][0];
    assert_eq!(own["municipalityCbs"], "GM0202", "{own}");
    let spend = browser.cells("municipalities", "spend").await;
    let expected = json_decimal(&own["content"]["municipalities"][0]["spend"]);
    assert_eq!(dutch(&spend[0]), expected);
    browser.screenshot("monitor-arnhem").await;
    // A month that is none is refused in Dutch; another site's form is not taken.
    let session = format!("zorgregie_session={}", browser.session().await.value());
    let url = format!("{}/dashboard/{CG}/monitor", app.base);
    let mut answers = Vec::new();
    for origin in ["http://127.0.0.1", app.base.as_str()] {
        let answer = app
            .client
            .post(&url)
            .header("cookie", &session)
            .header("origin", origin)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("from=2025-13&to=2026-10")
            .send()
            .await
            .unwrap();
        answers.push(answer);
    }
    let invalid = answers.pop().unwrap();
    assert_eq!(answers[0].status(), StatusCode::FORBIDDEN, "another origin");
    assert_eq!(invalid.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(invalid
        .text()
        .await
        .unwrap()
        .contains("van: geef een maand als jjjj-mm"));
    let menu = browser
        .client
        .find_all(Locator::Css("header nav a"))
        .await
        .unwrap();
    let mut labels = Vec::new();
    for a in menu {
        labels.push(a.text().await.unwrap());
    }
    assert_eq!(
        labels,
        [
            "Monitor",
            "Wachtlijst",
            "Aanbieders",
            "Dekking",
            "Plaatsen",
            "Stapeling",
            "18-jarigen",
            "Budgetplafonds",
            "Indexatie"
        ]
    );
    browser
        .open(&format!("{}/dashboard/{CG}/jobs", app.base))
        .await;
    assert_eq!(browser.heading().await, "Geen toegang (403)");
    // Arnhem's waiting list holds Arnhem's clients only, and no signals
    // (those are the office's).
    browser
        .open(&format!("{}/dashboard/{CG}/wachtlijst", app.base))
        .await;
    let shown = browser.cells("rows", "municipalityCbs").await;
    let own = app.get(&region.path("waiting-list"), &token).await;
    assert_eq!(shown.len(), own.body["rows"].as_array().unwrap().len());
    assert!(shown.iter().all(|cbs| cbs == "GM0202"), "{shown:?}");
    assert!(!browser.source().await.contains("data-table=\"signals\""));

    // A provider (a token pasted) sees only its own clients waiting.
    log_out(&browser).await;
    let waiting = app.get(&region.path("waiting-list"), t).await;
    let agb = waiting.body["rows"][0]["providerAgb"]
        .as_str()
        .expect("the demo has clients waiting")
        .to_owned();
    let mut claims = app.claims(CG, Role::Provider);
    claims.agb = Some(agb.clone());
    let token = app.sign(&claims);
    browser
        .fill_and_post(&[("token", &token)], "form.login button")
        .await;
    browser.wait_for("header nav").await;
    assert_eq!(
        browser.heading().await,
        "Wachtlijst",
        "a provider's first page"
    );
    let own = app.get(&region.path("waiting-list"), &token).await;
    let own_rows = own.body["rows"].as_array().unwrap();
    let shown = browser.cells("rows", "providerAgb").await;
    assert!(!shown.is_empty());
    assert_eq!(shown.len(), own_rows.len());
    assert!(shown.iter().all(|a| *a == agb), "{shown:?}");
    assert!(
        shown.len() < waiting.body["rows"].as_array().unwrap().len(),
        "the office sees more"
    );
    let choices = browser
        .client
        .find_all(Locator::Css("select#providerAgb option"))
        .await
        .unwrap();
    assert_eq!(choices.len(), 2, "Alle and itself");
    browser.screenshot("wachtlijst-aanbieder").await;
    // Its own scorecard, not another's.
    browser
        .open(&format!("{}/dashboard/{CG}/aanbieders?agb={agb}", app.base))
        .await;
    assert!(browser.heading().await.starts_with("Scorecard "));
    let other = waiting.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["providerAgb"].as_str().unwrap())
        .find(|a| *a != agb)
        .unwrap();
    browser
        .open(&format!(
            "{}/dashboard/{CG}/aanbieders?agb={other}",
            app.base
        ))
        .await;
    assert_eq!(browser.heading().await, "Niet gevonden (404)");
    browser
        .open(&format!("{}/dashboard/{CG}/aanbieders", app.base))
        .await;
    let listed = browser.cells("providers", "providerAgb").await;
    assert_eq!(listed, std::slice::from_ref(&agb), "its own row only");

    // Youth turning 18 in a Jeugdwet region (its office, a token pasted).
    log_out(&browser).await;
    const RL: &str = "rivierenland";
    let office = app.token(RL, Role::RegionAdmin);
    browser
        .fill_and_post(&[("token", &office)], "form.login button")
        .await;
    browser.wait_for("header nav").await;
    browser
        .open(&format!("{}/dashboard/{RL}/18-jarigen", app.base))
        .await;
    assert_eq!(browser.heading().await, "Jongeren die 18 worden");
    let youth = app
        .get(&format!("/api/v1/regions/{RL}/turning-18"), &office)
        .await;
    let listed = youth.body["allocations"].as_array().unwrap();
    assert!(!listed.is_empty(), "the demo has youth near 18");
    let numbers = browser.cells("allocations", "allocationNumber").await;
    assert_eq!(
        numbers,
        listed
            .iter()
            .map(|r| r["allocationNumber"].to_string())
            .collect::<Vec<_>>()
    );
    // The month only, in Dutch: `jun 2028`.
    for (shown, row) in browser
        .cells("allocations", "turns18In")
        .await
        .iter()
        .zip(listed)
    {
        let month = row["turns18In"].as_str().unwrap();
        assert!(shown.ends_with(&month[..4]) && shown.len() == 8, "{shown}");
    }
    let without = browser.cells("allocations", "wmoFollows").await;
    assert!(without.iter().any(|w| w == "ja") && without.iter().any(|w| w == "nee"));
    assert_eq!(
        browser.cells("totals", "withoutBirthDate").await,
        [youth.body["totals"]["withoutBirthDate"].to_string()]
    );
    browser.screenshot("18-jarigen").await;

    browser.stop().await;
    app.stop().await;
}
