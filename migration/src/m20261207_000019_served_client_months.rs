//! A client counts in a month while an approved debit of that month stands
//! (issue 27): a credit takes the client out of the months it empties.
//! Until now `declared_clients` ORed in the month of every approved line,
//! a credit and the debit it reversed included, so a client whose only
//! care of a month was credited in full still counted as served (in the
//! outflow check, Table 1's clients and the trends). The table is filled
//! again from the debits that stand; no column changes.

use sea_orm_migration::prelude::*;

use crate::m20261123_000005_declaration_rollups::{
    backfill_clients, month_expressions, ClientsShape,
};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000019_served_client_months"
    }
}

/// The client months of every approved debit that no credit reversed, into
/// an empty `declared_clients` (migration 17's shape). Each bit is summed
/// once per group (`SUM(DISTINCT …)`), which equals a bitwise OR.
pub async fn backfill_served_clients<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    let (_, year, month_no) = month_expressions(db);
    db.execute_unprepared(&format!(
        "INSERT INTO declared_clients (region_id, year, client_number, product_group_id, municipality_id, provider_id, months_mask) \
         SELECT l.region_id, {year}, a.client_number, p.product_group_id, a.municipality_id, a.provider_id, \
                CAST(SUM(DISTINCT 1 << ({month_no} - 1)) AS INTEGER) \
         FROM declaration_lines l \
         JOIN allocations a ON a.region_id = l.region_id AND a.id = l.allocation_id \
         JOIN products p ON p.region_id = a.region_id AND p.id = a.product_id \
         WHERE l.status = 'approved' AND l.credit = FALSE AND l.reversed_by IS NULL \
         GROUP BY l.region_id, {year}, a.client_number, p.product_group_id, a.municipality_id, a.provider_id"
    ))
    .await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DELETE FROM declared_clients")
            .await?;
        backfill_served_clients(db).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DELETE FROM declared_clients")
            .await?;
        backfill_clients(db, ClientsShape::Numbered).await
    }
}
