//! Building the actix app: state, middleware, routes, OpenAPI and docs.

use actix_web::{
    body::MessageBody,
    dev::{ServiceFactory, ServiceRequest, ServiceResponse},
    http::header,
    middleware::{DefaultHeaders, Logger},
    web, App, HttpServer,
};
use utoipa::{
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    Modify, OpenApi,
};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::{auth::JwtKeys, config::Config, error::ApiError, state::AppState};

pub const API_VERSION: &str = "1.0.0";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "zorgregie",
        version = "1.0.0",
        description = "Multi-tenant API for Dutch regional care procurement (Wmo 2015, Jeugdwet): \
regions (inkoopregio's), their municipalities, product catalogue, tariffs, providers and contracts. \
Every tenant path starts with `/api/v1/regions/{regionCode}`. Errors are `application/problem+json` \
(RFC 9457); money is a decimal string in euros; dates are `YYYY-MM-DD`.",
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "health", description = "Liveness and readiness (no token)"),
        (name = "auth", description = "Tokens for API clients"),
        (name = "regions", description = "Regions (inkoopregio's): the tenants"),
        (name = "municipalities", description = "Municipalities (gemeenten) of a region"),
        (name = "catalogue", description = "Product groups (percelen) and products (productenboek)"),
        (name = "tariffs", description = "Tariffs (tarieven): price per product and period, versioned"),
        (name = "providers", description = "Providers (zorgaanbieders)"),
        (name = "contracts", description = "Framework contracts (raamovereenkomsten) and the procurements (inkoopprocedures) they are concluded under: notice, amendments, bridging agreements, transfer lists"),
        (name = "enrolments", description = "Enrolments (aanmeldingen) of providers for open house and tenders"),
        (name = "iwmo", description = "iWmo/iJw 3.2 messages (301, 305, 307, 323 in; 325 and 301 out) as XML"),
        (name = "api-clients", description = "Machine credentials of a region"),
        (name = "audit", description = "Audit trail"),
        (name = "steering", description = "The office's steering instruments: waiting list, provider scorecards, coverage, places, stacked care, turning 18, and their signals"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// Opens the database (migrating it) and loads the keys.
pub async fn build_state(config: Config) -> Result<web::Data<AppState>, String> {
    crate::db::migrate(&config.database_url)
        .await
        .map_err(|e| format!("migrating the database: {e}"))?;
    let db = crate::db::connect_with(&config.database_url, config.database_acquire_timeout)
        .await
        .map_err(|e| format!("connecting to the database: {e}"))?;
    let jwt = JwtKeys::new(&config.jwt)?;
    let queue =
        worker::queue::Queue::connect(&db, config.queue_url.as_deref(), &config.queue_name).await?;
    Ok(web::Data::new(AppState {
        db,
        jwt,
        config,
        queue,
        regions: Default::default(),
    }))
}

/// Runs the worker inside this process (the embedded mode), on the same
/// database and queue as the API.
pub fn spawn_embedded_worker(state: &AppState) {
    let queue = state.queue.clone();
    let ctx = worker::JobContext {
        db: state.db.clone(),
    };
    tokio::spawn(async move {
        if let Err(e) = queue.run_worker(ctx, "zorgregie-embedded-worker").await {
            tracing::error!(error = %e, "the embedded worker stopped");
        }
    });
}

/// Runs the worker's schedules (the daily cron, the sweep of forgotten
/// jobs) inside this process, as the `worker` binary does: the embedded mode
/// of `serve`. Tests start the worker alone, so no test's sweep picks up
/// another's runs in a shared database.
pub fn spawn_embedded_schedule(state: &AppState) {
    let schedule = worker::schedule::ScheduleContext {
        db: state.db.clone(),
        queue: state.queue.clone(),
    };
    tokio::spawn(async move {
        if let Err(e) = worker::schedule::run_schedule(schedule).await {
            tracing::error!(error = %e, "the embedded schedule stopped");
        }
    });
}

/// The OpenAPI document, as served and as committed in `openapi/openapi.json`.
/// It is JSON, not utoipa's types: the shared parts are added on the JSON
/// form (`spec.rs`), which utoipa's types do not read back in every case.
pub fn openapi_document() -> &'static serde_json::Value {
    static DOCUMENT: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    DOCUMENT.get_or_init(collect_openapi)
}

/// The document as the committed file holds it (pretty, newline-terminated).
pub fn openapi_json() -> String {
    serde_json::to_string_pretty(openapi_document()).unwrap_or_default() + "\n"
}

fn collect_openapi() -> serde_json::Value {
    let collected = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .service(utoipa_actix_web::scope("/api/v1").configure(crate::routes::configure))
        .split_for_parts()
        .1;
    let mut doc = serde_json::to_value(&collected).unwrap_or_default();
    crate::spec::complete(&mut doc);
    doc
}

/// The whole application for one actix worker.
pub fn app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let max_body = state.config.max_body_bytes;
    App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        // Registered before the `/api/v1` scope, which would answer 404 for
        // every path under it that it does not know.
        .map(|app| {
            app.service(
                SwaggerUi::new("/api/v1/docs/{_:.*}").external_urls_from_iter_unchecked([(
                    "/api/v1/openapi.json",
                    openapi_document().clone(),
                )]),
            )
            .service(web::redirect("/api/v1/docs", "/api/v1/docs/"))
        })
        .app_data(state)
        .app_data(web::PayloadConfig::new(max_body))
        .app_data(
            web::QueryConfig::default()
                .error_handler(|err, _| ApiError::invalid("query", err.to_string()).into()),
        )
        .app_data(web::PathConfig::default().error_handler(|_, _| ApiError::NotFound.into()))
        // The token endpoint's form: problem+json like every other error.
        .app_data(web::FormConfig::default().error_handler(|err, _| {
            match err {
                actix_web::error::UrlencodedError::ContentType => ApiError::UnsupportedMediaType(
                    "expected application/x-www-form-urlencoded".into(),
                ),
                actix_web::error::UrlencodedError::Overflow { .. } => ApiError::PayloadTooLarge,
                other => ApiError::invalid("", other.to_string()),
            }
            .into()
        }))
        .service(utoipa_actix_web::scope("/api/v1").configure(crate::routes::configure))
        .into_app()
        .configure(crate::dashboard::configure)
        .default_service(web::to(crate::edge::unrouted))
        .wrap(
            DefaultHeaders::new()
                .add(("API-Version", API_VERSION))
                .add((header::CACHE_CONTROL, "no-store"))
                .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
                .add((header::X_FRAME_OPTIONS, "DENY"))
                .add((header::CONTENT_SECURITY_POLICY, "frame-ancestors 'none'"))
                // Only the OpenAPI document is public; CORS `*` does not expose
                // anything else because every other path needs a bearer token.
                .add((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")),
        )
        .wrap(actix_web::middleware::from_fn(crate::edge::refuse_nul))
        // Paths and status only: bodies (which may hold a BSN) are never logged.
        .wrap(Logger::new("%r %s %Dms"))
}

/// Runs the HTTP server on `BIND_ADDR` until it is stopped.
pub async fn serve(state: web::Data<AppState>) -> std::io::Result<()> {
    let listener = std::net::TcpListener::bind(state.config.bind_addr)?;
    tracing::info!(addr = %state.config.bind_addr, "zorgregie api listening");
    server(state, listener, None)?.await
}

/// The HTTP server on an already bound listener (tests bind port 0).
pub fn server(
    state: web::Data<AppState>,
    listener: std::net::TcpListener,
    workers: Option<usize>,
) -> std::io::Result<actix_web::dev::Server> {
    let mut server = HttpServer::new(move || app(state.clone()));
    if let Some(workers) = workers {
        server = server.workers(workers);
    }
    Ok(server.listen(listener)?.run())
}
