//! `etalon-cli metrics FILE`: not written yet (issue 3).

use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// A recording JSON or Etalon's request_level_metrics.json.
    pub file: std::path::PathBuf,
}

pub fn run(_args: Args) -> ExitCode {
    eprintln!("etalon-cli metrics is not available yet.");
    ExitCode::from(2)
}
