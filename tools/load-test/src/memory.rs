//! The server's resident memory, read from Linux's `/proc/<pid>/status`.

use std::time::{Duration, Instant};

/// One reading: seconds since sampling began, `VmRSS` in KiB, threads.
pub type Sample = (f64, u64, u64);

/// Samples the memory of process `pid` every second for `duration`.
pub fn sample_rss(pid: u32, duration: Duration) -> tokio::task::JoinHandle<Vec<Sample>> {
    let status = format!("/proc/{pid}/status");
    tokio::spawn(async move {
        let start = Instant::now();
        let mut ticks = tokio::time::interval(Duration::from_secs(1));
        let mut samples = Vec::new();
        while start.elapsed() <= duration {
            ticks.tick().await;
            if let Some((kib, threads)) = vm_rss(&status) {
                samples.push((start.elapsed().as_secs_f64(), kib, threads));
            }
        }
        samples
    })
}

/// `VmRSS` (in KiB) and `Threads` of `/proc/PID/status`.
fn vm_rss(status: &str) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(status).ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        line.split_whitespace().nth(1)?.parse().ok()
    };
    Some((field("VmRSS:")?, field("Threads:")?))
}
