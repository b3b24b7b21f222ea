//! Rollups of approved declaration lines (tables from migration 5): what a
//! batch adds is gathered in memory and added to the stored cells with one
//! upsert per chunk, in the batch's transaction. Reports read these cells
//! instead of scanning the lines.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use sea_orm::{sea_query::OnConflict, ConnectionTrait, DbErr, EntityTrait, Set};
use uuid::Uuid;

use crate::{
    schema::{declared_client, spend_rollup},
    RegionScope,
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

/// A spend cell: (month, group, municipality, provider); its value is
/// (cents, lines, minutes).
type SpendCell = (NaiveDate, Uuid, Uuid, Uuid);

/// What one batch adds. Keys are sorted, so concurrent batches lock the
/// cells they share in the same order (no deadlocks on PostgreSQL).
#[derive(Default)]
pub struct Rollups {
    spend: BTreeMap<SpendCell, (i64, i64, i64)>,
    /// (year, client number, product group, municipality, provider) → months.
    months: BTreeMap<(i32, i64, Uuid, Uuid, Uuid), i32>,
}

impl Rollups {
    pub fn add(&mut self, cell: ApprovedCell) {
        let key = (
            month_of(cell.period_start),
            cell.product_group_id,
            cell.municipality_id,
            cell.provider_id,
        );
        let spend = self.spend.entry(key).or_default();
        spend.0 += cell.amount_cents;
        spend.1 += 1;
        spend.2 += cell.minutes;
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
        let spend: Vec<spend_rollup::ActiveModel> = self
            .spend
            .iter()
            .map(
                |(&(month, group, municipality, provider), &(amount, count, minutes))| {
                    spend_rollup::ActiveModel {
                        region_id: Set(scope.region_id),
                        month: Set(month),
                        product_group_id: Set(group),
                        municipality_id: Set(municipality),
                        provider_id: Set(provider),
                        amount_cents: Set(amount),
                        line_count: Set(count),
                        minutes: Set(minutes),
                    }
                },
            )
            .collect();
        for chunk in spend.chunks(CHUNK) {
            use spend_rollup::Column as C;
            spend_rollup::Entity::insert_many(chunk.to_vec())
                .on_conflict(
                    OnConflict::columns([
                        C::RegionId,
                        C::Month,
                        C::ProductGroupId,
                        C::MunicipalityId,
                        C::ProviderId,
                    ])
                    .value(
                        C::AmountCents,
                        sea_orm::sea_query::Expr::cust(
                            "spend_rollups.amount_cents + excluded.amount_cents",
                        ),
                    )
                    .value(
                        C::LineCount,
                        sea_orm::sea_query::Expr::cust(
                            "spend_rollups.line_count + excluded.line_count",
                        ),
                    )
                    .value(
                        C::Minutes,
                        sea_orm::sea_query::Expr::cust("spend_rollups.minutes + excluded.minutes"),
                    )
                    .to_owned(),
                )
                .exec_without_returning(db)
                .await?;
        }
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
        assert_eq!(r.months[&(2025, 1, g, m, p)], 0b10100);
    }
}
