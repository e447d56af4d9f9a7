//! What to send and when: the user's set-up, server presets, and workloads
//! planned from a seed.

pub mod presets;
pub mod server;
pub mod setup;
pub mod workload;
