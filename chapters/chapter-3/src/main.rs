//! `cargo run -p chapter-3`: serves [`chapter_3::app`].

#[rocket::launch]
fn rocket() -> _ {
    chapter_3::app()
}
