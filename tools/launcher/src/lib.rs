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

use std::sync::Arc;

use rocket::figment::Figment;
use rocket::{Build, Rocket};
use serde::{Deserialize, Serialize};
use tutorial::username::Username;
use tutorial::{SessionOwner, Theme};

/// The tutorial's session data as the tools write and read it, for the
/// tools that store records or sign in by themselves: the fields every
/// chapter's own `SessionData` has. A chapter may add more (the exercise
/// "Count the visits" does); a test below checks that every chapter reads
/// what the tools write, and the tools what every chapter writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionData {
    /// The name the user signed in with.
    pub user_name: String,
    /// The user's language: `"en"`.
    pub lang: String,
    /// The page colours the user chose.
    pub theme: Theme,
}

impl SessionData {
    /// The tutorial's three values for a user who just signed in.
    pub fn new(user_name: Username) -> Self {
        SessionData { user_name: user_name.into_string(), lang: "en".into(), theme: Theme::Dark }
    }
}

impl SessionOwner for SessionData {
    fn owner(&self) -> &str {
        &self.user_name
    }
}

/// What the tools take from one chapter's crate.
struct ChapterCrate {
    chapter: Chapter,
    pages: fn() -> Vec<rocket::Route>,
    forms: fn() -> Vec<rocket::Route>,
    /// `tutorial::site_with` for the chapter's own session data.
    site_with: fn(Chapter, Figment, Arc<dyn tutorial::Clock>) -> Rocket<Build>,
    /// The chapter's own `app()`, as its binary builds it.
    #[cfg(test)]
    app: fn() -> Rocket<Build>,
    /// The chapter's data for a user who just signed in, as the tools read
    /// it: see [`SessionData`].
    #[cfg(test)]
    signed_in: fn(&str) -> SessionData,
    /// The tools' data, read by the chapter, written again, and read back.
    #[cfg(test)]
    round_trip: fn(&SessionData) -> SessionData,
}

/// One row of [`CRATES`].
macro_rules! chapter_crate {
    ($chapter:ident) => {
        ChapterCrate {
            chapter: $chapter::CHAPTER,
            pages: $chapter::pages,
            forms: $chapter::forms,
            site_with: tutorial::site_with::<$chapter::SessionData>,
            #[cfg(test)]
            app: $chapter::app,
            #[cfg(test)]
            signed_in: |name| {
                let name = Username::parse(name).expect("a valid name");
                let json = serde_json::to_string(&$chapter::SessionData::new(name)).unwrap();
                serde_json::from_str(&json).expect("the tools read the chapter's data")
            },
            #[cfg(test)]
            round_trip: |data| {
                let json = serde_json::to_string(data).unwrap();
                let theirs: $chapter::SessionData =
                    serde_json::from_str(&json).expect("the chapter reads the tools' data");
                let json = serde_json::to_string(&theirs).unwrap();
                serde_json::from_str(&json).expect("the tools read it back")
            },
        }
    };
}

/// Every chapter's crate, in order.
const CRATES: [ChapterCrate; 6] = [
    chapter_crate!(chapter_1),
    chapter_crate!(chapter_2),
    chapter_crate!(chapter_3),
    chapter_crate!(chapter_4),
    chapter_crate!(chapter_5),
    chapter_crate!(chapter_6),
];

/// Every chapter, in order: each one's own [`Chapter`] value.
pub const CHAPTERS: [Chapter; 6] = [
    CRATES[0].chapter,
    CRATES[1].chapter,
    CRATES[2].chapter,
    CRATES[3].chapter,
    CRATES[4].chapter,
    CRATES[5].chapter,
];

/// The crate of the chapter numbered `number` (1 to 6).
fn chapter_crate(number: u8) -> &'static ChapterCrate {
    CRATES
        .iter()
        .find(|c| c.chapter.number == number)
        .unwrap_or_else(|| panic!("there is no chapter {number}"))
}

/// The chapter numbered `number` (1 to 6).
pub fn chapter(number: u8) -> Chapter {
    chapter_crate(number).chapter
}

/// What `chapter_N::app()` serves for `chapter`: configured from
/// `Rocket.toml` and `ROCKET_*` environment variables, on the real clock.
pub fn app(chapter: Chapter) -> Rocket<Build> {
    let figment = tutorial::chapter::figment(&chapter);
    app_with(chapter, figment, Arc::new(tutorial::SystemClock))
}

/// [`app`], on `figment` and `clock`: the shared site with the sessions
/// `chapter` describes and the session data of the chapter of its number,
/// and that chapter's pages and forms. Tests use it to configure a chapter
/// and move its time on.
pub fn app_with(
    chapter: Chapter,
    figment: Figment,
    clock: Arc<dyn tutorial::Clock>,
) -> Rocket<Build> {
    let own = chapter_crate(chapter.number);
    (own.site_with)(chapter, figment, clock).mount("/", (own.pages)()).mount("/", (own.forms)())
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
            let theirs = (chapter_crate(chapter.number).app)();
            let routes = |rocket: &rocket::Rocket<rocket::Build>| {
                let mut all: Vec<String> = rocket.routes().map(|r| r.to_string()).collect();
                all.sort();
                all
            };
            assert_eq!(routes(&ours), routes(&theirs), "chapter {}", chapter.number);
            assert_eq!(ours.state::<Chapter>(), theirs.state::<Chapter>());
        }
    }

    /// The tools write records of their own [`SessionData`] for every
    /// chapter and read every chapter's: each chapter's own type must read
    /// the one and write what the other reads.
    #[test]
    fn the_tools_and_every_chapter_read_each_others_session_data() {
        let ada = SessionData::new(Username::parse("ada").unwrap());
        let json = serde_json::to_string(&ada).unwrap();
        assert_eq!(json, r#"{"user_name":"ada","lang":"en","theme":"dark"}"#);
        for own in &CRATES {
            let number = own.chapter.number;
            assert_eq!((own.signed_in)("ada"), ada, "chapter {number} signs Ada in");
            assert_eq!((own.round_trip)(&ada), ada, "chapter {number} reads and writes");
        }
    }
}
