//! The whole model, so later work adds behaviour, not tables.
//!
//! Every tenant table has `region_id` leading its primary key and its unique
//! indexes, and foreign keys between tenant tables include `region_id`
//! (DESIGN §2): one region's rows stay together and the schema can be
//! distributed by `region_id`. Money is whole cents in BIGINT columns.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::tenant_fk;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261123_000001_create_schema"
    }
}

/// Tables in creation order; dropped in reverse.
const TABLES: &[&str] = &[
    "regions",
    "municipalities",
    "municipality_populations",
    "product_groups",
    "products",
    "providers",
    "tariffs",
    "contracts",
    "contract_product_groups",
    "contract_municipalities",
    "allocations",
    "allocation_intensive_episodes",
    "declaration_batches",
    "declaration_lines",
    "budget_ceilings",
    "budget_signals",
    "policies",
    "index_figures",
    "job_runs",
    "audit_events",
    "api_clients",
];

/// A tenant table with `(region_id, id)` as primary key.
fn tenant_table(name: &'static str) -> TableCreateStatement {
    let mut t = keyed_tenant_table(name);
    t.col(uuid("id"))
        .primary_key(Index::create().col("region_id").col("id"));
    t
}

/// A tenant table whose primary key the caller sets (link tables).
fn keyed_tenant_table(name: &'static str) -> TableCreateStatement {
    Table::create()
        .table(name)
        .col(uuid("region_id"))
        .foreign_key(
            ForeignKey::create()
                .name(format!("fk_{name}_region"))
                .from_col("region_id")
                .to_tbl("regions")
                .to_col("id")
                .on_delete(ForeignKeyAction::Cascade),
        )
        .to_owned()
}

fn unique_index(table: &'static str, suffix: &str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index
        .name(format!("ux_{table}_{suffix}"))
        .table(table)
        .unique();
    for col in cols {
        index.col(*col);
    }
    index
}

fn plain_index(table: &'static str, suffix: &str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(format!("ix_{table}_{suffix}")).table(table);
    for col in cols {
        index.col(*col);
    }
    index
}

fn created_at() -> ColumnDef {
    timestamp_with_time_zone("created_at")
}

use ForeignKeyAction::{Cascade, Restrict};

fn tables() -> Vec<TableCreateStatement> {
    vec![
        Table::create()
            .table("regions")
            .col(uuid("id").primary_key())
            .col(string_len_uniq("code", 64))
            .col(string_len("name", 200))
            .col(created_at())
            .to_owned(),
        tenant_table("municipalities")
            .col(string_len("cbs_code", 6))
            .col(string_len("name", 200))
            .col(created_at())
            .to_owned(),
        keyed_tenant_table("municipality_populations")
            .col(uuid("municipality_id"))
            .col(integer("year"))
            .col(big_integer("inhabitants"))
            .primary_key(
                Index::create()
                    .col("region_id")
                    .col("municipality_id")
                    .col("year"),
            )
            .foreign_key(&mut tenant_fk(
                "municipality_populations",
                "municipality_id",
                "municipalities",
                Cascade,
            ))
            .to_owned(),
        tenant_table("product_groups")
            .col(string_len("code", 32))
            .col(string_len("name", 200))
            .col(string_len("law", 32))
            .col(created_at())
            .to_owned(),
        tenant_table("products")
            .col(string_len("code", 5))
            .col(string_len("name", 200))
            .col(uuid("product_group_id"))
            .col(string_len("iwmo_category", 2))
            .col(string_len("unit", 32))
            .col(string_len("funding_variant", 32))
            .col(created_at())
            .foreign_key(&mut tenant_fk(
                "products",
                "product_group_id",
                "product_groups",
                Restrict,
            ))
            .to_owned(),
        tenant_table("providers")
            .col(string_len("agb_code", 8))
            .col(string_len("kvk_number", 8))
            .col(string_len("name", 200))
            .col(boolean("uses_self_employed"))
            .col(date_null("integrity_checked_on"))
            .col(date_null("financial_checked_on"))
            .col(created_at())
            .to_owned(),
        tenant_table("tariffs")
            .col(uuid("product_id"))
            .col(uuid_null("provider_id"))
            .col(uuid_null("municipality_id"))
            .col(date("valid_from"))
            .col(date_null("valid_to"))
            .col(big_integer("price_cents"))
            .col(uuid_null("supersedes_id"))
            .col(uuid_null("indexation_run_id"))
            .col(created_at())
            .foreign_key(&mut tenant_fk(
                "tariffs",
                "product_id",
                "products",
                Restrict,
            ))
            .foreign_key(&mut tenant_fk(
                "tariffs",
                "provider_id",
                "providers",
                Restrict,
            ))
            .foreign_key(&mut tenant_fk(
                "tariffs",
                "municipality_id",
                "municipalities",
                Restrict,
            ))
            .to_owned(),
        tenant_table("contracts")
            .col(uuid("provider_id"))
            .col(string_len("procurement_form", 32))
            .col(date("start_date"))
            .col(integer("initial_term_months"))
            .col(json("extension_options_months"))
            .col(integer("extensions_exercised"))
            .col(string_len("status", 32))
            .col(date_null("terminated_on"))
            .col(text_null("termination_reason"))
            .col(created_at())
            .foreign_key(&mut tenant_fk(
                "contracts",
                "provider_id",
                "providers",
                Restrict,
            ))
            .to_owned(),
        keyed_tenant_table("contract_product_groups")
            .col(uuid("contract_id"))
            .col(uuid("product_group_id"))
            .primary_key(
                Index::create()
                    .col("region_id")
                    .col("contract_id")
                    .col("product_group_id"),
            )
            .foreign_key(&mut tenant_fk(
                "contract_product_groups",
                "contract_id",
                "contracts",
                Cascade,
            ))
            .foreign_key(&mut tenant_fk(
                "contract_product_groups",
                "product_group_id",
                "product_groups",
                Restrict,
            ))
            .to_owned(),
        keyed_tenant_table("contract_municipalities")
            .col(uuid("contract_id"))
            .col(uuid("municipality_id"))
            .primary_key(
                Index::create()
                    .col("region_id")
                    .col("contract_id")
                    .col("municipality_id"),
            )
            .foreign_key(&mut tenant_fk(
                "contract_municipalities",
                "contract_id",
                "contracts",
                Cascade,
            ))
            .foreign_key(&mut tenant_fk(
                "contract_municipalities",
                "municipality_id",
                "municipalities",
                Restrict,
            ))
            .to_owned(),
        tenant_table("allocations")
            .col(big_integer("allocation_number"))
            .col(string_len("client_key", 64))
            .col(uuid("municipality_id"))
            .col(uuid("product_id"))
            .col(uuid("provider_id"))
            .col(date("start_date"))
            .col(date_null("end_date"))
            .col(big_integer_null("volume_amount"))
            .col(string_len_null("volume_unit", 32))
            .col(string_len_null("volume_frequency", 32))
            .col(big_integer_null("budget_cents"))
            .col(date_null("stopped_on"))
            .col(text_null("stop_reason"))
            .col(created_at())
            .col(timestamp_with_time_zone("updated_at"))
            .foreign_key(&mut tenant_fk(
                "allocations",
                "municipality_id",
                "municipalities",
                Restrict,
            ))
            .foreign_key(&mut tenant_fk(
                "allocations",
                "product_id",
                "products",
                Restrict,
            ))
            .foreign_key(&mut tenant_fk(
                "allocations",
                "provider_id",
                "providers",
                Restrict,
            ))
            .to_owned(),
        tenant_table("allocation_intensive_episodes")
            .col(uuid("allocation_id"))
            .col(date("from_date"))
            .col(date("to_date"))
            .col(big_integer("extra_amount"))
            .foreign_key(&mut tenant_fk(
                "allocation_intensive_episodes",
                "allocation_id",
                "allocations",
                Cascade,
            ))
            .to_owned(),
        tenant_table("declaration_batches")
            .col(string_len("idempotency_key", 200))
            .col(string_len("request_hash", 64))
            .col(string_len("submitted_by", 200))
            .col(integer("line_count"))
            .col(integer("approved_count"))
            .col(created_at())
            .to_owned(),
        tenant_table("declaration_lines")
            .col(uuid("batch_id"))
            .col(integer("line_no"))
            .col(uuid_null("allocation_id"))
            .col(big_integer("allocation_number"))
            .col(string_len("product_code", 5))
            .col(date("period_start"))
            .col(date("period_end"))
            .col(big_integer("delivered_volume"))
            .col(big_integer_null("declared_amount_cents"))
            .col(big_integer_null("amount_cents"))
            .col(uuid_null("tariff_id"))
            .col(string_len("status", 32))
            .col(string_len_null("reason_code", 32))
            .col(text_null("reason"))
            .foreign_key(&mut tenant_fk(
                "declaration_lines",
                "batch_id",
                "declaration_batches",
                Cascade,
            ))
            .foreign_key(&mut tenant_fk(
                "declaration_lines",
                "allocation_id",
                "allocations",
                Restrict,
            ))
            .to_owned(),
        tenant_table("budget_ceilings")
            .col(uuid("provider_id"))
            .col(uuid_null("product_group_id"))
            .col(uuid_null("municipality_id"))
            .col(integer("year"))
            .col(big_integer("amount_cents"))
            .col(boolean("hard"))
            .col(big_integer("spent_cents"))
            .col(created_at())
            .foreign_key(&mut tenant_fk(
                "budget_ceilings",
                "provider_id",
                "providers",
                Restrict,
            ))
            .foreign_key(&mut tenant_fk(
                "budget_ceilings",
                "product_group_id",
                "product_groups",
                Restrict,
            ))
            .foreign_key(&mut tenant_fk(
                "budget_ceilings",
                "municipality_id",
                "municipalities",
                Restrict,
            ))
            .to_owned(),
        tenant_table("budget_signals")
            .col(uuid("budget_ceiling_id"))
            .col(integer("level_percent"))
            .col(big_integer("spent_cents"))
            .col(created_at())
            .foreign_key(&mut tenant_fk(
                "budget_signals",
                "budget_ceiling_id",
                "budget_ceilings",
                Cascade,
            ))
            .to_owned(),
        tenant_table("policies")
            .col(string_len("kind", 64))
            .col(string_len("scope_key", 64))
            .col(json("body"))
            .col(timestamp_with_time_zone("updated_at"))
            .to_owned(),
        tenant_table("index_figures")
            .col(string_len("series", 32))
            .col(integer("year"))
            .col(string_len_null("forecast_percent", 32))
            .col(string_len_null("definitive_percent", 32))
            .col(timestamp_with_time_zone("updated_at"))
            .to_owned(),
        tenant_table("job_runs")
            .col(string_len("kind", 64))
            .col(string_len("unique_key", 200))
            .col(string_len("status", 32))
            .col(integer("progress"))
            .col(json_null("result"))
            .col(text_null("error"))
            .col(created_at())
            .col(timestamp_with_time_zone_null("started_at"))
            .col(timestamp_with_time_zone_null("finished_at"))
            .to_owned(),
        tenant_table("audit_events")
            .col(timestamp_with_time_zone("at"))
            .col(string_len("actor", 200))
            .col(string_len("action", 64))
            .col(string_len("resource", 64))
            .col(string_len("resource_id", 200))
            .col(json("details"))
            .to_owned(),
        tenant_table("api_clients")
            .col(string_len_uniq("client_id", 64))
            .col(string_len("name", 200))
            .col(string_len("secret_hash", 200))
            .col(string_len("role", 32))
            .col(string_len_null("municipality_cbs", 6))
            .col(string_len_null("provider_agb", 8))
            .col(created_at())
            .col(timestamp_with_time_zone_null("revoked_at"))
            .to_owned(),
    ]
}

fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        unique_index("municipalities", "cbs", &["region_id", "cbs_code"]),
        unique_index("product_groups", "code", &["region_id", "code"]),
        unique_index("products", "code", &["region_id", "code"]),
        unique_index("providers", "agb", &["region_id", "agb_code"]),
        plain_index(
            "tariffs",
            "lookup",
            &["region_id", "product_id", "valid_from"],
        ),
        plain_index("contracts", "provider", &["region_id", "provider_id"]),
        unique_index("allocations", "number", &["region_id", "allocation_number"]),
        plain_index("allocations", "provider", &["region_id", "provider_id"]),
        plain_index(
            "allocation_intensive_episodes",
            "allocation",
            &["region_id", "allocation_id"],
        ),
        unique_index(
            "declaration_batches",
            "idempotency",
            &["region_id", "idempotency_key"],
        ),
        plain_index(
            "declaration_lines",
            "batch",
            &["region_id", "batch_id", "line_no"],
        ),
        plain_index(
            "declaration_lines",
            "allocation",
            &["region_id", "allocation_id", "period_start"],
        ),
        plain_index(
            "budget_ceilings",
            "provider_year",
            &["region_id", "provider_id", "year"],
        ),
        unique_index(
            "budget_signals",
            "level",
            &["region_id", "budget_ceiling_id", "level_percent"],
        ),
        unique_index(
            "policies",
            "kind_scope",
            &["region_id", "kind", "scope_key"],
        ),
        unique_index(
            "index_figures",
            "series_year",
            &["region_id", "series", "year"],
        ),
        unique_index("job_runs", "effect", &["region_id", "kind", "unique_key"]),
        plain_index("audit_events", "at", &["region_id", "at"]),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in tables() {
            manager.create_table(table).await?;
        }
        for index in indexes() {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES.iter().rev() {
            manager
                .drop_table(Table::drop().table(*table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_created_table_is_dropped() {
        let created = tables();
        assert_eq!(created.len(), TABLES.len());
        for (table, name) in created.iter().zip(TABLES) {
            let debug = format!("{:?}", table.get_table_name());
            assert!(
                debug.contains(&format!("\"{name}\"")),
                "{debug} is not {name}"
            );
        }
    }
}
