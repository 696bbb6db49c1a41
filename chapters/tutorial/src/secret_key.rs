//! The development key, and the rule that keeps it out of production.
//!
//! `Rocket.toml` carries a fixed key in `[debug]` so that a learner's
//! sessions survive `cargo run` restarts. That key is public: anyone who
//! has read the repository can forge and read every cookie sealed with
//! it. Rocket itself only refuses a *missing* key outside debug; this
//! check also refuses the *public* one.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rocket::config::SecretKey;
use rocket::fairing::{AdHoc, Fairing};

use crate::key_rotation::{KeyRotationConfig, PreviousKey};

/// The public development key of `Rocket.toml`'s `[debug]` profile. A test
/// reads `Rocket.toml` to keep the two identical.
pub const DEVELOPMENT_SECRET_KEY: &str = "mTSz35erdFFdsvT0sUK70OUhCn6g8STUNWUIX3iDTWM=";

/// Is `key` the development key, however it was written (base64 or hex)?
pub fn is_development_key(key: &SecretKey) -> bool {
    let bytes = STANDARD.decode(DEVELOPMENT_SECRET_KEY).expect("the development key is base64");
    *key == SecretKey::derive_from(&bytes)
}

/// Is `key`, one of `previous_secret_keys`, the development key?
fn is_development_previous_key(key: &PreviousKey) -> bool {
    key.is_written_as(DEVELOPMENT_SECRET_KEY)
}

// ANCHOR: refuse_development_key
/// Refuses to launch outside the debug profile with the public
/// development key, as Rocket refuses to launch with no key at all: as
/// `secret_key`, or among the `previous_secret_keys` that still open
/// cookies.
pub(crate) fn fairing() -> impl Fairing {
    AdHoc::try_on_ignite("Refuse the development key", |rocket| async move {
        let figment = rocket.figment();
        let is_debug = figment.profile() == rocket::Config::DEBUG_PROFILE;
        match figment.extract_inner::<SecretKey>("secret_key") {
            Ok(key) if !is_debug && is_development_key(&key) => {
                rocket::error!(
                    "secret_key is the public development key from Rocket.toml; \
                     refusing to launch in the {} profile. Set ROCKET_SECRET_KEY \
                     (generate one with: openssl rand -base64 32).",
                    figment.profile()
                );
                return Err(rocket);
            }
            _ => {}
        }
        // A cookie sealed with a previous key still opens: the public key
        // there would let anyone forge a session just the same.
        let rotation = figment.extract::<KeyRotationConfig>().unwrap_or_default();
        if !is_debug && rotation.previous_secret_keys.iter().any(is_development_previous_key) {
            rocket::error!(
                "previous_secret_keys holds the public development key from Rocket.toml; \
                 refusing to launch in the {} profile: anyone could forge a cookie it opens.",
                figment.profile()
            );
            return Err(rocket);
        }
        Ok(rocket)
    })
}
// ANCHOR_END: refuse_development_key

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_development_key_is_recognised_among_the_previous_keys() {
        let development = PreviousKey::parse(DEVELOPMENT_SECRET_KEY).unwrap();
        assert!(is_development_previous_key(&development));
        let other = PreviousKey::parse("pWkL1yV6o4bJm8FQn8G3zvS0c6y1Uu4Zl7r2d9QxTnE=").unwrap();
        assert!(!is_development_previous_key(&other));
    }
}
