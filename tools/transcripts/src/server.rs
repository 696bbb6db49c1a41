//! A chapter binary, started as a learner starts it, on a port and a
//! session folder of our own.

use std::fs::{self, File};
use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The first of the hundred ports the generator may use (its own range, so
/// it never meets another program's server), unless `TRANSCRIPTS_FIRST_PORT`
/// moves the range.
const FIRST_PORT: u16 = 18400;

/// The ports the generator may use.
fn ports() -> io::Result<std::ops::Range<u16>> {
    let first = match std::env::var("TRANSCRIPTS_FIRST_PORT") {
        Err(_) => FIRST_PORT,
        Ok(value) => {
            value.parse::<u16>().ok().filter(|first| first.checked_add(100).is_some()).ok_or_else(
                || io::Error::other(format!("TRANSCRIPTS_FIRST_PORT={value:?} is not a port")),
            )?
        }
    };
    Ok(first..first + 100)
}

/// How a chapter is launched.
#[derive(Debug, Clone)]
pub struct Launch {
    /// The repository root: the chapter runs there, beside `Rocket.toml`.
    pub root: PathBuf,
    pub binary: PathBuf,
    pub port: u16,
    pub session_dir: PathBuf,
    /// `ROCKET_SESSION_LIFETIME`, when the run shortens it.
    pub lifetime: Option<u64>,
    /// Where chapter 5 keeps its records.
    pub redis: Option<RedisLaunch>,
}

/// Chapter 5's Redis: `databases.sessions.url` and `session_key_prefix`.
#[derive(Debug, Clone)]
pub struct RedisLaunch {
    pub url: String,
    /// Unique to a run (or shared on purpose), so that runs never see one
    /// another's keys.
    pub key_prefix: String,
}

/// A running chapter. It is killed when dropped.
pub struct Server {
    child: Child,
    log: PathBuf,
    log_read: usize,
}

impl Server {
    pub fn start(launch: &Launch, log: &Path) -> io::Result<Server> {
        let output = File::create(log)?;
        let mut command = Command::new(&launch.binary);
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("ROCKET_") {
                command.env_remove(key);
            }
        }
        command
            .current_dir(&launch.root)
            .env("ROCKET_CONFIG", launch.root.join("Rocket.toml"))
            .env("ROCKET_PORT", launch.port.to_string())
            .env("ROCKET_SESSION_DIR", &launch.session_dir)
            .env("ROCKET_CLI_COLORS", "false")
            .stdin(Stdio::null())
            .stdout(output.try_clone()?)
            .stderr(output);
        if let Some(seconds) = launch.lifetime {
            command.env("ROCKET_SESSION_LIFETIME", seconds.to_string());
        }
        if let Some(redis) = &launch.redis {
            command
                .env("ROCKET_DATABASES", format!("{{sessions={{url=\"{}\"}}}}", redis.url))
                .env("ROCKET_SESSION_KEY_PREFIX", &redis.key_prefix);
        }
        let child = command.spawn()?;
        let mut server = Server { child, log: log.to_owned(), log_read: 0 };
        server.wait_until_listening(launch.port)?;
        Ok(server)
    }

    fn wait_until_listening(&mut self, port: u16) -> io::Result<()> {
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let start = Instant::now();
        loop {
            // Listening, and done printing its launch banner.
            let launched =
                fs::read_to_string(&self.log).is_ok_and(|log| log.contains("has launched from"));
            if launched && TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok()
            {
                return Ok(());
            }
            if let Some(status) = self.child.try_wait()? {
                let log = fs::read_to_string(&self.log).unwrap_or_default();
                return Err(io::Error::other(format!("the chapter exited ({status}):\n{log}")));
            }
            if start.elapsed() > Duration::from_secs(60) {
                return Err(io::Error::other(format!("nothing listens on port {port}")));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Everything the server printed since the last call.
    pub fn new_output(&mut self) -> String {
        let all = fs::read(&self.log).unwrap_or_default();
        let new = String::from_utf8_lossy(&all[self.log_read.min(all.len())..]).into_owned();
        self.log_read = all.len();
        new
    }

    pub fn stop(mut self) {
        self.kill();
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A port of our range that nothing listens on right now, skipping `taken`.
pub fn free_port(taken: &[u16]) -> io::Result<u16> {
    let range = ports()?;
    range
        .clone()
        .filter(|port| !taken.contains(port))
        .find(|&port| TcpListener::bind((Ipv4Addr::LOCALHOST, port)).is_ok())
        .ok_or_else(|| io::Error::other(format!("no free port in {range:?}")))
}

/// A Redis of our own, which a scenario stops and starts again. It keeps
/// an append-only file, written at every change, in a folder that outlives
/// each process, so a restarted Redis comes back with its sessions.
pub struct RedisServer {
    port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

impl RedisServer {
    pub fn new(port: u16, dir: &Path) -> io::Result<RedisServer> {
        fs::create_dir_all(dir)?;
        Ok(RedisServer { port, dir: dir.to_owned(), child: None })
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
            let answers = redis::Client::open(self.url())
                .and_then(|client| client.get_connection())
                .and_then(|mut c| redis::cmd("PING").query::<String>(&mut c))
                .is_ok();
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
