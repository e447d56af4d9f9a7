//! The fluidity explainer's picture: two streams with the same number of
//! tokens in the same time (the same average speed), one smooth and one
//! that freezes and then catches up in a burst, replayed against the same
//! deadlines and laid out one above the other on a shared time axis.

use super::axis::{axis_layout, sane_size, AxisLayout, Frame, FONT_SIZE, X_TICK_SPACING};
use super::format::Unit;
use super::scale::Scale;
use super::ticks::{nice_ticks, tick_target};
use super::timeline::{
    deadline_timeline, timeline_marks, timeline_summary, Lane, TimelineMarks, TimelineSummary,
    TokenDeadline,
};

/// The explainer's TTFT deadline (seconds).
pub const EXPLAINER_TTFT_DEADLINE: f64 = 0.25;
/// The explainer's TBT deadline: a reader expects a token every 60 ms.
pub const EXPLAINER_TBT_DEADLINE: f64 = 0.06;

/// One of the two example streams.
#[derive(Debug, Clone, PartialEq)]
pub struct ExampleStream {
    pub name: &'static str,
    /// TTFT, then the gaps between tokens (seconds).
    pub itt: Vec<f64>,
    pub tokens: Vec<TokenDeadline>,
    pub summary: TimelineSummary,
}

impl ExampleStream {
    fn new(name: &'static str, itt: Vec<f64>) -> Self {
        let tokens = deadline_timeline(&itt, EXPLAINER_TTFT_DEADLINE, EXPLAINER_TBT_DEADLINE);
        let summary = timeline_summary(&tokens);
        ExampleStream {
            name,
            itt,
            tokens,
            summary,
        }
    }

    /// Share of deadlines met (the walk's `1 - missed / total`).
    pub fn share_met(&self) -> f64 {
        if self.summary.deadlines == 0 {
            1.0
        } else {
            1.0 - self.summary.missed as f64 / self.summary.deadlines as f64
        }
    }

    /// When its last token arrived (seconds).
    pub fn duration(&self) -> f64 {
        self.tokens.last().map_or(0.0, |t| t.arrival)
    }
}

/// The two streams: 21 tokens each, first after 200 ms, the last at 1.2 s.
/// The smooth one sends a token every 50 ms; the other sends six at that
/// pace, freezes for 570 ms, then sends the remaining thirteen 10 ms apart.
pub fn example_streams() -> [ExampleStream; 2] {
    let mut smooth = vec![0.2];
    smooth.extend(std::iter::repeat_n(0.05, 20));
    let mut stalling = vec![0.2];
    stalling.extend(std::iter::repeat_n(0.05, 6));
    stalling.push(0.57);
    stalling.extend(std::iter::repeat_n(0.01, 13));
    [
        ExampleStream::new("Smooth", smooth),
        ExampleStream::new("Stalling", stalling),
    ]
}

/// The explainer ready to draw: two lanes on one time axis.
#[derive(Debug, Clone, PartialEq)]
pub struct ExplainerLayout {
    pub frame: Frame,
    pub x: AxisLayout,
    pub x_scale: Scale,
    /// Per stream: its lane and marks.
    pub lanes: Vec<(Lane, TimelineMarks)>,
    pub streams: [ExampleStream; 2],
}

/// Lays out the two example streams in a chart `width` × `height`.
pub fn explainer_layout(width: f64, height: f64) -> ExplainerLayout {
    let width = sane_size(width, 640.0);
    let height = sane_size(height, 200.0);
    let streams = example_streams();
    let frame = Frame {
        width,
        height,
        left: 74.0,
        right: width - 16.0,
        top: 8.0,
        bottom: height - (2.0 * FONT_SIZE + 18.0),
    };
    let target = tick_target(frame.plot_width(), X_TICK_SPACING);
    // Up to just after the last token: what happens is over by then (the
    // banked slack of the final burst runs on, cut at the edge).
    let extent = streams
        .iter()
        .map(|s| s.duration() + 2.0 * EXPLAINER_TBT_DEADLINE)
        .fold(0.0, f64::max);
    let t = nice_ticks(0.0, extent, target);
    let x_scale = Scale::linear((t.lo, t.hi), (frame.left, frame.right));
    let x = axis_layout(
        &x_scale,
        Unit::Seconds,
        "Time since the request was sent",
        target,
    );
    let lane_height = (frame.plot_height() - 12.0) / 2.0;
    let lanes = streams
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let lane = Lane::new(frame.top + i as f64 * (lane_height + 12.0), lane_height);
            (
                lane,
                timeline_marks(&s.tokens, EXPLAINER_TBT_DEADLINE, &x_scale, lane),
            )
        })
        .collect();
    ExplainerLayout {
        frame,
        x,
        x_scale,
        lanes,
        streams,
    }
}
