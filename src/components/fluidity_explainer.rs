//! `FluidityExplainer`: two streams with the same number of tokens in the
//! same time, one smooth and one that freezes and then catches up, drawn
//! against the same per-token deadlines; tokens appear at their pace (slowed
//! down, unless the reader prefers reduced motion), with a caption in plain
//! words. The streams and their counts come from
//! `etalon_core::present::chart::explainer_layout`.

use super::axes::{chart_svg, data_table, stall_hatch, timeline_paths, x_axis};
use super::{unique_id, use_shown_width};
use etalon_core::present::chart::{
    coord, explainer_layout, format_value, Unit, EXPLAINER_TBT_DEADLINE, FONT_SIZE,
};
use leptos::prelude::*;

/// Two streams of equal average speed, one smooth and one stalling, against
/// per-token deadlines.
#[component]
pub fn FluidityExplainer(
    #[prop(into, default = Signal::stored(640.0))] width: Signal<f64>,
) -> impl IntoView {
    let figure = NodeRef::<leptos::html::Figure>::new();
    let width = use_shown_width(figure, width);
    let layout = Memo::new(move |_| explainer_layout(width.get(), 220.0));
    let clip = unique_id("explainer-reveal");
    let hatch = unique_id("explainer-hatch");
    let title = "Two streams at the same average speed: one smooth, one stalling";
    let caption = move || {
        layout.with(|l| {
            let [smooth, stalling] = &l.streams;
            let stall = stalling
                .summary
                .stalls
                .iter()
                .map(|s| s.end - s.start)
                .fold(0.0, f64::max);
            format!(
                "Both streams show {} tokens in {}, but the second one freezes for {} and then \
                 dumps the rest at once: a reader expecting a token every {} waits past {} of its \
                 {} deadlines (fluidity-index {:.2}), while the smooth stream meets all {} ({:.2}).",
                smooth.tokens.len(),
                format_value(smooth.duration(), Unit::Seconds),
                format_value(stall, Unit::Seconds),
                format_value(EXPLAINER_TBT_DEADLINE, Unit::Seconds),
                stalling.summary.missed,
                stalling.summary.deadlines,
                stalling.share_met(),
                smooth.summary.deadlines,
                smooth.share_met(),
            )
        })
    };
    let svg = move || {
        let l = layout.get();
        let f = l.frame;
        let clip_url = format!("url(#{clip})");
        let hatch_url = format!("url(#{hatch})");
        let lanes = l
            .lanes
            .iter()
            .zip(l.streams.iter())
            .map(|((lane, m), stream)| {
                let label_y = (lane.top + lane.bottom) / 2.0 + FONT_SIZE / 3.0;
                view! {
                    <g class="explainer-lane">
                        <text class="timeline-row-label" x=coord(f.left - 8.0) y=coord(label_y) text-anchor="end">{stream.name}</text>
                        <line class="explainer-lane-base" x1=coord(f.left) y1=coord(lane.bottom) x2=coord(f.right) y2=coord(lane.bottom) />
                        <g clip-path=clip_url.clone()>
                            {timeline_paths(m, hatch_url.clone())}
                        </g>
                    </g>
                }
            })
            .collect_view();
        let children = view! {
            <defs>
                <clipPath id=clip.clone()>
                    <rect class="explainer-reveal" x=coord(f.left - 2.0) y="0" width=coord(f.plot_width() + 4.0) height=coord(f.bottom + 2.0) />
                </clipPath>
                {stall_hatch(hatch.clone())}
            </defs>
            {lanes}
            {x_axis(f, &l.x, false)}
        };
        chart_svg(
            "chart-svg explainer-svg",
            f,
            title.to_string(),
            caption(),
            children,
        )
    };
    let table = move || {
        let rows = layout.with(|l| {
            l.streams
                .iter()
                .map(|s| {
                    vec![
                        s.name.to_string(),
                        s.tokens.len().to_string(),
                        format_value(s.duration(), Unit::Seconds),
                        format!("{} of {}", s.summary.missed, s.summary.deadlines),
                        format!("{:.2}", s.share_met()),
                    ]
                })
                .collect()
        });
        let head = [
            "Stream",
            "Tokens",
            "Last token at",
            "Deadlines missed",
            "Fluidity-index",
        ]
        .map(String::from)
        .to_vec();
        data_table(title.to_string(), head, rows)
    };
    view! {
        <figure class="chart fluidity-explainer" node_ref=figure>
            {svg}
            <figcaption class="explainer-caption">{caption}</figcaption>
            <p class="explainer-note">"Tokens appear at their real pace, slowed down. Triangles mark each token's deadline; filled ones were missed."</p>
            {table}
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::components::testing::{attribute, count, mount, text, titles_are_svg};
    use etalon_core::present::chart::subpath_count;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn explainer_shows_two_lanes_and_a_plain_caption() {
        let (host, _keep) = mount(|| view! { <FluidityExplainer /> });
        assert!(titles_are_svg(&host));
        assert_eq!(count(&host, "explainer-lane"), 2);
        assert_eq!(count(&host, "explainer-reveal"), 1);
        assert!(attribute(&host, "explainer-svg", "aria-label")
            .unwrap()
            .contains("stalling"));
        let caption = text(&host, "explainer-caption");
        assert!(caption.contains("21 tokens"), "{caption}");
        assert!(caption.contains("7 of its 27 deadlines"), "{caption}");
        let missed = host.get_elements_by_class_name("timeline-deadlines-missed");
        let first = missed
            .item(0)
            .unwrap()
            .get_attribute("d")
            .unwrap_or_default();
        let second = missed
            .item(1)
            .unwrap()
            .get_attribute("d")
            .unwrap_or_default();
        assert_eq!((subpath_count(&first), subpath_count(&second)), (0, 7));
    }
}
