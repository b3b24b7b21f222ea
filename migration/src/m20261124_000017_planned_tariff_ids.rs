//! An indexation proposal gets the id its new tariff version will have,
//! chosen at the preview, so the apply inserts the new versions inside the
//! database (`INSERT … SELECT` from the proposals) instead of reading each
//! chunk into the job and writing it back.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_000017_planned_tariff_ids"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("indexation_proposals")
                    .add_column(uuid_null("planned_tariff_id"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("indexation_proposals")
                    .drop_column("planned_tariff_id")
                    .to_owned(),
            )
            .await
    }
}
