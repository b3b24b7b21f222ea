//! Every migration runs up, down and up again, on SQLite and PostgreSQL.

use migration::{Migrator, MigratorTrait};
use sea_orm::Database;

async fn up_down_up(url: &str) {
    let db = Database::connect(url).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    assert!(Migrator::get_pending_migrations(&db)
        .await
        .unwrap()
        .is_empty());
    Migrator::down(&db, None).await.unwrap();
    assert_eq!(
        Migrator::get_pending_migrations(&db).await.unwrap().len(),
        Migrator::migrations().len()
    );
    Migrator::up(&db, None).await.unwrap();
    assert!(Migrator::get_pending_migrations(&db)
        .await
        .unwrap()
        .is_empty());
    db.close().await.unwrap();
}

#[tokio::test]
async fn sqlite_up_down_up() {
    let file = std::env::temp_dir().join(format!("zorgregie-migrate-{}.db", uuid::Uuid::now_v7()));
    up_down_up(&format!("sqlite://{}?mode=rwc", file.display())).await;
    let _ = std::fs::remove_file(file);
}

#[tokio::test]
async fn postgres_up_down_up() {
    let Some(scratch) = e2e::ScratchDatabase::create("zorgregie_migrate").await else {
        return;
    };
    up_down_up(&scratch.url).await;
    scratch.drop().await;
}

/// Migration 17 numbers the stored clients in SQL; the API numbers new ones
/// in Rust (`entities::client_number`). Both give the same number, the top
/// bit and upper-case digits included.
async fn client_numbers_agree(url: &str) {
    use sea_orm::{ConnectionTrait, Statement};
    let db = Database::connect(url).await.unwrap();
    let keys = [
        "0000000000000000".repeat(4),
        format!("8000000000000001{}", "0".repeat(48)),
        "f".repeat(64),
        format!("0123456789ABCDEF{}", "9".repeat(48)),
        "7fffffffffffffff".repeat(4),
    ];
    for key in keys {
        let expression =
            migration::client_number_sql(db.get_database_backend(), &format!("'{key}'"));
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                format!("SELECT CAST({expression} AS BIGINT) AS n"),
            ))
            .await
            .unwrap()
            .unwrap();
        let number: i64 = row.try_get("", "n").unwrap();
        assert_eq!(
            number,
            entities::client_number::client_number(&key),
            "{key}"
        );
    }
    db.close().await.unwrap();
}

#[tokio::test]
async fn sqlite_client_numbers_agree() {
    client_numbers_agree("sqlite::memory:").await;
}

#[tokio::test]
async fn postgres_client_numbers_agree() {
    let Some(scratch) = e2e::ScratchDatabase::create("zorgregie_numbers").await else {
        return;
    };
    client_numbers_agree(&scratch.url).await;
    scratch.drop().await;
}
