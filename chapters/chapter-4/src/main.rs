//! `cargo run -p chapter-4`: serves [`chapter_4::app`].

#[rocket::launch]
fn rocket() -> _ {
    chapter_4::app()
}
