//! The steering instruments' definitions (issue 28), pure and unit-tested
//! on hand-built data: the database work is in `domain::steering`.

pub mod care_overlaps;
pub mod coverage;
pub mod places;
pub mod scorecard;
pub mod turning_18;
pub mod waiting;
