//! Invariants of the metrics, on generated timelines: rates within [0, 1],
//! on-time timelines fully fluid, chunking that does not change what
//! arrived, quantiles ordered, and every fast path equal to the plain
//! reference walk (exact-multiple gaps and deadlines included, where float
//! rounding is most delicate).
// Native only: proptest and the file system are not there in wasm32.
#![cfg(not(target_arch = "wasm32"))]

use etalon_core::metrics::{
    deadline_miss_count, floor_div, floor_div_by, floor_div_fast, min_tbt_deadline_to_meet,
    p99_miss_rate_vs_tbt_deadline, quantile_sorted, quantile_unsorted, recording_metrics,
    run_metrics, sort_floats, DeadlineConfig, FirstToken, RequestTimeline,
    NO_DEADLINE_MEETS_TARGET,
};
use etalon_core::recording::synthetic::Rng;
use etalon_core::recording::{Chunk, Recording, RequestRecord, RECORDING_VERSION};
use proptest::prelude::*;

/// A gap: often a small multiple of a round base (exact-multiple cases),
/// sometimes 0 (several tokens in one read), sometimes any value, sometimes
/// a stall.
fn gap() -> impl Strategy<Value = f64> {
    prop_oneof![
        3 => (1u32..12, prop::sample::select(vec![0.005, 0.01, 0.025, 0.05, 0.1]))
            .prop_map(|(k, base)| k as f64 * base),
        1 => Just(0.0),
        3 => 0.0f64..0.2,
        1 => 0.2f64..3.0,
    ]
}

fn timeline(max_len: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(gap(), 0..max_len)
}

fn deadline() -> impl Strategy<Value = f64> {
    prop_oneof![
        prop::sample::select(vec![0.005, 0.01, 0.025, 0.05, 0.1, 0.3]),
        0.001f64..0.5,
    ]
}

/// The reference bisection, with the plain walk at every probe.
fn reference_search(itt: &[f64], dp: f64, target: f64, first: FirstToken) -> f64 {
    let (mut deadline, mut left, mut right) = (1e10, 0.0, 1e10);
    while right - left > 1e-4 {
        let mid = (left + right) / 2.0;
        if deadline_miss_count(itt, dp, mid, first).miss_rate() > target {
            left = mid + 1e-4;
        } else {
            deadline = mid;
            right = mid - 1e-4;
        }
    }
    deadline
}

/// The probes of the reference bisection (interval [0, 1e10], step 1e-4)
/// that answered `found`, in order. The search goes left of a probe (the
/// rate there exceeds the target) exactly when the probe lies below its
/// answer: a probe that meets the target becomes the answer and every later
/// probe lies below it, a probe that misses raises the left end past it.
/// So the answer alone replays the search, and "minimal" means, for this
/// search, which is not monotone: the rate meets the target at the answer
/// and exceeds it at every probe below, the nearest of them at most
/// 3e-4 below (the interval ends `last_left + 1e-4 .. answer - 1e-4`, at
/// most 1e-4 wide). A deadline between two probes may meet the target or
/// not (see `one_step_below_the_answer_may_meet_the_target_too`).
fn probes_answering(found: f64) -> Vec<f64> {
    let (mut left, mut right) = (0.0, 1e10);
    let mut probes = Vec::new();
    while right - left > 1e-4 {
        let mid = (left + right) / 2.0;
        probes.push(mid);
        if mid < found {
            left = mid + 1e-4;
        } else {
            right = mid - 1e-4;
        }
    }
    probes
}

/// The search is minimal among its probes, not among all deadlines: here
/// one step (1e-4) below the answer also meets the target (the rate is 0.2
/// there as at the answer), and the nearest probe below, which misses, is
/// farther down. Etalon's `find_min_tbt_deadline_to_meet` answers the same,
/// and so must this one.
#[test]
fn one_step_below_the_answer_may_meet_the_target_too() {
    let itt = [0.05, 0.03, 0.03, 0.03, 0.03];
    let found = min_tbt_deadline_to_meet(&itt, 0.1, 0.25, FirstToken::Counted);
    assert_eq!(found, 0.014110854715202285);
    let rate =
        |deadline: f64| deadline_miss_count(&itt, 0.1, deadline, FirstToken::Counted).miss_rate();
    assert_eq!(rate(found), 0.2);
    assert_eq!(rate(found - 1e-4), 0.2);
    assert_eq!(
        found,
        reference_search(&itt, 0.1, 0.25, FirstToken::Counted)
    );
    let last_left = probes_answering(found)
        .into_iter()
        .filter(|&p| p < found)
        .reduce(f64::max)
        .unwrap();
    assert!(rate(last_left) > 0.25, "{last_left}");
    assert!(found - last_left > 1e-4, "{last_left}");
}

fn timeline_of(itt: Vec<f64>) -> RequestTimeline {
    RequestTimeline {
        num_output_tokens: itt.len() as u64,
        inter_token_times: itt,
        ..Default::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn fast_floor_division_is_pythons(k in 1u32..5000, base in deadline(), ulps in -3i64..=3, any in 0.0f64..100.0) {
        let near_multiple = f64::from_bits((k as f64 * base).to_bits().wrapping_add_signed(ulps));
        for a in [near_multiple, any] {
            let want = floor_div(a, base);
            prop_assert_eq!(floor_div_fast(a, base), want);
            prop_assert_eq!(floor_div_by(a, base, 1.0 / base), want);
        }
    }

    #[test]
    fn rates_are_within_zero_and_one(itt in timeline(60), dp in deadline(), dd in deadline()) {
        let count = deadline_miss_count(&itt, dp, dd, FirstToken::Counted);
        prop_assert!(count.missed_deadlines <= count.total_deadlines);
        let fluidity = count.fluidity_index();
        prop_assert!((0.0..=1.0).contains(&fluidity), "{fluidity}");
    }

    #[test]
    fn on_time_timelines_are_fully_fluid(itt in timeline(60), dp in deadline(), dd in deadline()) {
        // Every gap within the TBT deadline, the TTFT within its own.
        let mut itt: Vec<f64> = itt.iter().map(|g| g.min(dd)).collect();
        if let Some(first) = itt.first_mut() {
            *first = first.min(dp);
        }
        let count = deadline_miss_count(&itt, dp, dd, FirstToken::Counted);
        prop_assert_eq!(count.missed_deadlines, 0);
        prop_assert_eq!(count.total_deadlines, itt.len() as u64);
        prop_assert_eq!(count.fluidity_index(), 1.0);
    }

    /// The deadline found is the bisection's minimum (see
    /// [`probes_answering`]): it meets the target (unless it is 1e10, no
    /// probe met it), every probe the search made below it misses the
    /// target, the largest of them (the search's last "left" candidate)
    /// lies at most 3 steps of 1e-4 below it, and without one the answer is
    /// at most 2 steps above 0. Both searches: first token counted and
    /// ignored.
    #[test]
    fn found_deadline_is_the_bisections_minimum(
        itt in timeline(40),
        dp in deadline(),
        target in prop_oneof![0.0f64..0.5, prop::sample::select(vec![0.0, 0.05, 0.1, 0.2, 0.25])],
    ) {
        for (dp, first) in [(dp, FirstToken::Counted), (0.0, FirstToken::Ignored)] {
            let found = min_tbt_deadline_to_meet(&itt, dp, target, first);
            let rate = |deadline: f64| deadline_miss_count(&itt, dp, deadline, first).miss_rate();
            if found != NO_DEADLINE_MEETS_TARGET {
                prop_assert!(rate(found) <= target, "rate {} at {found} > {target}", rate(found));
            }
            let probes = probes_answering(found);
            prop_assert!(found == NO_DEADLINE_MEETS_TARGET || probes.contains(&found), "{found} is no probe");
            for &probe in &probes {
                prop_assert_eq!(
                    rate(probe) > target,
                    probe < found,
                    "{:?}: probe {} (rate {}) against the answer {}", first, probe, rate(probe), found
                );
            }
            // Rounding near 1e10 (an ulp there is about 2e-6).
            let slack = 4.0 * (found * f64::EPSILON);
            match probes.iter().copied().filter(|&p| p < found).reduce(f64::max) {
                Some(last_left) => {
                    prop_assert!(rate(last_left) > target);
                    prop_assert!(found - last_left <= 3e-4 + slack, "{last_left} .. {found}");
                }
                None => prop_assert!(found <= 2e-4 + slack, "no probe below {found}"),
            }
        }
    }

    #[test]
    fn quantiles_are_ordered_and_bounded(mut values in prop::collection::vec(-10.0f64..10.0, 1..50), a in 0.0f64..=1.0, b in 0.0f64..=1.0) {
        sort_floats(&mut values);
        let (low, high) = (a.min(b), a.max(b));
        let (q_low, q_high) = (quantile_sorted(&values, low).unwrap(), quantile_sorted(&values, high).unwrap());
        prop_assert!(q_low <= q_high);
        prop_assert!(values[0] <= q_low && q_high <= values[values.len() - 1]);
        let mut shuffled: Vec<f64> = values.iter().rev().copied().collect();
        prop_assert_eq!(quantile_unsorted(&mut shuffled, high), Some(q_high));
    }

    #[test]
    fn rechunking_keeps_tokens_and_latency(
        gaps in prop::collection::vec(0.0f64..0.3, 1..80),
        cuts_a in prop::collection::vec(any::<bool>(), 80),
        cuts_b in prop::collection::vec(any::<bool>(), 80),
    ) {
        // The same token arrivals, read in two different chunkings: a chunk
        // ends where `cuts` says (and at the last token), and arrives with
        // its last token.
        let mut arrivals = Vec::new();
        let mut at = 0.0;
        for gap in &gaps {
            at += gap;
            arrivals.push(at);
        }
        let record = |cuts: &[bool]| {
            let mut chunks: Vec<Chunk> = Vec::new();
            let mut tokens = 0;
            for (i, &at) in arrivals.iter().enumerate() {
                tokens += 1;
                if cuts[i] || i + 1 == arrivals.len() {
                    chunks.push(Chunk { at, tokens, reasoning: false, server_sent_at: None });
                    tokens = 0;
                }
            }
            RequestRecord { chunks: chunks.into(), ..Default::default() }
        };
        let (a, b) = (record(&cuts_a), record(&cuts_b));
        prop_assert_eq!(a.num_output_tokens(), gaps.len() as u64);
        prop_assert_eq!(b.num_output_tokens(), gaps.len() as u64);
        let recording = |r: RequestRecord| Recording {
            version: RECORDING_VERSION,
            started_at_unix_ms: 0.0,
            config: serde_json::Value::Null,
            environment: Default::default(),
            requests: vec![r],
        };
        let config = DeadlineConfig::default();
        let (ma, mb) = (recording_metrics(&recording(a), &config), recording_metrics(&recording(b), &config));
        let (ea, eb) = (ma.requests[0].end_to_end_latency, mb.requests[0].end_to_end_latency);
        prop_assert!((ea - eb).abs() <= 1e-12 * ea.abs().max(1.0), "{ea} vs {eb}");
        prop_assert_eq!(ma.service.completed, 1);
    }
}

proptest! {
    // The fast paths against the plain walk: fewer cases, each heavier.
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn searches_equal_the_plain_search(
        timelines in prop::collection::vec(timeline(80), 1..6),
        dp in deadline(),
        target in prop::sample::select(vec![0.0, 0.05, 0.1, 0.25]),
    ) {
        let inputs: Vec<RequestTimeline> = timelines.iter().cloned().map(timeline_of).collect();
        let config = DeadlineConfig::fixed(dp, 0.05, target);
        let metrics = run_metrics(&inputs, &config);
        for (i, itt) in timelines.iter().enumerate() {
            let request = &metrics.requests[i];
            prop_assert_eq!(request.min_tbt_deadline_to_meet, reference_search(itt, dp, target, FirstToken::Counted), "request {}", i);
            prop_assert_eq!(request.decode_min_tbt_deadline, reference_search(itt, 0.0, 0.1, FirstToken::Ignored), "request {} (decode)", i);
            prop_assert_eq!(min_tbt_deadline_to_meet(itt, dp, target, FirstToken::Counted), request.min_tbt_deadline_to_meet);
            let count = deadline_miss_count(itt, dp, 0.05, FirstToken::Counted);
            prop_assert_eq!((request.missed_deadlines, request.total_deadlines), (count.missed_deadlines, count.total_deadlines));
        }
    }

    #[test]
    fn curve_equals_the_plain_quantiles(timelines in prop::collection::vec(timeline(100), 1..24)) {
        let gaps: Vec<&[f64]> = timelines.iter().map(|t| t.get(1..).unwrap_or(&[])).collect();
        let curve = p99_miss_rate_vs_tbt_deadline(&gaps);
        prop_assert_eq!(curve.len(), 100);
        for (j, point) in curve.iter().enumerate() {
            let deadline = (j + 1) as f64 * 0.001;
            let mut rates: Vec<f64> = timelines
                .iter()
                .map(|itt| deadline_miss_count(itt, 0.0, deadline, FirstToken::Ignored).miss_rate())
                .collect();
            prop_assert_eq!(point[0], deadline);
            prop_assert_eq!(Some(point[1]), quantile_unsorted(&mut rates, 0.99), "deadline {}", deadline);
        }
    }

    #[test]
    fn sorting_floats_matches_total_order(seed in any::<u64>(), len in 4096usize..6000) {
        // Large enough for the radix sort; values drawn here, not by
        // proptest (much faster), with duplicates, signs and near-equal keys.
        let mut rng = Rng::new(seed);
        let values: Vec<f64> = (0..len)
            .map(|_| match rng.next_u64() % 5 {
                0 => 0.0,
                1 => -rng.unit(),
                2 => f64::from_bits(0.02f64.to_bits() + rng.next_u64() % 8),
                _ => rng.unit() * 3.0,
            })
            .collect();
        let mut sorted = values.clone();
        sort_floats(&mut sorted);
        let mut expected = values;
        expected.sort_unstable_by(f64::total_cmp);
        prop_assert!(sorted.iter().zip(&expected).all(|(a, b)| a.to_bits() == b.to_bits()));
    }
}

#[test]
fn empty_inputs_give_valid_json() {
    let metrics = run_metrics(&[], &DeadlineConfig::default());
    let json = serde_json::to_string(&metrics).unwrap();
    let back: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(back["service"]["tpot_based_throughput"].is_null());
    assert!(back["service"]["percentiles"]["ttft"].is_null());
    assert_eq!(
        back["service"]["p99_miss_rate_vs_tbt_deadline"],
        serde_json::json!([])
    );
    let one_empty = run_metrics(&[timeline_of(vec![])], &DeadlineConfig::default());
    assert_eq!(one_empty.requests[0].deadline_miss_rate, 0.0);
    assert!(serde_json::to_string(&one_empty).is_ok());
}

#[test]
fn benchmark_figures_are_the_same_everywhere() {
    // The browser benchmark (tests/wasm_bench.rs) checks the same digest.
    let recording = etalon_core::recording::synthetic::SyntheticRun::benchmark().recording();
    let metrics = recording_metrics(&recording, &DeadlineConfig::default());
    let digest = etalon_core::metrics::figures_digest(&metrics);
    assert_eq!(
        digest,
        etalon_core::metrics::BENCHMARK_FIGURES_DIGEST,
        "{digest:#018x}"
    );
}
