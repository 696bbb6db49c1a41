//! A headless browser, Chromium or Firefox, on a profile of its own.

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Map, Value};
use tempfile::TempDir;

use crate::engine::{Engine, CHROMIUM, FIREFOX};
use crate::processes::{self, Which};
use crate::webdriver::{self, Geckodriver};

/// The window every browser gets, so screenshots always look the same.
pub const WINDOW_SIZE: (u32, u32) = (1000, 800);

/// Headless, and quiet: this machine's network is closed, and without the
/// background-networking switches Chromium keeps trying to reach Google.
const CHROMIUM_FLAGS: [&str; 8] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// A browser's profile folder (Chromium's user-data folder, Firefox's
/// profile). It outlives any one [`Browser`], so launching a second browser
/// on it is a real restart of the same profile: same cookie database, same
/// everything.
pub struct Profile {
    dir: TempDir,
}

impl Profile {
    pub fn new() -> Profile {
        Profile { dir: tempfile::Builder::new().prefix("browser-profile-").tempdir().unwrap() }
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

/// What a test needs of a browser beyond the usual, said once for both
/// engines.
#[derive(Debug, Clone, Default)]
pub struct Options {
    certificate_spki: Option<String>,
    loopback_names: Vec<String>,
    restore_session: bool,
}

impl Options {
    pub fn new() -> Options {
        Options::default()
    }

    /// Trusts the certificate whose public key hashes (SHA-256, base64) to
    /// `spki`, the development certificate's. Chromium trusts that key and
    /// no other (`--ignore-certificate-errors-spki-list`, with its own
    /// profile); Firefox has no such switch, so it accepts any certificate
    /// (WebDriver's `acceptInsecureCerts`): the tests serve only the one.
    pub fn trust_certificate(mut self, spki: impl Into<String>) -> Options {
        self.certificate_spki = Some(spki.into());
        self
    }

    /// Resolves `name` to 127.0.0.1, for this browser only (Chromium's
    /// `--host-resolver-rules`, Firefox's `network.dns.localDomains`).
    pub fn resolve_to_loopback(mut self, name: impl Into<String>) -> Options {
        self.loopback_names.push(name.into());
        self
    }

    /// Opens the previous session's windows at start: Chromium with
    /// `--restore-last-session`, Firefox with `browser.startup.page` 3, the
    /// preference behind its "Open previous windows and tabs".
    pub fn restore_session(mut self) -> Options {
        self.restore_session = true;
        self
    }
}

/// A running browser, driven through WebDriver. Dereferences to the
/// `fantoccini` client. If it is dropped while still running (a test
/// panicked), its processes are killed.
pub struct Browser {
    client: Option<Client>,
    engine: Engine,
    profile: PathBuf,
    /// Firefox's own driver; Chromium's is shared by the process.
    _geckodriver: Option<Geckodriver>,
    /// The profile of a [`Browser::fresh`] browser. Last, so that it is
    /// deleted after the browser and its driver are gone.
    own_profile: Option<Profile>,
}

impl Browser {
    /// Starts `engine` on a new, empty profile of its own, deleted when
    /// the browser is dropped. (A `&Profile::new()` argument would be
    /// deleted as soon as the browser started, and the browser would write
    /// it again, outside any test's keeping.)
    pub async fn fresh(engine: Engine) -> Browser {
        Browser::fresh_with(engine, &Options::new()).await
    }

    /// [`Browser::fresh`] with `options`.
    pub async fn fresh_with(engine: Engine, options: &Options) -> Browser {
        let profile = Profile::new();
        let mut browser = Browser::launch_with(engine, &profile, options).await;
        browser.own_profile = Some(profile);
        browser
    }

    /// Starts `engine` on `profile`.
    pub async fn launch(engine: Engine, profile: &Profile) -> Browser {
        Browser::launch_with(engine, profile, &Options::new()).await
    }

    /// Starts `engine` on `profile` with `options`.
    pub async fn launch_with(engine: Engine, profile: &Profile, options: &Options) -> Browser {
        let (capabilities, geckodriver) = match engine {
            Engine::Chromium => (chromium_capabilities(profile.path(), options), None),
            Engine::Firefox => {
                (firefox_capabilities(profile.path(), options), Some(Geckodriver::start()))
            }
        };
        let url = match &geckodriver {
            Some(driver) => driver.url(),
            None => webdriver::chromedriver_url(),
        };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(url)
            .await
            .unwrap_or_else(|e| panic!("the driver could not start {}: {e}", engine.binary()));
        if engine == Engine::Firefox {
            // Headless Firefox takes no window size from its command line.
            client.set_window_size(WINDOW_SIZE.0, WINDOW_SIZE.1).await.unwrap();
        }
        Browser {
            client: Some(client),
            engine,
            profile: profile.path().to_path_buf(),
            _geckodriver: geckodriver,
            own_profile: None,
        }
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// Quits the browser the way a user does: the WebDriver session is
    /// deleted, the driver closes the browser, and this waits until every
    /// process of the profile has exited, so the cookie database on disk is
    /// what the browser left at shutdown.
    pub async fn close(mut self) {
        let client = self.client.take().expect("an open browser");
        client.close().await.expect("the driver closes the browser");
        self.wait_until_exited().await;
    }

    /// Kills the browser process with SIGKILL, as a crash or a power cut
    /// would: the browser gets no chance to write anything.
    pub async fn crash(mut self) {
        let killed = processes::kill(&self.profile, Which::Browser);
        assert!(killed > 0, "no {} process found to crash", self.engine);
        self.wait_until_exited().await;
        // The session is dead; let the driver forget it. It reports an
        // error, since the browser is gone, and that is expected.
        let _ = self.client.take().expect("an open browser").close().await;
    }

    async fn wait_until_exited(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !processes::using_profile(&self.profile).is_empty() {
            assert!(Instant::now() < deadline, "{} did not exit within 30 s", self.engine);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

fn chromium_capabilities(profile: &Path, options: &Options) -> Map<String, Value> {
    let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|flag| flag.to_string()).collect();
    args.push(format!("--user-data-dir={}", profile.display()));
    args.push(format!("--window-size={},{}", WINDOW_SIZE.0, WINDOW_SIZE.1));
    if let Some(spki) = &options.certificate_spki {
        args.push(format!("--ignore-certificate-errors-spki-list={spki}"));
    }
    if !options.loopback_names.is_empty() {
        let rules: Vec<String> =
            options.loopback_names.iter().map(|name| format!("MAP {name} 127.0.0.1")).collect();
        args.push(format!("--host-resolver-rules={}", rules.join(",")));
    }
    if options.restore_session {
        args.push("--restore-last-session".to_owned());
    }
    object(json!({
        "browserName": "chrome",
        "goog:chromeOptions": { "binary": CHROMIUM, "args": args },
    }))
}

fn firefox_capabilities(profile: &Path, options: &Options) -> Map<String, Value> {
    let profile = profile.display().to_string();
    let mut prefs = Map::new();
    // Firefox's own default, which geckodriver turns off for tests: after a
    // crash, the next start restores the session it had.
    prefs.insert("browser.sessionstore.resume_from_crash".into(), json!(true));
    if options.restore_session {
        prefs.insert("browser.startup.page".into(), json!(3));
    }
    if !options.loopback_names.is_empty() {
        prefs.insert("network.dns.localDomains".into(), json!(options.loopback_names.join(",")));
    }
    object(json!({
        "browserName": "firefox",
        "acceptInsecureCerts": options.certificate_spki.is_some(),
        "moz:firefoxOptions": {
            "binary": FIREFOX,
            // geckodriver uses a profile given this way in place, rather
            // than a copy: a second launch on it is a real restart.
            "args": ["-headless", "-profile", profile],
            "prefs": prefs,
        },
    }))
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => unreachable!("a JSON object"),
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
