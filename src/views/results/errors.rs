//! The errors table, in plain sentences: what happened, to how many
//! requests, and the first message of each kind.

use etalon_core::present::report::Report;
use leptos::prelude::*;

use crate::components::WideTable;

#[component]
pub fn ErrorsTable(report: Memo<Report>) -> impl IntoView {
    view! {
        <section class="errors" aria-labelledby="errors-title">
            <h3 id="errors-title">"Errors"</h3>
            <p data-testid="errors-summary">{move || report.with(|r| r.errors_summary.clone())}</p>
            <WideTable>
                <table class="errors-table" data-testid="errors-table">
                    <thead>
                        <tr>
                            <th scope="col">"What happened"</th>
                            <th scope="col">"Requests"</th>
                            <th scope="col">"First message"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || {
                            report
                                .with(|r| {
                                    if r.errors.is_empty() {
                                        return view! {
                                            <tr>
                                                <td colspan="3" class="muted">"None: every request completed."</td>
                                            </tr>
                                        }
                                            .into_any();
                                    }
                                    r.errors
                                        .iter()
                                        .map(|row| {
                                            view! {
                                                <tr title=row.sentence()>
                                                    <td>{row.label}</td>
                                                    <td>{row.count}</td>
                                                    <td>
                                                        {row.example.clone()}
                                                        <span class="muted">
                                                            {format!(" (request #{})", row.example_id)}
                                                        </span>
                                                    </td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()
                                        .into_any()
                                })
                        }}
                    </tbody>
                </table>
            </WideTable>
        </section>
    }
}
