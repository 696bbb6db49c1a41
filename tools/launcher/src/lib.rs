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

/// Chapter `number`'s own pages (its `GET` routes).
pub fn pages(number: u8) -> Vec<rocket::Route> {
    match number {
        1 => chapter_1::pages(),
        2 => chapter_2::pages(),
        3 => chapter_3::pages(),
        4 => chapter_4::pages(),
        5 => chapter_5::pages(),
        6 => chapter_6::pages(),
        _ => panic!("there is no chapter {number}"),
    }
}

/// Chapter `number`'s own forms (its `POST` routes).
pub fn forms(number: u8) -> Vec<rocket::Route> {
    match number {
        1 => chapter_1::forms(),
        2 => chapter_2::forms(),
        3 => chapter_3::forms(),
        4 => chapter_4::forms(),
        5 => chapter_5::forms(),
        6 => chapter_6::forms(),
        _ => panic!("there is no chapter {number}"),
    }
}

/// What `chapter_N::app()` serves for `chapter`: configured from
/// `Rocket.toml` and `ROCKET_*` environment variables, on the real clock.
pub fn app(chapter: Chapter) -> rocket::Rocket<rocket::Build> {
    let figment = tutorial::chapter::figment(&chapter);
    app_with(chapter, figment, std::sync::Arc::new(tutorial::SystemClock))
}

/// [`app`], on `figment` and `clock`:
/// the shared site with the sessions `chapter` describes, and the pages and
/// forms of the chapter of its number. Tests use it to configure a chapter
/// and move its time on.
pub fn app_with(
    chapter: Chapter,
    figment: rocket::figment::Figment,
    clock: std::sync::Arc<dyn tutorial::Clock>,
) -> rocket::Rocket<rocket::Build> {
    tutorial::site_with(chapter, figment, clock)
        .mount("/", pages(chapter.number))
        .mount("/", forms(chapter.number))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tests build a chapter as [`app`] does; the chapter's own binary
    /// builds it with `chapter_N::app()`. Both have the same routes.
    #[test]
    fn each_chapter_is_built_as_its_binary_builds_it() {
        for chapter in CHAPTERS {
            let ours = app(chapter);
            let theirs = match chapter.number {
                1 => chapter_1::app(),
                2 => chapter_2::app(),
                3 => chapter_3::app(),
                4 => chapter_4::app(),
                5 => chapter_5::app(),
                _ => chapter_6::app(),
            };
            let routes = |rocket: &rocket::Rocket<rocket::Build>| {
                let mut all: Vec<String> = rocket.routes().map(|r| r.to_string()).collect();
                all.sort();
                all
            };
            assert_eq!(routes(&ours), routes(&theirs), "chapter {}", chapter.number);
            assert_eq!(ours.state::<Chapter>(), theirs.state::<Chapter>());
        }
    }
}
