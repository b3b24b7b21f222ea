//! Indexation runs and their proposals, and the guards that make an
//! indexation take effect once: one active run per region and year, one
//! successor per tariff version.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::region_fk;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261123_000002_indexation_runs"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("indexation_runs")
                    .col(uuid("region_id"))
                    .col(uuid("id"))
                    .col(integer("year"))
                    // = year while the run is not failed; unique per region, so a
                    // second run for a year is refused while one stands.
                    .col(integer_null("active_year"))
                    .col(string_len("status", 32))
                    .col(json_null("indices"))
                    .col(integer("proposed_count"))
                    .col(integer("skipped_count"))
                    .col(uuid_null("preview_job_id"))
                    .col(uuid_null("apply_job_id"))
                    .col(string_len_null("requested_by", 200))
                    .col(string_len_null("approved_by", 200))
                    .col(text_null("error"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("approved_at"))
                    .col(timestamp_with_time_zone_null("applied_at"))
                    .primary_key(Index::create().col("region_id").col("id"))
                    .foreign_key(&mut region_fk("indexation_runs"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("indexation_proposals")
                    .col(uuid("region_id"))
                    .col(uuid("id"))
                    .col(uuid("run_id"))
                    .col(uuid("tariff_id"))
                    .col(uuid("product_id"))
                    .col(uuid("product_group_id"))
                    .col(uuid_null("provider_id"))
                    .col(uuid_null("municipality_id"))
                    .col(big_integer("old_price_cents"))
                    .col(big_integer_null("new_price_cents"))
                    .col(string_len_null("index_percent", 32))
                    .col(string_len("status", 32))
                    .col(text_null("skip_reason"))
                    .col(uuid_null("new_tariff_id"))
                    .primary_key(Index::create().col("region_id").col("id"))
                    .foreign_key(&mut region_fk("indexation_proposals"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_indexation_proposals_run")
                            .from_col("region_id")
                            .from_col("run_id")
                            .to_tbl("indexation_runs")
                            .to_col("region_id")
                            .to_col("id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, table, cols, unique) in [
            (
                "ux_indexation_runs_active_year",
                "indexation_runs",
                &["region_id", "active_year"][..],
                true,
            ),
            (
                "ux_indexation_proposals_tariff",
                "indexation_proposals",
                &["region_id", "run_id", "tariff_id"][..],
                true,
            ),
            // A tariff version has at most one successor: applying twice cannot insert twice.
            (
                "ux_tariffs_supersedes",
                "tariffs",
                &["region_id", "supersedes_id"][..],
                true,
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(table);
            if unique {
                index.unique();
            }
            for col in cols {
                index.col(*col);
            }
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ux_tariffs_supersedes")
                    .table("tariffs")
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table("indexation_proposals").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("indexation_runs").to_owned())
            .await?;
        Ok(())
    }
}
