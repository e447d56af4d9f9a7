//! Histogram binning: Freedman–Diaconis or a fixed count, over the data or
//! a given range (the fluidity-index's [0, 1]); every sample counted once;
//! bars on screen.
#![cfg(not(target_arch = "wasm32"))]

use etalon_core::present::chart::{histogram, histogram_layout, AxisSpec, BinRule, Unit};
use proptest::prelude::*;

#[test]
fn fixed_bins_over_the_unit_interval() {
    let h = histogram(
        &[0.0, 0.1, 0.3, 0.95, 1.0, 1.0],
        BinRule::Fixed(10),
        Some((0.0, 1.0)),
    );
    assert_eq!(h.edges.len(), 11);
    assert_eq!(h.edges[3], 0.3);
    // 0.3 is the left edge of bin 3, though 0.3 / 0.1 rounds below 3.
    assert_eq!(h.counts, vec![1, 1, 0, 1, 0, 0, 0, 0, 0, 3]);
    assert_eq!(h.total(), 6);
    assert_eq!(h.outside, 0);
}

#[test]
fn values_outside_a_given_range_are_reported_not_binned() {
    let h = histogram(
        &[-0.5, 0.5, 1.5, f64::NAN],
        BinRule::Fixed(2),
        Some((0.0, 1.0)),
    );
    assert_eq!(h.counts, vec![0, 1]);
    assert_eq!(h.outside, 2);
}

#[test]
fn freedman_diaconis_gives_nice_widths_on_the_unit_interval() {
    let samples: Vec<f64> = (0..1000)
        .map(|i| 0.5 + 0.5 * ((i as f64) / 999.0).powi(3))
        .collect();
    let h = histogram(
        &samples,
        BinRule::FreedmanDiaconis { max_bins: 50 },
        Some((0.0, 1.0)),
    );
    let width = h.edges[1] - h.edges[0];
    let bins = h.counts.len();
    assert!((2..=50).contains(&bins), "{bins} bins");
    assert!(((1.0 / width) - bins as f64).abs() < 1e-9, "width {width}");
    assert_eq!(h.total(), 1000);
}

#[test]
fn a_spike_of_identical_values_still_bins() {
    // Most requests meet every deadline: the IQR is 0.
    let mut samples = vec![1.0; 95];
    samples.extend([0.5, 0.7, 0.8, 0.9, 0.95]);
    let h = histogram(
        &samples,
        BinRule::FreedmanDiaconis { max_bins: 40 },
        Some((0.0, 1.0)),
    );
    assert_eq!(h.total(), 100);
    // Sturges' 8 bins, rounded to a width of 0.2: [0.8, 1] holds 0.8 .. 1.
    assert_eq!(h.counts.len(), 5);
    assert_eq!(*h.counts.last().unwrap(), 98);
    let single = histogram(
        &[3.0, 3.0],
        BinRule::FreedmanDiaconis { max_bins: 10 },
        None,
    );
    assert_eq!(single.total(), 2);
    let empty = histogram(&[], BinRule::FreedmanDiaconis { max_bins: 10 }, None);
    assert_eq!(empty.total(), 0);
    assert!(!empty.counts.is_empty());
}

#[test]
fn bars_stand_on_the_axis() {
    let h = histogram(
        &[0.2, 0.25, 0.9, 1.0, 1.0, 1.0],
        BinRule::Fixed(5),
        Some((0.0, 1.0)),
    );
    let x = AxisSpec::new("Fluidity-index", Unit::Fraction);
    let layout = histogram_layout(&h, &x, "Requests", 480.0, 240.0);
    assert_eq!(layout.bars.len(), 5);
    let f = layout.frame;
    for bar in &layout.bars {
        assert!((bar.y + bar.height - f.bottom).abs() < 1e-9);
        assert!(bar.x >= f.left - 1e-9 && bar.x + bar.width <= f.right + 1e-9);
    }
    let tallest = layout.bars.iter().max_by_key(|b| b.count).unwrap();
    // [0.8, 1.0] holds 0.9 and the three 1.0s.
    assert_eq!(tallest.count, 4);
    assert!(tallest.y >= f.top - 1e-9);
    // Count ticks are whole numbers.
    assert!(layout.y.ticks.iter().all(|t| t.value.fract() == 0.0));
    assert!(layout.y.ticks.iter().all(|t| !t.label.contains('.')));
    assert_eq!(layout.x.title, "Fluidity-index");
}

proptest! {
    #[test]
    fn counts_sum_to_the_number_of_samples(
        samples in prop::collection::vec(-1e3f64..1e3, 0..2000),
        bins in 1usize..60,
        fd in any::<bool>(),
    ) {
        let rule = if fd { BinRule::FreedmanDiaconis { max_bins: bins } } else { BinRule::Fixed(bins) };
        let h = histogram(&samples, rule, None);
        prop_assert_eq!(h.total(), samples.len() as u64);
        prop_assert_eq!(h.outside, 0);
        prop_assert_eq!(h.edges.len(), h.counts.len() + 1);
        prop_assert!(h.counts.len() <= bins);
        for w in h.edges.windows(2) {
            prop_assert!(w[0] < w[1]);
        }
    }

    #[test]
    fn fluidity_samples_all_land_in_the_unit_interval(
        samples in prop::collection::vec(0.0f64..=1.0, 0..2000),
        bins in 1usize..60,
    ) {
        let h = histogram(&samples, BinRule::FreedmanDiaconis { max_bins: bins }, Some((0.0, 1.0)));
        prop_assert_eq!(h.total(), samples.len() as u64);
        prop_assert_eq!(h.edges[0], 0.0);
        prop_assert_eq!(*h.edges.last().unwrap(), 1.0);
    }
}
