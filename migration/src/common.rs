//! Pieces the migrations share. Changing one changes what a fresh database
//! gets from every migration that uses it, so only stable shapes live here.

use sea_orm_migration::prelude::*;

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
