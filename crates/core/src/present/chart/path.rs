//! SVG path `d` strings from points already in screen coordinates: a
//! polyline, a step line (for empirical CDFs), and ticks and rectangles
//! gathered into one path (one DOM node for a thousand token ticks).

use std::fmt::Write;

/// A coordinate with at most two decimals and no trailing zeros.
pub fn coord(v: f64) -> String {
    let r = (v * 100.0).round() / 100.0;
    let r = if r == 0.0 { 0.0 } else { r };
    let text = format!("{r:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.to_string()
}

/// A polyline through `points` ("M x,y L x,y ..."). A point that is not
/// finite breaks the line; the next finite point starts a new piece.
/// Consecutive points at the same spot are drawn once.
pub fn polyline_path(points: &[(f64, f64)]) -> String {
    let mut d = String::new();
    let mut pen_down = false;
    let mut last = (String::new(), String::new());
    for &(x, y) in points {
        if !(x.is_finite() && y.is_finite()) {
            pen_down = false;
            continue;
        }
        let here = (coord(x), coord(y));
        if pen_down && here == last {
            continue;
        }
        let command = if pen_down { 'L' } else { 'M' };
        let _ = write!(d, "{command}{},{}", here.0, here.1);
        last = here;
        pen_down = true;
    }
    d
}

/// A step line: from each point, horizontally to the next point's x, then
/// vertically to its y (an empirical CDF holds its value until the next
/// sample). With `baseline` (a screen y), it starts with a vertical rise
/// from the baseline at the first point's x, as a CDF rises from 0.
/// Non-finite points are skipped.
pub fn step_path(points: &[(f64, f64)], baseline: Option<f64>) -> String {
    let mut d = String::new();
    let mut finite = points
        .iter()
        .copied()
        .filter(|(x, y)| x.is_finite() && y.is_finite());
    let Some((x0, y0)) = finite.next() else {
        return d;
    };
    match baseline {
        Some(b) if b.is_finite() => {
            let _ = write!(d, "M{},{}V{}", coord(x0), coord(b), coord(y0));
        }
        _ => {
            let _ = write!(d, "M{},{}", coord(x0), coord(y0));
        }
    }
    let (mut last_x, mut last_y) = (coord(x0), coord(y0));
    for (x, y) in finite {
        let (cx, cy) = (coord(x), coord(y));
        if cx != last_x {
            let _ = write!(d, "H{cx}");
            last_x = cx;
        }
        if cy != last_y {
            let _ = write!(d, "V{cy}");
            last_y = cy;
        }
    }
    d
}

/// Marks closer than this (in units) to the one drawn before look like it,
/// so they are not drawn again: a path stays bounded by the chart's width
/// however many tokens share a pixel.
pub const SAME_PLACE: f64 = 0.25;

/// `xs` that are finite, without those within [`SAME_PLACE`] of the one
/// kept before.
fn distinct(xs: impl IntoIterator<Item = f64>) -> impl Iterator<Item = f64> {
    let mut last = f64::NAN;
    xs.into_iter().filter(move |&x| {
        let keep = x.is_finite() && (last.is_nan() || (x - last).abs() >= SAME_PLACE);
        if keep {
            last = x;
        }
        keep
    })
}

/// Vertical ticks at screen x positions `xs`, from `y0` to `y1`, as one path.
pub fn ticks_path(xs: impl IntoIterator<Item = f64>, y0: f64, y1: f64) -> String {
    let mut d = String::new();
    let (a, b) = (coord(y0), coord(y1));
    for x in distinct(xs) {
        let _ = write!(d, "M{},{a}V{b}", coord(x));
    }
    d
}

/// Rectangles `(x, y, width, height)` as one path. Rectangles of the same
/// row that overlap (or touch within [`SAME_PLACE`]) the one before are
/// drawn as one.
pub fn rects_path(rects: impl IntoIterator<Item = (f64, f64, f64, f64)>) -> String {
    let drawable = rects
        .into_iter()
        .filter(|&(x, y, w, h)| [x, y, w, h].iter().all(|v| v.is_finite()) && w > 0.0 && h > 0.0);
    let mut merged: Vec<(f64, f64, f64, f64)> = Vec::new();
    for (x, y, w, h) in drawable {
        if let Some(last) = merged.last_mut() {
            let same_row = last.1 == y && last.3 == h;
            if same_row && x >= last.0 && x <= last.0 + last.2 + SAME_PLACE {
                last.2 = last.2.max(x + w - last.0);
                continue;
            }
        }
        merged.push((x, y, w, h));
    }
    let mut d = String::new();
    for (x, y, w, h) in merged {
        let _ = write!(
            d,
            "M{},{}h{}v{}h{}Z",
            coord(x),
            coord(y),
            coord(w),
            coord(h),
            coord(-w)
        );
    }
    d
}

/// Small downward triangles (deadline markers) with their tips at `(x, y)`.
pub fn markers_path(xs: impl IntoIterator<Item = f64>, y: f64, size: f64) -> String {
    let mut d = String::new();
    let half = size / 2.0;
    for x in distinct(xs) {
        let _ = write!(
            d,
            "M{},{}l{},{}h{}Z",
            coord(x),
            coord(y),
            coord(-half),
            coord(-size),
            coord(size)
        );
    }
    d
}

/// How many separate pieces (subpaths) a path has: its `M` commands.
pub fn subpath_count(d: &str) -> usize {
    d.matches('M').count()
}
