//! What the server said about itself beside what the browser measured
//! (`etalon_core::present::server_account`): llama.cpp's prefill and per-token
//! times against TTFT and TPOT, so a user sees the network's share of the
//! latency; usage token counts against the browser's count. Shown only
//! when the server reported something.

use etalon_core::present::report::format_seconds;
use etalon_core::present::server_account::server_account;
use etalon_core::recording::Recording;
use leptos::prelude::*;
use std::sync::Arc;

use crate::components::WideTable;

#[component]
pub fn ServerAccountSection(#[prop(into)] recording: Signal<Arc<Recording>>) -> impl IntoView {
    let account = Memo::new(move |_| recording.with(|r| server_account(r)));
    move || {
        let account = account.get();
        (!account.is_empty()).then(|| {
            let rows = account
                .rows
                .iter()
                .map(|row| {
                    view! {
                        <tr data-testid=format!("server-account-{}", row.key)>
                            <th scope="row">
                                {row.browser_label}
                                <span class="muted">{format!(" / {}", row.server_label)}</span>
                            </th>
                            <td data-value=row.browser.to_string()>{format_seconds(row.browser)}</td>
                            <td data-value=row.server.to_string()>{format_seconds(row.server)}</td>
                            <td data-value=row.difference.to_string()>
                                {format_seconds(row.difference)}
                            </td>
                            <td>{row.requests}</td>
                        </tr>
                    }
                })
                .collect_view();
            let sentences = account
                .rows
                .iter()
                .map(|row| row.sentence.clone())
                .chain(account.tokens.iter().map(|t| t.sentence.clone()))
                .map(|sentence| view! { <p>{sentence}</p> })
                .collect_view();
            let table = (!account.rows.is_empty()).then(|| {
                view! {
                    <WideTable>
                        <table class="server-account-table">
                            <thead>
                                <tr>
                                    <th scope="col">"Browser measured / server reported"</th>
                                    <th scope="col">"Browser (median)"</th>
                                    <th scope="col">"Server (median)"</th>
                                    <th scope="col">"Network and queue"</th>
                                    <th scope="col">"Requests"</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </WideTable>
                }
            });
            view! {
                <section
                    class="server-account"
                    data-testid="server-account"
                    aria-labelledby="server-account-title"
                >
                    <h3 id="server-account-title">"What the server says about itself"</h3>
                    {sentences}
                    {table}
                </section>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use etalon_core::recording::{
        Chunk, Environment, Recording, RequestRecord, ServerTimings, RECORDING_VERSION,
    };
    use leptos::prelude::*;
    use wasm_bindgen_test::*;

    use super::ServerAccountSection;
    use crate::components::testing::{mount, settle};

    wasm_bindgen_test_configure!(run_in_browser);

    fn recording(timings: bool) -> Recording {
        let requests = (0..4u64)
            .map(|id| RequestRecord {
                id,
                chunks: (0..10)
                    .map(|k| Chunk {
                        at: 0.2 + 0.02 * f64::from(k),
                        tokens: 1,
                        reasoning: false,
                        server_sent_at: None,
                    })
                    .collect(),
                server_timings: timings.then(|| ServerTimings {
                    prompt_ms: Some(150.0),
                    predicted_per_token_ms: Some(18.0),
                    ..ServerTimings::default()
                }),
                ..RequestRecord::default()
            })
            .collect();
        Recording {
            version: RECORDING_VERSION,
            started_at_unix_ms: 0.0,
            config: serde_json::Value::Null,
            environment: Environment::default(),
            requests,
        }
    }

    #[wasm_bindgen_test]
    async fn llama_timings_show_beside_the_browsers_figures() {
        let (host, _mount) = mount(|| {
            view! { <ServerAccountSection recording=Signal::stored(std::sync::Arc::new(recording(true)))/> }
        });
        settle().await;
        let ttft = host
            .query_selector("[data-testid=server-account-ttft]")
            .unwrap()
            .expect("a TTFT row");
        let text = ttft.text_content().unwrap();
        assert!(text.contains("200 ms") && text.contains("150 ms"), "{text}");
        assert!(host
            .query_selector("[data-testid=server-account-tpot]")
            .unwrap()
            .is_some());
        let sentences = host.text_content().unwrap();
        assert!(sentences.contains("reading the prompt"), "{sentences}");
    }

    #[wasm_bindgen_test]
    async fn a_server_that_reports_nothing_shows_no_section() {
        let (host, _mount) = mount(|| {
            view! { <ServerAccountSection recording=Signal::stored(std::sync::Arc::new(recording(false)))/> }
        });
        settle().await;
        assert!(host
            .query_selector("[data-testid=server-account]")
            .unwrap()
            .is_none());
    }
}
