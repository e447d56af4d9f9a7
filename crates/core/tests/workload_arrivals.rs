//! Arrival processes of generated plans against their distributions, with
//! fixed seeds and enough requests that the tolerances hold by a wide
//! margin (each test prints what it measured): Poisson rate within 2% and
//! CV of the gaps within 3% of 1; gamma CV within 5% of the target for CV
//! 0.5, 2 and 4 and its rate within 4%; fixed intervals exact; stops after
//! a count, a duration or both; the same seed gives the same plan and
//! another seed another.

use etalon_core::plan::workload::{plan, Arrivals, Plan, WorkloadConfig, MAX_PLANNED_REQUESTS};

fn config(arrivals: Arrivals, requests: Option<u32>, seconds: Option<f64>) -> WorkloadConfig {
    WorkloadConfig {
        arrivals,
        stop_after_requests: requests,
        stop_after_seconds: seconds,
        warmup_requests: 0,
        ..WorkloadConfig::default()
    }
}

fn plan_of(config: &WorkloadConfig, seed: u64) -> Plan {
    plan(config, seed, None).expect("a valid workload")
}

/// The gaps between arrivals of `requests` requests, from as many plans of
/// at most [`MAX_PLANNED_REQUESTS`] as it takes (seeds from `seed` on; no
/// gap spans two plans).
fn gaps_of(arrivals: &Arrivals, requests: usize, seed: u64) -> Vec<f64> {
    let mut gaps = Vec::with_capacity(requests);
    let mut part = 0;
    while gaps.len() < requests {
        let count = (requests - gaps.len() + 1).min(MAX_PLANNED_REQUESTS) as u32;
        let plan = plan_of(&config(arrivals.clone(), Some(count), None), seed + part);
        gaps.extend(plan.requests.windows(2).map(|w| w[1].at - w[0].at));
        part += 1;
    }
    gaps
}

/// Mean and coefficient of variation of `gaps`.
fn gap_stats(gaps: &[f64]) -> (f64, f64) {
    let n = gaps.len() as f64;
    let mean = gaps.iter().sum::<f64>() / n;
    let variance = gaps.iter().map(|g| (g - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, variance.sqrt() / mean)
}

#[test]
fn poisson_arrivals_have_the_asked_rate_and_a_cv_of_one() {
    for (rate, seed) in [(2.0, 1), (50.0, 2)] {
        let poisson = Arrivals::Poisson {
            requests_per_second: rate,
        };
        let (mean_gap, cv) = gap_stats(&gaps_of(&poisson, 100_000, seed));
        let measured_rate = 1.0 / mean_gap;
        println!("poisson {rate}/s, 100,000 requests: rate {measured_rate:.4}/s, gap CV {cv:.4}");
        assert!(
            (measured_rate / rate - 1.0).abs() < 0.02,
            "rate {measured_rate} for {rate}"
        );
        assert!((cv - 1.0).abs() < 0.03, "CV {cv}");
    }
}

#[test]
fn gamma_arrivals_have_the_asked_cv_and_rate() {
    // Burstier gaps have heavier tails, so their CV needs more samples to
    // settle: the counts keep the 5% bound above 4 standard errors.
    for (cv_asked, requests, seed) in [(0.5, 20_000, 3), (2.0, 50_000, 4), (4.0, 200_000, 5)] {
        let arrivals = Arrivals::Gamma {
            requests_per_second: 10.0,
            cv: cv_asked,
        };
        let (mean_gap, cv) = gap_stats(&gaps_of(&arrivals, requests, seed));
        println!(
            "gamma 10/s CV {cv_asked}, {requests} requests: rate {:.4}/s, gap CV {cv:.4} ({:+.2}%)",
            1.0 / mean_gap,
            (cv / cv_asked - 1.0) * 100.0
        );
        assert!((cv / cv_asked - 1.0).abs() < 0.05, "CV {cv} for {cv_asked}");
        assert!((mean_gap * 10.0 - 1.0).abs() < 0.04, "mean gap {mean_gap}");
    }
}

#[test]
fn fixed_intervals_are_exact_and_all_at_once_is_at_zero() {
    let plan = plan_of(
        &config(
            Arrivals::FixedInterval {
                interval_seconds: 0.1,
            },
            Some(1000),
            None,
        ),
        9,
    );
    for (i, request) in plan.requests.iter().enumerate() {
        assert_eq!(request.at, i as f64 * 0.1, "request {i}");
    }
    let plan = plan_of(&config(Arrivals::AllAtOnce, Some(50), None), 9);
    assert_eq!(plan.requests.len(), 50);
    assert!(plan.requests.iter().all(|r| r.at == 0.0));
}

#[test]
fn a_duration_stops_the_plan_and_with_a_count_whichever_comes_first() {
    let poisson = Arrivals::Poisson {
        requests_per_second: 20.0,
    };
    let plan = plan_of(&config(poisson.clone(), None, Some(500.0)), 11);
    let n = plan.requests.len() as f64;
    println!(
        "poisson 20/s for 500 s: {n} requests (expected 10,000), last at {:.3} s",
        plan.last_arrival()
    );
    assert!(plan.requests.iter().all(|r| r.at < 500.0));
    assert!((n / 10_000.0 - 1.0).abs() < 0.03, "{n} requests");
    assert!(plan.last_arrival() > 499.0);

    let count_first = plan_of(&config(poisson.clone(), Some(100), Some(500.0)), 11);
    assert_eq!(count_first.requests.len(), 100);
    let most = MAX_PLANNED_REQUESTS as u32;
    let duration_first = plan_of(&config(poisson, Some(most), Some(5.0)), 11);
    assert!(duration_first.requests.len() < 200 && duration_first.last_arrival() < 5.0);

    let fixed = plan_of(
        &config(
            Arrivals::FixedInterval {
                interval_seconds: 0.5,
            },
            None,
            Some(10.0),
        ),
        1,
    );
    assert_eq!(fixed.requests.len(), 20, "0, 0.5, ..., 9.5");
}

#[test]
fn replayed_arrivals_are_sorted_shifted_scaled_and_end_with_the_trace() {
    let arrivals = Arrivals::Replay {
        arrival_times: vec![105.0, 100.0, 101.5, 110.0],
        time_scale: 2.0,
    };
    let plan = plan_of(&config(arrivals.clone(), None, None), 0);
    let times: Vec<f64> = plan.requests.iter().map(|r| r.at).collect();
    assert_eq!(times, vec![0.0, 3.0, 10.0, 20.0]);
    assert_eq!(
        plan_of(&config(arrivals.clone(), Some(2), None), 0)
            .requests
            .len(),
        2
    );
    assert_eq!(
        plan_of(&config(arrivals, Some(100), Some(15.0)), 0)
            .requests
            .len(),
        3
    );
}

#[test]
fn the_same_seed_gives_the_same_plan_and_another_seed_another() {
    let workload = config(
        Arrivals::Gamma {
            requests_per_second: 5.0,
            cv: 3.0,
        },
        Some(500),
        None,
    );
    assert_eq!(plan_of(&workload, 42), plan_of(&workload, 42));
    assert_ne!(
        plan_of(&workload, 42).requests,
        plan_of(&workload, 43).requests
    );
}

#[test]
fn ids_count_warmups_first_and_warmups_do_not_move_the_measured_plan() {
    let mut workload = config(
        Arrivals::Poisson {
            requests_per_second: 3.0,
        },
        Some(20),
        None,
    );
    let without = plan_of(&workload, 7);
    workload.warmup_requests = 3;
    let with = plan_of(&workload, 7);
    let ids: Vec<u64> = with
        .warmup
        .iter()
        .chain(&with.requests)
        .map(|r| r.id)
        .collect();
    assert_eq!(ids, (0..23).collect::<Vec<_>>());
    assert!(with.warmup.iter().all(|r| r.warmup && r.at == 0.0));
    assert!(with.requests.iter().all(|r| !r.warmup));
    for (a, b) in without.requests.iter().zip(&with.requests) {
        assert_eq!(
            (a.at, a.prompt_tokens, a.text_variant),
            (b.at, b.prompt_tokens, b.text_variant)
        );
    }
}

#[test]
fn impossible_workloads_are_refused_with_a_sentence() {
    let cases = [
        (
            config(
                Arrivals::Poisson {
                    requests_per_second: 0.0,
                },
                Some(10),
                None,
            ),
            "above 0",
        ),
        (
            config(
                Arrivals::Poisson {
                    requests_per_second: 1.0,
                },
                None,
                None,
            ),
            "Say when the run stops",
        ),
        (
            config(Arrivals::AllAtOnce, None, Some(10.0)),
            "give a number of requests",
        ),
        (
            config(
                Arrivals::Gamma {
                    requests_per_second: 1.0,
                    cv: -1.0,
                },
                Some(5),
                None,
            ),
            "coefficient of variation",
        ),
        (
            config(
                Arrivals::Poisson {
                    requests_per_second: 1e6,
                },
                None,
                Some(10.0),
            ),
            "the most a run can hold",
        ),
        (
            config(
                Arrivals::Replay {
                    arrival_times: vec![],
                    time_scale: 1.0,
                },
                None,
                None,
            ),
            "no arrival times",
        ),
    ];
    for (workload, expected) in cases {
        let error = plan(&workload, 0, None).expect_err("refused").to_string();
        println!("{error}");
        assert!(error.contains(expected), "{error}");
        assert!(error.ends_with('.'), "{error}");
    }
}
