//! The steering instruments' pages (issue 28): who waits, where providers
//! stand, coverage, places, stacked care, youth turning 18. Each page asks
//! the instrument's route module for its answer (`routes::…::load`, the
//! very call the JSON handler makes, with the viewer's party) and shows its
//! tables through the route's sheets, with their downloads. The steering
//! signals stand on the page of their instrument, for the office only (the
//! API's `Monitor`).

use std::collections::{BTreeMap, HashMap};

use actix_web::{http::StatusCode, web, HttpRequest};
use domain::{
    parties::Party,
    steering::{
        scorecards::{self, Period},
        Named, Names,
    },
};
use entities::{
    enums::SteeringSignalKind,
    steering::scorecard::{default_period, SortField},
};
use maud::{html, Markup};
use rust_decimal::{prelude::ToPrimitive, Decimal};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{
    chart::{self, Series},
    download, html_response, layout, sheet, table, table_marked, Download, Frame, PageError,
    PageResult, Table, Viewer,
};
use crate::{
    auth::{ReadRegion, Scoped},
    dutch as format,
    error::ApiError,
    report_files::{self, Kind::*, Sheet},
    routes::{
        care_overlaps::{self, CareOverlapQuery},
        coverage::{self, CoverageQuery},
        locations::{self, CapacityQuery, SeriesQuery},
        scorecards::{self as scorecard_tables, ScorecardListOut, ScorecardOut},
        steering_signals,
        tables::TableFormat,
        turning_18::{self, Turning18Query},
        waiting_list::{self, WaitingListQuery},
    },
    state::AppState,
};

/// The signals a page shows (the newest).
const SIGNALS_SHOWN: u64 = 200;

/// The page's filters from its address; an empty field (a select's
/// "Alle") is no filter.
fn asked<T: DeserializeOwned>(req: &HttpRequest) -> Result<T, PageError> {
    let bad = || PageError::Status(StatusCode::BAD_REQUEST, "De vraag in het adres klopt niet.");
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(req.query_string()).map_err(|_| bad())?;
    let kept: Vec<(String, String)> = pairs.into_iter().filter(|(_, v)| !v.is_empty()).collect();
    let text = serde_urlencoded::to_string(kept).map_err(|_| bad())?;
    serde_urlencoded::from_str(&text).map_err(|_| bad())
}

/// The page's address with its filters, for the downloads to add theirs.
fn base(req: &HttpRequest, region: &str, slug: &str) -> String {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    let kept: Vec<(String, String)> = pairs
        .into_iter()
        .filter(|(k, v)| !v.is_empty() && k != "download" && k != "table")
        .collect();
    let query = serde_urlencoded::to_string(kept).unwrap_or_default();
    if query.is_empty() {
        format!("/dashboard/{region}/{slug}")
    } else {
        format!("/dashboard/{region}/{slug}?{query}")
    }
}

/// The JSON answer as the API sends it.
fn json<T: serde::Serialize>(out: &T) -> Result<Value, PageError> {
    serde_json::to_value(out).map_err(|e| ApiError::Internal(e.to_string()).into())
}

/// Rows as people read them: yes and no in words, the API's codes of
/// `kind` in Dutch (on the page and in its downloads).
fn for_people(rows: Vec<&Value>) -> Vec<Value> {
    rows.into_iter()
        .cloned()
        .map(|mut row| {
            if let Value::Object(fields) = &mut row {
                for (key, v) in fields.iter_mut() {
                    match v {
                        Value::Bool(b) => *v = Value::from(if *b { "ja" } else { "nee" }),
                        Value::String(s) if key == "kind" => *v = format::label(s).into(),
                        _ => {}
                    }
                }
            }
            row
        })
        .collect()
}

/// The tables of an answer, one per sheet.
fn tables_of<'a>(content: &Value, sheets: &[&'a Sheet]) -> Vec<Table<'a>> {
    sheets
        .iter()
        .map(|s| Table::new(s, for_people(report_files::rows(content, s.key))))
        .collect()
}

/// Either the requested download or the page.
fn respond(
    req: &HttpRequest,
    tables: &[&Table],
    title: &str,
    frame: &Frame,
    body: Markup,
) -> PageResult {
    let asked: Download = serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    match download(&asked, tables) {
        Some(file) => file,
        None => Ok(html_response(
            StatusCode::OK,
            layout(title, Some(frame), body),
        )),
    }
}

/// A section with its heading and table.
fn section(t: &Table, heading: &str, intro: Markup, base: &str) -> Markup {
    html! {
        section aria-labelledby=(format!("kop-{}", t.sheet.key)) {
            h2 id=(format!("kop-{}", t.sheet.key)) { (heading) }
            (intro)
            (table(t, base))
        }
    }
}

// ------------------------------------------------------------- filters

/// Codes and names, by name.
fn options<'a>(named: impl Iterator<Item = &'a Named>, keep: impl Fn(&str) -> bool) -> Vec<Named> {
    let mut out: Vec<Named> = named.filter(|n| keep(&n.code)).cloned().collect();
    out.sort_by(|a, b| (&a.name, &a.code).cmp(&(&b.name, &b.code)));
    out
}

fn groups(names: &Names) -> Vec<Named> {
    options(names.groups.values(), |_| true)
}

/// The municipalities a party's lists can hold: its own, or all.
fn municipalities(names: &Names, party: &Party) -> Vec<Named> {
    options(names.municipalities.values(), |cbs| match party {
        Party::Municipality { cbs: own, .. } => cbs == own,
        _ => true,
    })
}

/// The providers a party's lists can hold: itself, or all.
fn providers(names: &Names, party: &Party) -> Vec<Named> {
    options(names.providers.values(), |agb| match party {
        Party::Provider { agb: own, .. } => agb == own,
        _ => true,
    })
}

fn products(names: &Names, codes: &[String]) -> Vec<Named> {
    options(names.products.values().map(|(p, _)| p), |code| {
        codes.iter().any(|c| c == code)
    })
}

/// A select of codes, named, with "Alle" for no filter.
fn choice(id: &str, label: &str, options: &[Named], chosen: Option<&str>) -> Markup {
    html! {
        span.field {
            label for=(id) { (label) }
            select id=(id) name=(id) {
                option value="" { "Alle" }
                @for o in options {
                    option value=(o.code) selected[chosen == Some(o.code.as_str())] {
                        (o.name) " (" (o.code) ")"
                    }
                }
            }
        }
    }
}

fn day(id: &str, label: &str, value: Option<&str>) -> Markup {
    html! {
        span.field {
            label for=(id) { (label) }
            input type="date" id=(id) name=(id) value=[value];
        }
    }
}

fn filters(fields: Markup) -> Markup {
    html! {
        form.choose.filters method="get" {
            (fields)
            button type="submit" { "Tonen" }
        }
    }
}

// ------------------------------------------------------------- signals

const SIGNALS: Sheet = sheet(
    "signals",
    "signalen",
    "Signalen",
    &[
        ("observedOn", "Gezien op", Date),
        ("kind", "Soort", Label),
        ("municipalityCbs", "CBS-code", Text),
        ("municipalityName", "Gemeente", Text),
        ("productGroupCode", "Perceelcode", Text),
        ("productGroupName", "Perceel", Text),
        ("providerAgb", "AGB-code", Text),
        ("providerName", "Aanbieder", Text),
        ("detail", "Toelichting", Text),
    ],
);

/// The newest signals of `kind` with the names beside their codes, for
/// the office; `None` for another role.
async fn signals(
    state: &AppState,
    auth: &Scoped<ReadRegion>,
    kind: SteeringSignalKind,
    names: &Names,
) -> Result<Option<Table<'static>>, PageError> {
    let Some(found) = steering_signals::newest(state, auth, kind, SIGNALS_SHOWN).await? else {
        return Ok(None);
    };
    let by_code = |all: &mut dyn Iterator<Item = &Named>| -> HashMap<String, String> {
        all.map(|n| (n.code.clone(), n.name.clone())).collect()
    };
    let lookups = [
        (
            "municipalityCbs",
            "municipalityName",
            by_code(&mut names.municipalities.values()),
        ),
        (
            "productGroupCode",
            "productGroupName",
            by_code(&mut names.groups.values()),
        ),
        (
            "providerAgb",
            "providerName",
            by_code(&mut names.providers.values()),
        ),
    ];
    let mut rows = for_people(json(&found)?.as_array().into_iter().flatten().collect());
    for row in &mut rows {
        for (code, name, names) in &lookups {
            let found = row[*code].as_str().and_then(|c| names.get(c)).cloned();
            row[*name] = found.into();
        }
    }
    Ok(Some(Table::new(&SIGNALS, rows)))
}

fn signals_section(signals: &Option<Table>, what: &str, base: &str) -> Markup {
    html! {
        @if let Some(t) = signals {
            (section(t, "Signalen", html! { p { (what) } }, base))
        }
    }
}

// --------------------------------------------------------- waiting list

/// `GET /dashboard/{region}/wachtlijst`: who waits now for care to start,
/// those past the norm marked, and the totals per group, municipality and
/// provider (`GET …/waiting-list`).
pub async fn waiting(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer<ReadRegion>,
) -> PageResult {
    let auth = &viewer.auth;
    let query: WaitingListQuery = asked(&req)?;
    let list = waiting_list::load(&state, auth, &query, &TableFormat { format: None }).await?;
    let names = Names::load(&state.db, &auth.scope).await?;
    let tables = tables_of(&json(&list)?, &waiting_list::SHEETS);
    let signals = signals(&state, auth, SteeringSignalKind::WaitingNorm, &names).await?;
    let base = base(&req, &auth.region.code, "wachtlijst");
    let [rows, per_group, per_municipality, per_provider] = &tables[..] else {
        return Err(ApiError::Internal("the waiting list's tables".into()).into());
    };
    let over = |row: &Value| (row["overNorm"] == "ja").then_some("over");
    let body = html! {
        (filters(html! {
            (choice("productGroupCode", "Perceel", &groups(&names), query.product_group_code.as_deref()))
            (choice("municipalityCbs", "Gemeente", &municipalities(&names, &auth.party), query.municipality_cbs.as_deref()))
            (choice("providerAgb", "Aanbieder", &providers(&names, &auth.party), query.provider_agb.as_deref()))
            (day("asOf", "Peildatum", query.as_of.as_deref()))
        }))
        p.period {
            "Op " (format::date(list.as_of)) " wachten " (format::count(list.waiting as i64))
            " cliënten op de start van hun zorg; " (format::count(list.over_norm as i64))
            " van hen langer dan de wachtnorm van hun perceel."
        }
        section aria-labelledby="kop-rows" {
            h2 id="kop-rows" { "Wie wacht" }
            p { "Langst wachtend eerst. Wie langer wacht dan de wachtnorm staat gemarkeerd, met "
                strong { "ja" } " in de kolom Boven de norm." }
            (table_marked(rows, &base, &over))
        }
        (section(per_group, "Per perceel", html! {}, &base))
        (section(per_municipality, "Per gemeente", html! {}, &base))
        (section(per_provider, "Per aanbieder", html! {}, &base))
        (signals_section(&signals, "Eén signaal per toewijzing die langer wacht dan de wachtnorm.", &base))
    };
    let mut refs: Vec<&Table> = tables.iter().collect();
    refs.extend(signals.as_ref());
    respond(
        &req,
        &refs,
        "Wachtlijst",
        &Frame::of(auth, "wachtlijst"),
        body,
    )
}

// ------------------------------------------------------------- coverage

/// `GET /dashboard/{region}/dekking`: every municipality × product group
/// with its active and contracted providers, the cells below the minimum
/// said in words (`GET …/coverage`).
pub async fn coverage(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer<ReadRegion>,
) -> PageResult {
    let auth = &viewer.auth;
    let query: CoverageQuery = asked(&req)?;
    let landscape = coverage::load(&state, auth, &query, &TableFormat { format: None }).await?;
    let names = Names::load(&state.db, &auth.scope).await?;
    let tables = tables_of(&json(&landscape)?, &coverage::SHEETS);
    let signals = signals(&state, auth, SteeringSignalKind::Coverage, &names).await?;
    let base = base(&req, &auth.region.code, "dekking");
    // The grid: municipalities down, groups across, in the answer's order.
    let mut rows: Vec<(&str, &str)> = Vec::new();
    let mut columns: Vec<(&str, &str)> = Vec::new();
    let cells: BTreeMap<(&str, &str), &coverage::CoverageCellOut> = landscape
        .cells
        .iter()
        .map(|c| {
            (
                (c.municipality_cbs.as_str(), c.product_group_code.as_str()),
                c,
            )
        })
        .collect();
    for c in &landscape.cells {
        let m = (c.municipality_cbs.as_str(), c.municipality_name.as_str());
        let g = (c.product_group_code.as_str(), c.product_group_name.as_str());
        if !rows.contains(&m) {
            rows.push(m);
        }
        if !columns.contains(&g) {
            columns.push(g);
        }
    }
    let below = landscape.below_minimum;
    let body = html! {
        (filters(html! {
            (choice("productGroupCode", "Perceel", &groups(&names), query.product_group_code.as_deref()))
            (choice("municipalityCbs", "Gemeente", &municipalities(&names, &Party::Office), query.municipality_cbs.as_deref()))
            (day("asOf", "Peildatum", query.as_of.as_deref()))
        }))
        p.period {
            "Op " (format::date(landscape.as_of)) "; actief is een aanbieder met zorg in de gemeente tussen "
            (format::date(landscape.active_from)) " en " (format::date(landscape.active_to)) ". "
            @if below == 0 { "Geen cel ligt onder het minimum." }
            @else { (format::count(below as i64)) " cel(len) onder het minimum." }
        }
        section aria-labelledby="kop-grid" {
            h2 id="kop-grid" { "Overzicht" }
            @if landscape.cells.is_empty() {
                p { "Geen gegevens." }
            } @else {
                div.table {
                    table.landscape data-table="grid" {
                        caption { "Actieve en gecontracteerde aanbieders per gemeente en perceel" }
                        thead { tr {
                            th scope="col" { "Gemeente" }
                            @for (code, name) in &columns { th scope="col" { (name) " (" (code) ")" } }
                        } }
                        tbody { @for (cbs, name) in &rows {
                            tr {
                                th scope="row" { (name) " (" (cbs) ")" }
                                @for (code, _) in &columns {
                                    @match cells.get(&(*cbs, *code)) {
                                        Some(c) => td.below[c.below_minimum] data-cell=(format!("{cbs}:{code}")) {
                                            (format::count(c.active_count as i64)) " actief, "
                                            (format::count(c.contracted_count as i64)) " gecontracteerd"
                                            @if let Some(min) = c.minimum_providers { br; span.note { "minimum " (min) } }
                                            @if c.below_minimum { br; strong { "Onder het minimum" } }
                                        },
                                        None => td { "–" },
                                    }
                                }
                            }
                        } }
                    }
                }
            }
        }
        @for (t, heading) in tables.iter().zip(["Per gemeente en perceel", "Welke aanbieders"]) {
            (section(t, heading, html! {}, &base))
        }
        (signals_section(&signals, "Eén signaal per gemeente en perceel onder het minimum.", &base))
    };
    let mut refs: Vec<&Table> = tables.iter().collect();
    refs.extend(signals.as_ref());
    respond(&req, &refs, "Dekking", &Frame::of(auth, "dekking"), body)
}

// --------------------------------------------------------------- places

/// `GET /dashboard/{region}/plaatsen`: places, occupied and free per
/// location and product, the totals, and the monthly series of the last
/// 12 months (`GET …/capacity`, `GET …/capacity/series`).
pub async fn places(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer<ReadRegion>,
) -> PageResult {
    let auth = &viewer.auth;
    let query: CapacityQuery = asked(&req)?;
    let capacity = locations::load_capacity(&state, auth, &query).await?;
    let series = SeriesQuery {
        from: None,
        to: None,
        provider_agb: query.provider_agb.clone(),
        product_code: query.product_code.clone(),
        municipality_cbs: query.municipality_cbs.clone(),
    };
    let series = locations::load_series(&state, auth, &series).await?;
    let names = Names::load(&state.db, &auth.scope).await?;
    let tables = tables_of(&json(&capacity)?, &locations::CAPACITY_SHEETS);
    let months = tables_of(&json(&series)?, &[&locations::SERIES_SHEET]);
    let base = base(&req, &auth.region.code, "plaatsen");
    // The products with places, for the filter.
    let mut offered: Vec<String> = capacity
        .products
        .iter()
        .map(|p| p.product_code.clone())
        .chain(series.months.iter().map(|m| m.product_code.clone()))
        .chain(query.product_code.clone())
        .collect();
    offered.sort();
    offered.dedup();
    let (places, occupied, free) = capacity.products.iter().fold((0, 0, 0), |t, p| {
        (t.0 + p.places, t.1 + p.occupied, t.2 + p.free)
    });
    // Per month, over the products: average places and occupied.
    let mut per_month: BTreeMap<&str, (Decimal, Decimal)> = BTreeMap::new();
    for m in &series.months {
        let sums = per_month.entry(m.month.as_str()).or_default();
        sums.0 += m.places;
        sums.1 += m.occupied;
    }
    let labels: Vec<String> = per_month.keys().map(|m| format::month(m)).collect();
    let line = |name, class, pick: fn(&(Decimal, Decimal)) -> Decimal| Series {
        name,
        class,
        values: per_month
            .values()
            .map(|v| pick(v).to_f64().unwrap_or(0.0))
            .collect(),
    };
    let full = |row: &Value| {
        let free = report_files::decimal(&row["free"]).unwrap_or_default();
        (free <= Decimal::ZERO && !row["places"].is_null()).then_some("full")
    };
    let body = html! {
        (filters(html! {
            (choice("providerAgb", "Aanbieder", &providers(&names, &auth.party), query.provider_agb.as_deref()))
            (choice("productCode", "Product", &products(&names, &offered), query.product_code.as_deref()))
            (choice("municipalityCbs", "Gemeente", &municipalities(&names, &auth.party), query.municipality_cbs.as_deref()))
            (day("asOf", "Peildatum", query.as_of.as_deref()))
        }))
        p.period data-totals {
            "Op " (format::date(capacity.as_of)) ": " (format::count(places)) " plaatsen, "
            (format::count(occupied)) " bezet, " (format::count(free)) " vrij."
        }
        @for (i, t) in tables.iter().enumerate() {
            @if i == 0 {
                section aria-labelledby="kop-locations" {
                    h2 id="kop-locations" { "Per locatie en product" }
                    p { "Een volle locatie (geen plaats vrij) staat gemarkeerd; een negatief getal bij Vrij is overbezetting." }
                    (table_marked(t, &base, &full))
                }
            } @else {
                (section(t, &format!("Per {}", if t.sheet.key == "products" { "product" } else { "gemeente" }), html! {}, &base))
            }
        }
        @for t in &months {
            section aria-labelledby="kop-months" {
                h2 id="kop-months" { "Per maand" }
                p { (format::month(&series.from)) " t/m " (format::month(&series.to))
                    ": gemiddeld aantal plaatsen en bezette plaatsen per dag, over de producten." }
                @if !labels.is_empty() {
                    (chart::columns("plaatsen-per-maand", "Plaatsen en bezetting per maand", &labels,
                        &[line("Plaatsen", "places", |v| v.0), line("Bezet", "occupied", |v| v.1)],
                        false, |v| format::number(Decimal::from_f64_retain(v).unwrap_or_default().round_dp(1))))
                }
                (table(t, &base))
            }
        }
    };
    let mut refs: Vec<&Table> = tables.iter().collect();
    refs.extend(months.iter());
    respond(&req, &refs, "Plaatsen", &Frame::of(auth, "plaatsen"), body)
}

// --------------------------------------------------------- stacked care

/// `GET /dashboard/{region}/stapeling`: pairs of allocations of one client
/// in one group that share days (`GET …/care-overlaps`).
pub async fn care_overlaps(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer<ReadRegion>,
) -> PageResult {
    let auth = &viewer.auth;
    let query: CareOverlapQuery = asked(&req)?;
    let found = care_overlaps::load(&state, auth, &query, &TableFormat { format: None }).await?;
    let names = Names::load(&state.db, &auth.scope).await?;
    let tables = tables_of(&json(&found)?, &care_overlaps::SHEETS);
    let signals = signals(&state, auth, SteeringSignalKind::CareOverlap, &names).await?;
    let base = base(&req, &auth.region.code, "stapeling");
    let body = html! {
        (filters(html! {
            (choice("productGroupCode", "Perceel", &groups(&names), query.product_group_code.as_deref()))
            (choice("municipalityCbs", "Gemeente", &municipalities(&names, &auth.party), query.municipality_cbs.as_deref()))
            (day("asOf", "Peildatum", query.as_of.as_deref()))
        }))
        p.period {
            (format::count(found.total_pairs as i64)) " paar (paren) gestapelde zorg bij "
            (format::count(found.clients as i64)) " cliënt(en), met een overlap op of na "
            (format::date(found.as_of)) ": twee toewijzingen van één cliënt in één perceel tegelijk, "
            "bij twee aanbieders of voor hetzelfde product twee keer."
        }
        @for (t, heading) in tables.iter().zip(["Paren", "Per perceel"]) {
            (section(t, heading, html! {}, &base))
        }
        (signals_section(&signals, "Eén signaal per gestapeld paar.", &base))
    };
    let mut refs: Vec<&Table> = tables.iter().collect();
    refs.extend(signals.as_ref());
    respond(
        &req,
        &refs,
        "Stapeling van zorg",
        &Frame::of(auth, "stapeling"),
        body,
    )
}

// ----------------------------------------------------------- turning 18

const HORIZONS: [i64; 6] = [6, 12, 18, 24, 36, 60];

/// `GET /dashboard/{region}/18-jarigen`: youth care allocations whose
/// client turns 18 within the horizon, by the month only, and whether a
/// Wmo allocation follows (`GET …/turning-18`).
pub async fn turning_18(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer<ReadRegion>,
) -> PageResult {
    let auth = &viewer.auth;
    let query: Turning18Query = asked(&req)?;
    let found = turning_18::load(&state, auth, &query, &TableFormat { format: None }).await?;
    let tables = tables_of(&json(&found)?, &turning_18::SHEETS);
    let base = base(&req, &auth.region.code, "18-jarigen");
    let t = &found.totals;
    let no_wmo = |row: &Value| (row["wmoFollows"] == "nee").then_some("over");
    let body = html! {
        (filters(html! {
            span.field {
                label for="horizonMonths" { "Binnen" }
                select id="horizonMonths" name="horizonMonths" {
                    @for h in HORIZONS {
                        option value=(h) selected[h == found.horizon_months] { (h) " maanden" }
                    }
                }
            }
            (day("asOf", "Peildatum", query.as_of.as_deref()))
        }))
        p.period {
            (format::count(t.clients as i64)) " cliënt(en) met jeugdhulp worden binnen "
            (found.horizon_months) " maanden na " (format::date(found.as_of)) " 18; voor "
            (format::count(t.without_wmo as i64)) " van hen volgt nog geen Wmo-toewijzing. "
            (format::count(t.without_birth_date as i64)) " cliënt(en) zonder bekende geboortedatum zijn geteld, niet getoond. "
            "De lijst noemt alleen de maand, nooit de geboortedatum."
        }
        @for (i, t) in tables.iter().enumerate() {
            @if i == 0 {
                section aria-labelledby="kop-allocations" {
                    h2 id="kop-allocations" { "Toewijzingen" }
                    p { "Wie nog geen Wmo-vervolg heeft staat gemarkeerd, met " strong { "nee" } " in de kolom Wmo volgt." }
                    (table_marked(t, &base, &no_wmo))
                }
            } @else {
                (section(t, t.sheet.title, html! {}, &base))
            }
        }
    };
    let refs: Vec<&Table> = tables.iter().collect();
    respond(
        &req,
        &refs,
        "Jongeren die 18 worden",
        &Frame::of(auth, "18-jarigen"),
        body,
    )
}

// ------------------------------------------------------------ scorecards

/// A figure of the scorecard: its JSON key (the median's is
/// `<key>RegionMedian`), its name and kind.
const FIGURES: [(&str, &str, report_files::Kind); 9] = [
    ("spend", "Goedgekeurd bedrag", Euro),
    ("clients", "Cliënten", Number),
    ("hoursPerClient", "Uren per cliënt", Number),
    (
        "meanDurationDays",
        "Gemiddelde duur van de zorg (dagen)",
        Number,
    ),
    ("medianWaitDays", "Mediaan wachttijd (dagen)", Number),
    ("meanWaitDays", "Gemiddelde wachttijd (dagen)", Number),
    ("rejectedLines", "Afgewezen declaratieregels", Number),
    ("rejectedPercent", "Afgewezen (%)", Percent),
    ("marketSharePercent", "Marktaandeel (%)", Percent),
];

const SORTS: [(&str, &str); 7] = [
    ("-spend", "Goedgekeurd bedrag"),
    ("-clients", "Cliënten"),
    ("-hoursPerClient", "Uren per cliënt"),
    ("medianWaitDays", "Mediaan wachttijd (kortste eerst)"),
    ("rejectedPercent", "Afgewezen (laagste eerst)"),
    ("-marketSharePercent", "Marktaandeel"),
    ("providerAgb", "AGB-code"),
];

/// What the providers' page asks: a group's list, or one provider's card.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct ScorecardAsk {
    product_group_code: Option<String>,
    agb: Option<String>,
    from: Option<String>,
    to: Option<String>,
    sort: Option<String>,
}

/// The period asked (default the last 12 complete months), as the API
/// checks it: each bad day a 400, `from` after `to` a 422.
fn period_of(ask: &ScorecardAsk) -> Result<Period, PageError> {
    let mut check = crate::input::Check::new();
    let from = check.optional_date("from", ask.from.as_deref());
    let to = check.optional_date("to", ask.to.as_deref());
    let (default_from, default_to) = default_period(entities::clock::now().date_naive());
    let period = from.zip(to).map(|(from, to)| Period {
        from: from.unwrap_or(default_from),
        to: to.unwrap_or(default_to),
    });
    if let Some(p) = period.filter(|p| p.from > p.to) {
        check.fail_rule("from", format!("{} is na {}", p.from, p.to));
    }
    Ok(check.done(period)?)
}

/// `GET /dashboard/{region}/aanbieders[?productGroupCode=…|?agb=…]`: a
/// group's providers with their main figures beside the region's medians
/// (`GET …/scorecards`), or one provider's scorecard (`GET
/// …/providers/{agbCode}/scorecard`). A provider sees only its own.
pub async fn scorecards(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer<ReadRegion>,
) -> PageResult {
    let auth = &viewer.auth;
    let ask: ScorecardAsk = asked(&req)?;
    let period = period_of(&ask)?;
    let names = Names::load(&state.db, &auth.scope).await?;
    let base = base(&req, &auth.region.code, "aanbieders");
    let period_fields = html! {
        (day("from", "Van", ask.from.as_deref()))
        (day("to", "Tot en met", ask.to.as_deref()))
    };
    if let Some(agb) = ask.agb.as_deref() {
        let card = scorecards::scorecard(&state.db, &auth.scope, &auth.party, agb, period).await?;
        let card = ScorecardOut::from(card);
        return scorecard_page(&req, auth, &card, &base, period_fields);
    }
    let all_groups = groups(&names);
    let code = ask
        .product_group_code
        .clone()
        .or_else(|| all_groups.first().map(|g| g.code.clone()));
    let sort = ask.sort.as_deref().unwrap_or("-spend");
    let Some(sorting) = SortField::parse(sort) else {
        return Err(ApiError::invalid("sort", "kies een sortering uit de lijst").into());
    };
    let list = match code.as_deref() {
        Some(code) => Some(ScorecardListOut::from(
            scorecards::list(&state.db, &auth.scope, &auth.party, code, period, sorting).await?,
        )),
        None => None,
    };
    let content = json(&list)?;
    let tables = tables_of(
        &content,
        &[&scorecard_tables::ROWS, &scorecard_tables::MEDIANS],
    );
    let body = html! {
        (filters(html! {
            span.field {
                label for="productGroupCode" { "Perceel" }
                select id="productGroupCode" name="productGroupCode" {
                    @for g in &all_groups {
                        option value=(g.code) selected[code.as_deref() == Some(g.code.as_str())] {
                            (g.name) " (" (g.code) ")"
                        }
                    }
                }
            }
            span.field {
                label for="sort" { "Sorteren op" }
                select id="sort" name="sort" {
                    @for (value, label) in SORTS {
                        option value=(value) selected[sort == value] { (label) }
                    }
                }
            }
            (period_fields)
        }))
        @match &list {
            None => p { "Geen gegevens." },
            Some(list) => {
                p.period {
                    (list.product_group_name) " (" (list.product_group_code) "), "
                    (format::date(list.from)) " t/m " (format::date(list.to)) ": "
                    (format::count(list.region_medians.providers_in_group as i64))
                    " aanbieder(s) in het perceel. De mediaan van de regio staat onder de lijst."
                }
                @for t in &tables {
                    (section(t, t.sheet.title, html! {}, &base))
                }
                @if !list.providers.is_empty() {
                    form.choose.filters.card method="get" {
                        span.field {
                            label for="agb" { "Scorecard van" }
                            select id="agb" name="agb" {
                                @for p in &list.providers {
                                    option value=(p.provider_agb) { (p.provider_name) " (" (p.provider_agb) ")" }
                                }
                            }
                        }
                        @if let Some(from) = &ask.from { input type="hidden" name="from" value=(from); }
                        @if let Some(to) = &ask.to { input type="hidden" name="to" value=(to); }
                        button type="submit" { "Scorecard tonen" }
                    }
                }
            }
        }
    };
    let refs: Vec<&Table> = tables.iter().collect();
    respond(
        &req,
        &refs,
        "Aanbieders",
        &Frame::of(auth, "aanbieders"),
        body,
    )
}

/// A figure as people read it; "n.v.t." without one.
fn figure(kind: report_files::Kind, v: &Value) -> String {
    if v.is_null() {
        report_files::NOT_APPLICABLE.to_owned()
    } else {
        super::cell(kind, v)
    }
}

/// One provider's scorecard: per group each figure beside the region's
/// median, then outflow, rejections, ceilings, checks and contracts.
fn scorecard_page(
    req: &HttpRequest,
    auth: &Scoped<ReadRegion>,
    card: &ScorecardOut,
    base: &str,
    period_fields: Markup,
) -> PageResult {
    let content = json(card)?;
    let tables = tables_of(
        &content,
        &[
            &scorecard_tables::GROUPS,
            &scorecard_tables::OUTFLOW,
            &scorecard_tables::REASONS,
            &scorecard_tables::CEILINGS,
            &scorecard_tables::COMPLIANCE,
            &scorecard_tables::CONTRACTS,
        ],
    );
    let Some((groups_table, others)) = tables.split_first() else {
        return Err(ApiError::Internal("the scorecard's tables".into()).into());
    };
    let link = |kind: &str| {
        format!(
            "{base}&download={kind}&table={}",
            scorecard_tables::GROUPS.key
        )
    };
    let s = &card.summary;
    let list = format!("/dashboard/{}/aanbieders", auth.region.code);
    let body = html! {
        p { a href=(list) { "Naar alle aanbieders" } }
        (filters(html! {
            input type="hidden" name="agb" value=(card.provider_agb);
            (period_fields)
        }))
        p.period {
            (card.provider_name) " (AGB " (card.provider_agb) "), " (format::date(card.from)) " t/m "
            (format::date(card.to)) ": " (format::euro(s.spend)) " goedgekeurd; "
            (format::count(s.rejected_lines)) " van " (format::count(s.assessed_lines))
            " declaratieregels afgewezen; toetsen: " (format::label(&s.compliance_standing)) "."
        }
        section aria-labelledby="kop-percelen" {
            h2 id="kop-percelen" { "Per perceel, naast de mediaan van de regio" }
            @if card.product_groups.is_empty() { p { "Geen gegevens." } }
            p.note { "Alle cijfers per perceel: "
                a href=(link("csv")) { "CSV" } " " a href=(link("xlsx")) { "XLSX" } }
            @for (g, row) in card.product_groups.iter().zip(&groups_table.rows) {
                div.table {
                    table.figures data-table=(format!("figures-{}", g.product_group_code)) {
                        caption { (g.product_group_name) " (" (g.product_group_code) ")" }
                        thead { tr {
                            th scope="col" { "Cijfer" }
                            th scope="col" class="num" { (card.provider_name) }
                            th scope="col" class="num" { "Mediaan regio (" (g.providers_in_group) " aanbieders)" }
                        } }
                        tbody { @for (key, label, kind) in FIGURES {
                            tr {
                                th scope="row" { (label) }
                                td.num data-key="value" { (figure(kind, &row[key])) }
                                td.num.median data-key="median" { (figure(kind, &row[format!("{key}RegionMedian").as_str()])) }
                            }
                        } }
                    }
                }
            }
        }
        @for t in others {
            (section(t, t.sheet.title, html! {}, base))
        }
    };
    let refs: Vec<&Table> = tables.iter().collect();
    respond(
        req,
        &refs,
        &format!("Scorecard {}", card.provider_name),
        &Frame::of(auth, "aanbieders"),
        body,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rows_say_yes_no_and_kinds_in_words() {
        let row = json!({ "overNorm": true, "active": false, "kind": "same-product", "days": 3 });
        assert_eq!(
            for_people(vec![&row]),
            [
                json!({ "overNorm": "ja", "active": "nee", "kind": "hetzelfde product twee keer", "days": 3 })
            ]
        );
    }

    #[test]
    fn the_download_links_keep_the_filters_and_drop_the_blanks() {
        let req = actix_web::test::TestRequest::get()
            .uri("/dashboard/r/wachtlijst?productGroupCode=&municipalityCbs=GM0202&download=csv&table=rows")
            .to_http_request();
        assert_eq!(
            base(&req, "r", "wachtlijst"),
            "/dashboard/r/wachtlijst?municipalityCbs=GM0202"
        );
        let asked: WaitingListQuery = asked(&req).unwrap();
        assert_eq!(asked.product_group_code, None, "Alle is no filter");
        assert_eq!(asked.municipality_cbs.as_deref(), Some("GM0202"));
    }
}
