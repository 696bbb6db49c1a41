//! Chapter 3 of the tutorial: a persistent session, client-side.
//!
//! Run with `cargo run -p chapter-3`, then open http://127.0.0.1:8003.

use sessions::{Chapter, CookieExpiry, Storage, FIVE_MINUTES, TWELVE_HOURS};

// ANCHOR: chapter
/// Everything that makes this chapter different from the other five.
pub const CHAPTER: Chapter = Chapter {
    number: 3,
    section: "Persistent session, client-side",
    cookie_name: "chapter3_session",
    storage: Storage::SealedCookie,
    cookie_expiry: CookieExpiry::SlidingLifetime,
    default_port: 8003,
    default_session_lifetime: FIVE_MINUTES,
    default_absolute_lifetime: TWELVE_HOURS,
};
// ANCHOR_END: chapter
