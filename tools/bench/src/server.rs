//! Starting the release binaries on loopback, and reading their memory.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sessions::store::{FileStore, SessionId, StoredSession};
use sessions::{SessionData, Theme};
use tempfile::TempDir;

/// Ports 24100 and up: away from the chapters' own 8001–8004, and below
/// the kernel's ephemeral range (32768–60999), where a client connection
/// of an earlier run could hold the port.
const BASE_PORT: u16 = 24100;

/// A server under test; killed when dropped.
pub struct Server {
    pub name: String,
    pub port: u16,
    pub chapter: Option<u8>,
    child: Child,
    session_dir: TempDir,
}

/// The folder holding this program, where cargo also put the chapters.
fn binary(name: &str) -> PathBuf {
    let dir = std::env::current_exe().expect("own path").parent().expect("a folder").to_owned();
    let path = dir.join(name);
    assert!(path.exists(), "{} is missing: run scripts/bench, which builds it", path.display());
    path
}

fn workspace_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(name)
}

/// A fresh release-profile key (64 hex digits): the release build refuses
/// to launch without one.
fn secret_key() -> String {
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).expect("randomness");
    key.iter().map(|b| format!("{b:02x}")).collect()
}

impl Server {
    pub fn baseline() -> Server {
        Server::start("baseline", None, BASE_PORT)
    }

    pub fn chapter(number: u8) -> Server {
        Server::start(&format!("chapter-{number}"), Some(number), BASE_PORT + u16::from(number))
    }

    fn start(name: &str, chapter: Option<u8>, port: u16) -> Server {
        let session_dir = tempfile::tempdir().expect("a temporary folder");
        let child = Command::new(binary(name))
            .env("ROCKET_CONFIG", workspace_file("Rocket.toml"))
            .env("ROCKET_PROFILE", "release")
            .env("ROCKET_PORT", port.to_string())
            .env("ROCKET_SESSION_DIR", session_dir.path())
            .env("ROCKET_SECRET_KEY", secret_key())
            .env("ROCKET_LOG_LEVEL", "off")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("start {name}: {e}"));
        let server = Server { name: name.to_owned(), port, chapter, child, session_dir };
        server.wait_until_listening();
        server
    }

    fn wait_until_listening(&self) {
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(start.elapsed() < Duration::from_secs(20), "{} did not start", self.name);
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn cookie_name(&self) -> String {
        format!("chapter{}_session", self.chapter.expect("a chapter"))
    }

    pub fn is_server_side(&self) -> bool {
        matches!(self.chapter, Some(2) | Some(4))
    }

    fn store_dir(&self) -> PathBuf {
        self.session_dir.path().join(format!("chapter-{}", self.chapter.expect("a chapter")))
    }

    /// Adds live records until the store holds `total`: what a busy site's
    /// folder looks like. Written directly (one `fs::write` each, without
    /// the store's temporary file and lock) to keep set-up short.
    pub fn fill_store(&self, total: usize) {
        let dir = self.store_dir();
        let present = std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0);
        let data =
            SessionData { user_name: "stored".into(), lang: "en".into(), theme: Theme::Dark };
        let record = StoredSession::new(data, rocket::time::OffsetDateTime::now_utc());
        let json = rocket::serde::json::serde_json::to_vec(&record).expect("json");
        for _ in present..total {
            let id = SessionId::generate().expect("randomness");
            std::fs::write(dir.join(FileStore::file_name(&id)), &json).expect("seed a record");
        }
    }

    /// Peak resident memory of the server so far (`VmHWM`), in KiB.
    pub fn peak_rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("the server is running");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmHWM in /proc/PID/status")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
