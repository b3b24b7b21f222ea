//! The live waiting list: every allocation in force on a day whose care has
//! not started, with the days its client waited and its group's waiting
//! norm (`entities::steering::waiting` defines each), totals per product
//! group, municipality and provider, and a `waiting-norm` signal once per
//! allocation past its norm.

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use entities::{
    enums::{LineStatus, SteeringSignalKind},
    policy::{kinds, PolicyRules},
    schema::{allocation, declaration_line},
    steering::waiting::{self, Facts, Totals},
    RegionScope, TenantEntity,
};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::{end_of, figures_by_scope, open_or, signals, Named, Names};
use crate::{error::DomainResult, parties::Party};

/// The list's filters, by code; an unknown code matches nothing.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub product_group_code: Option<String>,
    pub municipality_cbs: Option<String>,
    pub provider_agb: Option<String>,
}

/// A client waiting.
#[derive(Debug, Clone)]
pub struct Waiting {
    pub allocation_id: Uuid,
    pub allocation_number: i64,
    pub municipality_id: Uuid,
    pub municipality: Named,
    pub product_group_id: Uuid,
    pub product_group: Named,
    pub product: Named,
    pub provider_id: Uuid,
    pub provider: Named,
    /// The day the allocation was recorded.
    pub allocated_on: NaiveDate,
    pub days_waited: i64,
    pub norm_days: Option<u32>,
    pub over_norm: bool,
}

/// The totals of one group, municipality or provider.
#[derive(Debug, Clone)]
pub struct Total {
    pub of: Named,
    pub totals: Totals,
}

/// Who waits on `as_of`, longest first, and the totals.
#[derive(Debug, Clone)]
pub struct WaitingList {
    pub as_of: NaiveDate,
    pub rows: Vec<Waiting>,
    pub product_groups: Vec<Total>,
    pub municipalities: Vec<Total>,
    pub providers: Vec<Total>,
}

/// The waiting list on `as_of` as `party` sees it.
pub async fn waiting_list<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    party: &Party,
    as_of: NaiveDate,
    filter: &Filter,
) -> DomainResult<WaitingList> {
    let names = Names::load(db, scope).await?;
    load(db, scope, &names, party, as_of, filter).await
}

/// The waiting norm per scope key (a group code or `region`), in days.
async fn norms<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
) -> DomainResult<BTreeMap<String, u32>> {
    figures_by_scope(db, scope, kinds::WAITING_NORM, |rules| match rules {
        PolicyRules::WaitingNorm(p) => Some(p.days),
        _ => None,
    })
    .await
}

pub(super) async fn load<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    names: &Names,
    party: &Party,
    as_of: NaiveDate,
    filter: &Filter,
) -> DomainResult<WaitingList> {
    let norms = norms(db, scope).await?;
    let recorded_by = end_of(as_of);
    // The database narrows to the candidates; `waiting::waits_on` decides.
    let mut select = allocation::Entity::scoped(scope)
        .filter(party.allocations())
        .filter(allocation::Column::CreatedAt.lt(recorded_by))
        .filter(allocation::Column::StartDate.lte(as_of))
        .filter(open_or(allocation::Column::EndDate, as_of))
        .filter(open_or(allocation::Column::StoppedOn, as_of))
        .filter(
            Condition::any()
                .add(allocation::Column::RemovedAt.is_null())
                .add(allocation::Column::RemovedAt.gte(recorded_by)),
        )
        .filter(
            Condition::any()
                .add(allocation::Column::CareStartedOn.is_null())
                .add(allocation::Column::CareStartedOn.gt(as_of)),
        )
        .filter(
            Condition::any()
                .add(allocation::Column::CareEndedOn.is_null())
                .add(allocation::Column::CareEndedOn.gt(as_of)),
        );
    if let Some(code) = &filter.product_group_code {
        select = select
            .filter(allocation::Column::ProductId.is_in(names.products_of(names.group_id(code))));
    }
    if let Some(cbs) = &filter.municipality_cbs {
        select = select.filter(allocation::Column::MunicipalityId.eq(names.municipality_id(cbs)));
    }
    if let Some(agb) = &filter.provider_agb {
        select = select.filter(allocation::Column::ProviderId.eq(names.provider_id(agb)));
    }
    let candidates = select.all(db).await?;
    let declared = declared_by(db, scope, &candidates, as_of).await?;

    let mut rows = Vec::new();
    for a in candidates {
        let facts = Facts {
            recorded_on: a.created_at.date_naive(),
            removed_on: a.removed_at.map(|at| at.date_naive()),
            start_date: a.start_date,
            end_date: a.end_date,
            stopped_on: a.stopped_on,
            care_started_on: a.care_started_on,
            care_ended_on: a.care_ended_on,
            declared_by_then: declared.contains(&a.id),
        };
        if !waiting::waits_on(&facts, as_of) {
            continue;
        }
        let (product, group_id) = names
            .products
            .get(&a.product_id)
            .cloned()
            .unwrap_or_default();
        let group = names.group(group_id);
        let norm_days = waiting::group_rule(&norms, &group.code);
        let days_waited = waiting::days_waited(&facts, as_of);
        rows.push(Waiting {
            allocation_id: a.id,
            allocation_number: a.allocation_number,
            municipality_id: a.municipality_id,
            municipality: names.municipality(a.municipality_id),
            product_group_id: group_id,
            product_group: group,
            product,
            provider_id: a.provider_id,
            provider: names.provider(a.provider_id),
            allocated_on: facts.recorded_on,
            days_waited,
            norm_days,
            over_norm: waiting::over_norm(days_waited, norm_days),
        });
    }
    rows.sort_by(|a, b| {
        b.days_waited
            .cmp(&a.days_waited)
            .then(a.allocation_number.cmp(&b.allocation_number))
    });
    Ok(WaitingList {
        as_of,
        product_groups: totals_by(&rows, |w| &w.product_group),
        municipalities: totals_by(&rows, |w| &w.municipality),
        providers: totals_by(&rows, |w| &w.provider),
        rows,
    })
}

/// The candidates with an approved declaration (a debit no credit
/// reversed) from a day on or before `day`: their care has started. Each
/// is found through the lines' (allocation, period start) index.
async fn declared_by<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    candidates: &[allocation::Model],
    day: NaiveDate,
) -> DomainResult<HashSet<Uuid>> {
    let mut declared = HashSet::new();
    for chunk in candidates.chunks(500) {
        let ids: Vec<Uuid> = chunk.iter().map(|a| a.id).collect();
        let found: Vec<Uuid> = declaration_line::Entity::scoped(scope)
            .select_only()
            .column(declaration_line::Column::AllocationId)
            .distinct()
            .filter(declaration_line::Column::AllocationId.is_in(ids))
            .filter(declaration_line::Column::PeriodStart.lte(day))
            .filter(declaration_line::Column::Status.eq(LineStatus::Approved))
            .filter(declaration_line::Column::Credit.eq(false))
            .filter(declaration_line::Column::ReversedBy.is_null())
            .into_tuple()
            .all(db)
            .await?;
        declared.extend(found);
    }
    Ok(declared)
}

/// Totals per key (by code), from the rows.
fn totals_by(rows: &[Waiting], key: impl Fn(&Waiting) -> &Named) -> Vec<Total> {
    let mut waits: BTreeMap<String, (Named, Vec<(i64, bool)>)> = BTreeMap::new();
    for w in rows {
        let of = key(w);
        waits
            .entry(of.code.clone())
            .or_insert_with(|| (of.clone(), Vec::new()))
            .1
            .push((w.days_waited, w.over_norm));
    }
    waits
        .into_values()
        .filter_map(|(of, waits)| {
            Some(Total {
                of,
                totals: waiting::totals(&waits)?,
            })
        })
        .collect()
}

/// A `waiting-norm` signal per row past its norm; returns how many are new.
pub async fn raise_signals<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    list: &WaitingList,
) -> DomainResult<usize> {
    let mut raised = 0;
    for w in list.rows.iter().filter(|w| w.over_norm) {
        let detail = format!(
            "Toewijzing {} ({} {}) wacht {} dagen op de start van de zorg; de wachtnorm is {} dagen.",
            w.allocation_number,
            w.product_group.code,
            w.product_group.name,
            w.days_waited,
            w.norm_days.unwrap_or_default(),
        );
        let subject = signals::Subject {
            key: w.allocation_id.to_string(),
            provider_id: Some(w.provider_id),
            municipality_id: Some(w.municipality_id),
            product_group_id: Some(w.product_group_id),
            allocation_id: Some(w.allocation_id),
        };
        let kind = SteeringSignalKind::WaitingNorm;
        if signals::raise(db, scope, kind, subject, list.as_of, detail).await? {
            raised += 1;
        }
    }
    Ok(raised)
}
