//! (issue 28: being built)
