//! One module per resource. Each handler carries its `#[utoipa::path]`, so
//! the OpenAPI document is generated from the real handlers.

use utoipa_actix_web::service_config::ServiceConfig;

pub mod allocations;
pub mod api_clients;
pub mod audit_events;
pub mod auth_token;
pub mod bridging_agreements;
pub mod budget_ceilings;
pub mod budget_frameworks;
pub mod care_overlaps;
pub mod catalogue;
pub mod compliance_checks;
pub mod contract_amendments;
pub mod contracts;
pub mod coverage;
pub mod declarations;
pub mod enrolments;
pub mod health;
pub mod index_figures;
pub mod indexation_runs;
pub mod iwmo;
pub mod jobs;
pub mod locations;
pub mod municipalities;
pub mod outflow_checks;
pub mod policies;
pub mod prelude;
pub mod procurements;
pub mod product_groups;
pub mod products;
pub mod providers;
pub mod regions;
pub mod reports;
pub mod scorecards;
pub mod steering_signals;
pub mod tables;
pub mod tariffs;
pub mod task_budgets;
pub mod turning_18;
pub mod waiting_list;

/// Registers every resource under `/api/v1`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::health)
        .service(iwmo::receive_message)
        .service(iwmo::list_messages)
        .service(iwmo::get_message)
        .service(iwmo::get_answer)
        .service(iwmo::allocation_301)
        .service(iwmo::outbox)
        .service(health::ready)
        .service(auth_token::issue_token)
        .service(regions::create_region)
        .service(regions::list_regions)
        .service(regions::get_region)
        .service(regions::update_region)
        .service(municipalities::create_municipality)
        .service(municipalities::list_municipalities)
        .service(municipalities::get_municipality)
        .service(municipalities::update_municipality)
        .service(municipalities::delete_municipality)
        .service(product_groups::create_product_group)
        .service(product_groups::list_product_groups)
        .service(product_groups::get_product_group)
        .service(product_groups::update_product_group)
        .service(product_groups::delete_product_group)
        .service(products::create_product)
        .service(products::list_products)
        .service(products::get_product)
        .service(products::update_product)
        .service(products::delete_product)
        .service(providers::create_provider)
        .service(providers::list_providers)
        .service(providers::get_provider)
        .service(providers::update_provider)
        .service(providers::delete_provider)
        .service(tariffs::create_tariff)
        .service(tariffs::list_tariffs)
        .service(tariffs::get_tariff)
        .service(tariffs::update_tariff)
        .service(tariffs::delete_tariff)
        .service(contracts::create_contract)
        .service(contracts::list_contracts)
        .service(contracts::get_contract)
        .service(contracts::update_contract)
        .service(contracts::delete_contract)
        .service(contracts::exercise_extension)
        .service(contracts::terminate_contract)
        .service(procurements::create_procurement)
        .service(procurements::list_procurements)
        .service(procurements::get_procurement)
        .service(procurements::update_procurement)
        .service(api_clients::create_api_client)
        .service(api_clients::list_api_clients)
        .service(api_clients::revoke_api_client)
        .service(audit_events::list_audit_events)
        .service(policies::list_policies)
        .service(policies::get_policy)
        .service(policies::put_policy)
        .service(policies::delete_policy)
        .service(allocations::create_allocation)
        .service(allocations::list_allocations)
        .service(allocations::get_allocation)
        .service(allocations::update_allocation)
        .service(allocations::stop_allocation)
        .service(declarations::submit_declarations)
        .service(declarations::list_declarations)
        .service(declarations::get_declaration)
        .service(declarations::list_declaration_lines)
        .service(budget_ceilings::create_budget_ceiling)
        .service(budget_ceilings::list_budget_ceilings)
        .service(budget_ceilings::get_budget_ceiling)
        .service(budget_ceilings::update_budget_ceiling)
        .service(budget_ceilings::delete_budget_ceiling)
        .service(budget_ceilings::list_budget_signals)
        .service(budget_ceilings::update_budget_signal)
        .service(budget_frameworks::put_budget_framework)
        .service(budget_frameworks::list_budget_frameworks)
        .service(budget_frameworks::list_funding_signals)
        .service(contract_amendments::create_amendment)
        .service(contract_amendments::list_amendments)
        .service(bridging_agreements::create_bridging_agreement)
        .service(bridging_agreements::list_bridging_agreements)
        .service(bridging_agreements::transfer_list)
        .service(compliance_checks::create_compliance_check)
        .service(compliance_checks::list_compliance_checks)
        .service(compliance_checks::list_contract_signals)
        .service(enrolments::create_enrolment)
        .service(enrolments::list_enrolments)
        .service(enrolments::get_enrolment)
        .service(enrolments::put_enrolment_evidence)
        .service(enrolments::assess_evidence)
        .service(enrolments::decide_enrolment)
        .service(task_budgets::create_task_budget)
        .service(task_budgets::list_task_budgets)
        .service(task_budgets::get_task_budget)
        .service(index_figures::list_index_figures)
        .service(index_figures::put_index_figure)
        .service(index_figures::delete_index_figure)
        .service(indexation_runs::create_run)
        .service(indexation_runs::list_runs)
        .service(indexation_runs::get_run)
        .service(indexation_runs::list_proposals)
        .service(indexation_runs::approve_run)
        .service(jobs::list_jobs)
        .service(jobs::get_job)
        .service(outflow_checks::create_check)
        .service(outflow_checks::list_checks)
        .service(outflow_checks::get_check)
        .service(outflow_checks::list_flags)
        .service(reports::create_report)
        .service(reports::list_reports)
        .service(reports::get_report);
    steering(cfg);
}

/// The steering instruments (issue 28), one block per instrument.
fn steering(cfg: &mut ServiceConfig) {
    cfg.service(steering_signals::list_steering_signals);
    // waiting list
    cfg.service(waiting_list::get_waiting_list);
    // scorecards
    cfg.service(scorecards::get_scorecard)
        .service(scorecards::list_scorecards);
    // coverage
    cfg.service(coverage::get_coverage);
    // locations and capacity
    cfg.service(locations::create_location)
        .service(locations::list_locations)
        .service(locations::get_location)
        .service(locations::update_location)
        .service(locations::delete_location)
        .service(locations::get_capacity)
        .service(locations::get_capacity_series);
    // care overlaps and turning 18
    cfg.service(care_overlaps::list_care_overlaps)
        .service(turning_18::list_turning_18);
}
