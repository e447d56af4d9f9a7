//! A URL per screen (`leptos_router`, path routing): the address follows
//! `AppState.screen` and the screen follows the address, so Back and
//! Forward move between screens and a reload opens the same one. The
//! addresses are `etalon_core::history::Route`'s. Paths, not `#` routes:
//! the fragment holds the share links, and a fragment never reaches a
//! server. A screen set in the app pushes its address; an address corrected
//! (an unknown path, `/results` gaining its run's id, the start after a
//! link opened a screen) replaces it and keeps the fragment.

use etalon_core::history::Route;
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;

use crate::browser::app_base_path;
use crate::state::{use_app, Screen};

/// The screen a route shows.
pub fn screen_of(route: &Route) -> Screen {
    match route {
        Route::Setup | Route::Unknown => Screen::Setup,
        Route::Run => Screen::Run,
        Route::Results(_) => Screen::Results,
        Route::Compare(_) => Screen::Compare,
        Route::History => Screen::History,
        Route::Demo => Screen::Demo,
    }
}

/// The route of `screen`, the results' with the shown run's id.
fn route_of(screen: Screen, shown_id: Option<String>) -> Route {
    match screen {
        Screen::Setup => Route::Setup,
        Screen::Run => Route::Run,
        Screen::Results => Route::Results(shown_id),
        Screen::Compare => Route::Compare(Vec::new()),
        Screen::History => Route::History,
        Screen::Demo => Route::Demo,
    }
}

/// Keeps the screen and the address in step. `link_opened`: a link in the
/// fragment already chose the screen at start, so the first address is
/// corrected to it rather than read.
#[component]
pub fn RouteSync(link_opened: bool) -> impl IntoView {
    let app = use_app();
    let location = use_location();
    let navigate = use_navigate();
    let base = app_base_path();
    let current = {
        let base = base.clone();
        move || {
            let path = location.pathname.get_untracked();
            let path = path
                .strip_prefix(base.as_str())
                .unwrap_or(&path)
                .to_string();
            Route::parse(&path, &location.search.get_untracked())
        }
    };
    let go = {
        let (base, navigate) = (base.clone(), navigate.clone());
        move |route: &Route, replace: bool| {
            let hash = match location.hash.get_untracked() {
                hash if !replace || hash.is_empty() => String::new(),
                hash if hash.starts_with('#') => hash,
                hash => format!("#{hash}"),
            };
            navigate(
                &format!("{base}{}{hash}", route.path()),
                NavigateOptions {
                    replace,
                    scroll: !replace,
                    ..Default::default()
                },
            );
        }
    };
    // The address to the screen.
    let first = StoredValue::new(true);
    {
        let (current, go) = (current.clone(), go.clone());
        Effect::new(move |_| {
            location.pathname.track();
            location.search.track();
            let route = current();
            if first.get_value() {
                first.set_value(false);
                if link_opened {
                    let wanted = route_of(app.screen.get_untracked(), app.shown_id.get_untracked());
                    if screen_of(&route) != screen_of(&wanted) {
                        go(&wanted, true);
                    }
                    return;
                }
            }
            if route == Route::Unknown {
                go(&Route::Setup, true);
            }
            match &route {
                Route::Results(id) => app.results_id.set(id.clone()),
                Route::Compare(ids) if !ids.is_empty() => {
                    crate::views::compare::load_kept_runs(&app, ids.clone())
                }
                _ => {}
            }
            let screen = screen_of(&route);
            if app.screen.get_untracked() != screen {
                app.screen.set(screen);
            }
        });
    }
    // The screen to the address.
    Effect::new(move |previous: Option<()>| {
        let screen = app.screen.get();
        let shown_id = app.shown_id.get();
        if previous.is_none() {
            return;
        }
        let route = current();
        if screen_of(&route) != screen {
            go(&route_of(screen, shown_id), false);
        } else if route == Route::Results(None) && shown_id.is_some() {
            // `/results` gains the id of the run it shows.
            go(&route_of(screen, shown_id), true);
        }
    });
}

/// A plain click on one of the app's own links, followed by the router
/// (a click with a modifier, or a middle click, is left to the browser:
/// a new tab). The router's own handling of `<a>` waits for `<Routes>`,
/// which this app does not use, so its links call this.
pub fn follow_link(
    event: &leptos::ev::MouseEvent,
    href: &str,
    navigate: &impl Fn(&str, NavigateOptions),
) {
    if event.button() != 0
        || event.ctrl_key()
        || event.meta_key()
        || event.shift_key()
        || event.alt_key()
    {
        return;
    }
    event.prevent_default();
    navigate(href, NavigateOptions::default());
}
