//! The domain work behind the API, shared by every way in: the JSON
//! handlers, the iWmo/iJw messages and the jobs call the same services.
//! A service takes a region scope, plain inputs and the caller's
//! transaction; it loads the facts, applies the rules of `entities`,
//! stores, and writes the audit trail. It knows nothing of HTTP.

pub mod allocations;
pub mod ceilings;
pub mod contracts;
pub mod declarations;
pub mod iwmo;
pub mod reports;
pub mod vault;
