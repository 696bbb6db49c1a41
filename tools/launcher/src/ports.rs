//! Loopback ports for the servers the tests and tools start: ports that no
//! one else can take between the moment one is chosen and the moment its
//! server binds it.
//!
//! Asking the operating system for a free port (binding port 0) is not
//! enough for a server started afterwards: that port comes from the
//! ephemeral range, the one every outgoing connection takes its local port
//! from (cargo's downloads, a test's own HTTP clients, the browsers), so
//! one of them can hold it by the time the server binds. So ports are taken
//! from outside that range, where only servers that name their port go,
//! and each is reserved for the whole project with a lock on a file named
//! after it: two test processes running at once never pick the same one,
//! and a port stays this process's until it exits (a server restarted on
//! it finds it still free).

use std::collections::BTreeSet;
use std::fs::{self, File, TryLockError};
use std::io;
use std::net::{Ipv4Addr, TcpListener};
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Linux's default ephemeral range, for when the system's cannot be read.
const LINUX_EPHEMERAL: RangeInclusive<u16> = 32_768..=60_999;

/// The IANA's ephemeral range, which Windows and macOS use.
const IANA_EPHEMERAL: RangeInclusive<u16> = 49_152..=65_535;

/// Below this, ports belong to well-known services and to what learners
/// run by hand (the chapters on 8001–8006, the original on 5001–5004).
const LOWEST: u16 = 10_000;

/// Ports this process reserved: each with the file whose lock keeps it
/// ours until the process exits.
static RESERVED: Mutex<Vec<(u16, File)>> = Mutex::new(Vec::new());

/// A port of 127.0.0.1 for a server this process is about to start:
/// outside the ephemeral range, free right now, reserved against every
/// other process of the project until this one exits, and never given
/// twice in one process (the servers of two launches may start later, and
/// at the same time).
pub fn free_port() -> io::Result<u16> {
    let mut reserved = RESERVED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let taken: BTreeSet<u16> = reserved.iter().map(|(port, _)| *port).collect();
    let candidates = candidates();
    // A random start, so that processes starting at once rarely even try
    // the same lock.
    let mut start = [0u8; 4];
    getrandom::fill(&mut start).map_err(io::Error::other)?;
    let start = u32::from_le_bytes(start) as usize % candidates.len().max(1);
    let folder = lock_folder()?;
    let (after, before) = candidates.split_at(start);
    for &port in before.iter().chain(after) {
        if taken.contains(&port) {
            continue;
        }
        if let Some(lock) = try_reserve(&folder, port)? {
            reserved.push((port, lock));
            return Ok(port);
        }
    }
    Err(io::Error::other("no free port of 127.0.0.1 outside the ephemeral range"))
}

/// The ports chosen from: every one from [`LOWEST`] up that is outside the
/// ephemeral range.
fn candidates() -> Vec<u16> {
    let ephemeral = ephemeral_range();
    (LOWEST..=u16::MAX).filter(|port| !ephemeral.contains(port)).collect()
}

/// Where the system takes outgoing connections' local ports from.
fn ephemeral_range() -> RangeInclusive<u16> {
    if !cfg!(target_os = "linux") {
        return IANA_EPHEMERAL;
    }
    let read = fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").ok();
    let parsed = read.and_then(|text| {
        let mut numbers = text.split_whitespace().map(|n| n.parse::<u16>().ok());
        Some(numbers.next()??..=numbers.next()??)
    });
    parsed.unwrap_or(LINUX_EPHEMERAL)
}

/// The folder of the lock files, one per port, shared by every process of
/// every checkout on the machine. The files stay: removing one another
/// process may be locking would let two processes lock "the same" port.
fn lock_folder() -> io::Result<PathBuf> {
    let folder = std::env::temp_dir().join("sessions-in-rocket-ports");
    fs::create_dir_all(&folder)?;
    Ok(folder)
}

/// The lock on `port`'s file, if no other process holds it and nothing
/// listens on the port (a program outside the project may).
fn try_reserve(folder: &Path, port: u16) -> io::Result<Option<File>> {
    let path = folder.join(format!("{port}.lock"));
    let file = File::options().create(true).truncate(false).write(true).open(path)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => return Ok(None),
        Err(TryLockError::Error(e)) => return Err(e),
    }
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, port)).is_ok().then_some(file))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_outside_the_ephemeral_range_and_never_given_twice() {
        let ephemeral = ephemeral_range();
        let ports: Vec<u16> = (0..50).map(|_| free_port().unwrap()).collect();
        for port in &ports {
            assert!(!ephemeral.contains(port), "{port} is in {ephemeral:?}");
            assert!(*port >= LOWEST, "{port}");
        }
        let distinct: BTreeSet<u16> = ports.iter().copied().collect();
        assert_eq!(distinct.len(), ports.len(), "{ports:?}");
    }

    #[test]
    fn a_port_reserved_by_another_process_is_skipped() {
        // Another process's reservation is a lock on the port's file that
        // this process cannot take: a second handle's lock stands for it.
        let port = free_port().unwrap();
        let folder = lock_folder().unwrap();
        assert!(try_reserve(&folder, port).unwrap().is_none(), "{port} is held");
    }

    #[test]
    fn a_port_something_listens_on_is_skipped() {
        let folder = lock_folder().unwrap();
        let (port, _listener) = candidates()
            .into_iter()
            .find_map(|port| Some((port, TcpListener::bind((Ipv4Addr::LOCALHOST, port)).ok()?)))
            .expect("a candidate port to listen on");
        assert!(try_reserve(&folder, port).unwrap().is_none(), "{port} is listened on");
    }
}
