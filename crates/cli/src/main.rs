//! etalon-cli: the native companion of etalon-web.
//!
//! `metrics` recomputes every figure from a recording or an Etalon
//! `request_level_metrics.json`; `testbed` serves a scripted OpenAI-compatible
//! streaming endpoint for tests and demos.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod metrics_command;
mod testbed;

#[derive(Parser)]
#[command(name = "etalon-cli", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Compute TTFT, TBT, TPOT, fluidity-index and the service figures from a file.
    Metrics(metrics_command::Args),
    /// Serve a scripted OpenAI-compatible streaming endpoint.
    Testbed(testbed::Args),
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Metrics(args) => metrics_command::run(args),
        Command::Testbed(args) => testbed::run(args),
    }
}
