//! The monitoring report's cut-off and its new sections (issue 28).
//!
//! - `referrer_spend_rollups`: the approved spend per month, product group,
//!   municipality and the allocation's referrer (COD327; `''` when none is known), kept
//!   as lines are approved like the other spend rollups, so the report's
//!   referrer table reads cells instead of lines.
//! - `ix_declaration_batches_created`: the batches recorded after a
//!   report's cut-off (`asOf`) are found through it; their lines are taken
//!   out of the rollups' figures.
//! - `ix_allocations_created`: the same for the allocations made after it.
//! - `ix_allocations_location`: the report's places series reads the
//!   allocations at the locations, not every allocation in force.
//! - `ix_allocations_referrer_period`: the allocations in force in a
//!   period as the clients per referrer and stacked care read them, from
//!   this index alone.

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DatabaseBackend};

use crate::common::region_fk;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000026_report_cut_off"
    }
}

pub const TABLE: &str = "referrer_spend_rollups";

/// Rolls up every approved line into the referrer cells: the rebuild from
/// the lines, as `backfill_rollups` does for the other spend rollups (a
/// cell already there is set to what the lines give).
pub async fn backfill_referrers<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    let month = match db.get_database_backend() {
        DatabaseBackend::Sqlite => "date(l.period_start, 'start of month')",
        _ => "CAST(date_trunc('month', l.period_start) AS date)",
    };
    db.execute_unprepared(&format!(
        "INSERT INTO {TABLE} (region_id, month, product_group_id, municipality_id, referrer, amount_cents, line_count, minutes) \
         SELECT l.region_id, {month}, p.product_group_id, a.municipality_id, COALESCE(a.referrer, ''), \
                CAST(SUM(COALESCE(l.amount_cents, 0)) AS BIGINT), CAST(COUNT(*) AS BIGINT), \
                CAST(SUM(CASE lp.unit WHEN 'hour' THEN 60 * l.delivered_volume \
                                      WHEN 'minute' THEN l.delivered_volume ELSE 0 END \
                         * CASE WHEN l.credit THEN -1 ELSE 1 END) AS BIGINT) \
         FROM declaration_lines l \
         JOIN allocations a ON a.region_id = l.region_id AND a.id = l.allocation_id \
         JOIN products p ON p.region_id = a.region_id AND p.id = a.product_id \
         LEFT JOIN products lp ON lp.region_id = l.region_id AND lp.code = l.product_code \
         WHERE l.status = 'approved' \
         GROUP BY l.region_id, {month}, p.product_group_id, a.municipality_id, COALESCE(a.referrer, '') \
         ON CONFLICT (region_id, month, product_group_id, municipality_id, referrer) DO UPDATE SET \
         amount_cents = excluded.amount_cents, line_count = excluded.line_count, \
         minutes = excluded.minutes"
    ))
    .await?;
    Ok(())
}

fn index(name: &str, table: &str, columns: &[&'static str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(Alias::new(table));
    for column in columns {
        index.col(*column);
    }
    index.to_owned()
}

const INDEXES: [(&str, &str, &[&str]); 4] = [
    (
        "ix_declaration_batches_created",
        "declaration_batches",
        &["region_id", "created_at"],
    ),
    (
        "ix_allocations_created",
        "allocations",
        &["region_id", "created_at"],
    ),
    (
        "ix_allocations_location",
        "allocations",
        &["region_id", "location_id", "start_date", "end_date"],
    ),
    (
        "ix_allocations_referrer_period",
        "allocations",
        &[
            "region_id",
            "start_date",
            "end_date",
            "municipality_id",
            "product_id",
            "referrer",
            "client_number",
            "provider_id",
            "removed_at",
            "id",
        ],
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TABLE)
                    .col(uuid("region_id"))
                    .col(date("month"))
                    .col(uuid("product_group_id"))
                    .col(uuid("municipality_id"))
                    .col(string_len("referrer", 2))
                    .col(big_integer("amount_cents"))
                    .col(big_integer("line_count"))
                    .col(big_integer("minutes"))
                    .primary_key(
                        Index::create()
                            .col("region_id")
                            .col("month")
                            .col("product_group_id")
                            .col("municipality_id")
                            .col("referrer"),
                    )
                    .foreign_key(&mut region_fk(TABLE))
                    .to_owned(),
            )
            .await?;
        for (name, table, columns) in INDEXES {
            manager.create_index(index(name, table, columns)).await?;
        }
        backfill_referrers(manager.get_connection()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, _) in INDEXES {
            manager
                .drop_index(Index::drop().name(name).table(Alias::new(table)).to_owned())
                .await?;
        }
        manager
            .drop_table(Table::drop().table(TABLE).to_owned())
            .await
    }
}
