//! `cargo run -p chapter-5`: serves [`chapter_5::app`].

#[rocket::launch]
fn rocket() -> _ {
    chapter_5::app()
}
