//! Exporting a recording: its file name (`etalon-recording-<date>.json`,
//! the run's start in UTC) and its text, and a one-line caption of what
//! was measured.

use crate::recording::Recording;
use crate::simulate::presets::preset;
use crate::simulate::Policy;

/// `etalon-recording-2025-03-09T14-05-07Z.json` for a run started then
/// (UTC; no colons, which some systems refuse in file names).
pub fn recording_file_name(started_at_unix_ms: f64) -> String {
    let seconds = if started_at_unix_ms.is_finite() {
        (started_at_unix_ms / 1000.0).floor() as i64
    } else {
        0
    };
    let (days, second_of_day) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    let (h, m, s) = (
        second_of_day / 3600,
        second_of_day / 60 % 60,
        second_of_day % 60,
    );
    format!("etalon-recording-{year:04}-{month:02}-{day:02}T{h:02}-{m:02}-{s:02}Z.json")
}

/// The Gregorian date of a day counted from 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The recording as the exported file holds it (pretty JSON).
pub fn recording_json(recording: &Recording) -> String {
    serde_json::to_string_pretty(recording).unwrap_or_else(|_| "{}".to_string())
}

/// What was measured, in one line: "50 requests to model \"m\" at
/// http://…" (parts the set-up does not say are left out), or for a
/// simulated server "8 requests to the simulated server: a 70B model on
/// four A100 GPUs, chunked prefills".
pub fn run_caption(recording: &Recording) -> String {
    caption_of(&recording.config, recording.requests.len())
}

/// The caption of a run of `n` requests configured by `config` (a
/// recording's, or a summary link's).
pub fn caption_of(config: &serde_json::Value, n: usize) -> String {
    let setup = &config["setup"];
    let model = setup["request"]["model"].as_str().filter(|m| !m.is_empty());
    let endpoint = setup["endpoint"].as_str().filter(|e| !e.is_empty());
    let mut caption = format!("{n} request{}", if n == 1 { "" } else { "s" });
    if let Some(system) = simulated_system(config) {
        caption.push_str(&format!(" to the simulated server: {system}"));
        return caption;
    }
    if let Some(model) = model {
        caption.push_str(&format!(" to model \"{model}\""));
    }
    if let Some(endpoint) = endpoint {
        caption.push_str(&format!(" at {endpoint}"));
    }
    caption
}

/// The simulated system a recording's config names ("a 70B model on four
/// A100 GPUs, chunked prefills"), in the words of a preset and a policy
/// this page knows; None for a real server's run, or names it does not know.
pub(crate) fn simulated_system(config: &serde_json::Value) -> Option<String> {
    let simulated = &config["simulated"];
    let preset = preset(simulated["preset"].as_str()?)?;
    let policy = Policy::named(simulated["policy"].as_str()?)?;
    Some(format!("{}, {}", preset.label, policy.label()))
}
