//! A run made ready for the measurement worker, in one place: a set-up, the
//! API key (held apart, never stored) and an optional length trace become
//! the orders the worker carries out (the warm-up, the measured run, the
//! endpoint check) and the config a recording carries. The page only sends
//! what this returns.

use serde_json::Value;

use crate::plan::setup::TestSetup;
use crate::plan::workload::{self, calibrate, CalibrationSample, Plan, RequestSpec, Trace};
use crate::wire::body::{request_prompt, BodyWriter};
use crate::wire::messages::{Endpoint, PlannedRequest, RunOrder};
use crate::wire::openai::request::request_body_text;
use crate::wire::openai::urls::with_simulated_seed;
use crate::wire::openai::Prompt;

/// What the endpoint check asks the server.
pub const CHECK_PROMPT: &str = "Say hello in five words.";
/// Tokens the endpoint check asks for.
pub const CHECK_MAX_TOKENS: u32 = 16;
/// The endpoint check gives up after this long, whatever the set-up says.
pub const CHECK_TIMEOUT_SECONDS: f64 = 30.0;

/// The set-up's fields whose problems stop the endpoint check too.
const BODY_FIELDS: [&str; 2] = ["temperature", "extra_body"];

/// A length trace a set-up needs before it can be planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceAsset {
    /// The name the set-up uses.
    pub name: String,
    /// The file, relative to the app's `traces/` folder.
    pub file: String,
}

/// The length trace `setup`'s workload draws from, if any: a shipped
/// trace's file when the name is one, else the name itself.
pub fn trace_asset(setup: &TestSetup) -> Option<TraceAsset> {
    let name = setup.workload.lengths.trace_name()?;
    let file = workload::SHARED_TRACES
        .iter()
        .find(|t| t.name == name || t.file == name)
        .map_or(name, |t| t.file);
    Some(TraceAsset {
        name: name.to_owned(),
        file: file.to_owned(),
    })
}

/// A set-up planned and addressed, ready to become the worker's orders.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedRun {
    setup: TestSetup,
    endpoint: Endpoint,
    plan: Plan,
}

impl PreparedRun {
    /// Checks `setup`, resolves its URL and plans its workload (with
    /// `trace` when its lengths come from one). The error is the sentence
    /// to show: the set-up's first problem, a bad address, or a workload
    /// that cannot be planned.
    pub fn new(
        setup: &TestSetup,
        api_key: &str,
        trace: Option<&Trace>,
    ) -> Result<PreparedRun, String> {
        if let Some(problem) = setup.problems().into_iter().next() {
            return Err(problem.message);
        }
        let endpoint = endpoint(setup, api_key)?;
        let plan = workload::plan(&setup.workload, setup.seed, trace).map_err(|e| e.to_string())?;
        Ok(PreparedRun {
            setup: setup.clone(),
            endpoint,
            plan,
        })
    }

    /// The plan: warm-ups, then the measured requests.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The ids of the measured requests, in order of arrival.
    pub fn measured_ids(&self) -> impl Iterator<Item = u64> + '_ {
        self.plan.requests.iter().map(|r| r.id)
    }

    /// The warm-up, one request at a time, bodies written now at the
    /// set-up's ratio; `None` when the set-up asks for none.
    pub fn warmup_order(&self) -> Option<RunOrder> {
        if self.plan.warmup.is_empty() {
            return None;
        }
        Some(RunOrder {
            run_id: 0,
            endpoint: self.endpoint.clone(),
            requests: plan_bodies(
                &self.plan.warmup,
                &self.writer(self.setup.workload.chars_per_token),
            ),
            concurrency: Some(1),
            timeout_seconds: self.setup.timeout_seconds,
            live_text_of: None,
            writer: None,
        })
    }

    /// The characters-per-token ratio the warm-up measured: `prompt_tokens`
    /// holds the server's reported prompt tokens of each warm-up request,
    /// in the warm-up's order (None where it reported none). With no
    /// usable report, the set-up's own ratio.
    pub fn calibrated_chars_per_token(&self, prompt_tokens: &[Option<u64>]) -> f64 {
        let fallback = self.setup.workload.chars_per_token;
        let samples: Vec<CalibrationSample> = self
            .plan
            .warmup
            .iter()
            .zip(prompt_tokens)
            .filter_map(|(spec, reported)| {
                Some(CalibrationSample {
                    chars_sent: request_prompt(&spec.body(), fallback).chars().count(),
                    prompt_tokens_reported: (*reported)?,
                })
            })
            .collect();
        if samples.is_empty() {
            fallback
        } else {
            calibrate(&samples)
        }
    }

    /// The measured run, its bodies left for the worker to write just
    /// before it sends each, at `chars_per_token`; the first request's text
    /// streams to the page as it arrives.
    pub fn measured_order(&self, run_id: u64, chars_per_token: f64) -> RunOrder {
        RunOrder {
            run_id,
            endpoint: self.endpoint.clone(),
            requests: plan_unwritten(&self.plan.requests),
            concurrency: self.setup.workload.concurrency,
            timeout_seconds: self.setup.timeout_seconds,
            live_text_of: self.plan.requests.first().map(|r| r.id),
            writer: Some(self.writer(chars_per_token)),
        }
    }

    /// The config a recording of this run carries: the shareable set-up
    /// (no key, no secret header), the ratio its prompts were written at,
    /// and for a simulated server the system it simulated (its preset's
    /// name and label, its policy, the seed of its jitter).
    pub fn recording_config(&self, chars_per_token: f64) -> Value {
        let mut config = serde_json::json!({
            "setup": self.setup.shareable(),
            "chars_per_token": chars_per_token,
        });
        if let Some((preset, policy)) = self.setup.simulated() {
            config["simulated"] = serde_json::json!({
                "preset": preset.name,
                "label": preset.label,
                "policy": policy.name(),
                "seed": self.setup.seed,
            });
        }
        config
    }

    fn writer(&self, chars_per_token: f64) -> BodyWriter {
        BodyWriter {
            settings: self.setup.request.clone(),
            chars_per_token,
        }
    }
}

/// The endpoint check's order: one short streaming request to `setup`'s
/// server, with its headers and key. It needs no model (the server's reply
/// may name one), but it sends the body a run would send, so a body field
/// the set-up refuses stops it too.
pub fn endpoint_check_order(setup: &TestSetup, api_key: &str) -> Result<RunOrder, String> {
    if let Some(problem) = setup
        .problems()
        .into_iter()
        .find(|p| BODY_FIELDS.contains(&p.field))
    {
        return Err(problem.message);
    }
    let mut settings = setup.request.clone();
    settings.max_tokens = Some(CHECK_MAX_TOKENS);
    // As in a run, min_tokens asks for the whole output length.
    if settings.min_tokens.is_some() {
        settings.min_tokens = Some(CHECK_MAX_TOKENS);
    }
    Ok(RunOrder {
        run_id: 0,
        endpoint: endpoint(setup, api_key)?,
        requests: vec![PlannedRequest {
            id: 0,
            at: 0.0,
            body: request_body_text(&settings, &Prompt::Text(CHECK_PROMPT.into())),
            spec: None,
            url: None,
        }],
        concurrency: Some(1),
        timeout_seconds: setup.timeout_seconds.min(CHECK_TIMEOUT_SECONDS),
        live_text_of: None,
        writer: None,
    })
}

/// Where the set-up's requests go; a simulated server's URL carries the
/// set-up's seed, which seeds its jitter.
fn endpoint(setup: &TestSetup, api_key: &str) -> Result<Endpoint, String> {
    let urls = setup.urls()?;
    let mut url = urls.for_api(setup.request.api);
    if urls.simulated_name().is_some() {
        url = with_simulated_seed(&url, setup.seed);
    }
    Ok(Endpoint {
        url,
        headers: setup.request_headers(api_key),
    })
}

/// The planned requests with their bodies written now by `writer`: for a
/// few requests (the warm-up), or a worker without a writer.
pub fn plan_bodies(requests: &[RequestSpec], writer: &BodyWriter) -> Vec<PlannedRequest> {
    requests
        .iter()
        .map(|request| PlannedRequest {
            body: writer.body(&request.body()),
            ..unwritten(request)
        })
        .collect()
}

/// The planned requests for the worker to write just before it sends each
/// ([`PlannedRequest::written`] with the run's [`BodyWriter`]): a run of
/// 10,000 long prompts would otherwise take seconds of the page's time to
/// write, and tens of MB to hold.
pub fn plan_unwritten(requests: &[RequestSpec]) -> Vec<PlannedRequest> {
    requests.iter().map(unwritten).collect()
}

fn unwritten(request: &RequestSpec) -> PlannedRequest {
    PlannedRequest {
        id: request.id,
        at: request.at,
        body: String::new(),
        spec: Some(request.body()),
        url: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::workload::{plan, WorkloadConfig};
    use crate::wire::messages::PageMessage;
    use crate::wire::openai::RequestSettings;

    #[test]
    fn the_worker_writes_the_bodies_the_page_would_have_written() {
        let config = WorkloadConfig {
            stop_after_requests: Some(50),
            ..WorkloadConfig::default()
        };
        let plan = plan(&config, 3, None).unwrap();
        let settings = RequestSettings {
            model: "steady".into(),
            min_tokens: Some(1),
            ..RequestSettings::default()
        };
        let writer = BodyWriter {
            settings,
            chars_per_token: 3.7,
        };
        let on_the_page = plan_bodies(&plan.requests, &writer);
        let order = RunOrder {
            run_id: 1,
            endpoint: Endpoint {
                url: "http://127.0.0.1:8000/v1/chat/completions".into(),
                headers: vec![],
            },
            requests: plan_unwritten(&plan.requests),
            concurrency: Some(6),
            timeout_seconds: 30.0,
            live_text_of: None,
            writer: Some(writer),
        };
        // What the worker receives: no prompt text crosses over.
        let text = serde_json::to_string(&PageMessage::Run(order)).unwrap();
        assert!(!text.contains("Continue this passage"), "{text}");
        let Ok(PageMessage::Run(order)) = serde_json::from_str(&text) else {
            panic!("the order parses back");
        };
        let writer = order.writer.clone();
        let in_the_worker: Vec<PlannedRequest> = order
            .requests
            .into_iter()
            .map(|p| p.written(writer.as_ref()))
            .collect();
        assert_eq!(in_the_worker.len(), 50);
        for (worker, page) in in_the_worker.iter().zip(&on_the_page) {
            assert_eq!((worker.id, worker.at), (page.id, page.at));
            assert_eq!(worker.body, page.body);
            assert!(worker.body.contains("\"max_tokens\""), "{}", worker.body);
        }
    }

    fn testbed_setup() -> TestSetup {
        let mut setup = TestSetup::default();
        setup.workload.warmup_requests = 2;
        setup.workload.stop_after_requests = Some(5);
        setup.workload.concurrency = Some(3);
        setup
    }

    #[test]
    fn a_run_is_warmed_up_one_request_at_a_time_then_measured_with_the_ratio_calibrated() {
        let setup = testbed_setup();
        let prepared = PreparedRun::new(&setup, "sk-test", None).unwrap();
        let warmup = prepared.warmup_order().expect("two warm-ups");
        assert_eq!((warmup.run_id, warmup.concurrency), (0, Some(1)));
        assert_eq!(warmup.requests.len(), 2);
        assert!(warmup.writer.is_none());
        assert!(warmup
            .requests
            .iter()
            .all(|r| r.body.contains("\"max_tokens\"")));
        assert!(warmup
            .endpoint
            .headers
            .iter()
            .any(|(_, v)| v.contains("sk-test")));

        let measured = prepared.measured_order(9, 3.25);
        assert_eq!((measured.run_id, measured.concurrency), (9, Some(3)));
        assert_eq!(measured.requests.len(), 5);
        assert!(measured
            .requests
            .iter()
            .all(|r| r.body.is_empty() && r.spec.is_some()));
        assert_eq!(measured.live_text_of, Some(measured.requests[0].id));
        assert_eq!(measured.writer.as_ref().unwrap().chars_per_token, 3.25);
        let ids: Vec<u64> = prepared.measured_ids().collect();
        assert_eq!(
            ids,
            measured.requests.iter().map(|r| r.id).collect::<Vec<_>>()
        );

        let config = prepared.recording_config(3.25);
        assert_eq!(config["chars_per_token"], 3.25);
        assert!(!config.to_string().contains("sk-test"), "{config}");
    }

    #[test]
    fn a_simulated_run_records_its_system_and_tells_the_worker_its_seed() {
        let mut setup = crate::plan::server::ServerPreset::Simulated.setup();
        setup.endpoint = "sim://llama-70b-4xa100".into();
        setup.request.model = "prefill-first".into();
        setup.seed = 11;
        let prepared = PreparedRun::new(&setup, "", None).unwrap();
        let order = prepared.measured_order(1, 4.0);
        assert_eq!(
            order.endpoint.url,
            "sim://llama-70b-4xa100/v1/chat/completions?seed=11"
        );
        let config = prepared.recording_config(4.0);
        assert_eq!(
            config["simulated"],
            serde_json::json!({
                "preset": "llama-70b-4xa100",
                "label": "a 70B model on four A100 GPUs",
                "policy": "prefill-first",
                "seed": 11,
            })
        );
        // The endpoint check reaches the same simulated server.
        let check = endpoint_check_order(&setup, "").unwrap();
        assert_eq!(check.endpoint.url, order.endpoint.url);
        // A real server's run says nothing of a simulation.
        let real = PreparedRun::new(&testbed_setup(), "", None).unwrap();
        assert!(real.recording_config(4.0).get("simulated").is_none());
        assert!(!real.measured_order(1, 4.0).endpoint.url.contains("seed="));
    }

    #[test]
    fn a_simulated_set_up_names_an_unknown_system_or_policy_at_its_field() {
        let mut setup = crate::plan::server::ServerPreset::Simulated.setup();
        setup.endpoint = "sim://llama-1t-abacus".into();
        setup.request.model = "fastest".into();
        let problems = setup.problems();
        let fields: Vec<&str> = problems.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["endpoint", "model"], "{problems:?}");
        assert!(
            problems[0].message.contains("llama-70b-4xa100"),
            "{problems:?}"
        );
        assert!(
            problems[1].message.contains("chunked-prefill"),
            "{problems:?}"
        );
        assert!(setup.simulated().is_none());
        assert!(PreparedRun::new(&setup, "", None).is_err());
    }

    #[test]
    fn calibration_uses_the_reported_prompt_tokens_and_falls_back_without_them() {
        let prepared = PreparedRun::new(&testbed_setup(), "", None).unwrap();
        let fallback = testbed_setup().workload.chars_per_token;
        assert_eq!(prepared.calibrated_chars_per_token(&[None, None]), fallback);
        let chars: Vec<usize> = prepared
            .plan()
            .warmup
            .iter()
            .map(|spec| request_prompt(&spec.body(), fallback).chars().count())
            .collect();
        // The server counts a token per 2.5 characters.
        let reported: Vec<Option<u64>> = chars
            .iter()
            .map(|&c| Some((c as f64 / 2.5).round() as u64))
            .collect();
        let ratio = prepared.calibrated_chars_per_token(&reported);
        assert!((ratio - 2.5).abs() < 0.05, "{ratio}");
    }

    #[test]
    fn a_set_up_with_a_problem_or_a_bad_address_is_not_prepared() {
        let mut setup = testbed_setup();
        setup.request.model.clear();
        let problem = PreparedRun::new(&setup, "", None).unwrap_err();
        assert!(problem.to_lowercase().contains("model"), "{problem}");
        let mut setup = testbed_setup();
        setup.endpoint = "not an address".into();
        assert!(PreparedRun::new(&setup, "", None).is_err());
        assert!(endpoint_check_order(&setup, "").is_err());
    }

    #[test]
    fn the_endpoint_check_asks_for_a_few_tokens_within_its_own_timeout() {
        let mut setup = testbed_setup();
        setup.timeout_seconds = 120.0;
        let order = endpoint_check_order(&setup, "").unwrap();
        assert_eq!(order.timeout_seconds, CHECK_TIMEOUT_SECONDS);
        assert_eq!(order.requests.len(), 1);
        let body: Value = serde_json::from_str(&order.requests[0].body).unwrap();
        assert_eq!(body["max_tokens"], CHECK_MAX_TOKENS);
        assert!(order.requests[0].body.contains(CHECK_PROMPT));
        assert!(
            order.endpoint.url.ends_with("/v1/chat/completions"),
            "{}",
            order.endpoint.url
        );
    }

    #[test]
    fn the_endpoint_check_asks_min_tokens_within_its_own_length() {
        let mut setup = testbed_setup();
        setup.request.min_tokens = Some(7000);
        let order = endpoint_check_order(&setup, "").unwrap();
        let body: Value = serde_json::from_str(&order.requests[0].body).unwrap();
        assert_eq!(body["min_tokens"], CHECK_MAX_TOKENS);
    }

    #[test]
    fn a_refused_body_field_stops_the_run_and_the_endpoint_check() {
        let mut setup = testbed_setup();
        setup
            .request
            .extra_body
            .insert("model".into(), "hidden-model".into());
        let problem = PreparedRun::new(&setup, "", None).unwrap_err();
        assert!(problem.contains("\"model\""), "{problem}");
        assert_eq!(endpoint_check_order(&setup, "").unwrap_err(), problem);
        // A check without a model is still made.
        let mut setup = testbed_setup();
        setup.request.model.clear();
        assert!(endpoint_check_order(&setup, "").is_ok());
    }
}
