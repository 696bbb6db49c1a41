//! The markdown table the book includes as "What sessions cost", and the
//! old-against-new comparison of `--compare-with`.

use std::fmt::Write;

use crate::rounds::{median, Ratio};
use crate::scenario::Scenario;

#[derive(Debug, Clone, Copy)]
pub struct Measurement {
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Responses that were not 2xx or 3xx.
    pub bad_status: u64,
    pub socket_errors: u64,
}

impl Measurement {
    fn errors(&self) -> u64 {
        self.bad_status + self.socket_errors
    }
}

/// One row: a chapter and a request, each server's measurements round by
/// round.
pub struct Row {
    pub chapter: u8,
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
    rss: Vec<(u8, u64)>,
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

    pub fn chapter_rss(&mut self, n: u8, kib: u64) {
        self.rss.push((n, kib));
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
             and range the lowest and the highest of those ratios. Errors counts both servers' over all rounds.\n",
            self.connections, self.rounds, self.seconds
        );
        out.push_str("| chapter | request | req/s | baseline req/s | × baseline | range | p50 ms | p99 ms | errors |\n");
        out.push_str("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for row in &self.rows {
            let ratio = row.to_baseline();
            let errors: u64 =
                row.current.iter().chain(&row.baseline).map(Measurement::errors).sum();
            let _ = writeln!(
                out,
                "| {} | {} | {:.0} | {:.0} | {:.2} | {:.2}–{:.2} | {:.2} | {:.2} | {} |",
                row.chapter,
                row.request(),
                median(row.current.iter().map(|m| m.requests_per_second)),
                median(row.baseline.iter().map(|m| m.requests_per_second)),
                ratio.median,
                ratio.low,
                ratio.high,
                median(row.current.iter().map(|m| m.p50_ms)),
                median(row.current.iter().map(|m| m.p99_ms)),
                errors,
            );
        }
        self.memory(&mut out);
        out
    }

    fn memory(&self, out: &mut String) {
        let Some(baseline) = self.baseline_rss else { return };
        out.push_str("\n| server | peak RSS (MiB) | × baseline |\n| --- | ---: | ---: |\n");
        let mib = |kib: u64| kib as f64 / 1024.0;
        let _ = writeln!(out, "| baseline | {:.1} | 1.00 |", mib(baseline));
        for (n, kib) in &self.rss {
            let _ = writeln!(
                out,
                "| chapter-{n} | {:.1} | {:.2} |",
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
                "| chapter-{} | {} | {:.0} | {:.0} | {:.2} | {:.2}–{:.2} |",
                row.chapter,
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
mod tests {
    use super::thousands;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(100), "100");
        assert_eq!(thousands(1_000), "1 000");
        assert_eq!(thousands(100_000), "100 000");
    }
}
