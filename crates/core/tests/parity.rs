//! Parity with the Etalon reference implementation: reproduces every figure
//! of the golden vectors (`ETALON_PARITY_FILE`, else
//! `tests/data/etalon_parity.json`) within the tolerances of
//! docs/METRICS.md: counts exact, miss rates 1e-12 absolute,
//! deadlines and service figures 1e-9 relative. Every failing figure is
//! reported with its index; a missing file fails the test.
// Native only: reads a file.
#![cfg(not(target_arch = "wasm32"))]

use etalon_core::metrics::{
    deadline_miss_count, min_tbt_deadline_to_meet, p99_miss_rate_vs_tbt_deadline, request_metrics,
    run_metrics, sort_floats, tbt_based_throughput, tpot_based_throughput, DeadlineConfig,
    FirstToken, RequestTimeline, FLUID_TARGET_MISS_RATE,
};
use serde_json::Value;
use std::path::PathBuf;

fn golden_path() -> PathBuf {
    match std::env::var_os("ETALON_PARITY_FILE") {
        Some(path) => PathBuf::from(path),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/etalon_parity.json"),
    }
}

fn load() -> Value {
    let path = golden_path();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "the parity vectors {} cannot be read ({e}); set ETALON_PARITY_FILE",
            path.display()
        )
    });
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("the parity vectors {} are not JSON: {e}", path.display()))
}

fn floats(value: &Value) -> Vec<f64> {
    value
        .as_array()
        .expect("a list of numbers")
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect()
}

fn number(value: &Value, key: &str) -> f64 {
    value[key]
        .as_f64()
        .unwrap_or_else(|| panic!("`{key}` is not a number"))
}

/// Collects readable failures instead of stopping at the first.
#[derive(Default)]
struct Failures(Vec<String>);

impl Failures {
    fn exact(&mut self, what: String, got: u64, want: u64) {
        if got != want {
            self.0.push(format!("{what}: got {got}, want {want}"));
        }
    }

    fn absolute(&mut self, what: String, got: f64, want: f64, tolerance: f64) {
        let within = (got - want).abs() <= tolerance; // false for NaN
        if !within {
            self.0.push(format!(
                "{what}: got {got:e}, want {want:e} (abs tolerance {tolerance:e})"
            ));
        }
    }

    fn relative(&mut self, what: String, got: f64, want: f64) {
        let within = (got - want).abs() <= 1e-9 * want.abs().max(f64::MIN_POSITIVE);
        if !within {
            self.0.push(format!(
                "{what}: got {got:e}, want {want:e} (rel tolerance 1e-9)"
            ));
        }
    }

    fn assert_none(self, checked: usize) {
        assert!(
            self.0.is_empty(),
            "{} of {checked} figures differ from the reference:\n{}",
            self.0.len(),
            self.0.join("\n")
        );
    }
}

#[test]
fn request_figures_match_the_reference() {
    let golden = load();
    let requests = golden["requests"].as_array().expect("`requests` is a list");
    assert!(!requests.is_empty(), "the parity file holds no request");
    let mut failures = Failures::default();
    for (i, request) in requests.iter().enumerate() {
        let itt = floats(&request["inter_token_times"]);
        let ttft_deadline = number(request, "ttft_deadline");
        let tbt_deadline = number(request, "tbt_deadline");
        let target = number(request, "target_deadline_miss_rate");
        let expected = &request["expected"];

        let count = deadline_miss_count(&itt, ttft_deadline, tbt_deadline, FirstToken::Counted);
        let want_missed = expected["missed_deadlines"].as_u64().unwrap();
        let want_total = expected["total_deadlines"].as_u64().unwrap();
        failures.exact(
            format!("requests[{i}].missed_deadlines"),
            count.missed_deadlines,
            want_missed,
        );
        failures.exact(
            format!("requests[{i}].total_deadlines"),
            count.total_deadlines,
            want_total,
        );
        let want_rate = number(expected, "deadline_miss_rate");
        failures.absolute(
            format!("requests[{i}].deadline_miss_rate"),
            count.miss_rate(),
            want_rate,
            1e-12,
        );

        let want_deadline = number(expected, "min_tbt_deadline_to_meet");
        let deadline = min_tbt_deadline_to_meet(&itt, ttft_deadline, target, FirstToken::Counted);
        failures.relative(
            format!("requests[{i}].min_tbt_deadline_to_meet"),
            deadline,
            want_deadline,
        );

        // The same figures through the full per-request evaluation, which
        // walks its two searches side by side.
        let timeline = RequestTimeline {
            num_output_tokens: itt.len() as u64,
            inter_token_times: itt,
            ..Default::default()
        };
        let config = DeadlineConfig::fixed(ttft_deadline, tbt_deadline, target);
        let full = request_metrics(&timeline, &config);
        failures.exact(
            format!("requests[{i}] (full).missed_deadlines"),
            full.missed_deadlines,
            want_missed,
        );
        failures.exact(
            format!("requests[{i}] (full).total_deadlines"),
            full.total_deadlines,
            want_total,
        );
        failures.relative(
            format!("requests[{i}] (full).min_tbt_deadline_to_meet"),
            full.min_tbt_deadline_to_meet,
            want_deadline,
        );
    }
    failures.assert_none(requests.len() * 9);
}

#[test]
fn service_figures_match_the_reference() {
    let golden = load();
    let service = &golden["service"];
    let tbt: Vec<Vec<f64>> = service["tbt"]
        .as_array()
        .expect("`service.tbt` is a list")
        .iter()
        .map(floats)
        .collect();
    let expected = &service["expected"];
    let mut failures = Failures::default();

    // From the TBT lists directly.
    let tpots: Vec<f64> = tbt
        .iter()
        .map(|gaps| gaps.iter().sum::<f64>() / gaps.len() as f64)
        .collect();
    let tpot_based = tpot_based_throughput(&tpots).unwrap_or(f64::NAN);
    let want_tpot_based = number(expected, "tpot_based_throughput");
    failures.relative("tpot_based_throughput".into(), tpot_based, want_tpot_based);
    let mut all_gaps: Vec<f64> = tbt.concat();
    sort_floats(&mut all_gaps);
    let tbt_based = tbt_based_throughput(&all_gaps).unwrap_or(f64::NAN);
    let want_tbt_based = number(expected, "tbt_based_throughput");
    failures.relative("tbt_based_throughput".into(), tbt_based, want_tbt_based);
    let mut decode_deadlines: Vec<f64> = tbt
        .iter()
        .map(|gaps| {
            let itt: Vec<f64> = std::iter::once(0.0).chain(gaps.iter().copied()).collect();
            min_tbt_deadline_to_meet(&itt, 0.0, FLUID_TARGET_MISS_RATE, FirstToken::Ignored)
        })
        .collect();
    let fluid = etalon_core::metrics::fluid_token_generation_rate(&mut decode_deadlines)
        .unwrap_or(f64::NAN);
    let want_fluid = number(expected, "fluid_token_generation_rate");
    failures.relative("fluid_token_generation_rate".into(), fluid, want_fluid);
    let gap_lists: Vec<&[f64]> = tbt.iter().map(Vec::as_slice).collect();
    let curve = p99_miss_rate_vs_tbt_deadline(&gap_lists);
    let want_curve = expected["p99_miss_rate_vs_tbt_deadline"]
        .as_array()
        .unwrap();
    assert_eq!(
        curve.len(),
        want_curve.len(),
        "points of the p99 miss rate curve"
    );
    let check_curve = |failures: &mut Failures, label: &str, curve: &[[f64; 2]]| {
        for (j, (got, want)) in curve.iter().zip(want_curve).enumerate() {
            let want = floats(want);
            failures.relative(format!("{label}[{j}].tbt_deadline"), got[0], want[0]);
            failures.relative(format!("{label}[{j}].p99_miss_rate"), got[1], want[1]);
        }
    };
    check_curve(&mut failures, "p99_miss_rate_vs_tbt_deadline", &curve);

    // The same figures through the full evaluation of timelines [0] + tbt.
    let timelines: Vec<RequestTimeline> = tbt
        .iter()
        .map(|gaps| {
            let itt: Vec<f64> = std::iter::once(0.0).chain(gaps.iter().copied()).collect();
            RequestTimeline {
                num_output_tokens: itt.len() as u64,
                inter_token_times: itt,
                ..Default::default()
            }
        })
        .collect();
    let full = run_metrics(&timelines, &DeadlineConfig::default()).service;
    failures.relative(
        "(full) tpot_based_throughput".into(),
        full.tpot_based_throughput.unwrap_or(f64::NAN),
        want_tpot_based,
    );
    failures.relative(
        "(full) tbt_based_throughput".into(),
        full.tbt_based_throughput.unwrap_or(f64::NAN),
        want_tbt_based,
    );
    failures.relative(
        "(full) fluid_token_generation_rate".into(),
        full.fluid_token_generation_rate.unwrap_or(f64::NAN),
        want_fluid,
    );
    check_curve(
        &mut failures,
        "(full) p99_miss_rate_vs_tbt_deadline",
        &full.p99_miss_rate_vs_tbt_deadline,
    );
    failures.assert_none(6 + 4 * want_curve.len());
}
