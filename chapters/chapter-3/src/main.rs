//! `cargo run -p chapter-3`: serves [`chapter_3::CHAPTER`], the whole
//! description of this chapter, with the application every chapter shares.

#[rocket::launch]
fn rocket() -> _ {
    tutorial::app(chapter_3::CHAPTER)
}
