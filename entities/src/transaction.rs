//! Write transactions. On SQLite they start with `BEGIN IMMEDIATE`: a
//! deferred transaction that reads first and writes later cannot wait for
//! the one writer (SQLite answers "database is locked" at once to avoid a
//! deadlock), while an immediate one queues for the write lock up to the
//! busy timeout. PostgreSQL ignores the setting.

use sea_orm::{DbErr, SqliteTransactionMode, TransactionOptions, TransactionTrait};

pub async fn begin_write<C: TransactionTrait>(db: &C) -> Result<C::Transaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}
