//! Starting the release binaries on loopback, and reading their memory.
//!
//! The `launcher` starts them (environment, secret key, session folder,
//! Redis key prefix, waiting for the port), and the Flask original under
//! gunicorn (`launcher::original`); this adds the benchmark's ports, the
//! peer (rocket_flex_session, `tools/bench/peer`), filling a store, and
//! the CPU and memory figures.

use std::path::{Path, PathBuf};
use std::time::Duration;

use launcher::original::{self, Original};
use launcher::SessionData;
use launcher::{Chapter, KeySpace, Launch, Records};
use rocket_db_pools::deadpool_redis::redis;
use tutorial::store::SessionId;
use tutorial::{SessionRecord, Theme};

/// Ports 24100 and up: away from the chapters' own 8001–8004, and below
/// the kernel's ephemeral range (32768–60999), where a client connection
/// of an earlier run could hold the port.
const BASE_PORT: u16 = 24100;

/// A server under test; killed when dropped.
pub struct Server {
    pub name: String,
    pub port: u16,
    pub chapter: Option<u8>,
    /// The peer's storage, for the peer.
    pub peer: Option<Peer>,
    process: Process,
}

/// How the peer, rocket_flex_session, keeps its sessions (`PEER_STORAGE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peer {
    /// The same app with no session: the peer's own yardstick.
    NoSession,
    /// Its cookie storage: an encrypted cookie, as chapter 3's.
    Cookie,
    /// Its Redis storage (fred), as chapter 5's.
    Redis,
}

impl Peer {
    fn storage(self) -> &'static str {
        match self {
            Peer::NoSession => "none",
            Peer::Cookie => "cookie",
            Peer::Redis => "redis",
        }
    }

    /// Its Redis keys' prefix (`tools/bench/peer`'s `prefix`), in the test Redis.
    fn key_space() -> KeySpace {
        KeySpace::new(launcher::keys::test_redis_url(), "peer:sess:")
    }
}

/// A Rocket program (a chapter, the baseline), or the Flask original.
enum Process {
    Rocket(launcher::Server),
    Original(Original),
}

/// The folder holding this program, where cargo also put the chapters.
fn binary(name: &str) -> PathBuf {
    let dir = std::env::current_exe().expect("own path").parent().expect("a folder").to_owned();
    let path = dir.join(name);
    assert!(path.exists(), "{} is missing: run scripts/bench, which builds it", path.display());
    path
}

impl Server {
    pub fn baseline() -> Server {
        let launch = Launch::program(binary("baseline")).expect("a temporary folder");
        Server::start(launch, "baseline".to_owned(), BASE_PORT)
    }

    pub fn chapter(number: u8) -> Server {
        let name = launcher::package(&launcher::chapter(number));
        let path = binary(&name);
        Server::start_chapter(number, &path, BASE_PORT + u16::from(number))
    }

    /// Chapter `number` from another build (`--compare-with`): the binary
    /// of that name in `dir`, on port 24110 + `number`, beside the current
    /// build's.
    pub fn chapter_from(number: u8, dir: &Path) -> Server {
        let path = dir.join(launcher::package(&launcher::chapter(number)));
        Server::start_chapter(number, &path, BASE_PORT + 10 + u16::from(number))
    }

    /// The Flask original of section `section`, as `scripts/flask-original`
    /// serves it (gunicorn, two workers of four threads), on port 24120 + `section`.
    pub fn original(section: u8) -> Server {
        let port = BASE_PORT + 20 + u16::from(section);
        let name = format!("original-{section}");
        let started =
            Original::start_on(section, port).unwrap_or_else(|e| panic!("start {name}: {e}"));
        Server { name, port, chapter: None, peer: None, process: Process::Original(started) }
    }

    /// The peer, rocket_flex_session, keeping its sessions as `peer` says,
    /// on port 24130 and up.
    pub fn peer(peer: Peer) -> Server {
        let launch = Launch::program(binary("peer"))
            .expect("a temporary folder")
            .env("PEER_STORAGE", peer.storage())
            .env("PEER_REDIS_URL", Peer::key_space().url);
        let port = BASE_PORT + 30 + peer as u16;
        let mut server = Server::start(launch, format!("peer, {}", peer.storage()), port);
        server.peer = Some(peer);
        server
    }

    fn start_chapter(number: u8, binary: &Path, port: u16) -> Server {
        let chapter = launcher::chapter(number);
        let launch = Launch::new(chapter).expect("a temporary folder").binary(binary);
        Server::start(launch, launcher::package(&chapter), port)
    }

    /// Starts `launch` as a release build does: the release profile, a
    /// fresh secret key (it refuses to launch without one), no log.
    fn start(launch: Launch, name: String, port: u16) -> Server {
        let server = launch
            .port(port)
            .random_secret_key()
            .rocket("profile", "release")
            .rocket("log_level", "off")
            .start()
            .unwrap_or_else(|e| panic!("start {name}: {e}"));
        let chapter = server.chapter().map(|chapter| chapter.number);
        Server { name, port, chapter, peer: None, process: Process::Rocket(server) }
    }

    /// The chapter's server; `None` for the original.
    fn rocket(&self) -> Option<&launcher::Server> {
        match &self.process {
            Process::Rocket(server) => Some(server),
            Process::Original(_) => None,
        }
    }

    /// Whether this is the Flask original.
    pub fn is_original(&self) -> bool {
        matches!(self.process, Process::Original(_))
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The chapter's own description: its cookie, where it keeps records.
    fn facts(&self) -> Option<Chapter> {
        self.chapter.map(launcher::chapter)
    }

    /// The cookies a signed-in browser sends back: the chapter's one, or
    /// the peer's two (its id, and with its cookie storage the data).
    pub fn cookie_names(&self) -> Vec<String> {
        if self.is_original() {
            return vec![original::COOKIE_NAME.to_owned()];
        }
        if self.peer.is_some() {
            return vec!["rocket".to_owned(), "rocket_session".to_owned()];
        }
        vec![self.facts().expect("a chapter").cookie_name().to_owned()]
    }

    /// The sign-in form `user` sends. The tutorial's form has no password
    /// field with a name, and its `/login` needs the hidden `next` (a
    /// missing one is redirected to `None`, a 500): the form as its page
    /// sends it.
    pub fn sign_in_form(&self, user: &str) -> String {
        if self.is_original() {
            format!("next=None&username={user}")
        } else {
            format!("username={user}&password=x")
        }
    }

    pub fn is_server_side(&self) -> bool {
        self.facts().is_some_and(|chapter| chapter.storage().is_server_side())
    }

    fn store_dir(&self) -> PathBuf {
        let server = self.rocket().expect("a chapter");
        server.session_dir().join(self.facts().expect("a chapter").store_folder())
    }

    /// Stops the server, its store's folder moved into `set_aside` first
    /// rather than deleted with the server's own folder.
    pub fn stop(self, set_aside: &SetAside) {
        if self.rocket().is_some_and(|_| self.facts().is_some()) {
            let dir = self.store_dir();
            if dir.exists() {
                set_aside.take(&dir);
            }
        }
    }

    /// Adds live records, or takes some away, until the store holds
    /// `total`: what a busy site's folder (or Redis) looks like. Added
    /// directly (one `fs::write` each, without the store's temporary file
    /// and lock; a pipeline of `SET`s) to keep set-up short; taken away when
    /// a sign-in row left more than the next row is about: deleted from
    /// Redis, and moved into `set_aside` from a folder (see [`SetAside`]).
    pub fn fill_store(&self, total: usize, set_aside: &SetAside) {
        let space = self.rocket().and_then(launcher::Server::key_space);
        let mut records = match space {
            Some(space) => Records::redis(space).expect("Redis"),
            None => Records::folder(self.store_dir()),
        };
        let names = records.names().expect("the store's records");
        if names.len() > total {
            return match space {
                Some(space) => delete_keys(space, &names[total..]),
                None => {
                    for name in &names[total..] {
                        set_aside.take(Path::new(name));
                    }
                }
            };
        }
        let data =
            SessionData { user_name: "stored".into(), lang: "en".into(), theme: Theme::Dark };
        let now = rocket::time::OffsetDateTime::now_utc();
        let token = tutorial::csrf::CsrfToken::generate().expect("a token");
        let record = SessionRecord::new(data, now, token);
        let json = rocket::serde::json::serde_json::to_vec(&record).expect("json");
        let missing = total - names.len();
        match space {
            Some(space) => fill_redis(space, missing, &json),
            None => {
                let dir = self.store_dir();
                for _ in 0..missing {
                    let id = SessionId::generate().expect("randomness");
                    std::fs::write(dir.join(tutorial::store::file::file_name(&id)), &json)
                        .expect("seed a record");
                }
            }
        }
    }

    /// CPU time the server has used so far, user and system, over all its
    /// threads (`/proc/PID/stat`; for the original, gunicorn's processes),
    /// with Redis's own (`INFO cpu`) for the servers that keep sessions
    /// there: the work one request costs wherever it is done. Only one
    /// server is driven at a time, so Redis's time in a turn is that
    /// server's.
    pub fn cpu_time(&self) -> Duration {
        let own: Duration = self.pids().into_iter().map(|pid| self.cpu_time_of(pid)).sum();
        let redis = if self.uses_redis() { redis_cpu_time() } else { Duration::ZERO };
        own + redis
    }

    fn uses_redis(&self) -> bool {
        self.peer == Some(Peer::Redis)
            || self.rocket().and_then(launcher::Server::key_space).is_some()
    }

    fn cpu_time_of(&self, pid: u32) -> Duration {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .unwrap_or_else(|e| panic!("{} is not running: {e}", self.name));
        // After the command's name in parentheses (which may hold spaces):
        // state is field 3, utime 14 and stime 15, in clock ticks.
        let fields: Vec<&str> =
            stat.rsplit_once(')').expect("(comm)").1.split_whitespace().collect();
        let ticks: u64 =
            fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime");
        Duration::from_secs_f64(ticks as f64 / clock_ticks_per_second())
    }

    /// Redis's own memory (`used_memory`, KiB) and its number of keys, for
    /// chapter 5.
    pub fn redis_memory(&self) -> Option<(u64, u64)> {
        let mut redis = self.rocket()?.key_space()?.connect().ok()?;
        let info: String = redis::cmd("INFO").arg("memory").query(&mut redis).ok()?;
        let bytes: u64 =
            info.lines().find_map(|l| l.strip_prefix("used_memory:"))?.trim().parse().ok()?;
        let keys: u64 = redis::cmd("DBSIZE").query(&mut redis).ok()?;
        Some((bytes / 1024, keys))
    }

    /// Peak resident memory of the server so far (`VmHWM`), in KiB; for
    /// the original, the sum of its processes' peaks (gunicorn and its two
    /// workers), which is at least what they held at once.
    pub fn peak_rss_kib(&self) -> u64 {
        self.pids().into_iter().map(|pid| self.peak_rss_of(pid)).sum()
    }

    /// The server's processes: one, or gunicorn's and its workers'.
    fn pids(&self) -> Vec<u32> {
        match &self.process {
            Process::Rocket(server) => vec![server.pid()],
            Process::Original(original) => original.pids(),
        }
    }

    fn peak_rss_of(&self, pid: u32) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
            .unwrap_or_else(|e| panic!("{} is not running: {e}", self.name));
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmHWM in /proc/PID/status")
    }
}

/// `getconf CLK_TCK`: the unit of `/proc/PID/stat`'s times (100 on Linux).
fn clock_ticks_per_second() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        let output = std::process::Command::new("getconf").arg("CLK_TCK").output();
        let text = output.map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
        text.ok().and_then(|t| t.parse().ok()).expect("getconf CLK_TCK")
    })
}

/// The CPU time the test Redis has used, user and system (`INFO cpu`,
/// in seconds to the microsecond).
fn redis_cpu_time() -> Duration {
    let mut redis = launcher::keys::connect(&launcher::keys::test_redis_url()).expect("Redis");
    let info: String = redis::cmd("INFO").arg("cpu").query(&mut redis).expect("INFO cpu");
    let seconds = |field: &str| -> f64 {
        info.lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("{field} in INFO cpu"))
    };
    Duration::from_secs_f64(seconds("used_cpu_sys:") + seconds("used_cpu_user:"))
}

/// Adds `count` records to `space`, each with the five-minute expiry
/// chapter 5 gives its own.
fn fill_redis(space: &KeySpace, count: usize, json: &[u8]) {
    let mut redis = space.connect().expect("Redis");
    let mut left = count;
    while left > 0 {
        let chunk = left.min(10_000);
        let mut pipe = redis::pipe();
        for _ in 0..chunk {
            let id = SessionId::generate().expect("randomness");
            pipe.cmd("SET")
                .arg(format!("{}{}", space.prefix, id.hashed()))
                .arg(json)
                .arg("PX")
                .arg(300_000)
                .ignore();
        }
        pipe.query::<()>(&mut redis).expect("seed records");
        left -= chunk;
    }
}

/// Deletes the keys `names` from `space`'s Redis.
fn delete_keys(space: &KeySpace, names: &[String]) {
    let mut redis = space.connect().expect("Redis");
    for chunk in names.chunks(10_000) {
        redis::cmd("DEL").arg(chunk).query::<()>(&mut redis).expect("DEL");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Leave the Redis as we found it.
        if let Some(space) = self.rocket().and_then(launcher::Server::key_space) {
            let _ = launcher::records::delete_keys(space);
        }
        if self.peer == Some(Peer::Redis) {
            let _ = launcher::records::delete_keys(&Peer::key_space());
        }
    }
}

/// Where the bench puts the records it takes away from a store, until the
/// last round is done.
///
/// Deleting them at once would slow down the file chapters' next sign-ins:
/// on an ext4 file system without a journal (this machine's, and many a
/// virtual machine's), a new file is not given an inode freed in the last
/// minute or more, and the search skips over each such inode one by one;
/// after a burst of deletions, every file a sign-in creates pays for that.
/// A rename into this folder frees no inode.
pub struct SetAside {
    dir: tempfile::TempDir,
    count: std::cell::Cell<usize>,
}

impl SetAside {
    pub fn new() -> SetAside {
        let dir = tempfile::Builder::new().prefix("bench-set-aside-").tempdir().expect("a folder");
        SetAside { dir, count: std::cell::Cell::new(0) }
    }

    /// Moves the file or folder `path` here, under a name of its own.
    fn take(&self, path: &Path) {
        let n = self.count.get();
        self.count.set(n + 1);
        std::fs::rename(path, self.dir.path().join(n.to_string()))
            .unwrap_or_else(|e| panic!("set {} aside: {e}", path.display()));
    }

    /// Deletes everything set aside: once nothing is measured any more.
    pub fn delete(self) {
        self.dir.close().expect("delete the records set aside");
    }
}
