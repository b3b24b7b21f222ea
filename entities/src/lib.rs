//! The zorgregie schema as sea-orm entities (`schema`), and the pure rules that
//! belong to the data: money, contract terms, tenancy-scoped queries.
//!
//! Generated-style entity files live in `schema/`; hand-written rules live next
//! to them in their own modules so the two never get mixed up.

pub mod allocation_rules;
pub mod bsn_check;
pub mod client_number;
pub mod clock;
pub mod contract_life;
pub mod contract_term;
pub mod declaration_rules;
pub mod enums;
pub mod funding;
pub mod indexation;
pub mod money;
pub mod outflow;
pub mod period;
pub mod policy;
pub mod report;
pub mod rollup;
pub mod schema;
pub mod steering;
pub mod tenancy;
pub mod transaction;

pub use tenancy::{RegionScope, TenantEntity, TenantRecord};
