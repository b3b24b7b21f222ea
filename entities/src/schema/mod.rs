//! Entities, one per table. Kept apart from the hand-written rules.
pub mod allocation;
pub mod allocation_intensive_episode;
pub mod api_client;
pub mod audit_event;
pub mod bridging_agreement;
pub mod budget_ceiling;
pub mod budget_ceiling_group;
pub mod budget_framework;
pub mod budget_signal;
pub mod client_vault;
pub mod compliance_check;
pub mod contract;
pub mod contract_amendment;
pub mod contract_municipality;
pub mod contract_product_group;
pub mod contract_signal;
pub mod declaration_batch;
pub mod declaration_line;
pub mod declared_client;
pub mod enrolment;
pub mod enrolment_evidence;
pub mod funding_signal;
pub mod group_spend_rollup;
pub mod index_figure;
pub mod indexation_proposal;
pub mod indexation_run;
pub mod iwmo_message;
pub mod iwmo_outbox;
pub mod job_run;
pub mod location_place;
pub mod monitoring_report;
pub mod municipality;
pub mod municipality_population;
pub mod outflow_check;
pub mod outflow_flag;
pub mod policy;
pub mod procurement;
pub mod procurement_lot;
pub mod product;
pub mod product_group;
pub mod provider;
pub mod provider_location;
pub mod referrer_spend_rollup;
pub mod region;
pub mod spend_rollup;
pub mod steering_signal;
pub mod tariff;
pub mod task_budget;
pub mod task_instalment;
pub mod yearly_spend_rollup;

crate::tenant_entity!(
    ids: [
    allocation,
    allocation_intensive_episode,
    api_client,
    audit_event,
    budget_ceiling,
    budget_framework,
    budget_signal,
    bridging_agreement,
    compliance_check,
    contract,
    contract_amendment,
    contract_signal,
    declaration_batch,
    declaration_line,
    enrolment,
    enrolment_evidence,
    funding_signal,
    index_figure,
    indexation_proposal,
    indexation_run,
    iwmo_message,
    iwmo_outbox,
    job_run,
    location_place,
    monitoring_report,
    municipality,
    outflow_check,
    outflow_flag,
    policy,
    procurement,
    product,
    product_group,
    provider,
    provider_location,
    steering_signal,
    tariff,
    task_budget,
    task_instalment,
    ],
    keyed: [
        budget_ceiling_group,
        contract_product_group,
        contract_municipality,
        procurement_lot,
        municipality_population,
        spend_rollup,
        yearly_spend_rollup,
        group_spend_rollup,
        referrer_spend_rollup,
        declared_client,
        client_vault,
    ],
);
