//! Helpers for the tests of a user's sessions: several browsers on one
//! server, each signing in with its own `User-Agent`, and readers of the
//! `/sessions` page and of the store's index.

use rocket::http::{ContentType, Header, Status};
use rocket::local::blocking::LocalResponse;
use rocket_db_pools::deadpool_redis::redis;
use rstest_reuse::template;
use tutorial::store::redis::index_key;
use tutorial::store::user_index_name;
use tutorial::Storage;

use crate::{assert_is_redirect_to, encode, session_cookie, TestApp, TestConfig};

/// The chapters whose session is sealed in the cookie: the server keeps no
/// list of them.
#[template]
#[export]
#[rstest]
#[case::chapter_1(chapter_1::CHAPTER)]
#[case::chapter_3(chapter_3::CHAPTER)]
fn client_side_chapters(#[case] chapter: Chapter) {}

pub const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
pub const CHROME: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 \
                          (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
pub const CURL: &str = "curl/8.5.0";

// ANCHOR: another_browser
/// Another browser on the server `app` runs: cookies of its own, the same
/// session store (folder, or Redis key prefix) and the same clock. In the
/// Redis chapter it is also another instance of the server. Its own
/// readers of the store look at a folder of its own: read the store
/// through `app`.
pub fn another_browser(app: &TestApp) -> TestApp {
    TestConfig::new(app.chapter)
        .set("session_dir", app.session_root())
        .set("session_key_prefix", app.key_prefix())
        .set("session_lifetime", app.config().session_lifetime)
        .on_clock(app.clock.clone())
        .launch()
}
// ANCHOR_END: another_browser

/// Signs `user` in from a browser that sends `user_agent`, and follows the
/// redirect home as a browser does.
pub fn sign_in_from(app: &TestApp, user: &str, user_agent: &str) {
    let response = app
        .client
        .post("/login")
        .header(ContentType::Form)
        .header(Header::new("User-Agent", user_agent.to_owned()))
        .body(format!("username={}&password=secret", encode(user)))
        .dispatch();
    assert_is_redirect_to(&response, "/home");
    assert!(session_cookie(&app.chapter, &response).is_some(), "a session cookie");
    assert_eq!(app.get("/home").status(), Status::Ok);
}

/// The session cookie's value the browser holds (the id, in the
/// server-side chapters).
pub fn cookie_value(app: &TestApp) -> String {
    app.client
        .cookies()
        .get(app.chapter.cookie_name())
        .expect("a session cookie")
        .value()
        .to_owned()
}

/// The record keys the `/sessions` page lists, in its order.
pub fn listed(body: &str) -> Vec<String> {
    let marker = r#"<tr id="session-"#;
    body.match_indices(marker)
        .map(|(at, _)| body[at + marker.len()..].chars().take_while(|c| *c != '"').collect())
        .collect()
}

/// The record key of the row marked "this one".
pub fn marked_this_one(body: &str) -> Vec<String> {
    let marker = r#"class="session this-one""#;
    listed(body)
        .into_iter()
        .filter(|key| body.contains(&format!(r#"<tr id="session-{key}" {marker}>"#)))
        .collect()
}

/// The record key of the browser's own session.
pub fn own_record(app: &TestApp) -> String {
    let id = tutorial::store::SessionId::parse(&cookie_value(app)).expect("an id");
    id.hashed()
}

/// The token the forms of the `/sessions` page carry (read from the page,
/// as a browser's form sends it).
fn page_token(app: &TestApp) -> String {
    launcher::page::csrf_token(&app.page("/sessions")).unwrap_or_default()
}

/// Presses "Sign out this one" on the row of `record`, with the
/// session's token.
pub fn post_end<'a>(app: &'a TestApp, record: &str) -> LocalResponse<'a> {
    let token = page_token(app);
    app.post_form("/sessions/end", format!("record={}&csrf_token={token}", encode(record)))
}

/// Presses "Sign out everywhere else", with the session's token.
pub fn post_end_others(app: &TestApp) -> LocalResponse<'_> {
    let token = page_token(app);
    app.post_form("/sessions/end-others", format!("csrf_token={token}"))
}

/// The record keys in `user`'s index, sorted: the markers of the user's
/// folder, or the members of the user's Redis set.
pub fn index_entries(app: &TestApp, user: &str) -> Vec<String> {
    let mut entries: Vec<String> = match app.chapter.storage() {
        Storage::SealedCookie | Storage::AppStore => Vec::new(),
        Storage::ServerFiles => {
            let folder = app.store_dir().join("users").join(user_index_name(user));
            match std::fs::read_dir(folder) {
                Ok(entries) => {
                    entries.map(|e| e.unwrap().file_name().into_string().unwrap()).collect()
                }
                Err(_) => Vec::new(),
            }
        }
        Storage::Redis => redis::cmd("SMEMBERS")
            .arg(index_key(app.key_prefix(), user))
            .query(&mut crate::test_redis())
            .expect("the set"),
    };
    entries.sort();
    entries
}

/// Puts `record` in `user`'s index without a record behind it: what a
/// crash between the two steps of a sign-out leaves.
pub fn leave_stray_entry(app: &TestApp, user: &str, record: &str) {
    match app.chapter.storage() {
        Storage::SealedCookie | Storage::AppStore => {}
        Storage::ServerFiles => {
            let folder = app.store_dir().join("users").join(user_index_name(user));
            std::fs::write(folder.join(record), b"").unwrap();
        }
        Storage::Redis => redis::cmd("SADD")
            .arg(index_key(app.key_prefix(), user))
            .arg(record)
            .query::<()>(&mut crate::test_redis())
            .unwrap(),
    }
}

/// The base names of the records on the server (their record keys).
pub fn record_keys(app: &TestApp) -> Vec<String> {
    let mut keys: Vec<String> = app
        .records()
        .iter()
        .map(|name| {
            let name = name.rsplit(['/', '\\', ':']).next().unwrap();
            name.trim_end_matches(".json").to_owned()
        })
        .collect();
    keys.sort();
    keys
}
