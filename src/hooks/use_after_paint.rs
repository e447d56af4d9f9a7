//! A flag that turns true after the next paint, so that a screen (and a
//! note that it is working) shows before a long computation starts.

use leptos::prelude::*;
use std::time::Duration;

/// A signal that turns true in the first task after the next paint.
pub fn use_after_paint() -> RwSignal<bool> {
    let painted = RwSignal::new(false);
    request_animation_frame(move || {
        set_timeout(move || painted.set(true), Duration::ZERO);
    });
    painted
}
