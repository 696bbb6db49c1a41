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
use crate::Chapter;

/// What every chapter reads at launch besides Rocket's own keys. Each
/// store reads its own keys too: [`FileStoreConfig`](crate::store::file::FileStoreConfig)
/// and [`RedisStoreConfig`](crate::store::redis::RedisStoreConfig).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct SessionConfig {
    /// Seconds without a request after which the server refuses a session.
    /// In the persistent chapters it is also the cookie's `Max-Age`.
    pub session_lifetime: u64,
}

impl SessionConfig {
    pub fn lifetime(&self) -> Duration {
        Duration::seconds(self.session_lifetime.min(i64::MAX as u64) as i64)
    }

    /// The server's rules for when a session ends.
    pub fn expiry_policy(&self) -> ExpiryPolicy {
        ExpiryPolicy::new(self.lifetime())
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
/// `Rocket.toml` and the environment: its port and its session lifetime.
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
    Figment::from(rocket::Config::default())
        .merge(Serialized::default("port", chapter.default_port))
        .merge(Serialized::default(
            "session_lifetime",
            chapter.default_session_lifetime.whole_seconds(),
        ))
        .merge(Serialized::default("session_dir", "sessions"))
        .merge(Serialized::default("session_cleanup_interval", 60))
        .merge(Serialized::default("session_key_prefix", chapter.key_prefix()))
        .merge(Serialized::default("databases.sessions.url", DEFAULT_REDIS_URL))
}

/// Where the Redis chapter finds Redis unless `databases.sessions.url` says
/// otherwise: a local Redis on its standard port.
pub const DEFAULT_REDIS_URL: &str = "redis://127.0.0.1:6379";
