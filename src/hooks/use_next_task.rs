//! Flags that turn true a task or more later, so that a screen mounts in
//! parts and no one task keeps the page busy for 50 ms.

use leptos::prelude::*;

/// A signal that turns true in a later task than the one that created it:
/// lets a screen show its first part, then mount the rest.
pub fn use_next_task() -> RwSignal<bool> {
    use_after_tasks(1)
}

/// A signal that turns true `tasks` tasks later (each a zero timeout
/// queued by the one before, so each part renders in its own task).
pub fn use_after_tasks(tasks: u32) -> RwSignal<bool> {
    fn chain(ready: RwSignal<bool>, left: u32) {
        set_timeout(
            move || match left {
                0 | 1 => ready.set(true),
                _ => chain(ready, left - 1),
            },
            std::time::Duration::ZERO,
        );
    }
    let ready = RwSignal::new(false);
    chain(ready, tasks);
    ready
}
