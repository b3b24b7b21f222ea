//! A budget ceiling over several product groups (issue 27, Contractstandaard
//! Wmo 1.2 art. 1.5: a provider's hard ceiling per calendar year may combine
//! product groups). `budget_ceiling_groups` links a ceiling to each of its
//! groups; a ceiling with links reaches those groups only. A ceiling of one
//! group keeps it in `budget_ceilings.product_group_id` as before, and one
//! with neither reaches all the care of its provider or municipality: the
//! existing ceilings keep their reach unchanged.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::common::{region_fk, tenant_fk};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000024_budget_ceiling_groups"
    }
}

use ForeignKeyAction::{Cascade, Restrict};

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("budget_ceiling_groups")
                    .col(uuid("region_id"))
                    .col(uuid("budget_ceiling_id"))
                    .col(uuid("product_group_id"))
                    .primary_key(
                        Index::create()
                            .col("region_id")
                            .col("budget_ceiling_id")
                            .col("product_group_id"),
                    )
                    .foreign_key(&mut region_fk("budget_ceiling_groups"))
                    .foreign_key(&mut tenant_fk(
                        "budget_ceiling_groups",
                        "budget_ceiling_id",
                        "budget_ceilings",
                        Cascade,
                    ))
                    .foreign_key(&mut tenant_fk(
                        "budget_ceiling_groups",
                        "product_group_id",
                        "product_groups",
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("budget_ceiling_groups").to_owned())
            .await
    }
}
