//! Scales and ticks: round trips through a scale, nice 1-2-5 ticks that
//! cover the domain in sensible numbers, log ticks, counts that follow the
//! chart's size.
#![cfg(not(target_arch = "wasm32"))]

use etalon_core::present::chart::{
    linear_ticks, log_bounds, log_ticks, nice_step, nice_ticks, tick_target, Scale, ScaleKind,
};
use proptest::prelude::*;

fn is_nice_step(step: f64) -> bool {
    let exponent = step.log10().floor();
    let mantissa = step / 10f64.powf(exponent);
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .any(|m| (mantissa - m).abs() < 1e-9 * m)
}

#[test]
fn linear_scale_maps_ends_and_middle() {
    let s = Scale::linear((0.0, 10.0), (40.0, 440.0));
    assert_eq!(s.apply(0.0), 40.0);
    assert_eq!(s.apply(10.0), 440.0);
    assert_eq!(s.apply(5.0), 240.0);
    assert_eq!(s.invert(240.0), 5.0);
}

#[test]
fn a_y_scale_runs_upwards_on_screen() {
    let s = Scale::linear((0.0, 1.0), (200.0, 20.0));
    assert_eq!(s.apply(0.0), 200.0);
    assert_eq!(s.apply(1.0), 20.0);
    assert!((s.invert(110.0) - 0.5).abs() < 1e-12);
}

#[test]
fn log_scale_puts_decades_evenly() {
    let s = Scale::log((0.001, 1.0), (0.0, 300.0));
    assert!((s.apply(0.01) - 100.0).abs() < 1e-9);
    assert!((s.apply(0.1) - 200.0).abs() < 1e-9);
    assert!((s.invert(100.0) - 0.01).abs() < 1e-15);
    // Zero and negatives sit at the lower end instead of breaking the path.
    assert_eq!(s.apply(0.0), 0.0);
    assert_eq!(s.apply(-1.0), 0.0);
}

#[test]
fn a_log_scale_over_non_positive_values_falls_back() {
    let s = Scale::log((0.0, 2.0), (0.0, 1.0));
    assert!(s.domain.0 > 0.0 && s.domain.0 < 2.0);
    let s = Scale::log((-5.0, -1.0), (0.0, 1.0));
    assert!(s.domain.0 > 0.0 && s.domain.1 > s.domain.0);
}

#[test]
fn degenerate_domains_do_not_divide_by_zero() {
    let s = Scale::linear((3.0, 3.0), (0.0, 100.0));
    assert_eq!(s.apply(3.0), 50.0);
    let t = nice_ticks(0.25, 0.25, 5);
    assert!(t.lo < 0.25 && t.hi > 0.25, "{t:?}");
    let t = nice_ticks(0.0, 0.0, 5);
    assert!(t.lo <= 0.0 && t.hi > 0.0, "{t:?}");
}

#[test]
fn nice_ticks_for_familiar_domains() {
    assert_eq!(
        nice_ticks(0.0, 1.0, 5).values,
        vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    );
    assert_eq!(
        nice_ticks(0.0, 0.087, 5).values,
        vec![0.0, 0.02, 0.04, 0.06, 0.08, 0.1]
    );
    assert_eq!(nice_ticks(3.0, 97.0, 4).values, vec![0.0, 50.0, 100.0]);
    assert_eq!(linear_ticks(0.013, 0.087, 4), vec![0.02, 0.04, 0.06, 0.08]);
    // Multiples of a decimal step are the decimals themselves.
    assert!(nice_ticks(0.0, 0.9, 10).values.contains(&0.3));
    assert!(nice_ticks(0.0, 0.0007, 7).values.contains(&0.0003));
}

#[test]
fn log_ticks_are_decades_with_two_and_five_when_there_is_room() {
    assert_eq!(log_ticks(0.001, 1.0, 4), vec![0.001, 0.01, 0.1, 1.0]);
    assert_eq!(
        log_ticks(0.01, 1.0, 10),
        vec![0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0]
    );
    // Many decades: every other one.
    assert_eq!(log_ticks(1e-6, 1e3, 5), vec![1e-6, 1e-4, 0.01, 1.0, 100.0]);
    assert_eq!(log_bounds(0.0003, 0.7), (0.0001, 1.0));
    let s = Scale::nice(ScaleKind::Log, 0.0003, 0.7, (0.0, 1.0), 5);
    assert_eq!(s.domain, (0.0001, 1.0));
}

#[test]
fn tick_counts_follow_the_width() {
    assert_eq!(tick_target(300.0, 72.0), 4);
    assert_eq!(tick_target(1000.0, 72.0), 10);
    assert_eq!(tick_target(60.0, 72.0), 2);
    assert_eq!(tick_target(f64::NAN, 72.0), 2);
    let phone = nice_ticks(0.0, 0.25, tick_target(280.0, 72.0)).values.len();
    let desktop = nice_ticks(0.0, 0.25, tick_target(900.0, 72.0)).values.len();
    assert!(phone < desktop, "{phone} vs {desktop}");
}

proptest! {
    #[test]
    fn nice_ticks_cover_the_domain_and_are_nice(
        lo in -1e6f64..1e6,
        span in 1e-7f64..1e6,
        target in 2usize..11,
    ) {
        let hi = lo + span;
        let t = nice_ticks(lo, hi, target);
        prop_assert!(t.lo <= lo && t.hi >= hi, "{t:?} does not cover [{lo}, {hi}]");
        prop_assert!(is_nice_step(t.step.value()), "step {}", t.step.value());
        prop_assert!(t.values.len() >= 2);
        // Sensible counts: not far from what was asked.
        prop_assert!(t.values.len() <= 2 * target + 3, "{} ticks for {target}", t.values.len());
        prop_assert_eq!(t.values[0], t.lo);
        prop_assert_eq!(*t.values.last().unwrap(), t.hi);
        for w in t.values.windows(2) {
            let gap = w[1] - w[0];
            prop_assert!((gap - t.step.value()).abs() <= 1e-6 * t.step.value().max(w[1].abs() * 1e-9));
        }
    }

    #[test]
    fn steps_give_about_the_target(span in 1e-9f64..1e9, target in 1usize..12) {
        let step = nice_step(span, target).value();
        prop_assert!(is_nice_step(step));
        let intervals = span / step;
        prop_assert!(intervals <= target as f64 * (1.0 + 1e-9));
        prop_assert!(intervals > target as f64 / 5.0 - 1e-9);
    }

    #[test]
    fn linear_round_trip(d0 in -1e3f64..1e3, span in 1e-3f64..1e3, r0 in 0.0f64..500.0, r_span in -500.0f64..500.0, u in 0.0f64..1.0) {
        prop_assume!(r_span.abs() > 1.0);
        let s = Scale::linear((d0, d0 + span), (r0, r0 + r_span));
        let v = d0 + u * span;
        let back = s.invert(s.apply(v));
        prop_assert!((back - v).abs() <= 1e-9 * span.max(v.abs()), "{v} -> {back}");
    }

    #[test]
    fn log_round_trip(e0 in -7.0f64..2.0, decades in 0.5f64..6.0, u in 0.0f64..1.0) {
        let lo = 10f64.powf(e0);
        let hi = lo * 10f64.powf(decades);
        let s = Scale::log((lo, hi), (400.0, 10.0));
        let v = lo * 10f64.powf(u * decades);
        let back = s.invert(s.apply(v));
        prop_assert!((back - v).abs() <= 1e-9 * v, "{v} -> {back}");
    }

    #[test]
    fn log_ticks_lie_in_the_domain(e0 in -7.0f64..3.0, decades in 0.1f64..8.0, target in 2usize..11) {
        let lo = 10f64.powf(e0);
        let hi = lo * 10f64.powf(decades);
        let ticks = log_ticks(lo, hi, target);
        prop_assert!(ticks.len() >= 2, "{ticks:?}");
        for w in ticks.windows(2) {
            prop_assert!(w[0] < w[1]);
        }
        for t in &ticks {
            prop_assert!(*t >= lo * (1.0 - 1e-9) && *t <= hi * (1.0 + 1e-9), "{t} outside [{lo}, {hi}]");
        }
    }
}

mod negligible_spreads {
    use etalon_core::present::chart::{
        line_chart_layout, narrow_spread, negligible_spread, spread_sentence, AxisSpec, LineShape,
        ScaleKind, Series, Unit,
    };

    /// TPOTs of a steady testbed: 20.490 to 20.525 ms.
    fn tpots() -> Vec<f64> {
        (0..50)
            .map(|i| 0.020490 + 0.035e-3 * f64::from(i) / 49.0)
            .collect()
    }

    #[test]
    fn a_spread_of_a_fraction_of_a_percent_is_negligible_and_a_wide_one_is_not() {
        assert!(negligible_spread(0.020490, 0.020525));
        assert!(negligible_spread(0.1, 0.1), "equal values");
        assert!(
            negligible_spread(-2.05, -2.0),
            "negative values of one sign"
        );
        assert!(!negligible_spread(0.010, 0.030));
        assert!(!negligible_spread(0.095, 0.1), "5 % is not negligible");
        assert!(!negligible_spread(0.0, 0.0), "zero has no level");
        assert!(!negligible_spread(-1.0, 1.0), "mixed signs");
        assert!(!negligible_spread(f64::NAN, 1.0));
        assert!(!negligible_spread(2.0, 1.0), "a backwards range");
    }

    #[test]
    fn a_fitted_axis_over_a_negligible_spread_starts_at_zero() {
        let spec = AxisSpec::new("TPOT", Unit::Seconds);
        let s = spec.scale(tpots().into_iter(), (0.0, 400.0), 5);
        assert_eq!(s.domain.0, 0.0);
        assert!(
            s.domain.1 >= 0.020525 && s.domain.1 <= 0.03,
            "{:?}",
            s.domain
        );
        // All the values then sit within a pixel of each other.
        assert!(s.apply(0.020525) - s.apply(0.020490) < 1.0);
        // A log axis would magnify it as much: it becomes linear from 0.
        let log = AxisSpec::new("TPOT", Unit::Seconds).log(true);
        let s = log.scale(tpots().into_iter(), (0.0, 400.0), 5);
        assert_eq!((s.kind, s.domain.0), (ScaleKind::Linear, 0.0));
    }

    #[test]
    fn a_fitted_axis_over_a_real_spread_stays_fitted() {
        let spec = AxisSpec::new("TTFT", Unit::Seconds);
        let s = spec.scale([0.2, 0.31, 0.45].into_iter(), (0.0, 400.0), 5);
        assert!(s.domain.0 >= 0.15, "{:?}", s.domain);
        // A fixed domain is kept, however narrow the values.
        let fixed = AxisSpec::new("x", Unit::Plain).domain(20.49, 20.53);
        assert_eq!(
            fixed.scale([20.5].into_iter(), (0.0, 1.0), 5).domain,
            (20.49, 20.53)
        );
    }

    #[test]
    fn a_cdf_of_steady_tpots_is_drawn_from_zero_with_a_tick_at_zero() {
        let points: Vec<(f64, f64)> = tpots()
            .iter()
            .enumerate()
            .map(|(i, &v)| (v, (i + 1) as f64 / 50.0))
            .collect();
        let l = line_chart_layout(
            &[Series::new("TPOT", points)],
            &AxisSpec::new("TPOT", Unit::Seconds),
            &AxisSpec::new("Share", Unit::Percent).domain(0.0, 1.0),
            LineShape::Step,
            560.0,
            260.0,
        );
        assert_eq!(l.x.ticks[0].label, "0");
        assert_eq!(l.x.ticks[0].position, l.frame.left);
    }

    #[test]
    fn the_spread_is_said_in_words_from_the_median() {
        let (median, distance) = narrow_spread(tpots().into_iter()).unwrap();
        assert!((median - 0.0205075).abs() < 1e-9, "{median}");
        assert!((distance - 0.0000175).abs() < 1e-9, "{distance}");
        assert_eq!(
            spread_sentence("TPOT", median, distance, Unit::Seconds),
            "Every TPOT is within 17.5 µs of 20.5 ms (the median), too small a spread to \
             matter: the axis starts at 0 so that it does not look large."
        );
        assert_eq!(
            spread_sentence("TPOT", 0.02, 0.0, Unit::Seconds),
            "Every TPOT is 20 ms: the axis starts at 0 so that the curve shows where that lies."
        );
        assert_eq!(narrow_spread([0.1, 0.2, 0.3].into_iter()), None);
        assert_eq!(narrow_spread(std::iter::empty()), None);
        assert_eq!(
            narrow_spread([f64::NAN, 1.0, 1.01].into_iter()).map(|(m, _)| m),
            Some(1.005)
        );
    }
}
