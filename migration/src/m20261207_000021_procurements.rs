//! The procurement (inkoopprocedure) a contract is concluded under (issue
//! 27): the EU threshold is about the value of the whole procurement, not
//! one contract, and depends on its form (an open-house admission, the
//! European or national SAS procedure, a private procurement).
//!
//! - `procurements`: form, estimated total value, publication and award
//!   dates, the most candidates selected and contracts awarded;
//! - `procurement_lots`: its lots (product groups);
//! - `contracts.procurement_id`: the procurement a contract came from. The
//!   foreign key exists on PostgreSQL only: SQLite cannot add one to an
//!   existing table (as migration 12).
//!
//! Existing contracts keep working: each region gets one procurement per
//! contract procurement form, coded and named after the form, whose lots
//! are the product groups of its contracts; `open-house` becomes an
//! open-house admission, `sas-tender` and `eu-tender` the European SAS
//! procedure (Wmo and Jeugdwet care is a SAS service, seed 001 §3.1).

use sea_orm_migration::{
    prelude::*,
    schema::*,
    sea_orm::{DatabaseBackend, Statement, Value},
};

use crate::common::{create_unique_indexes, region_fk, tenant_fk, tenant_table};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000021_procurements"
    }
}

use ForeignKeyAction::{Cascade, Restrict};

const CONTRACT_FK: &str = "fk_contracts_procurement_id";
const CONTRACT_INDEX: &str = "ix_contracts_procurement";

/// The procurement of the contracts of one form: its form and name.
fn migrated(contract_form: &str) -> (&'static str, String) {
    match contract_form {
        "open-house" => ("open-house", "Open house".into()),
        "sas-tender" => ("sas-european", "SAS tender".into()),
        "eu-tender" => ("sas-european", "EU tender".into()),
        other => ("sas-european", other.to_owned()),
    }
}

/// Statement placeholders in order: `$n` on PostgreSQL, `?` on SQLite.
fn placeholders(backend: DatabaseBackend, n: usize) -> Vec<String> {
    (1..=n)
        .map(|i| match backend {
            DatabaseBackend::Postgres => format!("${i}"),
            _ => "?".to_owned(),
        })
        .collect()
}

/// One procurement per region and contract form, its lots, and every
/// contract pointed at it.
async fn backfill(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let backend = manager.get_database_backend();
    let groups = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT DISTINCT region_id, procurement_form FROM contracts",
        ))
        .await?;
    for row in groups {
        let region_id: uuid::Uuid = row.try_get("", "region_id")?;
        let contract_form: String = row.try_get("", "procurement_form")?;
        let (form, name) = migrated(&contract_form);
        let id = uuid::Uuid::now_v7();
        let p = placeholders(backend, 6);
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            format!(
                "INSERT INTO procurements (region_id, id, code, name, form, created_at) \
                 VALUES ({}, {}, {}, {}, {}, {})",
                p[0], p[1], p[2], p[3], p[4], p[5]
            ),
            [
                Value::from(region_id),
                Value::from(id),
                Value::from(contract_form.clone()),
                Value::from(name),
                Value::from(form),
                Value::from(chrono::Utc::now()),
            ],
        ))
        .await?;
        let p = placeholders(backend, 3);
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            format!(
                "INSERT INTO procurement_lots (region_id, procurement_id, product_group_id) \
                 SELECT DISTINCT l.region_id, {}, l.product_group_id \
                 FROM contract_product_groups l JOIN contracts c \
                 ON c.region_id = l.region_id AND c.id = l.contract_id \
                 WHERE c.region_id = {} AND c.procurement_form = {}",
                p[0], p[1], p[2]
            ),
            [
                Value::from(id),
                Value::from(region_id),
                Value::from(contract_form.clone()),
            ],
        ))
        .await?;
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            format!(
                "UPDATE contracts SET procurement_id = {} \
                 WHERE region_id = {} AND procurement_form = {}",
                p[0], p[1], p[2]
            ),
            [
                Value::from(id),
                Value::from(region_id),
                Value::from(contract_form),
            ],
        ))
        .await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                tenant_table("procurements")
                    .col(string_len("code", 32))
                    .col(string_len("name", 200))
                    .col(string_len("form", 32))
                    .col(big_integer_null("estimated_value_cents"))
                    .col(date_null("published_on"))
                    .col(date_null("awarded_on"))
                    .col(integer_null("max_selected"))
                    .col(integer_null("max_awards"))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("procurement_lots")
                    .col(uuid("region_id"))
                    .col(uuid("procurement_id"))
                    .col(uuid("product_group_id"))
                    .primary_key(
                        Index::create()
                            .col("region_id")
                            .col("procurement_id")
                            .col("product_group_id"),
                    )
                    .foreign_key(&mut region_fk("procurement_lots"))
                    .foreign_key(&mut tenant_fk(
                        "procurement_lots",
                        "procurement_id",
                        "procurements",
                        Cascade,
                    ))
                    .foreign_key(&mut tenant_fk(
                        "procurement_lots",
                        "product_group_id",
                        "product_groups",
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        create_unique_indexes(
            manager,
            &[(
                "ux_procurements_code",
                "procurements",
                &["region_id", "code"][..],
            )],
        )
        .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("contracts")
                    .add_column(uuid_null("procurement_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(CONTRACT_INDEX)
                    .table("contracts")
                    .col("region_id")
                    .col("procurement_id")
                    .to_owned(),
            )
            .await?;
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            manager
                .alter_table(
                    Table::alter()
                        .table("contracts")
                        .add_foreign_key(
                            TableForeignKey::new()
                                .name(CONTRACT_FK)
                                .from_tbl("contracts")
                                .from_col("region_id")
                                .from_col("procurement_id")
                                .to_tbl("procurements")
                                .to_col("region_id")
                                .to_col("id")
                                .on_delete(Restrict),
                        )
                        .to_owned(),
                )
                .await?;
        }
        backfill(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            manager
                .alter_table(
                    Table::alter()
                        .table("contracts")
                        .drop_foreign_key(CONTRACT_FK)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_index(
                Index::drop()
                    .name(CONTRACT_INDEX)
                    .table("contracts")
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("contracts")
                    .drop_column("procurement_id")
                    .to_owned(),
            )
            .await?;
        for table in ["procurement_lots", "procurements"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
