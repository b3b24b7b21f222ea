//! The contract's whole life (issue 13):
//! - contracts carry their notice period, the ground of a termination, the
//!   months added by one-off extensions outside the options, and an
//!   estimated value (for the EU threshold);
//! - amendments keep the history of a contract's changes with their reason;
//! - enrolments (aanmeldingen): a provider applies for lots and
//!   municipalities, with evidence per requirement, and the office decides;
//! - the compliance register: each provider's checks (Bibob, financial,
//!   Governance Code, WNT, quality mark) with outcome and validity;
//! - bridging agreements let named allocations run past a contract's end;
//! - contract signals (a check expiring or expired, a contract ending with
//!   allocations running past it, a value over the EU threshold), each once.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::{create_unique_indexes, tenant_fk, tenant_table};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_000011_contract_life"
    }
}

use ForeignKeyAction::{Cascade, Restrict};

const CONTRACT_COLUMNS: [&str; 4] = [
    "notice_months",
    "termination_ground",
    "amended_months",
    "estimated_value_cents",
];

/// Newest first, so `down` drops children before their parents.
const NEW_TABLES: [&str; 6] = [
    "contract_signals",
    "bridging_agreements",
    "compliance_checks",
    "enrolment_evidence",
    "enrolments",
    "contract_amendments",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in CONTRACT_COLUMNS {
            let def = match column {
                "notice_months" | "amended_months" => integer(column).default(0).to_owned(),
                "termination_ground" => string_len_null(column, 32),
                _ => big_integer_null(column),
            };
            manager
                .alter_table(Table::alter().table("contracts").add_column(def).to_owned())
                .await?;
        }
        manager
            .create_table(
                tenant_table("contract_amendments")
                    .col(uuid("contract_id"))
                    .col(string_len("kind", 32))
                    .col(string_len_null("reason", 2000))
                    .col(date("effective_on"))
                    .col(json("change"))
                    .col(string_len("actor", 200))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut tenant_fk(
                        "contract_amendments",
                        "contract_id",
                        "contracts",
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                tenant_table("enrolments")
                    .col(uuid("provider_id"))
                    .col(string_len("procurement_form", 32))
                    .col(json("product_group_ids"))
                    .col(json("municipality_ids"))
                    .col(date("start_date"))
                    .col(string_len("status", 32))
                    .col(string_len_null("decision_reason", 2000))
                    // No foreign key: removing a contract entered by mistake
                    // leaves the enrolment's history as it was.
                    .col(uuid_null("contract_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("decided_at"))
                    .foreign_key(&mut tenant_fk(
                        "enrolments",
                        "provider_id",
                        "providers",
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                tenant_table("enrolment_evidence")
                    .col(uuid("enrolment_id"))
                    .col(string_len("requirement", 32))
                    .col(string_len("document_reference", 200))
                    .col(date_null("valid_until"))
                    .col(string_len("assessment", 32))
                    .col(string_len_null("assessment_note", 2000))
                    .col(timestamp_with_time_zone_null("assessed_at"))
                    .foreign_key(&mut tenant_fk(
                        "enrolment_evidence",
                        "enrolment_id",
                        "enrolments",
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                tenant_table("compliance_checks")
                    .col(uuid("provider_id"))
                    .col(string_len("kind", 32))
                    .col(string_len("outcome", 32))
                    .col(date("checked_on"))
                    .col(date_null("valid_until"))
                    .col(string_len_null("note", 2000))
                    .col(timestamp_with_time_zone("created_at"))
                    // The register outlives nothing it records: a provider
                    // with checks is not removed.
                    .foreign_key(&mut tenant_fk(
                        "compliance_checks",
                        "provider_id",
                        "providers",
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                tenant_table("bridging_agreements")
                    .col(uuid("contract_id"))
                    .col(date("until"))
                    .col(json("allocation_numbers"))
                    .col(string_len_null("conditions", 2000))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut tenant_fk(
                        "bridging_agreements",
                        "contract_id",
                        "contracts",
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                tenant_table("contract_signals")
                    .col(string_len("kind", 32))
                    .col(uuid("subject_id"))
                    .col(uuid_null("provider_id"))
                    .col(date("due_on"))
                    .col(string_len("detail", 500))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;
        let lookups: [(&str, &str, &[&str]); 4] = [
            (
                "ix_compliance_checks_provider",
                "compliance_checks",
                &["provider_id", "kind"],
            ),
            (
                "ix_contract_amendments_contract",
                "contract_amendments",
                &["contract_id"],
            ),
            (
                "ix_bridging_agreements_contract",
                "bridging_agreements",
                &["contract_id"],
            ),
            ("ix_enrolments_provider", "enrolments", &["provider_id"]),
        ];
        for (name, table, cols) in lookups {
            let mut index = Index::create();
            index.name(name).table(table).col("region_id");
            for col in cols {
                index.col(*col);
            }
            manager.create_index(index.to_owned()).await?;
        }
        create_unique_indexes(
            manager,
            &[
                (
                    "ux_enrolment_evidence_requirement",
                    "enrolment_evidence",
                    &["region_id", "enrolment_id", "requirement"][..],
                ),
                (
                    "ux_contract_signals_once",
                    "contract_signals",
                    &["region_id", "kind", "subject_id", "due_on"][..],
                ),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in NEW_TABLES {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        for column in CONTRACT_COLUMNS {
            manager
                .alter_table(
                    Table::alter()
                        .table("contracts")
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
