//! Declaration batches belong to the party that submitted them: `submitter`
//! is `provider:<AGB>` for a provider (whichever token or API client it
//! used) and `actor:<role>:<sub>` for anyone else. The idempotency key is
//! unique per submitter, so two providers using the same key never meet.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261123_000006_batch_submitter"
    }
}

const OLD_INDEX: &str = "ux_declaration_batches_idempotency";
const NEW_INDEX: &str = "ux_declaration_batches_submitter_key";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("declaration_batches")
                    .add_column(string_len("submitter", 220).default(""))
                    .to_owned(),
            )
            .await?;
        // Earlier batches: the provider of their first line's allocation when
        // a provider submitted them, else the actor who did.
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE declaration_batches SET submitter = COALESCE(
                   CASE WHEN submitted_by LIKE 'provider:%' THEN (
                     SELECT 'provider:' || p.agb_code
                       FROM declaration_lines l
                       JOIN allocations a ON a.region_id = l.region_id AND a.id = l.allocation_id
                       JOIN providers p ON p.region_id = a.region_id AND p.id = a.provider_id
                      WHERE l.region_id = declaration_batches.region_id
                        AND l.batch_id = declaration_batches.id
                      ORDER BY l.line_no LIMIT 1)
                   END,
                   'actor:' || submitted_by)",
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name(OLD_INDEX)
                    .table("declaration_batches")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(NEW_INDEX)
                    .table("declaration_batches")
                    .col("region_id")
                    .col("submitter")
                    .col("idempotency_key")
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(NEW_INDEX)
                    .table("declaration_batches")
                    .to_owned(),
            )
            .await?;
        // Keys two submitters share cannot be unique per region again: keep
        // the oldest batch's key and suffix the others with their id.
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE declaration_batches SET idempotency_key = idempotency_key || '~' || CAST(id AS TEXT)
                  WHERE EXISTS (SELECT 1 FROM declaration_batches o
                                 WHERE o.region_id = declaration_batches.region_id
                                   AND o.idempotency_key = declaration_batches.idempotency_key
                                   AND o.id < declaration_batches.id)",
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(OLD_INDEX)
                    .table("declaration_batches")
                    .col("region_id")
                    .col("idempotency_key")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("declaration_batches")
                    .drop_column("submitter")
                    .to_owned(),
            )
            .await
    }
}
