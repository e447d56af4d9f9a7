//! Chart math for the app's SVG charts: scales, nice ticks, number
//! formats with units, axes and frames, SVG path strings, empirical CDFs
//! (thinned without losing the tail), histograms, and the deadline replay
//! and layout of a request timeline. Pure, so that every position and label
//! a chart draws is tested natively; the components in the app's
//! `src/components/` only turn these layouts into SVG elements.
//!
//! Modules: `scale` (linear, log), `ticks` (1-2-5 steps), `format` (units
//! by magnitude; also the report's figures and durations, re-exported by
//! `report`), `axis` (ticks on screen, frames), `path` (`d` strings),
//! `palette` (Okabe–Ito colours and dashes), `line` (line charts), `cdf`,
//! `histogram`, `timeline` (tokens vs deadlines), `explainer` (the two
//! example streams of the fluidity explainer).

mod axis;
mod cdf;
mod explainer;
mod format;
mod histogram;
mod line;
mod miss_curve;
mod palette;
mod path;
mod scale;
mod ticks;
mod timeline;

pub use axis::{
    axis_layout, axis_title, frame_for, AxisLayout, Frame, Tick, CHAR_WIDTH, FONT_SIZE,
    X_TICK_SPACING, Y_TICK_SPACING,
};
pub use cdf::{
    distribution_summary, distribution_summary_of_sorted, empirical_cdf, empirical_cdf_of_sorted,
    finite_sorted, level_index, DistributionSummary, KEPT_LEVELS, MIN_CDF_POINTS,
};
pub use explainer::{
    example_streams, explainer_layout, ExampleStream, ExplainerLayout, EXPLAINER_TBT_DEADLINE,
    EXPLAINER_TTFT_DEADLINE,
};
pub use format::{
    display_unit, format_count, format_duration, format_number, format_rate, format_seconds,
    format_share, format_ticks, format_value, number_text, raw_value, round_significant,
    significant, spread_sentence, DisplayUnit, Unit, NO_FIGURE,
};
pub use histogram::{histogram, histogram_layout, Bar, BinRule, Histogram, HistogramLayout};
pub use line::{
    extent, key_points, line_chart_layout, nearest_point, nearest_points, AxisSpec,
    LineChartLayout, LineShape, Marker, MarkerAxis, MarkerLine, Series, SeriesPath,
};
pub use miss_curve::{
    fluid_deadline, fluid_rate_sentence, miss_curve_markers, MISS_CURVE_LONGEST_DEADLINE,
};
pub use palette::{series_style, SeriesStyle, DASHES, OKABE_ITO};
pub use path::{
    coord, markers_path, polyline_path, rects_path, step_path, subpath_count, ticks_path,
};
pub use scale::{narrow_spread, negligible_spread, Scale, ScaleKind, NEGLIGIBLE_SPREAD};
pub use ticks::{
    linear_ticks, log_bounds, log_ticks, nice_step, nice_ticks, power_of_ten, tick_target,
    NiceStep, NiceTicks,
};
pub use timeline::{
    answer_end, crowded, deadline_timeline, deadline_walk, timeline_layout, timeline_marks,
    timeline_pauses, timeline_summary, token_columns, Lane, MarkCounts, Pause, PauseLabel, Stall,
    TimelineLayout, TimelineMarks, TimelineSummary, TokenDeadline, END_MARGIN, LANE_LABEL_WIDTH,
    MIN_TOKEN_SPACING, TOKEN_COLUMN,
};
