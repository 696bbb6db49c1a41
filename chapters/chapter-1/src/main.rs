//! `cargo run -p chapter-1`: serves [`chapter_1::app`].

#[rocket::launch]
fn rocket() -> _ {
    chapter_1::app()
}
