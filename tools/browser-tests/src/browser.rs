//! Headless Chromium on a profile of its own.

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use tempfile::TempDir;

use crate::chromedriver;
use crate::processes::{self, Which};

/// Debian's `chromium` package.
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// The window every browser gets, so screenshots always look the same.
pub const WINDOW_SIZE: (u32, u32) = (1000, 800);

/// Headless, and quiet: this machine's network is closed, and without the
/// background-networking switches Chromium keeps trying to reach Google.
const FLAGS: [&str; 8] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// A Chromium user-data folder. It outlives any one [`Browser`], so
/// launching a second browser on it is a real restart of the same profile:
/// same cookie database, same everything.
pub struct Profile {
    dir: TempDir,
}

impl Profile {
    pub fn new() -> Profile {
        Profile { dir: tempfile::Builder::new().prefix("chromium-profile-").tempdir().unwrap() }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Default for Profile {
    fn default() -> Self {
        Profile::new()
    }
}

/// A running Chromium, driven through WebDriver. Dereferences to the
/// `fantoccini` client. If it is dropped while still running (a test
/// panicked), its processes are killed.
pub struct Browser {
    client: Option<Client>,
    profile: PathBuf,
}

impl Browser {
    /// Starts Chromium on `profile`.
    pub async fn launch(profile: &Profile) -> Browser {
        Browser::launch_with_flags(profile, &[]).await
    }

    /// Starts Chromium on `profile` with `extra` command-line flags besides
    /// the usual ones (`--ignore-certificate-errors-spki-list=…` to trust
    /// the development certificate, say).
    pub async fn launch_with_flags(profile: &Profile, extra: &[&str]) -> Browser {
        let user_data_dir = format!("--user-data-dir={}", profile.path().display());
        let window_size = format!("--window-size={},{}", WINDOW_SIZE.0, WINDOW_SIZE.1);
        let mut args: Vec<&str> = FLAGS.to_vec();
        args.extend([user_data_dir.as_str(), window_size.as_str()]);
        args.extend(extra);
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": CHROMIUM, "args": args },
        });
        let serde_json::Value::Object(capabilities) = capabilities else { unreachable!() };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(chromedriver::webdriver_url())
            .await
            .unwrap_or_else(|e| panic!("chromedriver could not start {CHROMIUM}: {e}"));
        Browser { client: Some(client), profile: profile.path().to_path_buf() }
    }

    /// Quits the browser the way a user does: the WebDriver session is
    /// deleted, chromedriver closes Chromium, and this waits until every
    /// process of the profile has exited, so the cookie database on disk is
    /// what Chromium left at shutdown.
    pub async fn close(mut self) {
        let client = self.client.take().expect("an open browser");
        client.close().await.expect("chromedriver closes the browser");
        self.wait_until_exited().await;
    }

    /// Kills the browser process with SIGKILL, as a crash or a power cut
    /// would: Chromium gets no chance to write anything.
    pub async fn crash(mut self) {
        let killed = processes::kill(&self.profile, Which::Browser);
        assert!(killed > 0, "no Chromium process found to crash");
        self.wait_until_exited().await;
        // The session is dead; let chromedriver forget it. It reports an
        // error, since the browser is gone, and that is expected.
        let _ = self.client.take().expect("an open browser").close().await;
    }

    async fn wait_until_exited(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !processes::using_profile(&self.profile).is_empty() {
            assert!(Instant::now() < deadline, "Chromium did not exit within 30 s");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Deref for Browser {
    type Target = Client;

    fn deref(&self) -> &Client {
        self.client.as_ref().expect("an open browser")
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Nothing is left after a clean close or crash; after a panic,
        // whatever is left goes.
        processes::kill(&self.profile, Which::All);
    }
}
