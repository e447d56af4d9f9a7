//! Workloads: what a benchmark sends and when, planned from a seed so the
//! same config and seed give the same plan on every platform.
//!
//! A [`WorkloadConfig`] (arrivals, stop conditions, concurrency cap,
//! warm-up count, prompt and output lengths) and a seed become a [`Plan`]
//! through [`plan`]: each request's arrival time and the prompt and output
//! tokens it asks for. A warm-up calibrates the characters-per-token ratio
//! at which prompts are written ([`calibrate`]); the prompts themselves are
//! written from each request's [`BodySpec`](crate::wire::body::BodySpec),
//! and a run is prepared for the worker in [`crate::plan::prepare`]. [`concurrency_warning`] tells the
//! user before a run when a browser's 6 connections per HTTP/1.1 host will
//! hold it back.

mod arrivals;
mod calibrate;
mod config;
mod connections;
mod csv;
mod error;
mod lengths;
mod plan;
pub mod rng;
mod sampler;
mod trace;
mod zipf;

pub use arrivals::Arrivals;
pub use calibrate::{calibrate, CalibrationSample};
pub use config::{WorkloadConfig, MAX_PLANNED_REQUESTS};
pub use connections::{concurrency_warning, peak_concurrency, HTTP1_CONNECTIONS_PER_HOST};
pub use error::WorkloadError;
pub use lengths::{LengthDistribution, RequestLengths, MAX_ZIPF_VALUES};
pub use plan::{plan, Plan, RequestSpec};
pub use trace::{
    arrival_times_from_csv, RequestTokens, SharedTrace, Trace, TraceRequest, TraceSummary,
    SHARED_TRACES,
};
pub use zipf::ZipfSampler;
