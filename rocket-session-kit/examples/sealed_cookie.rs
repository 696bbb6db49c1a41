//! The visits app with its sessions sealed in the cookie: the server keeps
//! nothing. `cargo run -p rocket-session-kit --example sealed_cookie`.

mod common;

use rocket_session_kit::{Sessions, Storage};

const SESSIONS: Sessions = Sessions::new(Storage::SealedCookie).with_cookie_name("visits");

#[rocket::launch]
fn rocket() -> _ {
    common::app(SESSIONS)
}

#[test]
fn visits_are_counted_in_the_cookie() {
    common::check(common::app(SESSIONS));
}
