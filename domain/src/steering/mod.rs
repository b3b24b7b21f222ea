//! The office's steering instruments (issue 28): who waits now, how each
//! provider stands beside the others of its groups, whether every
//! municipality has enough providers, stacked care, places, youth turning
//! 18, referrers. Each reads the region's rows through the scoped helpers
//! and the party's filter, applies the pure definitions in
//! `entities::steering`, and raises a [`signals`] row once where the office
//! must act.

pub mod care_overlaps;
pub mod coverage;
pub mod locations;
pub mod scorecards;
pub mod signals;
pub mod turning_18;
pub mod waiting_list;

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use entities::{
    policy::{kinds, PolicyRules},
    schema::{allocation, municipality, policy, product, product_group, provider},
    RegionScope, TenantEntity,
};
use sea_orm::{
    sea_query::Condition, ColumnTrait, ConnectionTrait, DatabaseConnection, QueryFilter,
    QuerySelect,
};
use uuid::Uuid;

use crate::error::DomainResult;

/// A code and the name people read beside it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Named {
    pub code: String,
    pub name: String,
}

/// The region's catalogue by id: codes and names of municipalities,
/// product groups, products (with their group) and providers.
pub struct Names {
    pub municipalities: BTreeMap<Uuid, Named>,
    pub groups: BTreeMap<Uuid, Named>,
    pub products: HashMap<Uuid, (Named, Uuid)>,
    pub providers: HashMap<Uuid, Named>,
}

impl Names {
    pub async fn load<C: ConnectionTrait>(db: &C, scope: &RegionScope) -> DomainResult<Self> {
        let (municipalities, groups, products, providers) = tokio::try_join!(
            municipality::Entity::scoped(scope).all(db),
            product_group::Entity::scoped(scope).all(db),
            product::Entity::scoped(scope).all(db),
            provider::Entity::scoped(scope).all(db),
        )?;
        let named = |code: String, name: String| Named { code, name };
        Ok(Self {
            municipalities: municipalities
                .into_iter()
                .map(|m| (m.id, named(m.cbs_code, m.name)))
                .collect(),
            groups: groups
                .into_iter()
                .map(|g| (g.id, named(g.code, g.name)))
                .collect(),
            products: products
                .into_iter()
                .map(|p| (p.id, (named(p.code, p.name), p.product_group_id)))
                .collect(),
            providers: providers
                .into_iter()
                .map(|p| (p.id, named(p.agb_code, p.name)))
                .collect(),
        })
    }

    pub fn municipality(&self, id: Uuid) -> Named {
        self.municipalities.get(&id).cloned().unwrap_or_default()
    }

    pub fn group(&self, id: Uuid) -> Named {
        self.groups.get(&id).cloned().unwrap_or_default()
    }

    pub fn provider(&self, id: Uuid) -> Named {
        self.providers.get(&id).cloned().unwrap_or_default()
    }

    /// The id of the municipality with CBS code `cbs`; the nil id (which
    /// matches nothing) when the region has none.
    pub fn municipality_id(&self, cbs: &str) -> Uuid {
        id_of(self.municipalities.iter(), cbs)
    }

    pub fn group_id(&self, code: &str) -> Uuid {
        id_of(self.groups.iter(), code)
    }

    pub fn provider_id(&self, agb: &str) -> Uuid {
        id_of(self.providers.iter(), agb)
    }

    /// The ids of the products of group `group_id`.
    pub fn products_of(&self, group_id: Uuid) -> Vec<Uuid> {
        self.products
            .iter()
            .filter(|(_, (_, group))| *group == group_id)
            .map(|(id, _)| *id)
            .collect()
    }
}

fn id_of<'a>(mut named: impl Iterator<Item = (&'a Uuid, &'a Named)>, code: &str) -> Uuid {
    named
        .find(|(_, n)| n.code == code)
        .map(|(id, _)| *id)
        .unwrap_or_default()
}

/// What the valid rules of a policy `kind` the region set give through
/// `figure` (the norm's days, the minimum), by scope key (a product group's
/// code or `region`).
pub async fn figures_by_scope<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    kind: &str,
    figure: impl Fn(PolicyRules) -> Option<u32>,
) -> DomainResult<BTreeMap<String, u32>> {
    Ok(policy::Entity::scoped(scope)
        .filter(policy::Column::Kind.eq(kind))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|p| {
            Some((
                p.scope_key,
                figure(PolicyRules::parse(&p.kind, p.body).ok()?)?,
            ))
        })
        .collect())
}

/// Allocations whose `column` (an end or a stop) is open or not before `day`.
pub fn open_or(column: allocation::Column, day: NaiveDate) -> Condition {
    Condition::any().add(column.is_null()).add(column.gte(day))
}

/// The first moment after `day` (UTC): what was recorded before it was
/// recorded by the end of `day`.
pub fn end_of(day: NaiveDate) -> DateTime<Utc> {
    day.succ_opt()
        .unwrap_or(NaiveDate::MAX)
        .and_time(chrono::NaiveTime::MIN)
        .and_utc()
}

/// What one day's steering check raised in a region.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SignalRun {
    pub waiting_norm: usize,
    pub coverage: usize,
}

/// The daily steering check in every region with a `waiting-norm` or
/// `coverage` policy: waiting-norm and coverage signals, each once.
pub async fn run_day(
    db: &DatabaseConnection,
    today: NaiveDate,
) -> DomainResult<Vec<(Uuid, SignalRun)>> {
    // Across all regions: the schedule serves every tenant.
    #[allow(clippy::disallowed_methods)]
    let regions: Vec<Uuid> = <policy::Entity as sea_orm::EntityTrait>::find()
        .select_only()
        .column(policy::Column::RegionId)
        .distinct()
        .filter(policy::Column::Kind.is_in([kinds::WAITING_NORM, kinds::COVERAGE]))
        .into_tuple()
        .all(db)
        .await?;
    let mut done = Vec::new();
    for region_id in regions {
        // One region's failure leaves the others their check; tomorrow's
        // tick tries it again.
        match signal_region(db, &RegionScope::new(region_id), today).await {
            Ok(run) => done.push((region_id, run)),
            Err(e) => tracing::error!(%region_id, error = %e, "steering check failed"),
        }
    }
    Ok(done)
}

/// One region's steering check for `today`: a `waiting-norm` signal per
/// allocation whose client waits past its norm, a `coverage` signal per
/// municipality and group below its minimum. Running it again raises
/// nothing new.
pub async fn signal_region(
    db: &DatabaseConnection,
    scope: &RegionScope,
    today: NaiveDate,
) -> DomainResult<SignalRun> {
    let names = Names::load(db, scope).await?;
    let waiting = waiting_list::load(
        db,
        scope,
        &names,
        &crate::parties::Party::Office,
        today,
        &waiting_list::Filter::default(),
    )
    .await?;
    let covered = coverage::load(db, scope, &names, today, &coverage::Filter::default()).await?;
    let txn = entities::transaction::begin_write(db).await?;
    let run = SignalRun {
        waiting_norm: waiting_list::raise_signals(&txn, scope, &waiting).await?,
        coverage: coverage::raise_signals(&txn, scope, &covered).await?,
    };
    txn.commit().await?;
    Ok(run)
}
