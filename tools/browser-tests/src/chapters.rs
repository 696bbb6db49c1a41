//! The real chapter binaries, started by the `launcher` on a free port with
//! a throw-away session folder (relative, so the panel shows
//! `sessions/chapter-N` as on a learner's machine), and for chapter 5 a key
//! prefix of its own in the Redis of `scripts/with-redis`.

use std::time::Duration;

use launcher::{Chapter, CookieExpiry, KeySpace, Launch, Server};

/// The `session_lifetime` a server is started with.
#[derive(Debug, Clone, Copy)]
pub enum Lifetime {
    /// Nothing configured: the chapter's own default applies.
    ChapterDefault,
    /// `ROCKET_SESSION_LIFETIME`, in seconds.
    Seconds(u64),
}

/// Does the chapter's cookie outlive the browser ("persistent")? In
/// chapter 6 the user chooses; the tests sign in there without "Keep me
/// signed in", so its cookie is a browser-session one.
pub fn is_persistent(chapter: &Chapter) -> bool {
    match chapter.cookie_expiry {
        CookieExpiry::AtBrowserClose | CookieExpiry::ChosenAtSignIn { .. } => false,
        CookieExpiry::SlidingLifetime => true,
    }
}

/// The cookie's sliding lifetime when nothing is configured; `None` for a
/// browser-session cookie, which has no expiry.
pub fn default_cookie_lifetime(chapter: &Chapter) -> Option<Duration> {
    is_persistent(chapter).then(|| chapter.default_session_lifetime.unsigned_abs())
}

/// How the tests start chapter `number`: its debug binary, the secret key
/// of `Rocket.toml`'s debug profile, and `lifetime`.
pub fn launch(number: u8, lifetime: Lifetime) -> Launch {
    let launch = Launch::new(launcher::chapter(number))
        .unwrap_or_else(|e| panic!("cannot prepare chapter {number}: {e}"));
    match lifetime {
        Lifetime::ChapterDefault => launch,
        Lifetime::Seconds(seconds) => launch.session_lifetime(Duration::from_secs(seconds)),
    }
}

/// A running `target/debug/chapter-N`, killed when dropped (also when a
/// test panics).
pub struct ChapterServer {
    pub chapter: Chapter,
    pub port: u16,
    lifetime: Lifetime,
    server: Server,
}

impl ChapterServer {
    /// Starts chapter `number` and waits until its port answers. Chapter 5
    /// gets a key prefix of its own.
    pub fn start(number: u8, lifetime: Lifetime) -> ChapterServer {
        ChapterServer::start_launch(&launch(number, lifetime), lifetime)
    }

    /// Starts chapter `number` with its keys in `space` (only the Redis
    /// chapter keeps any) and waits until its port answers.
    pub fn start_with_keys(number: u8, lifetime: Lifetime, space: KeySpace) -> ChapterServer {
        ChapterServer::start_launch(&launch(number, lifetime).key_space(space), lifetime)
    }

    /// A second instance of this server's chapter, on another port and with
    /// a folder of its own, with the same lifetime and (for chapter 5) the
    /// same records in Redis: two servers behind one site. The secret key
    /// is the same too, the debug profile's from `Rocket.toml`.
    pub fn start_another(&self) -> ChapterServer {
        let mut another = launch(self.chapter.number, self.lifetime);
        if let Some(space) = self.server.key_space() {
            another = another.key_space(space.clone());
        }
        ChapterServer::start_launch(&another, self.lifetime)
    }

    fn start_launch(launch: &Launch, lifetime: Lifetime) -> ChapterServer {
        let server = launch.start().unwrap_or_else(|e| panic!("{e}"));
        let chapter = *server.chapter().expect("a chapter");
        ChapterServer { chapter, port: server.port(), lifetime, server }
    }

    /// What the server printed so far.
    pub fn log(&self) -> String {
        self.server.log()
    }

    /// The absolute URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        self.server.url(path)
    }
}
