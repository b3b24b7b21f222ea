//! `…/turning-18`: youth care ends at 18 and must go on under the Wmo
//! without a gap (`domain::steering::turning_18`). The birth date stays in
//! the client vault: the answer names only the month.

use chrono::NaiveDate;
use domain::steering::turning_18::{self as service, Row, Totals, Turning18};

use super::{
    prelude::*,
    reports::FileBytes,
    tables::{self, TableFormat},
};
use crate::report_files::{
    Kind::{Count, Date, Text},
    Sheet,
};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct Turning18Query {
    /// Months ahead, counted from asOf's month (month 0): clients turning
    /// 18 in month 0 to this month are listed. 1 to 60, default 18.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 60, default = 18)]
    pub horizon_months: Option<String>,
    /// The day the allocations are in force on; default today.
    #[param(value_type = Option<NaiveDate>)]
    pub as_of: Option<String>,
}

/// A Jeugdwet allocation whose client turns 18 within the horizon.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Turning18Out {
    pub allocation_number: i64,
    /// The month the client turns 18 (`YYYY-MM`); the birth date itself is
    /// never shown.
    #[schema(example = "2028-06")]
    pub turns_18_in: String,
    /// Months from asOf's month to that month (0 = asOf's month).
    pub months_left: i64,
    pub municipality_cbs: String,
    pub municipality_name: String,
    pub provider_agb: String,
    pub provider_name: String,
    pub product_code: String,
    pub product_name: String,
    pub product_group_code: String,
    pub product_group_name: String,
    /// The allocation's last day (its end date, or its stop when earlier).
    pub end_date: Option<NaiveDate>,
    /// Whether a Wmo allocation of the client (any in the region, not
    /// removed) follows: one that starts by the last day of the month after
    /// the month of 18 and has not ended before the month of 18 began.
    pub wmo_follows: bool,
}

/// Counts of clients.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Turning18TotalsOut {
    /// Listed allocations.
    pub allocations: usize,
    /// Clients turning 18 within the horizon.
    pub clients: usize,
    /// Of those, clients no Wmo allocation follows yet.
    pub without_wmo: usize,
    /// Clients with a Jeugdwet allocation in force whose birth date is not
    /// known (no 301 or JSON `client` gave it): counted, not listed.
    pub without_birth_date: usize,
    /// Clients with a Jeugdwet allocation in force who turned 18 before
    /// asOf's month (youth care may run on to 23).
    pub past_eighteen: usize,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Turning18ListOut {
    pub as_of: NaiveDate,
    pub horizon_months: i64,
    /// By months left, then allocation number.
    pub allocations: Vec<Turning18Out>,
    pub totals: Turning18TotalsOut,
}

impl From<Row> for Turning18Out {
    fn from(r: Row) -> Self {
        Self {
            allocation_number: r.allocation_number,
            turns_18_in: r.turns_18_in,
            months_left: r.months_left,
            municipality_cbs: r.municipality_cbs,
            municipality_name: r.municipality_name,
            provider_agb: r.provider_agb,
            provider_name: r.provider_name,
            product_code: r.product_code,
            product_name: r.product_name,
            product_group_code: r.product_group_code,
            product_group_name: r.product_group_name,
            end_date: r.end_date,
            wmo_follows: r.wmo_follows,
        }
    }
}

impl From<Totals> for Turning18TotalsOut {
    fn from(t: Totals) -> Self {
        Self {
            allocations: t.allocations,
            clients: t.clients,
            without_wmo: t.without_wmo,
            without_birth_date: t.without_birth_date,
            past_eighteen: t.past_eighteen,
        }
    }
}

impl From<Turning18> for Turning18ListOut {
    fn from(t: Turning18) -> Self {
        Self {
            as_of: t.as_of,
            horizon_months: t.horizon_months,
            allocations: t.allocations.into_iter().map(Into::into).collect(),
            totals: t.totals.into(),
        }
    }
}

pub const ALLOCATIONS: Sheet = Sheet {
    key: "allocations",
    file: "turning-18",
    title: "Naar 18 jaar",
    columns: &[
        ("allocationNumber", "Toewijzing", Text),
        ("turns18In", "Wordt 18 in", Text),
        ("monthsLeft", "Maanden te gaan", Count),
        ("municipalityCbs", "Gemeente", Text),
        ("municipalityName", "Naam gemeente", Text),
        ("providerAgb", "AGB-code aanbieder", Text),
        ("providerName", "Aanbieder", Text),
        ("productCode", "Product", Text),
        ("productGroupCode", "Perceel", Text),
        ("endDate", "Einde toewijzing", Date),
        ("wmoFollows", "Wmo volgt", Text),
    ],
};

pub const TOTALS: Sheet = Sheet {
    key: "totals",
    file: "turning-18-totals",
    title: "Totalen",
    columns: &[
        ("allocations", "Toewijzingen", Count),
        ("clients", "Cliënten", Count),
        ("withoutWmo", "Zonder Wmo-vervolg", Count),
        ("withoutBirthDate", "Geboortedatum onbekend", Count),
        ("pastEighteen", "Al 18 of ouder", Count),
    ],
};

/// Youth turning 18: the Jeugdwet allocations in force on `asOf` whose
/// client turns 18 within `horizonMonths`, with the month they turn 18
/// (never the birth date) and whether a Wmo allocation follows. Clients
/// without a known birth date are counted, not listed. An access team sees
/// its municipality's allocations, a provider its own; the office, the
/// central access team and auditors all.
#[utoipa::path(
    tag = "steering",
    params(("regionCode" = String, Path, description = "Region code"), Turning18Query, TableFormat),
    responses(
        (status = 200, description = tables::FORMATS_DESCRIPTION, content(
            (Turning18ListOut = "application/json"),
            (inline(FileBytes) = "application/zip"),
            (inline(FileBytes) = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/turning-18")]
pub async fn list_turning_18(
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    query: web::Query<Turning18Query>,
    format: web::Query<TableFormat>,
) -> ApiResult<HttpResponse> {
    let found = load(&state, &auth, &query, &format).await?;
    tables::answer(&format, "turning-18", &found, &SHEETS)
}

/// The tables of youth turning 18, in the order of the files.
pub const SHEETS: [&Sheet; 2] = [&ALLOCATIONS, &TOTALS];

/// The youth `query` asks for, as the caller's party sees them: the API's
/// answer and the dashboard's page.
pub async fn load<P: Permission>(
    state: &AppState,
    auth: &Scoped<P>,
    query: &Turning18Query,
    format: &TableFormat,
) -> ApiResult<Turning18ListOut> {
    let mut check = Check::new();
    let horizon = match query.horizon_months.as_deref() {
        None => service::DEFAULT_HORIZON,
        Some(text) => text.trim().parse().unwrap_or(0),
    };
    check.require(
        service::HORIZON.contains(&horizon),
        "horizonMonths",
        "must be a whole number from 1 to 60",
    );
    format.check(&mut check);
    let as_of = match query.as_of.as_deref() {
        Some(text) => check.date("asOf", text),
        None => Some(entities::clock::now().date_naive()),
    };
    let as_of = check.done(as_of)?;
    let found = service::list(
        &state.db,
        &auth.scope,
        &auth.party,
        &state.config.data_keys,
        as_of,
        horizon,
    )
    .await?;
    Ok(Turning18ListOut::from(found))
}
