//! Chapter 1 of the tutorial: a non-persistent session, client-side.
//!
//! Run with `cargo run -p chapter-1`, then open http://127.0.0.1:8001.

use sessions::{Chapter, CookieExpiry, Storage, THIRTY_ONE_DAYS, TWELVE_HOURS};

// ANCHOR: chapter
/// Everything that makes this chapter different from the other five.
pub const CHAPTER: Chapter = Chapter {
    number: 1,
    section: "Non-persistent session, client-side",
    cookie_name: "chapter1_session",
    storage: Storage::SealedCookie,
    cookie_expiry: CookieExpiry::AtBrowserClose,
    default_port: 8001,
    default_session_lifetime: THIRTY_ONE_DAYS,
    default_absolute_lifetime: TWELVE_HOURS,
};
// ANCHOR_END: chapter
