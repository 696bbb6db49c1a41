//! Ports for the servers the tests start.
//!
//! Everything listens on 127.0.0.1, on ports 28000–28999 only, so the
//! tests never collide with a chapter running on its default port or with
//! other work on the machine.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::{Duration, Instant};

pub const FIRST: u16 = 28000;
pub const LAST: u16 = 28999;

static NEXT: AtomicU16 = AtomicU16::new(FIRST);

/// A port in the range that nothing listens on right now.
pub fn free_port() -> u16 {
    let count = LAST - FIRST + 1;
    for _ in 0..count {
        let candidate = FIRST + (NEXT.fetch_add(1, Ordering::Relaxed) - FIRST) % count;
        if TcpListener::bind(("127.0.0.1", candidate)).is_ok() {
            return candidate;
        }
    }
    panic!("no free port between {FIRST} and {LAST} on 127.0.0.1");
}

/// Waits until something accepts connections on `port`, or `timeout` passes.
pub fn answers_within(port: u16, timeout: Duration) -> bool {
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}
