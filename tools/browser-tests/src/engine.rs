//! The two browser engines every browser test runs in.
//!
//! Browsers differ exactly where sessions are subtle: what an unmarked
//! cookie's `SameSite` is, what a crash restores, whether `http://127.0.0.1`
//! may keep a `Secure` cookie. So each test of `tests/` runs once in
//! Chromium and once in Firefox, each result named by its engine
//! (`chromium::chapter_3::browser_restart`, `firefox::…`), and where the
//! engines really differ the test asserts each one's own behaviour.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A browser engine, as Debian packages it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Engine {
    /// Debian's `chromium`, driven by its `chromium-driver`.
    Chromium,
    /// Debian's `firefox-esr`, driven by geckodriver (from crates.io,
    /// pinned: `scripts/install-firefox`).
    Firefox,
}

/// Debian's `chromium` package.
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// Debian's `firefox-esr` package.
pub const FIREFOX: &str = "/usr/bin/firefox-esr";

impl Engine {
    pub const ALL: [Engine; 2] = [Engine::Chromium, Engine::Firefox];

    /// The browser's binary.
    pub fn binary(self) -> &'static str {
        match self {
            Engine::Chromium => CHROMIUM,
            Engine::Firefox => FIREFOX,
        }
    }

    /// For a test's or a file's name: `chromium`, `firefox`.
    pub fn id(self) -> &'static str {
        match self {
            Engine::Chromium => "chromium",
            Engine::Firefox => "firefox",
        }
    }

    /// What the browser says of itself (`Chromium 156.0.8078.73`,
    /// `Mozilla Firefox 153.8.0esr`), read from `--version`.
    pub fn version(self) -> String {
        let output = Command::new(self.binary())
            .arg("--version")
            .output()
            .unwrap_or_else(|e| panic!("cannot run {} --version: {e}", self.binary()));
        let text = String::from_utf8_lossy(&output.stdout);
        // Chromium adds the distribution after the version: "Chromium
        // 156.0.8078.73 built on Debian GNU/Linux 12 (bookworm)".
        let text = text.split(" built on").next().unwrap_or_default();
        text.trim().to_owned()
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Engine::Chromium => "Chromium",
            Engine::Firefox => "Firefox",
        })
    }
}

/// Where `scripts/install-firefox` puts the pinned geckodriver
/// (`cargo install --locked --root target/geckodriver`), unless
/// `GECKODRIVER` names another.
pub fn geckodriver_path() -> PathBuf {
    match std::env::var_os("GECKODRIVER") {
        Some(path) => PathBuf::from(path),
        None => launcher::workspace_root().join("target/geckodriver/bin/geckodriver"),
    }
}

/// Debian's `chromium-driver` package.
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The engine's WebDriver server.
pub fn driver_path(engine: Engine) -> PathBuf {
    match engine {
        Engine::Chromium => Path::new(CHROMEDRIVER).to_path_buf(),
        Engine::Firefox => geckodriver_path(),
    }
}
