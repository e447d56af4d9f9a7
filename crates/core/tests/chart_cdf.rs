//! Empirical CDFs: sorted, thinned to a budget of points without losing the
//! minimum, the maximum, p99 or the tail; and the key figures of a
//! distribution for a text alternative.
#![cfg(not(target_arch = "wasm32"))]

use etalon_core::present::chart::{
    distribution_summary, empirical_cdf, level_index, MIN_CDF_POINTS,
};
use proptest::prelude::*;

/// The step CDF's inverse: the first sample whose share reaches `q`.
fn read_quantile(points: &[(f64, f64)], q: f64) -> f64 {
    points.iter().find(|p| p.1 >= q - 1e-12).unwrap().0
}

fn sorted(samples: &[f64]) -> Vec<f64> {
    let mut s: Vec<f64> = samples.iter().copied().filter(|v| v.is_finite()).collect();
    s.sort_by(f64::total_cmp);
    s
}

#[test]
fn small_samples_keep_every_point() {
    let cdf = empirical_cdf(&[0.3, 0.1, 0.2, f64::NAN], 100);
    assert_eq!(cdf, vec![(0.1, 1.0 / 3.0), (0.2, 2.0 / 3.0), (0.3, 1.0)]);
    assert!(empirical_cdf(&[], 10).is_empty());
}

#[test]
fn level_index_is_the_first_sample_reaching_the_level() {
    assert_eq!(level_index(100, 0.99), 98);
    assert_eq!(level_index(100, 0.5), 49);
    assert_eq!(level_index(1000, 0.999), 998);
    assert_eq!(level_index(3, 0.5), 1);
    assert_eq!(level_index(1, 0.99), 0);
}

#[test]
fn a_long_tail_survives_thinning() {
    // 10,000 gaps around 20 ms, and 1% of stalls from 200 ms to 2 s.
    let mut samples: Vec<f64> = (0..9_900)
        .map(|i| 0.015 + (i % 100) as f64 * 1e-4)
        .collect();
    samples.extend((0..100).map(|i| 0.2 + i as f64 * 0.018));
    let full = sorted(&samples);
    let cdf = empirical_cdf(&samples, 200);
    assert!(cdf.len() <= 200);
    assert_eq!(cdf[0].0, full[0]);
    assert_eq!(cdf.last().unwrap(), &(full[full.len() - 1], 1.0));
    for q in [0.5, 0.9, 0.99, 0.999] {
        let exact = full[level_index(full.len(), q)];
        assert_eq!(read_quantile(&cdf, q), exact, "q = {q}");
    }
    // The top of the tail is drawn point by point.
    let top: Vec<f64> = cdf.iter().rev().take(4).map(|p| p.0).collect();
    assert_eq!(top, full.iter().rev().take(4).copied().collect::<Vec<_>>());
    // And the stalls' stretch is not one straight jump.
    let in_tail = cdf.iter().filter(|p| p.0 >= 0.2).count();
    assert!(in_tail >= 30, "{in_tail} points in the tail");
}

proptest! {
    #[test]
    fn thinned_cdf_keeps_its_shape(
        samples in prop::collection::vec(0.0f64..10.0, 1..3000),
        budget in 0usize..300,
    ) {
        let full = sorted(&samples);
        let n = full.len();
        let cdf = empirical_cdf(&samples, budget);
        prop_assert!(cdf.len() <= budget.max(MIN_CDF_POINTS));
        prop_assert!(cdf.len() <= n);
        prop_assert_eq!(cdf[0].0, full[0]);
        prop_assert_eq!(*cdf.last().unwrap(), (full[n - 1], 1.0));
        for w in cdf.windows(2) {
            prop_assert!(w[0].0 <= w[1].0 && w[0].1 < w[1].1);
        }
        for q in [0.5, 0.9, 0.99] {
            prop_assert_eq!(read_quantile(&cdf, q), full[level_index(n, q)]);
        }
        // Every point is a real sample at its own share.
        for &(x, share) in &cdf {
            let i = (share * n as f64).round() as usize - 1;
            prop_assert_eq!(full[i], x);
        }
    }
}

#[test]
fn summary_uses_numpys_rule() {
    let s = distribution_summary(&[4.0, 1.0, 3.0, 2.0, f64::INFINITY]).unwrap();
    assert_eq!(s.count, 4);
    assert_eq!((s.min, s.max), (1.0, 4.0));
    assert_eq!(s.p50, 2.5);
    assert!((s.p99 - 3.97).abs() < 1e-12);
    assert!(distribution_summary(&[]).is_none());
}
