//! A Redis of a test's or a tool's own, which it stops and starts again:
//! Redis down, Redis hanging, Redis full, Redis back.
//!
//! ```no_run
//! let mut redis = launcher::RedisServer::new()?;
//! redis.start()?; // waits until it answers PING, or says why not
//! let url = redis.url();
//! redis.kill(); // as a crash would; `start` brings it back with its data
//! # Ok::<(), std::io::Error>(())
//! ```

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tempfile::TempDir;

use crate::ports::free_port;
use crate::server::{output_since, poll_until_ready};

/// How long Redis may take to answer its first PING: it starts in
/// milliseconds, but a busy two-core machine can hold a new process back
/// for seconds.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A Redis server on a port of its own ([`free_port`]), keeping an
/// append-only file that is written at every change, in a folder that
/// outlives each process: a restarted Redis comes back with its sessions.
pub struct RedisServer {
    port: u16,
    dir: PathBuf,
    /// The folder, when the server made its own.
    _own_dir: Option<TempDir>,
    child: Option<Child>,
}

impl RedisServer {
    /// A Redis with a folder of its own, removed with it; not started yet.
    pub fn new() -> io::Result<RedisServer> {
        let dir = tempfile::Builder::new().prefix("redis-server-").tempdir()?;
        let mut redis = RedisServer::keeping_files_in(dir.path())?;
        redis._own_dir = Some(dir);
        Ok(redis)
    }

    /// A Redis that keeps its files (and its log, `redis.log`) in `dir`;
    /// not started yet.
    pub fn keeping_files_in(dir: &Path) -> io::Result<RedisServer> {
        fs::create_dir_all(dir)?;
        Ok(RedisServer { port: free_port()?, dir: dir.to_owned(), _own_dir: None, child: None })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn log_path(&self) -> PathBuf {
        self.dir.join("redis.log")
    }

    /// Starts Redis and waits until it answers `PING`. When it exits first
    /// (its port taken, its file unreadable), or does not answer in time,
    /// the error quotes what it printed.
    pub fn start(&mut self) -> io::Result<()> {
        let log_path = self.log_path();
        let log = File::options().create(true).append(true).open(&log_path)?;
        // What earlier runs wrote is not this start's story.
        let mut read = fs::metadata(&log_path).map(|m| m.len() as usize).unwrap_or(0);
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &self.port.to_string()])
            .args(["--save", "", "--appendonly", "yes", "--appendfsync", "always"])
            .arg("--dir")
            .arg(&self.dir)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .map_err(|e| {
                io::Error::other(format!(
                    "cannot start redis-server ({e}); scripts/with-redis installs it"
                ))
            })?;
        let url = self.url();
        let child = self.child.insert(child);
        // Ready when *this* Redis says it listens (another program answering
        // on the port is no proof) and it answers.
        let mut printed = String::new();
        let ready = || {
            printed.push_str(&output_since(&log_path, &mut read));
            printed.contains("Ready to accept connections")
                && crate::keys::connect(&url)
                    .is_ok_and(|mut c| redis::cmd("PING").query::<String>(&mut c).is_ok())
        };
        poll_until_ready(child, START_TIMEOUT, ready).map_err(|what| {
            self.kill();
            printed.push_str(&output_since(&log_path, &mut read));
            io::Error::other(format!(
                "redis-server on port {} {what}; it printed:\n{printed}",
                self.port
            ))
        })
    }

    /// Sends `signal` (`STOP`, `CONT`) to Redis: a stopped Redis accepts
    /// connections and never answers, as an overloaded one would.
    pub fn signal(&self, signal: &str) -> io::Result<()> {
        let pid = self.child.as_ref().ok_or_else(|| io::Error::other("Redis is not running"))?.id();
        let status =
            Command::new("kill").arg(format!("-{signal}")).arg(pid.to_string()).status()?;
        if status.success() {
            Ok(())
        } else {
            Err(io::Error::other(format!("kill -{signal} {pid}: {status}")))
        }
    }

    /// Kills Redis, as a crash or a restart would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_port_fails_at_once_with_what_redis_said() {
        let mut first = RedisServer::new().unwrap();
        first.start().unwrap();
        let mut second = RedisServer::new().unwrap();
        second.port = first.port;
        let started = std::time::Instant::now();
        let error = second.start().expect_err("the port is taken").to_string();
        assert!(error.contains("exited"), "{error}");
        assert!(error.contains("Address already in use"), "{error}");
        assert!(started.elapsed() < START_TIMEOUT / 2, "at once: {:?}", started.elapsed());
    }

    #[test]
    fn a_restarted_redis_keeps_its_data() {
        let mut redis = RedisServer::new().unwrap();
        redis.start().unwrap();
        let connect = |redis: &RedisServer| crate::keys::connect(&redis.url()).unwrap();
        let () = redis::cmd("SET").arg("k").arg("kept").query(&mut connect(&redis)).unwrap();
        redis.kill();
        redis.start().unwrap();
        let kept: Option<String> = redis::cmd("GET").arg("k").query(&mut connect(&redis)).unwrap();
        assert_eq!(kept.as_deref(), Some("kept"));
    }
}
