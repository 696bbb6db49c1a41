//! Load test: every chapter under many simultaneous browsers, on loopback.
//!
//! Run with `cargo run --release -p load-test` (60 s, 64 browsers, every
//! chapter, release binaries), or a short run as `scripts/test` does:
//!
//! ```sh
//! cargo run -p load-test -- --seconds 5 --clients 16 --debug
//! ```
//!
//! Each chapter binary is started on its own loopback port with a fresh
//! session folder and a random secret key; chapter 5 also with a key prefix
//! of its own in the Redis of `scripts/with-redis` (`SESSIONS_TEST_REDIS_URL`),
//! so run the whole test under it:
//!
//! ```sh
//! scripts/with-redis cargo run --release -p load-test
//! ```
//!
//! Each simulated browser signs in, views pages (checking on every one that
//! it is still signed in as itself), toggles the theme, signs out and checks
//! it is signed out, again and again until the time is up. The server's memory (VmRSS) is sampled every second.
//! The run fails on any 5xx, any lost session, any other surprise, a mean
//! RSS over the last 10 s more than `--rss-tolerance` percent (default 20)
//! above the mean over the first 10 s after a one-second warm-up (a third
//! of the run each, for runs shorter than 30 s), or, for the server-side
//! chapters, more session records left at the end (files, or keys in Redis)
//! than there are browsers: signing out must delete the record.

mod browser;
mod memory;

use std::process::ExitCode;
use std::time::Duration;

use browser::Tally;
use launcher::progress::Progress;
use launcher::{Chapter, Launch, Profile, Storage, CHAPTERS};
use memory::Sample;

/// What to run, from the command line.
#[derive(Debug, Clone)]
struct Options {
    seconds: u64,
    clients: usize,
    chapters: Vec<Chapter>,
    build: Profile,
    port_base: u16,
    /// Allowed growth of the mean RSS from the first window to the last, in percent.
    rss_tolerance: f64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            seconds: 60,
            clients: 64,
            chapters: CHAPTERS.to_vec(),
            build: Profile::Release,
            // Below the ephemeral range (32768–60999): the clients' own
            // connections cannot hold a port the next chapter needs.
            port_base: 22_500,
            rss_tolerance: 20.0,
        }
    }
}

/// Excluded from the first memory window.
const WARM_UP: Duration = Duration::from_secs(1);

const USAGE: &str = "usage: load-test [--seconds N] [--clients N] [--chapters 1,2,3,4,5] \
                     [--debug] [--port-base P] [--rss-tolerance PERCENT]";

fn parse_options() -> Result<Options, String> {
    let mut options = Options::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value\n{USAGE}"));
        match arg.as_str() {
            "--seconds" => options.seconds = number(&value()?)?,
            "--clients" => options.clients = number(&value()?)?,
            "--chapters" => {
                options.chapters = value()?.split(',').map(chapter).collect::<Result<_, _>>()?;
            }
            "--debug" => options.build = Profile::Debug,
            "--release" => options.build = Profile::Release,
            "--port-base" => options.port_base = number(&value()?)?,
            "--rss-tolerance" => options.rss_tolerance = number(&value()?)?,
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    // Bounded, whatever is asked: at most 10 minutes and 1024 browsers.
    if !(1..=600).contains(&options.seconds) || !(1..=1024).contains(&options.clients) {
        return Err(format!("--seconds must be 1 to 600 and --clients 1 to 1024\n{USAGE}"));
    }
    for chapter in &options.chapters {
        needs_redis(chapter)?;
    }
    Ok(options)
}

fn number<T: std::str::FromStr>(text: &str) -> Result<T, String> {
    text.parse().map_err(|_| format!("not a number: {text}"))
}

/// The chapter numbered `text`.
fn chapter(text: &str) -> Result<Chapter, String> {
    let number: u8 = number(text)?;
    let numbers: Vec<String> = CHAPTERS.iter().map(|c| c.number.to_string()).collect();
    CHAPTERS
        .into_iter()
        .find(|c| c.number == number)
        .ok_or_else(|| format!("chapters are {}\n{USAGE}", numbers.join(", ")))
}

/// The Redis chapter needs the test Redis to answer before it is run.
fn needs_redis(chapter: &Chapter) -> Result<(), String> {
    match chapter.storage() {
        Storage::SealedCookie | Storage::ServerFiles | Storage::AppStore => Ok(()),
        Storage::Redis => {
            launcher::keys::connect(&launcher::test_redis_url()).map(drop).map_err(|e| {
                format!(
                    "chapter {} keeps its sessions in Redis: {e}. Run under scripts/with-redis \
                 (`scripts/with-redis cargo run -p load-test`), or leave it out with --chapters",
                    chapter.number
                )
            })
        }
    }
}

/// The figures of one chapter's run.
struct Report {
    chapter: u8,
    tally: Tally,
    seconds: f64,
    /// Mean VmRSS (KiB) over the first and the last window, and the window length.
    rss_first: u64,
    rss_last: u64,
    window: u64,
    curve: Vec<String>,
    /// Session records the server still kept at the end, if it keeps any.
    records_left: Option<usize>,
    problems: Vec<String>,
}

/// The report's lines, as the run prints them.
impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let t = &self.tally;
        writeln!(
            f,
            "chapter {}: {} requests in {:.1} s = {:.0} req/s; {} sign-in cycles; 5xx: {}; \
             lost sessions: {}; other failures: {}; RSS first {} s {:.1} MiB, last {} s {:.1} MiB \
             ({:+.1}%) -> {}",
            self.chapter,
            t.requests,
            self.seconds,
            t.requests as f64 / self.seconds,
            t.cycles,
            t.server_errors,
            t.lost_sessions,
            t.failures,
            self.window,
            self.rss_first as f64 / 1024.0,
            self.window,
            self.rss_last as f64 / 1024.0,
            growth(self.rss_first, self.rss_last),
            if self.problems.is_empty() { "PASS" } else { "FAIL" },
        )?;
        write!(f, "  RSS: {}", self.curve.join(", "))?;
        if let Some(records) = self.records_left {
            write!(f, "\n  session records left at the end: {records}")?;
        }
        for problem in &self.problems {
            write!(f, "\n  - {problem}")?;
        }
        Ok(())
    }
}

fn growth(first: u64, last: u64) -> f64 {
    (last as f64 - first as f64) * 100.0 / (first.max(1) as f64)
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match parse_options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let numbers: Vec<u8> = options.chapters.iter().map(|c| c.number).collect();
    println!(
        "load test: {} s x {} browsers per chapter, chapters {numbers:?}, {:?} binaries, loopback ports from {}",
        options.seconds, options.clients, options.build, options.port_base
    );
    if let Err(e) = launcher::build_chapters(options.build) {
        eprintln!("cannot build the chapters: {e}");
        return ExitCode::FAILURE;
    }
    // A chapter's step: its start, the run, and the count at the end.
    let mut progress = Progress::new("load test", options.chapters.len() as u64)
        .with_estimate(Duration::from_secs(options.seconds + 2));
    let mut reports = Vec::new();
    for chapter in &options.chapters {
        progress.step(format!(
            "chapter {}: {} browsers for {} s",
            chapter.number, options.clients, options.seconds
        ));
        match run_chapter(chapter, &options).await {
            Ok(report) => {
                progress.println(report.to_string());
                reports.push(report);
            }
            Err(e) => {
                progress.println(format!("chapter {}: {e}", chapter.number));
                return ExitCode::FAILURE;
            }
        }
    }
    progress.finish();
    if reports.iter().all(|r| r.problems.is_empty()) {
        println!("load test passed");
        ExitCode::SUCCESS
    } else {
        println!("load test FAILED");
        ExitCode::FAILURE
    }
}

async fn run_chapter(chapter: &Chapter, options: &Options) -> Result<Report, String> {
    let port = options.port_base + u16::from(chapter.number);
    let launch = Launch::new(*chapter)
        .map_err(|e| e.to_string())?
        .port(port)
        .profile(options.build)
        .random_secret_key()
        .rocket("log_level", "critical");
    // Starting waits for the port: a blocking wait, off the runtime's workers.
    let server = tokio::task::block_in_place(|| launch.start()).map_err(|e| e.to_string())?;
    let duration = Duration::from_secs(options.seconds);
    let sampler = memory::sample_rss(server.pid(), duration);
    let tally = browser::run(chapter.cookie_name(), port, options.clients, duration).await;
    let samples = sampler.await.map_err(|e| e.to_string())?;
    let records_left = match server.records().map_err(|e| e.to_string())? {
        Some(mut records) => Some(records.names().map_err(|e| e.to_string())?.len()),
        None => None,
    };
    let log = server.stop();

    // Compare equal windows at both ends: 10 s, or a third of a short run.
    // The first window starts after one second of warm-up, while the
    // browsers open their connections and the allocator finds its size.
    let window = (options.seconds / 3).clamp(1, 10);
    let mean = |samples: &[Sample]| {
        samples.iter().map(|(_, kib, _)| kib).sum::<u64>() / samples.len().max(1) as u64
    };
    let warm = WARM_UP.as_secs_f64();
    let first: Vec<_> = samples
        .iter()
        .copied()
        .filter(|(t, _, _)| *t >= warm && *t < warm + window as f64)
        .collect();
    let last: Vec<_> = samples
        .iter()
        .copied()
        .filter(|(t, _, _)| *t >= (options.seconds - window) as f64)
        .collect();
    let (rss_first, rss_last) = (mean(&first), mean(&last));
    // The memory curve, one point per `window` seconds: flat, or a leak?
    let curve: Vec<String> = samples
        .iter()
        .step_by(window as usize)
        .map(|(t, kib, threads)| {
            format!("{t:.0}s {:.1} MiB/{threads} threads", *kib as f64 / 1024.0)
        })
        .collect();

    let mut problems = Vec::new();
    if tally.server_errors > 0 {
        problems.push(format!("{} responses were 5xx", tally.server_errors));
    }
    if tally.lost_sessions > 0 {
        problems.push(format!("{} sessions were lost", tally.lost_sessions));
    }
    if tally.failures > 0 {
        problems.push(format!("{} other failures, e.g. {:?}", tally.failures, tally.first_failure));
    }
    if let Some(records) = records_left.filter(|&records| records > options.clients) {
        problems.push(format!(
            "{records} session records left for {} browsers: sign-out did not delete them",
            options.clients
        ));
    }
    if tally.cycles == 0 {
        problems.push("no browser completed a sign-in cycle".into());
    }
    if first.is_empty() || last.is_empty() {
        problems.push("no memory samples".into());
    } else if growth(rss_first, rss_last) > options.rss_tolerance {
        problems.push(format!(
            "memory grew {:.1}% (tolerance {}%)",
            growth(rss_first, rss_last),
            options.rss_tolerance
        ));
    }
    if !problems.is_empty() {
        problems.push(format!("server log (last lines):\n{log}"));
    }
    Ok(Report {
        chapter: chapter.number,
        tally,
        seconds: duration.as_secs_f64(),
        rss_first,
        rss_last,
        window,
        curve,
        records_left,
        problems,
    })
}
