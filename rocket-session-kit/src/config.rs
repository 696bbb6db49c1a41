//! The configuration keys the sessions add to Rocket's own.
//!
//! They come from the app's figment (`Rocket.toml`, then `ROCKET_*`
//! environment variables), with the defaults of the app's
//! [`Sessions`](crate::Sessions) beneath, so
//! `ROCKET_SESSION_LIFETIME=30 cargo run` just works.

use rocket::time::Duration;
use serde::{Deserialize, Serialize};

use crate::policy::ExpiryPolicy;

/// The session keys the app reads at launch besides Rocket's own. Each
/// store reads its own keys too: [`FileStoreConfig`](crate::store::file::FileStoreConfig)
/// and [`RedisStoreConfig`](crate::store::redis::RedisStoreConfig).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct SessionConfig {
    /// Seconds without a request after which the server refuses a session.
    /// For a sliding cookie it is also the cookie's `Max-Age`.
    pub session_lifetime: u64,
    /// Seconds after sign-in after which the server refuses a session,
    /// whatever its activity. No cookie's `Max-Age` reaches beyond it.
    pub session_absolute_lifetime: u64,
    /// Seconds the browser keeps the cookie of a user who ticked "Keep me
    /// signed in" (its `Max-Age`), where users choose; elsewhere it has no
    /// default and is ignored.
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
pub(crate) fn read<T: serde::de::DeserializeOwned>(
    rocket: &rocket::Rocket<rocket::Build>,
) -> Option<T> {
    rocket.figment().extract().map_err(rocket::config::pretty_print_error).ok()
}
