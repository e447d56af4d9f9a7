//! The app against a real LLM server we did not write: llama.cpp's
//! llama-server with a small model (gemma-3 270M, Q4_K_M), on CPU. Twenty
//! requests with prompts of 100 to 1,000 tokens and 64 output tokens, at
//! concurrency 1 and 2, measured by the app's worker in headless Chromium.
//! Needs scripts/bootstrap-llama (scripts/test runs it).

use etalon_core::plan::prepare::plan_bodies;
use etalon_core::plan::workload::{
    self, CalibrationSample, LengthDistribution, RequestLengths, WorkloadConfig,
};
use etalon_core::wire::body::{request_prompt, BodyWriter};
use etalon_core::wire::messages::{Endpoint, PlannedRequest, RunOrder};
use etalon_core::wire::openai::RequestSettings;
use etalon_e2e::{LlamaServer, OpenApp};
use serde_json::Value;

fn writer(chars_per_token: f64) -> BodyWriter {
    BodyWriter {
        settings: settings(),
        chars_per_token,
    }
}

fn settings() -> RequestSettings {
    RequestSettings {
        model: "gemma-3-270m".into(),
        ignore_eos: true,
        temperature: Some(0.0),
        ..RequestSettings::default()
    }
}

fn order(url: &str, requests: Vec<PlannedRequest>, concurrency: u32) -> Value {
    serde_json::to_value(RunOrder {
        run_id: 1,
        endpoint: Endpoint {
            url: url.into(),
            headers: vec![],
        },
        requests,
        concurrency: Some(concurrency),
        timeout_seconds: 120.0,
        live_text_of: None,
        writer: None,
    })
    .unwrap()
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// Spearman's rank correlation (no ties expected).
fn rank_correlation(pairs: &[(f64, f64)]) -> f64 {
    let rank = |key: &dyn Fn(&(f64, f64)) -> f64| {
        let mut order: Vec<usize> = (0..pairs.len()).collect();
        order.sort_by(|&a, &b| key(&pairs[a]).total_cmp(&key(&pairs[b])));
        let mut ranks = vec![0.0; pairs.len()];
        for (rank, &i) in order.iter().enumerate() {
            ranks[i] = rank as f64;
        }
        ranks
    };
    let (x, y) = (rank(&|p| p.0), rank(&|p| p.1));
    let n = pairs.len() as f64;
    let d2: f64 = x.iter().zip(&y).map(|(a, b)| (a - b).powi(2)).sum();
    1.0 - 6.0 * d2 / (n * (n * n - 1.0))
}

#[tokio::test]
async fn llama_server_measured_in_the_browser_agrees_with_its_own_timings() {
    let server = LlamaServer::start(2).await;
    let app = OpenApp::open().await;
    let url = format!("{}/v1/chat/completions", server.base_url);

    // Warm up and calibrate characters per token, as the app does.
    let config = WorkloadConfig {
        stop_after_requests: Some(20),
        warmup_requests: 1,
        lengths: RequestLengths::Separate {
            prompt_tokens: LengthDistribution::Uniform {
                min: 100,
                max: 1000,
            },
            output_tokens: LengthDistribution::Fixed { tokens: 64 },
        },
        ..WorkloadConfig::default()
    };
    let plan = workload::plan(&config, 3, None).unwrap();
    let warmup = app
        .run(&order(&url, plan_bodies(&plan.warmup, &writer(4.0)), 1))
        .await;
    let reported = warmup["requests"][0]["prompt_tokens"]["count"]
        .as_u64()
        .expect("llama-server reports prompt tokens");
    let chars = request_prompt(&plan.warmup[0].body(), 4.0).chars().count();
    let chars_per_token = workload::calibrate(&[CalibrationSample {
        chars_sent: chars,
        prompt_tokens_reported: reported,
    }]);
    println!("calibrated {chars_per_token:.2} characters per token");

    for concurrency in [1, 2] {
        let bodies = plan_bodies(&plan.requests, &writer(chars_per_token));
        let recording = app.run(&order(&url, bodies, concurrency)).await;
        let records = recording["requests"].as_array().unwrap();
        assert_eq!(records.len(), 20);
        let (mut browser_tpot, mut server_tpot, mut ttft_by_prompt) = (vec![], vec![], vec![]);
        for record in records {
            assert!(
                record["error"].is_null(),
                "concurrency {concurrency}: {record}"
            );
            let counted: u64 = record["chunks"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["tokens"].as_u64().unwrap())
                .sum();
            assert_eq!(record["output_tokens"]["source"], "server", "{record}");
            assert_eq!(
                counted,
                record["output_tokens"]["count"].as_u64().unwrap(),
                "{record}"
            );
            assert_eq!(counted, 64, "ignore_eos should give 64 tokens: {record}");
            let chunks = record["chunks"].as_array().unwrap();
            let first = chunks[0]["at"].as_f64().unwrap();
            let last = chunks.last().unwrap()["at"].as_f64().unwrap();
            browser_tpot.push((last - first) / (counted - 1) as f64);
            let timings = &record["server_timings"];
            server_tpot.push(
                timings["predicted_per_token_ms"]
                    .as_f64()
                    .expect("llama-server timings")
                    / 1000.0,
            );
            ttft_by_prompt.push((record["prompt_tokens"]["count"].as_f64().unwrap(), first));
        }
        let (browser, server) = (median(browser_tpot), median(server_tpot));
        let correlation = rank_correlation(&ttft_by_prompt);
        println!(
            "concurrency {concurrency}: TPOT browser {:.2} ms, server {:.2} ms ({:+.1} %); TTFT vs prompt rank correlation {correlation:.2}",
            browser * 1e3,
            server * 1e3,
            100.0 * (browser - server) / server
        );
        assert!(
            (browser - server).abs() <= 0.15 * server,
            "TPOT browser {browser} vs server {server}"
        );
        if concurrency == 1 {
            assert!(
                correlation > 0.6,
                "TTFT does not grow with the prompt: {ttft_by_prompt:?}"
            );
        }
    }
    app.browser.close().await;
}

/// The app as a user drives it against llama-server: the results show the
/// server's own account (prefill and per-token times, usage) beside the
/// browser's figures.
#[tokio::test]
async fn the_results_show_what_llama_server_says_about_itself() {
    let server = LlamaServer::start(2).await;
    let app = OpenApp::open().await;
    let browser = &app.browser;
    browser
        .fill_all(&[
            ("setup-endpoint", &server.base_url),
            ("setup-model", "gemma-3-270m"),
            ("setup-requests", "4"),
            ("setup-concurrency", "2"),
            ("setup-warmup", "1"),
            ("setup-prompt-tokens", "200"),
            ("setup-output-tokens", "32"),
        ])
        .await;
    browser.click("setup-run").await;
    browser
        .wait_for_testid("run-see-results", std::time::Duration::from_secs(180))
        .await;
    browser.click("run-see-results").await;
    browser
        .wait_for_testid("server-account-tpot", std::time::Duration::from_secs(30))
        .await;
    browser.screenshot("results-llama-server").await;
    let value = |row: &str, cell: usize| {
        let script = format!(
            "Number(document.querySelectorAll('[data-testid=server-account-{row}] td')[{cell}].dataset.value)"
        );
        async move { browser.eval(&script).await.as_f64().unwrap() }
    };
    let (ttft, prefill) = (value("ttft", 0).await, value("ttft", 1).await);
    let (tpot, decode) = (value("tpot", 0).await, value("tpot", 1).await);
    println!(
        "results view: TTFT {:.1} ms against prefill {:.1} ms; TPOT {:.2} ms against decode {:.2} ms",
        ttft * 1e3,
        prefill * 1e3,
        tpot * 1e3,
        decode * 1e3
    );
    assert!(
        prefill > 0.0 && ttft > prefill,
        "TTFT {ttft} vs prefill {prefill}"
    );
    assert!(
        (tpot - decode).abs() <= 0.15 * decode,
        "TPOT {tpot} vs decode {decode}"
    );
    let text = browser
        .eval("document.querySelector('[data-testid=server-account]').textContent")
        .await;
    assert!(
        text.as_str().unwrap().contains("The server reported"),
        "usage is not set against the count: {text}"
    );
    app.browser.close().await;
}
