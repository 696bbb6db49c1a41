//! The real chapter binaries, started by the `launcher` on a free port with
//! a throw-away session folder (relative, so the panel shows
//! `sessions/chapter-N` as on a learner's machine), and for chapter 5 a key
//! prefix of its own in the Redis of `scripts/with-redis`. Their limits
//! come through the environment, as a learner sets them:
//! `ROCKET_SESSION_LIFETIME` ([`Lifetime`]) and
//! `ROCKET_SESSION_ABSOLUTE_LIFETIME` ([`ChapterServer::start_with_absolute`]).

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

/// Does the chapter's cookie outlive the browser ("persistent"), for a
/// user signed in by [`pages::sign_in`](crate::pages::sign_in)? In
/// chapter 6 the user chooses; `sign_in` leaves "Keep me signed in"
/// unticked (and checks that it starts so), so its cookie is a
/// browser-session one. [`pages::sign_in_remembered`](crate::pages::sign_in_remembered)
/// ticks it.
pub fn is_persistent(chapter: &Chapter) -> bool {
    match chapter.cookie_expiry() {
        CookieExpiry::AtBrowserClose | CookieExpiry::ChosenAtSignIn { .. } => false,
        CookieExpiry::SlidingLifetime => true,
    }
}

/// The cookie's sliding lifetime when nothing is configured; `None` for a
/// browser-session cookie, which has no expiry.
pub fn default_cookie_lifetime(chapter: &Chapter) -> Option<Duration> {
    is_persistent(chapter).then(|| chapter.default_session_lifetime().unsigned_abs())
}

/// The cookie's `Max-Age` after signing in with "Keep me signed in"
/// ticked, when nothing is configured; `None` where the chapter offers no
/// such choice.
pub fn default_remember_lifetime(chapter: &Chapter) -> Option<Duration> {
    match chapter.cookie_expiry() {
        CookieExpiry::ChosenAtSignIn { default_remember_lifetime } => {
            Some(default_remember_lifetime.unsigned_abs())
        }
        CookieExpiry::AtBrowserClose | CookieExpiry::SlidingLifetime => None,
    }
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

/// [`launch`], with `session_absolute_lifetime` set to `absolute` (whole
/// seconds) when given.
fn launch_with(number: u8, lifetime: Lifetime, absolute: Option<Duration>) -> Launch {
    let launch = launch(number, lifetime);
    match absolute {
        Some(absolute) => {
            launch.rocket("session_absolute_lifetime", absolute.as_secs().to_string())
        }
        None => launch,
    }
}

/// A running `target/debug/chapter-N`, killed when dropped (also when a
/// test panics).
pub struct ChapterServer {
    pub chapter: Chapter,
    pub port: u16,
    lifetime: Lifetime,
    absolute: Option<Duration>,
    server: Server,
}

impl ChapterServer {
    /// Starts chapter `number` and waits until its port answers. Chapter 5
    /// gets a key prefix of its own.
    pub fn start(number: u8, lifetime: Lifetime) -> ChapterServer {
        ChapterServer::start_launch(&launch(number, lifetime), lifetime, None)
    }

    /// Starts chapter `number` with `lifetime` and an absolute limit of
    /// `absolute` (`ROCKET_SESSION_ABSOLUTE_LIFETIME`, whole seconds).
    pub fn start_with_absolute(
        number: u8,
        lifetime: Lifetime,
        absolute: Duration,
    ) -> ChapterServer {
        let absolute = Some(absolute);
        ChapterServer::start_launch(&launch_with(number, lifetime, absolute), lifetime, absolute)
    }

    /// Starts chapter `number` with its keys in `space` (only the Redis
    /// chapter keeps any) and waits until its port answers.
    pub fn start_with_keys(number: u8, lifetime: Lifetime, space: KeySpace) -> ChapterServer {
        ChapterServer::start_launch(&launch(number, lifetime).key_space(space), lifetime, None)
    }

    /// A second instance of this server's chapter, on another port and with
    /// a folder of its own, with the same lifetime and (for chapter 5) the
    /// same records in Redis: two servers behind one site. The secret key
    /// is the same too, the debug profile's from `Rocket.toml`, and so is
    /// the absolute limit.
    pub fn start_another(&self) -> ChapterServer {
        let mut another = launch_with(self.chapter.number, self.lifetime, self.absolute);
        if let Some(space) = self.server.key_space() {
            another = another.key_space(space.clone());
        }
        ChapterServer::start_launch(&another, self.lifetime, self.absolute)
    }

    /// Starts what `launch` describes, built elsewhere: another binary of
    /// the chapter (`Launch::binary`), say, such as the stranger tests'
    /// unprotected variant or an older build. Its lifetimes are its own
    /// business: [`ChapterServer::start_another`] starts a second one with
    /// the chapter's defaults.
    pub fn start_from(launch: &Launch) -> ChapterServer {
        ChapterServer::start_launch(launch, Lifetime::ChapterDefault, None)
    }

    fn start_launch(
        launch: &Launch,
        lifetime: Lifetime,
        absolute: Option<Duration>,
    ) -> ChapterServer {
        let server = launch.start().unwrap_or_else(|e| panic!("{e}"));
        let chapter = *server.chapter().expect("a chapter");
        ChapterServer { chapter, port: server.port(), lifetime, absolute, server }
    }

    /// What the server printed so far.
    pub fn log(&self) -> String {
        self.server.log()
    }

    /// What the server printed since the last call.
    pub fn new_output(&mut self) -> String {
        self.server.new_output()
    }

    /// The absolute URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        self.server.url(path)
    }
}
