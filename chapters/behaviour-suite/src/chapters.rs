//! Which chapters each test is about. Every list is written once, here, and
//! a test file applies one with `#[apply(every_chapter)]`: a new chapter
//! joins the lists it belongs to in this file, and every test of those
//! lists then runs for it, in every test file.

use rstest_reuse::template;

// ANCHOR: every_chapter
/// Every chapter: what the behaviour table promises for all of them.
#[template]
#[export]
#[rstest]
#[case::chapter_1(chapter_1::CHAPTER)]
#[case::chapter_2(chapter_2::CHAPTER)]
#[case::chapter_3(chapter_3::CHAPTER)]
#[case::chapter_4(chapter_4::CHAPTER)]
#[case::chapter_5(chapter_5::CHAPTER)]
#[case::chapter_6(chapter_6::CHAPTER)]
fn every_chapter(#[case] chapter: Chapter) {}
// ANCHOR_END: every_chapter

// ANCHOR: server_side_chapters
/// The chapters that keep the session on the server, whatever the store:
/// the rows of the behaviour table about records and ids.
#[template]
#[export]
#[rstest]
#[case::chapter_2(chapter_2::CHAPTER)]
#[case::chapter_4(chapter_4::CHAPTER)]
#[case::chapter_5(chapter_5::CHAPTER)]
#[case::chapter_6(chapter_6::CHAPTER)]
fn server_side_chapters(#[case] chapter: Chapter) {}
// ANCHOR_END: server_side_chapters

// ANCHOR: file_store_chapters
/// The chapters that keep their records in files.
#[template]
#[export]
#[rstest]
#[case::chapter_2(chapter_2::CHAPTER)]
#[case::chapter_4(chapter_4::CHAPTER)]
#[case::chapter_6(chapter_6::CHAPTER)]
fn file_store_chapters(#[case] chapter: Chapter) {}
// ANCHOR_END: file_store_chapters

// ANCHOR: redis_chapter
/// The chapter that keeps its records in Redis.
#[template]
#[export]
#[rstest]
#[case::chapter_5(chapter_5::CHAPTER)]
fn redis_chapter(#[case] chapter: Chapter) {}
// ANCHOR_END: redis_chapter

/// The chapters that seal the whole session into the cookie.
#[template]
#[export]
#[rstest]
#[case::chapter_1(chapter_1::CHAPTER)]
#[case::chapter_3(chapter_3::CHAPTER)]
fn sealed_cookie_chapters(#[case] chapter: Chapter) {}

/// The chapters whose users choose at sign-in how long the cookie lives.
#[template]
#[export]
#[rstest]
#[case::chapter_6(chapter_6::CHAPTER)]
fn chooser_chapters(#[case] chapter: Chapter) {}

/// The chapters that decide for their users.
#[template]
#[export]
#[rstest]
#[case::chapter_1(chapter_1::CHAPTER)]
#[case::chapter_2(chapter_2::CHAPTER)]
#[case::chapter_3(chapter_3::CHAPTER)]
#[case::chapter_4(chapter_4::CHAPTER)]
#[case::chapter_5(chapter_5::CHAPTER)]
fn deciding_chapters(#[case] chapter: Chapter) {}
