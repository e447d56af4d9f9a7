//! The percentile table: p50, p90, p95, p99, mean, min and max of every
//! metric, as the core's report lays them out.

use etalon_core::present::report::{Report, PERCENTILE_COLUMNS};
use leptos::prelude::*;

use crate::components::WideTable;

#[component]
pub fn PercentileTable(report: Memo<Report>) -> impl IntoView {
    view! {
        <section class="percentiles" aria-labelledby="percentiles-title">
            <h3 id="percentiles-title">"Percentiles"</h3>
            <p class="muted">
                "p50 is the median: half the requests did at least this well. p99: all but \
                 the worst 1 %. TBT counts every gap between tokens of every answer."
            </p>
            <WideTable>
                <table class="percentile-table" data-testid="percentile-table">
                    <thead>
                        <tr>
                            <th scope="col">"Metric"</th>
                            {PERCENTILE_COLUMNS
                                .iter()
                                .map(|c| view! { <th scope="col">{*c}</th> })
                                .collect_view()}
                            <th scope="col">"values"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || {
                            report
                                .with(|r| {
                                    r.percentile_rows
                                        .iter()
                                        .map(|row| {
                                            let cells = row.cells.clone();
                                            view! {
                                                <tr>
                                                    <th scope="row" title=row.metric.explanation()>
                                                        {row.metric.short_name()}
                                                    </th>
                                                    {cells
                                                        .into_iter()
                                                        .map(|c| view! { <td>{c}</td> })
                                                        .collect_view()}
                                                    <td>{row.count}</td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()
                                })
                        }}
                    </tbody>
                </table>
            </WideTable>
        </section>
    }
}
