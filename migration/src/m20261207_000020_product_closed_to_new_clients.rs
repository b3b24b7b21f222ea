//! A product closed to new clients from a date (issue 27, seed 002 §4.3:
//! persoonlijke verzorging "enkel … voor de huidige groep gebruikers").
//! Products gain the nullable `closed_to_new_clients_from`: from that date
//! a new allocation of the product is refused for a client who held none
//! of it in force the day before (`entities::allocation_rules`).

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000020_product_closed_to_new_clients"
    }
}

const COLUMN: &str = "closed_to_new_clients_from";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("products")
                    .add_column(date_null(COLUMN))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("products")
                    .drop_column(COLUMN)
                    .to_owned(),
            )
            .await
    }
}
