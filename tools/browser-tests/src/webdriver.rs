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

use std::io;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
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
            "--log=fatal".to_owned(),
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

/// Spawns the engine's driver with `args` from a keeper thread and waits
/// until it listens on `port`; returns its pid.
fn spawn(engine: Engine, args: &[String], port: u16) -> i32 {
    let driver = engine::driver_path(engine);
    assert!(
        Path::new(&driver).is_file(),
        "{} is missing: install {engine} and its driver with `scripts/install-{}`",
        driver.display(),
        engine.id()
    );
    let (started, spawned) = mpsc::channel();
    let args = args.to_vec();
    let shown = driver.display().to_string();
    thread::Builder::new()
        .name(format!("{}-driver", engine.id()))
        .spawn(move || {
            let mut command = Command::new(&driver);
            command.args(&args).stdout(Stdio::null()).stderr(Stdio::null());
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
                    let _ = child.wait();
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
    assert!(
        launcher::answers_within(port, Duration::from_secs(60)),
        "{shown} did not listen on port {port} within 60 s"
    );
    pid
}
