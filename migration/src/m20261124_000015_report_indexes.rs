//! Two indexes for the monitoring report (region-scale SQLite, in the shell):
//! - the year's spend per product group, municipality and provider is read
//!   in the index's order instead of sorted (49 → 9 ms);
//! - the other allocations of the clients that move are filtered on the
//!   client index before their rows are fetched (34 → 15 ms): the client
//!   index of migration 12 gains the period, start of care and removal.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_000015_report_indexes"
    }
}

const SPEND: &str = "ix_spend_rollups_cell";
const CLIENT: &str = "ix_allocations_client";
const CLIENT_PERIOD: &str = "ix_allocations_client_period";

fn index(name: &str, columns: &[&'static str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table("allocations");
    for column in columns {
        index.col(*column);
    }
    index.to_owned()
}

fn drop(name: &str) -> IndexDropStatement {
    Index::drop().name(name).table("allocations").to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(SPEND)
                    .table("spend_rollups")
                    .col("region_id")
                    .col("product_group_id")
                    .col("municipality_id")
                    .col("provider_id")
                    .col("month")
                    .col("amount_cents")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                CLIENT_PERIOD,
                &[
                    "region_id",
                    "client_key",
                    "start_date",
                    "end_date",
                    "care_started_on",
                    "removed_at",
                ],
            ))
            .await?;
        // `IF EXISTS`: a database migrated while migration 12 was being
        // written may not have it.
        manager
            .drop_index(drop(CLIENT).if_exists().to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(index(CLIENT, &["region_id", "client_key"]))
            .await?;
        manager.drop_index(drop(CLIENT_PERIOD)).await?;
        manager
            .drop_index(Index::drop().name(SPEND).table("spend_rollups").to_owned())
            .await
    }
}
