//! Test support: start the real app on a free port against a real database
//! (a fresh SQLite file, or the PostgreSQL of `TEST_DATABASE_URL`), create a
//! fresh region per test, and talk to it over HTTP like a third-party app.

use std::net::TcpListener;

use actix_web::web;
use api::{
    auth::{Claims, JwtKeys},
    config::Config,
    state::AppState,
};
pub use entities::enums::Role;
pub use reqwest::StatusCode;
pub use serde_json::{json, Value};

pub mod servers;

pub const TEST_JWT_SECRET: &str = "e2e-test-secret";

/// A file of `tests/fixtures/`.
pub fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub state: web::Data<AppState>,
    handle: actix_web::dev::ServerHandle,
    sqlite_file: Option<std::path::PathBuf>,
}

/// A response: status, headers and the JSON body (`Null` when not JSON).
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    /// The body as text (an XML answer).
    pub text: String,
}

impl Reply {
    /// Reads a response: status, headers, and the body as JSON (`Null` when not JSON).
    pub async fn read(response: reqwest::Response) -> Self {
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap_or_default();
        Reply {
            status,
            headers,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
            text,
        }
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The fields named in a problem's `errors`.
    pub fn error_fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .map(|e| e["field"].as_str().unwrap_or("").to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl TestApp {
    /// Starts the app on `backend`. PostgreSQL needs `TEST_DATABASE_URL`;
    /// without it the test is skipped (`None`), except under `CI=true`,
    /// where a missing PostgreSQL fails the run.
    pub async fn spawn(backend: Backend) -> Option<Self> {
        Self::spawn_with_queue(backend, false).await
    }

    /// Like [`TestApp::spawn`], with the job queue in Redis (`TEST_QUEUE_URL`)
    /// instead of the SQL database. Each app has a queue name of its own.
    pub async fn spawn_with_queue(backend: Backend, redis: bool) -> Option<Self> {
        let queue_url = match (redis, std::env::var("TEST_QUEUE_URL")) {
            (false, _) => None,
            (true, Ok(url)) if !url.is_empty() => Some(url),
            _ if std::env::var("CI").as_deref() == Ok("true") => {
                panic!("CI=true but TEST_QUEUE_URL is not set")
            }
            _ => {
                eprintln!("skipped: set TEST_QUEUE_URL to run this test on Redis");
                return None;
            }
        };
        Self::spawn_with_queue_url(backend, queue_url).await
    }

    /// Like [`TestApp::spawn`], with the queue at `queue_url` (Redis) or in
    /// the SQL database (`None`).
    pub async fn spawn_with_queue_url(backend: Backend, queue_url: Option<String>) -> Option<Self> {
        Self::spawn_with_workers(backend, queue_url, true).await
    }

    /// Like [`TestApp::spawn_with_queue_url`]; without the embedded worker
    /// when `embedded_worker` is false (the test runs its own).
    pub async fn spawn_with_workers(
        backend: Backend,
        queue_url: Option<String>,
        embedded_worker: bool,
    ) -> Option<Self> {
        let (url, sqlite_file) = match backend {
            Backend::Sqlite => {
                let file =
                    std::env::temp_dir().join(format!("zorgregie-e2e-{}.db", uuid::Uuid::now_v7()));
                (format!("sqlite://{}?mode=rwc", file.display()), Some(file))
            }
            Backend::Postgres => {
                match std::env::var("TEST_DATABASE_URL") {
                    Ok(url) if !url.is_empty() => (url, None),
                    _ if std::env::var("CI").as_deref() == Ok("true") => {
                        panic!("CI=true but TEST_DATABASE_URL is not set: the PostgreSQL run is required")
                    }
                    _ => {
                        eprintln!("skipped: set TEST_DATABASE_URL to run this test on PostgreSQL");
                        return None;
                    }
                }
            }
        };
        Some(Self::start(&url, queue_url, sqlite_file, embedded_worker).await)
    }

    /// Starts the app on the given database and queue (tests that run their
    /// own PostgreSQL or Redis).
    pub async fn spawn_on(database_url: &str, queue_url: Option<String>) -> Self {
        Self::start(database_url, queue_url, None, true).await
    }

    async fn start(
        url: &str,
        queue_url: Option<String>,
        sqlite_file: Option<std::path::PathBuf>,
        embedded_worker: bool,
    ) -> Self {
        if let Ok(filter) = std::env::var("E2E_LOG") {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_test_writer()
                .try_init();
        }
        let mut config = Config::for_database(url);
        config.jwt.secret = TEST_JWT_SECRET.into();
        config.jwt.secret_is_default = false;
        config.jwt.jwks_file = Some(fixture("jwks.json"));
        config.max_body_bytes = 256 * 1024;
        config.max_message_bytes = 1024 * 1024;
        config.database_max_connections = 4;
        config.queue_url = queue_url;
        config.queue_name = format!("zorgregie-e2e-{}", uuid::Uuid::now_v7().simple());
        let state = api::build_state(config).await.expect("app state");
        if embedded_worker {
            api::app::spawn_embedded_worker(&state);
        }
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
        let port = listener.local_addr().expect("local addr").port();
        let server = api::server(state.clone(), listener, Some(1)).expect("server");
        let handle = server.handle();
        tokio::spawn(server);
        Self {
            base: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::new(),
            state,
            handle,
            sqlite_file,
        }
    }

    pub async fn stop(self) {
        self.handle.stop(false).await;
        if let Some(file) = &self.sqlite_file {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
            }
        }
    }

    /// The internal id of a region (jobs carry it).
    pub async fn region_id(&self, code: &str) -> uuid::Uuid {
        use entities::schema::region;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        #[allow(clippy::disallowed_methods)] // the tenant itself, by its code
        let found = region::Entity::find()
            .filter(region::Column::Code.eq(code))
            .one(&self.state.db)
            .await
            .unwrap();
        found.expect("region").id
    }

    pub fn claims(&self, region: &str, role: Role) -> Claims {
        Claims::new("e2e", region, role, &self.state.config.jwt, 600)
    }

    pub fn sign(&self, claims: &Claims) -> String {
        JwtKeys::new(&self.state.config.jwt)
            .expect("keys")
            .sign(claims)
            .expect("sign")
    }

    pub fn token(&self, region: &str, role: Role) -> String {
        self.sign(&self.claims(region, role))
    }

    pub fn platform_token(&self) -> String {
        self.token("*", Role::PlatformAdmin)
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut request = self
            .client
            .request(method, format!("{}{}", self.base, path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        Reply::read(request.send().await.expect("request")).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.send(reqwest::Method::GET, path, Some(token), None)
            .await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.send(reqwest::Method::POST, path, Some(token), Some(body))
            .await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Reply {
        self.send(reqwest::Method::PATCH, path, Some(token), Some(body))
            .await
    }

    pub async fn put(&self, path: &str, token: &str, body: Value) -> Reply {
        self.send(reqwest::Method::PUT, path, Some(token), Some(body))
            .await
    }

    /// `PUT` of `body` to the region's `path` as its admin.
    pub async fn put_admin(&self, region: &Region, path: &str, body: Value) -> Reply {
        self.put(&region.path(path), &region.admin, body).await
    }

    /// Creates every `(collection, body)` in the region as its admin,
    /// asserting each is a 201.
    pub async fn create_all(&self, region: &Region, posts: &[(&str, Value)]) {
        for (path, body) in posts {
            let reply = self
                .post(&region.path(path), &region.admin, body.clone())
                .await;
            assert_eq!(reply.status, StatusCode::CREATED, "{path}: {}", reply.body);
        }
    }

    /// Submits a declaration batch `{"lines": lines}` under an idempotency key.
    pub async fn declare(&self, region: &Region, token: &str, key: &str, lines: Value) -> Reply {
        let response = self
            .client
            .post(format!("{}{}", self.base, region.path("declarations")))
            .bearer_auth(token)
            .header("Idempotency-Key", key)
            .json(&json!({ "lines": lines }))
            .send()
            .await
            .expect("request");
        Reply::read(response).await
    }

    /// Posts an iWmo/iJw message (`application/xml`) to the region.
    pub async fn send_message(&self, region: &Region, token: &str, xml: &str) -> Reply {
        let response = self
            .client
            .post(format!("{}{}", self.base, region.path("iwmo/messages")))
            .bearer_auth(token)
            .header("Content-Type", "application/xml")
            .body(xml.to_owned())
            .send()
            .await
            .expect("request");
        Reply::read(response).await
    }

    /// The OAuth 2.0 token endpoint with a form (client credentials).
    pub async fn request_token(&self, form: &[(&str, &str)]) -> Reply {
        let response = self
            .client
            .post(format!("{}/api/v1/auth/token", self.base))
            .form(form)
            .send()
            .await
            .expect("request");
        Reply::read(response).await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Reply {
        self.send(reqwest::Method::DELETE, path, Some(token), None)
            .await
    }

    /// Creates a fresh region with a unique code; returns it with an admin token.
    pub async fn new_region(&self) -> Region {
        let code = format!("r-{}", uuid::Uuid::now_v7().simple());
        let reply = self
            .post(
                "/api/v1/regions",
                &self.platform_token(),
                json!({ "code": code, "name": "Test region" }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        Region {
            admin: self.token(&code, Role::RegionAdmin),
            code,
        }
    }
}

pub struct Region {
    pub code: String,
    pub admin: String,
}

impl Region {
    /// `/api/v1/regions/{code}/{rest}`.
    pub fn path(&self, rest: &str) -> String {
        format!("/api/v1/regions/{}/{}", self.code, rest)
    }
}

/// A minimal catalogue: municipality GM0202, group BW, product 15A01 (per
/// day), provider 12345678.
pub async fn seed_catalogue(app: &TestApp, region: &Region) {
    let t = &region.admin;
    for (path, body) in [
        (
            "municipalities",
            json!({ "cbsCode": "GM0202", "name": "Arnhem", "population": [{ "year": 2024, "inhabitants": 166000 }] }),
        ),
        (
            "product-groups",
            json!({ "code": "BW", "name": "Beschermd Wonen", "law": "wmo" }),
        ),
        (
            "products",
            json!({ "code": "15A01", "name": "Beschermd Wonen A", "productGroupCode": "BW", "iwmoCategory": "15", "unit": "day", "fundingVariant": "effort" }),
        ),
        (
            "providers",
            json!({ "agbCode": "12345678", "kvkNumber": "87654321", "name": "Zorg BV" }),
        ),
    ] {
        let reply = app.post(&region.path(path), t, body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{path}: {}", reply.body);
    }
}

/// A valid BSN (eleven-test) made from `n`.
pub fn bsn(n: u32) -> String {
    entities::bsn_check::nth_valid_bsn(n)
}

/// A PostgreSQL database of a test's own on the `TEST_DATABASE_URL` server
/// (the shared test database is in use by other tests), dropped by
/// [`ScratchDatabase::drop`]. `None` (skipped) without the variable, except
/// under `CI=true`.
pub struct ScratchDatabase {
    admin: sea_orm::DatabaseConnection,
    name: String,
    pub url: String,
}

impl ScratchDatabase {
    pub async fn create(prefix: &str) -> Option<Self> {
        use sea_orm::ConnectionTrait;
        let Ok(url) = std::env::var("TEST_DATABASE_URL") else {
            assert_ne!(
                std::env::var("CI").as_deref(),
                Ok("true"),
                "CI=true needs TEST_DATABASE_URL"
            );
            eprintln!("skipped: set TEST_DATABASE_URL");
            return None;
        };
        let name = format!("{prefix}_{}", uuid::Uuid::now_v7().simple());
        let admin = sea_orm::Database::connect(&url).await.unwrap();
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        let base = url.rsplit_once('/').map(|(base, _)| base).unwrap();
        let url = format!("{base}/{name}");
        Some(Self { admin, name, url })
    }

    pub async fn drop(self) {
        use sea_orm::ConnectionTrait;
        self.admin
            .execute_unprepared(&format!("DROP DATABASE {}", self.name))
            .await
            .unwrap();
    }
}

/// Polls a job run until it has finished; returns it.
pub async fn wait_for_job(app: &TestApp, region: &Region, job_id: &str) -> Value {
    for _ in 0..600 {
        let job = app
            .get(&region.path(&format!("jobs/{job_id}")), &region.admin)
            .await;
        if matches!(job.body["status"].as_str(), Some("succeeded" | "failed")) {
            return job.body;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("job {job_id} did not finish in 30 s");
}

/// The iWmo/iJw reference material (`../shared/iwmo` beside the checkout,
/// or `IWMO_REFERENCE`): read by the tests, never copied into the project.
pub fn iwmo_reference(rest: &str) -> std::path::PathBuf {
    let base = std::env::var_os("IWMO_REFERENCE")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/iwmo")
        });
    base.join(rest)
}

/// An example message of the reference material, as text.
pub fn iwmo_example(name: &str) -> String {
    let path = iwmo_reference(&format!("examples/iwmo/{name}"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Asserts that `xml` is valid against the standard's XSD `xsd` (e.g.
/// `iwmo/WMO325.xsd`), with libxml2's `xmllint`.
pub fn assert_valid_xml(xml: &str, xsd: &str) {
    use std::io::Write;
    let schema = iwmo_reference(&format!("xsd/{xsd}"));
    let mut child = std::process::Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(&schema)
        .arg("-")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect(
            "xmllint is needed to check messages against the XSDs: apt-get install libxml2-utils",
        );
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(xml.as_bytes())
        .expect("write to xmllint");
    let out = child.wait_with_output().expect("xmllint");
    assert!(
        out.status.success(),
        "not valid against {xsd}:\n{}\n{xml}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Defines one end-to-end test that runs on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! e2e {
    ($name:ident, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                let $app = e2e::TestApp::spawn(e2e::Backend::Sqlite).await.expect("sqlite app");
                $body
                $app.stop().await;
            }

            #[tokio::test]
            async fn postgres() {
                let Some($app) = e2e::TestApp::spawn(e2e::Backend::Postgres).await else { return };
                $body
                $app.stop().await;
            }
        }
    };
}
