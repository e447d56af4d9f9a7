//! What a set-up changes from a fresh page's ([`TestSetup::default`]),
//! field by field in plain words: a test link's banner lists all of it
//! before anything is sent, so that nothing a link sets goes unseen. A
//! secret header value is never shown, every value is cut short and made
//! one line of plain text, and an address loses its credentials first.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::secrets::shareable_endpoint;
use crate::metrics::TtftDeadline;
use crate::plan::body_fields::{
    CONTINUOUS_USAGE_LABEL, IGNORE_EOS_LABEL, INCLUDE_USAGE_LABEL, MIN_TOKENS_LABEL,
    SAMPLING_SEED_LABEL, TEMPERATURE_LABEL,
};
use crate::plan::setup::{is_secret_header, TestSetup};
use crate::plan::workload::{Arrivals, LengthDistribution, RequestLengths, WorkloadConfig};
use crate::wire::openai::Api;

/// The most characters of a value a listing shows.
pub const MAX_SHOWN_VALUE_CHARS: usize = 80;

/// The most characters of a name (a header's, a body field's) in a label.
pub const MAX_SHOWN_NAME_CHARS: usize = 40;

/// One field that differs from a fresh page's set-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupChange {
    /// Which field, for tests and styles: `endpoint`, `request.temperature`,
    /// `extra_body.top_k`, `workload.concurrency`, `headers.0`, ...
    pub field: String,
    /// What the set-up screen calls it.
    pub label: String,
    /// What it is set to, as plain text.
    pub value: String,
    /// Whether `value` is the text or JSON as set (an address, a model, a
    /// body field's value), rather than words describing it ("on").
    pub literal: bool,
}

/// Every field of `setup` that differs from [`TestSetup::default`], in the
/// order of the set-up screen.
pub fn setup_changes(setup: &TestSetup) -> Vec<SetupChange> {
    let fresh = TestSetup::default();
    let mut list = Listing::default();
    if setup.server != fresh.server {
        list.add("server", "Server", setup.server.label());
    }
    if setup.endpoint != fresh.endpoint {
        list.add_text("endpoint", "Address", &shareable_endpoint(&setup.endpoint));
    }
    let (request, fresh_request) = (&setup.request, &fresh.request);
    if request.api != fresh_request.api {
        list.add("request.api", "API", api_label(request.api));
    }
    if request.model != fresh_request.model {
        list.add_text("request.model", "Model", &request.model);
    }
    // `request.max_tokens` is never sent: a run asks for each request's
    // output length (under Workload), and the endpoint check for its own.
    for (i, header) in setup.headers.iter().enumerate() {
        if header.name.trim().is_empty() && header.value.is_empty() {
            continue;
        }
        let field = format!("headers.{i}");
        let label = format!("Header \"{}\"", shown(&header.name, MAX_SHOWN_NAME_CHARS));
        if !(header.secret || is_secret_header(&header.name)) {
            list.add_text(&field, &label, &header.value);
        } else if header.value.is_empty() {
            list.add(
                &field,
                &label,
                "secret, not filled in: type its value below",
            );
        } else {
            list.add(&field, &label, "secret, not shown");
        }
    }
    if request.temperature != fresh_request.temperature {
        match request.temperature {
            Some(t) => list.add_text("request.temperature", TEMPERATURE_LABEL, &number(t)),
            None => list.add("request.temperature", TEMPERATURE_LABEL, NOT_SENT),
        }
    }
    if request.seed != fresh_request.seed {
        match request.seed {
            Some(seed) => list.add_text("request.seed", SAMPLING_SEED_LABEL, &seed.to_string()),
            None => list.add("request.seed", SAMPLING_SEED_LABEL, NOT_SENT),
        }
    }
    if request.ignore_eos != fresh_request.ignore_eos {
        list.add(
            "request.ignore_eos",
            IGNORE_EOS_LABEL,
            on_off(request.ignore_eos),
        );
    }
    if request.min_tokens.is_some() != fresh_request.min_tokens.is_some() {
        list.add(
            "request.min_tokens",
            MIN_TOKENS_LABEL,
            on_off(request.min_tokens.is_some()),
        );
    }
    if request.include_usage != fresh_request.include_usage {
        list.add(
            "request.include_usage",
            INCLUDE_USAGE_LABEL,
            on_off(request.include_usage),
        );
    }
    if request.continuous_usage_stats != fresh_request.continuous_usage_stats {
        list.add(
            "request.continuous_usage_stats",
            CONTINUOUS_USAGE_LABEL,
            on_off(request.continuous_usage_stats),
        );
    }
    // A fresh page adds no extra body field, so every one is listed.
    for (name, value) in &request.extra_body {
        let label = format!("Extra body field \"{}\"", shown(name, MAX_SHOWN_NAME_CHARS));
        let field = format!("extra_body.{name}");
        match value {
            Value::Null => list.add(&field, &label, "null (left out of the body)"),
            other => list.add_text(&field, &label, &other.to_string()),
        }
    }
    workload_changes(&mut list, &setup.workload, &fresh.workload);
    let (deadlines, fresh_deadlines) = (&setup.deadlines, &fresh.deadlines);
    if deadlines.ttft_deadline != fresh_deadlines.ttft_deadline {
        let value = match &deadlines.ttft_deadline {
            TtftDeadline::Fixed(seconds) => seconds_text(*seconds),
            TtftDeadline::Prefill { slack, .. } => {
                format!("the predicted prefill time plus {}", seconds_text(*slack))
            }
        };
        list.add(
            "deadlines.ttft_deadline",
            "First token (TTFT) deadline",
            &value,
        );
    }
    if deadlines.tbt_deadline != fresh_deadlines.tbt_deadline {
        list.add(
            "deadlines.tbt_deadline",
            "Between tokens (TBT) deadline",
            &seconds_text(deadlines.tbt_deadline),
        );
    }
    if deadlines.target_miss_rate != fresh_deadlines.target_miss_rate {
        list.add(
            "deadlines.target_miss_rate",
            "Target miss rate",
            &number(deadlines.target_miss_rate),
        );
    }
    if setup.timeout_seconds != fresh.timeout_seconds {
        list.add(
            "timeout_seconds",
            "Time limit per request",
            &seconds_text(setup.timeout_seconds),
        );
    }
    if setup.seed != fresh.seed {
        list.add(
            "seed",
            "Seed (of the arrivals, lengths and prompts)",
            &setup.seed.to_string(),
        );
    }
    list.changes
}

const NOT_SENT: &str = "not sent (the server's default)";

fn workload_changes(list: &mut Listing, workload: &WorkloadConfig, fresh: &WorkloadConfig) {
    if workload.stop_after_requests != fresh.stop_after_requests {
        let value = workload
            .stop_after_requests
            .map_or("no limit".into(), |n| n.to_string());
        list.add("workload.stop_after_requests", "Requests", &value);
    }
    if workload.stop_after_seconds != fresh.stop_after_seconds {
        let value = workload
            .stop_after_seconds
            .map_or("no limit".into(), seconds_text);
        list.add("workload.stop_after_seconds", "Stop after", &value);
    }
    if workload.arrivals != fresh.arrivals {
        list.add(
            "workload.arrivals",
            "Arrivals",
            &arrivals_text(&workload.arrivals),
        );
    }
    if workload.concurrency != fresh.concurrency {
        let value = workload
            .concurrency
            .map_or("no cap".into(), |n| n.to_string());
        list.add("workload.concurrency", "At most at once", &value);
    }
    if workload.warmup_requests != fresh.warmup_requests {
        list.add(
            "workload.warmup_requests",
            "Warm-up requests",
            &workload.warmup_requests.to_string(),
        );
    }
    match (&workload.lengths, &fresh.lengths) {
        (
            RequestLengths::Separate {
                prompt_tokens,
                output_tokens,
            },
            RequestLengths::Separate {
                prompt_tokens: fresh_prompt,
                output_tokens: fresh_output,
            },
        ) => {
            if prompt_tokens != fresh_prompt {
                list.add(
                    "workload.prompt_tokens",
                    "Prompt length",
                    &distribution_text(prompt_tokens),
                );
            }
            if output_tokens != fresh_output {
                list.add(
                    "workload.output_tokens",
                    "Output length",
                    &distribution_text(output_tokens),
                );
            }
        }
        (lengths, fresh_lengths) if lengths != fresh_lengths => {
            list.add(
                "workload.lengths",
                "Prompt and output lengths",
                &lengths_text(lengths),
            );
        }
        _ => {}
    }
    if workload.chars_per_token != fresh.chars_per_token {
        list.add(
            "workload.chars_per_token",
            "Characters per token, before the warm-up measures it",
            &number(workload.chars_per_token),
        );
    }
}

fn api_label(api: Api) -> &'static str {
    match api {
        Api::ChatCompletions => "Chat completions (/v1/chat/completions)",
        Api::Completions => "Completions (/v1/completions)",
    }
}

fn arrivals_text(arrivals: &Arrivals) -> String {
    match arrivals {
        Arrivals::AllAtOnce => "all at once".into(),
        Arrivals::FixedInterval { interval_seconds } => {
            format!("one every {}", seconds_text(*interval_seconds))
        }
        Arrivals::Poisson {
            requests_per_second,
        } => format!("Poisson, {} requests/s", number(*requests_per_second)),
        Arrivals::Gamma {
            requests_per_second,
            cv,
        } => format!(
            "Gamma, {} requests/s, burstiness (CV) {}",
            number(*requests_per_second),
            number(*cv)
        ),
        Arrivals::Replay {
            arrival_times,
            time_scale,
        } => format!(
            "replayed from {} arrival times, {} times as slow",
            arrival_times.len(),
            number(*time_scale)
        ),
    }
}

fn distribution_text(distribution: &LengthDistribution) -> String {
    match distribution {
        LengthDistribution::Fixed { tokens } => format!("{tokens} tokens"),
        LengthDistribution::Uniform { min, max } => {
            format!("{min} to {max} tokens, uniform")
        }
        LengthDistribution::Zipf {
            theta, min, max, ..
        } => format!("{min} to {max} tokens, Zipf (skew {})", number(*theta)),
    }
}

fn lengths_text(lengths: &RequestLengths) -> String {
    match lengths {
        RequestLengths::Separate {
            prompt_tokens,
            output_tokens,
        } => format!(
            "prompt {}, output {}",
            distribution_text(prompt_tokens),
            distribution_text(output_tokens)
        ),
        RequestLengths::SplitTotal {
            total_tokens,
            prefill_to_decode_ratio,
        } => format!(
            "a total of {}, split {} prompt to 1 output",
            distribution_text(total_tokens),
            number(*prefill_to_decode_ratio)
        ),
        RequestLengths::Trace {
            trace,
            prefill_scale_factor,
            decode_scale_factor,
            max_total_tokens,
        } => format!(
            "from the trace {trace}, prompts x{}, outputs x{}, at most {max_total_tokens} tokens in all",
            number(*prefill_scale_factor),
            number(*decode_scale_factor)
        ),
    }
}

fn on_off(on: bool) -> &'static str {
    if on {
        "on"
    } else {
        "off"
    }
}

/// A number as a person would type it (no trailing ".0").
fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

fn seconds_text(seconds: f64) -> String {
    format!("{} s", number(seconds))
}

/// `text` as one line of at most `most` characters: control characters and
/// the marks that reorder text become spaces, and a cut ends in "...".
fn shown(text: &str, most: usize) -> String {
    let line: String = text
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') {
                ' '
            } else {
                c
            }
        })
        .collect();
    match line.char_indices().nth(most) {
        Some((end, _)) => format!("{}...", &line[..end]),
        None => line,
    }
}

#[derive(Default)]
struct Listing {
    changes: Vec<SetupChange>,
}

impl Listing {
    /// A field whose value is told in words.
    fn add(&mut self, field: &str, label: &str, value: &str) {
        self.push(field, label, value, false);
    }

    /// A field whose value is the text or JSON as set.
    fn add_text(&mut self, field: &str, label: &str, value: &str) {
        self.push(field, label, value, true);
    }

    fn push(&mut self, field: &str, label: &str, value: &str, literal: bool) {
        self.changes.push(SetupChange {
            field: shown(field, MAX_SHOWN_NAME_CHARS + 16),
            label: label.to_string(),
            value: shown(value, MAX_SHOWN_VALUE_CHARS),
            literal,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::setup::HeaderSetting;
    use serde_json::json;

    #[test]
    fn a_fresh_set_up_changes_nothing() {
        assert_eq!(setup_changes(&TestSetup::default()), vec![]);
    }

    #[test]
    fn a_secret_header_value_is_never_listed() {
        let setup = TestSetup {
            endpoint: "https://user:pw@h.example/v1?key=sk-in-address".into(),
            headers: vec![
                HeaderSetting {
                    name: "X-Api-Key".into(),
                    value: "sk-header".into(),
                    secret: false,
                },
                HeaderSetting {
                    name: "X-Tenant".into(),
                    value: "blue".into(),
                    secret: true,
                },
                HeaderSetting {
                    name: "X-Region".into(),
                    value: "eu".into(),
                    secret: false,
                },
            ],
            ..TestSetup::default()
        };
        let changes = setup_changes(&setup);
        let text = format!("{changes:?}");
        for secret in ["sk-header", "blue", "pw", "sk-in-address"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        let region = changes.iter().find(|c| c.field == "headers.2").unwrap();
        assert_eq!(
            (region.label.as_str(), region.value.as_str()),
            ("Header \"X-Region\"", "eu")
        );
    }

    #[test]
    fn values_are_one_short_line() {
        let mut setup = TestSetup::default();
        setup.request.model = format!("a\nb\u{202E}c{}", "x".repeat(500));
        setup
            .request
            .extra_body
            .insert("y".repeat(500), json!("z".repeat(500)));
        for change in setup_changes(&setup) {
            assert!(change.value.chars().count() <= MAX_SHOWN_VALUE_CHARS + 3);
            assert!(change.label.chars().count() <= MAX_SHOWN_NAME_CHARS + 25);
            assert!(!change.value.contains(['\n', '\u{202E}']), "{change:?}");
        }
    }

    #[test]
    fn every_workload_and_deadline_field_is_named() {
        let setup = TestSetup {
            workload: WorkloadConfig {
                arrivals: Arrivals::Gamma {
                    requests_per_second: 2.5,
                    cv: 2.0,
                },
                stop_after_requests: None,
                stop_after_seconds: Some(30.0),
                concurrency: None,
                warmup_requests: 0,
                lengths: RequestLengths::SplitTotal {
                    total_tokens: LengthDistribution::Uniform { min: 10, max: 20 },
                    prefill_to_decode_ratio: 3.0,
                },
                chars_per_token: 3.5,
            },
            deadlines: crate::metrics::DeadlineConfig::fixed(0.25, 0.02, 0.2),
            timeout_seconds: 30.0,
            seed: 9,
            ..TestSetup::default()
        };
        let listed: Vec<(String, String)> = setup_changes(&setup)
            .into_iter()
            .map(|c| (c.label, c.value))
            .collect();
        let expected = [
            ("Requests", "no limit"),
            ("Stop after", "30 s"),
            ("Arrivals", "Gamma, 2.5 requests/s, burstiness (CV) 2"),
            ("At most at once", "no cap"),
            ("Warm-up requests", "0"),
            (
                "Prompt and output lengths",
                "a total of 10 to 20 tokens, uniform, split 3 prompt to 1 output",
            ),
            (
                "Characters per token, before the warm-up measures it",
                "3.5",
            ),
            ("First token (TTFT) deadline", "0.25 s"),
            ("Between tokens (TBT) deadline", "0.02 s"),
            ("Target miss rate", "0.2"),
            ("Time limit per request", "30 s"),
            ("Seed (of the arrivals, lengths and prompts)", "9"),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(l, v)| (l.to_string(), v.to_string()))
            .collect();
        assert_eq!(listed, expected);
    }
}
