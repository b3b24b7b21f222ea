//! `declared_clients` gains the provider in its key, so the outflow check
//! counts each provider's distinct clients from the rollup instead of
//! reading a year of declaration lines (region-scale SQLite: 0.57 s). The
//! report ORs the months over providers as it did over municipalities. The
//! table is rebuilt and filled again from the approved lines.

use sea_orm_migration::prelude::*;

use crate::m20261123_000005_declaration_rollups::{backfill_clients, clients_table, ClientsShape};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_000016_clients_per_provider"
    }
}

/// Drops `declared_clients` and fills it again, in `shape`, from the
/// approved lines (migration 17 uses it too).
pub(crate) async fn rebuild(manager: &SchemaManager<'_>, shape: ClientsShape) -> Result<(), DbErr> {
    manager
        .drop_table(Table::drop().table("declared_clients").to_owned())
        .await?;
    manager.create_table(clients_table(shape)).await?;
    backfill_clients(manager.get_connection(), shape).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        rebuild(manager, ClientsShape::PerProvider).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        rebuild(manager, ClientsShape::PerMunicipality).await
    }
}
