//! What to send and when: the user's set-up, server presets, workloads
//! planned from a seed, and the run prepared from them for the worker.

pub mod body_fields;
pub mod prepare;
pub mod presets;
pub mod server;
pub mod setup;
pub mod workload;
