//! The timing tests of `etalon-cli testbed` (testbed/timing.rs), in a test
//! binary of their own: cargo runs test binaries one after another, so no
//! other test of the testbed streams while these time theirs, and within
//! this binary they run one at a time (see `timing::alone`).

// The support of the testbed's other tests; these use part of it.
#[allow(dead_code)]
#[path = "testbed/support.rs"]
mod support;
#[path = "testbed/timing.rs"]
mod timing;
