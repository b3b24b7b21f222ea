//! A monitoring report may be one municipality's (issue 14: municipalities
//! see their own monitor): `municipality_id` names it, `NULL` is the region's.
//! No foreign key: SQLite cannot add one to an existing table, and a report
//! is a record of its day.
//!
//! The report's flows in clients read the other allocations of the clients
//! who move: an index on `(region_id, client_key)` finds them.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_000012_municipal_reports"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("monitoring_reports")
                    .add_column(uuid_null("municipality_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_allocations_client")
                    .table("allocations")
                    .col("region_id")
                    .col("client_key")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_allocations_client")
                    .table("allocations")
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("monitoring_reports")
                    .drop_column("municipality_id")
                    .to_owned(),
            )
            .await
    }
}
