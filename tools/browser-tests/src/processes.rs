//! Finding the browser processes of one profile.
//!
//! Each browser the tests start has its own profile, a fresh temp folder,
//! named on the browser's command line: Chromium's `--user-data-dir=<dir>`,
//! carried by all its processes, and Firefox's `-profile <dir>`, carried by
//! the browser process alone (its content processes are its children). So
//! the processes that carry that exact argument, and their descendants, are
//! that browser's and no one else's. That is how a test waits for a browser
//! to really exit (so its cookies are on disk) and how it crashes one.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

/// A process of a profile's browser.
pub struct ProfileProcess {
    pub pid: i32,
    /// The browser process itself, not a renderer, GPU, content or utility
    /// helper.
    pub is_browser: bool,
}

struct Process {
    pid: i32,
    parent: i32,
    args: Vec<Vec<u8>>,
}

fn all_processes() -> Vec<Process> {
    let Ok(entries) = fs::read_dir("/proc") else { return Vec::new() };
    entries
        .flatten()
        .filter_map(|entry| {
            let pid: i32 = entry.file_name().to_str()?.parse().ok()?;
            let cmdline = fs::read(entry.path().join("cmdline")).ok()?;
            let stat = fs::read_to_string(entry.path().join("stat")).ok()?;
            // `pid (comm) state ppid …`: the name may hold spaces and
            // parentheses, so read after the last `)`.
            let parent = stat.rsplit_once(')')?.1.split_whitespace().nth(1)?.parse().ok()?;
            let args = cmdline.split(|&b| b == 0).map(<[u8]>::to_vec).collect();
            Some(Process { pid, parent, args })
        })
        .collect()
}

/// Does this command line name `profile` as its browser's profile?
fn names_profile(args: &[Vec<u8>], profile: &str) -> bool {
    let chromium = format!("--user-data-dir={profile}");
    args.iter().any(|arg| arg == chromium.as_bytes())
        || args.windows(2).any(|pair| pair[0] == b"-profile" && pair[1] == profile.as_bytes())
}

/// A helper process rather than the browser: Chromium's carry `--type=…`,
/// Firefox's `-contentproc`.
fn is_helper(args: &[Vec<u8>]) -> bool {
    args.iter().any(|arg| arg.starts_with(b"--type=") || arg == b"-contentproc")
}

pub fn using_profile(profile: &Path) -> Vec<ProfileProcess> {
    let profile = profile.display().to_string();
    let processes = all_processes();
    let mut children: HashMap<i32, Vec<i32>> = HashMap::new();
    for process in &processes {
        children.entry(process.parent).or_default().push(process.pid);
    }
    let mut found: Vec<ProfileProcess> = processes
        .iter()
        .filter(|process| names_profile(&process.args, &profile))
        .map(|process| ProfileProcess { pid: process.pid, is_browser: !is_helper(&process.args) })
        .collect();
    // Their descendants, which may not name the profile.
    let mut next = 0;
    while next < found.len() {
        let pid = found[next].pid;
        for &child in children.get(&pid).map(Vec::as_slice).unwrap_or_default() {
            if found.iter().all(|process| process.pid != child) {
                found.push(ProfileProcess { pid: child, is_browser: false });
            }
        }
        next += 1;
    }
    found
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
