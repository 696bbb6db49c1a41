#![doc = include_str!("../README.md")]
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
