//! `etalon-cli testbed`: not written yet (issue 4).

use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8000")]
    pub addr: String,
}

pub fn run(_args: Args) -> ExitCode {
    eprintln!("etalon-cli testbed is not available yet.");
    ExitCode::from(2)
}
