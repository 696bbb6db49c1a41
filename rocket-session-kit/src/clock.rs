//! The time source of the sessions, injectable so tests can skip five idle
//! minutes (or 31 days) without sleeping.

use std::sync::{Arc, Mutex};

use rocket::time::{Duration, OffsetDateTime};

// ANCHOR: clock
/// Tells the current time. The app reads time only through this trait.
pub trait Clock: Send + Sync + 'static {
    /// The current time, as this clock tells it.
    fn now(&self) -> OffsetDateTime;
}
// ANCHOR_END: clock

/// The wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that stands still until told to move: `advance` it to play out
/// idle time in a test. Clones share the same time.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<Mutex<OffsetDateTime>>,
}

impl ManualClock {
    /// A clock stopped at `start`. Whole seconds keep cookie dates exact.
    pub fn starting_at(start: OffsetDateTime) -> Self {
        let start = start.replace_nanosecond(0).expect("0 is a valid nanosecond");
        ManualClock { now: Arc::new(Mutex::new(start)) }
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        *self.now.lock().expect("clock lock") += by;
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        ManualClock::starting_at(OffsetDateTime::now_utc())
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *self.now.lock().expect("clock lock")
    }
}
