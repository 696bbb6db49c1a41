//! What sessions cost: every chapter against a session-less baseline.
//!
//! Run with `scripts/bench` (it builds in release and installs wrk). It
//! starts the baseline and each chapter's release binary on loopback and
//! measures them side by side: each row (a chapter and a request) is
//! several short rounds in which wrk drives the baseline and then the
//! chapter, one at a time (see `rounds.rs`). It reports requests/s, p50/p99
//! latency, the ratio to the baseline with its spread, and each server's
//! peak RSS. After chapters 1 to 4 it measures the Flask original's section
//! of the same number the same way (`scripts/flask-original`, gunicorn with
//! two workers of four threads). The markdown table goes to stdout and, with
//! `--out FILE`, to the book, with each section beside its chapter in
//! `costs-original.md` next to it; `--svg FILE` draws the ratios as a chart.
//!
//! Last, it measures the peer: the same pages on rocket_flex_session
//! (`tools/bench/peer`), with its cookie storage and with its Redis storage,
//! each against the same app without a session, in rounds of its own. What
//! compares two session crates is each one's own cost: CPU time per
//! request over its own session-less app (see `report.rs`).

mod chart;
mod report;
mod rounds;
mod scenario;
mod server;

use std::path::PathBuf;
use std::time::Duration;

use launcher::progress::Progress;
use tutorial::Storage;

use report::{Report, Row, Subject};
use rounds::{Contender, Rounds};
use scenario::Scenario;
use server::{Peer, Server, SetAside};

/// Sessions stored before the extra signed-in rows of the chapters that
/// keep them on the server.
const STORED: [usize; 3] = [1_000, 10_000, 100_000];

/// What wrk, `sync` and the switch between servers add to each server's
/// turn, for the time left before the first round is done.
const OVERHEAD: Duration = Duration::from_millis(300);

/// Options:
/// - `--seconds N`: how long each server is driven per round (default 2);
/// - `--rounds N`: rounds per row (default 5);
/// - `--connections N` (default 16);
/// - `--only 2,5` (or `chapter-2,chapter-5`, and `peer` for the peer's
///   rows): only these rows;
/// - `--compare-with DIR`: also run the chapter binaries in DIR, an older
///   build of the same chapters, in the same rounds;
/// - `--out FILE`: the markdown table (and, beside it, `costs-original.md`:
///   the original's rows beside its chapters'); `--svg FILE`: the chart.
struct Options {
    seconds: u64,
    rounds: u32,
    connections: u32,
    /// The chapters of `--only`, and whether it named the peer.
    only: Option<(Vec<u8>, bool)>,
    compare_with: Option<PathBuf>,
    out: Option<PathBuf>,
    svg: Option<PathBuf>,
}

fn options() -> Options {
    let mut options = Options {
        seconds: 2,
        rounds: 5,
        connections: 16,
        only: None,
        compare_with: None,
        out: None,
        svg: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--seconds" => options.seconds = value().parse().expect("--seconds N"),
            "--rounds" => options.rounds = value().parse().expect("--rounds N"),
            "--connections" => options.connections = value().parse().expect("--connections N"),
            "--only" => options.only = Some(chapter_list(&value())),
            "--compare-with" => options.compare_with = Some(PathBuf::from(value())),
            "--out" => options.out = Some(PathBuf::from(value())),
            "--svg" => options.svg = Some(PathBuf::from(value())),
            other => panic!("unknown option {other}; see tools/bench/src/main.rs"),
        }
    }
    assert!(options.seconds > 0 && options.rounds > 0, "--seconds and --rounds must be positive");
    options
}

/// `2,5` or `chapter-2,chapter-5`; `peer` among them for the peer.
fn chapter_list(list: &str) -> (Vec<u8>, bool) {
    let items: Vec<&str> = list.split(',').map(str::trim).collect();
    let peer = items.contains(&"peer");
    let chapters = items
        .into_iter()
        .filter(|item| *item != "peer")
        .map(|item| {
            let number = item.trim_start_matches("chapter-");
            number.parse().unwrap_or_else(|_| panic!("--only: {item:?} is not a chapter"))
        })
        .collect();
    (chapters, peer)
}

/// The peer's storages, each measured against the peer without a session.
const PEERS: [Peer; 2] = [Peer::Cookie, Peer::Redis];

/// The peer's rows, for each of its storages.
const PEER_ROWS: [Scenario; 2] = [Scenario::SignedInPage, Scenario::SignIn];

/// The peer with `peer` storage against the same app without a session,
/// request by request.
fn measure_peer(peer: Peer, rounds: &Rounds, progress: &mut Progress, report: &mut Report) {
    let yardstick = Server::peer(Peer::NoSession);
    let server = Server::peer(peer);
    for scenario in PEER_ROWS {
        let subject = Subject::Peer(peer);
        let name = format!("{}, {}", subject.name(), scenario.label());
        let contenders = [
            Contender { server: &yardstick, script: scenario.baseline_script() },
            Contender { server: &server, script: scenario.script(&server) },
        ];
        let mut measured = rounds.run(&name, &contenders, progress).into_iter();
        let (baseline, current) = (measured.next().unwrap(), measured.next().unwrap());
        report.row(Row { subject, scenario, stored: None, baseline, current, old: None });
    }
    report.rss(Subject::Peer(peer), server.peak_rss_kib());
}

/// The file, beside `--out`'s, of each section's rows beside its chapter's.
const ORIGINAL_TABLE: &str = "costs-original.md";

/// The rows of the original: the three requests (its store is not filled).
const ORIGINAL_ROWS: [Scenario; 3] =
    [Scenario::PublicPage, Scenario::SignedInPage, Scenario::SignIn];

/// The rows of chapter `number`: a request, and the sessions stored first
/// (a sign-in too, as the time it takes to write a record may grow with them).
fn rows_of(number: u8) -> Vec<(Scenario, Option<usize>)> {
    let mut rows: Vec<_> = [Scenario::PublicPage, Scenario::SignedInPage, Scenario::SignIn]
        .into_iter()
        .map(|scenario| (scenario, None))
        .collect();
    if launcher::chapter(number).storage() != Storage::SealedCookie {
        for stored in STORED {
            rows.push((Scenario::SignedInPage, Some(stored)));
            rows.push((Scenario::SignIn, Some(stored)));
        }
    }
    rows
}

/// Sections 1 to 4 of the tutorial have an original beside their chapter.
fn has_original(number: u8) -> bool {
    (1..=4).contains(&number)
}

/// The original of section `section`, request by request, in the same
/// rounds against the same baseline as the chapters.
fn measure_original(
    section: u8,
    baseline: &Server,
    rounds: &Rounds,
    progress: &mut Progress,
    report: &mut Report,
) {
    let original = Server::original(section);
    for scenario in ORIGINAL_ROWS {
        let name = format!("original-{section}, {}", scenario.label());
        let contenders = [
            Contender { server: baseline, script: scenario.baseline_script() },
            Contender { server: &original, script: scenario.script(&original) },
        ];
        let mut measured = rounds.run(&name, &contenders, progress).into_iter();
        let (baseline, current) = (measured.next().unwrap(), measured.next().unwrap());
        let subject = Subject::Original(section);
        report.row(Row { subject, scenario, stored: None, baseline, current, old: None });
    }
    report.rss(Subject::Original(section), original.peak_rss_kib());
}

fn main() {
    let options = options();
    let chapters: Vec<u8> = launcher::CHAPTERS
        .iter()
        .map(|c| c.number)
        .filter(|n| options.only.as_ref().is_none_or(|(only, _)| only.contains(n)))
        .collect();
    let peers: &[Peer] = match options.only {
        Some((_, false)) => &[],
        _ => &PEERS,
    };
    let rounds = Rounds {
        rounds: options.rounds,
        duration: Duration::from_secs(options.seconds),
        connections: options.connections,
    };
    let servers_per_row = if options.compare_with.is_some() { 3 } else { 2 };
    let originals = |n: u8| if has_original(n) { ORIGINAL_ROWS.len() } else { 0 };
    let steps: usize = chapters.iter().map(|&n| rows_of(n).len() + originals(n)).sum::<usize>()
        + peers.len() * PEER_ROWS.len();
    let mut progress = Progress::new("bench", steps as u64 * u64::from(options.rounds))
        .with_estimate((rounds.duration + OVERHEAD) * servers_per_row);
    let mut report = Report::new(options.connections, options.seconds, options.rounds);

    let set_aside = SetAside::new();
    let baseline = Server::baseline();
    for number in chapters {
        let current = Server::chapter(number);
        let old = options.compare_with.as_deref().map(|dir| Server::chapter_from(number, dir));
        for (scenario, stored) in rows_of(number) {
            let name = format!("chapter-{number}, {}", scenario.label());
            if let Some(stored) = stored {
                assert!(current.is_server_side(), "only a store on the server is filled");
                progress.println(format!("{name}: storing {stored} sessions"));
                current.fill_store(stored, &set_aside);
                if let Some(old) = &old {
                    old.fill_store(stored, &set_aside);
                }
            }
            let mut contenders = vec![
                Contender { server: &baseline, script: scenario.baseline_script() },
                Contender { server: &current, script: scenario.script(&current) },
            ];
            if let Some(old) = &old {
                contenders.push(Contender { server: old, script: scenario.script(old) });
            }
            let mut measured = rounds.run(&name, &contenders, &mut progress).into_iter();
            let (baseline, current) = (measured.next().unwrap(), measured.next().unwrap());
            report.row(Row {
                subject: Subject::Chapter(number),
                scenario,
                stored,
                baseline,
                current,
                old: measured.next(),
            });
        }
        report.rss(Subject::Chapter(number), current.peak_rss_kib());
        // The older build's records would count as chapter 5's in Redis.
        if let Some(old) = old {
            old.stop(&set_aside);
        }
        if let Some((kib, keys)) = current.redis_memory() {
            report.redis_memory(kib, keys);
        }
        current.stop(&set_aside);
        if has_original(number) {
            measure_original(number, &baseline, &rounds, &mut progress, &mut report);
        }
    }
    report.baseline_rss(baseline.peak_rss_kib());
    drop(baseline);
    for &peer in peers {
        measure_peer(peer, &rounds, &mut progress, &mut report);
    }
    progress.finish();
    eprintln!("deleting the records set aside");
    set_aside.delete();

    let table = report.markdown();
    println!("{table}");
    if let Some(comparison) = report.comparison() {
        println!("{comparison}");
    }
    let side_by_side = report.side_by_side();
    if let Some(side_by_side) = &side_by_side {
        println!("{side_by_side}");
    }
    if let Some(out) = options.out {
        std::fs::write(&out, &table).expect("write the report");
        eprintln!("wrote {}", out.display());
        // Beside it: the original's rows beside its chapters', which the
        // book's page "The original, side by side" includes.
        if let Some(side_by_side) = side_by_side {
            let path = out.with_file_name(ORIGINAL_TABLE);
            std::fs::write(&path, side_by_side).expect("write the side-by-side table");
            eprintln!("wrote {}", path.display());
        }
    }
    if let Some(svg) = options.svg {
        chart::draw(&report, &svg);
        eprintln!("wrote {}", svg.display());
    }
}
