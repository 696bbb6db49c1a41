//! The real chapter binaries, started on a test port with a throw-away
//! session folder, and for chapter 5 a key prefix of their own in the
//! Redis of `scripts/with-redis`.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tempfile::TempDir;

use crate::ports;

/// What a browser should see of one chapter: the design's table, written
/// down here on its own so that a wrong constant in the chapter code makes
/// these tests fail instead of moving them along with it.
#[derive(Debug, Clone, Copy)]
pub struct ChapterSpec {
    pub number: u8,
    pub cookie_name: &'static str,
    pub storage: Storage,
    /// `None`: a browser-session cookie with no expiry ("non-persistent").
    /// `Some`: the cookie's sliding lifetime when nothing is configured.
    pub default_cookie_lifetime: Option<Duration>,
}

impl ChapterSpec {
    pub fn is_persistent(&self) -> bool {
        self.default_cookie_lifetime.is_some()
    }
}

/// Where a chapter keeps its session records: what a server needs to be
/// started with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    /// In the cookie itself (chapters 1 and 3).
    Cookie,
    /// In files under `session_dir` (chapters 2 and 4).
    Files,
    /// In Redis (chapter 5): the server needs `SESSIONS_TEST_REDIS_URL`.
    Redis,
}

const FIVE_MINUTES: Duration = Duration::from_secs(300);

pub const CHAPTERS: [ChapterSpec; 5] = [
    ChapterSpec {
        number: 1,
        cookie_name: "chapter1_session",
        storage: Storage::Cookie,
        default_cookie_lifetime: None,
    },
    ChapterSpec {
        number: 2,
        cookie_name: "chapter2_session",
        storage: Storage::Files,
        default_cookie_lifetime: None,
    },
    ChapterSpec {
        number: 3,
        cookie_name: "chapter3_session",
        storage: Storage::Cookie,
        default_cookie_lifetime: Some(FIVE_MINUTES),
    },
    ChapterSpec {
        number: 4,
        cookie_name: "chapter4_session",
        storage: Storage::Files,
        default_cookie_lifetime: Some(FIVE_MINUTES),
    },
    ChapterSpec {
        number: 5,
        cookie_name: "chapter5_session",
        storage: Storage::Redis,
        default_cookie_lifetime: Some(FIVE_MINUTES),
    },
];

/// The spec of chapter `number` (1 to 5).
pub fn spec(number: u8) -> ChapterSpec {
    CHAPTERS[usize::from(number) - 1]
}

/// The `session_lifetime` a server is started with.
#[derive(Debug, Clone, Copy)]
pub enum Lifetime {
    /// Nothing configured: the chapter's own default applies.
    ChapterDefault,
    /// `ROCKET_SESSION_LIFETIME`, in seconds.
    Seconds(u64),
}

/// The `session_key_prefix` of a Redis chapter: which keys it reads and
/// writes in the shared Redis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyPrefix {
    /// A prefix no other server uses, so that tests running side by side
    /// (and earlier runs on the same Redis) never see each other's records.
    Unique,
    /// Nothing configured: the chapter's own `chapter-5:session:`, as a
    /// reader running `cargo run -p chapter-5` sees it (the screenshots).
    ChapterDefault,
    /// This very prefix: a second instance sharing the first one's records.
    Shared(String),
}

/// The Redis the Redis chapter is pointed at: `SESSIONS_TEST_REDIS_URL`,
/// which `scripts/with-redis` sets.
pub fn redis_url() -> String {
    std::env::var("SESSIONS_TEST_REDIS_URL").unwrap_or_else(|_| {
        panic!(
            "chapter 5 keeps its sessions in Redis and SESSIONS_TEST_REDIS_URL is not set: \
             run under scripts/with-redis, e.g. \
             `scripts/with-redis cargo test -p browser-tests` (scripts/test does this)"
        )
    })
}

/// A key prefix no other server of any run uses: this process, a counter,
/// and the time, so a later run on the same Redis does not collide either.
fn unique_key_prefix(spec: &ChapterSpec) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_nanos();
    format!(
        "browser-tests-{}-{}-{nanos:x}:chapter-{}:session:",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
        spec.number
    )
}

/// A running `target/debug/chapter-N`, killed when dropped (also when a
/// test panics).
pub struct ChapterServer {
    pub spec: ChapterSpec,
    pub port: u16,
    /// The Redis chapter's `session_key_prefix`, when one was set.
    pub key_prefix: Option<String>,
    lifetime: Lifetime,
    child: Child,
    /// The server's working folder: its session store and its log.
    workdir: TempDir,
}

impl ChapterServer {
    /// Starts chapter `number` and waits until its port answers. Chapter 5
    /// gets a key prefix of its own.
    pub fn start(number: u8, lifetime: Lifetime) -> ChapterServer {
        ChapterServer::start_with_prefix(number, lifetime, KeyPrefix::Unique)
    }

    /// A second instance of this server's chapter, on another port, with
    /// the same lifetime and (for chapter 5) the same records in Redis: two
    /// servers behind one site. The secret key is the same too, the debug
    /// profile's from `Rocket.toml`.
    pub fn start_another(&self) -> ChapterServer {
        let prefix = match &self.key_prefix {
            Some(prefix) => KeyPrefix::Shared(prefix.clone()),
            None => KeyPrefix::ChapterDefault,
        };
        ChapterServer::start_with_prefix(self.spec.number, self.lifetime, prefix)
    }

    /// Starts chapter `number` with the given key prefix (used only by the
    /// Redis chapter) and waits until its port answers.
    pub fn start_with_prefix(number: u8, lifetime: Lifetime, prefix: KeyPrefix) -> ChapterServer {
        let spec = spec(number);
        let binary = binary_dir().join(format!("chapter-{number}"));
        assert!(
            binary.is_file(),
            "{} is missing: build the chapters first with \
             `cargo build -p chapter-1 -p chapter-2 -p chapter-3 -p chapter-4 -p chapter-5` \
             (scripts/test does this before the browser tests)",
            binary.display()
        );
        let workdir = tempfile::Builder::new().prefix("chapter-server-").tempdir().unwrap();
        let log = File::create(workdir.path().join("server.log")).unwrap();
        let port = ports::free_port();
        let mut command = Command::new(&binary);
        command
            // The session store, relative to the working folder, so the
            // panel shows `sessions/chapter-N` rather than a temp path.
            .current_dir(workdir.path())
            .env("ROCKET_CONFIG", workspace_root().join("Rocket.toml"))
            .env("ROCKET_SESSION_DIR", "sessions")
            .env("ROCKET_ADDRESS", "127.0.0.1")
            .env("ROCKET_PORT", port.to_string())
            .env("ROCKET_CLI_COLORS", "false")
            .env_remove("ROCKET_PROFILE")
            .stdout(log.try_clone().unwrap())
            .stderr(log);
        match lifetime {
            Lifetime::ChapterDefault => command.env_remove("ROCKET_SESSION_LIFETIME"),
            Lifetime::Seconds(seconds) => {
                command.env("ROCKET_SESSION_LIFETIME", seconds.to_string())
            }
        };
        let mut key_prefix = None;
        if spec.storage == Storage::Redis {
            command.env("ROCKET_DATABASES", format!("{{sessions={{url=\"{}\"}}}}", redis_url()));
            key_prefix = match prefix {
                KeyPrefix::Unique => Some(unique_key_prefix(&spec)),
                KeyPrefix::ChapterDefault => None,
                KeyPrefix::Shared(prefix) => Some(prefix),
            };
            match &key_prefix {
                Some(prefix) => command.env("ROCKET_SESSION_KEY_PREFIX", prefix),
                None => command.env_remove("ROCKET_SESSION_KEY_PREFIX"),
            };
        }
        let child =
            command.spawn().unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let mut server = ChapterServer { spec, port, key_prefix, lifetime, child, workdir };
        server.wait_until_listening();
        server
    }

    fn wait_until_listening(&mut self) {
        let answered = ports::answers_within(self.port, Duration::from_secs(20));
        let exited = self.child.try_wait().ok().flatten();
        if !answered || exited.is_some() {
            panic!(
                "chapter-{} did not start listening on port {} ({}); its log:\n{}",
                self.spec.number,
                self.port,
                exited.map_or("still running".to_string(), |status| status.to_string()),
                self.log()
            );
        }
    }

    /// What the server printed so far.
    pub fn log(&self) -> String {
        fs::read_to_string(self.workdir.path().join("server.log")).unwrap_or_default()
    }

    /// The absolute URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for ChapterServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The folder of `Cargo.toml` (the workspace's) and `Rocket.toml`.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// Where cargo put the binaries of this build (`target/debug`): the test
/// binary lives in its `deps/` folder, the screenshots binary in it.
fn binary_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the path of the running binary");
    let dir = exe.parent().unwrap();
    if dir.ends_with("deps") {
        dir.parent().unwrap().to_path_buf()
    } else {
        dir.to_path_buf()
    }
}
