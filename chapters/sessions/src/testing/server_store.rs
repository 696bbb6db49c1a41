//! What only the server-side chapters promise: the records themselves.

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration as StdDuration, Instant};

use rocket::http::{Cookie, Status};
use rocket::time::Duration;

use super::*;
use crate::store::{FileStore, SessionId, StoredSession};
use crate::{Chapter, Clock, ManualClock, SessionData, Theme};

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

pub fn records_are_private_files_named_by_hash(chapter: Chapter) {
    let app = TestApp::launch(chapter);
    let cookie = app.sign_in("ada");
    let id = SessionId::parse(cookie.value()).expect("an id");
    const { assert!(SessionId::BYTES * 8 >= 128, "at least 128 random bits") };
    let files = app.stored_files();
    assert_eq!(files.len(), 1);
    assert_eq!(mode(&files[0]), 0o600, "only the server's user can read a record");
    assert_eq!(mode(&app.store_dir()), 0o700, "or list the folder");
    let name = files[0].file_name().unwrap().to_str().unwrap();
    assert_eq!(name, FileStore::file_name(&id));
    let content = std::fs::read_to_string(&files[0]).unwrap();
    assert!(
        !name.contains(id.as_str()) && !content.contains(id.as_str()),
        "the id is nowhere on disk"
    );
}

pub fn planted_session_id_is_never_adopted(chapter: Chapter) {
    let app = TestApp::launch(chapter);
    let planted = SessionId::generate().unwrap();
    let cookie = Cookie::new(chapter.cookie_name, planted.as_str().to_owned());
    // An attacker sets the victim's cookie to an id they know, then waits.
    app.get_with_cookie("/home", &cookie);
    let issued = app.sign_in("victim");
    assert_ne!(issued.value(), planted.as_str(), "sign-in issues its own id");
    assert!(!app.store_dir().join(FileStore::file_name(&planted)).exists());
    assert_is_redirect_to(&app.get_with_cookie("/about", &cookie), "/login?next=/about");
}

/// Polls `done` for up to five seconds: the sweep runs on its own task.
fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < StdDuration::from_secs(5), "timed out waiting until {what}");
        std::thread::sleep(StdDuration::from_millis(20));
    }
}

pub fn sweep_removes_expired_records_and_keeps_live_ones(chapter: Chapter) {
    let root = tempfile::tempdir().unwrap();
    let clock = ManualClock::default();
    let lifetime = chapter.default_session_lifetime;
    let store = FileStore::new(root.path().join(chapter.store_folder()));
    let data =
        |name: &str| SessionData { user_name: name.into(), lang: "en".into(), theme: Theme::Dark };
    let expired = store.create(&StoredSession::new(data("gone"), clock.now() - lifetime)).unwrap();
    let live = store
        .create(&StoredSession::new(data("live"), clock.now() - lifetime + Duration::seconds(1)))
        .unwrap();
    // A torn record, left long ago by some crash.
    let torn = store.dir().join(format!("{}.json", "0".repeat(64)));
    std::fs::write(&torn, b"{ torn").unwrap();
    let long_ago = std::time::SystemTime::from(clock.now() - lifetime * 2);
    std::fs::File::options().write(true).open(&torn).unwrap().set_modified(long_ago).unwrap();

    let figment = test_figment(&chapter)
        .merge(("session_dir", root.path()))
        .merge(("session_cleanup_interval", 1));
    let app = TestApp::on(chapter, figment, clock.clone(), root);
    eventually("the expired and the corrupt record are swept", || app.stored_files().len() == 1);
    assert!(store.path_of(&live).exists(), "the live session stays");
    assert!(!store.path_of(&expired).exists());

    clock.advance(Duration::seconds(1));
    eventually("the next sweep removes the newly expired record", || app.stored_files().is_empty());
}

pub fn unusable_session_folder_answers_503_and_public_pages_work(chapter: Chapter) {
    let app = TestApp::configured(chapter, |figment| figment);
    // Put a plain file where the chapter's folder should be.
    std::fs::remove_dir_all(app.store_dir()).ok();
    std::fs::write(app.store_dir(), b"not a folder").unwrap();
    let response = app.post_login("ada", None);
    assert_eq!(response.status(), Status::ServiceUnavailable);
    assert!(set_cookies(&response).is_empty(), "no cookie for a session that was not stored");
    assert!(response.into_string().unwrap().contains("Sessions are unavailable"));
    assert_signed_out(&app.page("/products"));
    assert_signed_out(&app.page("/home"));

    std::fs::remove_file(app.store_dir()).unwrap();
    app.sign_in("ada");
    assert_signed_in_as(&app.page("/about"), "ada");
}
