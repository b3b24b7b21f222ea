//! The office's steering instruments (issue 28): who waits now, how each
//! provider stands beside the others of its groups, whether every
//! municipality has enough providers, stacked care, places, youth turning
//! 18, referrers. Each reads the region's rows through the scoped helpers
//! and the party's filter, applies the pure definitions in
//! `entities::steering`, and raises a [`signals`] row once where the office
//! must act.

pub mod care_overlaps;
pub mod coverage;
pub mod locations;
pub mod scorecards;
pub mod signals;
pub mod turning_18;
pub mod waiting_list;
