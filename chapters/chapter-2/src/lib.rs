//! Chapter 2 of the tutorial: a non-persistent session, server-side.
//!
//! Run with `cargo run -p chapter-2`, then open http://127.0.0.1:8002.

use tutorial::{Chapter, Sessions, Storage, THIRTY_ONE_DAYS, TWELVE_HOURS};

// ANCHOR: chapter
/// Everything that makes this chapter different from the other five.
pub const CHAPTER: Chapter = Chapter {
    number: 2,
    section: "Non-persistent session, server-side",
    default_port: 8002,
    sessions: Sessions::new(Storage::ServerFiles)
        .with_cookie_name("chapter2_session")
        .with_notice_cookie_name("chapter2_notice")
        .with_store_name("chapter-2")
        .with_idle_limit(THIRTY_ONE_DAYS)
        .with_absolute_limit(TWELVE_HOURS),
};
// ANCHOR_END: chapter
