//! A kept run's index entry: what the History list shows without opening
//! the recording (date, endpoint, model, workload, headline figures,
//! name), and its check when read back from storage.

use serde::{Deserialize, Serialize};

use super::name::{checked_name, default_name, MAX_NAME_CHARS};
use crate::limits::{MAX_REQUESTS, MAX_TEXT_CHARS, MAX_TOKENS};
use crate::metrics::{quantile_unsorted, RunMetrics, Summary};
use crate::present::report::WORST_PERCENT_QUANTILE;
use crate::recording::Recording;
use crate::share::{shareable_endpoint, MAX_INFLATED_BYTES};

use super::blocks::MAX_BLOCKS;

/// Version of the entries and blocks this page writes.
pub const HISTORY_VERSION: u32 = 1;

use crate::limits::MAX_RUN_ID_CHARS as MAX_ID_CHARS;

/// The figures a list row shows, under the run's own deadlines.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HistoryFigures {
    /// Median time to first token, s.
    pub ttft_p50: Option<f64>,
    /// Median time per output token, s.
    pub tpot_p50: Option<f64>,
    /// The fluidity-index of the worst 1 % of requests, 0..=1.
    pub fluidity_p1: Option<f64>,
}

impl HistoryFigures {
    /// The figures of a whole run.
    pub fn of(metrics: &RunMetrics) -> HistoryFigures {
        let mut gathered = FigureGatherer::default();
        gathered.add(metrics);
        gathered.finish()
    }
}

/// The figures of a run gathered from its blocks' metrics one at a time
/// (each request's figures depend on it alone), so that no task computes
/// a long run's metrics at once.
#[derive(Debug, Default)]
pub struct FigureGatherer {
    ttft: Vec<f64>,
    tpot: Vec<f64>,
    fluidity: Vec<f64>,
}

impl FigureGatherer {
    /// Add the completed requests of `metrics` (a block's, or a run's).
    pub fn add(&mut self, metrics: &RunMetrics) {
        for request in metrics.requests.iter().filter(|r| r.completed) {
            self.ttft.push(request.ttft);
            self.tpot.push(request.tpot);
            self.fluidity.push(request.fluidity_index);
        }
    }

    pub fn finish(mut self) -> HistoryFigures {
        HistoryFigures {
            ttft_p50: Summary::of(self.ttft).map(|s| s.p50),
            tpot_p50: Summary::of(self.tpot).map(|s| s.p50),
            fluidity_p1: quantile_unsorted(&mut self.fluidity, WORST_PERCENT_QUANTILE),
        }
    }
}

/// One kept run, as the History list shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub version: u32,
    pub id: String,
    pub name: String,
    /// When the run started (Unix epoch, ms).
    pub started_at_unix_ms: f64,
    /// The address, without credentials.
    pub endpoint: String,
    pub model: String,
    pub requests: u32,
    /// Requests in flight at once, when the set-up capped them.
    pub concurrency: Option<u32>,
    /// Mean prompt tokens the server reported, when it did.
    pub mean_prompt_tokens: Option<f64>,
    /// Mean output tokens received.
    pub mean_output_tokens: f64,
    pub failed: u32,
    /// The user stopped the run early.
    pub stopped: bool,
    pub figures: HistoryFigures,
    /// How many blocks the recording is stored in.
    pub blocks: u32,
    /// Bytes the stored blocks take.
    pub bytes: u64,
}

/// A new run id: base-36 of the start time (ms) and of a random number, so
/// that ids sort by date and two tabs never collide.
pub fn new_run_id(started_at_unix_ms: f64, random: f64) -> String {
    let ms = started_at_unix_ms.max(0.0) as u64;
    let nonce = (random.clamp(0.0, 1.0) * 36f64.powi(4)) as u64;
    format!("{}-{}", base36(ms), base36(nonce))
}

fn base36(mut n: u64) -> String {
    let digits = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(digits[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).expect("ascii")
}

/// Whether `id` can be a run id: 1 to 32 of `a-z`, `0-9` and `-`.
pub fn valid_run_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_CHARS
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl HistoryEntry {
    /// The entry of `recording`, kept as `id`, with its `figures`. The
    /// endpoint loses its credentials here; nothing else of the set-up is
    /// kept in the entry.
    pub fn of(
        id: &str,
        recording: &Recording,
        figures: HistoryFigures,
        stopped: bool,
    ) -> HistoryEntry {
        let setup = &recording.config["setup"];
        let text = |value: &serde_json::Value| {
            value
                .as_str()
                .unwrap_or("")
                .chars()
                .take(MAX_TEXT_CHARS)
                .collect::<String>()
        };
        let requests = recording.requests.len();
        let prompts: Vec<u64> = recording
            .requests
            .iter()
            .filter_map(|r| r.prompt_tokens.map(|t| t.count))
            .collect();
        let output: u64 = recording
            .requests
            .iter()
            .map(|r| r.chunks.total_tokens())
            .sum();
        HistoryEntry {
            version: HISTORY_VERSION,
            id: id.to_string(),
            name: default_name(recording),
            started_at_unix_ms: recording.started_at_unix_ms,
            endpoint: shareable_endpoint(&text(&setup["endpoint"])),
            model: text(&setup["request"]["model"]),
            requests: requests as u32,
            concurrency: setup["workload"]["concurrency"]
                .as_u64()
                .map(|c| c.min(u32::MAX as u64) as u32),
            mean_prompt_tokens: (!prompts.is_empty())
                .then(|| prompts.iter().sum::<u64>() as f64 / prompts.len() as f64),
            mean_output_tokens: if requests == 0 {
                0.0
            } else {
                output as f64 / requests as f64
            },
            failed: recording
                .requests
                .iter()
                .filter(|r| r.error.is_some())
                .count() as u32,
            stopped,
            figures,
            blocks: 0,
            bytes: 0,
        }
    }

    /// The workload in words: "40 requests, 4 at a time, 512 tokens in and
    /// 16 out on average".
    pub fn workload_words(&self) -> String {
        let n = self.requests;
        let mut words = format!("{n} request{}", if n == 1 { "" } else { "s" });
        if let Some(c) = self.concurrency {
            words.push_str(&format!(", {c} at a time"));
        }
        let out = self.mean_output_tokens.round();
        match self.mean_prompt_tokens {
            Some(prompt) => words.push_str(&format!(
                ", {} tokens in and {out} out on average",
                prompt.round()
            )),
            None => words.push_str(&format!(", {out} tokens out on average")),
        }
        if self.failed > 0 {
            words.push_str(&format!(", {} failed", self.failed));
        }
        if self.stopped {
            words.push_str(", stopped early");
        }
        words
    }

    /// Whether an entry read back from storage can be listed; if not, why.
    pub fn check(&self) -> Result<(), String> {
        let problem = |what: &str| Err(format!("A kept run ({what}) cannot be read."));
        if self.version != HISTORY_VERSION {
            return Err(format!(
                "A kept run was written by another version of this page (version {}, this page \
                 reads {HISTORY_VERSION}), so it cannot be opened here.",
                self.version
            ));
        }
        if !valid_run_id(&self.id) {
            return problem("its id is not one this page makes");
        }
        if checked_name(&self.name).is_err() || self.name.chars().count() > MAX_NAME_CHARS {
            return problem("its name is empty or too long");
        }
        if self.endpoint.len() > MAX_TEXT_CHARS || self.model.len() > MAX_TEXT_CHARS {
            return problem("its endpoint or model is too long");
        }
        if !self.started_at_unix_ms.is_finite() || self.started_at_unix_ms < 0.0 {
            return problem("its date is not a number");
        }
        if self.requests as usize > MAX_REQUESTS || self.failed > self.requests {
            return problem("its request counts are impossible");
        }
        let finite = |v: Option<f64>| v.is_none_or(|v| v.is_finite() && v >= 0.0);
        let f = &self.figures;
        let figures_ok = [
            f.ttft_p50,
            f.tpot_p50,
            f.fluidity_p1,
            self.mean_prompt_tokens,
        ]
        .into_iter()
        .all(finite);
        let output_ok = self.mean_output_tokens.is_finite()
            && (0.0..=MAX_TOKENS as f64).contains(&self.mean_output_tokens);
        if !figures_ok || !output_ok {
            return problem("a figure is not a number");
        }
        if self.blocks == 0 || self.blocks as usize > MAX_BLOCKS {
            return problem("its number of parts is impossible");
        }
        if self.bytes > (self.blocks as u64) * MAX_INFLATED_BYTES as u64 {
            return problem("its size is impossible");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{recording_metrics, DeadlineConfig};
    use crate::plan::setup::TestSetup;
    use crate::present::report::worst_percent_fluidity;
    use crate::recording::synthetic::SyntheticRun;

    fn recording() -> Recording {
        let mut recording = SyntheticRun {
            seed: 3,
            requests: 40,
            tokens_per_request: 16,
            stall_probability: 0.05,
        }
        .recording();
        let mut setup = TestSetup {
            endpoint: "https://bob:pw@api.example.com/v1?api_key=sk-1".into(),
            ..TestSetup::default()
        };
        setup.request.model = "llama".into();
        setup.workload.concurrency = Some(4);
        recording.config = serde_json::json!({ "setup": setup });
        recording
    }

    #[test]
    fn an_entry_holds_the_list_and_the_headline_figures() {
        let recording = recording();
        let deadlines = DeadlineConfig::default();
        let metrics = recording_metrics(&recording, &deadlines);
        let mut entry = HistoryEntry::of("abc-1", &recording, HistoryFigures::of(&metrics), true);
        assert_eq!(entry.requests, 40);
        assert_eq!(entry.concurrency, Some(4));
        assert_eq!(entry.model, "llama");
        assert_eq!(entry.endpoint, "https://api.example.com/v1?api_key=");
        assert_eq!(entry.mean_output_tokens, 16.0);
        assert!(entry.stopped);
        assert_eq!(
            entry.figures.ttft_p50,
            metrics.service.percentiles.ttft.as_ref().map(|s| s.p50)
        );
        assert_eq!(entry.figures.fluidity_p1, worst_percent_fluidity(&metrics));
        assert!(entry.figures.fluidity_p1.is_some());
        assert!(entry.name.starts_with("40 requests to model \"llama\""));
        assert_eq!(
            entry.workload_words(),
            "40 requests, 4 at a time, 512 tokens in and 16 out on average, stopped early"
        );
        // Blocks unknown yet: such an entry is refused.
        assert!(entry.check().is_err());
        entry.blocks = 1;
        entry.bytes = 1000;
        assert_eq!(entry.check(), Ok(()));
    }

    #[test]
    fn bad_entries_get_a_sentence() {
        let mut good = HistoryEntry::of("abc-1", &recording(), HistoryFigures::default(), false);
        good.blocks = 2;
        good.bytes = 10;
        type Spoil = fn(&mut HistoryEntry);
        let cases: Vec<(Spoil, &str)> = vec![
            (|e| e.version = 9, "another version"),
            (|e| e.id = "../x".into(), "id"),
            (|e| e.name = " ".into(), "name"),
            (|e| e.requests = 1_000_000, "counts"),
            (|e| e.failed = e.requests + 1, "counts"),
            (|e| e.figures.ttft_p50 = Some(f64::NAN), "not a number"),
            (|e| e.blocks = 0, "parts"),
            (|e| e.blocks = u32::MAX, "parts"),
            (|e| e.bytes = u64::MAX, "size"),
            (|e| e.started_at_unix_ms = f64::INFINITY, "date"),
        ];
        for (spoil, word) in cases {
            let mut entry = good.clone();
            spoil(&mut entry);
            let sentence = entry.check().unwrap_err();
            assert!(sentence.contains(word), "{sentence}");
        }
    }

    #[test]
    fn figures_gathered_block_by_block_are_the_whole_runs() {
        let recording = recording();
        let deadlines = DeadlineConfig::default();
        let whole = HistoryFigures::of(&recording_metrics(&recording, &deadlines));
        let mut gathered = FigureGatherer::default();
        for part in recording.requests.chunks(7) {
            let block = Recording {
                requests: part.to_vec(),
                ..recording.clone()
            };
            gathered.add(&recording_metrics(&block, &deadlines));
        }
        assert_eq!(gathered.finish(), whole);
        let p = recording_metrics(&recording, &deadlines)
            .service
            .percentiles;
        assert_eq!(whole.tpot_p50, p.tpot.map(|s| s.p50));
    }

    #[test]
    fn ids_sort_by_date_and_are_checked() {
        let a = new_run_id(1_700_000_000_000.0, 0.5);
        let b = new_run_id(1_700_000_000_001.0, 0.0);
        assert!(valid_run_id(&a) && valid_run_id(&b), "{a} {b}");
        assert!(a < b);
        assert_ne!(new_run_id(1.0, 0.1), new_run_id(1.0, 0.2));
        assert!(!valid_run_id(""));
        assert!(!valid_run_id("ABC"));
        assert!(!valid_run_id(&"a".repeat(33)));
    }
}
