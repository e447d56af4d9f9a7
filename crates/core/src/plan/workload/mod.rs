//! Workloads: what a benchmark sends and when, planned from a seed so the
//! same config and seed give the same plan on every platform.
//!
//! A [`WorkloadConfig`] (arrivals, stop conditions, concurrency cap,
//! warm-up count, prompt and output lengths) and a seed become a [`Plan`]
//! through [`plan`]: each request's arrival time and the prompt and output
//! tokens it asks for. [`plan_bodies`] turns planned requests into the JSON
//! bodies the worker posts, with prompts cut from a shipped public-domain
//! text ([`synthesize_prompt`]) at a characters-per-token ratio that a
//! warm-up calibrates ([`calibrate`]). [`concurrency_warning`] tells the
//! user before a run when a browser's 6 connections per HTTP/1.1 host will
//! hold it back.

mod arrivals;
mod config;
mod connections;
mod csv;
mod error;
mod lengths;
mod plan;
mod prompt;
pub mod rng;
mod sampler;
mod trace;
mod zipf;

pub use arrivals::Arrivals;
pub use config::{WorkloadConfig, MAX_PLANNED_REQUESTS};
pub use connections::{concurrency_warning, peak_concurrency, HTTP1_CONNECTIONS_PER_HOST};
pub use error::WorkloadError;
pub use lengths::{LengthDistribution, RequestLengths, MAX_ZIPF_VALUES};
pub use plan::{plan, plan_bodies, plan_unwritten, BodyWriter, Plan, RequestSpec};
pub use prompt::{
    calibrate, request_prompt, source_text, synthesize_prompt, target_chars, CalibrationSample,
    DEFAULT_CHARS_PER_TOKEN, MAX_CHARS_PER_TOKEN, MIN_CHARS_PER_TOKEN,
};
pub use trace::{
    arrival_times_from_csv, RequestTokens, SharedTrace, Trace, TraceRequest, TraceSummary,
    SHARED_TRACES,
};
pub use zipf::ZipfSampler;
