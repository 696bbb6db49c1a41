//! A chapter binary started as a process, on a port and a session folder of
//! its own, and stopped when it is dropped.
//!
//! ```no_run
//! use launcher::{chapter, Launch};
//!
//! let server = Launch::new(chapter(2))?.random_secret_key().start()?;
//! let home = server.url("/");
//! let records = server.records()?; // chapter 2: the files of its folder
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! A [`Launch`] is the description, a [`Server`] the running process. A
//! launch can start its server again (a restart keeps the session folder
//! and the port), and its clones share its folder and its Redis keys.

use std::ffi::{OsStr, OsString};
use std::fs::{self, File};
use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tempfile::{NamedTempFile, TempDir};
use tutorial::{Chapter, Storage};

use crate::cargo::{self, Profile};
use crate::keys::{hex, KeySpace};
use crate::ports::free_port;
use crate::records::Records;

/// How many lines of a server's log an error message shows.
const LOG_TAIL_LINES: usize = 40;

/// How to start one server.
#[derive(Debug, Clone)]
pub struct Launch {
    /// `None` for a program that is not a chapter (the benchmark's baseline).
    chapter: Option<Chapter>,
    /// Given explicitly; else the chapter's binary of `profile`.
    binary: Option<PathBuf>,
    profile: Profile,
    port: u16,
    /// The working folder, which also holds the default session folder.
    home: Arc<TempDir>,
    session_dir: Option<PathBuf>,
    secret_key: Option<String>,
    session_lifetime: Option<Duration>,
    /// Where the Redis chapter keeps its records.
    key_space: Option<KeySpace>,
    env: Vec<(OsString, OsString)>,
    ready_when_logged: Option<String>,
    timeout: Duration,
}

impl Launch {
    /// `chapter`'s debug binary on a free port of 127.0.0.1, with a session
    /// folder of its own, the secret key of `Rocket.toml` and the chapter's
    /// own lifetime; the Redis chapter on a key prefix of its own in the
    /// test Redis ([`KeySpace::unique`]).
    pub fn new(chapter: Chapter) -> io::Result<Launch> {
        let key_space = match chapter.storage() {
            Storage::Redis => Some(KeySpace::unique(&chapter)),
            Storage::SealedCookie | Storage::ServerFiles | Storage::AppStore => None,
        };
        let mut launch = Launch::with_binary(None)?;
        launch.chapter = Some(chapter);
        launch.key_space = key_space;
        Ok(launch)
    }

    /// A program that is not a chapter, started the same way.
    pub fn program(binary: impl Into<PathBuf>) -> io::Result<Launch> {
        Launch::with_binary(Some(binary.into()))
    }

    fn with_binary(binary: Option<PathBuf>) -> io::Result<Launch> {
        Ok(Launch {
            chapter: None,
            binary,
            profile: Profile::Debug,
            port: free_port()?,
            home: Arc::new(tempfile::Builder::new().prefix("chapter-server-").tempdir()?),
            session_dir: None,
            secret_key: None,
            session_lifetime: None,
            key_space: None,
            env: Vec::new(),
            ready_when_logged: None,
            timeout: Duration::from_secs(60),
        })
    }

    /// Listen on this port instead of a free one.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Run the chapter's binary of this build (debug unless set).
    pub fn profile(mut self, profile: Profile) -> Self {
        self.profile = profile;
        self
    }

    /// Run this binary: another build of the chapter, say.
    pub fn binary(mut self, path: impl Into<PathBuf>) -> Self {
        self.binary = Some(path.into());
        self
    }

    /// Keep the records below this folder (`session_dir`) instead of one of
    /// the launch's own.
    pub fn session_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.session_dir = Some(dir.into());
        self
    }

    /// Seal cookies with this `secret_key` instead of `Rocket.toml`'s.
    pub fn secret_key(mut self, key: impl Into<String>) -> Self {
        self.secret_key = Some(key.into());
        self
    }

    /// Seal cookies with a fresh random key: what a release build needs.
    pub fn random_secret_key(self) -> Self {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).expect("random bytes from the operating system");
        self.secret_key(hex(&key))
    }

    /// `session_lifetime`, whole seconds, instead of the chapter's own.
    pub fn session_lifetime(mut self, lifetime: Duration) -> Self {
        self.session_lifetime = Some(lifetime);
        self
    }

    /// The Redis and key prefix of the Redis chapter (ignored by the
    /// others): another server's, to share its sessions, or the chapter's
    /// default prefix ([`KeySpace::chapter_default`]).
    pub fn key_space(mut self, space: KeySpace) -> Self {
        self.key_space = Some(space);
        self
    }

    /// A Rocket configuration value, as `ROCKET_<KEY>` (`log_level`,
    /// `profile`, …).
    pub fn rocket(self, key: &str, value: impl Into<OsString>) -> Self {
        self.env(format!("ROCKET_{}", key.to_ascii_uppercase()), value)
    }

    /// Another environment variable; it overrides what the launch sets.
    pub fn env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Ready once the port answers *and* the log holds `marker`: a caller
    /// that reads the launch banner waits until it is all written.
    pub fn ready_when_logged(mut self, marker: &str) -> Self {
        self.ready_when_logged = Some(marker.to_owned());
        self
    }

    /// How long to wait for the port (one minute unless set).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The chapter it starts; `None` for another program.
    pub fn chapter(&self) -> Option<&Chapter> {
        self.chapter.as_ref()
    }

    /// The port the server will listen on.
    pub fn listen_port(&self) -> u16 {
        self.port
    }

    /// The folder the records go below (`session_dir`), absolute.
    pub fn records_dir(&self) -> PathBuf {
        self.session_dir.clone().unwrap_or_else(|| self.home.path().join("sessions"))
    }

    /// Where the Redis chapter will keep its records; `None` for the others.
    pub fn redis_keys(&self) -> Option<&KeySpace> {
        let chapter = self.chapter.as_ref()?;
        match chapter.storage() {
            Storage::Redis => self.key_space.as_ref(),
            Storage::SealedCookie | Storage::ServerFiles | Storage::AppStore => None,
        }
    }

    fn binary_path(&self) -> PathBuf {
        self.binary.clone().unwrap_or_else(|| {
            let chapter = self.chapter.as_ref().expect("a program is launched by its path");
            cargo::chapter_binary(chapter, self.profile)
        })
    }

    /// Starts the server and waits until it listens.
    pub fn start(&self) -> io::Result<Server> {
        let binary = self.binary_path();
        if !binary.is_file() {
            let how = match &self.chapter {
                Some(chapter) => format!("`cargo build -p {}`", cargo::package(chapter)),
                None => "cargo build".to_owned(),
            };
            return Err(io::Error::other(format!(
                "{} is missing: build it first with {how}",
                binary.display()
            )));
        }
        let log = NamedTempFile::with_prefix_in("server-", self.home.path())?;
        let output = File::options().append(true).open(log.path())?;
        let mut command = Command::new(&binary);
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("ROCKET_") {
                command.env_remove(key);
            }
        }
        command
            .current_dir(self.home.path())
            .env("ROCKET_CONFIG", cargo::rocket_toml())
            .env("ROCKET_ADDRESS", "127.0.0.1")
            .env("ROCKET_PORT", self.port.to_string())
            .env("ROCKET_CLI_COLORS", "false")
            // Relative to the working folder unless given: the session
            // panel then names `sessions/chapter-N`, as on a learner's machine.
            .env("ROCKET_SESSION_DIR", self.session_dir.as_deref().unwrap_or(Path::new("sessions")))
            .stdin(Stdio::null())
            .stdout(output.try_clone()?)
            .stderr(output);
        if let Some(key) = &self.secret_key {
            command.env("ROCKET_SECRET_KEY", key);
        }
        if let Some(lifetime) = self.session_lifetime {
            command.env("ROCKET_SESSION_LIFETIME", lifetime.as_secs().to_string());
        }
        if let Some(space) = self.redis_keys() {
            command
                .env("ROCKET_DATABASES", format!("{{sessions={{url=\"{}\"}}}}", space.url))
                .env("ROCKET_SESSION_KEY_PREFIX", &space.prefix);
        }
        for (key, value) in &self.env {
            command.env(key, value);
        }
        let child = command
            .spawn()
            .map_err(|e| io::Error::other(format!("cannot start {}: {e}", binary.display())))?;
        let mut server = Server {
            name: binary.file_name().unwrap_or(OsStr::new("server")).to_string_lossy().into(),
            child,
            port: self.port,
            chapter: self.chapter,
            session_dir: self.records_dir(),
            key_space: self.redis_keys().cloned(),
            log,
            log_read: 0,
            _home: Arc::clone(&self.home),
        };
        server.wait_until_ready(self.ready_when_logged.as_deref(), self.timeout)?;
        Ok(server)
    }
}

/// A running server, killed when stopped or dropped.
pub struct Server {
    name: String,
    child: Child,
    port: u16,
    chapter: Option<Chapter>,
    session_dir: PathBuf,
    key_space: Option<KeySpace>,
    /// Everything the process printed, removed with the server.
    log: NamedTempFile,
    /// How much of the log [`Server::new_output`] has returned.
    log_read: usize,
    /// The launch's folder, which outlives each of its servers.
    _home: Arc<TempDir>,
}

impl Server {
    fn wait_until_ready(&mut self, marker: Option<&str>, timeout: Duration) -> io::Result<()> {
        let (log, port) = (self.log.path().to_owned(), self.port);
        let ready = || {
            let logged = || fs::read_to_string(&log).unwrap_or_default();
            marker.is_none_or(|marker| logged().contains(marker)) && answers(port)
        };
        poll_until_ready(&mut self.child, timeout, ready).map_err(|what| self.failed(&what))
    }

    fn failed(&self, what: &str) -> io::Error {
        io::Error::other(format!(
            "{} on port {} {what}; the end of its log:\n{}",
            self.name,
            self.port,
            self.log_tail()
        ))
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The absolute URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The process id, to read `/proc/<pid>/status`.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The chapter it runs; `None` for another program.
    pub fn chapter(&self) -> Option<&Chapter> {
        self.chapter.as_ref()
    }

    /// Its `session_dir`, absolute: the chapter's store is the
    /// [`Chapter::store_folder`] below it.
    pub fn session_dir(&self) -> &Path {
        &self.session_dir
    }

    /// The Redis chapter's keys; `None` for the others.
    pub fn key_space(&self) -> Option<&KeySpace> {
        self.key_space.as_ref()
    }

    /// What the chapter stored; `None` when it keeps nothing (the cookie
    /// chapters, and programs that are not chapters).
    pub fn records(&self) -> io::Result<Option<Records>> {
        match &self.chapter {
            Some(chapter) => Records::of(chapter, &self.session_dir, self.key_space.as_ref()),
            None => Ok(None),
        }
    }

    /// Everything the server printed so far.
    pub fn log(&self) -> String {
        fs::read_to_string(self.log.path()).unwrap_or_default()
    }

    /// The last lines the server printed, for an error message.
    pub fn log_tail(&self) -> String {
        let log = self.log();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(LOG_TAIL_LINES)..].join("\n")
    }

    /// What the server printed since the last call.
    pub fn new_output(&mut self) -> String {
        output_since(self.log.path(), &mut self.log_read)
    }

    /// Stops the server; returns the end of its log.
    pub fn stop(mut self) -> String {
        self.kill();
        self.log_tail()
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

/// What the log at `path` holds past `read` bytes, moving `read` to its end.
pub(crate) fn output_since(path: &Path, read: &mut usize) -> String {
    let all = fs::read(path).unwrap_or_default();
    let new = String::from_utf8_lossy(&all[(*read).min(all.len())..]).into_owned();
    *read = all.len();
    new
}

/// Polls `ready` every 50 ms while `child` runs. `Err` says what happened
/// instead: the process exited first, or `timeout` passed.
pub(crate) fn poll_until_ready(
    child: &mut Child,
    timeout: Duration,
    ready: impl FnMut() -> bool,
) -> Result<(), String> {
    let ended = || match child.try_wait() {
        Ok(Some(status)) => Some(format!("exited ({status}) before it was ready")),
        Err(e) => Some(format!("could not be waited for ({e})")),
        Ok(None) => None,
    };
    poll_while_running(ended, timeout, ready)
}

/// Polls `ready` every 50 ms until it holds, for a process whose end
/// `ended` reports (what happened, in words; `None` while it runs), for
/// a caller that does not hold the process's `Child` itself. `Err` says
/// what happened instead: the process ended first, or `timeout` passed.
pub fn poll_while_running(
    mut ended: impl FnMut() -> Option<String>,
    timeout: Duration,
    mut ready: impl FnMut() -> bool,
) -> Result<(), String> {
    let start = Instant::now();
    loop {
        if let Some(what) = ended() {
            return Err(what);
        }
        if ready() {
            return Ok(());
        }
        if start.elapsed() > timeout {
            return Err(format!("was not ready within {timeout:?}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Waits until something accepts connections on `port` of 127.0.0.1, or
/// `timeout` passes.
pub fn answers_within(port: u16, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if answers(port) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

fn answers(port: u16) -> bool {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok()
}
