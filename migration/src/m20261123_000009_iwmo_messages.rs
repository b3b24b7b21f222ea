//! The iWmo/iJw message standard (i-Standaarden 3.2):
//! - allocations record the actual start and end of care (305/307) and a
//!   removal (301 with RedenWijziging 13) without losing their history;
//! - declaration lines carry the prestatie's reference, debit or credit, and
//!   the credit that reversed them; references are unique per provider and
//!   law (TR314), enforced by a partial unique index;
//! - every inbound message is recorded (its hash, not its content) with its
//!   answer, sealed: a 325 carries BSNs;
//! - the client vault keeps the personal data a 301 needs, encrypted;
//! - the outbox keeps the 301s for allocations made through the JSON API.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::region_fk;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261123_000009_iwmo_messages"
    }
}

const ADDED_COLUMNS: [(&str, &str); 9] = [
    ("allocations", "care_started_on"),
    ("allocations", "care_ended_on"),
    ("allocations", "removed_at"),
    ("declaration_lines", "reference_number"),
    ("declaration_lines", "reference_provider_id"),
    ("declaration_lines", "reference_law"),
    ("declaration_lines", "previous_reference"),
    ("declaration_lines", "credit"),
    ("declaration_lines", "reversed_by"),
];

fn added_column(table: &str, column: &'static str) -> ColumnDef {
    match (table, column) {
        (_, "care_started_on" | "care_ended_on") => date_null(column),
        (_, "removed_at") => timestamp_with_time_zone_null(column),
        (_, "reference_number" | "previous_reference") => string_len_null(column, 50),
        (_, "reference_law") => string_len_null(column, 16),
        (_, "credit") => boolean(column).default(false).to_owned(),
        _ => uuid_null(column),
    }
}

fn keyed(table: &'static str) -> TableCreateStatement {
    Table::create()
        .table(table)
        .col(uuid("region_id"))
        .foreign_key(&mut region_fk(table))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one at a time.
        for (table, column) in ADDED_COLUMNS {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(added_column(table, column))
                        .to_owned(),
                )
                .await?;
        }
        // Partial: only lines that took their reference; both databases
        // support `WHERE` on an index, sea-query's builder does not.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_declaration_lines_reference ON declaration_lines \
                 (region_id, reference_provider_id, reference_law, reference_number) \
                 WHERE reference_provider_id IS NOT NULL",
            )
            .await?;
        manager
            .create_table(
                keyed("iwmo_messages")
                    .col(uuid("id"))
                    .col(string_len("law", 16))
                    .col(string_len("message_type", 3))
                    .col(string_len("sender", 20))
                    .col(string_len("receiver", 20))
                    .col(string_len("identification", 20))
                    .col(date("dated"))
                    .col(string_len("request_hash", 64))
                    .col(string_len("submitter", 220))
                    .col(string_len("submitted_by", 200))
                    .col(string_len("outcome", 32))
                    .col(integer("item_count"))
                    .col(integer_null("approved_count"))
                    .col(big_integer_null("approved_cents"))
                    .col(string_len_null("declaration_number", 50))
                    .col(uuid_null("batch_id"))
                    .col(string_len("key_id", 16))
                    .col(blob_null("answer_sealed"))
                    .col(timestamp_with_time_zone("received_at"))
                    .primary_key(Index::create().col("region_id").col("id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_iwmo_messages_identification")
                    .table("iwmo_messages")
                    .col("region_id")
                    .col("sender")
                    .col("law")
                    .col("message_type")
                    .col("identification")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                keyed("client_vault")
                    .col(string_len("client_key", 64))
                    .col(string_len("key_id", 16))
                    .col(blob("sealed"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .primary_key(Index::create().col("region_id").col("client_key"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                keyed("iwmo_outbox")
                    .col(uuid("id"))
                    .col(uuid("provider_id"))
                    .col(big_integer("allocation_number"))
                    .col(string_len("law", 16))
                    .col(string_len("identification", 20))
                    .col(string_len("key_id", 16))
                    .col(blob("sealed"))
                    .col(timestamp_with_time_zone("created_at"))
                    .primary_key(Index::create().col("region_id").col("id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_iwmo_outbox_provider")
                    .table("iwmo_outbox")
                    .col("region_id")
                    .col("provider_id")
                    .col("id")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ux_declaration_lines_reference")
                    .table("declaration_lines")
                    .to_owned(),
            )
            .await?;
        for table in ["iwmo_outbox", "client_vault", "iwmo_messages"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        for (table, column) in ADDED_COLUMNS.iter().rev() {
            manager
                .alter_table(Table::alter().table(*table).drop_column(*column).to_owned())
                .await?;
        }
        Ok(())
    }
}
