//! SVG path strings and line-chart layouts: polylines, CDF steps, gathered
//! ticks and rectangles; series inside the plot area, ticks on the axes,
//! the point under a pointer, and the key points of a text alternative.

use etalon_core::present::chart::{
    coord, key_points, line_chart_layout, markers_path, nearest_point, polyline_path, rects_path,
    series_style, step_path, subpath_count, ticks_path, AxisSpec, LineShape, Series, Unit,
};

#[test]
fn coordinates_have_at_most_two_decimals() {
    assert_eq!(coord(1.0), "1");
    assert_eq!(coord(1.5), "1.5");
    assert_eq!(coord(1.23456), "1.23");
    assert_eq!(coord(-0.001), "0");
    assert_eq!(coord(-2.5), "-2.5");
}

#[test]
fn polyline_moves_then_draws() {
    let d = polyline_path(&[(0.0, 10.0), (5.0, 7.5), (10.0, 0.0)]);
    assert_eq!(d, "M0,10L5,7.5L10,0");
}

#[test]
fn polyline_breaks_at_gaps_and_skips_repeats() {
    let d = polyline_path(&[
        (0.0, 0.0),
        (0.0, 0.0),
        (1.0, 1.0),
        (f64::NAN, 2.0),
        (3.0, 3.0),
        (4.0, 4.0),
    ]);
    assert_eq!(d, "M0,0L1,1M3,3L4,4");
    assert_eq!(subpath_count(&d), 2);
    assert_eq!(polyline_path(&[]), "");
}

#[test]
fn step_path_holds_each_value_until_the_next_point() {
    let d = step_path(&[(10.0, 90.0), (20.0, 60.0), (40.0, 30.0)], Some(100.0));
    assert_eq!(d, "M10,100V90H20V60H40V30");
    let d = step_path(&[(10.0, 90.0), (10.0, 80.0), (20.0, 80.0)], None);
    assert_eq!(d, "M10,90V80H20");
    assert_eq!(step_path(&[], Some(1.0)), "");
}

#[test]
fn gathered_marks_make_one_path() {
    let d = ticks_path([1.0, 2.5, f64::NAN], 0.0, 10.0);
    assert_eq!(d, "M1,0V10M2.5,0V10");
    let d = rects_path([(0.0, 0.0, 2.0, 3.0), (5.0, 1.0, 0.0, 3.0)]);
    assert_eq!(d, "M0,0h2v3h-2Z");
    let d = markers_path([4.0], 10.0, 6.0);
    assert_eq!(d, "M4,10l-3,-6h6Z");
}

fn two_series() -> Vec<Series> {
    vec![
        Series::new(
            "run A",
            vec![(0.001, 0.1), (0.01, 0.5), (0.1, 0.99), (0.2, 1.0)],
        ),
        Series::new("run B", vec![(0.002, 0.2), (0.02, 0.6), (0.3, 1.0)]),
    ]
}

#[test]
fn line_chart_draws_every_series_inside_the_plot() {
    let x = AxisSpec::new("Time between tokens", Unit::Seconds);
    let y = AxisSpec::new("Share of gaps", Unit::Percent).domain(0.0, 1.0);
    let layout = line_chart_layout(&two_series(), &x, &y, LineShape::Step, 640.0, 320.0);
    assert_eq!(layout.series.len(), 2);
    assert_eq!(layout.series[0].name, "run A");
    assert_eq!(layout.series[1].style, series_style(1));
    let f = layout.frame;
    for s in &layout.series {
        assert!(s.d.starts_with('M'), "{}", s.d);
        for number in
            s.d.split(|c: char| c.is_ascii_alphabetic() || c == ',')
                .filter(|t| !t.is_empty())
        {
            let v: f64 = number.parse().unwrap();
            assert!(v >= 0.0 && v <= f.width.max(f.height), "{v} in {}", s.d);
        }
    }
    // Ticks sit on the plot's edges or between them, labels carry no unit,
    // the titles do.
    for t in &layout.x.ticks {
        assert!(t.position >= f.left - 1e-9 && t.position <= f.right + 1e-9);
    }
    for t in &layout.y.ticks {
        assert!(t.position >= f.top - 1e-9 && t.position <= f.bottom + 1e-9);
    }
    assert_eq!(layout.x.title, "Time between tokens (ms)");
    assert_eq!(layout.y.title, "Share of gaps (%)");
    assert_eq!(layout.y.ticks.first().unwrap().label, "0");
    assert_eq!(layout.y.ticks.last().unwrap().label, "100");
    // The x domain covers the data.
    assert!(layout.x_scale.domain.0 <= 0.001 && layout.x_scale.domain.1 >= 0.3);
}

#[test]
fn log_x_axis_and_narrow_charts() {
    let x = AxisSpec::new("Time between tokens", Unit::Seconds).log(true);
    let y = AxisSpec::new("Share", Unit::Percent).domain(0.0, 1.0);
    let wide = line_chart_layout(&two_series(), &x, &y, LineShape::Line, 900.0, 300.0);
    let phone = line_chart_layout(&two_series(), &x, &y, LineShape::Line, 320.0, 300.0);
    assert_eq!(wide.x_scale.domain, (0.001, 1.0));
    assert_eq!(wide.x.title, "Time between tokens (ms, log scale)");
    assert!(phone.x.ticks.len() <= wide.x.ticks.len());
    assert!(phone.x.ticks.len() >= 2);
    assert!(phone.frame.right <= 320.0);
}

#[test]
fn empty_chart_still_has_axes() {
    let x = AxisSpec::new("Deadline", Unit::Seconds);
    let y = AxisSpec::new("Miss rate", Unit::Percent).from_zero();
    let layout = line_chart_layout(&[], &x, &y, LineShape::Line, 400.0, 200.0);
    assert!(layout.series.is_empty());
    assert!(layout.x.ticks.len() >= 2 && layout.y.ticks.len() >= 2);
}

#[test]
fn nearest_point_by_x() {
    let points = [(1.0, 10.0), (2.0, 20.0), (4.0, 40.0)];
    assert_eq!(nearest_point(&points, 2.9), Some((2.0, 20.0)));
    assert_eq!(nearest_point(&points, 3.1), Some((4.0, 40.0)));
    assert_eq!(nearest_point(&points, -5.0), Some((1.0, 10.0)));
    assert_eq!(nearest_point(&points, 9.0), Some((4.0, 40.0)));
    let unsorted = [(4.0, 1.0), (1.0, 2.0), (f64::NAN, 3.0)];
    assert_eq!(nearest_point(&unsorted, 1.2), Some((1.0, 2.0)));
    assert_eq!(nearest_point(&[], 1.0), None);
}

#[test]
fn key_points_keep_ends_and_extremes() {
    let points: Vec<(f64, f64)> = (0..100)
        .map(|i| (i as f64, if i == 37 { 500.0 } else { i as f64 }))
        .collect();
    let keys = key_points(&points, 8);
    assert!(keys.len() <= 8);
    assert_eq!(keys[0], (0.0, 0.0));
    assert_eq!(*keys.last().unwrap(), (99.0, 99.0));
    assert!(keys.contains(&(37.0, 500.0)));
    assert!(keys.windows(2).all(|w| w[0].0 < w[1].0));
    assert_eq!(key_points(&points[..3], 8).len(), 3);
}

#[test]
fn reference_lines_and_a_description() {
    use etalon_core::present::chart::Marker;
    let x = AxisSpec::new("TBT deadline", Unit::Seconds).domain(0.0, 0.1);
    let y = AxisSpec::new("p99 miss rate", Unit::Percent).domain(0.0, 1.0);
    let curve = Series::new("p99 miss rate", vec![(0.001, 1.0), (0.05, 0.2), (0.1, 0.0)]);
    let layout = line_chart_layout(&[curve], &x, &y, LineShape::Line, 640.0, 300.0);
    let lines = layout.marker_lines(&[
        Marker::x(0.05, "your TBT deadline"),
        Marker::y(0.1, "target"),
        Marker::x(0.5, "off the chart"),
    ]);
    assert_eq!(lines.len(), 2);
    let v = &lines[0];
    assert_eq!(v.x1, v.x2);
    assert_eq!((v.y1, v.y2), (layout.frame.top, layout.frame.bottom));
    assert_eq!(v.x1, layout.x_scale.apply(0.05));
    let h = &lines[1];
    assert_eq!(h.y1, layout.y_scale.apply(0.1));
    assert_eq!((h.x1, h.x2), (layout.frame.left, layout.frame.right));
    assert_eq!(
        layout.describe(),
        "One series, p99 miss rate. Horizontal axis: TBT deadline (ms), from 0 ms to 100 ms. \
         Vertical axis: p99 miss rate (%), from 0% to 100%."
    );
}
