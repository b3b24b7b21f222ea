//! Spending room per provider (issue 27, Contractstandaard Wmo 1.2 art.
//! 1.5; seed 002 §5.3, seed 004 §8). Products gain `crisis` (default
//! false): a crisis product's allocation is never refused by a ceiling.
//! Budget signals gain the consultation that follows them: the nullable
//! `consulted_on` and `outcome`.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000022_spending_room"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("products")
                    .add_column(boolean("crisis").default(false))
                    .to_owned(),
            )
            .await?;
        // SQLite alters one column a statement.
        manager
            .alter_table(
                Table::alter()
                    .table("budget_signals")
                    .add_column(date_null("consulted_on"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("budget_signals")
                    .add_column(text_null("outcome"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in [
            ("budget_signals", "outcome"),
            ("budget_signals", "consulted_on"),
            ("products", "crisis"),
        ] {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
