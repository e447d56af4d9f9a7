//! A clock that ticks only while something moves, so that an idle screen
//! runs no timer.

use gloo_timers::callback::Interval;
use leptos::prelude::*;

use crate::browser::now_unix_ms;

/// Sets `clock` to the time (Unix ms) every `every_ms` while `on` holds,
/// and at once whenever `on` changes; the timer stops with the component.
pub fn use_ticking_clock(clock: RwSignal<f64>, on: impl Into<Signal<bool>>, every_ms: u32) {
    let on = on.into();
    let ticker = StoredValue::new_local(None::<Interval>);
    Effect::new(move |_| {
        let on = on.get();
        ticker.set_value(on.then(|| Interval::new(every_ms, move || clock.set(now_unix_ms()))));
        clock.set(now_unix_ms());
    });
    on_cleanup(move || {
        ticker.try_update_value(|t| *t = None);
    });
}
