//! The visits app with its sessions in files, below `sessions/visits/`; the
//! cookie holds only a random id.
//! `cargo run -p rocket-session-kit --example files`.

mod common;

use rocket_session_kit::{Sessions, Storage};

const SESSIONS: Sessions =
    Sessions::new(Storage::ServerFiles).with_cookie_name("visits").with_store_name("visits");

#[rocket::launch]
fn rocket() -> _ {
    common::app(SESSIONS)
}

#[test]
fn visits_are_counted_in_a_file() {
    let folder = tempfile::tempdir().unwrap();
    let app = common::app(SESSIONS);
    let figment = app.figment().clone().merge(("session_dir", folder.path()));
    common::check(app.configure(figment));
    let records = std::fs::read_dir(folder.path().join("visits")).unwrap();
    let names: Vec<_> = records.map(|e| e.unwrap().file_name()).collect();
    assert!(names.iter().any(|n| n.to_string_lossy() == "users"), "{names:?}");
}
