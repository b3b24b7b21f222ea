//! The office's steering instruments (issue 28).
//!
//! - `steering_signals`: what the office must act on, raised once per
//!   subject: a client waiting past the group's norm (subject: the
//!   allocation), a municipality × product group short of active providers
//!   (subject: `"<cbs>:<group>"`), two allocations of one client stacked in
//!   one group (subject: the two allocation ids, lower first).
//! - `provider_locations` and `location_places`: a provider's locations and
//!   the places each offers per product over a period (beschermd wonen and
//!   beschermd thuis are steered in places).
//! - `allocations.referrer` (COD327: who referred the client) and
//!   `allocations.location_id` (where the care is given, optional).
//! - `monitoring_reports.as_of`: the report's cut-off moment; only what was
//!   recorded by then counts.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

use crate::common::{create_unique_indexes, tenant_fk, tenant_table};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000025_steering"
    }
}

use ForeignKeyAction::{Cascade, Restrict};

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                tenant_table("steering_signals")
                    .col(string_len("kind", 32))
                    .col(string_len("subject", 120))
                    .col(uuid_null("provider_id"))
                    .col(uuid_null("municipality_id"))
                    .col(uuid_null("product_group_id"))
                    .col(uuid_null("allocation_id"))
                    .col(date("observed_on"))
                    .col(text("detail"))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                tenant_table("provider_locations")
                    .col(uuid("provider_id"))
                    .col(string_len("name", 200))
                    .col(uuid("municipality_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut tenant_fk(
                        "provider_locations",
                        "provider_id",
                        "providers",
                        Cascade,
                    ))
                    .foreign_key(&mut tenant_fk(
                        "provider_locations",
                        "municipality_id",
                        "municipalities",
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                tenant_table("location_places")
                    .col(uuid("location_id"))
                    .col(uuid("product_id"))
                    .col(integer("places"))
                    .col(date("valid_from"))
                    .col(date_null("valid_to"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut tenant_fk(
                        "location_places",
                        "location_id",
                        "provider_locations",
                        Cascade,
                    ))
                    .foreign_key(&mut tenant_fk(
                        "location_places",
                        "product_id",
                        "products",
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        create_unique_indexes(
            manager,
            &[
                (
                    "ux_steering_signals_once",
                    "steering_signals",
                    &["region_id", "kind", "subject"],
                ),
                (
                    "ux_provider_locations_name",
                    "provider_locations",
                    &["region_id", "provider_id", "name"],
                ),
                (
                    "ux_location_places_from",
                    "location_places",
                    &["region_id", "location_id", "product_id", "valid_from"],
                ),
            ],
        )
        .await?;
        // SQLite adds one column per ALTER TABLE.
        manager
            .alter_table(
                Table::alter()
                    .table("allocations")
                    .add_column(string_len_null("referrer", 2))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("allocations")
                    .add_column(uuid_null("location_id"))
                    .to_owned(),
            )
            .await?;
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            // SQLite cannot add a foreign key to an existing table; the
            // domain checks the location there.
            manager
                .create_foreign_key(
                    tenant_fk("allocations", "location_id", "provider_locations", Restrict)
                        .from_tbl("allocations")
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table("monitoring_reports")
                    .add_column(timestamp_with_time_zone_null("as_of"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in [
            ("monitoring_reports", "as_of"),
            ("allocations", "location_id"),
            ("allocations", "referrer"),
        ] {
            if manager.get_database_backend() == DatabaseBackend::Postgres
                && column == "location_id"
            {
                manager
                    .drop_foreign_key(
                        ForeignKey::drop()
                            .name("fk_allocations_location_id")
                            .table("allocations")
                            .to_owned(),
                    )
                    .await?;
            }
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        for table in ["location_places", "provider_locations", "steering_signals"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
