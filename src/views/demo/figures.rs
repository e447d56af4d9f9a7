//! The demo's results: the headline figures of both systems side by side
//! (each cell's full-precision value in `data-value`), the three sentences
//! on what a user of each feels, and where to go next: either system's
//! full results, both on the compare screen, or a link to this demo.

use std::sync::Arc;

use etalon_core::demo::{demo_deadlines, demo_link, SystemFigures};
use etalon_core::present::report::{format_seconds, format_share, raw_value, Metric, NO_FIGURE};
use etalon_core::recording::Recording;
use etalon_core::share::ComparedRun;
use leptos::prelude::*;

use crate::components::WideTable;

use super::context::use_demo;
use crate::state::{use_app, Screen};

/// What the figures table shows of a system.
pub struct Side {
    /// "A", "B".
    pub name: &'static str,
    /// The system in a few words, for the compare screen's label.
    pub title: String,
    pub recording: Arc<Recording>,
    pub figures: SystemFigures,
}

/// One row: its key (test ids `demo-{key}-{side}`), its label in plain
/// words, and each side's value and text.
struct Row {
    key: &'static str,
    label: &'static str,
    help: &'static str,
    cells: Vec<(Option<f64>, String)>,
}

fn rows(sides: &[Side; 2]) -> Vec<Row> {
    let seconds = |v: Option<f64>| v.map_or_else(|| NO_FIGURE.to_string(), format_seconds);
    let share = |v: Option<f64>| v.map_or_else(|| NO_FIGURE.to_string(), format_share);
    let each = |f: &dyn Fn(&SystemFigures) -> (Option<f64>, String)| {
        sides.iter().map(|s| f(&s.figures)).collect::<Vec<_>>()
    };
    vec![
        Row {
            key: "ttft-p50",
            label: "Wait for the first word (median, TTFT)",
            help: Metric::Ttft.explanation(),
            cells: each(&|f| (f.ttft_p50, seconds(f.ttft_p50))),
        },
        Row {
            key: "tpot-p50",
            label: "Time per token once started (median, TPOT)",
            help: Metric::Tpot.explanation(),
            cells: each(&|f| {
                let speed = f
                    .tokens_per_second()
                    .map_or(String::new(), |s| format!(" ({s:.0} tokens a second)"));
                (f.tpot_p50, format!("{}{speed}", seconds(f.tpot_p50)))
            }),
        },
        Row {
            key: "fluidity-p1",
            label: "Fluidity-index of the least smooth 1 % of answers",
            help: Metric::FluidityIndex.explanation(),
            cells: each(&|f| (f.fluidity_p1, share(f.fluidity_p1))),
        },
        Row {
            key: "fluidity-p50",
            label: "Fluidity-index of the median answer",
            help: "Half the answers were at least this smooth.",
            cells: each(&|f| (f.fluidity_p50, share(f.fluidity_p50))),
        },
        Row {
            key: "paused-answers",
            label: "Answers that stopped mid-way",
            help: "A stop is a gap between pieces much longer than the answer's usual rhythm \
                   (at least four times as long, and at least 0.1 s).",
            cells: each(&|f| {
                let p = &f.pauses;
                (
                    Some(p.paused_answers as f64),
                    format!("{} of {}", p.paused_answers, p.answers),
                )
            }),
        },
        Row {
            key: "longest-pause",
            label: "Longest stop",
            help: "The longest such gap in any answer.",
            cells: each(&|f| {
                let longest = f.pauses.longest();
                (
                    longest,
                    longest.map_or_else(|| "none".into(), format_seconds),
                )
            }),
        },
    ]
}

#[component]
pub fn DemoFigures(
    sides: Signal<Option<Arc<[Side; 2]>>>,
    sentences: Signal<Vec<String>>,
) -> impl IntoView {
    let app = use_app();
    let demo = use_demo();
    let open = move |i: usize| {
        if let Some(sides) = sides.get_untracked() {
            let recording = (*sides[i].recording).clone();
            crate::share::show_recording(&app, recording, Some(demo_deadlines()));
        }
    };
    let compare = move |_| {
        if let Some(sides) = sides.get_untracked() {
            app.deadlines.set(demo_deadlines());
            app.compared.set(
                sides
                    .iter()
                    .map(|s| ComparedRun {
                        label: format!("{}: {}", s.name, s.title),
                        recording: (*s.recording).clone(),
                    })
                    .collect(),
            );
            app.screen.set(Screen::Compare);
        }
    };
    let link = Memo::new(move |_| {
        (!demo.endpoint_as_a.get()).then(|| {
            format!(
                "{}{}",
                crate::browser::page_address(),
                demo_link(&demo.choice.get())
            )
        })
    });
    let copied = RwSignal::new(None::<String>);
    let copy = move |_| {
        let Some(link) = link.get_untracked() else {
            return;
        };
        wasm_bindgen_futures::spawn_local(async move {
            copied.set(Some(match crate::browser::copy_text(&link).await {
                Ok(()) => "Copied: whoever opens it watches this same demo, with no server.".into(),
                Err(problem) => problem,
            }));
        });
    };
    view! {
        <section class="demo-results" data-testid="demo-results" aria-labelledby="demo-results-title">
            <h3 id="demo-results-title">"What the figures say, over every answer"</h3>
            <ol class="demo-sentences" data-testid="demo-sentences">
                {move || sentences.get().into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}
            </ol>
            <WideTable>
                <table class="demo-figures" data-testid="demo-figures">
                    <thead>
                        <tr>
                            <th scope="col">"Figure"</th>
                            <th scope="col">"A"</th>
                            <th scope="col">"B"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || sides.get().map(|sides| rows(&sides).into_iter().map(|row| view! {
                            <tr>
                                <th scope="row">
                                    {row.label}
                                    <span class="demo-figure-help">{row.help}</span>
                                </th>
                                {row.cells.into_iter().enumerate().map(|(i, (value, text))| view! {
                                    <td data-testid=format!("demo-{}-{i}", row.key) data-side=["A", "B"][i] data-value=raw_value(value)>{text}</td>
                                }).collect_view()}
                            </tr>
                        }).collect_view())}
                    </tbody>
                </table>
            </WideTable>
            <div class="actions">
                <button class="secondary" data-testid="demo-open-0" on:click=move |_| open(0)>"All of A's figures"</button>
                <button class="secondary" data-testid="demo-open-1" on:click=move |_| open(1)>"All of B's figures"</button>
                <button class="secondary" data-testid="demo-compare" on:click=compare>"Compare A and B"</button>
                <Show when=move || link.with(Option::is_some)>
                    <button class="secondary" data-testid="demo-copy-link" on:click=copy>"Copy a link to this demo"</button>
                </Show>
            </div>
            {move || link.get().map(|link| view! {
                <input class="link-text" type="text" readonly data-testid="demo-link" prop:value=link
                    aria-label="A link to this demo"/>
            })}
            {move || copied.get().map(|c| view! { <p class="field-help" role="status">{c}</p> })}
        </section>
    }
}
