//! The miss-rate curve's marks: the target line, the fluid rate's point
//! where the curve meets it, labels that stay inside the chart at phone
//! width.
#![cfg(not(target_arch = "wasm32"))]

use etalon_core::metrics::FLUID_TARGET_MISS_RATE;
use etalon_core::present::chart::{
    fluid_deadline, fluid_rate_sentence, line_chart_layout, miss_curve_markers, AxisSpec,
    LineShape, Marker, MarkerAxis, Series, Unit, CHAR_WIDTH,
};

/// A curve falling from 100 % at 1 ms to 0 at 100 ms, through 10 % at 25 ms.
fn curve() -> Vec<(f64, f64)> {
    (1..=100)
        .map(|i| {
            let d = f64::from(i) * 0.001;
            (d, (1.0 - (d - 0.001) / 0.0267).clamp(0.0, 1.0))
        })
        .collect()
}

fn layout(width: f64) -> etalon_core::present::chart::LineChartLayout {
    line_chart_layout(
        &[Series::new("p99 miss rate", curve())],
        &AxisSpec::new("TBT deadline", Unit::Seconds),
        &AxisSpec::new("p99 miss rate", Unit::Percent).domain(0.0, 1.0),
        LineShape::Line,
        width,
        320.0,
    )
}

#[test]
fn the_target_is_a_line_and_the_fluid_rate_a_point_on_it() {
    let markers = miss_curve_markers(Some(40.0));
    assert_eq!(markers.len(), 2);
    assert_eq!(markers[0].axis, MarkerAxis::Y);
    assert_eq!(markers[0].value, FLUID_TARGET_MISS_RATE);
    assert_eq!(markers[0].label, "target: 10 % of deadlines missed");
    assert_eq!(markers[1].axis, MarkerAxis::Point(FLUID_TARGET_MISS_RATE));
    assert!((markers[1].value - 0.025).abs() < 1e-12);
    assert_eq!(markers[1].label, "fluid rate 40.0 tokens/s");
    assert_eq!(
        fluid_rate_sentence(Some(40.0)),
        "The curve meets the 10 % target at a deadline of 25.0 ms: the fluid token \
         generation rate is 40.0 tokens/s."
    );
}

#[test]
fn a_fluid_rate_off_the_curve_has_no_point_and_says_why() {
    // 5 tokens/s: a 200 ms deadline, past the curve's 100 ms.
    assert_eq!(fluid_deadline(Some(5.0)), None);
    assert_eq!(miss_curve_markers(Some(5.0)).len(), 1);
    assert!(fluid_rate_sentence(Some(5.0)).contains("off the chart"));
    assert_eq!(miss_curve_markers(None).len(), 1);
    assert_eq!(fluid_deadline(Some(f64::NAN)), None);
    assert_eq!(fluid_deadline(Some(0.0)), None);
    assert_eq!(fluid_deadline(Some(10.0)), Some(0.1));
}

#[test]
fn the_point_sits_on_the_target_line_and_its_labels_do_not_overlap() {
    for width in [342.0, 560.0, 900.0] {
        let l = layout(width);
        let lines = l.marker_lines(&miss_curve_markers(Some(40.0)));
        assert_eq!(lines.len(), 2, "width {width}");
        let (target, point) = (&lines[0], &lines[1]);
        let (x, y) = point.dot.unwrap();
        assert!((y - target.y1).abs() < 1e-9);
        assert!((x - l.x_scale.apply(0.025)).abs() < 1e-9);
        assert_eq!(
            (point.x1, point.y2),
            (x, l.frame.bottom),
            "a line down to the axis"
        );
        // 12 px text: labels on different rows.
        assert!((point.label_y - target.label_y).abs() >= 12.0);
    }
}

#[test]
fn marker_labels_stay_inside_the_chart_at_phone_width() {
    let width = 342.0;
    let l = layout(width);
    let markers = [
        Marker::x(0.001, "your TBT deadline"),
        Marker::x(0.099, "your TBT deadline"),
        Marker::point(0.098, 0.1, "fluid rate 10.2 tokens/s"),
        Marker::point(0.002, 0.1, "fluid rate 500 tokens/s"),
    ];
    for m in l.marker_lines(&markers) {
        let w = m.label.chars().count() as f64 * CHAR_WIDTH;
        let (lo, hi) = match m.anchor {
            "start" => (m.label_x, m.label_x + w),
            _ => (m.label_x - w, m.label_x),
        };
        assert!(lo >= 0.0 && hi <= width, "{}: {lo}..{hi}", m.label);
    }
}
