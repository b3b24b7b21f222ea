//! `…/care-overlaps`: stacked care (seed 002 Bijlage 3, seed 003 §2), two
//! allocations of one client in one product group sharing days, at two
//! providers or for the same product twice (`domain::steering::care_overlaps`).

use chrono::NaiveDate;
use domain::steering::care_overlaps::{self as service, Filter, GroupTotal, Overlaps, Pair};
use entities::steering::care_overlaps::Stacking;

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
pub struct CareOverlapQuery {
    /// Pairs whose overlap runs on this day or later; default today.
    #[param(value_type = Option<NaiveDate>)]
    pub as_of: Option<String>,
    /// Only pairs of this product group.
    #[param(pattern = "^[A-Za-z0-9_-]{1,32}$")]
    pub product_group_code: Option<String>,
    /// Only pairs with either allocation in this municipality.
    #[param(pattern = "^GM[0-9]{4}$")]
    pub municipality_cbs: Option<String>,
}

/// A stacked pair, the lower allocation number first (`allocation…`), the
/// other second (`other…`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CareOverlapOut {
    /// `different-providers`, or `same-product` at one provider.
    pub kind: Stacking,
    pub product_group_code: String,
    pub product_group_name: String,
    /// The first shared day.
    pub overlap_from: NaiveDate,
    /// The last shared day; null while both run on.
    pub overlap_to: Option<NaiveDate>,
    /// Shared days, both ends counted; null while both run on.
    pub days: Option<i64>,
    pub allocation_number: i64,
    pub provider_agb: String,
    pub provider_name: String,
    pub product_code: String,
    pub product_name: String,
    pub municipality_cbs: String,
    pub municipality_name: String,
    pub start_date: NaiveDate,
    /// The allocation's last day (its end date, or its stop when earlier).
    pub end_date: Option<NaiveDate>,
    pub other_allocation_number: i64,
    pub other_provider_agb: String,
    pub other_provider_name: String,
    pub other_product_code: String,
    pub other_product_name: String,
    pub other_municipality_cbs: String,
    pub other_municipality_name: String,
    pub other_start_date: NaiveDate,
    pub other_end_date: Option<NaiveDate>,
}

/// The pairs of one product group.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CareOverlapGroupOut {
    pub product_group_code: String,
    pub product_group_name: String,
    pub pairs: usize,
    pub clients: usize,
}

/// Stacked care on a day.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CareOverlapsOut {
    pub as_of: NaiveDate,
    pub pairs: Vec<CareOverlapOut>,
    /// Pairs and clients per product group.
    pub groups: Vec<CareOverlapGroupOut>,
    pub total_pairs: usize,
    /// Clients with at least one stacked pair.
    pub clients: usize,
}

impl From<Pair> for CareOverlapOut {
    fn from(p: Pair) -> Self {
        let (a, b) = (p.first, p.second);
        Self {
            kind: p.kind,
            product_group_code: p.product_group_code,
            product_group_name: p.product_group_name,
            overlap_from: p.overlap_from,
            overlap_to: p.overlap_to,
            days: p.days,
            allocation_number: a.allocation_number,
            provider_agb: a.provider_agb,
            provider_name: a.provider_name,
            product_code: a.product_code,
            product_name: a.product_name,
            municipality_cbs: a.municipality_cbs,
            municipality_name: a.municipality_name,
            start_date: a.start_date,
            end_date: a.end_date,
            other_allocation_number: b.allocation_number,
            other_provider_agb: b.provider_agb,
            other_provider_name: b.provider_name,
            other_product_code: b.product_code,
            other_product_name: b.product_name,
            other_municipality_cbs: b.municipality_cbs,
            other_municipality_name: b.municipality_name,
            other_start_date: b.start_date,
            other_end_date: b.end_date,
        }
    }
}

impl From<GroupTotal> for CareOverlapGroupOut {
    fn from(g: GroupTotal) -> Self {
        Self {
            product_group_code: g.product_group_code,
            product_group_name: g.product_group_name,
            pairs: g.pairs,
            clients: g.clients,
        }
    }
}

impl From<Overlaps> for CareOverlapsOut {
    fn from(o: Overlaps) -> Self {
        Self {
            as_of: o.as_of,
            pairs: o.pairs.into_iter().map(Into::into).collect(),
            groups: o.groups.into_iter().map(Into::into).collect(),
            total_pairs: o.total_pairs,
            clients: o.clients,
        }
    }
}

pub const PAIRS: Sheet = Sheet {
    key: "pairs",
    file: "care-overlaps",
    title: "Stapeling van zorg",
    columns: &[
        ("productGroupCode", "Perceel", Text),
        ("productGroupName", "Naam perceel", Text),
        ("kind", "Soort", Text),
        ("overlapFrom", "Overlap vanaf", Date),
        ("overlapTo", "Overlap tot en met", Date),
        ("days", "Dagen", Count),
        ("allocationNumber", "Toewijzing", Text),
        ("providerAgb", "AGB-code aanbieder", Text),
        ("providerName", "Aanbieder", Text),
        ("productCode", "Product", Text),
        ("municipalityCbs", "Gemeente", Text),
        ("municipalityName", "Naam gemeente", Text),
        ("startDate", "Begin", Date),
        ("endDate", "Einde", Date),
        ("otherAllocationNumber", "Andere toewijzing", Text),
        ("otherProviderAgb", "AGB-code andere aanbieder", Text),
        ("otherProviderName", "Andere aanbieder", Text),
        ("otherProductCode", "Ander product", Text),
        ("otherMunicipalityCbs", "Andere gemeente", Text),
        ("otherMunicipalityName", "Naam andere gemeente", Text),
        ("otherStartDate", "Begin andere", Date),
        ("otherEndDate", "Einde andere", Date),
    ],
};

pub const GROUPS: Sheet = Sheet {
    key: "groups",
    file: "care-overlap-groups",
    title: "Stapeling per perceel",
    columns: &[
        ("productGroupCode", "Perceel", Text),
        ("productGroupName", "Naam perceel", Text),
        ("pairs", "Paren", Count),
        ("clients", "Cliënten", Count),
    ],
};

/// Stacked care: pairs of allocations of one client in one product group
/// that share days, at two providers or for the same product at one
/// (two different products of a group at one provider are a combined
/// arrangement, not stacked). Removed allocations never count; a stopped
/// one ends on its stop. Lists the pairs whose overlap runs on `asOf` or
/// later. A provider sees the pairs of which both allocations are its own,
/// an access team those of which both are its municipality's; the office,
/// the central access team and auditors all.
#[utoipa::path(
    tag = "steering",
    params(("regionCode" = String, Path, description = "Region code"), CareOverlapQuery, TableFormat),
    responses(
        (status = 200, description = tables::FORMATS_DESCRIPTION, content(
            (CareOverlapsOut = "application/json"),
            (inline(FileBytes) = "application/zip"),
            (inline(FileBytes) = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/care-overlaps")]
pub async fn list_care_overlaps(
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    query: web::Query<CareOverlapQuery>,
    format: web::Query<TableFormat>,
) -> ApiResult<HttpResponse> {
    let found = load(&state, &auth, &query, &format).await?;
    tables::answer(&format, "care-overlaps", &found, &SHEETS)
}

/// The tables of stacked care, in the order of the files.
pub const SHEETS: [&Sheet; 2] = [&PAIRS, &GROUPS];

/// The stacked pairs `query` asks for, as the caller's party sees them:
/// the API's answer and the dashboard's page.
pub async fn load<P: Permission>(
    state: &AppState,
    auth: &Scoped<P>,
    query: &CareOverlapQuery,
    format: &TableFormat,
) -> ApiResult<CareOverlapsOut> {
    let mut check = Check::new();
    let as_of = match query.as_of.as_deref() {
        Some(text) => check.date("asOf", text),
        None => Some(entities::clock::now().date_naive()),
    };
    if let Some(code) = query.product_group_code.as_deref() {
        check.code("productGroupCode", code, 32);
    }
    if let Some(cbs) = query.municipality_cbs.as_deref() {
        check.cbs_code("municipalityCbs", cbs);
    }
    format.check(&mut check);
    let as_of = check.done(as_of)?;
    let filter = Filter {
        as_of,
        product_group_code: query.product_group_code.clone(),
        municipality_cbs: query.municipality_cbs.clone(),
    };
    let found = service::list(&state.db, &auth.scope, &auth.party, &filter).await?;
    Ok(CareOverlapsOut::from(found))
}
