//! Chapter 6, beyond the tutorial: "Keep me signed in". The server-side
//! session of chapter 4, whose cookie the user chooses at sign-in: a
//! browser-session cookie, or a persistent one that lasts two weeks. Either
//! way the server ends the session after half an hour without a request,
//! and 30 days after sign-in whatever its activity.
//!
//! Run with `cargo run -p chapter-6`, then open http://127.0.0.1:8006.

use tutorial::{
    Chapter, CookieExpiry, Sessions, Storage, FOURTEEN_DAYS, THIRTY_DAYS, THIRTY_MINUTES,
};

// ANCHOR: chapter
/// Chapter 4 with a choice at sign-in: its cookie expiry says the user
/// decides, and how long a remembered cookie lasts unless
/// `remember_lifetime` is configured.
pub const CHAPTER: Chapter = Chapter {
    number: 6,
    section: "Keep me signed in: the user chooses, server-side",
    default_port: 8006,
    sessions: Sessions::new(Storage::ServerFiles)
        .with_cookie_name("chapter6_session")
        .with_notice_cookie_name("chapter6_notice")
        .with_store_name("chapter-6")
        .with_cookie_expiry(CookieExpiry::ChosenAtSignIn {
            default_remember_lifetime: FOURTEEN_DAYS,
        })
        .with_idle_limit(THIRTY_MINUTES)
        .with_absolute_limit(THIRTY_DAYS),
};
// ANCHOR_END: chapter
