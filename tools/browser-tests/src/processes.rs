//! Finding the Chromium processes of one profile.
//!
//! Each browser the tests start has its own `--user-data-dir`, a fresh temp
//! folder, so the processes that carry that exact argument are that
//! browser's and no one else's. That is how a test waits for a browser to
//! really exit (so its cookies are on disk) and how it crashes one.

use std::fs;
use std::path::Path;

/// A process started with `--user-data-dir=<profile>`.
pub struct ProfileProcess {
    pub pid: i32,
    /// The browser process itself, not a renderer, GPU or utility helper
    /// (those carry `--type=...`).
    pub is_browser: bool,
}

pub fn using_profile(profile: &Path) -> Vec<ProfileProcess> {
    let flag = format!("--user-data-dir={}", profile.display());
    let Ok(entries) = fs::read_dir("/proc") else { return Vec::new() };
    entries
        .flatten()
        .filter_map(|entry| {
            let pid: i32 = entry.file_name().to_str()?.parse().ok()?;
            let cmdline = fs::read(entry.path().join("cmdline")).ok()?;
            let args: Vec<&[u8]> = cmdline.split(|&b| b == 0).collect();
            if !args.contains(&flag.as_bytes()) {
                return None;
            }
            let is_browser = !args.iter().any(|arg| arg.starts_with(b"--type="));
            Some(ProfileProcess { pid, is_browser })
        })
        .collect()
}

/// Which processes of a profile [`kill`] aims at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// The browser process alone, as a crash would take it; its helpers
    /// notice and follow.
    Browser,
    /// Every process of the profile: the clean-up after a failed test.
    All,
}

/// Kills processes of the profile with SIGKILL; returns how many.
pub fn kill(profile: &Path, which: Which) -> usize {
    let targets: Vec<i32> = using_profile(profile)
        .into_iter()
        .filter(|process| which == Which::All || process.is_browser)
        .map(|process| process.pid)
        .collect();
    for &pid in &targets {
        // SAFETY: kill(2) has no memory-safety preconditions; the pid was
        // read from /proc a moment ago and carries this profile's folder.
        unsafe { libc::kill(pid, libc::SIGKILL) };
    }
    targets.len()
}
