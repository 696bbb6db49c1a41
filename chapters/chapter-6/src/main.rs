//! `cargo run -p chapter-6`: serves [`chapter_6::CHAPTER`], the whole
//! description of this chapter, with the application every chapter shares.

#[rocket::launch]
fn rocket() -> _ {
    tutorial::app(chapter_6::CHAPTER)
}
