//! Chapter 3 of the tutorial: a persistent session, client-side.
//!
//! Run with `cargo run -p chapter-3`, then open http://127.0.0.1:8003.

use tutorial::{Chapter, CookieExpiry, Sessions, Storage, FIVE_MINUTES, TWELVE_HOURS};

// ANCHOR: chapter
/// Everything that makes this chapter different from the other five.
pub const CHAPTER: Chapter = Chapter {
    number: 3,
    section: "Persistent session, client-side",
    default_port: 8003,
    sessions: Sessions::new(Storage::SealedCookie)
        .with_cookie_name("chapter3_session")
        .with_notice_cookie_name("chapter3_notice")
        .with_store_name("chapter-3")
        .with_cookie_expiry(CookieExpiry::SlidingLifetime)
        .with_idle_limit(FIVE_MINUTES)
        .with_absolute_limit(TWELVE_HOURS),
};
// ANCHOR_END: chapter
