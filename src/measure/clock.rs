//! The measurement clock: `performance.now()` of the worker, in seconds, and
//! the wall-clock time of its origin (so the page can line the two up).

use web_sys::Performance;

/// The worker's high-resolution clock.
#[derive(Clone)]
pub struct Clock {
    performance: Performance,
}

impl Clock {
    /// The clock of the current global scope (worker or window).
    pub fn here() -> Clock {
        let performance = crate::browser::performance().expect("performance.now() is available");
        Clock { performance }
    }

    /// Seconds since this scope's time origin.
    pub fn now(&self) -> f64 {
        self.performance.now() / 1000.0
    }

    /// Milliseconds since the Unix epoch, at full `now()` resolution.
    pub fn unix_ms(&self) -> f64 {
        self.performance.time_origin() + self.performance.now()
    }

    /// The smallest step of `now()` seen over many reads, in seconds: the
    /// timer resolution this browser grants this page.
    pub fn resolution(&self) -> f64 {
        let mut smallest = f64::INFINITY;
        let mut last = self.performance.now();
        let mut steps = 0;
        for _ in 0..200_000 {
            let now = self.performance.now();
            if now > last {
                smallest = smallest.min(now - last);
                last = now;
                steps += 1;
                if steps >= 50 {
                    break;
                }
            }
        }
        smallest / 1000.0
    }
}
