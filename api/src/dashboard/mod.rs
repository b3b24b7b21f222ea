//! The dashboard: the monitor, the office's signals and the steering
//! instruments (`steering.rs`) as web pages, served by the api itself (no
//! other server, no CDN, no script), in Dutch.
//!
//! People log in with an API client's id and secret, or with a token of
//! the identity provider (or `api token`), posted in a form; the token then
//! lives in a session cookie (HttpOnly, SameSite=Strict, Secure outside
//! development) and never in a URL. Each page resolves the caller exactly
//! as the JSON API does ([`Scoped::resolve`]): the same roles, the same
//! parties, another region is a 404. Pages load through the same queries
//! and `…Out` shapes as the JSON handlers, and show every table with its
//! CSV and XLSX download (the sheets of [`report_files`]).

pub mod chart;
mod login;
mod pages;
mod steering;

use std::{future::Future, pin::Pin};

use actix_web::{
    dev::Payload,
    http::{header, StatusCode},
    middleware::DefaultHeaders,
    web, FromRequest, HttpRequest, HttpResponse, ResponseError,
};
use maud::{html, Markup, DOCTYPE};
use serde::Deserialize;
use serde_json::Value;

use crate::{
    auth::{Permission, Scoped},
    dutch as format,
    error::ApiError,
    report_files::{self, Kind, Sheet},
    state::AppState,
};

/// The session cookie: the bearer token, for `/dashboard` only.
pub const COOKIE: &str = "zorgregie_session";

/// No script at all, styles from this server only, no framing, forms post
/// here only.
const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const STYLESHEET: &str = include_str!("dashboard.css");

/// Rows a page shows of a table; the download holds up to [`DOWNLOAD_ROWS`].
const SHOWN_ROWS: usize = 500;
const DOWNLOAD_ROWS: u64 = 100_000;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/dashboard")
            .wrap(
                DefaultHeaders::new()
                    .add((header::CONTENT_SECURITY_POLICY, CSP))
                    // Not `no-referrer`: with it, browsers send `Origin: null`
                    // on the forms' posts, and the origin check refuses them.
                    .add((header::REFERRER_POLICY, "same-origin")),
            )
            .route("", web::get().to(login::home))
            .route("/", web::get().to(login::home))
            .route("/dashboard.css", web::get().to(stylesheet))
            .route("/login", web::get().to(login::form))
            .route("/login", web::post().to(login::submit))
            .route("/logout", web::post().to(login::logout))
            .route("/regions", web::get().to(login::regions))
            .route("/{regionCode}/monitor", web::get().to(pages::monitor))
            .route("/{regionCode}/monitor", web::post().to(pages::ask_report))
            .route("/{regionCode}/ceilings", web::get().to(pages::ceilings))
            .route("/{regionCode}/contracts", web::get().to(pages::contracts))
            .route("/{regionCode}/indexation", web::get().to(pages::indexation))
            .route("/{regionCode}/jobs", web::get().to(pages::jobs))
            .route("/{regionCode}/wachtlijst", web::get().to(steering::waiting))
            .route(
                "/{regionCode}/aanbieders",
                web::get().to(steering::scorecards),
            )
            .route("/{regionCode}/dekking", web::get().to(steering::coverage))
            .route("/{regionCode}/plaatsen", web::get().to(steering::places))
            .route(
                "/{regionCode}/stapeling",
                web::get().to(steering::care_overlaps),
            )
            .route(
                "/{regionCode}/18-jarigen",
                web::get().to(steering::turning_18),
            )
            .default_service(web::to(|| async {
                PageError::from(ApiError::NotFound).error_response()
            })),
    );
}

async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .body(STYLESHEET)
}

/// A page that could not be shown: the login form for a missing or
/// expired session, otherwise a short page with the status.
#[derive(Debug)]
pub enum PageError {
    Login,
    Status(StatusCode, &'static str),
    /// A form's fields refused, each with its message.
    Invalid(Vec<String>),
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Login => write!(f, "login required"),
            Self::Status(status, text) => write!(f, "{status}: {text}"),
            Self::Invalid(problems) => write!(f, "invalid: {}", problems.join("; ")),
        }
    }
}

impl From<domain::DomainError> for PageError {
    fn from(e: domain::DomainError) -> Self {
        ApiError::from(e).into()
    }
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::Unauthorized(_) => Self::Login,
            ApiError::NotFound => Self::Status(
                StatusCode::NOT_FOUND,
                "Deze pagina bestaat niet, of niet voor u.",
            ),
            ApiError::Forbidden => Self::Status(
                StatusCode::FORBIDDEN,
                "Uw rol geeft geen toegang tot deze pagina.",
            ),
            ApiError::Validation(fields) | ApiError::Unprocessable(fields) => Self::Invalid(
                fields
                    .iter()
                    .map(|f| format!("{}: {}", f.field, f.message))
                    .collect(),
            ),
            ApiError::Unavailable { .. } => Self::Status(
                StatusCode::SERVICE_UNAVAILABLE,
                "De database is even niet bereikbaar. Probeer het zo opnieuw.",
            ),
            other => {
                tracing::error!(error = %other, "dashboard page failed");
                Self::Status(
                    other.status_code(),
                    "Er ging iets mis. Probeer het opnieuw.",
                )
            }
        }
    }
}

impl From<sea_orm::DbErr> for PageError {
    fn from(e: sea_orm::DbErr) -> Self {
        ApiError::from(e).into()
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Login => StatusCode::SEE_OTHER,
            Self::Status(status, _) => *status,
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::Invalid(problems) => html_response(
                StatusCode::UNPROCESSABLE_ENTITY,
                layout(
                    "Niet gelukt",
                    None,
                    html! {
                        p.problem role="alert" { "Dit kon niet:" }
                        ul { @for p in problems { li { (p) } } }
                        p { a href="/dashboard" { "Naar het begin" } }
                    },
                ),
            ),
            Self::Login => HttpResponse::SeeOther()
                .insert_header((header::LOCATION, "/dashboard/login"))
                .cookie(login::expired_cookie())
                .finish(),
            Self::Status(status, text) => html_response(
                *status,
                layout(
                    &format!("{} ({})", format::status(*status), status.as_u16()),
                    None,
                    html! { p { (text) } p { a href="/dashboard" { "Naar het begin" } } },
                ),
            ),
        }
    }
}

pub type PageResult = Result<HttpResponse, PageError>;

pub fn html_response(status: StatusCode, page: Markup) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(page.into_string())
}

/// A logged-in person on a page of a region, with the API's
/// permission `P`: the page's [`Scoped`] caller.
pub struct Viewer<P: Permission> {
    pub auth: Scoped<P>,
}

impl<P: Permission + 'static> FromRequest for Viewer<P> {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, PageError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = req.cookie(COOKIE).map(|c| c.value().to_owned());
        let code = req.match_info().get("regionCode").map(str::to_owned);
        Box::pin(async move {
            let state = state.ok_or(PageError::Login)?;
            let claims = state.jwt.verify(&token.ok_or(PageError::Login)?)?;
            let auth =
                Scoped::<P>::resolve(&state, claims, &code.ok_or(ApiError::NotFound)?).await?;
            Ok(Self { auth })
        })
    }
}

/// The pages, in the order of the menu, with the roles that may open them
/// (the permission of the API's resource behind each).
const PAGES: &[(&str, &str, &[entities::enums::Role])] = &[
    ("monitor", "Monitor", crate::auth::ReadMonitor::ROLES),
    ("wachtlijst", "Wachtlijst", crate::auth::ReadRegion::ROLES),
    ("aanbieders", "Aanbieders", crate::auth::ReadRegion::ROLES),
    ("dekking", "Dekking", crate::auth::ReadRegion::ROLES),
    ("plaatsen", "Plaatsen", crate::auth::ReadRegion::ROLES),
    ("stapeling", "Stapeling", crate::auth::ReadRegion::ROLES),
    ("18-jarigen", "18-jarigen", crate::auth::ReadRegion::ROLES),
    ("ceilings", "Budgetplafonds", crate::auth::ReadRegion::ROLES),
    (
        "contracts",
        "Contracten en uitstroom",
        crate::auth::Monitor::ROLES,
    ),
    ("indexation", "Indexatie", crate::auth::ReadRegion::ROLES),
    ("jobs", "Taken", crate::auth::ReadJobs::ROLES),
];

/// The first page a role may open (after logging in).
pub fn first_page(role: entities::enums::Role) -> Option<&'static str> {
    PAGES
        .iter()
        .find(|(_, _, roles)| roles.contains(&role))
        .map(|(slug, _, _)| *slug)
}

/// Who is looking, for the header: region, role, the menu.
pub struct Frame<'a> {
    pub region_code: &'a str,
    pub region_name: &'a str,
    pub who: String,
    pub role: entities::enums::Role,
    pub current: &'a str,
}

impl<'a> Frame<'a> {
    pub fn of<P: Permission>(auth: &'a Scoped<P>, current: &'a str) -> Self {
        let role = format::label(auth.claims.role.as_str());
        let who = match &auth.party {
            domain::parties::Party::Municipality { cbs, .. } => format!("{role} ({cbs})"),
            domain::parties::Party::Provider { agb, .. } => format!("{role} ({agb})"),
            _ => role.to_owned(),
        };
        Self {
            region_code: &auth.region.code,
            region_name: &auth.region.name,
            who,
            role: auth.claims.role,
            current,
        }
    }
}

/// The page around a body: language, header, menu, skip link.
pub fn layout(title: &str, frame: Option<&Frame>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="nl" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · zorgregie" }
                link rel="stylesheet" href="/dashboard/dashboard.css";
            }
            body {
                a.skip href="#inhoud" { "Naar de inhoud" }
                header {
                    span.brand { "zorgregie" }
                    @if let Some(frame) = frame {
                        span.region { (frame.region_name) }
                        nav aria-label="Pagina's" {
                            ul {
                                @for (slug, label, roles) in PAGES {
                                    @if roles.contains(&frame.role) {
                                        li {
                                            a href=(format!("/dashboard/{}/{slug}", frame.region_code))
                                                aria-current=[(frame.current == *slug).then_some("page")] { (label) }
                                        }
                                    }
                                }
                            }
                        }
                        span.who { (frame.who) }
                        form.logout method="post" action="/dashboard/logout" {
                            button type="submit" { "Uitloggen" }
                        }
                    }
                }
                main id="inhoud" {
                    h1 { (title) }
                    (body)
                }
            }
        }
    }
}

/// Which table to download, and as what (`?download=csv&table=…`).
#[derive(Debug, Default, Deserialize)]
pub struct Download {
    pub download: Option<String>,
    pub table: Option<String>,
}

impl Download {
    /// How many rows to load of a long table: a page's worth and one more
    /// (to say there are more), or a download's.
    pub fn limit(&self) -> u64 {
        if self.download.is_some() {
            DOWNLOAD_ROWS
        } else {
            SHOWN_ROWS as u64 + 1
        }
    }
}

/// A table of a page: its definition and its rows (JSON, as the API
/// sends them, so the page, the download and the API agree).
pub struct Table<'a> {
    pub sheet: &'a Sheet,
    pub rows: Vec<Value>,
}

impl<'a> Table<'a> {
    pub fn new(sheet: &'a Sheet, rows: Vec<Value>) -> Self {
        Self { sheet, rows }
    }
}

/// The download a query asks for, if any: one of `tables` as CSV (Dutch
/// Excel) or XLSX.
pub fn download(query: &Download, tables: &[&Table]) -> Option<PageResult> {
    let kind = query.download.as_deref()?;
    let Some(table) = tables
        .iter()
        .find(|t| Some(t.sheet.key) == query.table.as_deref())
    else {
        return Some(Err(ApiError::NotFound.into()));
    };
    let rows: Vec<&Value> = table.rows.iter().collect();
    let name = |ext: &str| format!("attachment; filename=\"{}.{ext}\"", table.sheet.file);
    Some(match kind {
        "csv" => Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((header::CONTENT_DISPOSITION, name("csv")))
            .body(report_files::excel_csv(table.sheet, &rows))),
        "xlsx" => report_files::workbook(&[(table.sheet, rows)])
            .map(|bytes| {
                HttpResponse::Ok()
                    .content_type(
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    )
                    .insert_header((header::CONTENT_DISPOSITION, name("xlsx")))
                    .body(bytes)
            })
            .map_err(|e| ApiError::Internal(e.to_string()).into()),
        _ => Err(ApiError::invalid("download", "must be csv or xlsx").into()),
    })
}

/// A cell as people read it, in Dutch notation.
pub fn cell(kind: Kind, v: &Value) -> String {
    use report_files::decimal;
    match (kind, decimal(v)) {
        (Kind::Percent, None) if v.is_null() => report_files::NOT_APPLICABLE.to_owned(),
        (Kind::Percent, Some(d)) => format::percent(d),
        (Kind::Euro, Some(d)) => format::euro(d),
        (Kind::Count, Some(d)) => d
            .trunc()
            .to_string()
            .parse()
            .map(format::count)
            .unwrap_or_default(),
        (Kind::Number, Some(d)) => format::number(d),
        (Kind::Law, _) => report_files::law_name(&report_files::text(v)).to_owned(),
        (Kind::Date, _) => report_files::dutch_date(v),
        (Kind::Label, _) => format::label(&report_files::text(v)).to_owned(),
        _ => format::month(&report_files::text(v)),
    }
}

/// A table with its caption and downloads. `base` is the page's address
/// with its own query (the downloads add theirs).
pub fn table(table: &Table, base: &str) -> Markup {
    table_marked(table, base, &|_| None)
}

/// A table whose rows `mark` may give a class (a client past the norm);
/// the page says the same in words in a column, never by colour alone.
pub fn table_marked(
    table: &Table,
    base: &str,
    mark: &dyn Fn(&Value) -> Option<&'static str>,
) -> Markup {
    let sep = if base.contains('?') { '&' } else { '?' };
    let link = |kind: &str| format!("{base}{sep}download={kind}&table={}", table.sheet.key);
    // Figures right-aligned, days on one line.
    let class_of = |kind: Kind| match kind {
        Kind::Euro | Kind::Percent | Kind::Count | Kind::Number => Some("num"),
        Kind::Date => Some("date"),
        _ => None,
    };
    html! {
        div.table id=(format!("tabel-{}", table.sheet.key)) {
            table data-table=(table.sheet.key) {
                caption {
                    (table.sheet.title)
                    span.downloads {
                        a href=(link("csv")) { "CSV" span.sr { " van " (table.sheet.title) } }
                        " "
                        a href=(link("xlsx")) { "XLSX" span.sr { " van " (table.sheet.title) } }
                    }
                }
                thead { tr { @for (key, label, kind) in table.sheet.columns {
                    th scope="col" data-key=(key) class=[class_of(*kind)] { (label) }
                } } }
                tbody {
                    @for row in table.rows.iter().take(SHOWN_ROWS) {
                        tr class=[mark(row)] { @for (key, _, kind) in table.sheet.columns {
                            td data-key=(key) class=[class_of(*kind)] { (cell(*kind, &row[*key])) }
                        } }
                    }
                    @if table.rows.is_empty() {
                        tr { td colspan=(table.sheet.columns.len()) { "Geen gegevens." } }
                    }
                }
            }
            @if table.rows.len() > SHOWN_ROWS {
                p.note { "De pagina toont de eerste " (format::count(SHOWN_ROWS as i64))
                    " rijen; de download bevat er tot " (format::count(DOWNLOAD_ROWS as i64)) "." }
            }
        }
    }
}

/// Rows as JSON, as the API sends them.
pub fn json_rows<T: serde::Serialize>(items: impl IntoIterator<Item = T>) -> Vec<Value> {
    items
        .into_iter()
        .filter_map(|item| serde_json::to_value(item).ok())
        .collect()
}

/// A sheet made for one page (not a report's).
pub const fn sheet(
    key: &'static str,
    file: &'static str,
    title: &'static str,
    columns: &'static [(&'static str, &'static str, Kind)],
) -> Sheet {
    Sheet {
        key,
        file,
        title,
        columns,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cells_in_dutch_notation_by_kind() {
        assert_eq!(cell(Kind::Euro, &json!("8802420.00")), "€ 8.802.420,00");
        assert_eq!(cell(Kind::Percent, &json!("32.46")), "32,46%");
        assert_eq!(cell(Kind::Percent, &json!(null)), "n.v.t.");
        assert_eq!(cell(Kind::Count, &json!(1656)), "1.656");
        assert_eq!(cell(Kind::Number, &json!("5.50")), "5,5");
        assert_eq!(cell(Kind::Law, &json!("wmo")), "Wmo 2015");
        assert_eq!(cell(Kind::Date, &json!("2025-12-31")), "31-12-2025");
        assert_eq!(
            cell(Kind::Date, &json!("2026-11-24T05:14:22.851127Z")),
            "24-11-2026 05:14"
        );
        assert_eq!(
            cell(Kind::Label, &json!("contract-ending")),
            "contract loopt af"
        );
        assert_eq!(cell(Kind::Text, &json!("2025-06")), "jun 2025");
        assert_eq!(cell(Kind::Text, &json!(null)), "");
    }

    #[test]
    fn a_download_names_one_of_the_page_tables() {
        const SHEET: Sheet = sheet("t", "t", "T", &[("a", "A", Kind::Euro)]);
        let table = Table::new(&SHEET, vec![json!({ "a": "1.50" })]);
        let ask = |download: &str, name: &str| Download {
            download: Some(download.into()),
            table: Some(name.into()),
        };
        let csv = download(&ask("csv", "t"), &[&table]).unwrap().unwrap();
        assert_eq!(csv.status(), StatusCode::OK);
        assert!(download(&ask("csv", "other"), &[&table]).unwrap().is_err());
        assert!(download(&ask("pdf", "t"), &[&table]).unwrap().is_err());
        assert!(
            download(&Download::default(), &[&table]).is_none(),
            "no download: the page"
        );
    }
}
