//! The workload config as stored in recordings and share links (its JSON
//! shape, its defaults), and the warning before a run asks for more streams
//! than a browser opens to one HTTP/1.1 host.

use etalon_core::plan::workload::{
    concurrency_warning, peak_concurrency, Arrivals, LengthDistribution, RequestLengths,
    WorkloadConfig,
};
use serde_json::json;

#[test]
fn the_config_has_a_stable_json_shape() {
    let config = WorkloadConfig {
        arrivals: Arrivals::Gamma {
            requests_per_second: 4.0,
            cv: 2.0,
        },
        stop_after_requests: Some(1000),
        stop_after_seconds: Some(120.0),
        concurrency: Some(6),
        warmup_requests: 3,
        lengths: RequestLengths::Separate {
            prompt_tokens: LengthDistribution::Zipf {
                theta: 0.6,
                min: 128,
                max: 4096,
                scramble: false,
            },
            output_tokens: LengthDistribution::Fixed { tokens: 256 },
        },
        chars_per_token: 4.0,
    };
    let shape = json!({
        "arrivals": { "kind": "gamma", "requests_per_second": 4.0, "cv": 2.0 },
        "stop_after_requests": 1000,
        "stop_after_seconds": 120.0,
        "concurrency": 6,
        "warmup_requests": 3,
        "lengths": {
            "kind": "separate",
            "prompt_tokens": { "kind": "zipf", "theta": 0.6, "min": 128, "max": 4096, "scramble": false },
            "output_tokens": { "kind": "fixed", "tokens": 256 }
        },
        "chars_per_token": 4.0
    });
    assert_eq!(serde_json::to_value(&config).unwrap(), shape);
    assert_eq!(
        serde_json::from_value::<WorkloadConfig>(shape).unwrap(),
        config
    );

    let trace: RequestLengths = serde_json::from_value(json!({
        "kind": "trace", "trace": "sharegpt_8k_filtered_stats_llama2_tokenizer.csv"
    }))
    .unwrap();
    assert_eq!(
        trace,
        RequestLengths::Trace {
            trace: "sharegpt_8k_filtered_stats_llama2_tokenizer.csv".into(),
            prefill_scale_factor: 1.0,
            decode_scale_factor: 1.0,
            max_total_tokens: 8192,
        }
    );
    let split = json!({
        "kind": "split_total",
        "total_tokens": { "kind": "uniform", "min": 128, "max": 256 },
        "prefill_to_decode_ratio": 0.5
    });
    assert!(serde_json::from_value::<RequestLengths>(split).is_ok());
    let replay = json!({ "kind": "replay", "arrival_times": [0.0, 0.5] });
    assert!(matches!(
        serde_json::from_value::<Arrivals>(replay).unwrap(),
        Arrivals::Replay { time_scale, .. } if time_scale == 1.0
    ));
}

#[test]
fn missing_fields_take_defaults_and_an_empty_config_is_a_valid_workload() {
    let config: WorkloadConfig = serde_json::from_str("{}").unwrap();
    assert_eq!(config, WorkloadConfig::default());
    assert_eq!(config.arrivals, Arrivals::AllAtOnce);
    assert_eq!(
        (
            config.stop_after_requests,
            config.concurrency,
            config.warmup_requests
        ),
        (Some(100), Some(6), 2)
    );
    assert!(config.check().is_ok());
    let uncapped: WorkloadConfig = serde_json::from_str(r#"{"concurrency": null}"#).unwrap();
    assert_eq!(uncapped.concurrency, None);
}

fn workload(arrivals: Arrivals, requests: u32, concurrency: Option<u32>) -> WorkloadConfig {
    WorkloadConfig {
        arrivals,
        stop_after_requests: Some(requests),
        concurrency,
        ..WorkloadConfig::default()
    }
}

#[test]
fn the_peak_concurrency_is_known_from_a_cap_or_a_burst() {
    let poisson = Arrivals::Poisson {
        requests_per_second: 5.0,
    };
    assert_eq!(
        peak_concurrency(&workload(Arrivals::AllAtOnce, 50, None)),
        Some(50)
    );
    assert_eq!(
        peak_concurrency(&workload(Arrivals::AllAtOnce, 50, Some(8))),
        Some(8)
    );
    assert_eq!(
        peak_concurrency(&workload(poisson.clone(), 3, Some(8))),
        Some(3)
    );
    assert_eq!(peak_concurrency(&workload(poisson, 50, None)), None);
}

#[test]
fn more_than_six_streams_to_one_http1_host_is_warned_about() {
    let url = "http://127.0.0.1:8000/v1/chat/completions";
    assert_eq!(concurrency_warning(&WorkloadConfig::default(), url), None);
    assert_eq!(
        concurrency_warning(&workload(Arrivals::AllAtOnce, 6, None), url),
        None
    );

    let plain = concurrency_warning(&workload(Arrivals::AllAtOnce, 100, Some(16)), url).unwrap();
    println!("{plain}\n");
    assert!(plain.starts_with("This run asks for up to 16 requests under way at once"));
    assert!(plain.contains("at most 6 connections to one host over HTTP/1.1"));
    assert!(plain.contains("plain http:// server is always reached over HTTP/1.1"));

    let tls = concurrency_warning(
        &workload(Arrivals::AllAtOnce, 100, Some(16)),
        "HTTPS://api.example.com/v1",
    )
    .unwrap();
    println!("{tls}\n");
    assert!(tls.contains("over HTTP/2, which browsers use only on https"));
    assert!(tls.ends_with("If the server speaks only HTTP/1.1, set a concurrency of 6 or less."));

    let uncapped = concurrency_warning(
        &workload(
            Arrivals::Poisson {
                requests_per_second: 2.0,
            },
            100,
            None,
        ),
        url,
    )
    .unwrap();
    println!("{uncapped}");
    assert!(uncapped.contains("no concurrency cap"));
    assert!(uncapped.ends_with("or serve the endpoint over https with HTTP/2."));
}
