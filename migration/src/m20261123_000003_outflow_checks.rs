//! Outflow checks (drempels) and the verdicts they record per provider and scope.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::region_fk;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261123_000003_outflow_checks"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("outflow_checks")
                    .col(uuid("region_id"))
                    .col(uuid("id"))
                    .col(date("as_of"))
                    .col(date("window_from"))
                    .col(date("window_to"))
                    .col(string_len("status", 32))
                    .col(uuid_null("job_run_id"))
                    .col(integer("checked_count"))
                    .col(integer("flagged_count"))
                    .col(json_null("policy"))
                    .col(string_len_null("requested_by", 200))
                    .col(text_null("error"))
                    .col(timestamp_with_time_zone("created_at"))
                    .primary_key(Index::create().col("region_id").col("id"))
                    .foreign_key(&mut region_fk("outflow_checks"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("outflow_flags")
                    .col(uuid("region_id"))
                    .col(uuid("id"))
                    .col(uuid("check_id"))
                    .col(uuid("provider_id"))
                    .col(uuid_null("product_group_id"))
                    .col(uuid_null("municipality_id"))
                    .col(uuid_null("contract_id"))
                    .col(big_integer("clients"))
                    .col(big_integer("threshold"))
                    .col(string_len("verdict", 32))
                    .primary_key(Index::create().col("region_id").col("id"))
                    .foreign_key(&mut region_fk("outflow_flags"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_outflow_flags_check")
                            .from_col("region_id")
                            .from_col("check_id")
                            .to_tbl("outflow_checks")
                            .to_col("region_id")
                            .to_col("id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_outflow_flags_check")
                    .table("outflow_flags")
                    .col("region_id")
                    .col("check_id")
                    .col("verdict")
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("outflow_flags").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("outflow_checks").to_owned())
            .await?;
        Ok(())
    }
}
