//! The time of day as the databases store it. PostgreSQL keeps timestamps
//! to the microsecond; a value with nanoseconds would be answered one way
//! when created and another when read back (an idempotent replay would
//! differ from the first answer), so every stored instant is taken here.

use chrono::{DateTime, SubsecRound, Utc};

/// Now, truncated to whole microseconds.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

#[cfg(test)]
mod tests {
    #[test]
    fn now_has_whole_microseconds() {
        for _ in 0..100 {
            assert_eq!(super::now().timestamp_subsec_nanos() % 1_000, 0);
        }
    }
}
