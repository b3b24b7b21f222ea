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
    api::demo::load_on(&app.state.db, &secret, today)
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
    for page in ["monitor", "ceilings", "contracts", "indexation", "jobs"] {
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
    assert_eq!(labels, ["Monitor", "Budgetplafonds", "Indexatie"]);
    browser
        .open(&format!("{}/dashboard/{CG}/jobs", app.base))
        .await;
    assert_eq!(browser.heading().await, "Geen toegang (403)");

    browser.stop().await;
    app.stop().await;
}
