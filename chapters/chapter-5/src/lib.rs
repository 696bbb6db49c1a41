//! Chapter 5, beyond the tutorial: the persistent server-side session of
//! chapter 4, with its records in Redis, so that several instances of the
//! server share them.
//!
//! Start Redis, then run `cargo run -p chapter-5` and open
//! http://127.0.0.1:8005. A second instance:
//! `ROCKET_PORT=8055 cargo run -p chapter-5`.

use sessions::{Chapter, CookieExpiry, Storage, FIVE_MINUTES, TWELVE_HOURS};

// ANCHOR: chapter
/// Chapter 4 with its records in Redis: `storage` is the one field that
/// changes what the chapter does; the number, the section, the cookie name
/// and the port are each chapter's own.
pub const CHAPTER: Chapter = Chapter {
    number: 5,
    section: "Persistent session, server-side, shared in Redis",
    cookie_name: "chapter5_session",
    storage: Storage::Redis,
    cookie_expiry: CookieExpiry::SlidingLifetime,
    default_port: 8005,
    default_session_lifetime: FIVE_MINUTES,
    default_absolute_lifetime: TWELVE_HOURS,
};
// ANCHOR_END: chapter
