//! Job leases: the worker running a job holds `job_runs.lease_owner` until
//! `lease_expires_at` and renews it while the job runs. A job starts only
//! when its lease is free or expired, so a second delivery never runs it
//! beside a live worker, and a killed worker's job is taken over as soon as
//! its lease runs out (seconds, instead of the queue's long orphan timeout).

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261123_000007_job_leases"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one at a time.
        manager
            .alter_table(
                Table::alter()
                    .table("job_runs")
                    .add_column(string_len_null("lease_owner", 200))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("job_runs")
                    .add_column(timestamp_with_time_zone_null("lease_expires_at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in ["lease_expires_at", "lease_owner"] {
            manager
                .alter_table(
                    Table::alter()
                        .table("job_runs")
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
