//! Rollups of approved declaration lines, kept up to date as lines are
//! approved so a monitoring report reads a few thousand cells instead of
//! scanning every line:
//! - `spend_rollups`: the approved amount per month, product group,
//!   municipality and provider;
//! - `declared_clients`: per year, client pseudonym, product group and
//!   municipality, a bit per month (bit 0 = January) with an approved line,
//!   for exact distinct-client counts without joins.
//!
//! Existing lines are rolled up here once (`backfill`); lines are never
//! un-approved, so the rollups only ever grow.

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DatabaseBackend};

use crate::common::region_fk;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261123_000005_declaration_rollups"
    }
}

/// Rolls up all approved lines into empty rollup tables. Each bit is summed
/// once per group (`SUM(DISTINCT …)`), which equals a bitwise OR and works on
/// both databases.
pub async fn backfill<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    backfill_spend(db).await?;
    backfill_clients(db, ClientsShape::PerMunicipality).await
}

/// The dialect's month of `l.period_start`: (its first day, its year, its
/// number 1–12).
pub(crate) fn month_expressions(
    db: &impl ConnectionTrait,
) -> (&'static str, &'static str, &'static str) {
    match db.get_database_backend() {
        DatabaseBackend::Sqlite => (
            "date(l.period_start, 'start of month')",
            "CAST(strftime('%Y', l.period_start) AS INTEGER)",
            "CAST(strftime('%m', l.period_start) AS INTEGER)",
        ),
        _ => (
            "CAST(date_trunc('month', l.period_start) AS date)",
            "CAST(EXTRACT(YEAR FROM l.period_start) AS INTEGER)",
            "CAST(EXTRACT(MONTH FROM l.period_start) AS INTEGER)",
        ),
    }
}

/// The amounts and lines per month, group, municipality and provider.
pub async fn backfill_spend<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    let (month, _, _) = month_expressions(db);
    db.execute_unprepared(&format!(
        "INSERT INTO spend_rollups (region_id, month, product_group_id, municipality_id, provider_id, amount_cents, line_count) \
         SELECT l.region_id, {month}, p.product_group_id, a.municipality_id, a.provider_id, \
                SUM(COALESCE(l.amount_cents, 0)), COUNT(*) \
         FROM declaration_lines l \
         JOIN allocations a ON a.region_id = l.region_id AND a.id = l.allocation_id \
         JOIN products p ON p.region_id = a.region_id AND p.id = a.product_id \
         WHERE l.status = 'approved' \
         GROUP BY l.region_id, {month}, p.product_group_id, a.municipality_id, a.provider_id"
    ))
    .await?;
    Ok(())
}

/// The shapes `declared_clients` has had.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClientsShape {
    /// This migration's: per year, client pseudonym, group and municipality.
    PerMunicipality,
    /// Migration 16's: also per provider.
    PerProvider,
    /// Migration 17's: per provider, the client as its number.
    Numbered,
}

impl ClientsShape {
    fn per_provider(self) -> bool {
        self != Self::PerMunicipality
    }

    /// The column that names the client.
    fn client_column(self) -> &'static str {
        match self {
            Self::Numbered => "client_number",
            _ => "client_key",
        }
    }
}

/// The client months of every approved line, in the table's `shape`.
pub(crate) async fn backfill_clients<C: ConnectionTrait>(
    db: &C,
    shape: ClientsShape,
) -> Result<(), DbErr> {
    let (_, year, month_no) = month_expressions(db);
    let (provider_column, by) = if shape.per_provider() {
        (", provider_id", ", a.provider_id")
    } else {
        ("", "")
    };
    let client = shape.client_column();
    db.execute_unprepared(&format!(
        "INSERT INTO declared_clients (region_id, year, {client}, product_group_id, municipality_id{provider_column}, months_mask) \
         SELECT l.region_id, {year}, a.{client}, p.product_group_id, a.municipality_id{by}, \
                CAST(SUM(DISTINCT 1 << ({month_no} - 1)) AS INTEGER) \
         FROM declaration_lines l \
         JOIN allocations a ON a.region_id = l.region_id AND a.id = l.allocation_id \
         JOIN products p ON p.region_id = a.region_id AND p.id = a.product_id \
         WHERE l.status = 'approved' \
         GROUP BY l.region_id, {year}, a.{client}, p.product_group_id, a.municipality_id{by}"
    ))
    .await?;
    Ok(())
}

/// `declared_clients` in `shape`: a bit per month with an approved line.
pub(crate) fn clients_table(shape: ClientsShape) -> TableCreateStatement {
    let client = shape.client_column();
    let mut key = Index::create();
    key.col("region_id")
        .col("year")
        .col(client)
        .col("product_group_id")
        .col("municipality_id");
    let mut table = Table::create();
    table
        .table("declared_clients")
        .col(uuid("region_id"))
        .col(integer("year"));
    match shape {
        ClientsShape::Numbered => table.col(big_integer(client)),
        _ => table.col(string_len(client, 64)),
    };
    table
        .col(uuid("product_group_id"))
        .col(uuid("municipality_id"));
    if shape.per_provider() {
        table.col(uuid("provider_id"));
        key.col("provider_id");
    }
    table
        .col(integer("months_mask"))
        .primary_key(&mut key)
        .foreign_key(&mut region_fk("declared_clients"))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("spend_rollups")
                    .col(uuid("region_id"))
                    .col(date("month"))
                    .col(uuid("product_group_id"))
                    .col(uuid("municipality_id"))
                    .col(uuid("provider_id"))
                    .col(big_integer("amount_cents"))
                    .col(big_integer("line_count"))
                    .primary_key(
                        Index::create()
                            .col("region_id")
                            .col("month")
                            .col("product_group_id")
                            .col("municipality_id")
                            .col("provider_id"),
                    )
                    .foreign_key(&mut region_fk("spend_rollups"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(clients_table(ClientsShape::PerMunicipality))
            .await?;
        backfill(manager.get_connection()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["declared_clients", "spend_rollups"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
