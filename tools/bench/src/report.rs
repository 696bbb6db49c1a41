//! The markdown table the book includes as "What sessions cost".

use std::collections::BTreeMap;
use std::fmt::Write;

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

struct Row {
    server: String,
    scenario: Scenario,
    stored: Option<usize>,
    m: Measurement,
}

pub struct Report {
    connections: u32,
    seconds: u64,
    baseline: BTreeMap<&'static str, Measurement>,
    baseline_rss: u64,
    rows: Vec<Row>,
    rss: Vec<(u8, u64)>,
    /// Chapter 5: Redis's `used_memory` (KiB) and the keys it then held.
    redis_memory: Option<(u64, u64)>,
}

impl Report {
    pub fn new(connections: u32, seconds: u64) -> Self {
        Report {
            connections,
            seconds,
            baseline: BTreeMap::new(),
            baseline_rss: 0,
            rows: vec![],
            rss: vec![],
            redis_memory: None,
        }
    }

    pub fn baseline(&mut self, scenario: Scenario, m: Measurement) {
        self.baseline.insert(scenario.label(), m);
        self.rows.push(Row { server: "baseline".into(), scenario, stored: None, m });
    }

    pub fn baseline_rss(&mut self, kib: u64) {
        self.baseline_rss = kib;
    }

    pub fn chapter(&mut self, n: u8, scenario: Scenario, stored: Option<usize>, m: Measurement) {
        self.rows.push(Row { server: format!("chapter-{n}"), scenario, stored, m });
    }

    pub fn chapter_rss(&mut self, n: u8, kib: u64) {
        self.rss.push((n, kib));
    }

    pub fn redis_memory(&mut self, kib: u64, keys: u64) {
        self.redis_memory = Some((kib, keys));
    }

    /// The baseline a row is compared with: the same page; a sign-in (a
    /// redirect) is compared with the signed-in page.
    fn base(&self, scenario: Scenario) -> f64 {
        let key = match scenario {
            Scenario::PublicPage => Scenario::PublicPage.label(),
            _ => Scenario::SignedInPage.label(),
        };
        self.baseline[key].requests_per_second
    }

    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "wrk, {} connections, {} s per row, release builds, loopback, 2 cores shared by server and load generator.\n",
            self.connections, self.seconds
        );
        out.push_str("| server | request | stored sessions | requests/s | × baseline | p50 (ms) | p99 (ms) | errors |\n");
        out.push_str("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for row in &self.rows {
            let ratio = row.m.requests_per_second / self.base(row.scenario);
            let stored = row.stored.map_or("–".to_owned(), |n| n.to_string());
            let _ = writeln!(
                out,
                "| {} | {} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {} |",
                row.server,
                row.scenario.label(),
                stored,
                row.m.requests_per_second,
                ratio,
                row.m.p50_ms,
                row.m.p99_ms,
                row.m.bad_status + row.m.socket_errors,
            );
        }
        out.push_str("\n| server | peak RSS (MiB) | × baseline |\n| --- | ---: | ---: |\n");
        let mib = |kib: u64| kib as f64 / 1024.0;
        let _ = writeln!(out, "| baseline | {:.1} | 1.00 |", mib(self.baseline_rss));
        for (n, kib) in &self.rss {
            let _ = writeln!(
                out,
                "| chapter-{n} | {:.1} | {:.2} |",
                mib(*kib),
                *kib as f64 / self.baseline_rss as f64
            );
        }
        if let Some((kib, keys)) = self.redis_memory {
            let _ = writeln!(
                out,
                "\nRedis itself (chapter 5's store, a separate process): {:.1} MiB `used_memory` holding {keys} sessions.",
                mib(kib)
            );
        }
        out
    }
}
