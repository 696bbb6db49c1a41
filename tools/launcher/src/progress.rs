//! What a long-running tool is doing, how far it is, and the time left.
//!
//! The tools run for minutes, and a silent terminal looks like a hung one. A [`Progress`] counts a known
//! number of steps:
//!
//! ```no_run
//! use launcher::progress::Progress;
//! use std::time::Duration;
//!
//! let rows = ["chapter-1 public page", "chapter-1 signed-in page"];
//! let mut progress = Progress::new("bench", rows.len() as u64)
//!     .with_estimate(Duration::from_secs(10));
//! for row in rows {
//!     progress.step(row);
//!     // ... the work of this step ...
//! }
//! progress.finish();
//! ```
//!
//! On a terminal it draws an `indicatif` bar with the step's name and the
//! time left, updated while the step runs. When stderr is not a terminal (CI,
//! `2> log`) it writes one plain line per step instead, such as
//! `bench: step 3 of 40, chapter-2 public page, about 4:10 left`, so logs
//! stay readable and carry no escape codes.
//!
//! The time left is the mean length of the steps done so far times the
//! steps still to do, less the time already spent on the current one. Until
//! one step is done it comes from [`Progress::with_estimate`], or is shown
//! as unknown.

use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

/// A count of steps on stderr: a bar on a terminal, plain lines elsewhere.
pub struct Progress {
    title: String,
    total: u64,
    /// The number of the step under way, 0 before the first.
    current: u64,
    clock: Arc<Mutex<Clock>>,
    /// `None` when stderr is not a terminal.
    bar: Option<ProgressBar>,
}

/// When the run and the current step started; shared with the bar's
/// "time left" field, which redraws several times a second.
struct Clock {
    started: Instant,
    /// When the current step started, and how long the steps before it took.
    step_started: Instant,
    done_steps: u64,
    done_time: Duration,
    estimate: Option<Duration>,
    total: u64,
}

impl Clock {
    fn left(&self, now: Instant) -> Option<Duration> {
        time_left(
            self.done_steps,
            self.total,
            self.done_time,
            now.saturating_duration_since(self.step_started),
            self.estimate,
        )
    }
}

impl Progress {
    /// A progress of `total` steps, titled `title` (the tool's name, say).
    /// Nothing is shown until the first [`step`](Progress::step).
    pub fn new(title: &str, total: u64) -> Progress {
        let now = Instant::now();
        let clock = Arc::new(Mutex::new(Clock {
            started: now,
            step_started: now,
            done_steps: 0,
            done_time: Duration::ZERO,
            estimate: None,
            total,
        }));
        let bar = std::io::stderr().is_terminal().then(|| bar(title, total, &clock));
        Progress { title: title.to_string(), total, current: 0, clock, bar }
    }

    /// How long one step is expected to take, for the time left before the
    /// first step is done (after that, the measured mean is used).
    pub fn with_estimate(self, per_step: Duration) -> Progress {
        self.clock.lock().unwrap().estimate = Some(per_step);
        self
    }

    /// Starts the next step, named `name`: the one before it is done.
    pub fn step(&mut self, name: impl Into<String>) {
        let name = name.into();
        let now = Instant::now();
        let left = {
            let mut clock = self.clock.lock().unwrap();
            if self.current > 0 {
                clock.done_steps += 1;
                clock.done_time = now.saturating_duration_since(clock.started);
            }
            clock.step_started = now;
            clock.left(now)
        };
        self.current += 1;
        match &self.bar {
            Some(bar) => {
                bar.set_position(self.current - 1);
                bar.set_message(name);
            }
            None => eprintln!(
                "{}: step {} of {}, {name}, {}",
                self.title,
                self.current,
                self.total,
                describe_left(left)
            ),
        }
    }

    /// Prints a line of its own (a warning, a result) without breaking the
    /// bar.
    pub fn println(&self, line: impl AsRef<str>) {
        match &self.bar {
            Some(bar) => bar.println(line.as_ref()),
            None => eprintln!("{}", line.as_ref()),
        }
    }

    /// The last step is done: clears the bar and says how long it all took.
    pub fn finish(self) {
        let took = self.clock.lock().unwrap().started.elapsed();
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        eprintln!("{}: {} steps done in {}", self.title, self.current, minutes_seconds(took));
    }
}

impl Drop for Progress {
    /// A tool that panics mid-run leaves its message on a clean line.
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            if !bar.is_finished() {
                bar.abandon();
            }
        }
    }
}

fn bar(title: &str, total: u64, clock: &Arc<Mutex<Clock>>) -> ProgressBar {
    let clock = Arc::clone(clock);
    let style = ProgressStyle::with_template(
        "{prefix} [{bar:30}] {pos}/{len} done, {wide_msg} {elapsed_precise}, {left}",
    )
    .expect("a valid template")
    .progress_chars("=> ")
    .with_key("left", move |_: &ProgressState, out: &mut dyn std::fmt::Write| {
        let left = clock.lock().unwrap().left(Instant::now());
        let _ = out.write_str(&describe_left(left));
    });
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
        .with_style(style)
        .with_prefix(title.to_string());
    // The time left counts down within a step, not only between steps.
    bar.enable_steady_tick(Duration::from_millis(500));
    bar
}

/// The time left after `done` of `total` steps took `done_time`, with
/// `in_step` spent on the current one; `estimate` stands in for the mean
/// step until one is done.
fn time_left(
    done: u64,
    total: u64,
    done_time: Duration,
    in_step: Duration,
    estimate: Option<Duration>,
) -> Option<Duration> {
    let per_step =
        if done > 0 { done_time / u32::try_from(done).unwrap_or(u32::MAX) } else { estimate? };
    let to_go = u32::try_from(total.saturating_sub(done)).unwrap_or(u32::MAX);
    Some((per_step * to_go).saturating_sub(in_step))
}

fn describe_left(left: Option<Duration>) -> String {
    match left {
        Some(left) => format!("about {} left", minutes_seconds(left)),
        None => "time left unknown".to_string(),
    }
}

/// `M:SS`, or `H:MM:SS` from an hour up; rounded to the second.
fn minutes_seconds(duration: Duration) -> String {
    let seconds = (duration.as_millis() + 500) / 1000;
    let (hours, minutes, seconds) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if hours > 0 {
        format!("{hours}:{minutes:02}:{seconds:02}")
    } else {
        format!("{minutes}:{seconds:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(seconds: u64) -> Duration {
        Duration::from_secs(seconds)
    }

    #[test]
    fn the_estimate_stands_in_until_a_step_is_done() {
        assert_eq!(time_left(0, 4, s(0), s(0), None), None);
        assert_eq!(time_left(0, 4, s(0), s(3), Some(s(10))), Some(s(37)));
    }

    #[test]
    fn the_mean_of_the_steps_done_replaces_the_estimate() {
        // Two steps took 30 s: 15 s each, two to go (the current one and
        // the last), 5 s into the current one.
        assert_eq!(time_left(2, 4, s(30), s(5), Some(s(1))), Some(s(25)));
    }

    #[test]
    fn a_slow_step_does_not_go_below_zero() {
        assert_eq!(time_left(3, 4, s(30), s(60), None), Some(s(0)));
    }

    #[test]
    fn durations_read_as_minutes_and_seconds() {
        assert_eq!(minutes_seconds(s(0)), "0:00");
        assert_eq!(minutes_seconds(s(250)), "4:10");
        assert_eq!(minutes_seconds(Duration::from_millis(59_600)), "1:00");
        assert_eq!(minutes_seconds(s(3_725)), "1:02:05");
    }
}
