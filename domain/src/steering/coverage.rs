//! Coverage of the care landscape: for every municipality × product group
//! of the region, the providers contracted for it and those active there
//! in the last 12 months, against the group's `coverage` minimum
//! (`entities::steering::coverage` defines each); a `coverage` signal once
//! per cell below it. The region's public information: every party sees
//! all of it.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use entities::{
    contract_life::last_day,
    enums::SteeringSignalKind,
    policy::{kinds, PolicyRules},
    schema::{allocation, contract, contract_municipality, contract_product_group},
    steering::{
        coverage::{self, ContractCover, Served},
        waiting::group_rule,
    },
    RegionScope, TenantEntity,
};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::{end_of, figures_by_scope, signals, Named, Names};
use crate::error::DomainResult;

/// The filters, by code; an unknown code matches nothing.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub product_group_code: Option<String>,
    pub municipality_cbs: Option<String>,
}

/// One municipality × product group.
#[derive(Debug, Clone)]
pub struct Cell {
    pub municipality_id: Uuid,
    pub municipality: Named,
    pub product_group_id: Uuid,
    pub product_group: Named,
    /// Providers (AGB and name), by AGB.
    pub contracted: Vec<Named>,
    pub active: Vec<Named>,
    pub minimum_providers: Option<u32>,
    pub below_minimum: bool,
}

/// The landscape on `as_of`.
#[derive(Debug, Clone)]
pub struct Coverage {
    pub as_of: NaiveDate,
    /// The 12 months in which a provider counts as active.
    pub active_from: NaiveDate,
    pub active_to: NaiveDate,
    pub cells: Vec<Cell>,
}

/// The coverage on `as_of`: by municipality (CBS code), then group code.
pub async fn coverage<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    as_of: NaiveDate,
    filter: &Filter,
) -> DomainResult<Coverage> {
    let names = Names::load(db, scope).await?;
    load(db, scope, &names, as_of, filter).await
}

/// The minimum of active providers per scope key (a group code or `region`).
async fn minima<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
) -> DomainResult<BTreeMap<String, u32>> {
    figures_by_scope(db, scope, kinds::COVERAGE, |rules| match rules {
        PolicyRules::Coverage(p) => Some(p.minimum_providers),
        _ => None,
    })
    .await
}

pub(super) async fn load<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    names: &Names,
    as_of: NaiveDate,
    filter: &Filter,
) -> DomainResult<Coverage> {
    let minima = minima(db, scope).await?;
    let (active_from, active_to) = coverage::window(as_of);
    let mut municipalities: Vec<(&Uuid, &Named)> = names.municipalities.iter().collect();
    municipalities.sort_by(|a, b| a.1.code.cmp(&b.1.code));
    let mut groups: Vec<(&Uuid, &Named)> = names.groups.iter().collect();
    groups.sort_by(|a, b| a.1.code.cmp(&b.1.code));
    let municipalities: Vec<Uuid> = municipalities
        .into_iter()
        .filter(|(_, m)| {
            filter
                .municipality_cbs
                .as_ref()
                .is_none_or(|c| *c == m.code)
        })
        .map(|(id, _)| *id)
        .collect();
    let groups: Vec<Uuid> = groups
        .into_iter()
        .filter(|(_, g)| {
            filter
                .product_group_code
                .as_ref()
                .is_none_or(|c| *c == g.code)
        })
        .map(|(id, _)| *id)
        .collect();
    let contracts = contracts(db, scope, as_of).await?;
    let allocations = served(db, scope, names, as_of, active_from).await?;
    let cells = coverage::cells(
        (&municipalities, &groups),
        &contracts,
        &allocations,
        as_of,
        |group| group_rule(&minima, &names.group(group).code),
    );
    let providers = |ids: &std::collections::BTreeSet<Uuid>| {
        let mut named: Vec<Named> = ids.iter().map(|id| names.provider(*id)).collect();
        named.sort_by(|a, b| a.code.cmp(&b.code));
        named
    };
    Ok(Coverage {
        as_of,
        active_from,
        active_to,
        cells: cells
            .into_iter()
            .map(|c| Cell {
                municipality: names.municipality(c.municipality_id),
                municipality_id: c.municipality_id,
                product_group: names.group(c.product_group_id),
                product_group_id: c.product_group_id,
                contracted: providers(&c.contracted),
                active: providers(&c.active),
                minimum_providers: c.minimum,
                below_minimum: c.below_minimum,
            })
            .collect(),
    })
}

/// The region's contracts that started by `as_of`, with what they cover.
async fn contracts<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    as_of: NaiveDate,
) -> DomainResult<Vec<ContractCover>> {
    let (contracts, group_links, municipality_links) = tokio::try_join!(
        contract::Entity::scoped(scope)
            .filter(contract::Column::StartDate.lte(as_of))
            .all(db),
        contract_product_group::Entity::scoped(scope).all(db),
        contract_municipality::Entity::scoped(scope).all(db),
    )?;
    let mut groups: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for link in group_links {
        groups
            .entry(link.contract_id)
            .or_default()
            .push(link.product_group_id);
    }
    let mut municipalities: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for link in municipality_links {
        municipalities
            .entry(link.contract_id)
            .or_default()
            .push(link.municipality_id);
    }
    Ok(contracts
        .into_iter()
        .map(|c| ContractCover {
            provider_id: c.provider_id,
            start_date: c.start_date,
            last_day: last_day(&c),
            product_groups: groups.remove(&c.id).unwrap_or_default(),
            municipalities: municipalities.remove(&c.id).unwrap_or_default(),
        })
        .collect())
}

type ServedRow = (
    Uuid,
    Uuid,
    Uuid,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    NaiveDate,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<NaiveDate>,
);

/// The allocations that may have run in the window (`served_within`
/// decides), the columns it needs only.
async fn served<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    names: &Names,
    as_of: NaiveDate,
    from: NaiveDate,
) -> DomainResult<Vec<Served>> {
    use allocation::Column as A;
    let rows: Vec<ServedRow> = allocation::Entity::scoped(scope)
        .select_only()
        .columns([
            A::ProviderId,
            A::MunicipalityId,
            A::ProductId,
            A::CreatedAt,
            A::RemovedAt,
            A::StartDate,
            A::EndDate,
            A::CareStartedOn,
            A::CareEndedOn,
        ])
        .filter(A::CreatedAt.lt(end_of(as_of)))
        .filter(A::StartDate.lte(as_of))
        .filter(
            Condition::any()
                .add(A::EndDate.is_null())
                .add(A::EndDate.gte(from)),
        )
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(
            |(provider, municipality, product, created, removed, start, end, started, ended)| {
                Served {
                    provider_id: provider,
                    municipality_id: municipality,
                    product_group_id: names
                        .products
                        .get(&product)
                        .map(|(_, group)| *group)
                        .unwrap_or_default(),
                    recorded_on: created.date_naive(),
                    removed_on: removed.map(|at| at.date_naive()),
                    start_date: start,
                    end_date: end,
                    care_started_on: started,
                    care_ended_on: ended,
                }
            },
        )
        .collect())
}

/// A `coverage` signal per cell below its minimum; returns how many are new.
pub async fn raise_signals<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    coverage: &Coverage,
) -> DomainResult<usize> {
    let mut raised = 0;
    for cell in coverage.cells.iter().filter(|c| c.below_minimum) {
        let detail = format!(
            "Gemeente {} ({}) heeft {} actieve aanbieder(s) voor {} ({}); het minimum is {}.",
            cell.municipality.name,
            cell.municipality.code,
            cell.active.len(),
            cell.product_group.name,
            cell.product_group.code,
            cell.minimum_providers.unwrap_or_default(),
        );
        let subject = signals::Subject {
            key: format!("{}:{}", cell.municipality.code, cell.product_group.code),
            municipality_id: Some(cell.municipality_id),
            product_group_id: Some(cell.product_group_id),
            ..Default::default()
        };
        let kind = SteeringSignalKind::Coverage;
        if signals::raise(db, scope, kind, subject, coverage.as_of, detail).await? {
            raised += 1;
        }
    }
    Ok(raised)
}
