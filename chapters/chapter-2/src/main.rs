//! `cargo run -p chapter-2`: serves [`chapter_2::app`].

#[rocket::launch]
fn rocket() -> _ {
    chapter_2::app()
}
