//! Every migration runs up, down and up again, on SQLite and PostgreSQL.

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database};

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
    let Ok(url) = std::env::var("TEST_DATABASE_URL") else {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "CI=true needs TEST_DATABASE_URL"
        );
        eprintln!("skipped: set TEST_DATABASE_URL");
        return;
    };
    // A database of its own: the shared test database is in use by other tests.
    let name = format!("zorgregie_migrate_{}", uuid::Uuid::now_v7().simple());
    let admin = Database::connect(&url).await.unwrap();
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let base = url.rsplit_once('/').map(|(base, _)| base).unwrap();
    up_down_up(&format!("{base}/{name}")).await;
    admin
        .execute_unprepared(&format!("DROP DATABASE {name}"))
        .await
        .unwrap();
}
