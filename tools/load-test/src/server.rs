//! Building, starting and watching a chapter binary, and counting the
//! session records it left.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use tempfile::TempDir;

/// The chapter that keeps its records in Redis.
pub const REDIS_CHAPTER: u8 = 5;
/// The chapters that keep their records in files under `session_dir`.
const FILE_CHAPTERS: [u8; 2] = [2, 4];

/// The Redis of `scripts/with-redis`, for chapter 5: `SESSIONS_TEST_REDIS_URL`.
pub fn redis_url() -> Result<String, String> {
    std::env::var("SESSIONS_TEST_REDIS_URL").map_err(|_| {
        "chapter 5 keeps its sessions in Redis and SESSIONS_TEST_REDIS_URL is not set: run under \
         scripts/with-redis (`scripts/with-redis cargo run -p load-test`), or leave chapter 5 out \
         with --chapters 1,2,3,4"
            .to_string()
    })
}

/// Which binaries to load: the release build is what a deployment runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Build {
    Debug,
    Release,
}

/// The workspace root (where `Rocket.toml` is).
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `cargo build` of every binary of the workspace, so the chapters share
/// the dependency builds that `scripts/test` already made.
pub fn build(build: Build) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command.current_dir(workspace()).args(["build", "--locked", "--workspace", "--bins"]);
    if build == Build::Release {
        command.arg("--release");
    }
    let status = command.status().map_err(|e| e.to_string())?;
    status.success().then_some(()).ok_or_else(|| format!("cargo build: {status}"))
}

fn binary(chapter: u8, build: Build) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target"));
    let profile = match build {
        Build::Debug => "debug",
        Build::Release => "release",
    };
    target.join(profile).join(format!("chapter-{chapter}"))
}

/// A running chapter, killed when stopped or dropped.
pub struct Server {
    chapter: u8,
    child: Child,
    folder: TempDir,
    /// Chapter 5's `session_key_prefix`: this run's keys, and no one else's.
    key_prefix: Option<String>,
}

impl Server {
    /// Starts chapter `chapter` on `127.0.0.1:port` with its own session
    /// folder (for chapter 5, its own key prefix in Redis) and a random
    /// secret key, and waits until it accepts connections.
    pub async fn start(chapter: u8, port: u16, build: Build) -> Result<Server, String> {
        let folder = tempfile::tempdir().map_err(|e| e.to_string())?;
        let log =
            std::fs::File::create(folder.path().join("server.log")).map_err(|e| e.to_string())?;
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|e| e.to_string())?;
        let binary = binary(chapter, build);
        let mut command = Command::new(&binary);
        let mut key_prefix = None;
        if chapter == REDIS_CHAPTER {
            let prefix = format!("load-test-{}:chapter-5:session:", hex(&key[..8]));
            command
                .env("ROCKET_DATABASES", format!("{{sessions={{url=\"{}\"}}}}", redis_url()?))
                .env("ROCKET_SESSION_KEY_PREFIX", &prefix);
            key_prefix = Some(prefix);
        }
        let child = command
            .current_dir(workspace())
            .env("ROCKET_CONFIG", workspace().join("Rocket.toml"))
            .env("ROCKET_ADDRESS", "127.0.0.1")
            .env("ROCKET_PORT", port.to_string())
            .env("ROCKET_SESSION_DIR", folder.path().join("sessions"))
            .env("ROCKET_SECRET_KEY", STANDARD.encode(key))
            .env("ROCKET_LOG_LEVEL", "critical")
            .env("ROCKET_CLI_COLORS", "false")
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let mut server = Server { chapter, child, folder, key_prefix };
        let start = Instant::now();
        while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(format!("exited with {status}:\n{}", server.log_tail()));
            }
            if start.elapsed() > Duration::from_secs(30) {
                return Err(format!("not listening on {port} after 30 s"));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(server)
    }

    /// Samples the server's resident memory every second for `duration`:
    /// `(seconds since start, VmRSS in KiB, threads)`.
    pub fn sample_rss(&self, duration: Duration) -> tokio::task::JoinHandle<Vec<(f64, u64, u64)>> {
        let status = format!("/proc/{}/status", self.child.id());
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

    /// How many session records the server keeps right now: files in its
    /// folder (chapters 2 and 4), keys under its prefix in Redis (chapter
    /// 5); `None` for the cookie chapters, which keep none.
    pub async fn records(&self) -> Result<Option<usize>, String> {
        if let Some(prefix) = &self.key_prefix {
            return redis_key_count(&redis_url()?, &format!("{prefix}*")).map(Some);
        }
        if !FILE_CHAPTERS.contains(&self.chapter) {
            return Ok(None);
        }
        let dir = self.folder.path().join("sessions").join(format!("chapter-{}", self.chapter));
        match std::fs::read_dir(&dir) {
            Ok(entries) => Ok(Some(entries.count())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Some(0)),
            Err(e) => Err(format!("{}: {e}", dir.display())),
        }
    }

    /// Stops the server; the last lines of its log.
    pub fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.log_tail()
    }

    fn log_tail(&self) -> String {
        let log =
            std::fs::read_to_string(self.folder.path().join("server.log")).unwrap_or_default();
        let lines: Vec<_> = log.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// How many keys of the Redis at `url` match `pattern` (`KEYS` scans the
/// whole database, which is fine on the throwaway Redis of a test run).
fn redis_key_count(url: &str, pattern: &str) -> Result<usize, String> {
    let mut redis = redis::Client::open(url)
        .and_then(|client| client.get_connection())
        .map_err(|e| format!("Redis at {url}: {e}"))?;
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(pattern)
        .query(&mut redis)
        .map_err(|e| format!("Redis KEYS: {e}"))?;
    Ok(keys.len())
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
