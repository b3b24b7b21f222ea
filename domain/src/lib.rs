//! zorgregie's domain: every operation the JSON API, the iWmo/iJw messages,
//! the dashboard and the jobs share. A function takes the scope (region,
//! and the party where it matters), a connection or the caller's
//! transaction and plain inputs; it loads the facts, applies the pure
//! rules of `entities`, stores, writes the audit trail and returns domain
//! values or a [`DomainError`]. Nothing here knows HTTP (see
//! ARCHITECTURE.md for the crates and who may depend on whom).

pub mod allocations;
pub mod api_clients;
pub mod audit;
pub mod bridging;
pub mod catalogue;
pub mod ceilings;
pub mod check;
pub mod client_key;
pub mod codes;
pub mod compliance;
pub mod contract_watch;
pub mod contracts;
pub mod declarations;
pub mod enrolments;
pub mod error;
pub mod frameworks;
pub mod funding;
pub mod index_figures;
pub mod indexation;
pub mod iwmo;
pub mod jobs;
pub mod outflow;
pub mod parties;
pub mod policies;
pub mod procurements;
pub mod regions;
pub mod report_requests;
pub mod reports;
pub mod rows;
pub mod runs;
pub mod steering;
pub mod task_budgets;
pub mod vault;

pub use error::{DomainError, DomainResult, FieldError};
