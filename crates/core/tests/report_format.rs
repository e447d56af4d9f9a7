//! Number formats and the explanations of the report: units by magnitude,
//! three significant digits, shares that never round to 0 % or 100 %,
//! durations, raw values that read back exactly, and one plain sentence
//! per metric.

use etalon_core::present::report::*;

#[test]
fn seconds_pick_their_unit_after_rounding() {
    assert_eq!(format_seconds(0.000_85), "850 µs");
    assert_eq!(format_seconds(0.042_31), "42.3 ms");
    assert_eq!(format_seconds(0.23), "230 ms");
    assert_eq!(format_seconds(0.005_123), "5.12 ms");
    assert_eq!(format_seconds(1.2449), "1.24 s");
    assert_eq!(format_seconds(0.9997), "1.00 s");
    assert_eq!(format_seconds(0.000_999_9), "1.00 ms");
    assert_eq!(format_seconds(125.0), "125 s");
    assert_eq!(format_seconds(0.0), "0 ms");
    assert_eq!(format_seconds(f64::NAN), NO_FIGURE);
    assert_eq!(format_seconds(f64::INFINITY), NO_FIGURE);
}

#[test]
fn rates_and_significant_digits() {
    assert_eq!(format_rate(42.345), "42.3 tokens/s");
    assert_eq!(format_rate(1234.0), "1234 tokens/s");
    assert_eq!(format_rate(0.5), "0.500 tokens/s");
    assert_eq!(significant(-0.012_34, 3), "-0.0123");
    assert_eq!(significant(99.96, 3), "100");
    assert_eq!(significant(0.0, 3), "0");
}

#[test]
fn shares_never_claim_all_or_nothing_falsely() {
    assert_eq!(format_share(1.0), "100 %");
    assert_eq!(format_share(0.0), "0 %");
    assert_eq!(format_share(0.973), "97.3 %");
    assert_eq!(format_share(0.9999), "> 99.9 %");
    assert_eq!(format_share(0.0001), "< 0.1 %");
    assert_eq!(format_share(0.5), "50.0 %");
}

#[test]
fn durations_of_a_run() {
    assert_eq!(format_duration(8.4), "8 s");
    assert_eq!(format_duration(65.0), "1 min 05 s");
    assert_eq!(format_duration(3725.0), "1 h 02 min");
    assert_eq!(format_duration(-1.0), NO_FIGURE);
}

#[test]
fn raw_values_read_back_exactly() {
    for v in [0.1, 1.0 / 3.0, 1e-7, 123_456.789, 0.0] {
        let text = raw_value(Some(v));
        assert_eq!(text.parse::<f64>().unwrap(), v, "{text}");
    }
    assert_eq!(raw_value(None), "");
    assert_eq!(raw_value(Some(f64::NAN)), "");
}

#[test]
fn every_metric_has_one_plain_sentence() {
    let all = [
        Metric::Ttft,
        Metric::Tbt,
        Metric::Tpot,
        Metric::NormalizedLatency,
        Metric::EndToEndLatency,
        Metric::OutputThroughput,
        Metric::FluidityIndex,
        Metric::FluidRate,
        Metric::DeadlineMiss,
        Metric::DeadlineMissRate,
        Metric::Stall,
        Metric::ErrorRate,
        Metric::TimeToFirstVisibleToken,
        Metric::MinTbtDeadline,
        Metric::Throughput,
        Metric::Goodput,
    ];
    for metric in all {
        let sentence = metric.explanation();
        assert!(sentence.ends_with('.'), "{metric:?}: {sentence}");
        assert_eq!(
            sentence.matches(". ").count(),
            0,
            "{metric:?} has more than one sentence: {sentence}"
        );
        assert!(sentence.len() < 200, "{metric:?} is too long: {sentence}");
        // Plain words: no jargon abbreviation inside the explanation.
        for jargon in [
            "TTFT",
            "TBT",
            "TPOT",
            "SLO",
            "p99",
            "quantile",
            "percentile",
        ] {
            assert!(!sentence.contains(jargon), "{metric:?} says {jargon}");
        }
        assert!(!metric.name().is_empty() && !metric.short_name().is_empty());
    }
    assert!(TOKEN_EXPLANATION.contains("piece of a word"));
}

#[test]
fn units_format_their_values() {
    assert_eq!(Metric::Ttft.unit().format(0.25), "250 ms");
    assert_eq!(Metric::FluidRate.unit().format(42.0), "42.0 tokens/s");
    assert_eq!(Metric::FluidityIndex.unit().format(0.95), "95.0 %");
    assert_eq!(Unit::Count.format(12.0), "12.0");
}

#[test]
fn deadline_fields_read_and_parse() {
    use etalon_core::metrics::DeadlineConfig;
    assert_eq!(seconds_text(0.05), "0.05");
    assert_eq!(seconds_text(0.2), "0.2");
    assert_eq!(seconds_text(1.0), "1");
    assert_eq!(seconds_text(0.0), "0");
    assert_eq!(percent_text(0.1), "10");
    assert_eq!(percent_text(0.025), "2.5");
    assert_eq!(parse_seconds(" 0.005 ", false), Ok(0.005));
    assert!(parse_seconds("0", false).is_err());
    assert_eq!(parse_seconds("0", true), Ok(0.0));
    assert!(parse_seconds("-1", true).is_err());
    assert!(parse_seconds("fast", true).unwrap_err().contains("seconds"));
    assert_eq!(parse_percent("10 %"), Ok(0.1));
    assert!(parse_percent("120").is_err());

    let config = DeadlineConfig::fixed(0.2, 0.05, 0.1);
    let field = ttft_field(&config);
    assert_eq!((field.label, field.seconds), ("TTFT deadline", 0.2));
    assert_eq!(
        with_ttft_field(&config, 0.3),
        DeadlineConfig::fixed(0.3, 0.05, 0.1)
    );
    assert_eq!(
        with_tbt_deadline(&config, 0.01),
        DeadlineConfig::fixed(0.2, 0.01, 0.1)
    );
    assert_eq!(
        with_target_miss_rate(&config, 0.2),
        DeadlineConfig::fixed(0.2, 0.05, 0.2)
    );
    let prefill: DeadlineConfig = serde_json::from_str(
        r#"{"ttft_deadline": {"prefill_model": {"coefficients": [0.02, 0.001]}, "slack": 0.05},
            "tbt_deadline": 0.05, "target_miss_rate": 0.1}"#,
    )
    .unwrap();
    let field = ttft_field(&prefill);
    assert_eq!(field.seconds, 0.05);
    assert!(field.label.contains("slack"));
    let moved = with_ttft_field(&prefill, 0.1);
    assert!((moved.ttft_deadline_for(Some(100)) - 0.22).abs() < 1e-12);
}

#[test]
fn deadline_sliders_are_on_a_log_scale() {
    use etalon_core::present::report::{log_slider_position, log_slider_seconds};
    // 10 ms to 10 s: 100 ms a third of the way, 1 s two thirds.
    assert_eq!(log_slider_position(0.1, 0.01, 10.0), 333.0);
    assert_eq!(log_slider_position(1.0, 0.01, 10.0), 667.0);
    assert_eq!(log_slider_position(50.0, 0.01, 10.0), 1000.0);
    assert_eq!(log_slider_position(0.0, 0.01, 10.0), 0.0);
    assert_eq!(log_slider_seconds(333.0, 0.01, 10.0), 0.1);
    assert_eq!(log_slider_seconds(0.0, 0.01, 10.0), 0.01);
    assert_eq!(log_slider_seconds(1000.0, 0.01, 10.0), 10.0);
    // Every step lands on a value whose own position is that step or next to it.
    for step in 0..=1000 {
        let seconds = log_slider_seconds(step as f64, 0.001, 0.5);
        let back = log_slider_position(seconds, 0.001, 0.5);
        assert!(
            (back - step as f64).abs() <= 9.0,
            "{step} -> {seconds} -> {back}"
        );
    }
}
