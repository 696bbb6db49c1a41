//! `cargo run -p chapter-2`: serves [`chapter_2::CHAPTER`], the whole
//! description of this chapter, with the application every chapter shares.

#[rocket::launch]
fn rocket() -> _ {
    tutorial::app(chapter_2::CHAPTER)
}
