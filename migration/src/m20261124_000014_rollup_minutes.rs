//! Hours per client per month (issue 14, "verminderen uren inzet", seed
//! 002): `spend_rollups.minutes` holds the approved time of each cell's
//! lines whose own product counts hours or minutes (a credit's negative),
//! kept as lines are approved. Existing lines are rolled up here once.

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_000014_rollup_minutes"
    }
}

/// Sets every cell's minutes from the approved lines (the cells exist: the
/// amounts were rolled up from the same lines). The data generator uses
/// this too, after migration 5's backfill.
pub async fn backfill<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    let month = match db.get_database_backend() {
        DatabaseBackend::Sqlite => "date(l.period_start, 'start of month')",
        _ => "CAST(date_trunc('month', l.period_start) AS date)",
    };
    db.execute_unprepared(&format!(
        "INSERT INTO spend_rollups (region_id, month, product_group_id, municipality_id, provider_id, amount_cents, line_count, minutes) \
         SELECT l.region_id, {month}, p.product_group_id, a.municipality_id, a.provider_id, 0, 0, \
                SUM(CASE lp.unit WHEN 'hour' THEN 60 ELSE 1 END * l.delivered_volume \
                    * CASE WHEN l.credit THEN -1 ELSE 1 END) \
         FROM declaration_lines l \
         JOIN allocations a ON a.region_id = l.region_id AND a.id = l.allocation_id \
         JOIN products p ON p.region_id = a.region_id AND p.id = a.product_id \
         JOIN products lp ON lp.region_id = l.region_id AND lp.code = l.product_code \
         WHERE l.status = 'approved' AND lp.unit IN ('hour', 'minute') \
         GROUP BY l.region_id, {month}, p.product_group_id, a.municipality_id, a.provider_id \
         ON CONFLICT (region_id, month, product_group_id, municipality_id, provider_id) \
         DO UPDATE SET minutes = excluded.minutes"
    ))
    .await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("spend_rollups")
                    .add_column(
                        ColumnDef::new("minutes")
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await?;
        backfill(manager.get_connection()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("spend_rollups")
                    .drop_column("minutes")
                    .to_owned(),
            )
            .await
    }
}
