//! The outflow policy's window is spelt `rolling-12-months`, as the README
//! documents; policies stored with the earlier `rolling12-months` are
//! rewritten so that one spelling is read and written.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261123_000008_outflow_window_spelling"
    }
}

async fn respell(manager: &SchemaManager<'_>, from: &str, to: &str) -> Result<(), DbErr> {
    let db = manager.get_connection();
    // `body` is json on PostgreSQL and text on SQLite.
    let sql = match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => format!(
            "UPDATE policies SET body = REPLACE(body::text, '\"{from}\"', '\"{to}\"')::json WHERE kind = 'outflow-threshold'"
        ),
        _ => format!(
            "UPDATE policies SET body = REPLACE(body, '\"{from}\"', '\"{to}\"') WHERE kind = 'outflow-threshold'"
        ),
    };
    db.execute_unprepared(&sql).await.map(|_| ())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        respell(manager, "rolling12-months", "rolling-12-months").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        respell(manager, "rolling-12-months", "rolling12-months").await
    }
}
