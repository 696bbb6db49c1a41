//! What sessions cost: every chapter against a session-less baseline.
//!
//! Run with `scripts/bench` (it builds in release and installs wrk). For each
//! server it starts the release binary on loopback, drives it with wrk for a
//! bounded time, and reports requests/s, p50/p99 latency and the server's
//! peak RSS, each also as a ratio to the baseline measured in the same run.
//! The markdown table goes to stdout and, with `--out FILE`, to the book.

mod report;
mod scenario;
mod server;

use std::path::PathBuf;
use std::time::Duration;

use report::{Measurement, Report};
use scenario::Scenario;
use server::Server;

/// Options: `--seconds N` per measurement (default 10), `--connections N`
/// (default 16), `--out FILE`.
struct Options {
    seconds: u64,
    connections: u32,
    out: Option<PathBuf>,
}

fn options() -> Options {
    let mut options = Options { seconds: 10, connections: 16, out: None };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--seconds" => options.seconds = value().parse().expect("--seconds N"),
            "--connections" => options.connections = value().parse().expect("--connections N"),
            "--out" => options.out = Some(PathBuf::from(value())),
            other => panic!("unknown option {other}; see tools/bench/src/main.rs"),
        }
    }
    options
}

fn main() {
    let options = options();
    let duration = Duration::from_secs(options.seconds);
    let mut report = Report::new(options.connections, options.seconds);

    let baseline = Server::baseline();
    for scenario in [Scenario::PublicPage, Scenario::SignedInPage] {
        let m = scenario.run_baseline(&baseline, duration, options.connections);
        report.baseline(scenario, m);
    }
    let baseline_rss = baseline.peak_rss_kib();
    drop(baseline);
    report.baseline_rss(baseline_rss);

    for number in 1..=5u8 {
        let server = Server::chapter(number);
        for scenario in [Scenario::PublicPage, Scenario::SignedInPage, Scenario::SignIn] {
            let m: Measurement = scenario.run(&server, duration, options.connections);
            report.chapter(number, scenario, None, m);
        }
        if server.is_server_side() {
            for stored in [1_000, 10_000, 100_000] {
                server.fill_store(stored);
                let m = Scenario::SignedInPage.run(&server, duration, options.connections);
                report.chapter(number, Scenario::SignedInPage, Some(stored), m);
            }
        }
        report.chapter_rss(number, server.peak_rss_kib());
        if let Some((kib, keys)) = server.redis_memory() {
            report.redis_memory(kib, keys);
        }
    }

    let table = report.markdown();
    println!("{table}");
    if let Some(out) = options.out {
        std::fs::write(&out, &table).expect("write the report");
        eprintln!("wrote {}", out.display());
    }
}
