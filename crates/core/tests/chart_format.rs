//! Numbers with units as a chart prints them: seconds as µs, ms or s by
//! magnitude, tokens per second, fractions and percentages; axis tick
//! labels share one unit.

use etalon_core::present::chart::{
    format_count, format_ticks, format_value, round_significant, Unit,
};

#[test]
fn seconds_pick_their_unit_by_magnitude() {
    assert_eq!(format_value(0.012, Unit::Seconds), "12 ms");
    assert_eq!(format_value(1.5, Unit::Seconds), "1.5 s");
    assert_eq!(format_value(0.00025, Unit::Seconds), "250 µs");
    assert_eq!(format_value(0.0123456, Unit::Seconds), "12.3 ms");
    assert_eq!(format_value(0.0, Unit::Seconds), "0 ms");
    assert_eq!(format_value(42.0, Unit::Seconds), "42 s");
    assert_eq!(format_value(-0.05, Unit::Seconds), "-50 ms");
}

#[test]
fn rounding_up_moves_to_the_next_unit() {
    assert_eq!(format_value(0.9996, Unit::Seconds), "1 s");
    assert_eq!(format_value(0.0009996, Unit::Seconds), "1 ms");
}

#[test]
fn rates_fractions_and_percentages() {
    assert_eq!(format_value(42.0, Unit::TokensPerSecond), "42 tok/s");
    assert_eq!(format_value(123.456, Unit::TokensPerSecond), "123 tok/s");
    assert_eq!(format_value(12_500.0, Unit::TokensPerSecond), "12.5k tok/s");
    assert_eq!(format_value(0.95, Unit::Fraction), "0.95");
    assert_eq!(format_value(1.0, Unit::Fraction), "1");
    assert_eq!(format_value(0.12, Unit::Percent), "12%");
    assert_eq!(format_value(0.0125, Unit::Percent), "1.25%");
    assert_eq!(format_value(1234.0, Unit::Count), "1234");
    assert_eq!(format_value(f64::NAN, Unit::Seconds), "–");
}

#[test]
fn significant_digits_round_as_decimals() {
    assert_eq!(round_significant(0.012345, 3), 0.0123);
    assert_eq!(round_significant(98765.0, 2), 99000.0);
    assert_eq!(round_significant(0.0, 3), 0.0);
}

#[test]
fn tick_labels_share_one_unit_and_precision() {
    let (unit, labels) = format_ticks(&[0.0, 0.05, 0.1, 0.15], Unit::Seconds, true);
    assert_eq!(unit.symbol, "ms");
    assert_eq!(labels, ["0", "50", "100", "150"]);
    let (unit, labels) = format_ticks(&[0.0, 0.5, 1.0, 1.5], Unit::Seconds, true);
    assert_eq!(unit.symbol, "s");
    assert_eq!(labels, ["0.0", "0.5", "1.0", "1.5"]);
    let (unit, labels) = format_ticks(&[0.0, 0.0002, 0.0004], Unit::Seconds, true);
    assert_eq!(unit.symbol, "µs");
    assert_eq!(labels, ["0", "200", "400"]);
    let (unit, labels) = format_ticks(&[0.0, 0.25, 0.5, 0.75, 1.0], Unit::Percent, true);
    assert_eq!(unit.symbol, "%");
    assert_eq!(labels, ["0", "25", "50", "75", "100"]);
    // Log axes: each label as short as it can be.
    let (_, labels) = format_ticks(&[0.0001, 0.001, 0.01, 0.1], Unit::Seconds, false);
    assert_eq!(labels, ["0.1", "1", "10", "100"]);
    let (_, labels) = format_ticks(&[-0.2, 0.0, 0.2], Unit::Plain, true);
    assert_eq!(labels, ["-0.2", "0.0", "0.2"]);
}

#[test]
fn counts_group_their_thousands() {
    let cases = [
        (0, "0"),
        (7, "7"),
        (999, "999"),
        (1_000, "1,000"),
        (10_000, "10,000"),
        (123_456, "123,456"),
        (10_000_000, "10,000,000"),
    ];
    for (n, text) in cases {
        assert_eq!(format_count(n), text);
    }
}
