//! Percentile intervals: their coverage on synthetic data with a known
//! truth, one value per request and many clustered values per request, and
//! when there are too few requests to say.

use etalon_core::metrics::{quantile_interval, quantile_interval_of_values, Interval};
use etalon_core::recording::synthetic::Rng;

const TRIALS: usize = 1000;

fn exponential(rng: &mut Rng) -> f64 {
    -(1.0 - rng.unit()).ln()
}

/// The share of trials whose interval holds `truth`, and how many trials
/// gave no interval.
fn coverage(mut interval: impl FnMut(&mut Rng) -> Option<Interval>, truth: f64) -> (f64, usize) {
    let mut rng = Rng::new(7);
    let (mut held, mut none) = (0, 0);
    for _ in 0..TRIALS {
        match interval(&mut rng) {
            Some(i) if i.low <= truth && truth <= i.high => held += 1,
            Some(_) => {}
            None => none += 1,
        }
    }
    (held as f64 / TRIALS as f64, none)
}

#[test]
fn one_value_per_request_is_covered_about_95_times_in_100() {
    for q in [0.5, 0.9] {
        let truth = -(1.0f64 - q).ln();
        let (covered, none) = coverage(
            |rng| {
                let values: Vec<f64> = (0..200).map(|_| exponential(rng)).collect();
                quantile_interval_of_values(&values, q)
            },
            truth,
        );
        eprintln!("exponential, 200 values, q {q}: covered {covered}");
        assert_eq!(none, 0);
        assert!((0.92..=0.98).contains(&covered), "q {q}: {covered}");
    }
}

/// A request's gaps: its own pace (0.6 to 1.4 times 20 ms), each gap
/// 0.7 to 1.3 times that pace.
fn request_gaps(rng: &mut Rng, gaps: usize) -> Vec<f64> {
    let pace = 0.02 * rng.between(0.6, 1.4);
    (0..gaps).map(|_| pace * rng.between(0.7, 1.3)).collect()
}

#[test]
fn gaps_that_move_together_within_a_request_are_covered_too() {
    // The truth: the quantile of a very large run.
    let q = 0.5;
    let mut rng = Rng::new(1);
    let mut population: Vec<f64> = (0..1_000_000)
        .map(|_| 0.02 * rng.between(0.6, 1.4) * rng.between(0.7, 1.3))
        .collect();
    population.sort_by(f64::total_cmp);
    let truth = population[population.len() / 2];
    let run = |rng: &mut Rng| -> Vec<Vec<f64>> { (0..40).map(|_| request_gaps(rng, 50)).collect() };
    let (clustered, none) = coverage(
        |rng| {
            let requests = run(rng);
            let parts: Vec<&[f64]> = requests.iter().map(Vec::as_slice).collect();
            quantile_interval(&parts, q)
        },
        truth,
    );
    // Taken as 2,000 independent values, the same gaps give intervals far
    // too narrow: the clusters are what make the interval honest.
    let (as_independent, _) = coverage(
        |rng| quantile_interval_of_values(&run(rng).concat(), q),
        truth,
    );
    eprintln!("40 requests x 50 gaps: covered {clustered}; as independent values {as_independent}");
    assert_eq!(none, 0);
    assert!((0.91..=0.98).contains(&clustered), "{clustered}");
    assert!(as_independent < 0.6, "{as_independent}");
}

#[test]
fn too_few_requests_give_no_interval() {
    let values: Vec<f64> = (0..1000).map(|i| i as f64).collect();
    // Fewer than 10 requests.
    assert_eq!(quantile_interval_of_values(&values[..9], 0.5), None);
    assert!(quantile_interval_of_values(&values[..10], 0.5).is_some());
    // The worst 1 % of 100 requests is a single request: too few to say.
    assert_eq!(quantile_interval_of_values(&values[..100], 0.99), None);
    let p99 = quantile_interval_of_values(&values, 0.99).unwrap();
    assert!(
        p99.low < 989.01 && 989.01 < p99.high && p99.high <= 999.0,
        "{p99:?}"
    );
    // Empty requests do not count as requests.
    let empty: Vec<&[f64]> = vec![&[]; 20];
    assert_eq!(quantile_interval(&empty, 0.5), None);
}

#[test]
fn equal_values_give_an_interval_of_no_width_and_intervals_apart_say_so() {
    let same = vec![0.02; 50];
    let i = quantile_interval_of_values(&same, 0.5).unwrap();
    assert_eq!((i.low, i.high), (0.02, 0.02));
    let a = Interval {
        low: 1.0,
        high: 2.0,
    };
    let b = Interval {
        low: 2.5,
        high: 3.0,
    };
    let c = Interval {
        low: 1.5,
        high: 2.6,
    };
    assert!(a.apart_from(&b) && b.apart_from(&a));
    assert!(!a.apart_from(&c) && !c.apart_from(&b));
}
