//! Chapter 4 of the tutorial: a persistent session, server-side.
//!
//! Run with `cargo run -p chapter-4`, then open http://127.0.0.1:8004.

use sessions::{Chapter, CookieExpiry, Storage, FIVE_MINUTES, TWELVE_HOURS};

// ANCHOR: chapter
/// Everything that makes this chapter different from the other five.
pub const CHAPTER: Chapter = Chapter {
    number: 4,
    section: "Persistent session, server-side",
    cookie_name: "chapter4_session",
    storage: Storage::ServerFiles,
    cookie_expiry: CookieExpiry::SlidingLifetime,
    default_port: 8004,
    default_session_lifetime: FIVE_MINUTES,
    default_absolute_lifetime: TWELVE_HOURS,
};
// ANCHOR_END: chapter
