//! Monitoring reports (regionale monitor): one row per report, its tables as JSON.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::region_fk;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261123_000004_monitoring_reports"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("monitoring_reports")
                    .col(uuid("region_id"))
                    .col(uuid("id"))
                    .col(date("period_from"))
                    .col(date("period_to"))
                    .col(string_len("status", 32))
                    .col(uuid_null("job_run_id"))
                    .col(json_null("content"))
                    .col(string_len_null("requested_by", 200))
                    .col(text_null("error"))
                    .col(timestamp_with_time_zone("created_at"))
                    .primary_key(Index::create().col("region_id").col("id"))
                    .foreign_key(&mut region_fk("monitoring_reports"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("monitoring_reports").to_owned())
            .await
    }
}
