//! The dashboard's pages. Each loads through the JSON API's queries and
//! shapes (`routes::…::…Out`), so a page shows what the API answers.

use actix_web::{http::StatusCode, web, HttpRequest};
use chrono::{DateTime, Utc};
use domain::codes::CodeBook;
use entities::{
    schema::{
        budget_ceiling, budget_signal, contract_signal, indexation_proposal as proposal,
        indexation_run as run, job_run, monitoring_report as report, outflow_check, outflow_flag,
    },
    TenantEntity,
};
use maud::{html, Markup};
use rust_decimal::{prelude::ToPrimitive, Decimal};
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait};
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use super::{
    chart::{self, Series},
    download, html_response, json_rows, layout, sheet, table, Download, Frame, PageError,
    PageResult, Table, Viewer,
};
use crate::{
    auth::{Monitor, ReadJobs, ReadMonitor, ReadRegion},
    dutch as format,
    report_files::{self, Kind::*, Sheet},
    routes::{
        budget_ceilings::{self, BudgetSignalOut},
        compliance_checks::ContractSignalOut,
        indexation_runs::{self, RunOut},
        jobs::JobOut,
        outflow_checks::{FlagOut, OutflowCheckOut},
    },
    state::AppState,
};
use domain::report_requests::own_municipality;

/// What a page's address may ask: a download, a report, a run.
#[derive(Debug, Default, Deserialize)]
struct Args {
    download: Option<String>,
    table: Option<String>,
    report: Option<Uuid>,
    run: Option<Uuid>,
}

impl Args {
    fn of(req: &HttpRequest) -> Result<Self, PageError> {
        serde_urlencoded::from_str(req.query_string()).map_err(|_| {
            PageError::Status(StatusCode::BAD_REQUEST, "De vraag in het adres klopt niet.")
        })
    }

    fn download(&self) -> Download {
        Download {
            download: self.download.clone(),
            table: self.table.clone(),
        }
    }
}

fn decimal(v: &Value) -> f64 {
    report_files::decimal(v)
        .and_then(|d| d.to_f64())
        .unwrap_or(0.0)
}

/// An axis tick in whole euros. Ticks are chart geometry (`f64`, a round
/// bound from `chart::nice_max`), never money that is added up; the exact
/// amounts stand in the table beside the chart.
fn whole_euro_axis(v: f64) -> String {
    format::whole_euro(Decimal::from_f64_retain(v).unwrap_or_default())
}

fn count_axis(v: f64) -> String {
    format::count(v.round() as i64)
}

fn timestamp(t: &DateTime<Utc>) -> String {
    t.format("%d-%m-%Y %H:%M").to_string()
}

/// Either the requested download or the page.
fn respond(args: &Args, tables: &[&Table], title: &str, frame: &Frame, body: Markup) -> PageResult {
    match download(&args.download(), tables) {
        Some(file) => file,
        None => Ok(html_response(
            StatusCode::OK,
            layout(title, Some(frame), body),
        )),
    }
}

// ---------------------------------------------------------------- monitor

/// `GET /dashboard/{region}/monitor[?report=…]`: a monitoring report (the
/// newest of the region, or the one asked), its charts and every table.
pub async fn monitor(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer<ReadMonitor>,
) -> PageResult {
    let args = Args::of(&req)?;
    let auth = &viewer.auth;
    let own = own_municipality(&auth.party);
    let visible = report::Entity::scoped(&auth.scope).apply_if(own.clone(), |q, (id, _)| {
        q.filter(report::Column::MunicipalityId.eq(id))
    });
    let listed: Vec<(Uuid, chrono::NaiveDate, chrono::NaiveDate, Option<Uuid>)> = visible
        .clone()
        .filter(report::Column::Status.eq("done"))
        .select_only()
        .columns([
            report::Column::Id,
            report::Column::PeriodFrom,
            report::Column::PeriodTo,
            report::Column::MunicipalityId,
        ])
        .order_by_desc(report::Column::Id)
        .limit(36)
        .into_tuple()
        .all(&state.db)
        .await?;
    // The region's own report first (the office), else the newest.
    let chosen = match args.report {
        Some(id) => Some(id),
        None => listed
            .iter()
            .find(|r| r.3.is_none())
            .or(listed.first())
            .map(|r| r.0),
    };
    let found = match chosen {
        Some(id) => Some(
            visible
                .filter(report::Column::Id.eq(id))
                .one(&state.db)
                .await?
                .ok_or(crate::error::ApiError::NotFound)?,
        ),
        None => None,
    };
    let codes = CodeBook::load(&state.db, &auth.scope).await?;
    let frame = Frame::of(auth, "monitor");
    let ask = report_form(&auth.region.code);
    let Some(found) = found else {
        let body = html! {
            p { "Er is nog geen rapportage. Een rapportage wordt maandelijks gemaakt, of hier op verzoek." }
            (ask)
        };
        return respond(&args, &[], "Monitor", &frame, body);
    };
    if found.status != "done" {
        // Made by a job: the page asks again every two seconds (a meta
        // refresh, no script) until the report is done or failed.
        let failed = found.status == "failed";
        let body = html! {
            @if failed {
                p.problem role="alert" { "Deze rapportage is mislukt: " (found.error.clone().unwrap_or_default()) }
            } @else {
                meta http-equiv="refresh" content="2";
                p role="status" { "De rapportage over " (format::date(found.period_from)) " t/m "
                    (format::date(found.period_to)) " wordt gemaakt. Deze pagina ververst zichzelf." }
            }
            p { a href=(format!("/dashboard/{}/monitor", auth.region.code)) { "Naar de monitor" } }
        };
        return respond(&args, &[], "Monitor", &frame, body);
    }
    let content = found.content.clone().unwrap_or(Value::Null);
    let tables: Vec<Table> = report_files::SHEETS
        .iter()
        .map(|s| {
            Table::new(
                s,
                report_files::rows(&content, s.key)
                    .into_iter()
                    .cloned()
                    .collect(),
            )
        })
        .collect();
    let refs: Vec<&Table> = tables.iter().collect();
    let base = format!(
        "/dashboard/{}/monitor?report={}",
        auth.region.code, found.id
    );
    let whose = |m: Option<Uuid>| match m {
        Some(id) => codes.municipality(id),
        None => auth.region.name.clone(),
    };
    let body = html! {
        form.choose method="get" {
            label for="report" { "Rapportage" }
            select id="report" name="report" {
                @for (id, from, to, m) in &listed {
                    option value=(id) selected[*id == found.id] {
                        (whose(*m)) ": " (format::date(*from)) " t/m " (format::date(*to))
                    }
                }
            }
            button type="submit" { "Tonen" }
        }
        (ask)
        p.period data-report=(found.id) {
            "Periode " (format::date(found.period_from)) " t/m " (format::date(found.period_to))
            " · " (whose(found.municipality_id))
        }
        @for t in &tables {
            section aria-labelledby=(format!("kop-{}", t.sheet.key)) {
                h2 id=(format!("kop-{}", t.sheet.key)) { (t.sheet.title) }
                (monitor_chart(t))
                (table(t, &base))
            }
        }
    };
    respond(&args, &refs, "Monitor", &frame, body)
}

/// The form that asks for a new report over whole months.
fn report_form(region: &str) -> Markup {
    html! {
        form.choose.ask method="post" action=(format!("/dashboard/{region}/monitor")) {
            span { "Nieuwe rapportage" }
            label for="van" { "van (jjjj-mm)" }
            input id="van" name="from" required pattern="[0-9]{4}-[0-9]{2}" size="8" placeholder="2025-01";
            label for="tot" { "t/m (jjjj-mm)" }
            input id="tot" name="to" required pattern="[0-9]{4}-[0-9]{2}" size="8" placeholder="2025-12";
            button type="submit" { "Maken" }
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct ReportForm {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// `POST /dashboard/{region}/monitor`: asks for a report over whole months
/// (`from` and `to` as `jjjj-mm`) through the service the JSON API uses; a
/// municipality gets its own. Then shows it while it is made.
pub async fn ask_report(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer<ReadMonitor>,
    body: web::Bytes,
) -> PageResult {
    super::login::check_origin(&req)?;
    let auth = &viewer.auth;
    let form: ReportForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let month = |m: &str| {
        let m = m.trim();
        m.len() == 7 && format!("{m}-01").parse::<chrono::NaiveDate>().is_ok()
    };
    let problems: Vec<String> = [("van", &form.from), ("t/m", &form.to)]
        .into_iter()
        .filter(|(_, m)| !month(m))
        .map(|(label, m)| format!("{label}: geef een maand als jjjj-mm, niet {m:?}"))
        .collect();
    if !problems.is_empty() {
        return Err(PageError::Invalid(problems));
    }
    // A month as its first day, and the last day of the last month.
    let first = |m: &str| format!("{}-01", m.trim());
    let last = |m: &str| {
        format!("{}-01", m.trim())
            .parse::<chrono::NaiveDate>()
            .ok()
            .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
            .and_then(|d| d.pred_opt())
            .map(|d| d.to_string())
            .unwrap_or_else(|| m.to_owned())
    };
    let (from, to) = (first(&form.from), last(&form.to));
    let txn = entities::transaction::begin_write(&state.db).await?;
    let asked = domain::report_requests::ReportRequest {
        from: &from,
        to: &to,
        municipality_cbs: None,
    };
    let (saved, job) =
        domain::report_requests::request(&txn, &auth.scope, &auth.party, &auth.audit(), asked)
            .await?;
    state
        .queue
        .push_and_commit(&state.db, txn, job)
        .await
        .map_err(crate::error::ApiError::from)?;
    Ok(actix_web::HttpResponse::SeeOther()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!(
                "/dashboard/{}/monitor?report={}",
                auth.region.code, saved.id
            ),
        ))
        .finish())
}

/// The chart beside a report table, where people would rather look.
fn monitor_chart(t: &Table) -> Markup {
    let text = |row: &Value, key: &str| report_files::text(&row[key]);
    match t.sheet.key {
        "trends" => {
            let labels: Vec<String> = t
                .rows
                .iter()
                .map(|r| format::month(&text(r, "month")))
                .collect();
            let series = |name, class, key: &str| Series {
                name,
                class,
                values: t.rows.iter().map(|r| decimal(&r[key])).collect(),
            };
            html! {
                (chart::columns("uitgaven-per-maand", "Uitgaven per maand", &labels,
                    &[series("Wmo", "wmo", "wmoSpend"), series("Jeugdwet", "jeugd", "jeugdwetSpend")],
                    true, whole_euro_axis))
                (chart::columns("clienten-per-maand", "Cliënten per maand", &labels,
                    &[series("Cliënten", "clients", "clients")], true, count_axis))
                (chart::columns("in-en-uitstroom-per-maand", "In- en uitstroom per maand (goedgekeurde zorg)", &labels,
                    &[series("Instroom", "inflow", "inflow"), series("Uitstroom", "outflow", "outflow")], false, count_axis))
                @if t.rows.iter().any(|r| !r["hoursPerClient"].is_null()) {
                    (chart::columns("uren-per-client", "Uren per cliënt per maand", &labels,
                        &[series("Uren per cliënt", "clients", "hoursPerClient")], true, |v| format::number(Decimal::from_f64_retain(v).unwrap_or_default().round_dp(1))))
                }
            }
        }
        "productGroups" => chart::bars(
            "uitgaven-per-perceel",
            "Goedgekeurd bedrag per perceel",
            &t.rows
                .iter()
                .map(|r| {
                    let amount = report_files::decimal(&r["approvedAmount"]).unwrap_or_default();
                    (
                        text(r, "productGroup"),
                        decimal(&r["approvedAmount"]),
                        format::whole_euro(amount),
                    )
                })
                .collect::<Vec<_>>(),
            0.0,
        ),
        "municipalities" => {
            // Per inhabitant where the region keeps inhabitants, else in total.
            let per_inhabitant = t.rows.iter().any(|r| !r["spendPerInhabitant"].is_null());
            let (key, title, shown): (&str, &str, fn(Decimal) -> String) = if per_inhabitant {
                ("spendPerInhabitant", "Uitgaven per inwoner", format::euro)
            } else {
                ("spend", "Uitgaven per gemeente", format::whole_euro)
            };
            let rows: Vec<_> = t
                .rows
                .iter()
                .filter(|r| !r[key].is_null())
                .map(|r| {
                    let value = report_files::decimal(&r[key]).unwrap_or_default();
                    (text(r, "municipality"), decimal(&r[key]), shown(value))
                })
                .collect();
            chart::bars("uitgaven-per-gemeente", title, &rows, 0.0)
        }
        "clientFlows" => {
            // The flows of every group and municipality, per month.
            let mut months: std::collections::BTreeMap<String, [f64; 3]> = Default::default();
            for r in &t.rows {
                let sums = months.entry(text(r, "month")).or_default();
                for (i, key) in ["inflow", "outflow", "throughflow"].iter().enumerate() {
                    sums[i] += decimal(&r[*key]);
                }
            }
            let labels: Vec<String> = months.keys().map(|m| format::month(m)).collect();
            let series = |name, class, i: usize| Series {
                name,
                class,
                values: months.values().map(|v| v[i]).collect(),
            };
            chart::columns(
                "stromen-per-maand",
                "Stromen in cliënten per maand",
                &labels,
                &[
                    series("Instroom", "inflow", 0),
                    series("Uitstroom", "outflow", 1),
                    series("Doorstroom", "through", 2),
                ],
                false,
                count_axis,
            )
        }
        "waitingTimes" => chart::bars(
            "wachttijd-per-perceel",
            "Mediane wachttijd per perceel (dagen)",
            &t.rows
                .iter()
                .filter(|r| text(r, "dimension") == "product-group")
                .map(|r| {
                    let days = report_files::decimal(&r["medianDays"]).unwrap_or_default();
                    (
                        text(r, "code"),
                        decimal(&r["medianDays"]),
                        format::number(days),
                    )
                })
                .collect::<Vec<_>>(),
            0.0,
        ),
        _ => html! {},
    }
}

// --------------------------------------------------------------- ceilings

const CEILINGS: Sheet = sheet(
    "budgetCeilings",
    "budgetplafonds",
    "Budgetplafonds",
    &[
        ("year", "Jaar", Text),
        ("providerAgb", "AGB-code aanbieder", Text),
        ("productGroupCode", "Perceel", Text),
        ("municipalityCbs", "CBS-code gemeente", Text),
        ("amount", "Plafond", Euro),
        ("spent", "Besteed", Euro),
        ("usedPercent", "Benut", Percent),
        ("committed", "Toegezegd", Euro),
        ("forecastPercent", "Verwacht benut", Percent),
    ],
);

const BUDGET_SIGNALS: Sheet = sheet(
    "budgetSignals",
    "budgetsignalen",
    "Signalen",
    &[
        ("createdAt", "Gemeld op", Date),
        ("ceiling", "Plafond", Text),
        ("kind", "Soort", Label),
        ("levelPercent", "Drempel (%)", Count),
        ("spent", "Besteed", Euro),
    ],
);

/// `GET /dashboard/{region}/ceilings`: the ceilings with their use and the
/// signals of crossed alert levels.
pub async fn ceilings(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer<ReadRegion>,
) -> PageResult {
    let args = Args::of(&req)?;
    let auth = &viewer.auth;
    let limit = args.download().limit();
    let found = budget_ceiling::Entity::scoped(&auth.scope)
        .filter(auth.party.budget_ceilings())
        .order_by_desc(budget_ceiling::Column::Year)
        .order_by_asc(budget_ceiling::Column::Id)
        .limit(limit)
        .all(&state.db)
        .await?;
    let names = budget_ceilings::Names::load(&state.db, &auth.scope).await?;
    let mut out = Vec::with_capacity(found.len());
    for c in found {
        out.push(names.out(&state.db, &auth.scope, c).await?);
    }
    let ceilings = Table::new(&CEILINGS, json_rows(&out));
    // A ceiling as people name it: year, provider, group, municipality.
    let names: std::collections::HashMap<Uuid, String> = out
        .iter()
        .map(|c| {
            let groups = c.product_group_codes.as_ref().map(|codes| codes.join("+"));
            let parts = [
                c.provider_agb.as_deref(),
                groups.as_deref(),
                c.municipality_cbs.as_deref(),
            ];
            let scope: Vec<&str> = parts.into_iter().flatten().collect();
            let scope = if scope.is_empty() {
                "regio".to_owned()
            } else {
                scope.join(" · ")
            };
            (c.id, format!("{} {scope}", c.year))
        })
        .collect();
    // Signals are the office's (as `GET …/budget-signals`).
    let signals = if <crate::auth::ManageContracts as crate::auth::Permission>::ROLES
        .contains(&auth.claims.role)
    {
        let rows = budget_signal::Entity::scoped(&auth.scope)
            .order_by_desc(budget_signal::Column::Id)
            .limit(limit)
            .all(&state.db)
            .await?;
        let mut rows = json_rows(rows.into_iter().map(BudgetSignalOut::from));
        for row in &mut rows {
            let id = row["budgetCeilingId"]
                .as_str()
                .and_then(|id| id.parse().ok());
            row["ceiling"] = id.and_then(|id| names.get(&id)).cloned().into();
        }
        Some(Table::new(&BUDGET_SIGNALS, rows))
    } else {
        None
    };
    let base = format!("/dashboard/{}/ceilings", auth.region.code);
    let bars: Vec<(String, f64, String)> = out
        .iter()
        .take(40)
        .map(|c| {
            let label = names.get(&c.id).cloned().unwrap_or_default();
            (
                label,
                c.used_percent.to_f64().unwrap_or(0.0),
                format::percent(c.used_percent),
            )
        })
        .collect();
    let body = html! {
        section aria-labelledby="kop-plafonds" {
            h2 id="kop-plafonds" { "Benutting" }
            (chart::bars("benutting", "Benut deel van elk plafond", &bars, 100.0))
            (table(&ceilings, &base))
        }
        @if let Some(signals) = &signals {
            section aria-labelledby="kop-signalen" {
                h2 id="kop-signalen" { "Signalen" }
                (table(signals, &base))
            }
        }
    };
    let mut tables = vec![&ceilings];
    tables.extend(signals.as_ref());
    respond(
        &args,
        &tables,
        "Budgetplafonds",
        &Frame::of(auth, "ceilings"),
        body,
    )
}

// -------------------------------------------------------------- contracts

const CONTRACT_SIGNALS: Sheet = sheet(
    "contractSignals",
    "contractsignalen",
    "Contractsignalen",
    &[
        ("dueOn", "Datum", Date),
        ("kind", "Soort", Label),
        ("providerAgb", "AGB-code aanbieder", Text),
        ("detail", "Toelichting", Text),
    ],
);

const OUTFLOW_FLAGS: Sheet = sheet(
    "outflowFlags",
    "uitstroom",
    "Onder de drempel",
    &[
        ("providerAgb", "AGB-code aanbieder", Text),
        ("productGroupCode", "Perceel", Text),
        ("municipalityCbs", "CBS-code gemeente", Text),
        ("clients", "Cliënten", Count),
        ("threshold", "Drempel", Count),
        ("verdict", "Oordeel", Label),
    ],
);

/// `GET /dashboard/{region}/contracts`: contracts ending and other signals
/// of the daily watch, and the flags of the newest outflow check.
pub async fn contracts(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer<Monitor>,
) -> PageResult {
    let args = Args::of(&req)?;
    let auth = &viewer.auth;
    let limit = args.download().limit();
    let codes = CodeBook::load(&state.db, &auth.scope).await?;
    let signals = contract_signal::Entity::scoped(&auth.scope)
        .order_by_asc(contract_signal::Column::DueOn)
        .order_by_asc(contract_signal::Column::Id)
        .limit(limit)
        .all(&state.db)
        .await?;
    let signals = Table::new(
        &CONTRACT_SIGNALS,
        json_rows(
            signals
                .into_iter()
                .map(|s| ContractSignalOut::of(s, &codes)),
        ),
    );
    let check = outflow_check::Entity::scoped(&auth.scope)
        .filter(outflow_check::Column::Status.eq("done"))
        .order_by_desc(outflow_check::Column::Id)
        .one(&state.db)
        .await?
        .map(OutflowCheckOut::from);
    let flags = match &check {
        Some(check) => {
            outflow_flag::Entity::scoped(&auth.scope)
                .filter(outflow_flag::Column::CheckId.eq(check.id))
                .filter(auth.party.outflow_flags())
                .filter(outflow_flag::Column::Verdict.is_in(["zero-clients", "below-threshold"]))
                .order_by_asc(outflow_flag::Column::Id)
                .limit(limit)
                .all(&state.db)
                .await?
        }
        None => Vec::new(),
    };
    let flags = Table::new(
        &OUTFLOW_FLAGS,
        json_rows(flags.into_iter().map(|f| FlagOut::of(f, &codes))),
    );
    let ending = signals
        .rows
        .iter()
        .filter(|r| r["kind"] == "contract-ending")
        .count();
    let base = format!("/dashboard/{}/contracts", auth.region.code);
    let body = html! {
        section aria-labelledby="kop-signalen" {
            h2 id="kop-signalen" { "Signalen van de dagelijkse contractbewaking" }
            p { (format::count(ending as i64)) " contract(en) lopen af met toewijzingen die doorlopen." }
            (table(&signals, &base))
        }
        section aria-labelledby="kop-uitstroom" {
            h2 id="kop-uitstroom" { "Uitstroom (drempels)" }
            @match &check {
                Some(c) => p { "Toets van " (format::date(c.as_of)) " over " (format::date(c.window_from))
                    " t/m " (format::date(c.window_to)) ": " (format::count(c.flagged_count.into()))
                    " van " (format::count(c.checked_count.into())) " onder de drempel." },
                None => p { "Er is nog geen uitstroomtoets gedaan." },
            }
            (table(&flags, &base))
        }
    };
    respond(
        &args,
        &[&signals, &flags],
        "Contracten en uitstroom",
        &Frame::of(auth, "contracts"),
        body,
    )
}

// ------------------------------------------------------------- indexation

const RUNS: Sheet = sheet(
    "indexationRuns",
    "indexatieronden",
    "Indexatieronden",
    &[
        ("year", "Jaar", Text),
        ("status", "Stand", Label),
        ("proposedCount", "Voorstellen", Count),
        ("skippedCount", "Overgeslagen", Count),
        ("requestedBy", "Gevraagd door", Text),
        ("approvedBy", "Goedgekeurd door", Text),
        ("createdAt", "Gemaakt op", Date),
    ],
);

const PROPOSALS: Sheet = sheet(
    "proposals",
    "indexatievoorstellen",
    "Voorstellen",
    &[
        ("productCode", "Productcode", Text),
        ("productGroupCode", "Perceel", Text),
        ("providerAgb", "AGB-code aanbieder", Text),
        ("municipalityCbs", "CBS-code gemeente", Text),
        ("oldPrice", "Oude prijs", Euro),
        ("newPrice", "Nieuwe prijs", Euro),
        ("indexPercent", "Index", Percent),
        ("status", "Stand", Label),
        ("skipReason", "Reden", Label),
    ],
);

/// `GET /dashboard/{region}/indexation[?run=…]`: the runs, and the
/// proposals of the newest run (or the one asked).
pub async fn indexation(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer<ReadRegion>,
) -> PageResult {
    let args = Args::of(&req)?;
    let auth = &viewer.auth;
    let limit = args.download().limit();
    let runs: Vec<RunOut> = run::Entity::scoped(&auth.scope)
        .order_by_desc(run::Column::Id)
        .limit(100)
        .all(&state.db)
        .await?
        .into_iter()
        .map(RunOut::from)
        .collect();
    let chosen = match args.run {
        Some(id) => Some(
            indexation_runs::find_run(&state.db, &auth.scope, id)
                .await?
                .id,
        ),
        None => runs.first().map(|r| r.id),
    };
    let proposals = match chosen {
        Some(id) => {
            let names = indexation_runs::Names::load(&state.db, &auth.scope).await?;
            proposal::Entity::scoped(&auth.scope)
                .filter(proposal::Column::RunId.eq(id))
                .filter(auth.party.indexation_proposals())
                .order_by_asc(proposal::Column::Id)
                .limit(limit)
                .all(&state.db)
                .await?
                .into_iter()
                .map(|p| names.out(p))
                .collect()
        }
        None => Vec::new(),
    };
    let base = match chosen {
        Some(id) => format!("/dashboard/{}/indexation?run={id}", auth.region.code),
        None => format!("/dashboard/{}/indexation", auth.region.code),
    };
    let runs_table = Table::new(&RUNS, json_rows(&runs));
    let proposals = Table::new(&PROPOSALS, json_rows(&proposals));
    let body = html! {
        section aria-labelledby="kop-ronden" {
            h2 id="kop-ronden" { "Ronden" }
            (table(&runs_table, &base))
            @if runs.len() > 1 {
                ul.runs { @for r in &runs {
                    li { a href=(format!("/dashboard/{}/indexation?run={}", auth.region.code, r.id))
                        aria-current=[(Some(r.id) == chosen).then_some("true")] {
                        "Ronde " (r.year) " van " (timestamp(&r.created_at)) " (" (r.status) ")" } }
                } }
            }
        }
        section aria-labelledby="kop-voorstellen" {
            h2 id="kop-voorstellen" { "Voorstellen" @if let Some(r) = runs.iter().find(|r| Some(r.id) == chosen) { " voor " (r.year) } }
            (table(&proposals, &base))
        }
    };
    respond(
        &args,
        &[&runs_table, &proposals],
        "Indexatie",
        &Frame::of(auth, "indexation"),
        body,
    )
}

// ------------------------------------------------------------------- jobs

const JOBS: Sheet = sheet(
    "jobs",
    "taken",
    "Taken",
    &[
        ("kind", "Soort", Label),
        ("status", "Stand", Label),
        ("progress", "Voortgang (%)", Count),
        ("createdAt", "Gemaakt op", Date),
        ("startedAt", "Begonnen", Date),
        ("finishedAt", "Klaar", Date),
        ("error", "Fout", Text),
    ],
);

/// `GET /dashboard/{region}/jobs`: the background jobs and their progress.
pub async fn jobs(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer<ReadJobs>,
) -> PageResult {
    let args = Args::of(&req)?;
    let auth = &viewer.auth;
    let found: Vec<JobOut> = job_run::Entity::scoped(&auth.scope)
        .order_by_desc(job_run::Column::Id)
        .limit(args.download().limit())
        .all(&state.db)
        .await?
        .into_iter()
        .map(JobOut::from)
        .collect();
    let running: Vec<&JobOut> = found.iter().filter(|j| j.finished_at.is_none()).collect();
    let jobs = Table::new(&JOBS, json_rows(&found));
    let base = format!("/dashboard/{}/jobs", auth.region.code);
    let body = html! {
        section aria-labelledby="kop-lopend" {
            h2 id="kop-lopend" { "Lopend" }
            @if running.is_empty() { p { "Er loopt nu geen taak." } }
            @for j in &running {
                p.progress {
                    label for=(format!("taak-{}", j.id)) { (j.kind) " (" (timestamp(&j.created_at)) ")" }
                    progress id=(format!("taak-{}", j.id)) max="100" value=(j.progress) { (j.progress) "%" }
                }
            }
        }
        section aria-labelledby="kop-taken" {
            h2 id="kop-taken" { "Alle taken" }
            (table(&jobs, &base))
        }
    };
    respond(&args, &[&jobs], "Taken", &Frame::of(auth, "jobs"), body)
}
