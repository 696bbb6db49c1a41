//! What a real browser does with each chapter's session cookie.
//!
//! The tracked test client in `tutorial::testing` proves what the server
//! sends; only a browser can prove what happens next: that a tab close keeps
//! the session, that a browser restart drops a session cookie but keeps a
//! persistent one, that an idle session ends. These helpers start the real
//! chapter binaries and drive Debian's headless Chromium and Firefox ESR
//! through `chromedriver` and `geckodriver` (WebDriver), each test once per
//! [`Engine`], for the tests in `tests/` and for the book's
//! screenshots (`cargo run -p browser-tests --bin screenshots`).
//!
//! [`stranger`] runs the stranger's attacks (cross-site request forgery,
//! `tools/stranger`) against a signed-in chapter, and against the
//! chapter's unprotected variant (`src/bin/unprotected_chapter.rs`), which
//! shows that they would work without the chapters' protections
//! (`tests/stranger.rs`, and `--bin attack_report` for a table of them).
//!
//! Chromium and chromedriver come from Debian (`scripts/install-chromium`);
//! Firefox ESR from Debian and geckodriver from crates.io, pinned
//! (`scripts/install-firefox`); the chapter binaries must be built first (`cargo build` of every
//! chapter, and for the stranger tests `cargo build -p stranger`; cargo
//! builds this crate's own binaries, the unprotected variant among them,
//! for its tests), and chapter 5 needs the Redis of `scripts/with-redis`
//! (`SESSIONS_TEST_REDIS_URL`). `scripts/test` does all three.

pub mod browser;
pub mod chapters;
pub mod engine;
pub mod facts;
pub mod original;
pub mod pages;
mod processes;
pub mod stranger;
pub mod webdriver;

pub use browser::{Browser, Options, Profile};
pub use chapters::{ChapterServer, Lifetime};
pub use engine::Engine;
pub use launcher::{Chapter, CookieExpiry, KeySpace, Storage, CHAPTERS};

/// The same tests once per engine: `$body` (modules of `#[tokio::test]`s
/// that read the engine from `super::ENGINE`) goes into a module
/// `chromium` and a module `firefox`, so each result is named by its engine
/// (`chromium::chapter_3::browser_restart`). From inside `$body`'s modules,
/// the test file's own functions are `super::super::…`.
#[macro_export]
macro_rules! in_each_engine {
    ($($body:tt)*) => {
        mod chromium {
            #[allow(unused)]
            const ENGINE: $crate::Engine = $crate::Engine::Chromium;
            $($body)*
        }
        mod firefox {
            #[allow(unused)]
            const ENGINE: $crate::Engine = $crate::Engine::Firefox;
            $($body)*
        }
    };
}
