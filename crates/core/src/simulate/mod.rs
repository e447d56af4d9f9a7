//! A simulated LLM serving system: deterministic, seeded, in the style of
//! Vidur (microsoft/vidur) and of the schedulers the Etalon paper compares.
//!
//! ```text
//! requests (arrival, prompt, output) ──> Simulator ──> emissions (request, time, last?)
//!                                          │
//!                ServingSystem = cost of an iteration + batch limits + policy
//! ```
//!
//! The server runs in iterations. At the start of each, the [`Policy`]
//! forms a batch from the requests that have arrived by then, under a token
//! budget, a cap on sequences and the KV-cache memory; the iteration lasts
//! as long as its [`IterationCost`] says, and at its end every sequence in
//! it that finished its prompt or decoded a token emits that token.
//!
//! [`Simulator`] is the server itself, driven in time by its caller: the
//! page's worker drives it in real time (a `sim://` endpoint, read by
//! [`endpoint`]), the testbed over HTTP, both through [`LiveServer`], which
//! writes each request's stream; and [`simulate`] runs it offline for a
//! whole workload at once.
//! [`presets`] names systems after what they model, with the sources of
//! their numbers in docs/SIMULATOR.md.

pub mod endpoint;
mod engine;
mod live;
mod offline;
mod policy;
pub mod presets;
mod system;

pub use engine::{Emission, Refusal, Simulator};
pub use live::{Delivery, LiveServer};
pub use offline::{poisson_workload, simulate, SimulatedRequest, Submission};
pub use policy::Policy;
pub use system::{BatchLimits, IterationCost, ServingSystem};

/// The most requests one simulated server holds at once (waiting or
/// running): beyond it a request is refused, as a full queue would.
pub const MAX_QUEUED: usize = 100_000;
