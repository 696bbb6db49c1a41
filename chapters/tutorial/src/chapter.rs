//! What makes one chapter different from another.

use rocket::figment::providers::{Env, Format, Serialized, Toml};
use rocket::figment::{Figment, Profile};
use rocket::time::Duration;

use crate::{CookieExpiry, Sessions, Storage};

/// One section of the tutorial: its sessions, and where it is served. Each
/// chapter binary defines exactly one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chapter {
    /// 1 to 6, as in `cargo run -p chapter-N`.
    pub number: u8,
    /// The tutorial section this chapter rebuilds, e.g. "Non-persistent session, client-side".
    pub section: &'static str,
    /// The port used unless `port` is configured.
    pub default_port: u16,
    /// The chapter's sessions: the lesson.
    pub sessions: Sessions,
}

impl Chapter {
    /// The session cookie's name. Cookies are shared by every port of a
    /// host, so each chapter has its own to run beside the others.
    pub fn cookie_name(&self) -> &'static str {
        self.sessions.cookie_name()
    }

    /// Where the session data lives.
    pub fn storage(&self) -> Storage {
        self.sessions.storage()
    }

    /// When the browser drops the cookie.
    pub fn cookie_expiry(&self) -> CookieExpiry {
        self.sessions.cookie_expiry()
    }

    /// The idle limit the *server* enforces unless `session_lifetime` is configured.
    pub fn default_session_lifetime(&self) -> Duration {
        self.sessions.idle_limit()
    }

    /// The absolute limit the *server* enforces, counted from sign-in,
    /// unless `session_absolute_lifetime` is configured.
    pub fn default_absolute_lifetime(&self) -> Duration {
        self.sessions.absolute_limit()
    }

    /// The folder, below `session_dir`, that holds this chapter's records.
    pub fn store_folder(&self) -> &'static str {
        self.sessions.store_name()
    }

    /// What this chapter's Redis keys start with, unless configured.
    pub fn key_prefix(&self) -> String {
        self.sessions.key_prefix()
    }
}

// ANCHOR: figment
/// Rocket's usual figment, with the chapter's own defaults beneath
/// `Rocket.toml` and the environment: its port and where Redis is. (The
/// session keys' defaults are its `Sessions`', beneath everything.)
pub fn figment(chapter: &Chapter) -> Figment {
    chapter_defaults(chapter)
        .merge(Toml::file(Env::var_or("ROCKET_CONFIG", "Rocket.toml")).nested())
        .merge(Env::prefixed("ROCKET_").ignore(&["PROFILE"]).global())
        .select(Profile::from_env_or("ROCKET_PROFILE", rocket::Config::DEFAULT_PROFILE))
}
// ANCHOR_END: figment

/// Rocket's built-in defaults, then the chapter's port and Redis: what
/// applies when neither `Rocket.toml` nor the environment says otherwise.
/// The session keys' defaults are the chapter's [`Sessions`]', which its
/// fairing puts beneath the whole figment (read them back with
/// [`Sessions::extract`]).
pub fn chapter_defaults(chapter: &Chapter) -> Figment {
    Figment::from(rocket::Config::default())
        .merge(Serialized::default("port", chapter.default_port))
        .merge(Serialized::default("databases.sessions.url", DEFAULT_REDIS_URL))
}

/// Where the Redis chapter finds Redis unless `databases.sessions.url` says
/// otherwise: a local Redis on its standard port.
pub const DEFAULT_REDIS_URL: &str = "redis://127.0.0.1:6379";
