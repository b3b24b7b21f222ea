//! Places (issue 28): a provider's locations with the places they offer
//! per product and period (`…/providers/{agbCode}/locations`), and capacity
//! (`…/capacity`: places, occupied and free per location, product and
//! municipality on a day; `…/capacity/series`: places and occupancy per
//! product per month). Definitions in `entities::steering::places`; who
//! sees and writes what in `domain::steering::locations`.

use chrono::{Datelike, Months, NaiveDate};
use domain::steering::locations::{
    self, Capacity, CapacityFilter, CapacityMonth, CapacitySeries, Location, LocationCapacity,
    LocationChange, MunicipalityTotal, NewLocation, Places, ProductTotal,
};
use entities::steering::places::MAX_PLACES;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::{
    prelude::*,
    reports::FileBytes,
    tables::{self, TableFormat},
};
use crate::report_files::{
    Kind::{Count, Number, Percent, Text},
    Sheet,
};

/// Who may create, change and delete locations: the office (administrators
/// and contract managers) and a provider for its own. The same roles as
/// `Enrol`.
type ManageLocations = Enrol;

/// The longest location name.
const NAME_MAX: usize = 200;
/// The most place periods one location lists.
const PERIODS_MAX: usize = 100;
/// The longest monthly series.
const SERIES_MAX_MONTHS: u32 = 120;

/// The places a location offers for a product over a period.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlacesIn {
    #[schema(example = "15A01", min_length = 1, max_length = 50)]
    pub product_code: String,
    /// Number of places, 0 to 10000.
    #[schema(minimum = 0, maximum = 10000, example = 12)]
    pub places: i64,
    #[schema(value_type = NaiveDate, example = "2026-01-01")]
    pub valid_from: String,
    /// Last day (inclusive); absent = open-ended.
    #[schema(value_type = Option<NaiveDate>)]
    pub valid_to: Option<String>,
}

/// A new location.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LocationIn {
    /// Unique among the provider's locations; 1 to 200 characters.
    #[schema(example = "De Linde", min_length = 1, max_length = 200)]
    pub name: String,
    /// The municipality the location lies in.
    #[schema(example = "GM0202", pattern = "^GM[0-9]{4}$")]
    pub municipality_cbs: String,
    /// At most 100 periods; periods of one product must not share a day.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub places: Vec<PlacesIn>,
}

/// A change of a location: each field present replaces the stored one;
/// `places` replaces the whole list.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LocationPatch {
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    #[schema(pattern = "^GM[0-9]{4}$")]
    pub municipality_cbs: Option<String>,
    #[schema(max_items = 100)]
    pub places: Option<Vec<PlacesIn>>,
}

/// Places for a product over a period.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlacesOut {
    #[schema(example = "15A01")]
    pub product_code: String,
    pub places: i64,
    pub valid_from: NaiveDate,
    /// Last day (inclusive); `null` = open-ended.
    pub valid_to: Option<NaiveDate>,
}

/// A provider's location (beschermd wonen, beschermd thuis).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LocationOut {
    pub id: Uuid,
    #[schema(example = "12345678")]
    pub provider_agb: String,
    pub name: String,
    #[schema(example = "GM0202")]
    pub municipality_cbs: String,
    /// By product code, then start.
    pub places: Vec<PlacesOut>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<Places> for PlacesOut {
    fn from(p: Places) -> Self {
        Self {
            product_code: p.product_code,
            places: p.places,
            valid_from: p.valid_from,
            valid_to: p.valid_to,
        }
    }
}

impl From<Location> for LocationOut {
    fn from(l: Location) -> Self {
        Self {
            id: l.id,
            provider_agb: l.provider_agb,
            name: l.name,
            municipality_cbs: l.municipality_cbs,
            places: l.places.into_iter().map(PlacesOut::from).collect(),
            created_at: l.created_at,
            updated_at: l.updated_at,
        }
    }
}

/// The places list checked for form (400s naming `places[i].…`).
fn places_of(check: &mut Check, input: &[PlacesIn]) -> Option<Vec<Places>> {
    check.require(input.len() <= PERIODS_MAX, "places", "at most 100 periods");
    let mut out = Some(Vec::with_capacity(input.len()));
    for (i, p) in input.iter().enumerate() {
        check.require(
            (0..=MAX_PLACES).contains(&p.places),
            &format!("places[{i}].places"),
            "must be 0 to 10000",
        );
        check.require(
            !p.product_code.is_empty() && p.product_code.len() <= 50,
            &format!("places[{i}].productCode"),
            "must be 1 to 50 characters",
        );
        let from = check.date(&format!("places[{i}].validFrom"), &p.valid_from);
        let to = check.optional_date(&format!("places[{i}].validTo"), p.valid_to.as_deref());
        out = match (out, from, to) {
            (Some(mut list), Some(valid_from), Some(valid_to)) => {
                list.push(Places {
                    product_code: p.product_code.clone(),
                    places: p.places,
                    valid_from,
                    valid_to,
                });
                Some(list)
            }
            _ => None,
        };
    }
    out
}

const NOT_FOUND: &str = "No such provider, or a location the caller does not see";

/// Add a location to a provider, with its places per product and period.
/// The office, or the provider itself.
#[utoipa::path(
    tag = "steering",
    params(("regionCode" = String, Path, description = "Region code"), ("agbCode" = String, Path, description = "The provider's AGB code")),
    request_body = LocationIn,
    responses(
        (status = 201, body = LocationOut),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = NOT_FOUND, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The provider has a location with this name (`ZR-DUPLICATE`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown municipality or product, an end before its start, or overlapping periods of one product", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/regions/{regionCode}/providers/{agbCode}/locations")]
pub async fn create_location(
    state: web::Data<AppState>,
    auth: Scoped<ManageLocations>,
    path: web::Path<(String, String)>,
    body: Body<LocationIn>,
) -> ApiResult<HttpResponse> {
    let input = body.take()?;
    let mut check = Check::new();
    check.name("name", &input.name, NAME_MAX);
    check.cbs_code("municipalityCbs", &input.municipality_cbs);
    let places = places_of(&mut check, &input.places);
    let places = check.done(places)?;
    let new = NewLocation {
        name: input.name,
        municipality_cbs: input.municipality_cbs,
        places,
    };
    let txn = entities::transaction::begin_write(&state.db).await?;
    let out = LocationOut::from(
        locations::create(&txn, &auth.scope, &auth.audit(), &auth.party, &path.1, new).await?,
    );
    txn.commit().await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!(
                "/api/v1/regions/{}/providers/{}/locations/{}",
                auth.region.code, out.provider_agb, out.id
            ),
        ))
        .json(out))
}

/// A provider's locations, by name. The office, auditors and the central
/// access team see all; a provider its own; a municipality's access team
/// those in its municipality.
#[utoipa::path(
    tag = "steering",
    params(("regionCode" = String, Path, description = "Region code"), ("agbCode" = String, Path, description = "The provider's AGB code"), PageQuery),
    responses(
        (status = 200, body = Page<LocationOut>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = NOT_FOUND, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/providers/{agbCode}/locations")]
pub async fn list_locations(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    path: web::Path<(String, String)>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let page = query.validate()?;
    let provider = locations::provider_of(&state.db, &auth.scope, &auth.party, &path.1).await?;
    let select = locations::list(&auth.scope, &auth.party, provider.id);
    let (items, total) = fetch_page(&state.db, select, page).await?;
    let out = locations::describe(&state.db, &auth.scope, items)
        .await?
        .into_iter()
        .map(LocationOut::from)
        .collect();
    Ok(Page::new(out, page, total).respond(&req))
}

/// A location with its places.
#[utoipa::path(
    tag = "steering",
    params(("regionCode" = String, Path, description = "Region code"), ("agbCode" = String, Path, description = "The provider's AGB code"), ("id" = Uuid, Path, description = "Location id")),
    responses(
        (status = 200, body = LocationOut),
        (status = 404, description = NOT_FOUND, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/providers/{agbCode}/locations/{id}")]
pub async fn get_location(
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    path: web::Path<(String, String, Uuid)>,
) -> ApiResult<web::Json<LocationOut>> {
    let found = locations::get(&state.db, &auth.scope, &auth.party, &path.1, path.2).await?;
    Ok(web::Json(LocationOut::from(found)))
}

/// Change a location's name, municipality or places (`places` replaces
/// the whole list). The office, or the provider itself.
#[utoipa::path(
    tag = "steering",
    params(("regionCode" = String, Path, description = "Region code"), ("agbCode" = String, Path, description = "The provider's AGB code"), ("id" = Uuid, Path, description = "Location id")),
    request_body = LocationPatch,
    responses(
        (status = 200, body = LocationOut),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = NOT_FOUND, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The provider has another location with this name (`ZR-DUPLICATE`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown municipality or product, an end before its start, or overlapping periods of one product", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/regions/{regionCode}/providers/{agbCode}/locations/{id}")]
pub async fn update_location(
    state: web::Data<AppState>,
    auth: Scoped<ManageLocations>,
    path: web::Path<(String, String, Uuid)>,
    body: Body<LocationPatch>,
) -> ApiResult<web::Json<LocationOut>> {
    // Another party's (or region's) location is a 404 before its body is read.
    locations::get(&state.db, &auth.scope, &auth.party, &path.1, path.2).await?;
    let input = body.take()?;
    let mut check = Check::new();
    if let Some(name) = &input.name {
        check.name("name", name, NAME_MAX);
    }
    if let Some(cbs) = &input.municipality_cbs {
        check.cbs_code("municipalityCbs", cbs);
    }
    let places = match &input.places {
        Some(list) => places_of(&mut check, list).map(Some),
        None => Some(None),
    };
    let places = check.done(places)?;
    let change = LocationChange {
        name: input.name,
        municipality_cbs: input.municipality_cbs,
        places,
    };
    let txn = entities::transaction::begin_write(&state.db).await?;
    let out = LocationOut::from(
        locations::change(
            &txn,
            &auth.scope,
            &auth.audit(),
            &auth.party,
            &path.1,
            path.2,
            change,
        )
        .await?,
    );
    txn.commit().await?;
    Ok(web::Json(out))
}

/// Delete a location and its places; 409 `ZR-IN-USE` while an allocation
/// names it. The office, or the provider itself.
#[utoipa::path(
    tag = "steering",
    params(("regionCode" = String, Path, description = "Region code"), ("agbCode" = String, Path, description = "The provider's AGB code"), ("id" = Uuid, Path, description = "Location id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = NOT_FOUND, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "An allocation names the location (`ZR-IN-USE`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/regions/{regionCode}/providers/{agbCode}/locations/{id}")]
pub async fn delete_location(
    state: web::Data<AppState>,
    auth: Scoped<ManageLocations>,
    path: web::Path<(String, String, Uuid)>,
) -> ApiResult<HttpResponse> {
    let txn = entities::transaction::begin_write(&state.db).await?;
    locations::delete(
        &txn,
        &auth.scope,
        &auth.audit(),
        &auth.party,
        &path.1,
        path.2,
    )
    .await?;
    txn.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Which locations and products a capacity question covers. An unknown
/// code matches nothing.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct CapacityQuery {
    /// The day (YYYY-MM-DD); today by default.
    #[param(value_type = Option<NaiveDate>)]
    pub as_of: Option<String>,
    /// Only this provider's locations.
    #[param(pattern = "^[0-9]{8}$")]
    pub provider_agb: Option<String>,
    /// Only this product.
    pub product_code: Option<String>,
    /// Only the locations in this municipality.
    #[param(pattern = "^GM[0-9]{4}$")]
    pub municipality_cbs: Option<String>,
}

/// The months of a series and its filter.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct SeriesQuery {
    /// First month (YYYY-MM); 11 months before `to` by default.
    #[param(pattern = "^(19|20|21)[0-9]{2}-(0[1-9]|1[0-2])$", example = "2026-01")]
    pub from: Option<String>,
    /// Last month (YYYY-MM); this month by default. At most 120 months
    /// from `from`.
    #[param(pattern = "^(19|20|21)[0-9]{2}-(0[1-9]|1[0-2])$", example = "2026-12")]
    pub to: Option<String>,
    /// Only this provider's locations.
    #[param(pattern = "^[0-9]{8}$")]
    pub provider_agb: Option<String>,
    /// Only this product.
    pub product_code: Option<String>,
    /// Only the locations in this municipality.
    #[param(pattern = "^GM[0-9]{4}$")]
    pub municipality_cbs: Option<String>,
}

fn filter_of(
    check: &mut Check,
    provider_agb: &Option<String>,
    product_code: &Option<String>,
    municipality_cbs: &Option<String>,
) -> CapacityFilter {
    if let Some(agb) = provider_agb {
        check.digits("providerAgb", agb, 8);
    }
    if let Some(cbs) = municipality_cbs {
        check.cbs_code("municipalityCbs", cbs);
    }
    CapacityFilter {
        provider_agb: provider_agb.clone(),
        product_code: product_code.clone(),
        municipality_cbs: municipality_cbs.clone(),
    }
}

/// A month as `YYYY-MM` (1900 to 2199), its first day.
fn month(check: &mut Check, field: &str, text: &str) -> Option<NaiveDate> {
    let parsed = NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d")
        .ok()
        .filter(|d| text.len() == 7 && (1900..=2199).contains(&d.year()));
    check.require(
        parsed.is_some(),
        field,
        "must be a month as YYYY-MM from 1900-01 to 2199-12",
    );
    parsed
}

/// One location and product on the day.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LocationCapacityOut {
    pub location_id: Uuid,
    pub location_name: String,
    pub provider_agb: String,
    pub provider_name: String,
    pub municipality_cbs: String,
    pub municipality_name: String,
    pub product_code: String,
    pub product_name: String,
    /// The places of the period in force on the day (0 without one).
    pub places: i64,
    /// Allocations at the location for the product occupying on the day.
    pub occupied: i64,
    /// places − occupied; negative when over-occupied.
    pub free: i64,
}

/// A product's totals over the locations.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProductTotalOut {
    pub product_code: String,
    pub product_name: String,
    pub places: i64,
    pub occupied: i64,
    pub free: i64,
}

/// The totals of the locations in a municipality.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MunicipalityTotalOut {
    pub municipality_cbs: String,
    pub municipality_name: String,
    pub places: i64,
    pub occupied: i64,
    pub free: i64,
}

/// Places, occupied and free on a day.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CapacityOut {
    pub as_of: NaiveDate,
    /// Per location and product with places on the day or an allocation
    /// occupying then; by municipality, provider, location, product.
    pub locations: Vec<LocationCapacityOut>,
    /// Per product, by code.
    pub products: Vec<ProductTotalOut>,
    /// Per municipality of the locations, by CBS code.
    pub municipalities: Vec<MunicipalityTotalOut>,
}

impl From<LocationCapacity> for LocationCapacityOut {
    fn from(r: LocationCapacity) -> Self {
        Self {
            location_id: r.location_id,
            location_name: r.location_name,
            provider_agb: r.provider_agb,
            provider_name: r.provider_name,
            municipality_cbs: r.municipality_cbs,
            municipality_name: r.municipality_name,
            product_code: r.product_code,
            product_name: r.product_name,
            places: r.places,
            occupied: r.occupied,
            free: r.free,
        }
    }
}

impl From<ProductTotal> for ProductTotalOut {
    fn from(t: ProductTotal) -> Self {
        Self {
            product_code: t.product_code,
            product_name: t.product_name,
            places: t.places,
            occupied: t.occupied,
            free: t.free,
        }
    }
}

impl From<MunicipalityTotal> for MunicipalityTotalOut {
    fn from(t: MunicipalityTotal) -> Self {
        Self {
            municipality_cbs: t.municipality_cbs,
            municipality_name: t.municipality_name,
            places: t.places,
            occupied: t.occupied,
            free: t.free,
        }
    }
}

impl From<Capacity> for CapacityOut {
    fn from(c: Capacity) -> Self {
        Self {
            as_of: c.as_of,
            locations: c.locations.into_iter().map(Into::into).collect(),
            products: c.products.into_iter().map(Into::into).collect(),
            municipalities: c.municipalities.into_iter().map(Into::into).collect(),
        }
    }
}

const FIGURES: &[(&str, &str, crate::report_files::Kind)] = &[
    ("places", "Plaatsen", Count),
    ("occupied", "Bezet", Count),
    ("free", "Vrij", Count),
];

pub const LOCATION_SHEET: Sheet = Sheet {
    key: "locations",
    file: "locations",
    title: "Locaties",
    columns: &[
        ("municipalityCbs", "CBS-code", Text),
        ("municipalityName", "Gemeente", Text),
        ("providerAgb", "AGB-code", Text),
        ("providerName", "Aanbieder", Text),
        ("locationName", "Locatie", Text),
        ("productCode", "Productcode", Text),
        ("productName", "Product", Text),
        FIGURES[0],
        FIGURES[1],
        FIGURES[2],
    ],
};

pub const PRODUCT_SHEET: Sheet = Sheet {
    key: "products",
    file: "products",
    title: "Producten",
    columns: &[
        ("productCode", "Productcode", Text),
        ("productName", "Product", Text),
        FIGURES[0],
        FIGURES[1],
        FIGURES[2],
    ],
};

pub const MUNICIPALITY_SHEET: Sheet = Sheet {
    key: "municipalities",
    file: "municipalities",
    title: "Gemeenten",
    columns: &[
        ("municipalityCbs", "CBS-code", Text),
        ("municipalityName", "Gemeente", Text),
        FIGURES[0],
        FIGURES[1],
        FIGURES[2],
    ],
};

/// Places, occupied and free per location and product on a day, with
/// totals per product and per municipality. An allocation occupies a place
/// at its location for its product from its start date through the first
/// of its end date, stop day and recorded end of care; a removed one never.
/// Free is places − occupied: negative means over-occupied. The office,
/// auditors and the central access team see every provider's locations; a
/// provider its own; a municipality's access team those in its
/// municipality.
#[utoipa::path(
    tag = "steering",
    params(("regionCode" = String, Path, description = "Region code"), CapacityQuery, TableFormat),
    responses(
        (status = 200, description = tables::FORMATS_DESCRIPTION, content(
            (CapacityOut = "application/json"),
            (inline(FileBytes) = "application/zip"),
            (inline(FileBytes) = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 400, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/capacity")]
pub async fn get_capacity(
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    query: web::Query<CapacityQuery>,
    format: web::Query<TableFormat>,
) -> ApiResult<HttpResponse> {
    let found = load_capacity(&state, &auth, &query).await?;
    tables::answer(
        &format,
        &format!("capacity-{}", found.as_of),
        &found,
        &CAPACITY_SHEETS,
    )
}

/// The capacity tables, in the order of the files.
pub const CAPACITY_SHEETS: [&Sheet; 3] = [&LOCATION_SHEET, &PRODUCT_SHEET, &MUNICIPALITY_SHEET];

/// The capacity `query` asks for, as the caller's party sees it: the API's
/// answer and the dashboard's page.
pub async fn load_capacity<P: Permission>(
    state: &AppState,
    auth: &Scoped<P>,
    query: &CapacityQuery,
) -> ApiResult<CapacityOut> {
    let mut check = Check::new();
    let as_of = match &query.as_of {
        Some(text) => check.date("asOf", text),
        None => Some(entities::clock::now().date_naive()),
    };
    let filter = filter_of(
        &mut check,
        &query.provider_agb,
        &query.product_code,
        &query.municipality_cbs,
    );
    let as_of = check.done(as_of)?;
    let found = locations::capacity(&state.db, &auth.scope, &auth.party, &filter, as_of).await?;
    Ok(CapacityOut::from(found))
}

/// One product in one month.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CapacityMonthOut {
    #[schema(example = "2026-03")]
    pub month: String,
    pub product_code: String,
    pub product_name: String,
    /// Days in the month.
    pub days: i64,
    /// Σ over the month's days of the places.
    pub place_days: i64,
    /// Σ over the month's days of the occupied places (allocation-days).
    pub occupied_days: i64,
    /// Average places: placeDays / days, 2 decimals half away from zero.
    #[schema(value_type = String, example = "4.97")]
    pub places: Decimal,
    /// Average occupied: occupiedDays / days, 2 decimals half away from zero.
    #[schema(value_type = String, example = "1.39")]
    pub occupied: Decimal,
    /// occupiedDays / placeDays × 100, 2 decimals half away from zero;
    /// `null` without place-days.
    #[schema(value_type = Option<String>, example = "27.92")]
    pub occupancy_percent: Option<Decimal>,
}

/// Places and occupancy per product per month.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CapacitySeriesOut {
    #[schema(example = "2026-01")]
    pub from: String,
    #[schema(example = "2026-12")]
    pub to: String,
    /// Every month for every product with places or occupancy in the
    /// range (zeros included), by month then product code.
    pub months: Vec<CapacityMonthOut>,
}

impl From<CapacityMonth> for CapacityMonthOut {
    fn from(m: CapacityMonth) -> Self {
        Self {
            month: m.month,
            product_code: m.product_code,
            product_name: m.product_name,
            days: m.days,
            place_days: m.place_days,
            occupied_days: m.occupied_days,
            places: m.places,
            occupied: m.occupied,
            occupancy_percent: m.occupancy_percent,
        }
    }
}

impl From<CapacitySeries> for CapacitySeriesOut {
    fn from(s: CapacitySeries) -> Self {
        Self {
            from: s.from,
            to: s.to,
            months: s.months.into_iter().map(Into::into).collect(),
        }
    }
}

pub const SERIES_SHEET: Sheet = Sheet {
    key: "months",
    file: "capacity-months",
    title: "Plaatsen per maand",
    columns: &[
        ("month", "Maand", Text),
        ("productCode", "Productcode", Text),
        ("productName", "Product", Text),
        ("days", "Dagen", Count),
        ("placeDays", "Plaatsdagen", Count),
        ("occupiedDays", "Bezette dagen", Count),
        ("places", "Gemiddeld plaatsen", Number),
        ("occupied", "Gemiddeld bezet", Number),
        ("occupancyPercent", "Bezettingsgraad", Percent),
    ],
};

/// Places and occupancy per product for every month from `from` through
/// `to`, at the locations the caller sees (as `…/capacity`): place-days and
/// occupied days (allocation-days), their averages over the month's days
/// and the occupancy percentage, for the report's trend.
#[utoipa::path(
    tag = "steering",
    params(("regionCode" = String, Path, description = "Region code"), SeriesQuery, TableFormat),
    responses(
        (status = 200, description = tables::FORMATS_DESCRIPTION, content(
            (CapacitySeriesOut = "application/json"),
            (inline(FileBytes) = "application/zip"),
            (inline(FileBytes) = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`to` before `from`, or more than 120 months", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/regions/{regionCode}/capacity/series")]
pub async fn get_capacity_series(
    state: web::Data<AppState>,
    auth: Scoped<ReadRegion>,
    query: web::Query<SeriesQuery>,
    format: web::Query<TableFormat>,
) -> ApiResult<HttpResponse> {
    let found = load_series(&state, &auth, &query).await?;
    tables::answer(
        &format,
        &format!("capacity-{}-{}", found.from, found.to),
        &found,
        &[&SERIES_SHEET],
    )
}

/// The series `query` asks for, as the caller's party sees it: the API's
/// answer and the dashboard's page.
pub async fn load_series<P: Permission>(
    state: &AppState,
    auth: &Scoped<P>,
    query: &SeriesQuery,
) -> ApiResult<CapacitySeriesOut> {
    let mut check = Check::new();
    let this_month = entities::clock::now().date_naive().with_day(1);
    let to = match &query.to {
        Some(text) => month(&mut check, "to", text),
        None => this_month,
    };
    let from = match &query.from {
        Some(text) => month(&mut check, "from", text),
        None => to.and_then(|to| to.checked_sub_months(Months::new(11))),
    };
    if let (Some(from), Some(to)) = (from, to) {
        check.require_rule(to >= from, "to", "must not be before from");
        check.require_rule(
            from.checked_add_months(Months::new(SERIES_MAX_MONTHS))
                .is_some_and(|limit| to < limit),
            "to",
            "at most 120 months from from",
        );
    }
    let filter = filter_of(
        &mut check,
        &query.provider_agb,
        &query.product_code,
        &query.municipality_cbs,
    );
    let (from, to) = check.done(from.zip(to))?;
    let found = locations::series(&state.db, &auth.scope, &auth.party, &filter, (from, to)).await?;
    Ok(CapacitySeriesOut::from(found))
}
