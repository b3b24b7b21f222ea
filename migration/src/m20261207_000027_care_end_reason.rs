//! The 307's RedenBeeindiging (WMO588 / JZ588): why the provider ended the
//! care, kept beside the day it ended (`care_ended_on`) for the provider
//! scorecards' outflow by reason (issue 28). Before, the code was read and
//! dropped.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000027_care_end_reason"
    }
}

const COLUMN: &str = "care_end_reason";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("allocations")
                    .add_column(string_len_null(COLUMN, 2))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("allocations")
                    .drop_column(COLUMN)
                    .to_owned(),
            )
            .await
    }
}
