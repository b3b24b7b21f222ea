//! Task-funded care in the figures (issue 27): a paid instalment counts as
//! spend in the rollups the reports read, split over the budget's
//! municipalities. Task instalments gain `spend_rolled_up`; the monthly
//! funding run adds every instalment not rolled up yet to the spend
//! rollups and sets it, in one transaction. Instalments paid before this
//! migration start unset, so the next run rolls them up too.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000023_task_instalment_spend"
    }
}

const COLUMN: &str = "spend_rolled_up";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("task_instalments")
                    .add_column(boolean(COLUMN).default(false))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("task_instalments")
                    .drop_column(COLUMN)
                    .to_owned(),
            )
            .await
    }
}
