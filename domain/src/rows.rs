//! The jobs' largest reads, through sqlx itself (COPY on PostgreSQL).

use sea_orm::DatabaseConnection;

mod copy;

/// The rows of a statement as tuples, read through sqlx itself: for the
/// jobs' largest reads (the report's moving allocations, their clients'
/// other ones and the clients' months; the outflow check's client months),
/// where sea-orm's row conversion doubled the time (BENCHMARKS.md). On
/// PostgreSQL as one binary `COPY` stream (`copy`), which costs both sides
/// less than a row at a time. Each read is a task of its own, so the rows
/// of several are decoded on several cores.
pub(crate) async fn rows<T>(
    db: &DatabaseConnection,
    statement: sea_orm::sea_query::SelectStatement,
) -> Result<Vec<T>, sea_orm::DbErr>
where
    T: for<'r> sea_orm::sqlx::FromRow<'r, sea_orm::sqlx::sqlite::SqliteRow>
        + copy::CopyRow
        + Send
        + Unpin
        + 'static,
{
    use futures_util::TryStreamExt;
    use sea_orm::sea_query::{PostgresQueryBuilder, SqliteQueryBuilder};
    use sea_orm::sqlx::postgres::PgPoolCopyExt;
    use sea_query_sqlx::SqlxBinder;
    // The SQL is sea-query's, built from the jobs' statements. On SQLite
    // every value is bound. PostgreSQL's COPY takes no parameters: there
    // sea-query writes each value in as a literal escaped by its type (the
    // jobs' reads filter by ids, dates and numbers, never by free text).
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
                let copy = format!(
                    "COPY ({}) TO STDOUT (FORMAT binary)",
                    statement.to_string(PostgresQueryBuilder)
                );
                let mut stream = db
                    .get_postgres_connection_pool()
                    .copy_out_raw(&copy)
                    .await
                    .map_err(failed)?;
                let mut bytes = Vec::new();
                while let Some(chunk) = stream.try_next().await.map_err(failed)? {
                    bytes.extend_from_slice(&chunk);
                }
                copy::parse(&bytes).map_err(sea_orm::DbErr::Custom)
            }
        }
    };
    tokio::spawn(read)
        .await
        .map_err(|e| sea_orm::DbErr::Custom(e.to_string()))?
}
