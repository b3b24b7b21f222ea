//! One module per job, and the read they share.

use sea_orm::DatabaseConnection;

pub mod indexation;
pub mod outflow;
pub mod report;

/// The rows of a statement as tuples, read through sqlx itself: for the
/// jobs' largest reads (the report's moving allocations, their clients'
/// other ones and the clients' months; the outflow check's client months),
/// where sea-orm's row conversion doubled the time (BENCHMARKS.md). Each
/// read is a task of its own, so the rows of several are decoded on
/// several cores.
pub(crate) async fn rows<T>(
    db: &DatabaseConnection,
    statement: sea_orm::sea_query::SelectStatement,
) -> Result<Vec<T>, sea_orm::DbErr>
where
    T: for<'r> sea_orm::sqlx::FromRow<'r, sea_orm::sqlx::sqlite::SqliteRow>
        + for<'r> sea_orm::sqlx::FromRow<'r, sea_orm::sqlx::postgres::PgRow>
        + Send
        + Unpin
        + 'static,
{
    use sea_orm::sea_query::{PostgresQueryBuilder, SqliteQueryBuilder};
    use sea_query_sqlx::SqlxBinder;
    // The SQL is sea-query's, built from this file's statements; every
    // value is bound, none is spliced into it.
    use sea_orm::sqlx::AssertSqlSafe;
    let failed = |e: sea_orm::sqlx::Error| sea_orm::DbErr::Custom(e.to_string());
    let db = db.clone();
    let read = async move {
        match db.get_database_backend() {
            sea_orm::DatabaseBackend::Sqlite => {
                let (sql, values) = statement.build_sqlx(SqliteQueryBuilder);
                sea_orm::sqlx::query_as_with::<_, T, _>(AssertSqlSafe(sql), values)
                    .fetch_all(db.get_sqlite_connection_pool())
                    .await
                    .map_err(failed)
            }
            _ => {
                let (sql, values) = statement.build_sqlx(PostgresQueryBuilder);
                sea_orm::sqlx::query_as_with::<_, T, _>(AssertSqlSafe(sql), values)
                    .fetch_all(db.get_postgres_connection_pool())
                    .await
                    .map_err(failed)
            }
        }
    };
    tokio::spawn(read)
        .await
        .map_err(|e| sea_orm::DbErr::Custom(e.to_string()))?
}
