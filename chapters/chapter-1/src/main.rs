//! `cargo run -p chapter-1`: serves [`chapter_1::CHAPTER`], the whole
//! description of this chapter, with the application every chapter shares.

#[rocket::launch]
fn rocket() -> _ {
    tutorial::app(chapter_1::CHAPTER)
}
