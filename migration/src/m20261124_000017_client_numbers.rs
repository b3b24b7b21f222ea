//! Clients as numbers where they are counted (issue 15). An allocation
//! gains `client_number`: the first 64 bits of its pseudonym as a signed
//! integer (`entities::client_number`). `declared_clients` is keyed by it
//! instead of the 64-character pseudonym, and the two allocation indexes
//! the report reads by client (migrations 13 and 15) carry it. The report
//! and the outflow check then read and compare 8 bytes a client instead of
//! 64 characters, and the rollup's key is narrower for every upsert.
//!
//! The API's filter on a pseudonym finds its rows through the number's
//! index too (`client_number = n AND client_key = k`).

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

use crate::{
    m20261123_000005_declaration_rollups::ClientsShape,
    m20261124_000016_clients_per_provider::rebuild,
};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_000017_client_numbers"
    }
}

const PERIOD: &str = "ix_allocations_period";
const CLIENT_PERIOD: &str = "ix_allocations_client_period";

/// The SQL for `entities::client_number` of the pseudonym in `column`:
/// its first 16 hex digits as a big-endian two's-complement 64-bit integer.
/// SQLite has no hex-to-integer function: each digit is found in a string
/// of the digits and OR-ed into place (an OR cannot overflow into a float
/// as `+` would).
pub fn client_number_sql(backend: DatabaseBackend, column: &str) -> String {
    match backend {
        DatabaseBackend::Sqlite => (0..16)
            .map(|i| {
                format!(
                    "((instr('0123456789abcdef', lower(substr({column}, {}, 1))) - 1) << {})",
                    i + 1,
                    4 * (15 - i)
                )
            })
            .collect::<Vec<_>>()
            .join(" | "),
        _ => format!("('x' || substr({column}, 1, 16))::bit(64)::bigint"),
    }
}

/// Both allocation indexes with the client as `client`: migration 13's
/// (the client last) and migration 15's (the client first).
async fn recreate_indexes(manager: &SchemaManager<'_>, client: &'static str) -> Result<(), DbErr> {
    let period = [
        "start_date",
        "end_date",
        "municipality_id",
        "care_started_on",
        "id",
        client,
    ];
    let client_period = [
        client,
        "start_date",
        "end_date",
        "care_started_on",
        "removed_at",
    ];
    for (name, columns) in [(PERIOD, &period[..]), (CLIENT_PERIOD, &client_period[..])] {
        manager
            .drop_index(Index::drop().name(name).table("allocations").to_owned())
            .await?;
        let mut index = Index::create();
        index.name(name).table("allocations").col("region_id");
        for column in columns {
            index.col(*column);
        }
        manager.create_index(index).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        // SQLite adds a NOT NULL column only with a default; PostgreSQL
        // drops it again below, so an insert that forgets the number fails.
        db.execute_unprepared(
            "ALTER TABLE allocations ADD COLUMN client_number BIGINT NOT NULL DEFAULT 0",
        )
        .await?;
        db.execute_unprepared(&format!(
            "UPDATE allocations SET client_number = {}",
            client_number_sql(backend, "client_key")
        ))
        .await?;
        if backend == DatabaseBackend::Postgres {
            db.execute_unprepared(
                "ALTER TABLE allocations ALTER COLUMN client_number DROP DEFAULT",
            )
            .await?;
        }
        recreate_indexes(manager, "client_number").await?;
        rebuild(manager, ClientsShape::Numbered).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        rebuild(manager, ClientsShape::PerProvider).await?;
        recreate_indexes(manager, "client_key").await?;
        manager
            .alter_table(
                Table::alter()
                    .table("allocations")
                    .drop_column("client_number")
                    .to_owned(),
            )
            .await
    }
}
