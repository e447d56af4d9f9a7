//! `RequestTimeline`: one request's tokens on a time axis against their
//! deadlines. Token ticks (late ones in the warning colour), deadline
//! markers above them (missed ones filled in the warning colour), banked
//! slack shaded from each on-time token to its deadline, stalls hatched
//! across both rows, and every pause outlined and labelled, even one the
//! banked slack covered. The deadlines are the docs/METRICS.md walk's,
//! replayed by `etalon_core::present::chart::deadline_timeline`.

use super::axes::{chart_svg, data_table, stall_hatch, timeline_paths, x_axis};
use super::{unique_id, use_shown_width};
use etalon_core::present::chart::{
    coord, deadline_timeline, format_value, timeline_layout, timeline_summary, Unit, FONT_SIZE,
};
use leptos::prelude::*;

/// Most stalls listed in the data table.
const TABLE_STALLS: usize = 20;

/// The timeline of one request. `itt` is its inter-token times (TTFT
/// first, then the gaps, seconds); the deadlines are seconds too.
#[component]
pub fn RequestTimeline(
    /// Accessible name: the SVG's `<title>` and `aria-label`.
    #[prop(into)]
    title: String,
    /// TTFT, then the gaps between tokens (seconds).
    #[prop(into)]
    itt: Signal<Vec<f64>>,
    #[prop(into)] ttft_deadline: Signal<f64>,
    #[prop(into)] tbt_deadline: Signal<f64>,
    /// Show only this span (seconds since the request was sent).
    #[prop(into, optional)]
    window: Signal<Option<(f64, f64)>>,
    #[prop(into, default = Signal::stored(640.0))] width: Signal<f64>,
    #[prop(into, default = Signal::stored(150.0))] height: Signal<f64>,
) -> impl IntoView {
    let figure = NodeRef::<leptos::html::Figure>::new();
    let width = use_shown_width(figure, width);
    let tokens = Memo::new(move |_| {
        itt.with(|itt| deadline_timeline(itt, ttft_deadline.get(), tbt_deadline.get()))
    });
    let summary = Memo::new(move |_| tokens.with(|t| timeline_summary(t)));
    let layout = Memo::new(move |_| {
        tokens.with(|t| {
            timeline_layout(
                t,
                tbt_deadline.get(),
                window.get(),
                width.get(),
                height.get(),
            )
        })
    });
    let hatch = unique_id("stall-hatch");
    let name = title.clone();
    let svg = move || {
        let l = layout.get();
        let s = summary.get();
        let f = l.frame;
        let m = l.marks;
        let lane = l.lane;
        let desc = format!(
            "{} tokens; {} of {} deadlines met, {} missed in {} stalls; {} pauses, {} of them \
             covered by banked slack.",
            s.tokens,
            s.met(),
            s.deadlines,
            s.missed,
            s.stalls.len(),
            s.pauses.len(),
            s.covered_pauses()
        );
        let hatch_url = format!("url(#{hatch})");
        let children = view! {
            <defs>{stall_hatch(hatch.clone())}</defs>
            <text class="timeline-row-label" x=coord(f.left - 8.0) y=coord((lane.top + lane.deadline_y) / 2.0 + FONT_SIZE / 3.0) text-anchor="end">"deadlines"</text>
            <text class="timeline-row-label" x=coord(f.left - 8.0) y=coord((lane.deadline_y + lane.bottom) / 2.0 + FONT_SIZE / 3.0) text-anchor="end">"tokens"</text>
            {timeline_paths(&m, hatch_url)}
            <path class="timeline-pauses" d=m.pauses.clone() />
            {m.pause_labels.iter().map(|label| view! {
                <text class="timeline-pause-label" x=coord(label.x) y=coord(label.y) text-anchor="middle">{label.text.clone()}</text>
            }).collect_view()}
            {x_axis(f, &l.x, false)}
        };
        chart_svg("chart-svg timeline-svg", f, name.clone(), desc, children)
    };
    // Counted per column (the ticks would merge at this width): said so.
    let counted = move || {
        layout.with(|l| l.marks.counts.token_columns > 0).then(|| {
            view! {
                <li class="chart-legend-item" data-testid="timeline-columns-key">
                    <span class="timeline-key timeline-key-columns"></span>
                    "tokens on time, grouped where they crowd: a taller bar holds more tokens"
                </li>
            }
        })
    };
    let legend = view! {
        <ul class="chart-legend timeline-legend" aria-hidden="true">
            {counted}
            <li class="chart-legend-item"><span class="timeline-key timeline-key-token"></span>"token, on time"</li>
            <li class="chart-legend-item"><span class="timeline-key timeline-key-late"></span>"token, late"</li>
            <li class="chart-legend-item"><span class="timeline-key timeline-key-met"></span>"deadline met"</li>
            <li class="chart-legend-item"><span class="timeline-key timeline-key-missed"></span>"deadline missed"</li>
            <li class="chart-legend-item"><span class="timeline-key timeline-key-slack"></span>"slack banked (ahead of the deadline)"</li>
            <li class="chart-legend-item"><span class="timeline-key timeline-key-stall"></span>"stall: waiting past a deadline"</li>
            <li class="chart-legend-item"><span class="timeline-key timeline-key-pause"></span>"pause: the text stopped (over green, the answer was far enough ahead that a reader would not notice)"</li>
        </ul>
    };
    let caption = title.clone();
    let table = move || {
        let s = summary.get();
        let mut rows = vec![
            vec!["Tokens".to_string(), s.tokens.to_string()],
            vec!["Deadlines".to_string(), s.deadlines.to_string()],
            vec!["Deadlines met".to_string(), s.met().to_string()],
            vec!["Deadlines missed".to_string(), s.missed.to_string()],
        ];
        rows.extend(s.stalls.iter().take(TABLE_STALLS).map(|st| {
            vec![
                format!(
                    "Stall before token {} at {}",
                    st.token + 1,
                    format_value(st.start, Unit::Seconds)
                ),
                format!(
                    "{} long, {} deadlines missed",
                    format_value(st.end - st.start, Unit::Seconds),
                    st.missed
                ),
            ]
        }));
        if s.stalls.len() > TABLE_STALLS {
            rows.push(vec![
                "More stalls".to_string(),
                (s.stalls.len() - TABLE_STALLS).to_string(),
            ]);
        }
        rows.extend(s.pauses.iter().take(TABLE_STALLS).map(|p| {
            vec![
                format!(
                    "Pause before token {} at {}",
                    p.token + 1,
                    format_value(p.start, Unit::Seconds)
                ),
                if p.late {
                    format!(
                        "{} long, deadlines missed",
                        format_value(p.length(), Unit::Seconds)
                    )
                } else {
                    format!(
                        "{} long, no deadline missed ({} ahead)",
                        format_value(p.length(), Unit::Seconds),
                        format_value(p.lead, Unit::Seconds)
                    )
                },
            ]
        }));
        if s.pauses.len() > TABLE_STALLS {
            rows.push(vec![
                "More pauses".to_string(),
                (s.pauses.len() - TABLE_STALLS).to_string(),
            ]);
        }
        data_table(
            caption.clone(),
            vec!["Figure".to_string(), "Value".to_string()],
            rows,
        )
    };
    view! {
        <figure class="chart request-timeline" node_ref=figure>
            {svg}
            {legend}
            {table}
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::components::testing::{
        attribute, count, mount, settle, settle_until, text, titles_are_svg,
    };
    use etalon_core::present::chart::subpath_count;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    async fn timeline_marks_tokens_deadlines_and_stalls() {
        let tbt = RwSignal::new(0.1);
        let (host, _keep) = mount(move || {
            view! {
                <RequestTimeline
                    title="Request 7: tokens against deadlines"
                    itt=vec![0.1, 0.35, 0.1, 0.01, 0.01]
                    ttft_deadline=0.1
                    tbt_deadline=tbt
                />
            }
        });
        assert!(titles_are_svg(&host));
        let d = |class: &str| attribute(&host, class, "d").unwrap_or_default();
        assert_eq!(subpath_count(&d("timeline-tokens")), 4);
        assert_eq!(subpath_count(&d("timeline-tokens-late")), 1);
        assert_eq!(subpath_count(&d("timeline-deadlines-missed")), 3);
        assert_eq!(subpath_count(&d("timeline-stalls")), 1);
        assert_eq!(
            attribute(&host, "timeline-svg", "aria-label").as_deref(),
            Some("Request 7: tokens against deadlines")
        );
        assert!(text(&host, "chart-table").contains("Deadlines missed3"));
        assert!(count(&host, "chart-tick-x") >= 2);
        // A looser deadline: the 350 ms gap is no longer a stall, and still
        // a pause.
        tbt.set(0.5);
        settle().await;
        assert_eq!(d("timeline-stalls"), "");
        assert_eq!(subpath_count(&d("timeline-tokens")), 5);
    }

    #[wasm_bindgen_test]
    async fn at_phone_width_crowded_tokens_are_counted_and_said_so() {
        // 128 tokens at 20 ms: about 2 px apart in a phone's column.
        let itt = vec![0.02; 128];
        let (host, _keep) = mount(move || {
            view! {
                <RequestTimeline title="Request 9" itt=itt.clone() ttft_deadline=0.1 tbt_deadline=0.05 />
            }
        });
        let figure = host
            .get_elements_by_class_name("request-timeline")
            .item(0)
            .unwrap();
        figure.set_attribute("style", "margin: 0").unwrap();
        let d = |class: &str| attribute(&host, class, "d").unwrap_or_default();
        host.style().set_property("width", "342px").unwrap();
        settle_until(|| !d("timeline-token-columns").is_empty()).await;
        assert_eq!(d("timeline-tokens"), "");
        assert!(text(&host, "timeline-legend").contains("a taller bar holds more tokens"));
        // Wide, token by token again, and the key goes.
        host.style().set_property("width", "1300px").unwrap();
        settle_until(|| d("timeline-token-columns").is_empty()).await;
        assert_eq!(subpath_count(&d("timeline-tokens")), 128);
        assert!(!text(&host, "timeline-legend").contains("taller bar"));
    }

    #[wasm_bindgen_test]
    async fn a_pause_covered_by_banked_slack_is_outlined_and_labelled() {
        // A token every 20 ms, and 0.52 s before token 20: 0.62 s ahead of a
        // 50 ms deadline, so no deadline is missed.
        let mut itt = vec![0.02; 40];
        itt[19] += 0.5;
        let (host, _keep) = mount(move || {
            view! {
                <RequestTimeline title="Request 3" itt=itt.clone() ttft_deadline=0.1 tbt_deadline=0.05 />
            }
        });
        let d = |class: &str| attribute(&host, class, "d").unwrap_or_default();
        assert_eq!(d("timeline-stalls"), "");
        assert_eq!(subpath_count(&d("timeline-pauses")), 1);
        assert_eq!(text(&host, "timeline-pause-label"), "paused 0.52 s");
        assert!(text(&host, "chart-table").contains("no deadline missed (620 ms ahead)"));
        assert!(text(&host, "timeline-legend").contains("pause: the text stopped"));
    }
}
