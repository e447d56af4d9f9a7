//! Length traces: Etalon's scaling and clipping rules on hand-worked rows,
//! sampling from the shared ShareGPT trace (mean prompt and output lengths
//! of 20,000 sampled requests within 3% of the scaled, clipped trace's),
//! the built-in figures of the shared traces against their files, and a
//! sentence naming the line for every bad CSV. The traces are the app's own
//! copies in assets/traces at the repository root; a missing file fails.

use std::path::PathBuf;

use etalon_core::plan::workload::{
    arrival_times_from_csv, plan, RequestLengths, RequestTokens, Trace, WorkloadConfig,
    SHARED_TRACES,
};

fn shared_trace(file: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../assets/traces")
        .join(file);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("the shared trace {} cannot be read ({e})", path.display()))
}

fn tokens(prompt_tokens: u32, output_tokens: u32) -> RequestTokens {
    RequestTokens {
        prompt_tokens,
        output_tokens,
    }
}

#[test]
fn scaling_and_clipping_follow_etalon_step_for_step() {
    let trace = Trace::from_csv(
        "num_prefill_tokens,num_decode_tokens,num_total_tokens,pd_ratio\n\
         3000,2000,5000,1.5\n\
         100,33,133,3.03\n\
         0,0,0,0\n\
         9000,1,9001,9000\n",
    )
    .unwrap();
    assert_eq!(
        trace.scaled(1.0, 1.0, 4096),
        vec![
            // 904 over: ceil(904 * 0.6) = 543 and ceil(904 * 0.4) = 362 taken off.
            tokens(2457, 1638),
            tokens(100, 33),
            tokens(1, 1),
            // 4905 over: ceil(4905 * 9000/9001) = 4905 and ceil(4905 / 9001) = 1.
            tokens(4095, 1),
        ]
    );
    // Scaled first and truncated: 100 * 0.5 = 50, 33 * 1.5 = 49.5 -> 49.
    assert_eq!(trace.scaled(0.5, 1.5, 4096)[1], tokens(50, 49));
}

#[test]
fn sampling_the_sharegpt_trace_keeps_its_means() {
    let file = "sharegpt_8k_filtered_stats_llama2_tokenizer.csv";
    let trace = Trace::from_csv(&shared_trace(file)).unwrap();
    for (prefill_scale_factor, decode_scale_factor, max_total_tokens, seed) in
        [(1.0, 1.0, 8192, 1), (0.5, 2.0, 2048, 2)]
    {
        let rows = trace.scaled(prefill_scale_factor, decode_scale_factor, max_total_tokens);
        let mean = |f: fn(&RequestTokens) -> u32, rows: &[RequestTokens]| {
            rows.iter().map(|r| f64::from(f(r))).sum::<f64>() / rows.len() as f64
        };
        let (trace_prompt, trace_output) = (
            mean(|r| r.prompt_tokens, &rows),
            mean(|r| r.output_tokens, &rows),
        );
        let config = WorkloadConfig {
            stop_after_requests: Some(20_000),
            warmup_requests: 0,
            lengths: RequestLengths::Trace {
                trace: file.into(),
                prefill_scale_factor,
                decode_scale_factor,
                max_total_tokens,
            },
            ..WorkloadConfig::default()
        };
        let plan = plan(&config, seed, Some(&trace)).unwrap();
        let sampled: Vec<RequestTokens> = plan
            .requests
            .iter()
            .map(|r| tokens(r.prompt_tokens, r.output_tokens))
            .collect();
        let (prompt, output) = (
            mean(|r| r.prompt_tokens, &sampled),
            mean(|r| r.output_tokens, &sampled),
        );
        println!(
            "sharegpt x{prefill_scale_factor}/x{decode_scale_factor} max {max_total_tokens}: 20,000 sampled \
             prompt mean {prompt:.1} (trace {trace_prompt:.1}), output mean {output:.1} (trace {trace_output:.1})"
        );
        assert!((prompt / trace_prompt - 1.0).abs() < 0.03);
        assert!((output / trace_output - 1.0).abs() < 0.03);
        assert!(sampled
            .iter()
            .all(|r| r.prompt_tokens + r.output_tokens <= max_total_tokens));
    }
}

#[test]
fn a_plan_longer_than_the_trace_reshuffles_and_every_row_is_used_once_per_pass() {
    let trace = Trace::from_csv("num_prefill_tokens,num_decode_tokens\n1,1\n2,2\n3,3\n").unwrap();
    let lengths = RequestLengths::Trace {
        trace: "tiny".into(),
        prefill_scale_factor: 1.0,
        decode_scale_factor: 1.0,
        max_total_tokens: 100,
    };
    let config = WorkloadConfig {
        stop_after_requests: Some(9),
        warmup_requests: 0,
        lengths,
        ..WorkloadConfig::default()
    };
    let plan = plan(&config, 3, Some(&trace)).unwrap();
    for pass in plan.requests.chunks(3) {
        let mut seen: Vec<u32> = pass.iter().map(|r| r.prompt_tokens).collect();
        seen.sort();
        assert_eq!(seen, vec![1, 2, 3]);
    }
    let error = etalon_core::plan::workload::plan(&config, 3, None)
        .unwrap_err()
        .to_string();
    assert_eq!(
        error,
        "The lengths come from the trace \"tiny\", which is not loaded yet."
    );
}

#[test]
fn the_built_in_figures_match_the_shared_files() {
    for shared in SHARED_TRACES {
        let summary = Trace::from_csv(&shared_trace(shared.file))
            .unwrap()
            .summary();
        println!("{}: {summary:?}", shared.name);
        assert_eq!(summary.requests, shared.requests, "{}", shared.file);
        assert!((summary.mean_prefill_tokens - shared.mean_prefill_tokens).abs() < 0.01);
        assert!((summary.mean_decode_tokens - shared.mean_decode_tokens).abs() < 0.01);
        assert_eq!(summary.max_total_tokens, f64::from(shared.max_total_tokens));
    }
}

#[test]
fn a_bad_csv_gets_a_sentence_naming_the_line() {
    let cases = [
        ("", "The length trace is empty."),
        (
            "prefill,decode\n1,2\n",
            "The length trace has no column named num_prefill_tokens: its first line should name the \
             columns, as in \"num_prefill_tokens,num_decode_tokens\" (found \"prefill,decode\").",
        ),
        (
            "num_prefill_tokens,num_decode_tokens\n10,5\n\n12,abc\n",
            "Line 4 of the length trace: num_decode_tokens is \"abc\", which is not a number of 0 or more.",
        ),
        (
            "num_prefill_tokens,num_decode_tokens\n-3,5\n",
            "Line 2 of the length trace: num_prefill_tokens is \"-3\", which is not a number of 0 or more.",
        ),
        ("num_prefill_tokens,num_decode_tokens\n10\n", "Line 2 of the length trace has 1 fields, so no value for num_decode_tokens."),
        ("num_prefill_tokens,num_decode_tokens\n", "The length trace names its columns but has no requests."),
    ];
    for (text, sentence) in cases {
        assert_eq!(Trace::from_csv(text).unwrap_err().to_string(), sentence);
    }
    // Columns in another order, quoted numbers and \r\n line ends are fine.
    let trace =
        Trace::from_csv("pd_ratio,num_decode_tokens,num_prefill_tokens\r\n2,\"5\",10\r\n").unwrap();
    assert_eq!(trace.scaled(1.0, 1.0, 100), vec![tokens(10, 5)]);
}

#[test]
fn arrival_times_are_read_from_csv() {
    assert_eq!(
        arrival_times_from_csv("arrival_time\n0.5\n1.25\n").unwrap(),
        vec![0.5, 1.25]
    );
    assert_eq!(
        arrival_times_from_csv("id,arrived_at\n1,3\n2,4\n").unwrap(),
        vec![3.0, 4.0]
    );
    assert_eq!(
        arrival_times_from_csv("arrival_time\nsoon\n").unwrap_err().to_string(),
        "Line 2 of the arrival trace: arrival_time is \"soon\", which is not a number of 0 or more."
    );
}
