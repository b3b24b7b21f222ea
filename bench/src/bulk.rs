//! The raw bulk path: rows straight into a table, no service logic. On
//! PostgreSQL one `COPY … FROM STDIN` (text format); on SQLite prepared
//! multi-row inserts in one transaction. The generator loads its data this
//! way, and it is the reference the HTTP ingestion is measured against.

use sea_orm::{
    sea_query::Value, ActiveModelTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait,
    IdenStatic, Iterable, TransactionTrait,
};

/// SQLite allows 32,766 bound parameters per statement.
const SQLITE_PARAMETERS: usize = 32_000;

/// Loads `rows` into `E`'s table in one transaction.
pub async fn load<E>(db: &DatabaseConnection, rows: Vec<E::Model>) -> Result<(), DbErr>
where
    E: EntityTrait,
    E::ActiveModel: ActiveModelTrait<Entity = E> + From<E::Model> + Send,
{
    if rows.is_empty() {
        return Ok(());
    }
    match db.get_database_backend() {
        DbBackend::Postgres => copy::<E>(db, rows).await,
        _ => {
            let per_statement = SQLITE_PARAMETERS / E::Column::iter().count();
            let txn = db.begin().await?;
            let mut rows = rows.into_iter().map(E::ActiveModel::from).peekable();
            while rows.peek().is_some() {
                E::insert_many(rows.by_ref().take(per_statement).collect::<Vec<_>>())
                    .exec(&txn)
                    .await?;
            }
            txn.commit().await
        }
    }
}

async fn copy<E>(db: &DatabaseConnection, rows: Vec<E::Model>) -> Result<(), DbErr>
where
    E: EntityTrait,
    E::ActiveModel: ActiveModelTrait<Entity = E> + From<E::Model>,
{
    let columns: Vec<E::Column> = E::Column::iter().collect();
    let names: Vec<&str> = columns.iter().map(|c| c.as_str()).collect();
    let statement = format!(
        "COPY {} ({}) FROM STDIN",
        E::default().table_name(),
        names.join(", ")
    );
    let err = |e: sqlx::Error| DbErr::Custom(format!("COPY: {e}"));
    let mut conn = db
        .get_postgres_connection_pool()
        .acquire()
        .await
        .map_err(err)?;
    let mut copy = conn.copy_in_raw(&statement).await.map_err(err)?;
    let mut buffer = String::with_capacity(1 << 20);
    for row in rows {
        let model = E::ActiveModel::from(row);
        for (i, column) in columns.iter().enumerate() {
            if i > 0 {
                buffer.push('\t');
            }
            push_text(&mut buffer, model.get(*column).into_value());
        }
        buffer.push('\n');
        if buffer.len() > 1 << 20 {
            copy.send(std::mem::take(&mut buffer).into_bytes())
                .await
                .map_err(err)?;
        }
    }
    copy.send(buffer.into_bytes()).await.map_err(err)?;
    copy.finish().await.map_err(err)?;
    Ok(())
}

/// One value in COPY's text format (`\N` for NULL, backslash escapes).
fn push_text(out: &mut String, value: Option<Value>) {
    use std::fmt::Write;
    let text = match value {
        Some(Value::Uuid(Some(u))) => u.to_string(),
        Some(Value::String(Some(s))) => s.to_string(),
        Some(Value::BigInt(Some(n))) => n.to_string(),
        Some(Value::Int(Some(n))) => n.to_string(),
        Some(Value::SmallInt(Some(n))) => n.to_string(),
        Some(Value::Bool(Some(b))) => (if b { "t" } else { "f" }).to_owned(),
        Some(Value::ChronoDate(Some(d))) => d.to_string(),
        Some(Value::ChronoDateTimeUtc(Some(t))) => t.to_rfc3339(),
        Some(Value::Json(Some(j))) => j.to_string(),
        Some(other) if is_null(&other) => return out.push_str("\\N"),
        None => return out.push_str("\\N"),
        Some(other) => {
            // A type the schema does not use: fail loudly in the data rather than guess.
            let _ = write!(out, "unsupported value {other:?}");
            return;
        }
    };
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

fn is_null(value: &Value) -> bool {
    matches!(
        value,
        Value::Uuid(None)
            | Value::String(None)
            | Value::BigInt(None)
            | Value::Int(None)
            | Value::SmallInt(None)
            | Value::Bool(None)
            | Value::ChronoDate(None)
            | Value::ChronoDateTimeUtc(None)
            | Value::Json(None)
    )
}
