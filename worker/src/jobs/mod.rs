//! One module per job.

pub mod indexation;
