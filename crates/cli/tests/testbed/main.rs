//! End-to-end tests of `etalon-cli testbed`: the real binary on a free port,
//! each response read frame by frame with arrival times, for every profile,
//! the faults, CORS and the command line. The timing of each profile is
//! tested by a binary of its own, one test at a time (../testbed_timing.rs,
//! timing.rs).

mod cors_and_cli;
mod faults;
mod hostile;
mod protocol;
mod support;
