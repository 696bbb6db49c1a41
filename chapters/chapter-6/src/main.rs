//! `cargo run -p chapter-6`: serves [`chapter_6::app`].

#[rocket::launch]
fn rocket() -> _ {
    chapter_6::app()
}
