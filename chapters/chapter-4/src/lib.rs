//! Chapter 4 of the tutorial: a persistent session, server-side.
//!
//! Run with `cargo run -p chapter-4`, then open http://127.0.0.1:8004.

use tutorial::{Chapter, CookieExpiry, Sessions, Storage, FIVE_MINUTES, TWELVE_HOURS};

// ANCHOR: chapter
/// Everything that makes this chapter different from the other five.
pub const CHAPTER: Chapter = Chapter {
    number: 4,
    section: "Persistent session, server-side",
    default_port: 8004,
    sessions: Sessions::new(Storage::ServerFiles)
        .with_cookie_name("chapter4_session")
        .with_notice_cookie_name("chapter4_notice")
        .with_store_name("chapter-4")
        .with_cookie_expiry(CookieExpiry::SlidingLifetime)
        .with_idle_limit(FIVE_MINUTES)
        .with_absolute_limit(TWELVE_HOURS),
};
// ANCHOR_END: chapter
