//! A provider's locations and their places (beschermd wonen, beschermd
//! thuis), an allocation's location, and capacity: places, occupied and
//! free per location and product on a day, and the monthly series of
//! places and occupancy per product (definitions in
//! `entities::steering::places`).
//!
//! Who sees what: the office (and its auditors) and the central access
//! team every location; a provider its own; a municipality's access team
//! (or read-only user) the locations in its municipality. Who writes: the
//! office's contract managers and administrators, and a provider its own
//! locations. Another party's location looks like one that does not exist.

use std::collections::HashMap;

use chrono::NaiveDate;
use entities::{
    schema::{allocation, location_place, municipality, product, provider, provider_location},
    steering::places::{self, MonthFigure, Occupancy, PlacePeriod, Stay, Totals},
    RegionScope, TenantEntity, TenantRecord,
};
use rust_decimal::Decimal;
use sea_orm::{
    sea_query::Condition, ActiveModelTrait, ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, Select, Set,
};
use serde::Serialize;
use uuid::Uuid;

use crate::{
    audit::Audit,
    catalogue,
    check::Check,
    error::{DomainError, DomainResult},
    parties::Party,
};

/// The audit trail's name for a location.
const RESOURCE: &str = "provider-location";

/// A location as the region knows it: the audit trail records it, the
/// API's `LocationOut` shows it field for field.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    pub id: Uuid,
    pub provider_agb: String,
    pub name: String,
    pub municipality_cbs: String,
    /// The places per product and period, by product then start.
    pub places: Vec<Places>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// The places a location offers for a product over a period (inclusive;
/// open-ended without `valid_to`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Places {
    pub product_code: String,
    pub places: i64,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

/// A new location, checked for form (the rules that need the region's data
/// are checked here).
#[derive(Debug, Clone)]
pub struct NewLocation {
    pub name: String,
    pub municipality_cbs: String,
    pub places: Vec<Places>,
}

/// A change: each field present replaces the stored one (`places` the
/// whole list).
#[derive(Debug, Clone, Default)]
pub struct LocationChange {
    pub name: Option<String>,
    pub municipality_cbs: Option<String>,
    pub places: Option<Vec<Places>>,
}

/// The locations the party sees (see the module's text).
fn visible(party: &Party) -> Condition {
    match party {
        Party::Office | Party::CentralAccess => Condition::all(),
        Party::Municipality { id, .. } => {
            Condition::all().add(provider_location::Column::MunicipalityId.eq(*id))
        }
        Party::Provider { id, .. } => {
            Condition::all().add(provider_location::Column::ProviderId.eq(*id))
        }
    }
}

/// The provider with `agb`, whose locations the party asks for: a provider
/// party reaches only its own (another's is a 404).
pub async fn provider_of<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    party: &Party,
    agb: &str,
) -> DomainResult<provider::Model> {
    catalogue::provider(db, scope, agb)
        .await?
        .filter(|p| party.sees_provider(p.id))
        .ok_or(DomainError::NotFound)
}

/// The provider's locations the party sees, by name.
pub fn list(
    scope: &RegionScope,
    party: &Party,
    provider_id: Uuid,
) -> Select<provider_location::Entity> {
    provider_location::Entity::scoped(scope)
        .filter(provider_location::Column::ProviderId.eq(provider_id))
        .filter(visible(party))
        .order_by_asc(provider_location::Column::Name)
        .order_by_asc(provider_location::Column::Id)
}

/// The provider's location `id`, if the party sees it.
async fn find<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    party: &Party,
    provider_id: Uuid,
    id: Uuid,
    lock: bool,
) -> DomainResult<provider_location::Model> {
    let mut select = list(scope, party, provider_id).filter(provider_location::Column::Id.eq(id));
    if lock {
        // Two changes of one location's places one after the other (the
        // overlap check reads the list it replaces; SQLite has one writer).
        select = select.lock_exclusive();
    }
    select.one(db).await?.ok_or(DomainError::NotFound)
}

/// The location as the region knows it.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    party: &Party,
    agb: &str,
    id: Uuid,
) -> DomainResult<Location> {
    let provider = provider_of(db, scope, party, agb).await?;
    let found = find(db, scope, party, provider.id, id, false).await?;
    Ok(describe(db, scope, vec![found]).await?.remove(0))
}

/// Describes locations (a page's worth) with their places.
pub async fn describe<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    rows: Vec<provider_location::Model>,
) -> DomainResult<Vec<Location>> {
    let names = Names::load(
        db,
        scope,
        rows.iter().map(|l| l.provider_id),
        rows.iter().map(|l| l.municipality_id),
        [],
    )
    .await?;
    let periods = location_place::Entity::scoped(scope)
        .filter(location_place::Column::LocationId.is_in(rows.iter().map(|l| l.id)))
        .all(db)
        .await?;
    let products = Names::products(db, scope, periods.iter().map(|p| p.product_id)).await?;
    let mut by_location: HashMap<Uuid, Vec<Places>> = HashMap::new();
    for p in periods {
        by_location.entry(p.location_id).or_default().push(Places {
            product_code: products
                .get(&p.product_id)
                .map(|n| n.0.clone())
                .unwrap_or_default(),
            places: i64::from(p.places),
            valid_from: p.valid_from,
            valid_to: p.valid_to,
        });
    }
    Ok(rows
        .into_iter()
        .map(|l| {
            let mut places = by_location.remove(&l.id).unwrap_or_default();
            places.sort_by(|a, b| {
                (&a.product_code, a.valid_from).cmp(&(&b.product_code, b.valid_from))
            });
            Location {
                id: l.id,
                provider_agb: names.provider(l.provider_id).0,
                name: l.name,
                municipality_cbs: names.municipality(l.municipality_id).0,
                places,
                created_at: l.created_at,
                updated_at: l.updated_at,
            }
        })
        .collect())
}

/// The rules of a location's places: an end not before its start, a
/// product of the region, no two periods of one product sharing a day
/// (422 naming `places[i]…`). Gives the product ids, in order.
async fn check_places<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    check: &mut Check,
    places: &[Places],
) -> DomainResult<Vec<Option<Uuid>>> {
    let mut ids = Vec::with_capacity(places.len());
    for (i, p) in places.iter().enumerate() {
        let found = catalogue::product(db, scope, &p.product_code).await?;
        check.require_rule(
            found.is_some(),
            &format!("places[{i}].productCode"),
            "no such product in this region",
        );
        check.require_rule(
            p.valid_to.is_none_or(|to| to >= p.valid_from),
            &format!("places[{i}].validTo"),
            "must not be before validFrom",
        );
        ids.push(found.map(|p| p.id));
    }
    let periods: Vec<_> = places
        .iter()
        .map(|p| (p.product_code.as_str(), p.valid_from, p.valid_to))
        .collect();
    if let Some((i, j)) = places::first_overlap(&periods) {
        check.fail_rule(
            format!("places[{j}].validFrom"),
            format!(
                "overlaps places[{i}] for product {}: periods of one product must not share a day",
                places[j].product_code
            ),
        );
    }
    Ok(ids)
}

/// The region's municipality by CBS code (422 naming `municipalityCbs`).
async fn municipality_of<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    check: &mut Check,
    cbs: &str,
) -> DomainResult<Option<municipality::Model>> {
    let found = catalogue::municipality(db, scope, cbs).await?;
    check.require_rule(
        found.is_some(),
        "municipalityCbs",
        "no such municipality in this region",
    );
    Ok(found)
}

/// 409 `ZR-DUPLICATE` when another location of the provider has `name`.
async fn unique_name<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    provider_id: Uuid,
    name: &str,
    except: Option<Uuid>,
) -> DomainResult<()> {
    let mut select = provider_location::Entity::scoped(scope)
        .filter(provider_location::Column::ProviderId.eq(provider_id))
        .filter(provider_location::Column::Name.eq(name));
    if let Some(id) = except {
        select = select.filter(provider_location::Column::Id.ne(id));
    }
    if select.one(db).await?.is_some() {
        return Err(DomainError::conflict(
            "ZR-DUPLICATE",
            format!("The provider already has a location named {name:?}."),
        ));
    }
    Ok(())
}

/// Stores the places of a location, replacing any before.
async fn store_places<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    location_id: Uuid,
    places: &[Places],
    product_ids: &[Option<Uuid>],
) -> DomainResult<()> {
    location_place::Entity::delete_scoped(scope)
        .filter(location_place::Column::LocationId.eq(location_id))
        .exec(db)
        .await?;
    let now = entities::clock::now();
    for (p, product_id) in places.iter().zip(product_ids) {
        location_place::ActiveModel {
            region_id: Set(scope.region_id),
            id: Set(Uuid::now_v7()),
            location_id: Set(location_id),
            product_id: Set(product_id.unwrap_or_default()),
            // The route keeps places within 0..=MAX_PLACES.
            places: Set(i32::try_from(p.places).unwrap_or(i32::MAX)),
            valid_from: Set(p.valid_from),
            valid_to: Set(p.valid_to),
            created_at: Set(now),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// Creates a location of the provider `agb` with its places.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    audit: &Audit,
    party: &Party,
    agb: &str,
    input: NewLocation,
) -> DomainResult<Location> {
    let provider = provider_of(db, scope, party, agb).await?;
    let mut check = Check::new();
    let municipality = municipality_of(db, scope, &mut check, &input.municipality_cbs).await?;
    let product_ids = check_places(db, scope, &mut check, &input.places).await?;
    check.finish()?;
    unique_name(db, scope, provider.id, &input.name, None).await?;
    let now = entities::clock::now();
    let saved = provider_location::ActiveModel {
        region_id: Set(scope.region_id),
        id: Set(Uuid::now_v7()),
        provider_id: Set(provider.id),
        name: Set(input.name),
        municipality_id: Set(municipality.map(|m| m.id).unwrap_or_default()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    store_places(db, scope, saved.id, &input.places, &product_ids).await?;
    let out = describe(db, scope, vec![saved]).await?.remove(0);
    audit.record(db, "create", RESOURCE, out.id, &out).await?;
    Ok(out)
}

/// Changes a location's name, municipality or places (the list is
/// replaced); the audit trail keeps before and after.
pub async fn change<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    audit: &Audit,
    party: &Party,
    agb: &str,
    id: Uuid,
    input: LocationChange,
) -> DomainResult<Location> {
    let provider = provider_of(db, scope, party, agb).await?;
    let existing = find(db, scope, party, provider.id, id, true).await?;
    let before = describe(db, scope, vec![existing.clone()]).await?.remove(0);
    let mut check = Check::new();
    let municipality = match &input.municipality_cbs {
        Some(cbs) => municipality_of(db, scope, &mut check, cbs).await?,
        None => None,
    };
    let product_ids = match &input.places {
        Some(places) => Some(check_places(db, scope, &mut check, places).await?),
        None => None,
    };
    check.finish()?;
    if let Some(name) = &input.name {
        unique_name(db, scope, provider.id, name, Some(existing.id)).await?;
    }
    let mut model: provider_location::ActiveModel = existing.into();
    if let Some(name) = input.name {
        model.name = Set(name);
    }
    if let Some(m) = municipality {
        model.municipality_id = Set(m.id);
    }
    model.updated_at = Set(entities::clock::now());
    let saved = model.update(db).await?;
    if let (Some(places), Some(ids)) = (&input.places, &product_ids) {
        store_places(db, scope, saved.id, places, ids).await?;
    }
    let after = describe(db, scope, vec![saved]).await?.remove(0);
    audit
        .record(
            db,
            "update",
            RESOURCE,
            after.id,
            serde_json::json!({ "before": before, "after": after }),
        )
        .await?;
    Ok(after)
}

/// Deletes a location and its places; 409 `ZR-IN-USE` while an allocation
/// names it (the foreign key says so on PostgreSQL only).
pub async fn delete<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    audit: &Audit,
    party: &Party,
    agb: &str,
    id: Uuid,
) -> DomainResult<()> {
    let provider = provider_of(db, scope, party, agb).await?;
    let existing = find(db, scope, party, provider.id, id, true).await?;
    let named = allocation::Entity::scoped(scope)
        .filter(allocation::Column::LocationId.eq(existing.id))
        .one(db)
        .await?;
    if let Some(a) = named {
        return Err(DomainError::conflict(
            "ZR-IN-USE",
            format!(
                "Allocation {} names this location; it cannot be deleted.",
                a.allocation_number
            ),
        ));
    }
    location_place::Entity::delete_scoped(scope)
        .filter(location_place::Column::LocationId.eq(existing.id))
        .exec(db)
        .await?;
    provider_location::Entity::delete_scoped(scope)
        .filter(provider_location::Column::Id.eq(existing.id))
        .exec(db)
        .await?;
    audit
        .record(db, "delete", RESOURCE, existing.id, serde_json::json!({}))
        .await?;
    Ok(())
}

/// An allocation's location must be one of the region's, of the
/// allocation's provider, offering its product on its start date: 422
/// naming `locationId` otherwise.
pub async fn check_allocation<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    location_id: Uuid,
    provider: &provider::Model,
    product: &product::Model,
    start: NaiveDate,
) -> DomainResult<()> {
    let location = provider_location::Entity::find_scoped(db, scope, location_id).await?;
    let Some(location) = location.filter(|l| l.provider_id == provider.id) else {
        return Err(DomainError::unprocessable(
            "locationId",
            format!("no location of provider {} with this id", provider.agb_code),
        ));
    };
    let offered = location_place::Entity::scoped(scope)
        .filter(location_place::Column::LocationId.eq(location.id))
        .filter(location_place::Column::ProductId.eq(product.id))
        .filter(location_place::Column::ValidFrom.lte(start))
        .filter(
            Condition::any()
                .add(location_place::Column::ValidTo.is_null())
                .add(location_place::Column::ValidTo.gte(start)),
        )
        .one(db)
        .await?;
    if offered.is_none() {
        return Err(DomainError::unprocessable(
            "locationId",
            format!(
                "location {:?} offers no places for product {} on {start}",
                location.name, product.code
            ),
        ));
    }
    Ok(())
}

/// Codes and names of providers, municipalities and products, by id.
struct Names {
    providers: HashMap<Uuid, (String, String)>,
    municipalities: HashMap<Uuid, (String, String)>,
    products: HashMap<Uuid, (String, String)>,
}

impl Names {
    async fn load<C: ConnectionTrait>(
        db: &C,
        scope: &RegionScope,
        providers: impl IntoIterator<Item = Uuid>,
        municipalities: impl IntoIterator<Item = Uuid>,
        products: impl IntoIterator<Item = Uuid>,
    ) -> DomainResult<Self> {
        let providers: Vec<Uuid> = providers.into_iter().collect();
        let municipalities: Vec<Uuid> = municipalities.into_iter().collect();
        Ok(Self {
            providers: provider::Entity::scoped(scope)
                .filter(provider::Column::Id.is_in(providers))
                .all(db)
                .await?
                .into_iter()
                .map(|p| (p.id, (p.agb_code, p.name)))
                .collect(),
            municipalities: municipality::Entity::scoped(scope)
                .filter(municipality::Column::Id.is_in(municipalities))
                .all(db)
                .await?
                .into_iter()
                .map(|m| (m.id, (m.cbs_code, m.name)))
                .collect(),
            products: Self::products(db, scope, products).await?,
        })
    }

    async fn products<C: ConnectionTrait>(
        db: &C,
        scope: &RegionScope,
        ids: impl IntoIterator<Item = Uuid>,
    ) -> DomainResult<HashMap<Uuid, (String, String)>> {
        let ids: Vec<Uuid> = ids.into_iter().collect();
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        Ok(product::Entity::scoped(scope)
            .filter(product::Column::Id.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|p| (p.id, (p.code, p.name)))
            .collect())
    }

    fn of(map: &HashMap<Uuid, (String, String)>, id: Uuid) -> (String, String) {
        map.get(&id).cloned().unwrap_or_default()
    }

    fn provider(&self, id: Uuid) -> (String, String) {
        Self::of(&self.providers, id)
    }

    fn municipality(&self, id: Uuid) -> (String, String) {
        Self::of(&self.municipalities, id)
    }

    fn product(&self, id: Uuid) -> (String, String) {
        Self::of(&self.products, id)
    }
}

/// Which locations and products a capacity question covers; an unknown
/// code matches nothing.
#[derive(Debug, Clone, Default)]
pub struct CapacityFilter {
    pub provider_agb: Option<String>,
    pub product_code: Option<String>,
    pub municipality_cbs: Option<String>,
}

/// What a capacity question reads: the locations the party sees (after
/// the filter), their place periods and the allocations at them.
struct Facts {
    locations: Vec<provider_location::Model>,
    periods: Vec<PlacePeriod<Uuid>>,
    stays: Vec<Stay<Uuid>>,
    names: Names,
}

impl Facts {
    /// Reads what lies in `[from, to]`.
    async fn load<C: ConnectionTrait>(
        db: &C,
        scope: &RegionScope,
        party: &Party,
        filter: &CapacityFilter,
        (from, to): (NaiveDate, NaiveDate),
    ) -> DomainResult<Self> {
        let mut select = provider_location::Entity::scoped(scope).filter(visible(party));
        if let Some(agb) = &filter.provider_agb {
            let id = catalogue::provider(db, scope, agb).await?.map(|p| p.id);
            select =
                select.filter(provider_location::Column::ProviderId.eq(id.unwrap_or_default()));
        }
        if let Some(cbs) = &filter.municipality_cbs {
            let id = catalogue::municipality(db, scope, cbs).await?.map(|m| m.id);
            select =
                select.filter(provider_location::Column::MunicipalityId.eq(id.unwrap_or_default()));
        }
        let product = match &filter.product_code {
            Some(code) => Some(
                catalogue::product(db, scope, code)
                    .await?
                    .map(|p| p.id)
                    .unwrap_or_default(),
            ),
            None => None,
        };
        let ids = select
            .clone()
            .select_only()
            .column(provider_location::Column::Id)
            .into_query();
        let locations = select.all(db).await?;
        let mut periods = location_place::Entity::scoped(scope)
            .filter(location_place::Column::LocationId.in_subquery(ids.clone()))
            .filter(location_place::Column::ValidFrom.lte(to))
            .filter(
                Condition::any()
                    .add(location_place::Column::ValidTo.is_null())
                    .add(location_place::Column::ValidTo.gte(from)),
            );
        let mut allocations = allocation::Entity::scoped(scope)
            .filter(allocation::Column::LocationId.in_subquery(ids))
            .filter(allocation::Column::RemovedAt.is_null())
            .filter(allocation::Column::StartDate.lte(to))
            .filter(
                Condition::any()
                    .add(allocation::Column::EndDate.is_null())
                    .add(allocation::Column::EndDate.gte(from)),
            );
        if let Some(id) = product {
            periods = periods.filter(location_place::Column::ProductId.eq(id));
            allocations = allocations.filter(allocation::Column::ProductId.eq(id));
        }
        let periods: Vec<PlacePeriod<Uuid>> = periods
            .all(db)
            .await?
            .into_iter()
            .map(|p| PlacePeriod {
                location: p.location_id,
                product: p.product_id,
                places: i64::from(p.places),
                from: p.valid_from,
                to: p.valid_to,
            })
            .collect();
        let stays: Vec<Stay<Uuid>> = allocations
            .all(db)
            .await?
            .into_iter()
            .filter_map(|a| {
                let location = a.location_id?;
                let (from, to) = places::stay(
                    a.start_date,
                    a.end_date,
                    a.stopped_on,
                    a.care_ended_on,
                    a.removed_at.is_some(),
                )?;
                Some(Stay {
                    location,
                    product: a.product_id,
                    from,
                    to,
                })
            })
            .collect();
        let names = Names::load(
            db,
            scope,
            locations.iter().map(|l| l.provider_id),
            locations.iter().map(|l| l.municipality_id),
            periods
                .iter()
                .map(|p| p.product)
                .chain(stays.iter().map(|s| s.product)),
        )
        .await?;
        Ok(Self {
            locations,
            periods,
            stays,
            names,
        })
    }
}

/// One location and product on the day.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LocationCapacity {
    pub location_id: Uuid,
    pub location_name: String,
    pub provider_agb: String,
    pub provider_name: String,
    pub municipality_cbs: String,
    pub municipality_name: String,
    pub product_code: String,
    pub product_name: String,
    pub places: i64,
    pub occupied: i64,
    /// places − occupied; negative when over-occupied.
    pub free: i64,
}

/// Totals of one product over the locations.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductTotal {
    pub product_code: String,
    pub product_name: String,
    pub places: i64,
    pub occupied: i64,
    pub free: i64,
}

/// Totals of the locations in one municipality.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MunicipalityTotal {
    pub municipality_cbs: String,
    pub municipality_name: String,
    pub places: i64,
    pub occupied: i64,
    pub free: i64,
}

/// Capacity on a day: per location and product, per product, per
/// municipality.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Capacity {
    pub as_of: NaiveDate,
    pub locations: Vec<LocationCapacity>,
    pub products: Vec<ProductTotal>,
    pub municipalities: Vec<MunicipalityTotal>,
}

/// Places, occupied and free on `as_of` at the locations the party sees.
pub async fn capacity<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    party: &Party,
    filter: &CapacityFilter,
    as_of: NaiveDate,
) -> DomainResult<Capacity> {
    let facts = Facts::load(db, scope, party, filter, (as_of, as_of)).await?;
    let by_id: HashMap<Uuid, &provider_location::Model> =
        facts.locations.iter().map(|l| (l.id, l)).collect();
    let rows: Vec<Occupancy<Uuid>> = places::capacity_on(&facts.periods, &facts.stays, as_of);
    let names = &facts.names;
    let mut locations: Vec<LocationCapacity> = rows
        .iter()
        .filter_map(|r| {
            let l = by_id.get(&r.location)?;
            let (provider_agb, provider_name) = names.provider(l.provider_id);
            let (municipality_cbs, municipality_name) = names.municipality(l.municipality_id);
            let (product_code, product_name) = names.product(r.product);
            Some(LocationCapacity {
                location_id: l.id,
                location_name: l.name.clone(),
                provider_agb,
                provider_name,
                municipality_cbs,
                municipality_name,
                product_code,
                product_name,
                places: r.places,
                occupied: r.occupied,
                free: r.free,
            })
        })
        .collect();
    locations.sort_by(|a, b| {
        (
            &a.municipality_cbs,
            &a.provider_agb,
            &a.location_name,
            &a.product_code,
        )
            .cmp(&(
                &b.municipality_cbs,
                &b.provider_agb,
                &b.location_name,
                &b.product_code,
            ))
    });
    let municipality_of = |r: &Occupancy<Uuid>| {
        by_id
            .get(&r.location)
            .map(|l| names.municipality(l.municipality_id))
            .unwrap_or_default()
    };
    Ok(Capacity {
        as_of,
        products: places::totals(&rows, |r| names.product(r.product))
            .into_iter()
            .map(
                |((code, name), t): ((String, String), Totals)| ProductTotal {
                    product_code: code,
                    product_name: name,
                    places: t.places,
                    occupied: t.occupied,
                    free: t.free,
                },
            )
            .collect(),
        municipalities: places::totals(&rows, municipality_of)
            .into_iter()
            .map(
                |((cbs, name), t): ((String, String), Totals)| MunicipalityTotal {
                    municipality_cbs: cbs,
                    municipality_name: name,
                    places: t.places,
                    occupied: t.occupied,
                    free: t.free,
                },
            )
            .collect(),
        locations,
    })
}

/// One product in one month (definitions in `entities::steering::places`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CapacityMonth {
    /// `YYYY-MM`.
    pub month: String,
    pub product_code: String,
    pub product_name: String,
    pub days: i64,
    pub place_days: i64,
    pub occupied_days: i64,
    pub places: Decimal,
    pub occupied: Decimal,
    pub occupancy_percent: Option<Decimal>,
}

/// The monthly series of places and occupancy per product.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CapacitySeries {
    /// `YYYY-MM`.
    pub from: String,
    /// `YYYY-MM`.
    pub to: String,
    pub months: Vec<CapacityMonth>,
}

/// Places and occupancy per product for every month from the month of
/// `from` through the month of `to`, at the locations the party sees.
pub async fn series<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    party: &Party,
    filter: &CapacityFilter,
    (from, to): (NaiveDate, NaiveDate),
) -> DomainResult<CapacitySeries> {
    let months = places::months(from, to);
    let (Some(first), Some(last)) = (months.first().copied(), months.last().copied()) else {
        return Err(DomainError::unprocessable("to", "must not be before from"));
    };
    let end = places::month_bounds(last).1;
    let facts = Facts::load(db, scope, party, filter, (first, end)).await?;
    let figures: Vec<MonthFigure<Uuid>> = places::monthly(&facts.periods, &facts.stays, &months);
    let mut out: Vec<CapacityMonth> = figures
        .iter()
        .map(|f| {
            let (product_code, product_name) = facts.names.product(f.product);
            CapacityMonth {
                month: f.month.format("%Y-%m").to_string(),
                product_code,
                product_name,
                days: f.days,
                place_days: f.place_days,
                occupied_days: f.occupied_days,
                places: f.average_places(),
                occupied: f.average_occupied(),
                occupancy_percent: f.occupancy_percent(),
            }
        })
        .collect();
    out.sort_by(|a, b| (&a.month, &a.product_code).cmp(&(&b.month, &b.product_code)));
    Ok(CapacitySeries {
        from: first.format("%Y-%m").to_string(),
        to: last.format("%Y-%m").to_string(),
        months: out,
    })
}
