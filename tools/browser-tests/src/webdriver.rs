//! The WebDriver servers: one `chromedriver` for the whole test process,
//! one `geckodriver` per Firefox.
//!
//! chromedriver drives any number of browsers at once, so every Chromium of
//! a test run goes through the same one: starting one per test would cost
//! time for nothing. geckodriver drives one browser session at a time, so
//! each Firefox gets its own, which ends with it.
//!
//! Either must end with the test process, however that ends (normally, by a
//! panic, or killed), so each is spawned with `PR_SET_PDEATHSIG` from a
//! thread that lives as long as the driver: the kernel then terminates it
//! when the process goes.
//!
//! A driver counts as started when it says it listens (chromedriver's
//! "started successfully", geckodriver's "Listening on") and its port
//! answers; one that exits first (its port taken, a library missing) fails
//! the test at once with what it printed.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::{mpsc, OnceLock};
use std::thread;
use std::time::Duration;

use crate::engine::{self, Engine};

static CHROMEDRIVER_URL: OnceLock<String> = OnceLock::new();

/// The WebDriver URL of the process's chromedriver, started on first call.
pub fn chromedriver_url() -> &'static str {
    CHROMEDRIVER_URL.get_or_init(|| {
        let port = launcher::free_port().expect("a free port for chromedriver");
        spawn(Engine::Chromium, &[format!("--port={port}")], port);
        format!("http://127.0.0.1:{port}")
    })
}

/// A geckodriver of one Firefox, killed when dropped.
pub struct Geckodriver {
    pid: i32,
    url: String,
}

impl Geckodriver {
    /// Starts a geckodriver on a free port. Its WebDriver BiDi port, which
    /// it hands to Firefox as the remote agent's, is chosen by the system
    /// (`--websocket-port 0`): the default, 9222, would let only one
    /// Firefox run at a time.
    pub fn start() -> Geckodriver {
        Geckodriver::start_with(&[])
    }

    /// Starts one that may switch to Firefox's own windows (the chrome
    /// context), as the screenshot of Firefox's toolbox does:
    /// `--allow-system-access`, which geckodriver alone may hand to Firefox
    /// (it refuses the flag, and its environment variable, in capabilities).
    pub fn start_with_system_access() -> Geckodriver {
        Geckodriver::start_with(&["--allow-system-access".to_owned()])
    }

    fn start_with(extra: &[String]) -> Geckodriver {
        let port = launcher::free_port().expect("a free port for geckodriver");
        let mut args = vec![
            format!("--port={port}"),
            "--websocket-port=0".to_owned(),
            // Its "Listening on" line, which says it is ready, is INFO.
            "--log=info".to_owned(),
        ];
        args.extend_from_slice(extra);
        let pid = spawn(Engine::Firefox, &args, port);
        Geckodriver { pid, url: format!("http://127.0.0.1:{port}") }
    }

    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for Geckodriver {
    fn drop(&mut self) {
        // SAFETY: kill(2) has no memory-safety preconditions; the pid is our
        // own child's, which its keeper thread has not reaped yet (it reaps
        // it only once it exits, and then this signal goes nowhere).
        unsafe { libc::kill(self.pid, libc::SIGKILL) };
    }
}

/// How long a driver may take to listen: it starts in well under a second,
/// but six browsers on two busy cores can hold a new process back.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// What each driver prints once it listens.
fn ready_line(engine: Engine) -> &'static str {
    match engine {
        Engine::Chromium => "was started successfully",
        Engine::Firefox => "Listening on",
    }
}

/// Spawns the engine's driver with `args` from a keeper thread and waits
/// until it says it listens on `port` and the port answers; returns its pid.
fn spawn(engine: Engine, args: &[String], port: u16) -> i32 {
    let driver = engine::driver_path(engine);
    assert!(
        Path::new(&driver).is_file(),
        "{} is missing: install {engine} and its driver with `scripts/install-{}`",
        driver.display(),
        engine.id()
    );
    // What the driver prints, in a file with no name, gone with its handles.
    let output = tempfile::tempfile().expect("a file for the driver's output");
    let (started, spawned) = mpsc::channel();
    let (exited, exit) = mpsc::channel::<io::Result<ExitStatus>>();
    let args = args.to_vec();
    let shown = driver.display().to_string();
    let child_output = output.try_clone().expect("the output file, again");
    thread::Builder::new()
        .name(format!("{}-driver", engine.id()))
        .spawn(move || {
            let mut command = Command::new(&driver);
            command.args(&args).stdin(Stdio::null());
            match child_output.try_clone() {
                Ok(stdout) => command.stdout(stdout).stderr(child_output),
                Err(e) => return drop(started.send(Err(e))),
            };
            // SAFETY: the closure runs in the child between fork and exec and
            // only calls prctl(2), which is async-signal-safe.
            unsafe {
                command.pre_exec(|| {
                    if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) == -1 {
                        return Err(io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
            match command.spawn() {
                Ok(mut child) => {
                    let _ = started.send(Ok(child.id() as i32));
                    // Keep this thread, the child's parent, alive as long as
                    // the driver runs: its death would deliver the signal.
                    let _ = exited.send(child.wait());
                }
                Err(e) => {
                    let _ = started.send(Err(e));
                }
            }
        })
        .expect("a thread to keep the driver");
    let pid = match spawned.recv().expect("the driver's thread reports back") {
        Ok(pid) => pid,
        Err(e) => panic!("cannot start {shown}: {e}"),
    };
    // The keeper thread holds the driver's `Child`; it reports the exit.
    let ended = || {
        let status = exit.try_recv().ok()?;
        let status = status.map_or_else(|e| e.to_string(), |s| s.to_string());
        Some(format!("exited ({status}) before it listened"))
    };
    let ready = || {
        printed(&output).contains(ready_line(engine))
            && launcher::answers_within(port, Duration::from_millis(100))
    };
    if let Err(what) = launcher::poll_while_running(ended, START_TIMEOUT, ready) {
        panic!("{shown} on port {port} {what}; it printed:\n{}", printed(&output));
    }
    pid
}

/// Everything a driver printed so far. Read with pread(2), which leaves
/// the file's offset, shared with the driver's writes, where it is.
fn printed(output: &File) -> String {
    let (mut bytes, mut chunk) = (Vec::new(), [0u8; 8192]);
    while let Ok(read @ 1..) = output.read_at(&mut chunk, bytes.len() as u64) {
        bytes.extend_from_slice(&chunk[..read]);
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;

    #[test]
    fn a_driver_whose_port_is_taken_fails_at_once_with_what_it_printed() {
        for engine in [Engine::Chromium, Engine::Firefox] {
            // Something else listens on the port, and answers there.
            let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
            let port = listener.local_addr().unwrap().port();
            let started = Instant::now();
            let failed =
                std::panic::catch_unwind(|| spawn(engine, &[format!("--port={port}")], port))
                    .expect_err("the driver cannot listen on a taken port");
            let message = failed.downcast_ref::<String>().expect("a formatted message");
            assert!(message.contains("exited"), "{engine}: {message}");
            assert!(message.contains("Address already in use"), "{engine}: {message}");
            assert!(started.elapsed() < START_TIMEOUT / 2, "{engine}: at once, not after the wait");
        }
    }
}
