//! The markdown table the book includes as "What sessions cost", and the
//! old-against-new comparison of `--compare-with`.

use std::fmt::Write;

use crate::rounds::{median, Ratio};
use crate::scenario::Scenario;
use crate::server::Peer;

#[derive(Debug, Clone, Copy)]
pub struct Measurement {
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Responses that were not 2xx or 3xx.
    pub bad_status: u64,
    pub socket_errors: u64,
    /// The server's CPU time (user and system, with Redis's for a session
    /// kept there) over the requests it answered, in microseconds.
    pub cpu_us_per_request: f64,
}

impl Measurement {
    fn errors(&self) -> u64 {
        self.bad_status + self.socket_errors
    }
}

/// What a row measures: a chapter, or the Flask original of a tutorial
/// section (`scripts/flask-original N`, gunicorn with two workers of four threads).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Chapter(u8),
    Original(u8),
    /// rocket_flex_session, measured against the same app without it.
    Peer(Peer),
}

impl Subject {
    /// How the tables name it: `chapter-2`, `original-2`.
    pub fn name(self) -> String {
        match self {
            Subject::Chapter(n) => format!("chapter-{n}"),
            Subject::Original(n) => format!("original-{n}"),
            Subject::Peer(Peer::Cookie) => "rocket_flex_session, cookie".to_owned(),
            Subject::Peer(Peer::Redis) => "rocket_flex_session, Redis".to_owned(),
            Subject::Peer(Peer::NoSession) => "rocket_flex_session's app, no session".to_owned(),
        }
    }

    /// The chart's heading of its rows.
    pub fn heading(self) -> String {
        match self {
            Subject::Chapter(n) => format!("Chapter {n}: {}", launcher::chapter(n).section),
            Subject::Original(n) => {
                format!(
                    "The original, section {n}: Flask under gunicorn, two workers of four threads"
                )
            }
            Subject::Peer(_) => format!(
                "{}, against its app without a session",
                self.name().replace("rocket_flex_session", "The peer, rocket_flex_session 0.2")
            ),
        }
    }
}

/// One row: a chapter (or the original) and a request, each server's
/// measurements round by round.
pub struct Row {
    pub subject: Subject,
    pub scenario: Scenario,
    pub stored: Option<usize>,
    pub baseline: Vec<Measurement>,
    pub current: Vec<Measurement>,
    /// The older build of `--compare-with`, when given.
    pub old: Option<Vec<Measurement>>,
}

impl Row {
    /// The chapter's requests/s as a ratio to the baseline's.
    pub fn to_baseline(&self) -> Ratio {
        Ratio::of(&self.current, &self.baseline)
    }

    /// The session's own cost: the median over the rounds of the CPU time
    /// per request beyond the baseline's in the same round, in µs, with the
    /// lowest and the highest.
    pub fn own_cost(&self) -> (f64, f64, f64) {
        let costs: Vec<f64> = self
            .current
            .iter()
            .zip(&self.baseline)
            .map(|(c, b)| c.cpu_us_per_request - b.cpu_us_per_request)
            .collect();
        let low = costs.iter().copied().fold(f64::INFINITY, f64::min);
        let high = costs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (median(costs), low, high)
    }

    /// What the row measures, as the table and the chart name it.
    pub fn request(&self) -> String {
        match self.stored {
            Some(n) => format!("{}, {} stored", self.scenario.label(), thousands(n)),
            None => self.scenario.label().to_owned(),
        }
    }
}

pub struct Report {
    connections: u32,
    seconds: u64,
    rounds: u32,
    rows: Vec<Row>,
    baseline_rss: Option<u64>,
    rss: Vec<(Subject, u64)>,
    /// Chapter 5: Redis's `used_memory` (KiB) and the keys it then held.
    redis_memory: Option<(u64, u64)>,
}

impl Report {
    pub fn new(connections: u32, seconds: u64, rounds: u32) -> Self {
        Report {
            connections,
            seconds,
            rounds,
            rows: vec![],
            baseline_rss: None,
            rss: vec![],
            redis_memory: None,
        }
    }

    pub fn row(&mut self, row: Row) {
        self.rows.push(row);
    }

    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    pub fn rounds(&self) -> u32 {
        self.rounds
    }

    pub fn baseline_rss(&mut self, kib: u64) {
        self.baseline_rss = Some(kib);
    }

    /// The peak memory of a chapter, or the sum of the original's
    /// processes' peaks (gunicorn and its workers).
    pub fn rss(&mut self, subject: Subject, kib: u64) {
        self.rss.push((subject, kib));
    }

    pub fn redis_memory(&mut self, kib: u64, keys: u64) {
        self.redis_memory = Some((kib, keys));
    }

    /// The table the book includes.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
        let _ = writeln!(
            out,
            "wrk, {} connections, release builds, loopback, {cores} cores shared by the servers and the load generator. \
             Each row is {} rounds; in each round the baseline and then the chapter are driven for {} s each. \
             req/s (requests per second), p50 and p99 are the chapter's medians over the rounds, \
             and baseline req/s the baseline's; \
             × baseline is the median of the per-round ratios of the chapter's req/s to the baseline's, \
             and range the lowest and the highest of those ratios. Errors counts both servers' over all rounds. \
             CPU µs is the server's CPU time per request (user and system, from `/proc`, with Redis's own for a session kept there), \
             the median over the rounds; own µs is what the session adds to it: the median of the per-round differences \
             from the baseline's, with their range. \
             The original-N rows are the Flask tutorial's app, section N (`scripts/flask-original N`), \
             under gunicorn with two workers of four threads, in the same rounds against the same baseline. \
             The rocket_flex_session rows are the peer (`tools/bench/peer`): the same pages and templates on that crate, \
             measured against the same app without a session, its own baseline. \
             A sign-in row with sessions stored starts from that many; each of its sign-ins adds one.\n",
            self.connections, self.rounds, self.seconds
        );
        out.push_str("| chapter | request | req/s | baseline req/s | × baseline | range | CPU µs | own µs | range | p50 ms | p99 ms | errors |\n");
        out.push_str(
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n",
        );
        for row in &self.rows {
            let ratio = row.to_baseline();
            let errors: u64 =
                row.current.iter().chain(&row.baseline).map(Measurement::errors).sum();
            let (own, own_low, own_high) = row.own_cost();
            let _ = writeln!(
                out,
                "| {} | {} | {:.0} | {:.0} | {:.2} | {:.2}–{:.2} | {:.1} | {:.1} | {:.1} to {:.1} | {:.2} | {:.2} | {} |",
                row.subject.name(),
                row.request(),
                median(row.current.iter().map(|m| m.requests_per_second)),
                median(row.baseline.iter().map(|m| m.requests_per_second)),
                ratio.median,
                ratio.low,
                ratio.high,
                median(row.current.iter().map(|m| m.cpu_us_per_request)),
                own,
                own_low,
                own_high,
                median(row.current.iter().map(|m| m.p50_ms)),
                median(row.current.iter().map(|m| m.p99_ms)),
                errors,
            );
        }
        if let Some(own_costs) = self.own_costs() {
            out.push('\n');
            out.push_str(&own_costs);
        }
        self.memory(&mut out);
        out
    }

    /// Each session's own cost beside the peer's, for the same kind of
    /// storage and the same request: the sealed cookie (chapter 3) beside
    /// rocket_flex_session's cookie storage, Redis (chapter 5) beside its
    /// Redis storage. `None` when the run measured no peer.
    pub fn own_costs(&self) -> Option<String> {
        let row_of = |subject: Subject, scenario: Scenario| {
            self.rows
                .iter()
                .find(|r| r.subject == subject && r.scenario == scenario && r.stored.is_none())
        };
        let mut out = String::from(
            "Each session's own cost: CPU time per request over its own app without a session, \
             measured in the same rounds (median over the rounds, and the range), with the requests/s as a ratio \
             to that same app. Lower µs is cheaper.\n\n\
             | session | request | own µs | range | its baseline's CPU µs | × its baseline |\n\
             | --- | --- | ---: | ---: | ---: | ---: |\n",
        );
        let pairs = [
            (Subject::Chapter(3), Subject::Peer(Peer::Cookie)),
            (Subject::Chapter(5), Subject::Peer(Peer::Redis)),
        ];
        let mut any = false;
        for (chapter, peer) in pairs {
            for scenario in [Scenario::SignedInPage, Scenario::SignIn] {
                let (Some(ours), Some(theirs)) =
                    (row_of(chapter, scenario), row_of(peer, scenario))
                else {
                    continue;
                };
                any = true;
                for (subject, row) in [(chapter, ours), (peer, theirs)] {
                    let (own, low, high) = row.own_cost();
                    let _ = writeln!(
                        out,
                        "| {} | {} | {:.1} | {:.1} to {:.1} | {:.1} | {:.2} |",
                        subject.name(),
                        scenario.label(),
                        own,
                        low,
                        high,
                        median(row.baseline.iter().map(|m| m.cpu_us_per_request)),
                        row.to_baseline().median,
                    );
                }
            }
        }
        any.then_some(out)
    }

    fn memory(&self, out: &mut String) {
        let Some(baseline) = self.baseline_rss else { return };
        out.push_str("\n| server | peak RSS (MiB) | × baseline |\n| --- | ---: | ---: |\n");
        let mib = |kib: u64| kib as f64 / 1024.0;
        let _ = writeln!(out, "| baseline | {:.1} | 1.00 |", mib(baseline));
        for (subject, kib) in &self.rss {
            let _ = writeln!(
                out,
                "| {} | {:.1} | {:.2} |",
                subject.name(),
                mib(*kib),
                *kib as f64 / baseline as f64
            );
        }
        if let Some((kib, keys)) = self.redis_memory {
            let _ = writeln!(
                out,
                "\nRedis itself (chapter 5's store, a separate process): {:.1} MiB `used_memory` holding {keys} sessions.",
                mib(kib)
            );
        }
    }

    /// Each section of the tutorial beside its chapter: the rows both have,
    /// as ratios to the same baseline, and their memory. `None` when the
    /// run measured no original.
    pub fn side_by_side(&self) -> Option<String> {
        let row_of = |subject: Subject, scenario: Scenario| {
            self.rows
                .iter()
                .find(|r| r.subject == subject && r.scenario == scenario && r.stored.is_none())
        };
        let rss_of =
            |subject: Subject| self.rss.iter().find(|(s, _)| *s == subject).map(|(_, kib)| *kib);
        let mut out = format!(
            "Measured by `scripts/bench` in one run with the chapters ({} rounds of {} s per server, \
             {} connections, the same baseline): each section of the tutorial under gunicorn with two \
             workers of four threads (`scripts/flask-original N`) beside its chapter, as the median of the per-round ratios \
             of its requests/s to the session-less baseline's. Above 1 is faster than the baseline.\n\n\
             | section | request | chapter × baseline | original × baseline |\n\
             | --- | --- | ---: | ---: |\n",
            self.rounds, self.seconds, self.connections
        );
        let mut any = false;
        for n in 1..=4 {
            for scenario in [Scenario::PublicPage, Scenario::SignedInPage, Scenario::SignIn] {
                let (Some(chapter), Some(original)) =
                    (row_of(Subject::Chapter(n), scenario), row_of(Subject::Original(n), scenario))
                else {
                    continue;
                };
                any = true;
                let _ = writeln!(
                    out,
                    "| {n} | {} | {:.2} | {:.2} |",
                    scenario.label(),
                    chapter.to_baseline().median,
                    original.to_baseline().median
                );
            }
        }
        out.push_str("\n| section | peak RSS, chapter (MiB) | peak RSS, original (MiB) |\n| --- | ---: | ---: |\n");
        for n in 1..=4 {
            if let (Some(chapter), Some(original)) =
                (rss_of(Subject::Chapter(n)), rss_of(Subject::Original(n)))
            {
                let _ = writeln!(
                    out,
                    "| {n} | {:.1} | {:.1} |",
                    chapter as f64 / 1024.0,
                    original as f64 / 1024.0
                );
            }
        }
        out.push_str(
            "\nThe original's memory is the sum of its three processes' peaks: gunicorn and its two workers.\n",
        );
        any.then_some(out)
    }

    /// With `--compare-with`: the current build against the older one,
    /// measured in the same rounds. `None` without it.
    pub fn comparison(&self) -> Option<String> {
        if self.rows.iter().all(|row| row.old.is_none()) {
            return None;
        }
        let mut out = String::from(
            "This build against the older one (--compare-with), taking turns in the same rounds. \
             new ÷ old is the median of the per-round ratios of this build's requests/s to the older build's; \
             above 1 this build is faster. range: the lowest and the highest of those ratios.\n\n\
             | server | request | requests/s, this build | requests/s, old build | new ÷ old | range |\n\
             | --- | --- | ---: | ---: | ---: | ---: |\n",
        );
        for row in &self.rows {
            let Some(old) = &row.old else { continue };
            let ratio = Ratio::of(&row.current, old);
            let _ = writeln!(
                out,
                "| {} | {} | {:.0} | {:.0} | {:.2} | {:.2}–{:.2} |",
                row.subject.name(),
                row.request(),
                median(row.current.iter().map(|m| m.requests_per_second)),
                median(old.iter().map(|m| m.requests_per_second)),
                ratio.median,
                ratio.low,
                ratio.high,
            );
        }
        Some(out)
    }
}

/// `100000` as `100 000`, as the book writes it.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A round's figures with these requests/s.
    pub(crate) fn at(requests_per_second: f64) -> Measurement {
        Measurement {
            requests_per_second,
            p50_ms: 1.0,
            p99_ms: 2.0,
            bad_status: 0,
            socket_errors: 0,
            cpu_us_per_request: 1e6 / requests_per_second,
        }
    }

    fn row(subject: Subject, scenario: Scenario, rps: f64) -> Row {
        let (baseline, current) = (vec![at(100.0)], vec![at(rps)]);
        Row { subject, scenario, stored: None, baseline, current, old: None }
    }

    #[test]
    fn each_section_sits_beside_its_chapter_as_ratios() {
        let mut report = Report::new(16, 2, 1);
        report.row(row(Subject::Chapter(2), Scenario::SignIn, 80.0));
        report.row(row(Subject::Original(2), Scenario::SignIn, 40.0));
        report.row(row(Subject::Chapter(3), Scenario::SignIn, 90.0));
        report.rss(Subject::Chapter(2), 10 * 1024);
        report.rss(Subject::Original(2), 60 * 1024);
        let table = report.side_by_side().expect("an original was measured");
        assert!(table.contains("| 2 | POST /login | 0.80 | 0.40 |"), "{table}");
        assert!(!table.contains("| 3 |"), "chapter 3 without its original: {table}");
        assert!(table.contains("| 2 | 10.0 | 60.0 |"), "{table}");
        assert!(report.markdown().contains("| original-2 | POST /login |"));
        assert_eq!(Report::new(16, 2, 1).side_by_side(), None, "no original, no table");
    }

    #[test]
    fn each_session_sits_beside_its_peer_by_its_own_cost() {
        let mut report = Report::new(16, 2, 1);
        // CPU µs per request is 1e6 / req/s in these figures: the baseline's
        // 10 000, chapter 3's 20 000 (its own cost 10 000), the peer's
        // 25 000 over its own baseline's 12 500.
        report.row(row(Subject::Chapter(3), Scenario::SignedInPage, 50.0));
        let mut peer = row(Subject::Peer(Peer::Cookie), Scenario::SignedInPage, 40.0);
        peer.baseline = vec![at(80.0)];
        report.row(peer);
        let table = report.own_costs().expect("a peer was measured");
        assert!(table.contains("| chapter-3 | GET /about, signed in | 10000.0 | 10000.0 to 10000.0 | 10000.0 | 0.50 |"), "{table}");
        assert!(table.contains("| rocket_flex_session, cookie | GET /about, signed in | 12500.0 | 12500.0 to 12500.0 | 12500.0 | 0.50 |"), "{table}");
        assert!(!table.contains("chapter-5"), "no Redis peer, no Redis pair: {table}");
        assert_eq!(Report::new(16, 2, 1).own_costs(), None, "no peer, no table");
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(100), "100");
        assert_eq!(thousands(1_000), "1 000");
        assert_eq!(thousands(100_000), "100 000");
    }
}
