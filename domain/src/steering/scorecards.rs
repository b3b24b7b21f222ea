//! Provider scorecards (issue 28): a provider's figures per product group
//! over a period beside the region's median for the group's providers
//! (`entities::steering::scorecard`), its outflow by reason of ending,
//! rejected lines and their top reasons, ceiling use, compliance standing
//! and contracts; and the list of a group's providers with the main
//! figures.
//!
//! Spend, time and lines come from the spend rollups, clients from the
//! served client months (`declared_clients`); waits, durations and endings
//! from the allocations of the groups overlapping the period; rejected
//! lines are counted by the database over the lines of those allocations
//! (through the lines' allocation index), never read one by one.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use entities::{
    contract_life::{last_day, latest_per_kind, standing, Standing},
    enums::{ArrangementPeriod, Law, LineStatus, Unit},
    report::{care_start, waiting_days, AllocationInfo},
    rollup::{month_of, period_mask, split_period, PeriodCells},
    schema::{
        allocation, budget_ceiling, compliance_check, contract, contract_product_group,
        declaration_line, declared_client, product, product_group, provider, spend_rollup,
        yearly_spend_rollup,
    },
    steering::scorecard::{
        group_standing, outflow, overall_standing, percent, provider_reads_medians, sort_rows,
        top_reasons, Cell, Ending, Figures, GroupUnit, Medians, OutflowRow, RejectionReason,
        SortField, SortKey,
    },
    RegionScope, TenantEntity,
};
use rust_decimal::Decimal;
use sea_orm::{
    sea_query::{Condition, Expr},
    ColumnTrait, DatabaseConnection, EntityTrait, FromQueryResult, JoinType, QueryFilter,
    QuerySelect, RelationDef,
};
use uuid::Uuid;

use crate::{
    catalogue,
    error::{DomainError, DomainResult},
    parties::Party,
};

/// The period a scorecard covers, days included. Spend, clients and lines
/// count the calendar months the period touches (the rollups are monthly).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// The last day of `to`'s month: the months' end.
    fn months_end(&self) -> NaiveDate {
        month_of(self.to)
            .checked_add_months(Months::new(1))
            .and_then(|next| next.pred_opt())
            .unwrap_or(self.to)
    }
}

/// A product group as the scorecard names it.
#[derive(Debug, Clone)]
pub struct GroupName {
    pub code: String,
    pub name: String,
    pub law: Law,
    /// `hour` for a group in hours, else its products' shared unit (`day`,
    /// `month`, `stay` …) or `None` when they differ.
    pub unit: Option<String>,
}

/// A provider's figures in one of its groups.
#[derive(Debug, Clone)]
pub struct GroupCard {
    pub group: GroupName,
    /// The providers of the group the medians are taken over.
    pub providers: usize,
    pub figures: Figures,
    pub medians: Medians,
    pub outflow: Vec<OutflowRow>,
}

/// One of the provider's budget ceilings of the period's years.
#[derive(Debug, Clone)]
pub struct CeilingUse {
    pub id: Uuid,
    pub year: i32,
    /// The groups it reaches; empty: all the provider's care.
    pub product_group_codes: Vec<String>,
    pub municipality_cbs: Option<String>,
    pub hard: bool,
    pub amount_cents: i64,
    pub spent_cents: i64,
    pub used_percent: Option<Decimal>,
}

/// The latest check of a kind and where it stands today.
#[derive(Debug, Clone)]
pub struct CheckStanding {
    pub kind: String,
    pub outcome: String,
    pub checked_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    /// `valid`, `expiring`, `expired` or `failed`.
    pub standing: &'static str,
}

/// One of the provider's contracts in force in or after the period.
#[derive(Debug, Clone)]
pub struct ContractEnd {
    pub id: Uuid,
    pub status: String,
    pub procurement_form: String,
    pub product_group_codes: Vec<String>,
    pub start_date: NaiveDate,
    /// Its last day: the term's end with options and amendments, or the
    /// termination date.
    pub ends_on: Option<NaiveDate>,
}

/// A provider's scorecard.
#[derive(Debug, Clone)]
pub struct Scorecard {
    pub provider_agb: String,
    pub provider_name: String,
    pub period: Period,
    pub groups: Vec<GroupCard>,
    pub rejected_lines: i64,
    pub assessed_lines: i64,
    pub rejected_percent: Option<Decimal>,
    pub rejection_reasons: Vec<RejectionReason>,
    pub ceilings: Vec<CeilingUse>,
    /// The worst standing of the latest checks, or `unchecked`.
    pub compliance_standing: &'static str,
    pub compliance: Vec<CheckStanding>,
    pub contracts: Vec<ContractEnd>,
}

/// A row of the list of a group's providers.
#[derive(Debug, Clone)]
pub struct ListRow {
    pub provider_agb: String,
    pub provider_name: String,
    pub figures: Figures,
}

impl SortKey for ListRow {
    fn key(&self, field: SortField) -> Option<Decimal> {
        let f = &self.figures;
        match field {
            SortField::Spend => Some(f.spend),
            SortField::Clients => Some(Decimal::from(f.clients)),
            SortField::HoursPerClient => f.hours_per_client,
            SortField::MedianWaitDays => f.median_wait_days,
            SortField::RejectedPercent => f.rejected_percent,
            SortField::MarketSharePercent => f.market_share_percent,
            SortField::ProviderAgb => None,
        }
    }

    fn agb(&self) -> &str {
        &self.provider_agb
    }
}

/// A group's providers with their main figures.
#[derive(Debug, Clone)]
pub struct ScorecardList {
    pub group: GroupName,
    pub period: Period,
    pub providers: usize,
    pub medians: Medians,
    pub rows: Vec<ListRow>,
}

/// The region's catalogue as the scorecards read it.
struct Catalogue {
    groups: HashMap<Uuid, product_group::Model>,
    products: HashMap<Uuid, product::Model>,
    providers: HashMap<Uuid, provider::Model>,
}

impl Catalogue {
    async fn load(db: &DatabaseConnection, scope: &RegionScope) -> DomainResult<Self> {
        let (groups, products, providers) = tokio::try_join!(
            product_group::Entity::scoped(scope).all(db),
            product::Entity::scoped(scope).all(db),
            provider::Entity::scoped(scope).all(db),
        )?;
        Ok(Self {
            groups: groups.into_iter().map(|g| (g.id, g)).collect(),
            products: products.into_iter().map(|p| (p.id, p)).collect(),
            providers: providers.into_iter().map(|p| (p.id, p)).collect(),
        })
    }

    fn group_code(&self, id: Uuid) -> String {
        self.groups
            .get(&id)
            .map(|g| g.code.clone())
            .unwrap_or_default()
    }

    fn products_of(&self, groups: &BTreeSet<Uuid>) -> Vec<Uuid> {
        self.products
            .values()
            .filter(|p| groups.contains(&p.product_group_id))
            .map(|p| p.id)
            .collect()
    }

    fn unit(&self, group: Uuid) -> GroupUnit {
        let units: BTreeSet<&str> = self
            .products
            .values()
            .filter(|p| p.product_group_id == group)
            .map(|p| match (p.unit, p.arrangement_period) {
                (_, Some(ArrangementPeriod::Stay)) => "stay",
                (unit, _) => unit.as_str(),
            })
            .collect();
        // A group bought in days with hourly top-ups (beschermd wonen's
        // temporary intensive hours) is a day group: hours per client only
        // where every product counts time.
        let time = [Unit::Hour.as_str(), Unit::Minute.as_str()];
        if !units.is_empty() && units.iter().all(|u| time.contains(u)) {
            return GroupUnit::Hours;
        }
        let mut units = units.into_iter();
        match (units.next(), units.next()) {
            (Some(one), None) => GroupUnit::Other(Some(one.to_owned())),
            _ => GroupUnit::Other(None),
        }
    }

    fn name(&self, group: Uuid) -> GroupName {
        let g = self.groups.get(&group);
        GroupName {
            code: g.map(|g| g.code.clone()).unwrap_or_default(),
            name: g.map(|g| g.name.clone()).unwrap_or_default(),
            law: g.map_or(Law::Wmo, |g| g.law),
            unit: self.unit(group).name(),
        }
    }
}

/// What a scorecard reads of an allocation.
#[derive(Debug, FromQueryResult)]
struct AllocationRow {
    provider_id: Uuid,
    product_id: Uuid,
    start_date: NaiveDate,
    end_date: Option<NaiveDate>,
    care_started_on: Option<NaiveDate>,
    care_ended_on: Option<NaiveDate>,
    stopped_on: Option<NaiveDate>,
    stop_reason: Option<String>,
    care_end_reason: Option<String>,
    removed_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

/// Per group and provider, the [`Cell`] of the period; and per provider its
/// rejected lines by reason code.
struct Cells {
    by_group: BTreeMap<Uuid, BTreeMap<Uuid, Cell>>,
    reasons: HashMap<Uuid, BTreeMap<Option<String>, i64>>,
}

/// The spend cells of a rollup table: (group, provider, cents, lines, minutes).
type SpendRow = (Uuid, Uuid, i64, i64, i64);

async fn spend(
    db: &DatabaseConnection,
    scope: &RegionScope,
    period: Period,
    groups: &BTreeSet<Uuid>,
) -> DomainResult<Vec<SpendRow>> {
    let PeriodCells { years, months } = split_period(month_of(period.from), period.to);
    let groups: Vec<Uuid> = groups.iter().copied().collect();
    let mut rows = Vec::new();
    if let Some((first, last)) = years {
        use yearly_spend_rollup::Column as C;
        rows.extend(
            yearly_spend_rollup::Entity::scoped(scope)
                .select_only()
                .column(C::ProductGroupId)
                .column(C::ProviderId)
                .column_as(Expr::cust("CAST(SUM(amount_cents) AS BIGINT)"), "cents")
                .column_as(Expr::cust("CAST(SUM(line_count) AS BIGINT)"), "lines")
                .column_as(Expr::cust("CAST(SUM(minutes) AS BIGINT)"), "minutes")
                .filter(C::Year.between(first, last))
                .filter(C::ProductGroupId.is_in(groups.clone()))
                .group_by(C::ProductGroupId)
                .group_by(C::ProviderId)
                .into_tuple::<SpendRow>()
                .all(db)
                .await?,
        );
    }
    if !months.is_empty() {
        use spend_rollup::Column as C;
        let in_months = months.iter().fold(Condition::any(), |any, (first, last)| {
            any.add(C::Month.between(*first, *last))
        });
        rows.extend(
            spend_rollup::Entity::scoped(scope)
                .select_only()
                .column(C::ProductGroupId)
                .column(C::ProviderId)
                .column_as(Expr::cust("CAST(SUM(amount_cents) AS BIGINT)"), "cents")
                .column_as(Expr::cust("CAST(SUM(line_count) AS BIGINT)"), "lines")
                .column_as(Expr::cust("CAST(SUM(minutes) AS BIGINT)"), "minutes")
                .filter(in_months)
                .filter(C::ProductGroupId.is_in(groups))
                .group_by(C::ProductGroupId)
                .group_by(C::ProviderId)
                .into_tuple::<SpendRow>()
                .all(db)
                .await?,
        );
    }
    Ok(rows)
}

/// Allocations whose period overlaps `period`.
fn overlapping(scope: &RegionScope, period: Period) -> sea_orm::Select<allocation::Entity> {
    allocation::Entity::scoped(scope)
        .filter(allocation::Column::StartDate.lte(period.to))
        .filter(
            Condition::any()
                .add(allocation::Column::EndDate.is_null())
                .add(allocation::Column::EndDate.gte(period.from)),
        )
}

/// The cells of `groups` over the period: every provider with spend,
/// clients, an allocation or a rejected line in a group.
async fn cells(
    db: &DatabaseConnection,
    scope: &RegionScope,
    catalogue: &Catalogue,
    period: Period,
    groups: &BTreeSet<Uuid>,
) -> DomainResult<Cells> {
    let (from, to) = (period.from, period.to);
    let products = catalogue.products_of(groups);
    let group_ids: Vec<Uuid> = groups.iter().copied().collect();
    let clients_query = declared_client::Entity::scoped(scope)
        .select_only()
        .column(declared_client::Column::Year)
        .column(declared_client::Column::ClientNumber)
        .column(declared_client::Column::ProductGroupId)
        .column(declared_client::Column::ProviderId)
        .column(declared_client::Column::MonthsMask)
        .filter(declared_client::Column::Year.between(from.year(), to.year()))
        .filter(declared_client::Column::ProductGroupId.is_in(group_ids))
        .into_tuple::<(i32, i64, Uuid, Uuid, i32)>();
    use allocation::Column as A;
    let allocations_query = overlapping(scope, period)
        .filter(A::ProductId.is_in(products.clone()))
        .select_only()
        .columns([
            A::ProviderId,
            A::ProductId,
            A::StartDate,
            A::EndDate,
            A::CareStartedOn,
            A::CareEndedOn,
            A::StoppedOn,
            A::StopReason,
            A::CareEndReason,
            A::RemovedAt,
            A::CreatedAt,
        ])
        .into_model::<AllocationRow>();
    // The period's rejected lines of the groups' allocations, counted per
    // provider, product and reason by the database.
    let line_allocation: RelationDef = declaration_line::Entity::belongs_to(allocation::Entity)
        .from(declaration_line::Column::AllocationId)
        .to(allocation::Column::Id)
        .into();
    let rejected_query = declaration_line::Entity::scoped(scope)
        .select_only()
        .column(A::ProviderId)
        .column(A::ProductId)
        .column(declaration_line::Column::ReasonCode)
        .column_as(Expr::cust("COUNT(*)"), "n")
        .join(JoinType::InnerJoin, line_allocation)
        .filter(A::RegionId.eq(scope.region_id))
        .filter(A::ProductId.is_in(products))
        .filter(declaration_line::Column::Status.eq(LineStatus::Rejected))
        .filter(declaration_line::Column::PeriodStart.between(month_of(from), period.months_end()))
        .group_by(A::ProviderId)
        .group_by(A::ProductId)
        .group_by(declaration_line::Column::ReasonCode)
        .into_tuple::<(Uuid, Uuid, Option<String>, i64)>();
    let (spend, clients, allocations, rejected) = tokio::try_join!(
        spend(db, scope, period, groups),
        async { Ok(clients_query.all(db).await?) },
        async { Ok(allocations_query.all(db).await?) },
        async { Ok::<_, DomainError>(rejected_query.all(db).await?) },
    )?;

    let mut by_group: BTreeMap<Uuid, BTreeMap<Uuid, Cell>> = BTreeMap::new();
    fn at(
        cells: &mut BTreeMap<Uuid, BTreeMap<Uuid, Cell>>,
        group: Uuid,
        provider: Uuid,
    ) -> &mut Cell {
        cells.entry(group).or_default().entry(provider).or_default()
    }
    for (group, provider, cents, lines, minutes) in spend {
        let c = at(&mut by_group, group, provider);
        c.spend_cents += cents;
        c.approved_lines += lines;
        c.minutes += minutes;
    }
    let mut served: HashMap<(Uuid, Uuid), HashSet<i64>> = HashMap::new();
    let mut masks: HashMap<i32, i32> = HashMap::new();
    for (year, client, group, provider, mask) in clients {
        let period_months = *masks
            .entry(year)
            .or_insert_with(|| period_mask(year, from, to));
        if mask & period_months != 0 {
            served.entry((group, provider)).or_default().insert(client);
        }
    }
    for ((group, provider), clients) in served {
        at(&mut by_group, group, provider).clients = clients.len();
    }
    let group_of = |product: Uuid| catalogue.products.get(&product).map(|p| p.product_group_id);
    let law_of = |group: Uuid| catalogue.groups.get(&group).map_or(Law::Wmo, |g| g.law);
    let within = |day: NaiveDate| from <= day && day <= to;
    for a in allocations {
        let Some(group) = group_of(a.product_id) else {
            continue;
        };
        let c = at(&mut by_group, group, a.provider_id);
        // Waiting as the monitoring report counts it (`entities::report`).
        let info = AllocationInfo {
            client: 0,
            provider_agb: String::new(),
            product_code: String::new(),
            product_group_id: group,
            municipality_id: Uuid::nil(),
            allocated_on: a.created_at.date_naive(),
            care_started_on: a.care_started_on,
            start_date: a.start_date,
            end_date: a.end_date,
            episodes: vec![],
        };
        if let Some(wait) = waiting_days(&info).filter(|_| within(care_start(&info))) {
            c.waits.push(wait);
        }
        // Care that ended in the period: the end the provider reported
        // (307), else the allocation's end; a removed one never was care.
        let end = a.care_ended_on.or(a.end_date);
        if let Some(end) = end.filter(|e| within(*e) && a.removed_at.is_none()) {
            c.durations
                .push((end - care_start(&info)).num_days().max(0) + 1);
            c.endings.push(Ending::of(
                law_of(group),
                // The provider's code (307) first, else the office's stop.
                a.care_end_reason.as_deref().or(a.stop_reason.as_deref()),
                a.stopped_on.is_some(),
                a.care_ended_on.is_some(),
            ));
        }
    }
    let mut reasons: HashMap<Uuid, BTreeMap<Option<String>, i64>> = HashMap::new();
    for (provider, product, code, n) in rejected {
        let Some(group) = group_of(product) else {
            continue;
        };
        at(&mut by_group, group, provider).rejected_lines += n;
        *reasons
            .entry(provider)
            .or_default()
            .entry(code)
            .or_default() += n;
    }
    Ok(Cells { by_group, reasons })
}

/// The groups a provider may have a cell in: those of its spend and of its
/// allocations in the period (the cells decide).
async fn groups_of_provider(
    db: &DatabaseConnection,
    scope: &RegionScope,
    catalogue: &Catalogue,
    period: Period,
    provider_id: Uuid,
) -> DomainResult<BTreeSet<Uuid>> {
    use yearly_spend_rollup::Column as Y;
    let spent: Vec<Uuid> = yearly_spend_rollup::Entity::scoped(scope)
        .select_only()
        .column(Y::ProductGroupId)
        .distinct()
        .filter(Y::ProviderId.eq(provider_id))
        .filter(Y::Year.between(period.from.year(), period.to.year()))
        .into_tuple()
        .all(db)
        .await?;
    let allocated: Vec<Uuid> = overlapping(scope, period)
        .select_only()
        .column(allocation::Column::ProductId)
        .distinct()
        .filter(allocation::Column::ProviderId.eq(provider_id))
        .into_tuple()
        .all(db)
        .await?;
    Ok(spent
        .into_iter()
        .chain(
            allocated
                .into_iter()
                .filter_map(|p| catalogue.products.get(&p).map(|p| p.product_group_id)),
        )
        .collect())
}

/// The provider `agb`'s scorecard over `period`. Another provider's AGB is
/// as missing to a provider as one that does not exist.
pub async fn scorecard(
    db: &DatabaseConnection,
    scope: &RegionScope,
    party: &Party,
    agb: &str,
    period: Period,
) -> DomainResult<Scorecard> {
    let found = catalogue::provider(db, scope, agb)
        .await?
        .filter(|p| party.sees_provider(p.id))
        .ok_or(DomainError::NotFound)?;
    let catalogue = Catalogue::load(db, scope).await?;
    let groups = groups_of_provider(db, scope, &catalogue, period, found.id).await?;
    let Cells {
        by_group,
        mut reasons,
    } = cells(db, scope, &catalogue, period, &groups).await?;
    let mut cards: Vec<GroupCard> = by_group
        .iter()
        .filter(|(_, cells)| cells.contains_key(&found.id))
        .map(|(group, cells)| {
            let unit = catalogue.unit(*group);
            let mut standing = group_standing(&unit, cells);
            let mut outflow = outflow(found.id, cells);
            if !medians_for(party, true, cells.len()) {
                standing.medians = Medians::default();
                outflow
                    .iter_mut()
                    .for_each(|row| row.share_percent_region_median = None);
            }
            GroupCard {
                group: catalogue.name(*group),
                providers: cells.len(),
                figures: standing.providers.remove(&found.id).unwrap_or_default(),
                medians: standing.medians,
                outflow,
            }
        })
        .collect();
    cards.sort_by(|a, b| a.group.code.cmp(&b.group.code));
    let rejected_lines: i64 = cards.iter().map(|c| c.figures.rejected_lines).sum();
    let assessed_lines: i64 = cards.iter().map(|c| c.figures.assessed_lines).sum();
    let (ceilings, (compliance_standing, compliance), contracts) = tokio::try_join!(
        ceilings_of(db, scope, &catalogue, period, found.id),
        compliance_of(db, scope, found.id),
        contracts_of(db, scope, &catalogue, period, found.id),
    )?;
    Ok(Scorecard {
        provider_agb: found.agb_code,
        provider_name: found.name,
        period,
        groups: cards,
        rejected_lines,
        assessed_lines,
        rejected_percent: percent(rejected_lines, assessed_lines),
        rejection_reasons: top_reasons(&reasons.remove(&found.id).unwrap_or_default()),
        ceilings,
        compliance_standing,
        compliance,
        contracts,
    })
}

/// The providers of group `code` with their main figures, sorted on
/// `sort` (descending if asked). A provider sees its own row only; the
/// medians are the region's.
pub async fn list(
    db: &DatabaseConnection,
    scope: &RegionScope,
    party: &Party,
    code: &str,
    period: Period,
    (sort, descending): (SortField, bool),
) -> DomainResult<ScorecardList> {
    let catalogue = Catalogue::load(db, scope).await?;
    let group = catalogue
        .groups
        .values()
        .find(|g| g.code == code)
        .map(|g| g.id)
        .ok_or(DomainError::NotFound)?;
    let Cells { mut by_group, .. } =
        cells(db, scope, &catalogue, period, &BTreeSet::from([group])).await?;
    let cells = by_group.remove(&group).unwrap_or_default();
    let standing = group_standing(&catalogue.unit(group), &cells);
    let mut rows: Vec<ListRow> = standing
        .providers
        .into_iter()
        .filter(|(id, _)| party.sees_provider(*id))
        .map(|(id, figures)| {
            let p = catalogue.providers.get(&id);
            ListRow {
                provider_agb: p.map(|p| p.agb_code.clone()).unwrap_or_default(),
                provider_name: p.map(|p| p.name.clone()).unwrap_or_default(),
                figures,
            }
        })
        .collect();
    sort_rows(&mut rows, sort, descending);
    let in_group = party
        .provider_id()
        .is_some_and(|id| cells.contains_key(&id));
    Ok(ScorecardList {
        group: catalogue.name(group),
        period,
        providers: cells.len(),
        medians: if medians_for(party, in_group, cells.len()) {
            standing.medians
        } else {
            Medians::default()
        },
        rows,
    })
}

/// Whether `party` reads a group's medians: the office and the access
/// teams always, a provider only as one of enough providers that the
/// medians give none of the others away.
fn medians_for(party: &Party, in_group: bool, providers: usize) -> bool {
    !matches!(party, Party::Provider { .. }) || provider_reads_medians(in_group, providers)
}

async fn ceilings_of(
    db: &DatabaseConnection,
    scope: &RegionScope,
    catalogue: &Catalogue,
    period: Period,
    provider_id: Uuid,
) -> DomainResult<Vec<CeilingUse>> {
    let ceilings = budget_ceiling::Entity::scoped(scope)
        .filter(budget_ceiling::Column::ProviderId.eq(provider_id))
        .filter(budget_ceiling::Column::Year.between(period.from.year(), period.to.year()))
        .all(db)
        .await?;
    let combined =
        crate::ceilings::combined_groups(db, scope, ceilings.iter().map(|c| c.id)).await?;
    let municipalities = crate::codes::CodeBook::load(db, scope).await?;
    let mut rows: Vec<CeilingUse> = ceilings
        .into_iter()
        .map(|c| {
            let mut groups: Vec<String> = c
                .product_group_id
                .into_iter()
                .chain(combined.get(&c.id).into_iter().flatten().copied())
                .map(|g| catalogue.group_code(g))
                .collect();
            groups.sort();
            CeilingUse {
                id: c.id,
                year: c.year,
                product_group_codes: groups,
                municipality_cbs: c.municipality_id.map(|m| municipalities.municipality(m)),
                hard: c.hard,
                amount_cents: c.amount_cents,
                spent_cents: c.spent_cents,
                used_percent: percent(c.spent_cents, c.amount_cents).filter(|_| c.amount_cents > 0),
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        (a.year, &a.product_group_codes, &a.municipality_cbs, a.id).cmp(&(
            b.year,
            &b.product_group_codes,
            &b.municipality_cbs,
            b.id,
        ))
    });
    Ok(rows)
}

/// The latest check per kind, where it stands today (the register's
/// `compliance` policy horizon warns ahead), and the worst of them.
async fn compliance_of(
    db: &DatabaseConnection,
    scope: &RegionScope,
    provider_id: Uuid,
) -> DomainResult<(&'static str, Vec<CheckStanding>)> {
    let today = entities::clock::now().date_naive();
    let checks = compliance_check::Entity::scoped(scope)
        .filter(compliance_check::Column::ProviderId.eq(provider_id))
        .filter(compliance_check::Column::CheckedOn.lte(today))
        .all(db)
        .await?;
    let policy = crate::contract_watch::compliance_policy(db, scope).await?;
    let rows: Vec<CheckStanding> = latest_per_kind(&checks)
        .into_iter()
        .map(|c| CheckStanding {
            kind: c.kind.as_str().to_owned(),
            outcome: c.outcome.as_str().to_owned(),
            checked_on: c.checked_on,
            valid_until: c.valid_until,
            standing: match standing(c, today, policy.horizon_days) {
                Standing::Valid => "valid",
                Standing::Expiring => "expiring",
                Standing::Expired => "expired",
                Standing::Failed => "failed",
            },
        })
        .collect();
    Ok((overall_standing(rows.iter().map(|r| r.standing)), rows))
}

/// The provider's contracts that start by the period's end and end (if
/// ever) on or after its start, soonest end first.
async fn contracts_of(
    db: &DatabaseConnection,
    scope: &RegionScope,
    catalogue: &Catalogue,
    period: Period,
    provider_id: Uuid,
) -> DomainResult<Vec<ContractEnd>> {
    let contracts: Vec<contract::Model> = contract::Entity::scoped(scope)
        .filter(contract::Column::ProviderId.eq(provider_id))
        .filter(contract::Column::StartDate.lte(period.to))
        .all(db)
        .await?
        .into_iter()
        .filter(|c| last_day(c).is_none_or(|end| end >= period.from))
        .collect();
    let links = contract_product_group::Entity::scoped(scope)
        .filter(contract_product_group::Column::ContractId.is_in(contracts.iter().map(|c| c.id)))
        .all(db)
        .await?;
    let mut groups: HashMap<Uuid, Vec<String>> = HashMap::new();
    for link in links {
        groups
            .entry(link.contract_id)
            .or_default()
            .push(catalogue.group_code(link.product_group_id));
    }
    let mut rows: Vec<ContractEnd> = contracts
        .into_iter()
        .map(|c| {
            let mut codes = groups.remove(&c.id).unwrap_or_default();
            codes.sort();
            ContractEnd {
                id: c.id,
                status: c.status.as_str().to_owned(),
                procurement_form: c.procurement_form.as_str().to_owned(),
                product_group_codes: codes,
                start_date: c.start_date,
                ends_on: last_day(&c),
            }
        })
        .collect();
    rows.sort_by_key(|c| (c.ends_on.is_none(), c.ends_on, c.start_date, c.id));
    Ok(rows)
}
