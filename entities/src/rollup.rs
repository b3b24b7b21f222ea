//! Rollups of approved declaration lines (tables from migration 5): what a
//! batch adds is gathered in memory and added to the stored cells with one
//! upsert per chunk, in the batch's transaction. Reports read these cells
//! instead of scanning the lines.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use sea_orm::{
    sea_query::{Alias, Expr, OnConflict, Query, SimpleExpr},
    ConnectionTrait, DbErr, EntityTrait, Set,
};
use uuid::Uuid;

use crate::{schema::declared_client, RegionScope};

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
/// What a spend cell sums: (cents, lines, minutes).
type Sums = (i64, i64, i64);

/// What one batch adds. Keys are sorted, so concurrent batches lock the
/// cells they share in the same order (no deadlocks on PostgreSQL).
#[derive(Default)]
pub struct Rollups {
    spend: BTreeMap<SpendCell, Sums>,
    /// The same spend per year (migration 18).
    yearly: BTreeMap<YearCell, Sums>,
    /// The same spend per month without the provider (migration 18).
    groups: BTreeMap<GroupCell, Sums>,
    /// (year, client number, product group, municipality, provider) → months.
    months: BTreeMap<(i32, i64, Uuid, Uuid, Uuid), i32>,
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
        ] {
            sums.0 += cell.amount_cents;
            sums.1 += 1;
            sums.2 += cell.minutes;
        }
        *self
            .months
            .entry((
                cell.period_start.year(),
                cell.client_number,
                cell.product_group_id,
                cell.municipality_id,
                cell.provider_id,
            ))
            .or_default() |= month_bit(cell.period_start);
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
        Ok(())
    }
}

/// A cell's key as the values of its columns, in order.
trait CellKey: Copy {
    fn values(self) -> Vec<sea_orm::Value>;
}

impl CellKey for GroupCell {
    fn values(self) -> Vec<sea_orm::Value> {
        vec![self.0.into(), self.1.into(), self.2.into()]
    }
}

impl<T: Into<sea_orm::Value> + Copy> CellKey for (T, Uuid, Uuid, Uuid) {
    fn values(self) -> Vec<sea_orm::Value> {
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
            });
        }
        assert_eq!(r.spend[&(d(2025, 3, 1), g, m, p)], (150, 2, 90));
        assert_eq!(r.spend[&(d(2025, 5, 1), g, m, p)], (7, 1, -30));
        // The year's cell sums both months; the group's cells drop the provider.
        assert_eq!(r.yearly[&(2025, g, m, p)], (157, 3, 60));
        assert_eq!(r.groups[&(d(2025, 3, 1), g, m)], (150, 2, 90));
        assert_eq!(r.months[&(2025, 1, g, m, p)], 0b10100);
    }
}
