//! The top of the app: the page frame, its header and the screen switch.

use leptos::prelude::*;

use crate::browser::cross_origin_isolated;
use crate::runner::Runner;
use crate::state::{use_app, AppState, Screen};
use crate::views::compare::CompareView;
use crate::views::demo::{DemoOffer, DemoState, DemoView};
use crate::views::history::HistoryView;
use crate::views::shared_link::{LinkBanner, ShareBar};
use crate::views::{results::ResultsView, run::RunView, setup::SetupView};

/// The app's version, from Cargo.toml.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[component]
pub fn App() -> impl IntoView {
    let runner = match Runner::start() {
        Ok(runner) => runner,
        Err(message) => {
            return view! {
                <Header/>
                <main class="app-main"><p class="problem" role="alert">{message}</p></main>
            }
            .into_any()
        }
    };
    let app = AppState::new(runner);
    provide_context(app);
    // The demo's own state; it follows a real run it started on any screen.
    let demo = DemoState::new();
    provide_context(demo);
    crate::views::demo::follow_real_runs(app, demo);
    // A link in the address fills the set-up, shows a result or plays a
    // demo; it never sends a request. A link pasted into the open tab does
    // the same.
    let notice = RwSignal::new(crate::views::demo::open_link_in_address(&app, &demo));
    // A link that opened a screen (a demo link shows no notice) chooses the
    // first address; a bad one leaves the address to choose.
    let link_opened = app.screen.get_untracked() != Screen::Setup
        || notice.with_untracked(|n| {
            n.as_ref()
                .is_some_and(|n| !matches!(n, crate::share::LinkNotice::Problem(_)))
        });
    crate::history::keep_finished_runs(app);
    crate::browser::on_hash_change(move || {
        if let Some(opened) = crate::views::demo::open_link_in_address(&app, &demo) {
            notice.set(Some(opened));
        }
    });
    // Opened with no link: does the set-up's endpoint answer? (The demo is
    // offered when it does not.)
    crate::views::demo::probe_endpoint_at_start(&app, &demo);
    view! {
        <leptos_router::components::Router>
            <crate::routing::RouteSync link_opened/>
            <Header/>
            <Nav/>
            <main class="app-main">
                <LinkBanner notice/>
                <DemoOffer/>
                <Screens/>
                <ShareBar/>
            </main>
        </leptos_router::components::Router>
    }
    .into_any()
}

#[component]
fn Header() -> impl IntoView {
    let isolated = cross_origin_isolated();
    view! {
        <header class="app-header" data-testid="app-header">
            <h1>"etalon-web"</h1>
            <span class="version" data-testid="app-version">"v" {VERSION}</span>
            <span class="clock" data-testid="clock-status" title="Cross-origin isolation gives the browser's clock its finest resolution.">
                {if isolated {
                    view! { "Precise clock" <span class="clock-detail">": this page is cross-origin isolated."</span> }.into_any()
                } else {
                    view! { "Coarse clock" <span class="clock-detail">": this page is not cross-origin isolated, so timings are rounded more."</span> }.into_any()
                }}
            </span>
        </header>
    }
}

#[component]
fn Nav() -> impl IntoView {
    let app = use_app();
    // The step number hides on a phone, so that the tabs fit one line.
    let tab = move |screen: Screen, step: &'static str, label: &'static str| {
        view! {
            <button
                class="tab"
                data-testid=format!("tab-{}", format!("{screen:?}").to_lowercase())
                class:active=move || app.screen.get() == screen
                aria-current=move || (app.screen.get() == screen).then_some("page")
                on:click=move |_| app.screen.set(screen)
            >
                {(!step.is_empty()).then(|| view! { <span class="tab-step">{step}</span> })}
                {label}
            </button>
        }
    };
    view! {
        <nav class="tabs" aria-label="Screens">
            {tab(Screen::Demo, "", "Demo")}
            {tab(Screen::Setup, "1. ", "Set up")}
            {tab(Screen::Run, "2. ", "Run")}
            {tab(Screen::Results, "3. ", "Results")}
            {tab(Screen::Compare, "4. ", "Compare")}
            {tab(Screen::History, "", "History")}
        </nav>
    }
}

#[component]
fn Screens() -> impl IntoView {
    let app = use_app();
    move || match app.screen.get() {
        Screen::Demo => view! { <DemoView/> }.into_any(),
        Screen::Setup => view! { <SetupView/> }.into_any(),
        Screen::Run => view! { <RunView/> }.into_any(),
        Screen::Results => view! { <ResultsView/> }.into_any(),
        Screen::Compare => view! { <CompareView/> }.into_any(),
        Screen::History => view! { <HistoryView/> }.into_any(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn header_shows_the_name_and_version() {
        let document = web_sys::window().unwrap().document().unwrap();
        let host = document.create_element("div").unwrap();
        document.body().unwrap().append_child(&host).unwrap();
        let host: web_sys::HtmlElement = wasm_bindgen::JsCast::unchecked_into(host);
        let _handle = leptos::mount::mount_to(host.clone(), Header);
        let text = host.text_content().unwrap();
        assert!(text.contains("etalon-web"), "{text}");
        assert!(text.contains(VERSION), "{text}");
    }
}
