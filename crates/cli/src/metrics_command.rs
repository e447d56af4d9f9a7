//! `etalon-cli metrics FILE`: every figure of a run, recomputed from a file,
//! either a recording of etalon-web (JSON with `"version"` and `"requests"`)
//! or Etalon's `request_level_metrics.json` (per-request columns `ttft`,
//! `tbt`, and `num_prompt_tokens` / `num_output_tokens` when present; a list
//! of per-request objects with those keys is read too). Prints a table, or
//! with `--json` one JSON object (`requests`, `service`, `deadlines`). A file
//! that cannot be used gets one sentence on stderr and exit code 2.
//!
//! A file is untrusted, as on the page: at most
//! [`MAX_IMPORT_BYTES`] are read (a bounded read, so `/dev/zero` or a sparse
//! file is refused after that many bytes, never read whole), and every file
//! is checked by the page's own checker ([`check_recording`]: versions,
//! finite times in order from 0, unique ids, at most
//! [`MAX_REQUESTS`](etalon_core::share::MAX_REQUESTS) requests and
//! [`MAX_TOKENS`](etalon_core::share::MAX_TOKENS) tokens) before any figure is computed, so a
//! chunk claiming `u32::MAX` tokens is refused before the metrics allocate a
//! gap per token.
//!
//! Etalon's file is read by the page's own reader
//! ([`etalon_core::share::read_etalon_file`]): the same requests, ids,
//! token counts, failures and refusals. A failed request (a null `ttft`, no
//! token at all, or the failure etalon-web's export keeps under
//! `etalon_web.error`) counts as failed, not completed, and stays out of the
//! service figures. The figures come from the file's times as they are (the
//! page rebuilds arrival times as sums, to about 1e-16 s).

use etalon_core::metrics::{run_metrics, DeadlineConfig, RequestTimeline, RunMetrics, Summary};
use etalon_core::recording::{Recording, RECORDING_VERSION};
use etalon_core::share::{
    check_recording, is_etalon_file, probe, read_etalon_file, EtalonRequest, FileShape,
    MAX_IMPORT_BYTES,
};
use serde_json::Value;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// A recording JSON or Etalon's request_level_metrics.json.
    pub file: PathBuf,
    /// TTFT deadline, seconds.
    #[arg(long, default_value_t = 0.1)]
    pub ttft_deadline: f64,
    /// Deadline between tokens, seconds.
    #[arg(long, default_value_t = 0.05)]
    pub tbt_deadline: f64,
    /// Target deadline miss rate of the minimum TBT deadline search (0 to 1).
    #[arg(long, default_value_t = 0.1)]
    pub target_miss_rate: f64,
    /// Print one JSON object instead of tables.
    #[arg(long)]
    pub json: bool,
}

/// Runs the command: figures on stdout, or one sentence on stderr and exit
/// code 2.
pub fn run(args: Args) -> ExitCode {
    match compute(&args) {
        Ok((source, metrics)) => {
            if args.json {
                match serde_json::to_string(&metrics) {
                    Ok(text) => println!("{text}"),
                    Err(error) => {
                        eprintln!("The figures could not be written as JSON: {error}.");
                        return ExitCode::from(2);
                    }
                }
            } else {
                print!("{}", table(&args.file, source, &metrics));
            }
            ExitCode::SUCCESS
        }
        Err(sentence) => {
            eprintln!("{sentence}");
            ExitCode::from(2)
        }
    }
}

/// Which kind of file was read.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Source {
    Recording,
    Etalon,
}

fn compute(args: &Args) -> Result<(Source, RunMetrics), String> {
    let deadlines =
        DeadlineConfig::fixed(args.ttft_deadline, args.tbt_deadline, args.target_miss_rate);
    deadlines
        .validate()
        .map_err(|problem| format!("Cannot compute the metrics: {problem}."))?;
    let (source, timelines) = read_timelines(&args.file)?;
    Ok((source, run_metrics(&timelines, &deadlines)))
}

/// Reads a file of either kind into timelines; the error is one sentence
/// naming the file.
fn read_timelines(path: &Path) -> Result<(Source, Vec<RequestTimeline>), String> {
    let name = path.display();
    let bytes = read_bounded(path)?;
    let unusable = |problem: String| format!("{name} cannot be used: {problem}");
    let shape = std::str::from_utf8(&bytes).ok().and_then(probe);
    if let Some(FileShape {
        version: Some(version),
        requests: true,
    }) = shape
    {
        if version
            .as_u64()
            .is_none_or(|v| v > u64::from(RECORDING_VERSION))
        {
            return Err(format!(
                "{name} is a recording of version {version}, which this etalon-cli does not know \
                 (it reads version {RECORDING_VERSION}); use a newer etalon-cli."
            ));
        }
        // Straight into its types: a tree of JSON values would cost several
        // times the file in memory.
        let recording: Recording = serde_json::from_slice(&bytes).map_err(|e| {
            if e.is_syntax() || e.is_eof() {
                format!("{name} is not valid JSON: {e}.")
            } else {
                format!("{name} is not a valid recording: {e}.")
            }
        })?;
        drop(bytes);
        check_recording(&recording).map_err(|e| unusable(e.message))?;
        let timelines = recording
            .requests
            .iter()
            .map(RequestTimeline::from_record)
            .collect();
        return Ok((Source::Recording, timelines));
    }
    let value: Value =
        serde_json::from_slice(&bytes).map_err(|e| format!("{name} is not valid JSON: {e}."))?;
    drop(bytes);
    if !is_etalon_file(&value) {
        return Err(format!(
            "{name} is neither a recording (no \"version\" and \"requests\") nor Etalon's \
             request_level_metrics.json (no \"ttft\" and \"tbt\")."
        ));
    }
    // The page's reader (the page makes a recording of what it reads; the
    // figures here are computed from the file's own times).
    let file = read_etalon_file(&value)
        .map_err(|problem| format!("{name} is Etalon's request-level file, but {problem}"))?;
    // Checked as the page checks it: as the recording the page makes of it.
    check_recording(&file.recording()).map_err(|e| unusable(e.message))?;
    let timelines = file.requests.iter().map(EtalonRequest::timeline).collect();
    Ok((Source::Etalon, timelines))
}

/// The file's bytes, at most [`MAX_IMPORT_BYTES`] of them: a larger file
/// (or an endless one, as `/dev/zero`) is refused after reading one byte
/// more, never read whole.
fn read_bounded(path: &Path) -> Result<Vec<u8>, String> {
    let name = path.display();
    let too_large = || {
        format!(
            "{name} is larger than {} MiB, the most etalon-cli metrics reads.",
            MAX_IMPORT_BYTES >> 20
        )
    };
    let cannot_read = |e: std::io::Error| format!("Cannot read {name}: {e}.");
    let file = std::fs::File::open(path).map_err(cannot_read)?;
    // A regular file says its size: refused without reading a byte.
    if file
        .metadata()
        .is_ok_and(|m| m.is_file() && m.len() > MAX_IMPORT_BYTES as u64)
    {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    file.take(MAX_IMPORT_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot_read)?;
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(too_large());
    }
    Ok(bytes)
}

/// The readable report: counts, deadlines, a percentile table, the service
/// figures and a sample of the p99 curve.
fn table(path: &Path, source: Source, metrics: &RunMetrics) -> String {
    use std::fmt::Write;
    let service = &metrics.service;
    let p = &service.percentiles;
    let kind = match source {
        Source::Recording => "recording",
        Source::Etalon => "Etalon request-level metrics",
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} ({kind}): {} requests, {} completed, {} failed{}",
        path.display(),
        service.launched,
        service.completed,
        service.errored,
        if service.stopped > 0 {
            format!(", {} stopped before they finished", service.stopped)
        } else {
            String::new()
        }
    );
    for (kind, count) in &service.errored_by_kind {
        let _ = writeln!(out, "  {count} {}", kind.label());
    }
    let _ = writeln!(
        out,
        "Deadlines: TTFT {} s, TBT {} s; target miss rate {}\n",
        metrics.deadlines.ttft_deadline_for(None),
        metrics.deadlines.tbt_deadline,
        metrics.deadlines.target_miss_rate
    );
    let _ = writeln!(
        out,
        "{:<34}{:>11}{:>11}{:>11}{:>11}{:>11}{:>11}{:>11}",
        "over completed requests", "p50", "p90", "p95", "p99", "mean", "min", "max"
    );
    let rows: [(&str, &Option<Summary>); 10] = [
        ("TTFT (s)", &p.ttft),
        (
            "time to first visible token (s)",
            &p.time_to_first_visible_token,
        ),
        ("TBT, every gap (s)", &p.tbt),
        ("TPOT (s)", &p.tpot),
        ("end-to-end latency (s)", &p.end_to_end_latency),
        (
            "normalized latency (s/token)",
            &p.normalized_end_to_end_latency,
        ),
        ("output throughput (tokens/s)", &p.output_throughput),
        ("deadline miss rate", &p.deadline_miss_rate),
        ("fluidity-index", &p.fluidity_index),
        ("min TBT deadline to meet (s)", &p.min_tbt_deadline_to_meet),
    ];
    for (label, summary) in rows {
        let _ = write!(out, "{label:<34}");
        match summary {
            Some(s) => {
                for v in [s.p50, s.p90, s.p95, s.p99, s.mean, s.min, s.max] {
                    let _ = write!(out, "{:>11}", number(v));
                }
                let _ = writeln!(out);
            }
            None => {
                let _ = writeln!(out, "{:>11}", "-");
            }
        }
    }
    let optional =
        |v: Option<f64>, unit: &str| v.map_or("-".to_string(), |v| format!("{} {unit}", number(v)));
    let _ = writeln!(out, "\nService");
    let _ = writeln!(
        out,
        "  deadline miss rate             {} ({} of {} deadlines missed)",
        number(service.deadline_miss_rate),
        service.missed_deadlines,
        service.total_deadlines
    );
    let _ = writeln!(
        out,
        "  fluidity-index                 {}",
        number(service.fluidity_index)
    );
    let _ = writeln!(
        out,
        "  TPOT-based throughput          {}",
        optional(service.tpot_based_throughput, "tokens/s")
    );
    let _ = writeln!(
        out,
        "  TBT-based throughput           {}",
        optional(service.tbt_based_throughput, "tokens/s")
    );
    let _ = writeln!(
        out,
        "  fluid token generation rate    {}",
        optional(service.fluid_token_generation_rate, "tokens/s")
    );
    if !service.p99_miss_rate_vs_tbt_deadline.is_empty() {
        let _ = write!(out, "  p99 miss rate at TBT deadline ");
        for point in service
            .p99_miss_rate_vs_tbt_deadline
            .iter()
            .skip(9)
            .step_by(10)
        {
            let _ = write!(out, " {:.0} ms: {}", point[0] * 1e3, number(point[1]));
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "\nPer-request figures and the whole curve: --json.");
    out
}

/// A figure with four significant digits, or "-" when undefined.
fn number(value: f64) -> String {
    if !value.is_finite() {
        return "-".into();
    }
    if value == 0.0 {
        return "0".into();
    }
    let magnitude = value.abs().log10().floor() as i32;
    if (-3..6).contains(&magnitude) {
        format!("{:.*}", (3 - magnitude).max(0) as usize, value)
    } else {
        format!("{value:.3e}")
    }
}
