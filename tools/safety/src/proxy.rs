//! A Redis that can be taken away: a TCP proxy in front of the real one,
//! which forwards, refuses (down), or takes everything and answers nothing
//! (hanging). Each app under test talks to Redis through one of these.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

const FORWARD: u8 = 0;
const DOWN: u8 = 1;
const HANG: u8 = 2;

/// The proxy; it keeps running (on its own threads) until the test ends.
pub struct RedisProxy {
    port: u16,
    mode: Arc<AtomicU8>,
    /// Every connection made so far, both ends, to cut when Redis goes down.
    open: Arc<Mutex<Vec<TcpStream>>>,
}

impl RedisProxy {
    /// A proxy on a free loopback port, in front of the Redis at `upstream`
    /// (`host:port`).
    pub fn start(upstream: String) -> std::io::Result<RedisProxy> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let mode = Arc::new(AtomicU8::new(FORWARD));
        let open = Arc::new(Mutex::new(Vec::new()));
        let (accept_mode, accept_open) = (mode.clone(), open.clone());
        thread::spawn(move || {
            for client in listener.incoming().flatten() {
                match accept_mode.load(Ordering::SeqCst) {
                    DOWN => drop(client),
                    HANG => accept_open.lock().unwrap().push(client),
                    _ => {
                        let Ok(server) = TcpStream::connect(&upstream) else { continue };
                        connect(client, server, &accept_mode, &accept_open);
                    }
                }
            }
        });
        Ok(RedisProxy { port, mode, open })
    }

    /// The URL an app is given.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Redis is down: every connection is cut, and new ones are closed at once.
    pub fn go_down(&self) {
        self.mode.store(DOWN, Ordering::SeqCst);
        for stream in self.open.lock().unwrap().drain(..) {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }

    /// Redis hangs: connections stay open, and nothing comes back.
    pub fn hang(&self) {
        self.mode.store(HANG, Ordering::SeqCst);
    }
}

/// Copies both ways between `client` and `server` while the proxy forwards.
fn connect(
    client: TcpStream,
    server: TcpStream,
    mode: &Arc<AtomicU8>,
    open: &Arc<Mutex<Vec<TcpStream>>>,
) {
    let (Ok(client_copy), Ok(server_copy)) = (client.try_clone(), server.try_clone()) else {
        return;
    };
    {
        let mut open = open.lock().unwrap();
        open.extend(client.try_clone());
        open.extend(server.try_clone());
    }
    let (up, down) = (mode.clone(), mode.clone());
    thread::spawn(move || copy(client, server, &up));
    thread::spawn(move || copy(server_copy, client_copy, &down));
}

/// Forwards what `from` sends to `to`; in `HANG` mode it swallows it, in
/// `DOWN` mode it stops.
fn copy(mut from: TcpStream, mut to: TcpStream, mode: &AtomicU8) {
    let mut buffer = [0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        match mode.load(Ordering::SeqCst) {
            FORWARD => {
                if to.write_all(&buffer[..n]).is_err() {
                    break;
                }
            }
            HANG => continue,
            _ => break,
        }
    }
    if mode.load(Ordering::SeqCst) != HANG {
        let _ = from.shutdown(Shutdown::Both);
        let _ = to.shutdown(Shutdown::Both);
    }
}
