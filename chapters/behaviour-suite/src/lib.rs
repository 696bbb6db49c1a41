//! The behaviour suite's harness: what every chapter promises (the table of
//! the chapters in the README, and the book's side-by-side page) is written
//! once, as tests in `tests/`, and each test is applied to every chapter it
//! is about. This library is what those tests read with.
//!
//! The tests drive the real app the way a browser does: a tracked
//! [`Client`] keeps the cookies it is sent, follows nothing by itself, and
//! the assertions read the real `Set-Cookie` and `Location` headers. Time is
//! a [`ManualClock`], so five idle minutes (or 31 days) take no time at all.

// The templates of `chapters` expand in the test files, which reach
// rstest_reuse through this crate.
pub use rstest_reuse;

pub mod chapters;
pub mod devices;
pub mod every_hop;
pub use chapters::*;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rocket::figment::providers::{Format, Toml};
use rocket::figment::Figment;
use rocket::http::{ContentType, Cookie, Status};
use rocket::local::blocking::{Client, LocalResponse};
use rocket::time::Duration;
use tempfile::TempDir;

use rocket::time::OffsetDateTime;
use tutorial::chapter::chapter_defaults;
use tutorial::config::SessionConfig;
use tutorial::csrf::CsrfToken;
use tutorial::policy::ExpiryPolicy;
use tutorial::{Chapter, Clock, CookieExpiry, ManualClock, Storage, Theme};

/// The tutorial's session data, as every chapter stores it.
pub use launcher::SessionData;

/// A session of the tutorial's data, with its timestamps.
pub type SessionRecord = tutorial::SessionRecord<SessionData>;

use rocket_db_pools::deadpool_redis::redis;

/// The repository's `Rocket.toml`, by absolute path so no test depends on
/// the working directory.
pub const ROCKET_TOML: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../Rocket.toml");

/// The shared templates, by absolute path.
pub const TEMPLATES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared-templates");

// ANCHOR: test_app
/// One chapter, launched for a test: a browser-like client, a clock the
/// test moves, and a private session folder.
pub struct TestApp {
    pub chapter: Chapter,
    pub client: Client,
    pub clock: ManualClock,
    session_root: TempDir,
    /// The Redis chapter's keys: the test Redis, with a prefix unique to
    /// the test.
    keys: KeySpace,
}
// ANCHOR_END: test_app

pub use launcher::{test_redis_url, unique_key_prefix, KeySpace, Records};

/// A synchronous connection to the tests' Redis, to look at what the
/// chapter stored.
pub fn test_redis() -> redis::Connection {
    launcher::keys::connect(&test_redis_url()).unwrap_or_else(|e| panic!("{e}"))
}

/// Like `Jail::clear_env`, but only for Rocket's variables: the rest of the
/// environment stays, for the tests that run beside this one (the Redis URL
/// they read, for one). The jail restores what it removed.
pub fn clear_rocket_env(jail: &mut rocket::figment::Jail) {
    for (key, _) in std::env::vars_os() {
        if let Some(key) = key.to_str().filter(|k| k.starts_with("ROCKET_")) {
            jail.set_env(key, "");
            std::env::remove_var(key);
        }
    }
}

/// What `POST /logout` answers while the store is out of order: `503`, a
/// page that says the session was not ended, and the cookie left alone, so
/// that pressing Log Out again works once the store is back.
pub fn assert_sign_out_refused(chapter: &Chapter, response: LocalResponse<'_>) {
    assert_eq!(response.status(), Status::ServiceUnavailable, "sign-out");
    assert!(session_cookie(chapter, &response).is_none(), "sign-out keeps the cookie");
    let body = response.into_string().unwrap();
    assert!(body.contains("Sessions are unavailable"), "{body}");
    assert!(body.contains("could not be ended on the server"), "{body}");
    assert!(!body.contains("Signed Out"), "no claim of a sign-out: {body}");
}

// ANCHOR: test_config
/// How a test runs a chapter: `Rocket.toml`'s debug profile without the
/// process environment, no log, a session folder of its own, the test Redis
/// with a key prefix no other test uses, and a clock that stands still.
/// [`TestConfig::set`] changes any key before launch.
pub struct TestConfig {
    chapter: Chapter,
    figment: Figment,
    session_root: TempDir,
    clock: ManualClock,
}
// ANCHOR_END: test_config

impl TestConfig {
    pub fn new(chapter: Chapter) -> Self {
        let session_root = tempfile::tempdir().expect("a temporary folder");
        let figment = chapter_defaults(&chapter)
            .merge(Toml::file(ROCKET_TOML).nested())
            .merge(("log_level", "off"))
            .select("debug")
            .merge(("session_dir", session_root.path()))
            .merge(("databases.sessions.url", test_redis_url()))
            .merge(("session_key_prefix", unique_key_prefix(&chapter)));
        // `set` may change either key; `launch` reads them back.
        TestConfig { chapter, figment, session_root, clock: ManualClock::default() }
    }

    /// Sets the configuration key `key` (Rocket's, or a chapter's).
    pub fn set(mut self, key: &str, value: impl serde::Serialize) -> Self {
        self.figment = self.figment.merge((key, value));
        self
    }

    /// Sets `session_lifetime` to `seconds`.
    pub fn lifetime(self, seconds: u64) -> Self {
        self.set("session_lifetime", seconds)
    }

    /// Sets `session_absolute_lifetime` to `seconds`.
    pub fn absolute_lifetime(self, seconds: u64) -> Self {
        self.set("session_absolute_lifetime", seconds)
    }

    /// Moves the absolute limit out of the way (ten years), for a test of
    /// the idle limit alone: in chapters 1 and 2 the 12-hour absolute limit
    /// comes long before the 31-day idle one.
    pub fn without_absolute_limit(self) -> Self {
        self.absolute_lifetime(NO_ABSOLUTE_LIMIT)
    }

    /// The server's limits as this configuration sets them.
    pub fn policy(&self) -> ExpiryPolicy {
        let config: SessionConfig =
            self.chapter.sessions.extract(&self.figment).expect("the session keys");
        config.expiry_policy()
    }

    /// Runs the chapter on `clock`, which the test keeps to move time on.
    pub fn on_clock(mut self, clock: ManualClock) -> Self {
        self.clock = clock;
        self
    }

    /// The folder the chapter's file store will use: a test can put
    /// records there before launch.
    pub fn store_dir(&self) -> PathBuf {
        self.session_root.path().join(self.chapter.store_folder())
    }

    /// The chapter's application, not yet launched, and the session folder
    /// it uses (which is deleted when dropped).
    pub fn into_rocket(self) -> (rocket::Rocket<rocket::Build>, TempDir) {
        let rocket = launcher::app_with(self.chapter, self.figment, Arc::new(self.clock));
        (rocket, self.session_root)
    }

    /// Launches the chapter behind a browser-like client.
    pub fn launch(self) -> TestApp {
        let keys = KeySpace::new(
            self.figment.extract_inner::<String>("databases.sessions.url").expect("a Redis URL"),
            self.figment.extract_inner::<String>("session_key_prefix").expect("a key prefix"),
        );
        let (chapter, clock) = (self.chapter, self.clock.clone());
        let (rocket, session_root) = self.into_rocket();
        let client = Client::tracked(rocket).expect("the chapter launches");
        TestApp { chapter, client, clock, session_root, keys }
    }
}

impl TestApp {
    /// The chapter with its default configuration.
    pub fn launch(chapter: Chapter) -> Self {
        TestConfig::new(chapter).launch()
    }

    /// What this app's Redis keys start with.
    pub fn key_prefix(&self) -> &str {
        &self.keys.prefix
    }

    /// The records of this app, as [`launcher::Records`] sees them: every
    /// file below the session folder (none in the cookie chapters), or the
    /// keys under this app's prefix.
    fn store(&self) -> Records {
        match self.chapter.storage() {
            // No chapter keeps its sessions in a store of its own: an empty
            // folder is all the suite can show of one.
            Storage::SealedCookie | Storage::ServerFiles | Storage::AppStore => {
                Records::folder(self.session_root.path())
            }
            Storage::Redis => Records::redis(&self.keys).unwrap_or_else(|e| panic!("{e}")),
        }
    }

    /// [`TestApp::store`], or `None` while the Redis cannot be reached.
    fn try_store(&self) -> Option<Records> {
        match self.chapter.storage() {
            Storage::SealedCookie | Storage::ServerFiles | Storage::AppStore => Some(self.store()),
            Storage::Redis => Records::redis(&self.keys).ok(),
        }
    }

    /// The names of the session records on the server, sorted: file paths
    /// in the file chapters, keys in the Redis chapter, none in the cookie
    /// chapters.
    pub fn records(&self) -> Vec<String> {
        self.store().names().expect("the records are listed")
    }

    /// Asserts that no record is left once the server said it deleted them.
    ///
    /// On Windows a deleted file stays listed until the last handle to it
    /// closes ("delete pending"), and under Wine a reader's handle may close
    /// a moment after the read returned: there, the check allows a second
    /// for that. Elsewhere a deleted record must be gone at once.
    pub fn assert_records_deleted(&self, what: &str) {
        if cfg!(windows) {
            let start = std::time::Instant::now();
            while !self.records().is_empty() && start.elapsed().as_secs() < 1 {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        }
        assert!(self.records().is_empty(), "{what}: {:?}", self.records());
    }

    /// The content of the record `name` (one of [`TestApp::records`]).
    pub fn record(&self, name: &str) -> Option<Vec<u8>> {
        self.store().read(name).ok()
    }

    /// Replaces the content of the record `name`; a Redis key keeps its
    /// time to live.
    pub fn overwrite_record(&self, name: &str, bytes: &[u8]) {
        self.store().overwrite(name, bytes).expect("the record is overwritten")
    }

    /// The name of the record that holds the session `id`, as
    /// [`TestApp::records`] lists it.
    pub fn record_name_of(&self, id: &tutorial::store::SessionId) -> String {
        match self.chapter.storage() {
            Storage::Redis => format!("{}{}", self.keys.prefix, id.hashed()),
            Storage::SealedCookie | Storage::ServerFiles | Storage::AppStore => {
                self.store_dir().join(tutorial::store::file::file_name(id)).display().to_string()
            }
        }
    }

    /// The session keys the app runs with, as its fairing read them.
    pub fn config(&self) -> SessionConfig {
        let figment = self.client.rocket().figment();
        self.chapter.sessions.extract(figment).expect("the session keys")
    }

    /// The folder the chapter's file store uses (empty in cookie chapters).
    pub fn store_dir(&self) -> PathBuf {
        self.session_root.path().join(self.chapter.store_folder())
    }

    pub fn session_root(&self) -> &Path {
        self.session_root.path()
    }

    /// Every file below the session folder, however it got there.
    pub fn stored_files(&self) -> Vec<PathBuf> {
        let names = Records::folder(self.session_root.path()).names().expect("the files");
        names.into_iter().map(PathBuf::from).collect()
    }

    /// Moves the app's clock forward by `seconds`.
    pub fn wait(&self, seconds: i64) {
        self.wait_for(Duration::seconds(seconds));
    }

    /// Moves the app's clock forward by `duration`.
    pub fn wait_for(&self, duration: Duration) {
        self.clock.advance(duration);
    }

    pub fn now(&self) -> rocket::time::OffsetDateTime {
        self.clock.now()
    }

    pub fn get(&self, path: &str) -> LocalResponse<'_> {
        self.client.get(path.to_owned()).dispatch()
    }

    /// `GET path` carrying `cookie` as the session cookie, as a browser
    /// (or an attacker) replaying it would.
    pub fn get_with_cookie(&self, path: &str, cookie: &Cookie<'static>) -> LocalResponse<'_> {
        self.client.get(path.to_owned()).cookie(cookie.clone()).dispatch()
    }

    /// Submits the login form, "Keep me signed in" unticked.
    pub fn post_login(&self, username: &str, next: Option<&str>) -> LocalResponse<'_> {
        self.post_login_with(username, next, None)
    }

    /// Submits the login form with `remember` as the "Keep me signed in"
    /// field (`Some("on")` is what a browser sends for a ticked box).
    pub fn post_login_with(
        &self,
        username: &str,
        next: Option<&str>,
        remember: Option<&str>,
    ) -> LocalResponse<'_> {
        let mut body = format!("username={}&password=secret", encode(username));
        if let Some(next) = next {
            body.push_str(&format!("&next={}", encode(next)));
        }
        if let Some(remember) = remember {
            body.push_str(&format!("&remember={}", encode(remember)));
        }
        self.post_form("/login", body)
    }

    /// Presses Log Out, with the session's token as the button's form
    /// carries it.
    pub fn post_logout(&self) -> LocalResponse<'_> {
        self.post_form("/logout", self.token_field())
    }

    /// Presses the theme toggle, with the session's token as its form
    /// carries it.
    pub fn post_theme(&self, next: &str) -> LocalResponse<'_> {
        self.post_form("/theme", format!("next={}&{}", encode(next), self.token_field()))
    }

    /// `csrf_token=…` as the session's forms send it; empty when nobody is
    /// signed in (the forms have no token then).
    fn token_field(&self) -> String {
        format!("csrf_token={}", self.csrf_token().unwrap_or_default())
    }

    // ANCHOR: csrf_token
    /// The CSRF token of the browser's current session, the one its pages'
    /// forms carry (`forms_carry_the_session_token` proves they do). It is
    /// read from the session itself, not from a page, so that reading it is
    /// not a request: the session's activity stays exactly as the test left
    /// it. `None` when the browser holds no live session.
    pub fn csrf_token(&self) -> Option<String> {
        let record = self.current_record()?;
        Some(record.csrf_token.as_str().to_owned())
    }

    /// The session the browser's cookie holds, as the server keeps it:
    /// opened with the app's key in the cookie chapters, read from the
    /// store in the others. Expiry is not checked.
    pub fn current_record(&self) -> Option<SessionRecord> {
        let json = match self.chapter.storage() {
            Storage::SealedCookie => self
                .client
                .cookies()
                .get_private(self.chapter.cookie_name())?
                .value()
                .as_bytes()
                .to_vec(),
            Storage::ServerFiles | Storage::Redis | Storage::AppStore => {
                let cookie =
                    self.client.cookies().get(self.chapter.cookie_name())?.value().to_owned();
                let id = tutorial::store::SessionId::parse(&cookie)?;
                self.try_store()?.read(&self.record_name_of(&id)).ok()?
            }
        };
        SessionRecord::from_json(&json)
    }
    // ANCHOR_END: csrf_token

    pub fn post_form(&self, path: &str, body: String) -> LocalResponse<'_> {
        self.client.post(path.to_owned()).header(ContentType::Form).body(body).dispatch()
    }

    // ANCHOR: sign_in_helper
    /// Signs `username` in and returns the session cookie the browser got.
    pub fn sign_in(&self, username: &str) -> Cookie<'static> {
        self.sign_in_choosing(username, false)
    }

    /// Signs `username` in, ticking "Keep me signed in" if `remember`, and
    /// follows the redirect to the home page as a browser does (which shows
    /// the sign-in's message, and so writes the session once more). Returns
    /// the session cookie the browser holds then.
    pub fn sign_in_choosing(&self, username: &str, remember: bool) -> Cookie<'static> {
        let response = self.post_login_with(username, None, remember.then_some("on"));
        assert_is_redirect_to(&response, "/home");
        let signed_in =
            session_cookie(&self.chapter, &response).expect("sign-in sets the session cookie");
        let home = self.get("/home");
        assert_eq!(home.status(), Status::Ok, "the page after sign-in");
        session_cookie(&self.chapter, &home).unwrap_or(signed_in)
    }
    // ANCHOR_END: sign_in_helper

    /// The body of `GET path`, asserting it is a 200.
    pub fn page(&self, path: &str) -> String {
        let response = self.get(path);
        assert_eq!(response.status(), Status::Ok, "GET {path}");
        response.into_string().expect("a body")
    }
}

/// A test leaves nothing in the shared Redis. (A Redis a test started for
/// itself goes with the test; one that never answers is not asked.)
impl Drop for TestApp {
    fn drop(&mut self) {
        if self.chapter.storage() == Storage::Redis && self.keys.url == test_redis_url() {
            let _ = launcher::records::delete_keys(&self.keys);
        }
    }
}

// ---------------------------------------------------------------- fixtures

/// Seconds of an absolute limit no test reaches: ten years.
pub const NO_ABSOLUTE_LIMIT: u64 = 10 * 365 * 24 * 3600;

/// The server's limits when nothing is configured.
pub fn default_policy(chapter: &Chapter) -> ExpiryPolicy {
    ExpiryPolicy::new(chapter.default_session_lifetime(), chapter.default_absolute_lifetime())
}

/// The answers a test gives to "Keep me signed in": both where the user
/// chooses, and elsewhere the one sign-in there is (the box is not shown).
pub fn remember_choices(chapter: &Chapter) -> &'static [bool] {
    if chapter.cookie_expiry().is_chosen_at_sign_in() {
        &[false, true]
    } else {
        &[false]
    }
}

/// The `Max-Age` of a fresh session cookie with the chapter's defaults,
/// for a sign-in that answered `remember`; `None` for a browser-session
/// cookie.
pub fn cookie_lifetime(chapter: &Chapter, remember: bool) -> Option<Duration> {
    match chapter.cookie_expiry() {
        CookieExpiry::AtBrowserClose => None,
        CookieExpiry::SlidingLifetime => Some(chapter.default_session_lifetime()),
        CookieExpiry::ChosenAtSignIn { default_remember_lifetime } => {
            remember.then_some(default_remember_lifetime)
        }
    }
}

/// The tutorial's session data for `user_name`, of any length (the crash
/// test stores names far longer than sign-in accepts, to make writes slow).
pub fn data_of(user_name: &str) -> SessionData {
    SessionData { user_name: user_name.into(), lang: "en".into(), theme: Theme::Dark }
}

/// A session of `user_name` whose last recorded activity is `last_seen`.
pub fn record_of(user_name: &str, last_seen: OffsetDateTime) -> SessionRecord {
    SessionRecord::new(data_of(user_name), last_seen, CsrfToken::generate().expect("a token"))
}

/// Percent-encodes a form value.
pub fn encode(value: &str) -> String {
    use rocket::http::uri::fmt::{Query, UriDisplay};
    format!("{}", &value as &dyn UriDisplay<Query>)
}

/// Every `Set-Cookie` header of `response`, parsed as a browser would.
/// Values are percent-decoded, as Rocket decodes the `Cookie` header, so
/// a cookie can be sent back with [`TestApp::get_with_cookie`].
pub fn set_cookies(response: &LocalResponse<'_>) -> Vec<Cookie<'static>> {
    response
        .headers()
        .get("Set-Cookie")
        .map(|header| Cookie::parse_encoded(header.to_owned()).expect("a valid Set-Cookie header"))
        .collect()
}

/// The value of the login form's hidden `next` field, unescaped.
pub fn hidden_next(body: &str) -> String {
    let start = body.find(r#"name="next" value=""#).expect("a hidden next field") + 19;
    let end = start + body[start..].find('"').expect("a closing quote");
    body[start..end].replace("&#x2f;", "/").replace("&amp;", "&")
}

/// The chapter's session cookie in `response`'s `Set-Cookie` headers, if any.
/// There is never more than one.
pub fn session_cookie(chapter: &Chapter, response: &LocalResponse<'_>) -> Option<Cookie<'static>> {
    let mut found = set_cookies(response).into_iter().filter(|c| c.name() == chapter.cookie_name());
    let cookie = found.next();
    assert!(found.next().is_none(), "one Set-Cookie per response for {}", chapter.cookie_name());
    cookie
}

/// Does `cookie` tell the browser to delete the session cookie?
pub fn is_removal(cookie: &Cookie<'_>) -> bool {
    cookie.value().is_empty() && cookie.max_age() == Some(Duration::ZERO)
}

// ANCHOR: assert_is_redirect_to
pub fn assert_is_redirect_to(response: &LocalResponse<'_>, location: &str) {
    assert_eq!(response.status(), Status::SeeOther, "expected a redirect to {location}");
    assert_eq!(response.headers().get_one("Location"), Some(location));
}
// ANCHOR_END: assert_is_redirect_to

/// The page greets `user` in the navbar.
pub fn assert_signed_in_as(body: &str, user: &str) {
    assert!(body.contains(&format!("Welcome {user}!")), "expected a page for {user}:\n{body}");
    assert!(body.contains(r#"action="/logout""#), "a Log Out button");
}

/// The page has a Sign In link and greets nobody.
pub fn assert_signed_out(body: &str) {
    assert!(!body.contains("Welcome "), "expected a signed-out page:\n{body}");
    assert!(body.contains(r#"<a href="/login" class="button">Sign In</a>"#), "a Sign In link");
}

/// The HTML escape minijinja applies to every value in an `.html.j2`
/// template: what a username must look like on the page.
pub fn html_escaped(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#x27;"),
            '/' => escaped.push_str("&#x2f;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// Would a browser stay on this site when sent to `location`? A path that
/// starts with exactly one `/`, with no backslash, white space or control
/// character, and nothing outside printable ASCII.
pub fn is_local_location(location: &str) -> bool {
    location.starts_with('/')
        && !location.starts_with("//")
        && location.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
}

/// How long [`eventually`] waits: what it waits for takes milliseconds, but
/// a busy two-core machine can hold a background task back for seconds.
pub const EVENTUALLY: std::time::Duration = std::time::Duration::from_secs(30);

/// Waits (up to [`EVENTUALLY`]) until `done` holds: for what happens in
/// real time, off the request path (a sweep, Redis's expiry).
pub fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !done() {
        assert!(start.elapsed() < EVENTUALLY, "timed out waiting until {what}");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

// ---------------------------------------------------------------- child processes

/// The environment variable that tells a re-invoked test binary which
/// scenario to play instead of the test.
pub const CHILD_SCENARIO: &str = "SESSIONS_TEST_CHILD";

/// The scenario this process plays, when a test re-invoked its own binary.
pub fn child_scenario() -> Option<String> {
    std::env::var(CHILD_SCENARIO).ok()
}

/// Re-runs the current test in a fresh process of the same test binary,
/// with [`CHILD_SCENARIO`] set to `scenario` and `env` added: for what
/// cannot be observed in-process (the log, a process killed mid-write).
pub fn child_command(scenario: &str, env: &[(&str, &Path)]) -> std::process::Command {
    let test = std::thread::current().name().expect("libtest names the test thread").to_owned();
    let mut command = std::process::Command::new(std::env::current_exe().expect("the test binary"));
    command.args(["--exact", &test, "--nocapture", "--test-threads=1"]);
    command.env(CHILD_SCENARIO, scenario);
    for (key, value) in env {
        command.env(key, value);
    }
    command
}

/// Starts the child `command`. Under Wine, starting a process once failed
/// with Windows' `ERROR_INTERNAL_ERROR` (1359), in a run of the test
/// command on a busy machine, and in none of ten runs of the test since
/// (each starting at least fifteen children), six of them under stress-ng:
/// Wine's loader gave up before the child ran any of its code, so nothing
/// a test checks had happened. That one error, and only on Windows, is
/// tried again, twice; any other fails the test.
pub fn spawn(command: &mut std::process::Command) -> std::process::Child {
    const ERROR_INTERNAL_ERROR: i32 = 1359;
    for _ in 0..2 {
        match command.spawn() {
            Err(e) if cfg!(windows) && e.raw_os_error() == Some(ERROR_INTERNAL_ERROR) => {
                eprintln!("the child did not start ({e}); trying again");
            }
            started => return started.expect("the child starts"),
        }
    }
    command.spawn().expect("the child starts")
}

// ---------------------------------------------------------------- over the wire

/// A chapter served over real HTTP on 127.0.0.1, for what the local client
/// cannot express: the raw `Cookie` header as a browser (or an attacker)
/// writes it. Stopped when dropped.
pub struct RealServer {
    pub port: u16,
    shutdown: rocket::Shutdown,
    thread: Option<std::thread::JoinHandle<()>>,
    _session_root: TempDir,
}

/// A raw HTTP response.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl RawResponse {
    pub fn header_values(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

impl RealServer {
    /// Serves `chapter` on a port of its own ([`launcher::free_port`]), on
    /// the real clock.
    pub fn start(chapter: Chapter) -> Self {
        let port = launcher::free_port().expect("a free port");
        let TestConfig { figment, session_root, .. } =
            TestConfig::new(chapter).set("address", "127.0.0.1").set("port", port);
        let rocket = launcher::app_with(chapter, figment, Arc::new(tutorial::SystemClock));
        let rocket = rocket::execute(rocket.ignite()).expect("the chapter ignites");
        let shutdown = rocket.shutdown();
        let thread = std::thread::spawn(move || {
            let _ = rocket::execute(rocket.launch());
        });
        let listening = launcher::answers_within(port, std::time::Duration::from_secs(60));
        assert!(listening, "the server listens on {port}");
        RealServer { port, shutdown, thread: Some(thread), _session_root: session_root }
    }

    /// Sends `head` (request line and headers, without the final blank
    /// line) and `body`, and reads the whole response.
    pub fn send(&self, head: &[u8], body: &[u8]) -> RawResponse {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
        let mut request = head.to_vec();
        request.extend_from_slice(
            format!(
                "\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
                body.len()
            )
            .as_bytes(),
        );
        request.extend_from_slice(body);
        // The server may answer and close before reading a huge request.
        let _ = stream.write_all(&request);
        let mut raw = Vec::new();
        let _ = stream.read_to_end(&mut raw);
        parse_raw_response(&raw)
    }

    /// `GET path` with `cookie_header` sent verbatim as the `Cookie` header.
    pub fn get_with_cookie_header(&self, path: &str, cookie_header: &[u8]) -> RawResponse {
        let mut head = format!("GET {path} HTTP/1.1\r\nCookie: ").into_bytes();
        head.extend_from_slice(cookie_header);
        self.send(&head, b"")
    }

    /// Signs `username` in over the wire; the session cookie's value.
    pub fn sign_in(&self, chapter: &Chapter, username: &str) -> String {
        let body = format!("username={}", encode(username));
        let response = self.send(
            b"POST /login HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded",
            body.as_bytes(),
        );
        assert_eq!(response.status, 303, "{response:?}");
        response
            .header_values("Set-Cookie")
            .into_iter()
            .find_map(|header| {
                let cookie = Cookie::parse(header.to_owned()).ok()?;
                (cookie.name() == chapter.cookie_name()).then(|| cookie.value().to_owned())
            })
            .expect("a session cookie")
    }
}

impl Drop for RealServer {
    fn drop(&mut self) {
        self.shutdown.clone().notify();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn parse_raw_response(raw: &[u8]) -> RawResponse {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
        .collect();
    RawResponse { status, headers, body: body.to_owned() }
}
