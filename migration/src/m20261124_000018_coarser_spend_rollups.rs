//! Two coarser rollups of the approved spend, kept beside `spend_rollups`
//! as lines are approved, so that a monitoring report reads its cells
//! instead of aggregating every month's cells per report (issue 14: the
//! report's figure on PostgreSQL):
//! - `yearly_spend_rollups`: per year, product group, municipality and
//!   provider; a period's whole years come from here, its other months
//!   from `spend_rollups`;
//! - `group_spend_rollups`: per month, product group and municipality,
//!   without the provider; the report's 24-month trends read these.
//!
//! Both are sums of `spend_rollups`' cells, so they are filled from them.

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DatabaseBackend};

use crate::common::region_fk;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_000018_coarser_spend_rollups"
    }
}

pub const YEARLY: &str = "yearly_spend_rollups";
pub const GROUP: &str = "group_spend_rollups";

/// Fills both (empty) tables from `spend_rollups`: on migrating, and after
/// the data generator's and a test's rebuild of the monthly cells.
pub async fn backfill<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    let year = match db.get_database_backend() {
        DatabaseBackend::Sqlite => "CAST(strftime('%Y', month) AS INTEGER)",
        _ => "CAST(EXTRACT(YEAR FROM month) AS INTEGER)",
    };
    let sums = "CAST(SUM(amount_cents) AS BIGINT), CAST(SUM(line_count) AS BIGINT), \
                CAST(SUM(minutes) AS BIGINT)";
    db.execute_unprepared(&format!(
        "INSERT INTO {YEARLY} (region_id, year, product_group_id, municipality_id, provider_id, \
         amount_cents, line_count, minutes) \
         SELECT region_id, {year}, product_group_id, municipality_id, provider_id, {sums} \
         FROM spend_rollups \
         GROUP BY region_id, {year}, product_group_id, municipality_id, provider_id"
    ))
    .await?;
    db.execute_unprepared(&format!(
        "INSERT INTO {GROUP} (region_id, month, product_group_id, municipality_id, \
         amount_cents, line_count, minutes) \
         SELECT region_id, month, product_group_id, municipality_id, {sums} \
         FROM spend_rollups \
         GROUP BY region_id, month, product_group_id, municipality_id"
    ))
    .await?;
    Ok(())
}

/// A rollup table: `region_id`, the key's `columns`, then the sums.
fn table(name: &'static str, columns: Vec<ColumnDef>) -> TableCreateStatement {
    let mut table = Table::create();
    let mut key = Index::create();
    table.table(name).col(uuid("region_id"));
    key.col("region_id");
    for mut column in columns {
        key.col(column.get_column_name());
        table.col(&mut column);
    }
    table
        .col(big_integer("amount_cents"))
        .col(big_integer("line_count"))
        .col(big_integer("minutes"))
        .primary_key(&mut key)
        .foreign_key(&mut region_fk(name))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(table(
                YEARLY,
                vec![
                    integer("year"),
                    uuid("product_group_id"),
                    uuid("municipality_id"),
                    uuid("provider_id"),
                ],
            ))
            .await?;
        manager
            .create_table(table(
                GROUP,
                vec![
                    date("month"),
                    uuid("product_group_id"),
                    uuid("municipality_id"),
                ],
            ))
            .await?;
        backfill(manager.get_connection()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in [GROUP, YEARLY] {
            manager
                .drop_table(Table::drop().table(name).to_owned())
                .await?;
        }
        Ok(())
    }
}
