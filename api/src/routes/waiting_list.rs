//! `…/waiting-list`: who waits now for care to start (issue 28), with the
//! days waited against the group's waiting norm and totals per product
//! group, municipality and provider. An access team sees its
//! municipality's clients, a provider its own; the office, the central
//! access team and auditors see all.

use chrono::NaiveDate;
use domain::steering::{
    waiting_list::{self, Filter, Total, Waiting, WaitingList},
    Named,
};
use rust_decimal::Decimal;

use super::{
    prelude::*,
    reports::FileBytes,
    tables::{self, TableFormat},
};
use crate::report_files::{Kind::*, Sheet};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct WaitingListQuery {
    /// The day the list is drawn up for (default today, UTC).
    #[param(value_type = Option<NaiveDate>)]
    pub as_of: Option<String>,
    /// Only this product group's allocations.
    #[param(pattern = "^[A-Za-z0-9_-]{1,32}$")]
    pub product_group_code: Option<String>,
    /// Only this municipality's allocations.
    #[param(pattern = "^GM[0-9]{4}$")]
    pub municipality_cbs: Option<String>,
    /// Only this provider's allocations.
    #[param(pattern = "^[0-9]{8}$")]
    pub provider_agb: Option<String>,
}

/// A client waiting for care to start.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WaitingOut {
    pub allocation_number: i64,
    pub municipality_cbs: String,
    pub municipality_name: String,
    pub product_group_code: String,
    pub product_group_name: String,
    pub product_code: String,
    pub product_name: String,
    pub provider_agb: String,
    pub provider_name: String,
    /// The allocation date: the day the allocation was recorded (UTC), as
    /// in the report's waiting times.
    pub allocated_on: NaiveDate,
    /// `asOf` minus `allocatedOn`.
    pub days_waited: i64,
    /// The waiting norm of the group (its own `waiting-norm` policy, else
    /// the region's); null without one.
    pub norm_days: Option<u32>,
    /// More days waited than the norm (exactly the norm is within it).
    pub over_norm: bool,
}

impl From<Waiting> for WaitingOut {
    fn from(w: Waiting) -> Self {
        Self {
            allocation_number: w.allocation_number,
            municipality_cbs: w.municipality.code,
            municipality_name: w.municipality.name,
            product_group_code: w.product_group.code,
            product_group_name: w.product_group.name,
            product_code: w.product.code,
            product_name: w.product.name,
            provider_agb: w.provider.code,
            provider_name: w.provider.name,
            allocated_on: w.allocated_on,
            days_waited: w.days_waited,
            norm_days: w.norm_days,
            over_norm: w.over_norm,
        }
    }
}

/// The figures of one part of the list.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WaitingTotalsOut {
    /// Clients waiting.
    pub waiting: usize,
    /// Of whom past the norm.
    pub over_norm: usize,
    pub longest_days: i64,
    /// The middle wait, or the mean of the two middle ones.
    #[schema(value_type = String, example = "31.5")]
    pub median_days: Decimal,
}

fn totals_out(t: &Total) -> WaitingTotalsOut {
    WaitingTotalsOut {
        waiting: t.totals.waiting,
        over_norm: t.totals.over_norm,
        longest_days: t.totals.longest_days,
        median_days: t.totals.median_days,
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupWaitingOut {
    pub product_group_code: String,
    pub product_group_name: String,
    #[serde(flatten)]
    pub totals: WaitingTotalsOut,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MunicipalityWaitingOut {
    pub municipality_cbs: String,
    pub municipality_name: String,
    #[serde(flatten)]
    pub totals: WaitingTotalsOut,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProviderWaitingOut {
    pub provider_agb: String,
    pub provider_name: String,
    #[serde(flatten)]
    pub totals: WaitingTotalsOut,
}

/// Who waits on `asOf`, longest first, and the totals.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WaitingListOut {
    pub as_of: NaiveDate,
    /// Clients waiting on `asOf` (in this view).
    pub waiting: usize,
    /// Of whom past their group's norm.
    pub over_norm: usize,
    pub rows: Vec<WaitingOut>,
    pub product_groups: Vec<GroupWaitingOut>,
    pub municipalities: Vec<MunicipalityWaitingOut>,
    pub providers: Vec<ProviderWaitingOut>,
}

impl From<WaitingList> for WaitingListOut {
    fn from(list: WaitingList) -> Self {
        let named = |t: &Total| -> (Named, WaitingTotalsOut) { (t.of.clone(), totals_out(t)) };
        Self {
            as_of: list.as_of,
            waiting: list.rows.len(),
            over_norm: list.rows.iter().filter(|w| w.over_norm).count(),
            product_groups: list
                .product_groups
                .iter()
                .map(named)
                .map(|(of, totals)| GroupWaitingOut {
                    product_group_code: of.code,
                    product_group_name: of.name,
                    totals,
                })
                .collect(),
            municipalities: list
                .municipalities
                .iter()
                .map(named)
                .map(|(of, totals)| MunicipalityWaitingOut {
                    municipality_cbs: of.code,
                    municipality_name: of.name,
                    totals,
                })
                .collect(),
            providers: list
                .providers
                .iter()
                .map(named)
                .map(|(of, totals)| ProviderWaitingOut {
                    provider_agb: of.code,
                    provider_name: of.name,
                    totals,
                })
                .collect(),
            rows: list.rows.into_iter().map(WaitingOut::from).collect(),
        }
    }
}

const TOTALS: [(&str, &str, crate::report_files::Kind); 4] = [
    ("waiting", "Wachtenden", Count),
    ("overNorm", "Boven de norm", Count),
    ("longestDays", "Langste wachttijd (dagen)", Count),
    ("medianDays", "Mediane wachttijd (dagen)", Number),
];

pub static ROWS: Sheet = Sheet {
    key: "rows",
    file: "waiting-list",
    title: "Wachtlijst",
    columns: &[
        ("allocationNumber", "Toewijzingsnummer", Text),
        ("municipalityCbs", "CBS-code", Text),
        ("municipalityName", "Gemeente", Text),
        ("productGroupCode", "Perceelcode", Text),
        ("productGroupName", "Perceel", Text),
        ("productCode", "Productcode", Text),
        ("productName", "Product", Text),
        ("providerAgb", "AGB-code", Text),
        ("providerName", "Aanbieder", Text),
        ("allocatedOn", "Toegewezen op", Date),
        ("daysWaited", "Dagen gewacht", Count),
        ("normDays", "Wachtnorm (dagen)", Count),
        ("overNorm", "Boven de norm", Text),
    ],
};

pub static GROUPS: Sheet = Sheet {
    key: "productGroups",
    file: "per-product-group",
    title: "Per perceel",
    columns: &[
        ("productGroupCode", "Perceelcode", Text),
        ("productGroupName", "Perceel", Text),
        TOTALS[0],
        TOTALS[1],
        TOTALS[2],
        TOTALS[3],
    ],
};

pub static MUNICIPALITIES: Sheet = Sheet {
    key: "municipalities",
    file: "per-municipality",
    title: "Per gemeente",
    columns: &[
        ("municipalityCbs", "CBS-code", Text),
        ("municipalityName", "Gemeente", Text),
        TOTALS[0],
        TOTALS[1],
        TOTALS[2],
        TOTALS[3],
    ],
};

pub static PROVIDERS: Sheet = Sheet {
    key: "providers",
    file: "per-provider",
    title: "Per aanbieder",
    columns: &[
        ("providerAgb", "AGB-code", Text),
        ("providerName", "Aanbieder", Text),
        TOTALS[0],
        TOTALS[1],
        TOTALS[2],
        TOTALS[3],
    ],
};

/// The live waiting list: every allocation in force on `asOf` whose care
/// has not started (no start or end reported on or before it, no approved
/// declaration from a day on or before it), with the days its client
/// waited and the group's waiting norm; totals per product group,
/// municipality and provider. An access team or municipality user sees its
/// municipality's clients, a provider its own.
#[utoipa::path(
    tag = "steering",
    params(("regionCode" = String, Path, description = "Region code"), WaitingListQuery, TableFormat),
    responses(
        (status = 200, description = tables::FORMATS_DESCRIPTION, content(
            (WaitingListOut = "application/json"),
            (inline(FileBytes) = "application/zip"),
            (inline(FileBytes) = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 400, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/waiting-list")]
pub async fn get_waiting_list(
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    query: web::Query<WaitingListQuery>,
    format: web::Query<TableFormat>,
) -> ApiResult<HttpResponse> {
    let list = load(&state, &auth, &query, &format).await?;
    tables::answer(
        &format,
        &format!("wachtlijst-{}", list.as_of),
        &list,
        &SHEETS,
    )
}

/// The list's tables, in the order of the files.
pub static SHEETS: [&Sheet; 4] = [&ROWS, &GROUPS, &MUNICIPALITIES, &PROVIDERS];

/// The list `query` asks for, as the caller's party sees it: the API's
/// answer and the dashboard's page. A bad field (`format` among them) is a
/// 400 naming each.
pub async fn load<P: Permission>(
    state: &AppState,
    auth: &Scoped<P>,
    query: &WaitingListQuery,
    format: &TableFormat,
) -> ApiResult<WaitingListOut> {
    let mut check = Check::new();
    let as_of = check.optional_date("asOf", query.as_of.as_deref());
    if let Some(code) = &query.product_group_code {
        check.code("productGroupCode", code, 32);
    }
    if let Some(cbs) = &query.municipality_cbs {
        check.cbs_code("municipalityCbs", cbs);
    }
    if let Some(agb) = &query.provider_agb {
        check.digits("providerAgb", agb, 8);
    }
    format.check(&mut check);
    let as_of = check
        .done(as_of)?
        .unwrap_or_else(|| entities::clock::now().date_naive());
    let filter = Filter {
        product_group_code: query.product_group_code.clone(),
        municipality_cbs: query.municipality_cbs.clone(),
        provider_agb: query.provider_agb.clone(),
    };
    let list =
        waiting_list::waiting_list(&state.db, &auth.scope, &auth.party, as_of, &filter).await?;
    Ok(WaitingListOut::from(list))
}
