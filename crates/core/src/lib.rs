//! etalon-core: the pure logic of etalon-web.
//!
//! A [`recording::Recording`] of raw observations is the truth; every figure
//! the product shows is a pure function of one. Nothing here touches a
//! browser or the network, so it builds natively (tested with `cargo test`)
//! and for wasm32 (used by the app and its measurement worker).

pub mod chart;
pub mod endpoint_check;
pub mod failure;
pub mod messages;
pub mod metrics;
pub mod openai;
pub mod presets;
pub mod recording;
pub mod rehearsal;
pub mod report;
pub mod run_book;
pub mod server_account;
pub mod setup;
pub mod share;
pub mod sse;
pub mod stream;
pub mod synthetic;
pub mod workload;
