//! What every tool needs to run the chapters: their descriptions, a way to
//! start one as a process and stop it, the test Redis, and a look at the
//! records a chapter stored.

pub mod progress;

use sessions::Chapter;

/// Every chapter, in order: each one's own [`Chapter`] value.
pub const CHAPTERS: [Chapter; 5] = [
    chapter_1::CHAPTER,
    chapter_2::CHAPTER,
    chapter_3::CHAPTER,
    chapter_4::CHAPTER,
    chapter_5::CHAPTER,
];

/// The chapter numbered `number` (1 to 5).
pub fn chapter(number: u8) -> Chapter {
    *CHAPTERS
        .iter()
        .find(|c| c.number == number)
        .unwrap_or_else(|| panic!("there is no chapter {number}"))
}
