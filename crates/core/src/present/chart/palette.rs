//! How series look: colours from the Okabe–Ito palette (distinguishable
//! with the common colour-vision deficiencies), always with a second cue, a
//! dash pattern, so that no series is told apart by colour alone. The
//! colours themselves live in `style/charts.css` (as `--chart-c0` ...
//! `--chart-c7`, with light and dark variants); here are the class and the
//! dash of the i-th series.

/// The Okabe–Ito palette (Okabe and Ito, "Color Universal Design", 2008),
/// in the order the charts use it; `black` is drawn in the text colour so
/// that it stays visible in dark mode.
pub const OKABE_ITO: [(&str, &str); 8] = [
    ("blue", "#0072B2"),
    ("orange", "#E69F00"),
    ("bluish green", "#009E73"),
    ("vermillion", "#D55E00"),
    ("reddish purple", "#CC79A7"),
    ("sky blue", "#56B4E9"),
    ("yellow", "#F0E442"),
    ("black", "#000000"),
];

/// Dash patterns (`stroke-dasharray`), one per series, repeating after 6.
pub const DASHES: [&str; 6] = ["none", "7 4", "2 3", "10 3 2 3", "4 4", "1 5"];

/// The look of the `index`-th series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeriesStyle {
    pub index: usize,
    /// The CSS class giving its colour: `chart-c0` ... `chart-c7`.
    pub class: &'static str,
    /// Its `stroke-dasharray`.
    pub dash: &'static str,
}

const CLASSES: [&str; 8] = [
    "chart-c0", "chart-c1", "chart-c2", "chart-c3", "chart-c4", "chart-c5", "chart-c6", "chart-c7",
];

/// The style of series number `index`; colour and dash cycle with different
/// periods (8 and 6), so that 24 series have distinct pairs.
pub fn series_style(index: usize) -> SeriesStyle {
    SeriesStyle {
        index,
        class: CLASSES[index % CLASSES.len()],
        dash: DASHES[index % DASHES.len()],
    }
}
