//! Sessions for Rocket apps: typed session data of the app's own, kept
//! sealed in the cookie, in files or in Redis, with an idle *and* an
//! absolute limit that the server enforces, "keep me signed in", CSRF
//! protection, one-time messages, a user's list of sessions, previous
//! secret keys, and an honest `503` when the store is out of order.
//!
//! An app describes its sessions with a [`Sessions`] value and attaches
//! its [`fairing`](Sessions::fairing); its handlers then take a
//! [`Session`] (anyone) or a [`SignedIn`] (signed-in users only) guard.

#![deny(missing_docs)]

pub mod clock;
pub mod config;
pub mod csrf;
mod error;
mod fairing;
pub mod key_rotation;
mod no_store;
pub mod policy;
pub mod record;
pub mod session;
mod setup;
pub mod store;
mod transport;

#[cfg(test)]
mod test_data;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::Error;
pub use record::{SessionOwner, SessionRecord, StoredData};
pub use session::{
    Ended, Session, SessionList, SessionManager, SessionView, SignedIn, ThisSession,
};
pub use setup::{CookieExpiry, Sessions, Storage};
