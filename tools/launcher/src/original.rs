//! The Flask tutorial's app (`original/`), started as `scripts/flask-original
//! N` starts it, on a free port and a session folder of its own, and stopped
//! when it is dropped: what the transcripts, the benchmark and the browser
//! tests run beside the chapters.
//!
//! ```no_run
//! use launcher::original::Original;
//!
//! let original = Original::start(2)?; // section 2: Flask-Session's files
//! let home = original.url("/");
//! let files = original.session_dir(); // what Flask-Session wrote
//! # Ok::<(), std::io::Error>(())
//! ```

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tempfile::{NamedTempFile, TempDir};

use crate::cargo::workspace_root;
use crate::ports::free_port;
use crate::server::{output_since, poll_until_ready};

/// The cookie every section of the original sets: Flask's default name.
pub const COOKIE_NAME: &str = "session";

/// The worker processes `original/gunicorn.conf.py` starts.
const WORKERS: usize = 2;

/// How long the original may take to answer after it was started.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// How long gunicorn may take to stop its workers after `SIGINT`.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// The port `scripts/flask-original N` serves section `section` on: 500N,
/// beside chapter N's 800N.
pub fn default_port(section: u8) -> u16 {
    5000 + u16::from(section)
}

/// `scripts/flask-original`, which makes the virtual environment and
/// serves the app.
pub fn script() -> PathBuf {
    workspace_root().join("scripts/flask-original")
}

/// The virtual environment's Python, which also runs `original/`'s small
/// scripts (reading a session file, signing a cookie with the tutorial's key).
pub fn venv_python() -> PathBuf {
    workspace_root().join("target/flask-venv/bin/python")
}

/// Makes the original's virtual environment (`target/flask-venv`) unless it
/// is current, once per process: servers started at the same time then
/// never install it side by side.
pub fn install() -> io::Result<()> {
    static INSTALLED: Mutex<bool> = Mutex::new(false);
    let mut installed = INSTALLED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if *installed {
        return Ok(());
    }
    let output = Command::new(script()).arg("--install").stdin(Stdio::null()).output()?;
    if !output.status.success() {
        return Err(io::Error::other(format!(
            "`scripts/flask-original --install` failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        )));
    }
    *installed = true;
    Ok(())
}

/// A running original: gunicorn and its two workers, stopped when dropped.
pub struct Original {
    section: u8,
    port: u16,
    session_dir: PathBuf,
    child: Child,
    log: NamedTempFile,
    log_read: usize,
    /// The session folder when the original was given none.
    _own_dir: Option<TempDir>,
}

impl Original {
    /// Section `section` (1 to 4) on a free port of 127.0.0.1, with a
    /// session folder of its own; returns once it answers HTTP.
    pub fn start(section: u8) -> io::Result<Original> {
        Original::start_on(section, free_port()?)
    }

    /// Section `section` on `port`, with a session folder of its own.
    pub fn start_on(section: u8, port: u16) -> io::Result<Original> {
        let dir = tempfile::Builder::new().prefix("flask-original-").tempdir()?;
        let mut original = Original::start_with(section, port, &dir.path().join("sessions"))?;
        original._own_dir = Some(dir);
        Ok(original)
    }

    /// Section `section` on `port`, keeping Flask-Session's files in
    /// `session_dir` (sections 2 and 4).
    pub fn start_with(section: u8, port: u16, session_dir: &Path) -> io::Result<Original> {
        assert!((1..=4).contains(&section), "the tutorial has sections 1 to 4, not {section}");
        install()?;
        let log = NamedTempFile::with_prefix("flask-original-")?;
        let output = File::options().append(true).open(log.path())?;
        let child = Command::new(script())
            .arg(section.to_string())
            .env("FLASK_ORIGINAL_PORT", port.to_string())
            .env("FLASK_ORIGINAL_SESSION_DIR", session_dir)
            .stdin(Stdio::null())
            .stdout(output.try_clone()?)
            .stderr(output)
            .spawn()?;
        let mut original = Original {
            section,
            port,
            session_dir: session_dir.to_owned(),
            child,
            log,
            log_read: 0,
            _own_dir: None,
        };
        original.wait_until_it_answers()?;
        Ok(original)
    }

    /// Ready once it printed its banner, answers HTTP and runs both its
    /// workers (gunicorn listens before its workers have loaded the app,
    /// and one may answer while the other still starts).
    fn wait_until_it_answers(&mut self) -> io::Result<()> {
        let (log, port, pid) = (self.log.path().to_owned(), self.port, self.pid());
        let ready = || {
            let banner = fs::read_to_string(&log).unwrap_or_default().contains("in your browser");
            banner && http_status(port, "/").is_some() && children_of(pid).len() >= WORKERS
        };
        poll_until_ready(&mut self.child, START_TIMEOUT, ready).map_err(|what| self.failed(&what))
    }

    fn failed(&self, what: &str) -> io::Error {
        io::Error::other(format!(
            "the original, section {}, on port {} {what}; its log:\n{}",
            self.section,
            self.port,
            self.log()
        ))
    }

    /// The tutorial's section it runs (1 to 4).
    pub fn section(&self) -> u8 {
        self.section
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The absolute URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Where Flask-Session keeps its files (sections 2 and 4; the folder
    /// stays absent in sections 1 and 3).
    pub fn session_dir(&self) -> &Path {
        &self.session_dir
    }

    /// The gunicorn master's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The master and its workers: every process that serves it.
    pub fn pids(&self) -> Vec<u32> {
        let mut pids = vec![self.pid()];
        pids.extend(children_of(self.pid()));
        pids
    }

    /// Everything it printed so far (gunicorn's log, the banner, the app's
    /// `print`).
    pub fn log(&self) -> String {
        fs::read_to_string(self.log.path()).unwrap_or_default()
    }

    /// What it printed since the last call.
    pub fn new_output(&mut self) -> String {
        output_since(self.log.path(), &mut self.log_read)
    }

    /// Stops gunicorn as Ctrl-C does (`SIGINT`: the master stops its
    /// workers, then itself), or kills it when it does not stop in time.
    pub fn stop(mut self) -> String {
        self.shut_down();
        self.log()
    }

    fn shut_down(&mut self) {
        if matches!(self.child.try_wait(), Ok(Some(_))) {
            return;
        }
        // SIGKILL would leave the workers running until they notice their
        // parent is gone; SIGINT lets gunicorn stop them.
        let interrupted = Command::new("kill")
            .args(["-INT", &self.pid().to_string()])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        let deadline = Instant::now() + STOP_TIMEOUT;
        while interrupted && Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Original {
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// The status code of `GET path` on `port` of 127.0.0.1; `None` when
/// nothing answers HTTP there.
pub fn http_status(port: u16, path: &str) -> Option<u16> {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(1)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let request = format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n");
    stream.write_all(request.as_bytes()).ok()?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).ok()?;
    let line = std::str::from_utf8(&head).ok()?;
    line.strip_prefix("HTTP/1.")?.get(2..5)?.parse().ok()
}

/// The processes whose parent is `pid` (Linux's `/proc`; none elsewhere).
fn children_of(pid: u32) -> Vec<u32> {
    let Ok(entries) = fs::read_dir("/proc") else { return Vec::new() };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&candidate| {
            let stat = fs::read_to_string(format!("/proc/{candidate}/stat")).unwrap_or_default();
            // `pid (name) state ppid …`: the name may hold spaces, not `)`.
            let after_name = stat.rsplit_once(") ").map_or("", |(_, rest)| rest);
            after_name.split_whitespace().nth(1).and_then(|ppid| ppid.parse().ok()) == Some(pid)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_section_sits_beside_its_chapter() {
        assert_eq!((1..=4).map(default_port).collect::<Vec<_>>(), [5001, 5002, 5003, 5004]);
    }

    /// Starts the real original: the virtual environment, gunicorn, two
    /// workers; answers on its port while it runs and not after it is
    /// dropped, and leaves no worker behind.
    #[test]
    fn starts_answers_and_stops_with_its_workers() {
        let original = Original::start(1).expect("the original starts");
        assert_eq!(http_status(original.port(), "/home"), Some(200));
        assert_eq!(http_status(original.port(), "/about"), Some(302), "signed out: to /login");
        let pids = original.pids();
        assert_eq!(pids.len(), 1 + WORKERS, "gunicorn and its two workers: {pids:?}");
        let port = original.port();
        drop(original);
        assert_eq!(http_status(port, "/home"), None, "nothing answers after the drop");
        for pid in pids {
            assert!(!Path::new(&format!("/proc/{pid}")).exists(), "process {pid} still runs");
        }
    }

    /// A browser opens connections before it needs them (Chromium's
    /// preconnect, Firefox's speculative connections) and keeps them idle.
    /// A sync worker that accepts one waits on it until gunicorn kills the
    /// worker (30 s): two such connections stalled the whole original, and
    /// a browser test now and then read an error page as "signed out".
    /// Threaded workers answer beside idle connections.
    #[test]
    fn answers_while_a_browser_holds_idle_connections() {
        let original = Original::start(1).expect("the original starts");
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, original.port()));
        let idle: Vec<TcpStream> =
            (0..6).map(|_| TcpStream::connect(address).expect("a connection")).collect();
        let asked = std::time::Instant::now();
        assert_eq!(http_status(original.port(), "/home"), Some(200));
        // Milliseconds when a worker is free; a sync worker's wait is seconds.
        let waited = asked.elapsed();
        assert!(waited < Duration::from_secs(2), "answered after {waited:?}");
        drop(idle);
    }
}
