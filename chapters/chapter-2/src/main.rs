//! `cargo run -p chapter-2`: serves [`chapter_2::CHAPTER`], the whole
//! description of this chapter, with the application every chapter shares.

#[rocket::launch]
fn rocket() -> _ {
    sessions::app(chapter_2::CHAPTER)
}
