//! Chapter 5, beyond the tutorial: the persistent server-side session of
//! chapter 4, with its records in Redis, so that several instances of the
//! server share them.
//!
//! Start Redis, then run `cargo run -p chapter-5` and open
//! http://127.0.0.1:8005. A second instance:
//! `ROCKET_PORT=8055 cargo run -p chapter-5`.

use tutorial::{Chapter, CookieExpiry, Sessions, Storage, FIVE_MINUTES, TWELVE_HOURS};

// ANCHOR: chapter
/// Chapter 4 with its records in Redis: `Storage::Redis` is the one thing
/// that changes what the chapter does; the number, the section, the port
/// and the names of the cookies and of the store are each chapter's own.
pub const CHAPTER: Chapter = Chapter {
    number: 5,
    section: "Persistent session, server-side, shared in Redis",
    default_port: 8005,
    sessions: Sessions::new(Storage::Redis)
        .with_cookie_name("chapter5_session")
        .with_notice_cookie_name("chapter5_notice")
        .with_store_name("chapter-5")
        .with_cookie_expiry(CookieExpiry::SlidingLifetime)
        .with_idle_limit(FIVE_MINUTES)
        .with_absolute_limit(TWELVE_HOURS),
};
// ANCHOR_END: chapter
