//! The funding forms besides P×Q (issue 12):
//! - products name the main product a temporary-intensive product belongs
//!   to, and the period an arrangement is priced per;
//! - budget ceilings no longer need a provider (per product group or
//!   municipality alone), and their signals say whether the spend or the
//!   forecast crossed a level. SQLite cannot drop a NOT NULL, so both tables
//!   are rebuilt (on both databases, one path);
//! - task budgets per contract, product and year, with their instalments;
//! - municipal budget frameworks per municipality, law and year;
//! - funding signals (a framework's forecast crossing a level, a task
//!   budget's clients off the plan), each recorded once.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::{create_unique_indexes, tenant_fk, tenant_table};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_000010_funding_forms"
    }
}

use ForeignKeyAction::{Cascade, Restrict};

fn budget_ceilings(provider_required: bool) -> TableCreateStatement {
    let provider = if provider_required {
        uuid("provider_id")
    } else {
        uuid_null("provider_id")
    };
    tenant_table("budget_ceilings")
        .col(provider)
        .col(uuid_null("product_group_id"))
        .col(uuid_null("municipality_id"))
        .col(integer("year"))
        .col(big_integer("amount_cents"))
        .col(boolean("hard"))
        .col(big_integer("spent_cents"))
        .col(timestamp_with_time_zone("created_at"))
        .foreign_key(&mut tenant_fk(
            "budget_ceilings",
            "provider_id",
            "providers",
            Restrict,
        ))
        .foreign_key(&mut tenant_fk(
            "budget_ceilings",
            "product_group_id",
            "product_groups",
            Restrict,
        ))
        .foreign_key(&mut tenant_fk(
            "budget_ceilings",
            "municipality_id",
            "municipalities",
            Restrict,
        ))
        .to_owned()
}

fn budget_signals(with_kind: bool) -> TableCreateStatement {
    let mut t = tenant_table("budget_signals");
    t.col(uuid("budget_ceiling_id"));
    if with_kind {
        t.col(string_len("kind", 16).default("spent"));
    }
    t.col(integer("level_percent"))
        .col(big_integer("spent_cents"))
        .col(timestamp_with_time_zone("created_at"))
        .foreign_key(&mut tenant_fk(
            "budget_signals",
            "budget_ceiling_id",
            "budget_ceilings",
            Cascade,
        ))
        .to_owned()
}

fn ceiling_indexes(with_kind: bool) -> Vec<IndexCreateStatement> {
    let mut signal_level = Index::create();
    signal_level
        .name("ux_budget_signals_level")
        .table("budget_signals")
        .unique()
        .col("region_id")
        .col("budget_ceiling_id");
    if with_kind {
        signal_level.col("kind");
    }
    signal_level.col("level_percent");
    vec![
        Index::create()
            .name("ix_budget_ceilings_provider_year")
            .table("budget_ceilings")
            .col("region_id")
            .col("provider_id")
            .col("year")
            .to_owned(),
        signal_level.to_owned(),
    ]
}

const CEILING_COLUMNS: &str = "region_id, id, provider_id, product_group_id, municipality_id, \
                               year, amount_cents, hard, spent_cents, created_at";
const SIGNAL_COLUMNS: &str =
    "region_id, id, budget_ceiling_id, level_percent, spent_cents, created_at";

/// Copies both ceiling tables aside, recreates them in the wanted shape
/// and copies the rows back. `keep` filters the ceilings that fit it.
async fn rebuild_ceilings(
    manager: &SchemaManager<'_>,
    provider_required: bool,
    with_kind: bool,
    keep: &str,
) -> Result<(), DbErr> {
    let db = manager.get_connection();
    db.execute_unprepared(&format!(
        "CREATE TABLE old_budget_ceilings AS SELECT {CEILING_COLUMNS} FROM budget_ceilings WHERE {keep}"
    ))
    .await?;
    db.execute_unprepared(&format!(
        "CREATE TABLE old_budget_signals AS SELECT {SIGNAL_COLUMNS} FROM budget_signals \
         WHERE budget_ceiling_id IN (SELECT id FROM old_budget_ceilings){}",
        if with_kind { "" } else { " AND kind = 'spent'" }
    ))
    .await?;
    manager
        .drop_table(Table::drop().table("budget_signals").to_owned())
        .await?;
    manager
        .drop_table(Table::drop().table("budget_ceilings").to_owned())
        .await?;
    manager
        .create_table(budget_ceilings(provider_required))
        .await?;
    manager.create_table(budget_signals(with_kind)).await?;
    for index in ceiling_indexes(with_kind) {
        manager.create_index(index).await?;
    }
    db.execute_unprepared(&format!(
        "INSERT INTO budget_ceilings ({CEILING_COLUMNS}) SELECT {CEILING_COLUMNS} FROM old_budget_ceilings"
    ))
    .await?;
    db.execute_unprepared(&format!(
        "INSERT INTO budget_signals ({SIGNAL_COLUMNS}) SELECT {SIGNAL_COLUMNS} FROM old_budget_signals"
    ))
    .await?;
    for table in ["old_budget_signals", "old_budget_ceilings"] {
        manager
            .drop_table(Table::drop().table(table).to_owned())
            .await?;
    }
    Ok(())
}

const PRODUCT_COLUMNS: [&str; 2] = ["intensive_for_product_id", "arrangement_period"];

const NEW_TABLES: [&str; 4] = [
    "funding_signals",
    "task_instalments",
    "task_budgets",
    "budget_frameworks",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        rebuild_ceilings(manager, false, true, "1 = 1").await?;
        for column in PRODUCT_COLUMNS {
            let def = if column == "arrangement_period" {
                string_len_null(column, 16)
            } else {
                uuid_null(column)
            };
            manager
                .alter_table(Table::alter().table("products").add_column(def).to_owned())
                .await?;
        }
        manager
            .create_table(
                tenant_table("task_budgets")
                    .col(uuid("contract_id"))
                    .col(uuid("product_id"))
                    .col(integer("year"))
                    .col(integer("planned_clients"))
                    .col(json("intensity_bands"))
                    .col(big_integer("startup_cents"))
                    .col(string_len("split", 16))
                    .col(json_null("planned_clients_per_municipality"))
                    .col(json_null("schedule"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut tenant_fk(
                        "task_budgets",
                        "contract_id",
                        "contracts",
                        Restrict,
                    ))
                    .foreign_key(&mut tenant_fk(
                        "task_budgets",
                        "product_id",
                        "products",
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                tenant_table("task_instalments")
                    .col(uuid("task_budget_id"))
                    .col(date("month"))
                    .col(big_integer("amount_cents"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut tenant_fk(
                        "task_instalments",
                        "task_budget_id",
                        "task_budgets",
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                tenant_table("budget_frameworks")
                    .col(uuid("municipality_id"))
                    .col(string_len("law", 16))
                    .col(integer("year"))
                    .col(big_integer("amount_cents"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut tenant_fk(
                        "budget_frameworks",
                        "municipality_id",
                        "municipalities",
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                tenant_table("funding_signals")
                    .col(string_len("kind", 32))
                    .col(uuid("subject_id"))
                    .col(string_len("period", 16))
                    .col(integer("level_percent"))
                    .col(big_integer_null("amount_cents"))
                    .col(string_len("detail", 500))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;
        create_unique_indexes(
            manager,
            &[
                (
                    "ux_task_budgets_lot_year",
                    "task_budgets",
                    &["region_id", "contract_id", "product_id", "year"][..],
                ),
                (
                    "ux_task_instalments_month",
                    "task_instalments",
                    &["region_id", "task_budget_id", "month"][..],
                ),
                (
                    "ux_budget_frameworks_year",
                    "budget_frameworks",
                    &["region_id", "municipality_id", "law", "year"][..],
                ),
                (
                    "ux_funding_signals_once",
                    "funding_signals",
                    &["region_id", "kind", "subject_id", "period", "level_percent"][..],
                ),
            ],
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in NEW_TABLES {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        for column in PRODUCT_COLUMNS {
            manager
                .alter_table(
                    Table::alter()
                        .table("products")
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        // Ceilings without a provider cannot go back; their signals go with them.
        rebuild_ceilings(manager, true, false, "provider_id IS NOT NULL").await
    }
}
