//! Chapter 1 of the tutorial: a non-persistent session, client-side.
//!
//! Run with `cargo run -p chapter-1`, then open http://127.0.0.1:8001.

use tutorial::{Chapter, Sessions, Storage, THIRTY_ONE_DAYS, TWELVE_HOURS};

// ANCHOR: chapter
/// Everything that makes this chapter different from the other five.
pub const CHAPTER: Chapter = Chapter {
    number: 1,
    section: "Non-persistent session, client-side",
    default_port: 8001,
    sessions: Sessions::new(Storage::SealedCookie)
        .with_cookie_name("chapter1_session")
        .with_notice_cookie_name("chapter1_notice")
        .with_store_name("chapter-1")
        .with_idle_limit(THIRTY_ONE_DAYS)
        .with_absolute_limit(TWELVE_HOURS),
};
// ANCHOR_END: chapter
