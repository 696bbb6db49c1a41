//! `cargo run -p chapter-4`: serves [`chapter_4::CHAPTER`], the whole
//! description of this chapter, with the application every chapter shares.

#[rocket::launch]
fn rocket() -> _ {
    tutorial::app(chapter_4::CHAPTER)
}
