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
