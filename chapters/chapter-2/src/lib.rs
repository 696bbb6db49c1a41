//! Chapter 2 of the tutorial: a non-persistent session, server-side.
//!
//! Run with `cargo run -p chapter-2`, then open http://127.0.0.1:8002.

use sessions::{Chapter, CookieExpiry, Storage, THIRTY_ONE_DAYS, TWELVE_HOURS};

// ANCHOR: chapter
/// Everything that makes this chapter different from the other five.
pub const CHAPTER: Chapter = Chapter {
    number: 2,
    section: "Non-persistent session, server-side",
    cookie_name: "chapter2_session",
    storage: Storage::ServerFiles,
    cookie_expiry: CookieExpiry::AtBrowserClose,
    default_port: 8002,
    default_session_lifetime: THIRTY_ONE_DAYS,
    default_absolute_lifetime: TWELVE_HOURS,
};
// ANCHOR_END: chapter
