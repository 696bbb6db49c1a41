//! The real chapter binaries, started on a test port with a throw-away
//! session folder.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;

use tempfile::TempDir;

use crate::ports;

/// What a browser should see of one chapter: the design's table, written
/// down here on its own so that a wrong constant in the chapter code makes
/// these tests fail instead of moving them along with it.
#[derive(Debug, Clone, Copy)]
pub struct ChapterSpec {
    pub number: u8,
    pub cookie_name: &'static str,
    /// `None`: a browser-session cookie with no expiry ("non-persistent").
    /// `Some`: the cookie's sliding lifetime when nothing is configured.
    pub default_cookie_lifetime: Option<Duration>,
}

impl ChapterSpec {
    pub fn is_persistent(&self) -> bool {
        self.default_cookie_lifetime.is_some()
    }
}

const FIVE_MINUTES: Duration = Duration::from_secs(300);

pub const CHAPTERS: [ChapterSpec; 4] = [
    ChapterSpec { number: 1, cookie_name: "chapter1_session", default_cookie_lifetime: None },
    ChapterSpec { number: 2, cookie_name: "chapter2_session", default_cookie_lifetime: None },
    ChapterSpec {
        number: 3,
        cookie_name: "chapter3_session",
        default_cookie_lifetime: Some(FIVE_MINUTES),
    },
    ChapterSpec {
        number: 4,
        cookie_name: "chapter4_session",
        default_cookie_lifetime: Some(FIVE_MINUTES),
    },
];

/// The spec of chapter `number` (1 to 4).
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

/// A running `target/debug/chapter-N`, killed when dropped (also when a
/// test panics).
pub struct ChapterServer {
    pub spec: ChapterSpec,
    pub port: u16,
    child: Child,
    /// The server's working folder: its session store and its log.
    workdir: TempDir,
}

impl ChapterServer {
    /// Starts chapter `number` and waits until its port answers.
    pub fn start(number: u8, lifetime: Lifetime) -> ChapterServer {
        let spec = spec(number);
        let binary = binary_dir().join(format!("chapter-{number}"));
        assert!(
            binary.is_file(),
            "{} is missing: build the chapters first with \
             `cargo build -p chapter-1 -p chapter-2 -p chapter-3 -p chapter-4` \
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
        let child =
            command.spawn().unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let mut server = ChapterServer { spec, port, child, workdir };
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
