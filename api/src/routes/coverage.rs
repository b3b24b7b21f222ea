//! `…/coverage`: whether every municipality has enough providers in every
//! product group (issue 28): the providers contracted for it, those active
//! there in the last 12 months, and the group's minimum. The region's
//! public information: every party sees all of it.

use chrono::NaiveDate;
use domain::steering::{
    coverage::{self, Cell, Coverage, Filter},
    Named,
};

use super::{
    prelude::*,
    reports::FileBytes,
    tables::{self, TableFormat},
};
use crate::report_files::{Kind::*, Sheet};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct CoverageQuery {
    /// The day the landscape is drawn up for (default today, UTC).
    #[param(value_type = Option<NaiveDate>)]
    pub as_of: Option<String>,
    /// Only this product group.
    #[param(pattern = "^[A-Za-z0-9_-]{1,32}$")]
    pub product_group_code: Option<String>,
    /// Only this municipality.
    #[param(pattern = "^GM[0-9]{4}$")]
    pub municipality_cbs: Option<String>,
}

/// A provider by AGB code and name.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CoverageProviderOut {
    pub provider_agb: String,
    pub provider_name: String,
}

impl From<&Named> for CoverageProviderOut {
    fn from(p: &Named) -> Self {
        Self {
            provider_agb: p.code.clone(),
            provider_name: p.name.clone(),
        }
    }
}

/// One municipality × product group.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CoverageCellOut {
    pub municipality_cbs: String,
    pub municipality_name: String,
    pub product_group_code: String,
    pub product_group_name: String,
    /// Providers with a contract in force on `asOf` naming the group and
    /// the municipality (an accepted open-house enrolment concludes one).
    pub contracted_providers: Vec<CoverageProviderOut>,
    pub contracted_count: usize,
    /// Providers with an allocation of the group in the municipality whose
    /// care period overlaps the 12 months up to `asOf`.
    pub active_providers: Vec<CoverageProviderOut>,
    pub active_count: usize,
    /// The `coverage` policy's minimum of active providers (the group's
    /// own, else the region's); null without a policy.
    pub minimum_providers: Option<u32>,
    /// Fewer active providers than the minimum; never without one.
    pub below_minimum: bool,
}

/// A provider in a cell, one row per cell and provider (the tables' view).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CoverageProviderRowOut {
    pub municipality_cbs: String,
    pub product_group_code: String,
    pub provider_agb: String,
    pub provider_name: String,
    pub contracted: bool,
    pub active: bool,
}

/// The landscape on `asOf`, by municipality, then product group.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CoverageOut {
    pub as_of: NaiveDate,
    /// The first day of the 12 months in which a provider counts as active.
    pub active_from: NaiveDate,
    pub active_to: NaiveDate,
    /// Cells below their minimum.
    pub below_minimum: usize,
    pub cells: Vec<CoverageCellOut>,
    /// Every contracted or active provider of every cell.
    pub providers: Vec<CoverageProviderRowOut>,
}

fn provider_rows(cell: &Cell) -> Vec<CoverageProviderRowOut> {
    let mut agbs: Vec<&Named> = cell.contracted.iter().chain(&cell.active).collect();
    agbs.sort_by(|a, b| a.code.cmp(&b.code));
    agbs.dedup_by(|a, b| a.code == b.code);
    agbs.into_iter()
        .map(|p| CoverageProviderRowOut {
            municipality_cbs: cell.municipality.code.clone(),
            product_group_code: cell.product_group.code.clone(),
            provider_agb: p.code.clone(),
            provider_name: p.name.clone(),
            contracted: cell.contracted.iter().any(|c| c.code == p.code),
            active: cell.active.iter().any(|a| a.code == p.code),
        })
        .collect()
}

impl From<Coverage> for CoverageOut {
    fn from(c: Coverage) -> Self {
        Self {
            as_of: c.as_of,
            active_from: c.active_from,
            active_to: c.active_to,
            below_minimum: c.cells.iter().filter(|cell| cell.below_minimum).count(),
            providers: c.cells.iter().flat_map(provider_rows).collect(),
            cells: c
                .cells
                .into_iter()
                .map(|cell| CoverageCellOut {
                    municipality_cbs: cell.municipality.code,
                    municipality_name: cell.municipality.name,
                    product_group_code: cell.product_group.code,
                    product_group_name: cell.product_group.name,
                    contracted_count: cell.contracted.len(),
                    contracted_providers: cell.contracted.iter().map(Into::into).collect(),
                    active_count: cell.active.len(),
                    active_providers: cell.active.iter().map(Into::into).collect(),
                    minimum_providers: cell.minimum_providers,
                    below_minimum: cell.below_minimum,
                })
                .collect(),
        }
    }
}

pub static CELLS: Sheet = Sheet {
    key: "cells",
    file: "coverage",
    title: "Dekking",
    columns: &[
        ("municipalityCbs", "CBS-code", Text),
        ("municipalityName", "Gemeente", Text),
        ("productGroupCode", "Perceelcode", Text),
        ("productGroupName", "Perceel", Text),
        ("contractedCount", "Gecontracteerde aanbieders", Count),
        ("activeCount", "Actieve aanbieders (12 maanden)", Count),
        ("minimumProviders", "Minimum", Count),
        ("belowMinimum", "Onder het minimum", Text),
    ],
};

pub static PROVIDERS: Sheet = Sheet {
    key: "providers",
    file: "coverage-providers",
    title: "Aanbieders",
    columns: &[
        ("municipalityCbs", "CBS-code", Text),
        ("productGroupCode", "Perceelcode", Text),
        ("providerAgb", "AGB-code", Text),
        ("providerName", "Aanbieder", Text),
        ("contracted", "Gecontracteerd", Text),
        ("active", "Actief", Text),
    ],
};

/// Coverage of the care landscape on `asOf`: for every municipality ×
/// product group, the providers contracted for it and those active there
/// in the 12 months up to `asOf`, the `coverage` policy's minimum of
/// active providers and whether the cell is below it.
#[utoipa::path(
    tag = "steering",
    params(("regionCode" = String, Path, description = "Region code"), CoverageQuery, TableFormat),
    responses(
        (status = 200, description = tables::FORMATS_DESCRIPTION, content(
            (CoverageOut = "application/json"),
            (inline(FileBytes) = "application/zip"),
            (inline(FileBytes) = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 400, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/coverage")]
pub async fn get_coverage(
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    query: web::Query<CoverageQuery>,
    format: web::Query<TableFormat>,
) -> ApiResult<HttpResponse> {
    let landscape = load(&state, &auth, &query, &format).await?;
    tables::answer(
        &format,
        &format!("dekking-{}", landscape.as_of),
        &landscape,
        &SHEETS,
    )
}

/// The landscape's tables, in the order of the files.
pub static SHEETS: [&Sheet; 2] = [&CELLS, &PROVIDERS];

/// The landscape `query` asks for: the API's answer and the dashboard's
/// page. A bad field (`format` among them) is a 400 naming each.
pub async fn load<P: Permission>(
    state: &AppState,
    auth: &Scoped<P>,
    query: &CoverageQuery,
    format: &TableFormat,
) -> ApiResult<CoverageOut> {
    let mut check = Check::new();
    let as_of = check.optional_date("asOf", query.as_of.as_deref());
    if let Some(code) = &query.product_group_code {
        check.code("productGroupCode", code, 32);
    }
    if let Some(cbs) = &query.municipality_cbs {
        check.cbs_code("municipalityCbs", cbs);
    }
    format.check(&mut check);
    let as_of = check
        .done(as_of)?
        .unwrap_or_else(|| entities::clock::now().date_naive());
    let filter = Filter {
        product_group_code: query.product_group_code.clone(),
        municipality_cbs: query.municipality_cbs.clone(),
    };
    let landscape = coverage::coverage(&state.db, &auth.scope, as_of, &filter).await?;
    Ok(CoverageOut::from(landscape))
}
