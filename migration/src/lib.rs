//! Schema migrations. Every schema change is a new migration that runs on
//! SQLite and PostgreSQL; CI runs up → down → up.

pub use sea_orm_migration::prelude::*;

mod common;
mod m20261123_000001_create_schema;
mod m20261123_000002_indexation_runs;
mod m20261123_000003_outflow_checks;
mod m20261123_000004_monitoring_reports;
mod m20261123_000005_declaration_rollups;
mod m20261123_000006_batch_submitter;
mod m20261123_000007_job_leases;
mod m20261123_000008_outflow_window_spelling;
mod m20261123_000009_iwmo_messages;
mod m20261124_000010_funding_forms;
mod m20261124_000011_contract_life;
mod m20261124_000012_municipal_reports;
mod m20261124_000013_allocation_period_index;
mod m20261124_000014_rollup_minutes;
mod m20261124_000015_report_indexes;
mod m20261124_000016_clients_per_provider;
mod m20261124_000017_client_numbers;
mod m20261124_000018_coarser_spend_rollups;
mod m20261207_000019_served_client_months;
mod m20261207_000020_product_closed_to_new_clients;
mod m20261207_000021_procurements;
mod m20261207_000022_spending_room;
mod m20261207_000023_task_instalment_spend;
mod m20261207_000024_budget_ceiling_groups;
mod m20261207_000025_steering;
mod m20261207_000026_report_cut_off;
mod m20261207_000027_care_end_reason;

pub use m20261124_000017_client_numbers::client_number_sql;

/// Rolls up every approved line into empty rollup tables of the newest
/// shape (the data generator and a test use it): the amounts and lines of
/// migration 5, the minutes of migration 14, the client months per provider
/// and client number of migrations 16 and 17 (of the debits that stand,
/// migration 19), the coarser spend of 18, the spend per referrer of 26.
pub async fn backfill_rollups<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    m20261123_000005_declaration_rollups::backfill_spend(db).await?;
    m20261124_000014_rollup_minutes::backfill(db).await?;
    m20261124_000018_coarser_spend_rollups::backfill(db).await?;
    m20261207_000026_report_cut_off::backfill_referrers(db).await?;
    m20261207_000019_served_client_months::backfill_served_clients(db).await
}

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_create_schema::Migration),
            Box::new(m20261123_000002_indexation_runs::Migration),
            Box::new(m20261123_000003_outflow_checks::Migration),
            Box::new(m20261123_000004_monitoring_reports::Migration),
            Box::new(m20261123_000005_declaration_rollups::Migration),
            Box::new(m20261123_000006_batch_submitter::Migration),
            Box::new(m20261123_000007_job_leases::Migration),
            Box::new(m20261123_000008_outflow_window_spelling::Migration),
            Box::new(m20261123_000009_iwmo_messages::Migration),
            Box::new(m20261124_000010_funding_forms::Migration),
            Box::new(m20261124_000011_contract_life::Migration),
            Box::new(m20261124_000012_municipal_reports::Migration),
            Box::new(m20261124_000013_allocation_period_index::Migration),
            Box::new(m20261124_000014_rollup_minutes::Migration),
            Box::new(m20261124_000015_report_indexes::Migration),
            Box::new(m20261124_000016_clients_per_provider::Migration),
            Box::new(m20261124_000017_client_numbers::Migration),
            Box::new(m20261124_000018_coarser_spend_rollups::Migration),
            Box::new(m20261207_000019_served_client_months::Migration),
            Box::new(m20261207_000020_product_closed_to_new_clients::Migration),
            Box::new(m20261207_000021_procurements::Migration),
            Box::new(m20261207_000022_spending_room::Migration),
            Box::new(m20261207_000023_task_instalment_spend::Migration),
            Box::new(m20261207_000024_budget_ceiling_groups::Migration),
            Box::new(m20261207_000025_steering::Migration),
            Box::new(m20261207_000026_report_cut_off::Migration),
            Box::new(m20261207_000027_care_end_reason::Migration),
        ]
    }
}
