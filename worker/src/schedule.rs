//! Schedules: the indexation preview is prepared on the day each region's
//! policy names; it is never applied without an approval.
