//! `cargo run -p chapter-5`: serves [`chapter_5::CHAPTER`], the whole
//! description of this chapter, with the application every chapter shares.

#[rocket::launch]
fn rocket() -> _ {
    tutorial::app(chapter_5::CHAPTER)
}
