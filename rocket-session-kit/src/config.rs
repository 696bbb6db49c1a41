//! The configuration keys the chapters add to Rocket's own.
//!
//! They come from the same figment as Rocket's: the chapter's defaults, then
//! `Rocket.toml`, then `ROCKET_*` environment variables, so
//! `ROCKET_SESSION_LIFETIME=30 cargo run -p chapter-3` just works.

use rocket::figment::providers::{Env, Format, Serialized, Toml};
use rocket::figment::{Figment, Profile};
use rocket::time::Duration;
use serde::{Deserialize, Serialize};

use crate::policy::ExpiryPolicy;
use crate::{Chapter, CookieExpiry};

/// What every chapter reads at launch besides Rocket's own keys. Each
/// store reads its own keys too: [`FileStoreConfig`](crate::store::file::FileStoreConfig)
/// and [`RedisStoreConfig`](crate::store::redis::RedisStoreConfig).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct SessionConfig {
    /// Seconds without a request after which the server refuses a session.
    /// In the persistent chapters it is also the cookie's `Max-Age`.
    pub session_lifetime: u64,
    /// Seconds after sign-in after which the server refuses a session,
    /// whatever its activity. No cookie's `Max-Age` reaches beyond it.
    pub session_absolute_lifetime: u64,
    /// Seconds the browser keeps the cookie of a user who ticked "Keep me
    /// signed in" (its `Max-Age`), in the chapter where users choose; the
    /// other chapters have no default and ignore it.
    #[serde(default)]
    pub remember_lifetime: Option<u64>,
}

/// Seconds as a [`Duration`], without overflow.
fn seconds(seconds: u64) -> Duration {
    Duration::seconds(seconds.min(i64::MAX as u64) as i64)
}

impl SessionConfig {
    /// The idle limit, `session_lifetime`.
    pub fn lifetime(&self) -> Duration {
        seconds(self.session_lifetime)
    }

    /// The absolute limit, `session_absolute_lifetime`.
    pub fn absolute_lifetime(&self) -> Duration {
        seconds(self.session_absolute_lifetime)
    }

    /// `remember_lifetime`, where it is set.
    pub fn remember_lifetime(&self) -> Option<Duration> {
        self.remember_lifetime.map(seconds)
    }

    /// The server's rules for when a session ends.
    pub fn expiry_policy(&self) -> ExpiryPolicy {
        ExpiryPolicy::new(self.lifetime(), self.absolute_lifetime())
    }
}

/// Reads the configuration a fairing needs from `rocket`'s figment, or
/// prints why it cannot (as Rocket prints its own configuration errors)
/// so that the fairing can refuse to launch.
pub fn read<T: serde::de::DeserializeOwned>(rocket: &rocket::Rocket<rocket::Build>) -> Option<T> {
    rocket.figment().extract().map_err(rocket::config::pretty_print_error).ok()
}

// ANCHOR: figment
/// Rocket's usual figment, with the chapter's own defaults beneath
/// `Rocket.toml` and the environment: its port and its session lifetimes.
pub fn figment(chapter: &Chapter) -> Figment {
    chapter_defaults(chapter)
        .merge(Toml::file(Env::var_or("ROCKET_CONFIG", "Rocket.toml")).nested())
        .merge(Env::prefixed("ROCKET_").ignore(&["PROFILE"]).global())
        .select(Profile::from_env_or("ROCKET_PROFILE", rocket::Config::DEFAULT_PROFILE))
}
// ANCHOR_END: figment

/// Rocket's built-in defaults, then the chapter's: what applies when
/// neither `Rocket.toml` nor the environment says otherwise.
pub fn chapter_defaults(chapter: &Chapter) -> Figment {
    let figment = Figment::from(rocket::Config::default())
        .merge(Serialized::default("port", chapter.default_port))
        .merge(Serialized::default(
            "session_lifetime",
            chapter.default_session_lifetime.whole_seconds(),
        ))
        .merge(Serialized::default(
            "session_absolute_lifetime",
            chapter.default_absolute_lifetime.whole_seconds(),
        ));
    let figment = match chapter.cookie_expiry {
        CookieExpiry::ChosenAtSignIn { default_remember_lifetime } => figment.merge(
            Serialized::default("remember_lifetime", default_remember_lifetime.whole_seconds()),
        ),
        CookieExpiry::AtBrowserClose | CookieExpiry::SlidingLifetime => figment,
    };
    figment
        .merge(Serialized::default("session_dir", "sessions"))
        .merge(Serialized::default("session_cleanup_interval", 60))
        .merge(Serialized::default("session_key_prefix", chapter.key_prefix()))
        .merge(Serialized::default("databases.sessions.url", DEFAULT_REDIS_URL))
}

/// Where the Redis chapter finds Redis unless `databases.sessions.url` says
/// otherwise: a local Redis on its standard port.
pub const DEFAULT_REDIS_URL: &str = "redis://127.0.0.1:6379";
