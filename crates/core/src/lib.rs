//! etalon-core: the pure logic of etalon-web, grouped by stage.
//!
//! A run flows one way through these modules:
//!
//! 1. [`plan`]: a set-up (server, model, workload, deadlines) becomes the
//!    orders the measurement worker carries out ([`plan::prepare`]).
//! 2. [`wire`]: what crosses a wire: request bodies, SSE, OpenAI-style
//!    chunks, and the page <-> worker messages.
//! 3. [`observe`]: the worker's reads become records of raw observations,
//!    failures included; the page books them into a recording.
//! 4. [`recording`]: the recording, the ground every figure stands on.
//! 5. [`metrics`]: Etalon's figures, a pure function of a recording.
//! 6. [`present`] and [`share`]: sentences, tables and chart layouts for the
//!    page; links, files and comparisons.
//!
//! 7. [`demo`]: two simulated systems answering the same load, for a
//!    visitor with no server, and the link that replays them.
//!
//! Every bound on outside input is in [`limits`].
//!
//! Nothing here touches a browser or the network, so it builds natively
//! (tested with `cargo test`) and for wasm32 (used by the app and its
//! worker). Which module may import which: docs/ARCHITECTURE.md.

pub mod demo;
pub mod history;
pub mod limits;
pub mod metrics;
pub mod observe;
pub mod plan;
pub mod present;
pub mod recording;
pub mod share;
pub mod simulate;
pub mod wire;
