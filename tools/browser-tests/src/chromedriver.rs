//! One `chromedriver` for the whole test process.
//!
//! Every browser session of a test run goes through the same chromedriver:
//! starting one per test would cost time for nothing. It is started on first
//! use and must end with the test process, however that ends (normally, by a
//! panic, or killed), so it is spawned with `PR_SET_PDEATHSIG` from a thread
//! that lives as long as the process: the kernel then terminates it when the
//! process goes.

use std::io;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{mpsc, OnceLock};
use std::thread;
use std::time::Duration;

/// Debian's `chromium-driver` package.
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

static WEBDRIVER_URL: OnceLock<String> = OnceLock::new();

/// The WebDriver URL of the process's chromedriver, started on first call.
pub fn webdriver_url() -> &'static str {
    WEBDRIVER_URL.get_or_init(start)
}

fn start() -> String {
    assert!(
        Path::new(CHROMEDRIVER).is_file(),
        "{CHROMEDRIVER} is missing: install Chromium and its driver with \
         `scripts/install-chromium` (apt-get install chromium chromium-driver)"
    );
    let port = launcher::free_port().expect("a free port for chromedriver");
    let (started, spawned) = mpsc::channel();
    thread::Builder::new()
        .name("chromedriver".into())
        .spawn(move || {
            let mut command = Command::new(CHROMEDRIVER);
            command.arg(format!("--port={port}")).stdout(Stdio::null()).stderr(Stdio::null());
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
                    let _ = started.send(Ok(()));
                    // Keep this thread, the child's parent, alive as long as
                    // chromedriver runs: its death would deliver the signal.
                    let _ = child.wait();
                }
                Err(e) => {
                    let _ = started.send(Err(e));
                }
            }
        })
        .expect("a thread to keep chromedriver");
    if let Err(e) = spawned.recv().expect("the chromedriver thread reports back") {
        panic!("cannot start {CHROMEDRIVER}: {e}");
    }
    assert!(
        launcher::answers_within(port, Duration::from_secs(20)),
        "chromedriver did not listen on port {port} within 20 s"
    );
    format!("http://127.0.0.1:{port}")
}
