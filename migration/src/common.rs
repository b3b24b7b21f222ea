//! Pieces the migrations share. Changing one changes what a fresh database
//! gets from every migration that uses it, so only stable shapes live here.

use sea_orm_migration::{prelude::*, schema::uuid};

/// The foreign key from a tenant table to its region (rows go with the region).
pub fn region_fk(table: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_region"))
        .from_col("region_id")
        .to_tbl("regions")
        .to_col("id")
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

/// A foreign key to another tenant table, through `(region_id, column)`.
pub fn tenant_fk(
    table: &'static str,
    column: &'static str,
    target: &'static str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from_col("region_id")
        .from_col(column)
        .to_tbl(target)
        .to_col("region_id")
        .to_col("id")
        .on_delete(on_delete)
        .to_owned()
}

/// A tenant table keyed by `(region_id, id)`, its rows going with the region.
pub fn tenant_table(table: &'static str) -> TableCreateStatement {
    Table::create()
        .table(table)
        .col(uuid("region_id"))
        .col(uuid("id"))
        .primary_key(Index::create().col("region_id").col("id"))
        .foreign_key(&mut region_fk(table))
        .to_owned()
}

/// Unique indexes, each `(name, table, columns)`.
pub async fn create_unique_indexes(
    manager: &SchemaManager<'_>,
    indexes: &[(&'static str, &'static str, &[&'static str])],
) -> Result<(), DbErr> {
    for (name, table, cols) in indexes {
        let mut index = Index::create();
        index.name(*name).table(*table).unique();
        for col in *cols {
            index.col(*col);
        }
        manager.create_index(index.to_owned()).await?;
    }
    Ok(())
}
