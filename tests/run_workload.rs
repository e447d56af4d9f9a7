//! A planned workload carried out by the app's measurement worker in
//! headless Chromium: 200 requests with uniform output lengths at
//! concurrency 6 against the testbed give 200 records, each with exactly
//! the tokens its plan asked for, queueing in the browser kept apart from
//! server latency.

use etalon_core::plan::prepare::plan_unwritten;
use etalon_core::plan::workload::{self, LengthDistribution, RequestLengths, WorkloadConfig};
use etalon_core::wire::body::BodyWriter;
use etalon_core::wire::messages::{Endpoint, RunOrder};
use etalon_core::wire::openai::RequestSettings;
use etalon_e2e::{OpenApp, Testbed};

#[tokio::test]
async fn two_hundred_requests_at_concurrency_six_give_two_hundred_exact_records() {
    let testbed = Testbed::start(&[]).await;
    let app = OpenApp::open().await;
    let config = WorkloadConfig {
        stop_after_requests: Some(200),
        concurrency: Some(6),
        warmup_requests: 0,
        lengths: RequestLengths::Separate {
            prompt_tokens: LengthDistribution::Fixed { tokens: 32 },
            output_tokens: LengthDistribution::Uniform { min: 4, max: 16 },
        },
        ..WorkloadConfig::default()
    };
    let plan = workload::plan(&config, 7, None).unwrap();
    let settings = RequestSettings {
        model: "steady@rate=500,prefill_ms=5".into(),
        ..RequestSettings::default()
    };
    let order = RunOrder {
        run_id: 1,
        endpoint: Endpoint {
            url: format!("{}/v1/chat/completions", testbed.base_url),
            headers: vec![],
        },
        // As the app does: the worker writes each body just before sending.
        requests: plan_unwritten(&plan.requests),
        concurrency: config.concurrency,
        timeout_seconds: 30.0,
        live_text_of: None,
        writer: Some(BodyWriter {
            settings,
            chars_per_token: config.chars_per_token,
        }),
    };
    let recording = app.run(&serde_json::to_value(&order).unwrap()).await;
    let records = recording["requests"].as_array().unwrap();
    assert_eq!(records.len(), 200);
    let mut most_queued: f64 = 0.0;
    for (record, spec) in records.iter().zip(&plan.requests) {
        assert_eq!(record["id"], spec.id);
        assert!(record["error"].is_null(), "{record}");
        let counted: u64 = record["chunks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["tokens"].as_u64().unwrap())
            .sum();
        assert_eq!(
            counted,
            u64::from(spec.output_tokens),
            "request {}",
            spec.id
        );
        assert_eq!(record["output_tokens"]["count"], spec.output_tokens);
        let queued = record["sent_at"].as_f64().unwrap() - record["scheduled_at"].as_f64().unwrap();
        assert!(queued >= -1e-9, "sent before its time: {record}");
        most_queued = most_queued.max(queued);
    }
    // All 200 arrive at second 0, six at a time: later ones wait in the browser.
    assert!(most_queued > 0.1, "queueing not visible: {most_queued}");
    app.browser.close().await;
}
