//! Issue 28 (being built).

#[allow(unused_imports)]
use super::*;
