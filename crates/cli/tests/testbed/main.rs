//! End-to-end tests of `etalon-cli testbed`: the real binary on a free port,
//! each response read frame by frame with arrival times, for every profile,
//! the faults, CORS and the command line.

mod cors_and_cli;
mod faults;
mod protocol;
mod support;
mod timing;
