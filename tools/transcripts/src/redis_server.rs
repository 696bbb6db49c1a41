//! A Redis of the run's own, which a scenario stops and starts again.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A Redis of our own, which a scenario stops and starts again. It keeps
/// an append-only file, written at every change, in a folder that outlives
/// each process, so a restarted Redis comes back with its sessions.
pub struct RedisServer {
    port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

impl RedisServer {
    /// A Redis on a free port, keeping its file in `dir`; not started yet.
    pub fn new(dir: &Path) -> io::Result<RedisServer> {
        fs::create_dir_all(dir)?;
        Ok(RedisServer { port: launcher::free_port()?, dir: dir.to_owned(), child: None })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    pub fn start(&mut self) -> io::Result<()> {
        let log = File::create(self.dir.join("redis.log"))?;
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
        self.child = Some(child);
        let start = Instant::now();
        loop {
            let answers = launcher::keys::connect(&self.url())
                .is_ok_and(|mut c| redis::cmd("PING").query::<String>(&mut c).is_ok());
            if answers {
                return Ok(());
            }
            if start.elapsed() > Duration::from_secs(30) {
                return Err(io::Error::other(format!("Redis did not answer on {}", self.url())));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Kills Redis, as a crash would.
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
