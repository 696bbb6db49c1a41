//! Building, starting and watching a chapter binary.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use tempfile::TempDir;

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
    child: Child,
    folder: TempDir,
}

impl Server {
    /// Starts chapter `chapter` on `127.0.0.1:port` with its own session
    /// folder and a random secret key, and waits until it accepts connections.
    pub async fn start(chapter: u8, port: u16, build: Build) -> Result<Server, String> {
        let folder = tempfile::tempdir().map_err(|e| e.to_string())?;
        let log =
            std::fs::File::create(folder.path().join("server.log")).map_err(|e| e.to_string())?;
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|e| e.to_string())?;
        let binary = binary(chapter, build);
        let child = Command::new(&binary)
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
        let mut server = Server { child, folder };
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

/// `VmRSS` (in KiB) and `Threads` of `/proc/PID/status`.
fn vm_rss(status: &str) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(status).ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        line.split_whitespace().nth(1)?.parse().ok()
    };
    Some((field("VmRSS:")?, field("Threads:")?))
}
