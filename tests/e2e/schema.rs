//! The schema distributes on `region_id` (issue 15, "past one server"): on a
//! freshly migrated PostgreSQL database, every tenant table's primary key,
//! unique indexes and foreign keys lead with `region_id`, so Citus can hash
//! them on it and keep each region on one shard; the few tables that cannot
//! are listed with the reason, and `docs/scaling.md` distributes exactly the
//! tenant tables, each after the tables it references.

use std::collections::{BTreeMap, BTreeSet};

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};

/// Tables Citus keeps whole on every node (`create_reference_table`).
const REFERENCE_TABLES: &[(&str, &str)] = &[
    ("regions", "the tenants themselves"),
    (
        "api_clients",
        "the token endpoint finds a client by its id before it knows the region",
    ),
];

/// Tables that stay on the coordinator (not distributed).
const LOCAL_TABLES: &[(&str, &str)] = &[("seaql_migrations", "the migration history")];

async fn rows(db: &DatabaseConnection, sql: &str) -> Vec<(String, String, String)> {
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .into_iter()
        .map(|row| {
            (
                row.try_get_by_index::<String>(0).unwrap(),
                row.try_get_by_index::<String>(1).unwrap(),
                row.try_get_by_index::<String>(2).unwrap_or_default(),
            )
        })
        .collect()
}

#[tokio::test]
async fn tenant_tables_lead_with_region_id() {
    // A database of its own, migrated from scratch.
    let Some(scratch) = e2e::ScratchDatabase::create("zorgregie_schema").await else {
        return;
    };
    let db = Database::connect(&scratch.url).await.unwrap();
    Migrator::up(&db, None).await.unwrap();

    let problems = check(&db).await;
    db.close().await.unwrap();
    scratch.drop().await;
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every way the schema breaks the property, in words.
async fn check(db: &DatabaseConnection) -> Vec<String> {
    let special: BTreeSet<&str> = REFERENCE_TABLES
        .iter()
        .chain(LOCAL_TABLES)
        .map(|(t, _)| *t)
        .collect();
    // (table, first column of the primary key, has region_id)
    let tables = rows(
        db,
        "SELECT c.relname::text, \
                COALESCE((SELECT a.attname::text FROM pg_index i JOIN pg_attribute a \
                          ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] \
                          WHERE i.indrelid = c.oid AND i.indisprimary), ''), \
                CASE WHEN EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid \
                     AND a.attname = 'region_id' AND NOT a.attisdropped) THEN 'yes' ELSE 'no' END \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 1",
    )
    .await;
    let mut problems = Vec::new();
    let tenant: BTreeSet<String> = tables
        .iter()
        .filter(|(t, _, _)| !special.contains(t.as_str()))
        .map(|(t, _, _)| t.clone())
        .collect();
    for (table, pk_first, has_region) in &tables {
        if special.contains(table.as_str()) {
            continue;
        }
        if has_region != "yes" {
            problems.push(format!("{table}: no region_id column"));
        }
        if pk_first != "region_id" {
            problems.push(format!(
                "{table}: the primary key starts with {pk_first:?}, not region_id"
            ));
        }
    }
    for (table, index, first) in rows(
        db,
        "SELECT c.relname::text, ic.relname::text, a.attname::text \
         FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid \
         JOIN pg_class ic ON ic.oid = i.indexrelid \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] \
         WHERE n.nspname = 'public' AND i.indisunique",
    )
    .await
    {
        if tenant.contains(&table) && first != "region_id" {
            problems.push(format!(
                "{table}: unique index {index} starts with {first}, not region_id"
            ));
        }
    }
    // (table, referenced table, first column of the key)
    let foreign_keys = rows(
        db,
        "SELECT con.conrelid::regclass::text, con.confrelid::regclass::text, a.attname::text \
         FROM pg_constraint con \
         JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1] \
         WHERE con.contype = 'f' AND con.connamespace = 'public'::regnamespace",
    )
    .await;
    let reference: BTreeSet<&str> = REFERENCE_TABLES.iter().map(|(t, _)| *t).collect();
    let mut references: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (table, target, first) in &foreign_keys {
        if tenant.contains(table) {
            if first != "region_id" {
                problems.push(format!(
                    "{table}: the foreign key to {target} starts with {first}, not region_id"
                ));
            }
            if tenant.contains(target) && target != table {
                references
                    .entry(table.clone())
                    .or_default()
                    .insert(target.clone());
            }
        } else if reference.contains(table.as_str()) && !reference.contains(target.as_str()) {
            problems.push(format!(
                "{table} (a reference table) refers to {target}, which is not one"
            ));
        }
    }
    problems.extend(check_docs(&tenant, &references));
    problems
}

/// `docs/scaling.md` distributes every tenant table once, after each
/// table it references, and makes the reference tables reference tables.
fn check_docs(
    tenant: &BTreeSet<String>,
    references: &BTreeMap<String, BTreeSet<String>>,
) -> Vec<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/scaling.md");
    let docs = std::fs::read_to_string(&path).unwrap_or_default();
    let mut problems = Vec::new();
    let position = |table: &str| docs.find(&format!("create_distributed_table('{table}'"));
    for table in tenant {
        let Some(at) = position(table) else {
            problems.push(format!("docs/scaling.md does not distribute {table}"));
            continue;
        };
        for target in references.get(table).into_iter().flatten() {
            if position(target).is_some_and(|before| before > at) {
                problems.push(format!(
                    "docs/scaling.md distributes {table} before {target}, which it references"
                ));
            }
        }
    }
    for (table, _) in REFERENCE_TABLES {
        if !docs.contains(&format!("create_reference_table('{table}')")) {
            problems.push(format!(
                "docs/scaling.md does not make {table} a reference table"
            ));
        }
    }
    problems
}
