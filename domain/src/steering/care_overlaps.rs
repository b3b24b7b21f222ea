//! Stacked care (`entities::steering::care_overlaps`): the check a new or
//! changed allocation goes through (warn, or refuse under the region's
//! `care-overlap` policy, and a `care-overlap` signal per stacked pair),
//! and the list of stacked pairs `GET …/care-overlaps` shows.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use entities::{
    enums::SteeringSignalKind,
    policy::{kinds, OverlapAction, PolicyRules},
    schema::{allocation, product, product_group},
    steering::care_overlaps::{self as rules, Held, Overlap, Stacking},
    RegionScope, TenantEntity, TenantRecord,
};
use sea_orm::{
    sea_query::{Condition, Expr},
    ColumnTrait, ConnectionTrait, DatabaseTransaction, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, Select,
};
use serde::Serialize;
use uuid::Uuid;

use super::{
    signals::{self, Subject},
    Names,
};
use crate::{
    declarations,
    error::{DomainError, DomainResult},
    parties::Party,
    policies,
};

/// The code of the warning in an allocation's answer and of the refusal.
pub const CODE: &str = "ZR-ALLOC-OVERLAP";

/// Something the caller should know about a stored allocation.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Warning {
    pub code: &'static str,
    pub message: String,
    /// The other allocation of the pair; `None` for a party that may not
    /// see it.
    pub allocation_number: Option<i64>,
    /// Where the other allocation is, to tell who may see it.
    #[serde(skip)]
    other: (Uuid, Uuid),
    /// The message without the other allocation's number.
    #[serde(skip)]
    unnamed: String,
}

impl Warning {
    /// The warning as `party` may read it: an allocation the party may not
    /// see is not named (the client's stacked care is still said, because
    /// the party is about to pay for it twice).
    pub fn as_seen_by(self, party: &Party) -> Self {
        let (municipality, provider) = self.other;
        let seen = match party {
            Party::Office | Party::CentralAccess => true,
            Party::Municipality { id, .. } => *id == municipality,
            Party::Provider { id, .. } => *id == provider,
        };
        if seen {
            return self;
        }
        Self {
            message: self.unnamed.clone(),
            allocation_number: None,
            ..self
        }
    }
}

/// An allocation about to be stored, as the check sees it.
pub struct Candidate<'a> {
    pub number: i64,
    pub client_key: &'a str,
    pub product: &'a product::Model,
    pub provider_id: Uuid,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    /// For a change: the allocation's id and its end date before the change.
    pub changing: Option<(Uuid, Option<NaiveDate>)>,
}

/// What the candidate stacks on, found before it is stored.
pub struct Stacked {
    group: product_group::Model,
    found: Vec<(allocation::Model, Stacking, Overlap)>,
}

/// Finds the client's allocations of the same product group the candidate
/// stacks on (for a change: those it adds stacked days with). Under a
/// `care-overlap` policy `{ "action": "refuse" }` any such allocation is a
/// 422 `ZR-ALLOC-OVERLAP` and nothing is stored.
pub async fn check(
    txn: &DatabaseTransaction,
    scope: &RegionScope,
    candidate: Candidate<'_>,
) -> DomainResult<Stacked> {
    let group = product_group::Entity::find_scoped(txn, scope, candidate.product.product_group_id)
        .await?
        .ok_or(DomainError::NotFound)?;
    // One client's allocations are checked one transaction at a time (on
    // PostgreSQL; SQLite has one writer anyway), as the intensive limit is.
    let client_number = entities::client_number::client_number(candidate.client_key);
    declarations::lock_in_region(txn, scope, (client_number ^ (client_number >> 32)) as i32)
        .await?;
    let in_group = product::Entity::scoped(scope)
        .select_only()
        .column(product::Column::Id)
        .filter(product::Column::ProductGroupId.eq(group.id))
        .into_query();
    let mut others = allocation::Entity::scoped(scope)
        .filter(allocation::Column::ClientNumber.eq(client_number))
        .filter(allocation::Column::ClientKey.eq(candidate.client_key))
        .filter(allocation::Column::RemovedAt.is_null())
        .filter(allocation::Column::ProductId.in_subquery(in_group));
    if let Some((id, _)) = candidate.changing {
        others = others.filter(allocation::Column::Id.ne(id));
    }
    let this = Held {
        number: candidate.number,
        client_key: candidate.client_key.to_owned(),
        product_group: group.id,
        product: candidate.product.id,
        provider: candidate.provider_id,
        start: candidate.start,
        end: candidate.end,
    };
    let mut found = Vec::new();
    for other in others
        .order_by_asc(allocation::Column::AllocationNumber)
        .all(txn)
        .await?
    {
        let held = held(&other, group.id);
        let stacked = match candidate.changing {
            Some((_, before_end)) => rules::added_by_change(before_end, &this, &held),
            None => rules::stacking(&this, &held),
        };
        if let Some((kind, overlap)) = stacked {
            found.push((other, kind, overlap));
        }
    }
    if !found.is_empty() && action(txn, scope).await? == OverlapAction::Refuse {
        let messages: Vec<String> = found
            .iter()
            // The caller may not see the other allocations: not named.
            .map(|(_, kind, overlap)| message(&group, None, *kind, overlap))
            .collect();
        return Err(DomainError::rule(
            CODE,
            format!(
                "Allocation {}: {} The region's care-overlap policy refuses stacked care.",
                candidate.number,
                messages.join(" ")
            ),
        ));
    }
    Ok(Stacked { group, found })
}

impl Stacked {
    /// After `saved` is stored: a `care-overlap` signal per stacked pair
    /// (once per pair), and the warnings for the answer.
    pub async fn settle<C: ConnectionTrait>(
        self,
        db: &C,
        scope: &RegionScope,
        saved: &allocation::Model,
    ) -> DomainResult<Vec<Warning>> {
        let today = entities::clock::now().date_naive();
        let mut warnings = Vec::with_capacity(self.found.len());
        for (other, kind, overlap) in self.found {
            let text = message(&self.group, Some(other.allocation_number), kind, &overlap);
            let (low, high) = (saved.id.min(other.id), saved.id.max(other.id));
            signals::raise(
                db,
                scope,
                SteeringSignalKind::CareOverlap,
                Subject {
                    key: format!("{low}:{high}"),
                    provider_id: Some(saved.provider_id),
                    municipality_id: Some(saved.municipality_id),
                    product_group_id: Some(self.group.id),
                    allocation_id: Some(saved.id),
                },
                today,
                signal_detail(
                    &self.group,
                    (saved.allocation_number, other.allocation_number),
                    kind,
                    &overlap,
                ),
            )
            .await?;
            warnings.push(Warning {
                code: CODE,
                unnamed: message(&self.group, None, kind, &overlap),
                message: text,
                allocation_number: Some(other.allocation_number),
                other: (other.municipality_id, other.provider_id),
            });
        }
        Ok(warnings)
    }
}

/// The region's `care-overlap` action; warn while it has none.
async fn action<C: ConnectionTrait>(db: &C, scope: &RegionScope) -> DomainResult<OverlapAction> {
    Ok(
        match policies::region_rules(db, scope, kinds::CARE_OVERLAP).await? {
            Some(PolicyRules::CareOverlap(p)) => p.action,
            _ => OverlapAction::Warn,
        },
    )
}

/// Names the pair without naming the client.
fn message(
    group: &product_group::Model,
    other: Option<i64>,
    kind: Stacking,
    overlap: &Overlap,
) -> String {
    let other = match other {
        Some(number) => format!("allocation {number}"),
        None => "another allocation of this client".to_owned(),
    };
    let why = match kind {
        Stacking::DifferentProviders => "at another provider",
        Stacking::SameProduct => "for the same product",
    };
    let until = match (overlap.to, overlap.days()) {
        (Some(to), Some(days)) => format!("to {to} ({days} days)"),
        _ => "on (open end)".to_owned(),
    };
    format!(
        "stacks on {other} {why} in product group {} from {} {until}.",
        group.code, overlap.from
    )
}

/// The signal's explanation, in Dutch for the office's pages.
fn signal_detail(
    group: &product_group::Model,
    (this, other): (i64, i64),
    kind: Stacking,
    overlap: &Overlap,
) -> String {
    let why = match kind {
        Stacking::DifferentProviders => "bij een andere aanbieder",
        Stacking::SameProduct => "voor hetzelfde product",
    };
    let until = match overlap.to {
        Some(to) => format!("tot en met {}", to.format("%d-%m-%Y")),
        None => "zonder einddatum".to_owned(),
    };
    format!(
        "Toewijzing {this} overlapt met toewijzing {other} van dezelfde cliënt {why} in perceel {} ({}), vanaf {} {until}.",
        group.code,
        group.name,
        overlap.from.format("%d-%m-%Y")
    )
}

fn held(a: &allocation::Model, group: Uuid) -> Held {
    Held {
        number: a.allocation_number,
        client_key: a.client_key.clone(),
        product_group: group,
        product: a.product_id,
        provider: a.provider_id,
        start: a.start_date,
        end: rules::last_day(a.end_date, a.stopped_on),
    }
}

/// `GET …/care-overlaps`' filters.
#[derive(Debug, Clone)]
pub struct Filter {
    /// Pairs whose overlap runs on this day or later.
    pub as_of: NaiveDate,
    pub product_group_code: Option<String>,
    /// Pairs with either allocation in this municipality.
    pub municipality_cbs: Option<String>,
}

/// One stacked pair, the lower allocation number first.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Pair {
    pub kind: Stacking,
    pub product_group_code: String,
    pub product_group_name: String,
    pub overlap_from: NaiveDate,
    /// `None` while both run on.
    pub overlap_to: Option<NaiveDate>,
    /// Shared days, both ends counted; `None` while both run on.
    pub days: Option<i64>,
    pub first: Side,
    pub second: Side,
}

/// One allocation of a pair.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Side {
    pub allocation_number: i64,
    pub provider_agb: String,
    pub provider_name: String,
    pub product_code: String,
    pub product_name: String,
    pub municipality_cbs: String,
    pub municipality_name: String,
    pub start_date: NaiveDate,
    /// Its last day (the end date, or the stop when earlier).
    pub end_date: Option<NaiveDate>,
}

/// The pairs of one product group.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupTotal {
    pub product_group_code: String,
    pub product_group_name: String,
    pub pairs: usize,
    pub clients: usize,
}

/// Every stacked pair the party sees.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Overlaps {
    pub as_of: NaiveDate,
    pub pairs: Vec<Pair>,
    pub groups: Vec<GroupTotal>,
    pub total_pairs: usize,
    /// Clients with at least one pair.
    pub clients: usize,
}

/// The stacked pairs whose overlap has not ended before `asOf`, among the
/// allocations the party sees (a pair shows only when both do), not
/// removed, in the group of the filter; with the municipality filter, the
/// pairs with either allocation there.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    party: &Party,
    filter: &Filter,
) -> DomainResult<Overlaps> {
    let names = Names::load(db, scope).await?;
    // Not ended before asOf (a stop ends it too), not removed, the party's.
    let mut base = allocation::Entity::scoped(scope)
        .filter(allocation::Column::RemovedAt.is_null())
        .filter(
            Condition::any()
                .add(allocation::Column::EndDate.is_null())
                .add(allocation::Column::EndDate.gte(filter.as_of)),
        )
        .filter(
            Condition::any()
                .add(allocation::Column::StoppedOn.is_null())
                .add(allocation::Column::StoppedOn.gte(filter.as_of)),
        )
        .filter(party.allocations());
    if let Some(code) = &filter.product_group_code {
        base = base
            .filter(allocation::Column::ProductId.is_in(names.products_of(names.group_id(code))));
    }
    let rows = with_more_than_one(base).all(db).await?;
    let held: Vec<Held> = rows
        .iter()
        .map(|a| {
            let group = names.products.get(&a.product_id).map(|(_, g)| *g);
            held(a, group.unwrap_or_default())
        })
        .collect();
    let municipality = filter
        .municipality_cbs
        .as_deref()
        .map(|cbs| names.municipality_id(cbs));
    let side = |a: &allocation::Model, h: &Held| {
        let provider = names.provider(a.provider_id);
        let product = names
            .products
            .get(&a.product_id)
            .map(|(p, _)| p.clone())
            .unwrap_or_default();
        let place = names.municipality(a.municipality_id);
        Side {
            allocation_number: a.allocation_number,
            provider_agb: provider.code,
            provider_name: provider.name,
            product_code: product.code,
            product_name: product.name,
            municipality_cbs: place.code,
            municipality_name: place.name,
            start_date: a.start_date,
            end_date: h.end,
        }
    };
    let mut pairs = Vec::new();
    let mut per_group: BTreeMap<String, (String, usize, BTreeSet<&str>)> = BTreeMap::new();
    let mut clients = BTreeSet::new();
    for p in rules::pairs(&held) {
        let (a, b) = (&rows[p.first], &rows[p.second]);
        if !p.overlap.reaches(filter.as_of)
            || municipality.is_some_and(|m| a.municipality_id != m && b.municipality_id != m)
        {
            continue;
        }
        let group = names.group(held[p.first].product_group);
        let entry = per_group
            .entry(group.code.clone())
            .or_insert_with(|| (group.name.clone(), 0, BTreeSet::new()));
        entry.1 += 1;
        entry.2.insert(a.client_key.as_str());
        clients.insert(a.client_key.as_str());
        pairs.push(Pair {
            kind: p.kind,
            product_group_code: group.code,
            product_group_name: group.name,
            overlap_from: p.overlap.from,
            overlap_to: p.overlap.to,
            days: p.overlap.days(),
            first: side(a, &held[p.first]),
            second: side(b, &held[p.second]),
        });
    }
    Ok(Overlaps {
        as_of: filter.as_of,
        total_pairs: pairs.len(),
        clients: clients.len(),
        groups: per_group
            .into_iter()
            .map(|(code, (name, pairs, clients))| GroupTotal {
                product_group_code: code,
                product_group_name: name,
                pairs,
                clients: clients.len(),
            })
            .collect(),
        pairs,
    })
}

/// Only the rows of clients with two or more of them: a client with one
/// allocation stacks on nothing.
fn with_more_than_one(base: Select<allocation::Entity>) -> Select<allocation::Entity> {
    use sea_orm::sea_query::ExprTrait as _;
    let several = base
        .clone()
        .select_only()
        .column(allocation::Column::ClientNumber)
        .group_by(allocation::Column::ClientNumber)
        .having(Expr::col(allocation::Column::Id).count().gt(1))
        .into_query();
    base.filter(allocation::Column::ClientNumber.in_subquery(several))
        .order_by_asc(allocation::Column::AllocationNumber)
}
