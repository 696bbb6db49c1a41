//! The test client and the helpers the suite reads with.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rocket::figment::providers::{Format, Toml};
use rocket::figment::Figment;
use rocket::http::{ContentType, Cookie, Status};
use rocket::local::blocking::{Client, LocalResponse};
use rocket::time::Duration;
use tempfile::TempDir;

use crate::config::chapter_defaults;
use crate::{app_with, Chapter, Clock, ManualClock};

/// The repository's `Rocket.toml`, by absolute path so no test depends on
/// the working directory.
pub const ROCKET_TOML: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../Rocket.toml");

/// The shared templates, by absolute path.
pub const TEMPLATES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared-templates");

// ANCHOR: test_app
/// One chapter, launched for a test: a browser-like client, a clock the
/// test moves, and a private session folder.
pub struct TestApp {
    pub chapter: Chapter,
    pub client: Client,
    pub clock: ManualClock,
    session_root: TempDir,
}
// ANCHOR_END: test_app

/// The chapter's configuration as `cargo run` would read it from
/// `Rocket.toml` in the debug profile, without the process environment.
pub fn test_figment(chapter: &Chapter) -> Figment {
    chapter_defaults(chapter)
        .merge(Toml::file(ROCKET_TOML).nested())
        .merge(("log_level", "off"))
        .select("debug")
}

impl TestApp {
    /// The chapter with its default configuration.
    pub fn launch(chapter: Chapter) -> Self {
        Self::configured(chapter, |figment| figment)
    }

    /// The chapter with `session_lifetime` set to `seconds`.
    pub fn with_lifetime(chapter: Chapter, seconds: u64) -> Self {
        Self::configured(chapter, |figment| figment.merge(("session_lifetime", seconds)))
    }

    /// The chapter with its configuration changed by `configure`.
    pub fn configured(chapter: Chapter, configure: impl FnOnce(Figment) -> Figment) -> Self {
        let session_root = tempfile::tempdir().expect("a temporary folder");
        let clock = ManualClock::default();
        let figment = configure(test_figment(&chapter).merge(("session_dir", session_root.path())));
        Self::on(chapter, figment, clock, session_root)
    }

    /// The chapter on an explicit figment, clock and session folder.
    pub fn on(
        chapter: Chapter,
        figment: Figment,
        clock: ManualClock,
        session_root: TempDir,
    ) -> Self {
        let rocket = app_with(chapter, figment, Arc::new(clock.clone()));
        let client = Client::tracked(rocket).expect("the chapter launches");
        TestApp { chapter, client, clock, session_root }
    }

    /// The folder the chapter's file store uses (empty in cookie chapters).
    pub fn store_dir(&self) -> PathBuf {
        self.session_root.path().join(self.chapter.store_folder())
    }

    pub fn session_root(&self) -> &Path {
        self.session_root.path()
    }

    /// Every file below the session folder, however it got there.
    pub fn stored_files(&self) -> Vec<PathBuf> {
        let mut files = Vec::new();
        let mut dirs = vec![self.session_root.path().to_path_buf()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else {
                    files.push(path);
                }
            }
        }
        files.sort();
        files
    }

    /// Moves the app's clock forward by `seconds`.
    pub fn wait(&self, seconds: i64) {
        self.wait_for(Duration::seconds(seconds));
    }

    /// Moves the app's clock forward by `duration`.
    pub fn wait_for(&self, duration: Duration) {
        self.clock.advance(duration);
    }

    pub fn now(&self) -> rocket::time::OffsetDateTime {
        self.clock.now()
    }

    pub fn get(&self, path: &str) -> LocalResponse<'_> {
        self.client.get(path.to_owned()).dispatch()
    }

    /// `GET path` carrying `cookie` as the session cookie, as a browser
    /// (or an attacker) replaying it would.
    pub fn get_with_cookie(&self, path: &str, cookie: &Cookie<'static>) -> LocalResponse<'_> {
        self.client.get(path.to_owned()).cookie(cookie.clone()).dispatch()
    }

    /// Submits the login form.
    pub fn post_login(&self, username: &str, next: Option<&str>) -> LocalResponse<'_> {
        let mut body = format!("username={}&password=secret", encode(username));
        if let Some(next) = next {
            body.push_str(&format!("&next={}", encode(next)));
        }
        self.post_form("/login", body)
    }

    pub fn post_logout(&self) -> LocalResponse<'_> {
        self.post_form("/logout", String::new())
    }

    pub fn post_theme(&self, next: &str) -> LocalResponse<'_> {
        self.post_form("/theme", format!("next={}", encode(next)))
    }

    pub fn post_form(&self, path: &str, body: String) -> LocalResponse<'_> {
        self.client.post(path.to_owned()).header(ContentType::Form).body(body).dispatch()
    }

    // ANCHOR: sign_in_helper
    /// Signs `username` in and returns the session cookie the browser got.
    pub fn sign_in(&self, username: &str) -> Cookie<'static> {
        let response = self.post_login(username, None);
        assert_is_redirect_to(&response, "/home");
        session_cookie(&self.chapter, &response).expect("sign-in sets the session cookie")
    }
    // ANCHOR_END: sign_in_helper

    /// The body of `GET path`, asserting it is a 200.
    pub fn page(&self, path: &str) -> String {
        let response = self.get(path);
        assert_eq!(response.status(), Status::Ok, "GET {path}");
        response.into_string().expect("a body")
    }
}

/// Percent-encodes a form value.
pub fn encode(value: &str) -> String {
    use rocket::http::uri::fmt::{Query, UriDisplay};
    format!("{}", &value as &dyn UriDisplay<Query>)
}

/// Every `Set-Cookie` header of `response`, parsed as a browser would.
/// Values are percent-decoded, as Rocket decodes the `Cookie` header, so
/// a cookie can be sent back with [`TestApp::get_with_cookie`].
pub fn set_cookies(response: &LocalResponse<'_>) -> Vec<Cookie<'static>> {
    response
        .headers()
        .get("Set-Cookie")
        .map(|header| Cookie::parse_encoded(header.to_owned()).expect("a valid Set-Cookie header"))
        .collect()
}

/// The value of the login form's hidden `next` field, unescaped.
pub fn hidden_next(body: &str) -> String {
    let start = body.find(r#"name="next" value=""#).expect("a hidden next field") + 19;
    let end = start + body[start..].find('"').expect("a closing quote");
    body[start..end].replace("&#x2f;", "/").replace("&amp;", "&")
}

/// The chapter's session cookie in `response`'s `Set-Cookie` headers, if any.
/// There is never more than one.
pub fn session_cookie(chapter: &Chapter, response: &LocalResponse<'_>) -> Option<Cookie<'static>> {
    let mut found = set_cookies(response).into_iter().filter(|c| c.name() == chapter.cookie_name);
    let cookie = found.next();
    assert!(found.next().is_none(), "one Set-Cookie per response for {}", chapter.cookie_name);
    cookie
}

/// Does `cookie` tell the browser to delete the session cookie?
pub fn is_removal(cookie: &Cookie<'_>) -> bool {
    cookie.value().is_empty() && cookie.max_age() == Some(Duration::ZERO)
}

// ANCHOR: assert_is_redirect_to
pub fn assert_is_redirect_to(response: &LocalResponse<'_>, location: &str) {
    assert_eq!(response.status(), Status::SeeOther, "expected a redirect to {location}");
    assert_eq!(response.headers().get_one("Location"), Some(location));
}
// ANCHOR_END: assert_is_redirect_to

/// The page greets `user` in the navbar.
pub fn assert_signed_in_as(body: &str, user: &str) {
    assert!(body.contains(&format!("Welcome {user}!")), "expected a page for {user}:\n{body}");
    assert!(body.contains(r#"action="/logout""#), "a Log Out button");
}

/// The page has a Sign In link and greets nobody.
pub fn assert_signed_out(body: &str) {
    assert!(!body.contains("Welcome "), "expected a signed-out page:\n{body}");
    assert!(body.contains(r#"<a href="/login" class="button">Sign In</a>"#), "a Sign In link");
}
