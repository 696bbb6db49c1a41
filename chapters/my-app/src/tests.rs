//! The app as a browser meets it, through Rocket's tracked client: it keeps
//! the cookies the app sets, follows no redirect, and lets each test see
//! every `Set-Cookie` and `Location`. Time moves by hand, on a
//! `ManualClock`.

use std::sync::Arc;

use rocket::http::{ContentType, Cookie, Header, Status};
use rocket::local::blocking::{Client, LocalResponse};
use rocket::time::Duration;
use rocket_session_kit::ManualClock;
use tempfile::TempDir;

// ANCHOR: test_app
/// The app under test, its clock, and the folder its session files go to.
struct TestApp {
    client: Client,
    clock: ManualClock,
    folder: TempDir,
}

/// Launches the app with its sessions in a fresh temporary folder, on a
/// clock that stands still, with `config` on top of its configuration.
fn launch_with(config: &[(&str, u64)]) -> TestApp {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let clock = ManualClock::default();
    let rocket = super::app(Arc::new(clock.clone()));
    let mut figment = rocket.figment().clone().merge(("session_dir", folder.path()));
    for (key, value) in config {
        figment = figment.merge((*key, *value));
    }
    let client = Client::tracked(rocket.configure(figment)).expect("the app launches");
    TestApp { client, clock, folder }
}

fn launch() -> TestApp {
    launch_with(&[])
}
// ANCHOR_END: test_app

// ANCHOR: helpers
/// The host the requests are sent to, and the origin of the app's pages.
const HOST: &str = "127.0.0.1:8010";
const OWN_ORIGIN: &str = "http://127.0.0.1:8010";

/// A form `POST`, with the headers a browser adds: the `Host` it sent the
/// request to, and `origin_header` (`Origin` or `Sec-Fetch-Site`) saying
/// where the form came from.
fn post<'c>(
    app: &'c TestApp,
    path: &str,
    body: &str,
    origin_header: (&'static str, &'static str),
) -> LocalResponse<'c> {
    app.client
        .post(path.to_owned())
        .header(ContentType::Form)
        .header(Header::new("Host", HOST))
        .header(Header::new(origin_header.0, origin_header.1))
        .body(body)
        .dispatch()
}

fn sign_in<'c>(app: &'c TestApp, user_id: &str) -> LocalResponse<'c> {
    post(app, "/sign-in", &format!("user_id={user_id}"), ("Origin", OWN_ORIGIN))
}

/// The signed-in page, or `None` and the redirect's target.
fn home(app: &TestApp) -> Result<String, Option<String>> {
    let response = app.client.get("/").dispatch();
    match response.status() {
        Status::Ok => Ok(response.into_string().expect("a page")),
        Status::SeeOther => Err(response.headers().get_one("Location").map(str::to_owned)),
        other => panic!("GET / answered {other}"),
    }
}

/// The CSRF token the signed-in page's forms carry.
fn token(page: &str) -> String {
    let after = page.split("name=csrf_token value=\"").nth(1).expect("a form with a token");
    after.split('"').next().expect("a closing quote").to_owned()
}

/// The `Set-Cookie` of the session cookie in `response`, if any.
fn session_set_cookie(response: &LocalResponse<'_>) -> Option<String> {
    let mut all = response.headers().get("Set-Cookie");
    all.find(|c| c.starts_with("my_app_session=")).map(str::to_owned)
}
// ANCHOR_END: helpers

// ANCHOR: tests
#[test]
fn a_visitor_is_sent_to_sign_in() {
    let app = launch();
    assert_eq!(home(&app), Err(Some("/sign-in".to_owned())));
    let form = app.client.get("/sign-in").dispatch().into_string().unwrap();
    assert!(form.contains("action=/sign-in"), "{form}");
    let note = post(&app, "/note", "note=hello", ("Origin", OWN_ORIGIN));
    assert_eq!(note.status(), Status::Unauthorized, "`SignedIn` forwarded, and no route took it");
}

#[test]
fn signing_in_sets_a_session_cookie_and_shows_the_users_page() {
    let app = launch();
    let response = sign_in(&app, "ada");
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(response.headers().get_one("Location"), Some("/"));
    let cookie = session_set_cookie(&response).expect("a session cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Max-Age"), "a browser-session cookie: {cookie}");
    let page = home(&app).expect("the signed-in page");
    assert!(page.contains("Signed in as ada."), "{page}");
}

#[test]
fn the_form_changes_the_note() {
    let app = launch();
    sign_in(&app, "ada");
    let token = token(&home(&app).unwrap());
    let body = format!("note=Buy+milk&csrf_token={token}");
    let saved = post(&app, "/note", &body, ("Origin", OWN_ORIGIN));
    assert_eq!(saved.status(), Status::SeeOther);
    let page = home(&app).unwrap();
    assert!(page.contains("<textarea name=note>Buy milk</textarea>"), "{page}");
}

#[test]
fn a_form_without_the_token_or_from_another_origin_is_refused() {
    let app = launch();
    sign_in(&app, "ada");
    let token = token(&home(&app).unwrap());
    let forged = format!("note=forged&csrf_token={token}");
    let refused = [
        post(&app, "/note", "note=forged", ("Origin", OWN_ORIGIN)),
        post(&app, "/note", "note=forged&csrf_token=guess", ("Origin", OWN_ORIGIN)),
        post(&app, "/note", &forged, ("Origin", "http://evil.example")),
        post(&app, "/note", &forged, ("Sec-Fetch-Site", "cross-site")),
        post(&app, "/sign-out", "", ("Origin", OWN_ORIGIN)),
    ];
    for (i, response) in refused.into_iter().enumerate() {
        assert_eq!(response.status(), Status::Forbidden, "request {i}");
    }
    let page = home(&app).expect("still signed in");
    assert!(!page.contains("forged"), "{page}");
}

#[test]
fn signing_out_ends_the_session_and_the_old_cookie_no_longer_works() {
    let app = launch();
    sign_in(&app, "ada");
    let old = app.client.cookies().get("my_app_session").unwrap().value().to_owned();
    let token = token(&home(&app).unwrap());
    let response = post(&app, "/sign-out", &format!("csrf_token={token}"), ("Origin", OWN_ORIGIN));
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(response.headers().get_one("Location"), Some("/sign-in"));
    let removal = session_set_cookie(&response).expect("the cookie's removal");
    assert!(removal.contains("Max-Age=0"), "{removal}");
    let page = app.client.get("/sign-in").dispatch().into_string().unwrap();
    assert!(page.contains("You have been signed out."), "{page}");

    // A copy of the old cookie, sent again: the server has no such session.
    let replayed = app.client.get("/").cookie(Cookie::new("my_app_session", old)).dispatch();
    assert_eq!(replayed.status(), Status::SeeOther);
    assert_eq!(replayed.headers().get_one("Location"), Some("/sign-in"));
}

#[test]
fn while_the_store_is_out_of_order_the_forms_answer_503_and_the_cookie_stays() {
    let app = launch();
    sign_in(&app, "ada");
    let token = token(&home(&app).unwrap());
    // The session files moved aside, and a regular file where their folder was.
    let store = app.folder.path().join("my-app");
    let aside = app.folder.path().join("aside");
    std::fs::rename(&store, &aside).unwrap();
    std::fs::write(&store, "not a folder").unwrap();

    assert_eq!(app.client.get("/").dispatch().status(), Status::ServiceUnavailable);
    let body = format!("note=lost&csrf_token={token}");
    let note = post(&app, "/note", &body, ("Origin", OWN_ORIGIN));
    assert_eq!(note.status(), Status::ServiceUnavailable);
    let body = format!("csrf_token={token}");
    let out = post(&app, "/sign-out", &body, ("Origin", OWN_ORIGIN));
    assert_eq!(out.status(), Status::ServiceUnavailable);
    assert_eq!(session_set_cookie(&out), None, "the cookie stays");

    // The store back: still signed in, and Sign out, pressed again, works.
    std::fs::remove_file(&store).unwrap();
    std::fs::rename(&aside, &store).unwrap();
    assert!(home(&app).is_ok());
    let out = post(&app, "/sign-out", &body, ("Origin", OWN_ORIGIN));
    assert_eq!(out.status(), Status::SeeOther);
}

#[test]
fn the_idle_limit_ends_a_session() {
    let app = launch();
    sign_in(&app, "ada");
    // A request every 14 minutes keeps it: each one counts as activity.
    for _ in 0..3 {
        app.clock.advance(Duration::minutes(14));
        assert!(home(&app).is_ok(), "14 minutes idle, within the 15");
    }
    app.clock.advance(Duration::minutes(15));
    assert_eq!(home(&app), Err(Some("/sign-in".to_owned())), "15 minutes idle");
}

#[test]
fn the_absolute_limit_ends_even_a_busy_session() {
    let app = launch();
    sign_in(&app, "ada");
    // A request every ten minutes, for 7 hours 50 minutes: still signed in.
    for _ in 0..47 {
        app.clock.advance(Duration::minutes(10));
        assert!(home(&app).is_ok());
    }
    app.clock.advance(Duration::minutes(10));
    assert_eq!(home(&app), Err(Some("/sign-in".to_owned())), "8 hours after sign-in");
}

#[test]
fn the_configuration_overrides_the_codes_limits() {
    // As `ROCKET_SESSION_LIFETIME=60 cargo run -p my-app` would.
    let app = launch_with(&[("session_lifetime", 60)]);
    sign_in(&app, "ada");
    app.clock.advance(Duration::seconds(59));
    assert!(home(&app).is_ok());
    app.clock.advance(Duration::seconds(60));
    assert_eq!(home(&app), Err(Some("/sign-in".to_owned())), "60 seconds idle");
}
// ANCHOR_END: tests
