//! Starting the release binaries on loopback, and reading their memory.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rocket_db_pools::deadpool_redis::redis;
use sessions::store::{FileStore, SessionId};
use sessions::{SessionData, SessionRecord, Theme};
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
    /// Chapter 5: the Redis it uses, and the prefix of its keys.
    redis: Option<(String, String)>,
}

/// The Redis chapter 5 is measured against: the one `scripts/with-redis`
/// started, which `scripts/bench` runs this program in.
fn redis_url() -> String {
    std::env::var("SESSIONS_TEST_REDIS_URL")
        .expect("SESSIONS_TEST_REDIS_URL is unset: run scripts/bench, which starts Redis")
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

    /// Chapter `number` from another build (`--compare-with`): the binary
    /// of that name in `dir`, on port 24110 + `number`, beside the current
    /// build's.
    pub fn chapter_from(number: u8, dir: &Path) -> Server {
        let name = format!("chapter-{number}");
        let port = BASE_PORT + 10 + u16::from(number);
        Server::start_binary(&dir.join(&name), &name, Some(number), port)
    }

    fn start(name: &str, chapter: Option<u8>, port: u16) -> Server {
        Server::start_binary(&binary(name), name, chapter, port)
    }

    fn start_binary(binary: &Path, name: &str, chapter: Option<u8>, port: u16) -> Server {
        let session_dir = tempfile::tempdir().expect("a temporary folder");
        let redis = (chapter == Some(5)).then(|| {
            let prefix =
                format!("bench-{}:", &SessionId::generate().expect("randomness").hashed()[..12]);
            (redis_url(), prefix)
        });
        let mut command = Command::new(binary);
        if let Some((url, prefix)) = &redis {
            command
                .env("ROCKET_DATABASES", format!("{{sessions={{url=\"{url}\"}}}}"))
                .env("ROCKET_SESSION_KEY_PREFIX", prefix);
        }
        let child = command
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
        let server = Server { name: name.to_owned(), port, chapter, child, session_dir, redis };
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
        matches!(self.chapter, Some(2) | Some(4) | Some(5))
    }

    fn store_dir(&self) -> PathBuf {
        self.session_dir.path().join(format!("chapter-{}", self.chapter.expect("a chapter")))
    }

    /// Adds live records until the store holds `total`: what a busy site's
    /// folder (or Redis) looks like. Written directly (one `fs::write` each,
    /// without the store's temporary file and lock; a pipeline of `SET`s)
    /// to keep set-up short.
    pub fn fill_store(&self, total: usize) {
        let data =
            SessionData { user_name: "stored".into(), lang: "en".into(), theme: Theme::Dark };
        let record = SessionRecord::new(data, rocket::time::OffsetDateTime::now_utc());
        let json = rocket::serde::json::serde_json::to_vec(&record).expect("json");
        if let Some((url, prefix)) = &self.redis {
            return fill_redis(url, prefix, total, &json);
        }
        let dir = self.store_dir();
        let present = std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0);
        for _ in present..total {
            let id = SessionId::generate().expect("randomness");
            std::fs::write(dir.join(FileStore::file_name(&id)), &json).expect("seed a record");
        }
    }

    /// Redis's own memory (`used_memory`, KiB) and its number of keys, for
    /// chapter 5.
    pub fn redis_memory(&self) -> Option<(u64, u64)> {
        let (url, _) = self.redis.as_ref()?;
        let mut redis = redis::Client::open(url.as_str()).ok()?.get_connection().ok()?;
        let info: String = redis::cmd("INFO").arg("memory").query(&mut redis).ok()?;
        let bytes: u64 =
            info.lines().find_map(|l| l.strip_prefix("used_memory:"))?.trim().parse().ok()?;
        let keys: u64 = redis::cmd("DBSIZE").query(&mut redis).ok()?;
        Some((bytes / 1024, keys))
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

/// Adds records under `prefix` until Redis holds `total` of them, each
/// with the five-minute expiry chapter 5 gives its own.
fn fill_redis(url: &str, prefix: &str, total: usize, json: &[u8]) {
    let mut redis = redis::Client::open(url).and_then(|c| c.get_connection()).expect("Redis");
    let present = redis::cmd("SCAN")
        .cursor_arg(0)
        .arg("MATCH")
        .arg(format!("{prefix}*"))
        .arg("COUNT")
        .arg(1_000_000)
        .clone()
        .iter::<String>(&mut redis)
        .expect("SCAN")
        .count();
    let missing: Vec<usize> = (present..total).collect();
    for chunk in missing.chunks(10_000) {
        let mut pipe = redis::pipe();
        for _ in chunk {
            let id = SessionId::generate().expect("randomness");
            pipe.cmd("SET")
                .arg(format!("{prefix}{}", id.hashed()))
                .arg(json)
                .arg("PX")
                .arg(300_000)
                .ignore();
        }
        pipe.query::<()>(&mut redis).expect("seed records");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some((url, prefix)) = &self.redis {
            // Leave the Redis as we found it.
            if let Ok(mut redis) =
                redis::Client::open(url.as_str()).and_then(|c| c.get_connection())
            {
                let _ = redis::cmd("EVAL")
                    .arg("for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end")
                    .arg(0)
                    .arg(format!("{prefix}*"))
                    .query::<()>(&mut redis);
            }
        }
    }
}
