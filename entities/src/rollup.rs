//! Rollups of approved declaration lines (tables from migration 5): what a
//! batch adds is gathered in memory and added to the stored cells with one
//! upsert per chunk, in the batch's transaction. Reports read these cells
//! instead of scanning the lines.
//!
//! A client counts in a month while an approved debit of that month stands
//! (issue 27): a credit that reverses the last one takes the client out of
//! the month again ([`Rollups::save`] reads what still stands), as the
//! rebuild from the lines does (`migration::backfill_rollups`).
//!
//! Task-funded care (issue 27) is never declared: the monthly funding run
//! adds the paid instalments as spend ([`Rollups::add_paid`]) and the
//! months its clients' allocations are in force ([`Rollups::add_served`]).

use crate::tenancy::tenant_join;
use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use sea_orm::{
    sea_query::{Alias, Expr, ExprTrait, JoinType, OnConflict, Query, SimpleExpr},
    ActiveEnum, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};
use uuid::Uuid;

use crate::{
    enums::LineStatus,
    schema::{allocation, declaration_line, declared_client, product},
    RegionScope, TenantEntity,
};

/// Rows per multi-row upsert, inside SQLite's parameter limit.
const CHUNK: usize = 500;

/// One approved line, as the rollups see it.
pub struct ApprovedCell {
    pub period_start: NaiveDate,
    pub product_group_id: Uuid,
    pub municipality_id: Uuid,
    pub provider_id: Uuid,
    /// The client's number (`crate::client_number`).
    pub client_number: i64,
    pub amount_cents: i64,
    /// Delivered time in minutes (a line in hours or minutes; 0 otherwise;
    /// negative for a credit).
    pub minutes: i64,
    /// A credit: it adds no month to the client, and may empty one.
    pub credit: bool,
    /// The allocation's referrer (COD327), when known.
    pub referrer: Option<String>,
}

/// A line's delivered volume in minutes, when its product counts time.
pub fn minutes_of(unit: crate::enums::Unit, volume: i64) -> i64 {
    match unit {
        crate::enums::Unit::Hour => volume * 60,
        crate::enums::Unit::Minute => volume,
        _ => 0,
    }
}

/// The first day of the date's month.
pub fn month_of(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

/// The bit of the date's month in `months_mask` (bit 0 = January).
pub fn month_bit(date: NaiveDate) -> i32 {
    1 << date.month0()
}

/// The bits of the months of `year` that fall in `[from, to]` (whole months).
pub fn period_mask(year: i32, from: NaiveDate, to: NaiveDate) -> i32 {
    (1..=12u32)
        .filter_map(|m| NaiveDate::from_ymd_opt(year, m, 1))
        .filter(|first| month_of(from) <= *first && *first <= to)
        .fold(0, |mask, first| mask | month_bit(first))
}

/// The bits of the months of `year`, up to and including `through` (that
/// year's first days of months), in which an allocation from `start` to
/// `end` (open: `None`) is in force on some day.
pub fn months_in_force(
    year: i32,
    start: NaiveDate,
    end: Option<NaiveDate>,
    through: NaiveDate,
) -> i32 {
    (1..=12u32)
        .filter_map(|m| NaiveDate::from_ymd_opt(year, m, 1))
        .filter(|first| *first <= through)
        .filter(|first| {
            let last = first
                .checked_add_months(chrono::Months::new(1))
                .and_then(|next| next.pred_opt())
                .unwrap_or(*first);
            start <= last && end.is_none_or(|end| end >= *first)
        })
        .fold(0, |mask, first| mask | month_bit(first))
}

/// A period of whole months as the spend rollups read it.
#[derive(Debug, PartialEq)]
pub struct PeriodCells {
    /// Its whole calendar years, first and last: the yearly cells.
    pub years: Option<(i32, i32)>,
    /// The months outside them, as up to two ranges: the monthly cells.
    pub months: Vec<(NaiveDate, NaiveDate)>,
}

/// Splits a period of whole months into [`PeriodCells`].
pub fn split_period(from: NaiveDate, to: NaiveDate) -> PeriodCells {
    let cells = |years, months| PeriodCells { years, months };
    let jan1 = |year| NaiveDate::from_ymd_opt(year, 1, 1);
    let dec31 = |year| NaiveDate::from_ymd_opt(year, 12, 31);
    let first = if jan1(from.year()) == Some(from) {
        from.year()
    } else {
        from.year() + 1
    };
    let last = if dec31(to.year()) == Some(to) {
        to.year()
    } else {
        to.year() - 1
    };
    let (Some(start), Some(end)) = (jan1(first), dec31(last)) else {
        return cells(None, vec![(from, to)]);
    };
    if first > last {
        return cells(None, vec![(from, to)]);
    }
    let mut months = vec![];
    if from < start {
        months.push((from, start.pred_opt().unwrap_or(start)));
    }
    if to > end {
        months.push((end.succ_opt().unwrap_or(end), to));
    }
    cells(Some((first, last)), months)
}

/// A spend cell: (month, group, municipality, provider).
type SpendCell = (NaiveDate, Uuid, Uuid, Uuid);
/// A cell of the yearly spend: (year, group, municipality, provider).
type YearCell = (i32, Uuid, Uuid, Uuid);
/// A cell of the spend per group: (month, group, municipality).
type GroupCell = (NaiveDate, Uuid, Uuid);
/// A cell of the spend per referrer (migration 26): (month, group,
/// municipality, referrer code or `""` when none is known).
type ReferrerCell = (NaiveDate, Uuid, Uuid, String);
/// What a spend cell sums: (cents, lines, minutes).
type Sums = (i64, i64, i64);
/// A row of `declared_clients`: (year, client number, product group,
/// municipality, provider).
pub type ClientCell = (i32, i64, Uuid, Uuid, Uuid);

/// The months of each cell a client is still served in: the approved,
/// standing (not credited) debits, as (client number, product group,
/// municipality, provider, period start).
pub fn served_months(
    debits: impl IntoIterator<Item = (i64, Uuid, Uuid, Uuid, NaiveDate)>,
) -> BTreeMap<ClientCell, i32> {
    let mut served: BTreeMap<ClientCell, i32> = BTreeMap::new();
    for (client, group, municipality, provider, start) in debits {
        *served
            .entry((start.year(), client, group, municipality, provider))
            .or_default() |= month_bit(start);
    }
    served
}

/// The months to take out of each cell: those a credit touched in which no
/// debit stands any more. Cells with nothing to take out are left out.
pub fn emptied_months(
    credited: &BTreeMap<ClientCell, i32>,
    served: &BTreeMap<ClientCell, i32>,
) -> BTreeMap<ClientCell, i32> {
    credited
        .iter()
        .map(|(cell, months)| (*cell, months & !served.get(cell).copied().unwrap_or(0)))
        .filter(|(_, emptied)| *emptied != 0)
        .collect()
}

/// What one batch adds. Keys are sorted, so concurrent batches lock the
/// cells they share in the same order (no deadlocks on PostgreSQL).
#[derive(Default)]
pub struct Rollups {
    spend: BTreeMap<SpendCell, Sums>,
    /// The same spend per year (migration 18).
    yearly: BTreeMap<YearCell, Sums>,
    /// The same spend per month without the provider (migration 18).
    groups: BTreeMap<GroupCell, Sums>,
    /// The same spend per month, group, municipality and referrer (migration 26).
    referrers: BTreeMap<ReferrerCell, Sums>,
    /// (year, client number, product group, municipality, provider) → months.
    months: BTreeMap<ClientCell, i32>,
    /// The months of the same cells that a credit touched: they may have
    /// lost their last standing debit.
    credited: BTreeMap<ClientCell, i32>,
}

impl Rollups {
    pub fn add(&mut self, cell: ApprovedCell) {
        let month = month_of(cell.period_start);
        let (group, municipality) = (cell.product_group_id, cell.municipality_id);
        for sums in [
            self.spend
                .entry((month, group, municipality, cell.provider_id))
                .or_default(),
            self.yearly
                .entry((month.year(), group, municipality, cell.provider_id))
                .or_default(),
            self.groups.entry((month, group, municipality)).or_default(),
            self.referrers
                .entry((
                    month,
                    group,
                    municipality,
                    cell.referrer.clone().unwrap_or_default(),
                ))
                .or_default(),
        ] {
            sums.0 += cell.amount_cents;
            sums.1 += 1;
            sums.2 += cell.minutes;
        }
        let months = if cell.credit {
            &mut self.credited
        } else {
            &mut self.months
        };
        *months
            .entry((
                cell.period_start.year(),
                cell.client_number,
                cell.product_group_id,
                cell.municipality_id,
                cell.provider_id,
            ))
            .or_default() |= month_bit(cell.period_start);
    }

    /// A task budget's instalment (issue 27): `cents` paid for `month` to
    /// the contractor `provider` for the task product's `group`, one
    /// municipality's share of it. It sums like an approved line's amount
    /// but counts no line and no time.
    pub fn add_paid(
        &mut self,
        month: NaiveDate,
        group: Uuid,
        municipality: Uuid,
        provider: Uuid,
        cents: i64,
    ) {
        let month = month_of(month);
        for sums in [
            self.spend
                .entry((month, group, municipality, provider))
                .or_default(),
            self.yearly
                .entry((month.year(), group, municipality, provider))
                .or_default(),
            self.groups.entry((month, group, municipality)).or_default(),
            // A task instalment has no allocation, so no referrer.
            self.referrers
                .entry((month, group, municipality, String::new()))
                .or_default(),
        ] {
            sums.0 += cents;
        }
    }

    /// Months of `cell` in which the client is served without a declared
    /// line: an allocation of a task product in force (issue 27). They are
    /// ORed in like a debit's month. (A credit of a line of another product
    /// in the same cell that empties the month takes it out; the next
    /// funding run marks it again.)
    pub fn add_served(&mut self, cell: ClientCell, months: i32) {
        if months != 0 {
            *self.months.entry(cell).or_default() |= months;
        }
    }

    /// Adds the batch to the stored rollups.
    pub async fn save<C: ConnectionTrait>(&self, db: &C, scope: &RegionScope) -> Result<(), DbErr> {
        let spend_key = [
            "month",
            "product_group_id",
            "municipality_id",
            "provider_id",
        ];
        add_sums(db, scope, "spend_rollups", spend_key, &self.spend).await?;
        let yearly_key = ["year", "product_group_id", "municipality_id", "provider_id"];
        add_sums(db, scope, "yearly_spend_rollups", yearly_key, &self.yearly).await?;
        let group_key = ["month", "product_group_id", "municipality_id"];
        add_sums(db, scope, "group_spend_rollups", group_key, &self.groups).await?;
        let referrer_key = ["month", "product_group_id", "municipality_id", "referrer"];
        add_sums(
            db,
            scope,
            "referrer_spend_rollups",
            referrer_key,
            &self.referrers,
        )
        .await?;
        let months: Vec<declared_client::ActiveModel> = self
            .months
            .iter()
            .map(|((year, client, group, municipality, provider), &mask)| {
                declared_client::ActiveModel {
                    region_id: Set(scope.region_id),
                    year: Set(*year),
                    client_number: Set(*client),
                    product_group_id: Set(*group),
                    municipality_id: Set(*municipality),
                    provider_id: Set(*provider),
                    months_mask: Set(mask),
                }
            })
            .collect();
        for chunk in months.chunks(CHUNK) {
            use declared_client::Column as C;
            declared_client::Entity::insert_many(chunk.to_vec())
                .on_conflict(
                    OnConflict::columns([
                        C::RegionId,
                        C::Year,
                        C::ClientNumber,
                        C::ProductGroupId,
                        C::MunicipalityId,
                        C::ProviderId,
                    ])
                    .value(
                        C::MonthsMask,
                        sea_orm::sea_query::Expr::cust(
                            "declared_clients.months_mask | excluded.months_mask",
                        ),
                    )
                    // Only when a month is new: a line for a month already
                    // counted (a correction, another line of the month)
                    // writes no new row version. Nothing is read back, so
                    // a chunk that changes no row is not an error.
                    .action_and_where(sea_orm::sea_query::Expr::cust(
                        "declared_clients.months_mask | excluded.months_mask \
                         <> declared_clients.months_mask",
                    ))
                    .to_owned(),
                )
                .exec_without_returning(db)
                .await?;
        }
        if !self.credited.is_empty() {
            let served = self.served(db, scope).await?;
            take_out(db, scope, &emptied_months(&self.credited, &served)).await?;
        }
        Ok(())
    }

    /// The months in which the credited cells' clients still have an
    /// approved debit that no credit reversed, read from the lines (the
    /// batch's own are stored by now).
    async fn served<C: ConnectionTrait>(
        &self,
        db: &C,
        scope: &RegionScope,
    ) -> Result<BTreeMap<ClientCell, i32>, DbErr> {
        let clients: BTreeSet<i64> = self.credited.keys().map(|cell| cell.1).collect();
        let years = self.credited.keys().map(|cell| cell.0);
        let (first, last) = (years.clone().min(), years.max());
        let (Some(from), Some(to)) = (
            first.and_then(|y| NaiveDate::from_ymd_opt(y, 1, 1)),
            last.and_then(|y| NaiveDate::from_ymd_opt(y, 12, 31)),
        ) else {
            return Ok(BTreeMap::new());
        };
        let clients: Vec<i64> = clients.into_iter().collect();
        let mut debits = Vec::new();
        for chunk in clients.chunks(CHUNK) {
            let select = standing_debits(scope, chunk, (from, to), None);
            for row in db.query_all(&select).await? {
                debits.push((
                    row.try_get_by_index::<i64>(0)?,
                    row.try_get_by_index::<Uuid>(1)?,
                    row.try_get_by_index::<Uuid>(2)?,
                    row.try_get_by_index::<Uuid>(3)?,
                    row.try_get_by_index::<NaiveDate>(4)?,
                ));
            }
        }
        Ok(served_months(debits))
    }
}

/// The approved debits of `clients` that no credit reversed, with a
/// period starting in `[from, to]`: (client number, product group,
/// municipality, provider, period start). With `as_of`, as they stood then:
/// only lines of batches recorded by it, and a reversal only when its
/// credit was (the report's cut-off).
pub fn standing_debits(
    scope: &RegionScope,
    clients: &[i64],
    (from, to): (NaiveDate, NaiveDate),
    as_of: Option<chrono::DateTime<chrono::Utc>>,
) -> sea_orm::sea_query::SelectStatement {
    use crate::schema::declaration_batch;
    let (l, a, p) = (Alias::new("l"), Alias::new("a"), Alias::new("p"));
    let mut select = Query::select();
    select
        .column((a.clone(), allocation::Column::ClientNumber))
        .column((p.clone(), product::Column::ProductGroupId))
        .column((a.clone(), allocation::Column::MunicipalityId))
        .column((a.clone(), allocation::Column::ProviderId))
        .column((l.clone(), declaration_line::Column::PeriodStart))
        .from_as(declaration_line::Entity, l.clone())
        .join_as(
            JoinType::InnerJoin,
            allocation::Entity,
            a.clone(),
            tenant_join(&a, &l, declaration_line::Column::AllocationId),
        )
        .join_as(
            JoinType::InnerJoin,
            product::Entity,
            p.clone(),
            tenant_join(&p, &a, allocation::Column::ProductId),
        )
        .and_where(Expr::col((l.clone(), declaration_line::Column::RegionId)).eq(scope.region_id))
        .and_where(
            Expr::col((a.clone(), allocation::Column::ClientNumber)).is_in(clients.iter().copied()),
        )
        .and_where(
            Expr::col((l.clone(), declaration_line::Column::Status))
                .eq(Expr::val(LineStatus::Approved.to_value())),
        )
        .and_where(Expr::col((l.clone(), declaration_line::Column::Credit)).eq(false))
        .and_where(Expr::col((l.clone(), declaration_line::Column::PeriodStart)).between(from, to));
    let Some(as_of) = as_of else {
        select.and_where(Expr::col((l.clone(), declaration_line::Column::ReversedBy)).is_null());
        return select;
    };
    // The line's batch, the credit that reversed it and that credit's batch.
    let (b, c, cb) = (Alias::new("b"), Alias::new("c"), Alias::new("cb"));
    select
        .join_as(
            JoinType::InnerJoin,
            declaration_batch::Entity,
            b.clone(),
            tenant_join(&b, &l, declaration_line::Column::BatchId),
        )
        .join_as(
            JoinType::LeftJoin,
            declaration_line::Entity,
            c.clone(),
            tenant_join(&c, &l, declaration_line::Column::ReversedBy),
        )
        .join_as(
            JoinType::LeftJoin,
            declaration_batch::Entity,
            cb.clone(),
            tenant_join(&cb, &c, declaration_line::Column::BatchId),
        )
        .and_where(Expr::col((b, declaration_batch::Column::CreatedAt)).lte(as_of))
        .cond_where(
            sea_orm::Condition::any()
                .add(Expr::col((l, declaration_line::Column::ReversedBy)).is_null())
                .add(Expr::col((cb, declaration_batch::Column::CreatedAt)).gt(as_of)),
        );
    select
}

/// Takes each cell's `emptied` months out of its stored mask, and the row
/// out once no month is left (as a rebuild from the lines would hold it).
async fn take_out<C: ConnectionTrait>(
    db: &C,
    scope: &RegionScope,
    emptied: &BTreeMap<ClientCell, i32>,
) -> Result<(), DbErr> {
    use declared_client::Column as C;
    for (&(year, client, group, municipality, provider), &months) in emptied {
        let cell = sea_orm::Condition::all()
            .add(C::Year.eq(year))
            .add(C::ClientNumber.eq(client))
            .add(C::ProductGroupId.eq(group))
            .add(C::MunicipalityId.eq(municipality))
            .add(C::ProviderId.eq(provider));
        declared_client::Entity::update_scoped(scope)
            .col_expr(
                C::MonthsMask,
                Expr::col(C::MonthsMask).bit_and(!months & 0xFFF),
            )
            .filter(cell.clone())
            .exec(db)
            .await?;
        declared_client::Entity::delete_scoped(scope)
            .filter(cell)
            .filter(C::MonthsMask.eq(0))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// A cell's key as the values of its columns, in order.
trait CellKey {
    fn values(&self) -> Vec<sea_orm::Value>;
}

impl CellKey for GroupCell {
    fn values(&self) -> Vec<sea_orm::Value> {
        vec![self.0.into(), self.1.into(), self.2.into()]
    }
}

impl CellKey for ReferrerCell {
    fn values(&self) -> Vec<sea_orm::Value> {
        vec![
            self.0.into(),
            self.1.into(),
            self.2.into(),
            self.3.clone().into(),
        ]
    }
}

impl<T: Into<sea_orm::Value> + Copy> CellKey for (T, Uuid, Uuid, Uuid) {
    fn values(&self) -> Vec<sea_orm::Value> {
        vec![self.0.into(), self.1.into(), self.2.into(), self.3.into()]
    }
}

/// Adds each cell's sums to `table`'s (a spend rollup keyed by `region_id`
/// and `key`, summing cents, lines and minutes), a multi-row upsert per
/// chunk; nothing is read back.
async fn add_sums<C: ConnectionTrait, K: CellKey, const N: usize>(
    db: &C,
    scope: &RegionScope,
    table: &'static str,
    key: [&'static str; N],
    cells: &BTreeMap<K, Sums>,
) -> Result<(), DbErr> {
    const SUMS: [&str; 3] = ["amount_cents", "line_count", "minutes"];
    let keyed: Vec<&str> = std::iter::once("region_id").chain(key).collect();
    let cells: Vec<_> = cells.iter().collect();
    for chunk in cells.chunks(CHUNK) {
        let mut insert = Query::insert();
        insert
            .into_table(Alias::new(table))
            .columns(keyed.iter().copied().chain(SUMS).map(Alias::new))
            .on_conflict(
                OnConflict::columns(keyed.iter().copied().map(Alias::new))
                    .values(SUMS.map(|sum| {
                        (
                            Alias::new(sum),
                            Expr::cust(format!("{table}.{sum} + excluded.{sum}")),
                        )
                    }))
                    .to_owned(),
            );
        for (cell, (cents, lines, minutes)) in chunk {
            let row: Vec<SimpleExpr> = std::iter::once(scope.region_id.into())
                .chain(cell.values())
                .chain([cents.into(), lines.into(), minutes.into()])
                .map(SimpleExpr::Value)
                .collect();
            insert
                .values(row)
                .map_err(|e| DbErr::Custom(e.to_string()))?;
        }
        db.execute(&insert).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn period_mask_covers_the_months_of_that_year_only() {
        assert_eq!(period_mask(2025, d(2025, 1, 1), d(2025, 12, 31)), 0xFFF);
        assert_eq!(period_mask(2025, d(2025, 3, 1), d(2025, 3, 31)), 0b100);
        // November 2025 to February 2026: two months in each year.
        assert_eq!(period_mask(2025, d(2025, 11, 1), d(2026, 2, 28)), 0xC00);
        assert_eq!(period_mask(2026, d(2025, 11, 1), d(2026, 2, 28)), 0b11);
        assert_eq!(period_mask(2024, d(2025, 1, 1), d(2025, 12, 31)), 0);
    }

    #[test]
    fn a_period_reads_whole_years_from_the_yearly_cells() {
        let cells = |years, months| PeriodCells { years, months };
        // A calendar year: one yearly cell, no months.
        assert_eq!(
            split_period(d(2025, 1, 1), d(2025, 12, 31)),
            cells(Some((2025, 2025)), vec![])
        );
        // A quarter: months only.
        assert_eq!(
            split_period(d(2025, 4, 1), d(2025, 6, 30)),
            cells(None, vec![(d(2025, 4, 1), d(2025, 6, 30))])
        );
        // November 2024 to February 2026: 2025 whole, two months either side.
        assert_eq!(
            split_period(d(2024, 11, 1), d(2026, 2, 28)),
            cells(
                Some((2025, 2025)),
                vec![
                    (d(2024, 11, 1), d(2024, 12, 31)),
                    (d(2026, 1, 1), d(2026, 2, 28))
                ]
            )
        );
        // Across a new year but no whole year: months only.
        assert_eq!(
            split_period(d(2024, 2, 1), d(2025, 11, 30)),
            cells(None, vec![(d(2024, 2, 1), d(2025, 11, 30))])
        );
        // Two whole years and the December before them.
        assert_eq!(
            split_period(d(2023, 12, 1), d(2025, 12, 31)),
            cells(Some((2024, 2025)), vec![(d(2023, 12, 1), d(2023, 12, 31))])
        );
    }

    #[test]
    fn time_counts_in_minutes_for_hours_and_minutes_only() {
        use crate::enums::Unit;
        assert_eq!(minutes_of(Unit::Hour, 13), 780);
        assert_eq!(minutes_of(Unit::Minute, 45), 45);
        assert_eq!(minutes_of(Unit::Day, 31), 0);
        assert_eq!(minutes_of(Unit::DayPart, 4), 0);
    }

    #[test]
    fn a_batch_sums_amounts_per_cell_and_ors_months_per_client() {
        let (g, m, p) = (Uuid::nil(), Uuid::nil(), Uuid::max());
        let mut r = Rollups::default();
        for (start, amount, minutes) in [
            (d(2025, 3, 1), 100, 90),
            (d(2025, 3, 15), 50, 0),
            (d(2025, 5, 1), 7, -30),
        ] {
            r.add(ApprovedCell {
                period_start: start,
                product_group_id: g,
                municipality_id: m,
                provider_id: p,
                client_number: 1,
                amount_cents: amount,
                minutes,
                credit: false,
                referrer: (start.day() == 1).then(|| "02".to_owned()),
            });
        }
        assert_eq!(r.spend[&(d(2025, 3, 1), g, m, p)], (150, 2, 90));
        assert_eq!(r.spend[&(d(2025, 5, 1), g, m, p)], (7, 1, -30));
        // The year's cell sums both months; the group's cells drop the provider.
        assert_eq!(r.yearly[&(2025, g, m, p)], (157, 3, 60));
        assert_eq!(r.groups[&(d(2025, 3, 1), g, m)], (150, 2, 90));
        assert_eq!(r.months[&(2025, 1, g, m, p)], 0b10100);
        // Per referrer: the GP's (02) lines of 1 March and 1 May, the
        // line of 15 March without a referrer apart.
        assert_eq!(
            r.referrers[&(d(2025, 3, 1), g, m, "02".to_owned())],
            (100, 1, 90)
        );
        assert_eq!(
            r.referrers[&(d(2025, 3, 1), g, m, String::new())],
            (50, 1, 0)
        );
        assert_eq!(
            r.referrers[&(d(2025, 5, 1), g, m, "02".to_owned())],
            (7, 1, -30)
        );
    }

    /// Client 1 has debits in March and May 2025 and a credit of March's:
    /// the batch ORs March and May in and marks March as credited.
    #[test]
    fn a_credit_adds_no_month_but_marks_its_month() {
        let (g, m, p) = (Uuid::nil(), Uuid::nil(), Uuid::max());
        let mut r = Rollups::default();
        for (start, amount, credit) in [
            (d(2025, 3, 1), 9650, false),
            (d(2025, 5, 1), 9650, false),
            (d(2025, 3, 1), -9650, true),
        ] {
            r.add(ApprovedCell {
                period_start: start,
                product_group_id: g,
                municipality_id: m,
                provider_id: p,
                client_number: 1,
                amount_cents: amount,
                minutes: 0,
                credit,
                referrer: None,
            });
        }
        // The spend nets out: 9650 + 9650 − 9650, three lines.
        assert_eq!(r.yearly[&(2025, g, m, p)], (9650, 3, 0));
        assert_eq!(r.spend[&(d(2025, 3, 1), g, m, p)], (0, 2, 0));
        assert_eq!(r.months[&(2025, 1, g, m, p)], 0b10100);
        assert_eq!(r.credited[&(2025, 1, g, m, p)], 0b100);
    }

    /// An instalment of € 1,000.01 over two municipalities weighing 200
    /// and 100 inhabitants: the first gets 100001 × 200 / 300 = 66667.33,
    /// rounded down to 66667 cents; the last with a weight gets the rest,
    /// 33334. The cells sum both shares; no line, no minutes.
    #[test]
    fn an_instalment_is_split_over_the_shares_to_the_cent() {
        let (g, a, b, p) = (
            Uuid::from_u128(1),
            Uuid::from_u128(2),
            Uuid::from_u128(3),
            Uuid::from_u128(4),
        );
        let shares = crate::funding::split_by_weight(100_001, &[(a, 200), (b, 100)]);
        assert_eq!(shares, vec![(a, 66_667), (b, 33_334)]);
        let mut r = Rollups::default();
        for (m, cents) in shares {
            r.add_paid(d(2026, 3, 1), g, m, p, cents);
        }
        assert_eq!(r.spend[&(d(2026, 3, 1), g, a, p)], (66_667, 0, 0));
        assert_eq!(r.spend[&(d(2026, 3, 1), g, b, p)], (33_334, 0, 0));
        assert_eq!(r.yearly[&(2026, g, b, p)], (33_334, 0, 0));
        assert_eq!(r.groups[&(d(2026, 3, 1), g, a)], (66_667, 0, 0));
        // No allocation, so no referrer: each share in its unknown cell.
        assert_eq!(
            r.referrers[&(d(2026, 3, 1), g, a, String::new())],
            (66_667, 0, 0)
        );
        assert_eq!(
            r.referrers[&(d(2026, 3, 1), g, b, String::new())],
            (33_334, 0, 0)
        );
        // € 0.01 over the same shares: 0 and the cent to the last.
        assert_eq!(
            crate::funding::split_by_weight(1, &[(a, 200), (b, 100)]),
            vec![(a, 0), (b, 1)]
        );
    }

    /// An allocation from 20 February to 3 May 2026, seen on 1 April: in
    /// force in February, March and April (bits 1, 2, 3); May is after the
    /// run's month. Open-ended from 2025-11-15, in 2026 through June: the
    /// first six months. It ended 31 January: January only.
    #[test]
    fn a_task_allocation_serves_the_months_it_is_in_force_up_to_the_run() {
        assert_eq!(
            months_in_force(2026, d(2026, 2, 20), Some(d(2026, 5, 3)), d(2026, 4, 1)),
            0b1110
        );
        assert_eq!(
            months_in_force(2026, d(2025, 11, 15), None, d(2026, 6, 1)),
            0b11_1111
        );
        assert_eq!(
            months_in_force(2025, d(2025, 11, 15), None, d(2026, 6, 1)),
            0xC00
        );
        assert_eq!(
            months_in_force(2026, d(2025, 1, 1), Some(d(2026, 1, 31)), d(2026, 12, 1)),
            1
        );
        let (g, m, p) = (Uuid::nil(), Uuid::nil(), Uuid::max());
        let mut r = Rollups::default();
        r.add_served((2026, 9, g, m, p), 0b1110);
        r.add_served((2026, 9, g, m, p), 0b1);
        r.add_served((2026, 8, g, m, p), 0);
        assert_eq!(r.months, BTreeMap::from([((2026, 9, g, m, p), 0b1111)]));
    }

    #[test]
    fn served_months_are_the_standing_debits_per_cell_and_year() {
        let (g, m, p, q) = (
            Uuid::from_u128(1),
            Uuid::from_u128(2),
            Uuid::from_u128(3),
            Uuid::from_u128(4),
        );
        let served = served_months([
            (7, g, m, p, d(2025, 12, 1)),
            (7, g, m, p, d(2025, 12, 15)),
            (7, g, m, p, d(2026, 1, 1)),
            (7, g, m, q, d(2025, 3, 1)),
            (8, g, m, p, d(2025, 2, 1)),
        ]);
        assert_eq!(
            served,
            BTreeMap::from([
                ((2025, 7, g, m, p), 0x800),
                ((2025, 7, g, m, q), 0b100),
                ((2025, 8, g, m, p), 0b10),
                ((2026, 7, g, m, p), 0b1),
            ])
        );
    }

    /// Client 1: March and May credited, May still has a debit → March
    /// goes. Client 2: two debits in March, one credited → stays. Client
    /// 3: June credited, nothing left in the cell → June goes. Client 4:
    /// March credited with provider p; its debit with provider q does not
    /// keep it in p's cell.
    #[test]
    fn a_credit_empties_the_months_without_a_standing_debit() {
        let (g, m, p, q) = (
            Uuid::from_u128(1),
            Uuid::from_u128(2),
            Uuid::from_u128(3),
            Uuid::from_u128(4),
        );
        let credited = BTreeMap::from([
            ((2025, 1, g, m, p), 0b10100),
            ((2025, 2, g, m, p), 0b100),
            ((2025, 3, g, m, p), 0b100000),
            ((2025, 4, g, m, p), 0b100),
        ]);
        let served = served_months([
            (1, g, m, p, d(2025, 5, 1)),
            (2, g, m, p, d(2025, 3, 1)),
            (4, g, m, q, d(2025, 3, 1)),
        ]);
        assert_eq!(
            emptied_months(&credited, &served),
            BTreeMap::from([
                ((2025, 1, g, m, p), 0b100),
                ((2025, 3, g, m, p), 0b100000),
                ((2025, 4, g, m, p), 0b100),
            ])
        );
    }
}
