//! One module per job.

pub mod indexation;
pub mod outflow;
pub mod report;
