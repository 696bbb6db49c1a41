//! What every tool needs to run the chapters: their descriptions, a way to
//! start one as a process and stop it, the test Redis, a look at the
//! records a chapter stored, and the Flask original ([`original`]) beside them.
//!
//! The chapters' facts (ports, cookie names, where they keep their records)
//! come from each chapter's own [`Chapter`] value, never from a copy, so a
//! tool cannot drift from the chapter it runs.

pub mod cargo;
pub mod keys;
pub mod original;
pub mod page;
pub mod ports;
pub mod progress;
pub mod records;
pub mod redis_server;
pub mod server;

pub use cargo::{build_chapters, package, workspace_root, Profile};
pub use keys::{test_redis_url, unique_key_prefix, KeySpace};
pub use ports::free_port;
pub use records::Records;
pub use redis_server::RedisServer;
pub use server::{answers_within, poll_while_running, Launch, Server};
pub use tutorial::{Chapter, CookieExpiry, Storage};

/// Every chapter, in order: each one's own [`Chapter`] value.
pub const CHAPTERS: [Chapter; 6] = [
    chapter_1::CHAPTER,
    chapter_2::CHAPTER,
    chapter_3::CHAPTER,
    chapter_4::CHAPTER,
    chapter_5::CHAPTER,
    chapter_6::CHAPTER,
];

/// The chapter numbered `number` (1 to 6).
pub fn chapter(number: u8) -> Chapter {
    *CHAPTERS
        .iter()
        .find(|c| c.number == number)
        .unwrap_or_else(|| panic!("there is no chapter {number}"))
}
