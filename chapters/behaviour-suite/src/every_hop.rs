//! Helpers of the tests of `tests/every_hop.rs`: a chapter told that a
//! proxy in front terminates TLS, and the cookies it sends under their
//! `__Host-` names.

use rocket::http::Cookie;
use rocket::http::{ContentType, Header};
use rocket::local::blocking::LocalResponse;

use crate::{encode, set_cookies, TestApp, TestConfig};
use tutorial::Chapter;

/// The host the tests' requests say they are sent to.
pub const HOST: &str = "127.0.0.1:8000";

/// `chapter` with `behind_tls_proxy = true`, as `ROCKET_BEHIND_TLS_PROXY=true` sets it.
pub fn behind_tls_proxy(chapter: Chapter) -> TestApp {
    TestConfig::new(chapter).set("behind_tls_proxy", true).launch()
}

/// The `__Host-` name the chapter's session cookie has over HTTPS.
pub fn host_session_name(chapter: &Chapter) -> String {
    format!("__Host-{}", chapter.cookie_name())
}

/// The `__Host-` name of the chapter's notice cookie over HTTPS.
pub fn host_notice_name(chapter: &Chapter) -> String {
    format!("__Host-chapter{}_notice", chapter.number)
}

/// The cookie named `name` among `response`'s `Set-Cookie` headers.
pub fn cookie_named(response: &LocalResponse<'_>, name: &str) -> Option<Cookie<'static>> {
    set_cookies(response).into_iter().find(|c| c.name() == name)
}

/// The raw `Set-Cookie` header of the cookie named `name`, as the browser
/// reads it.
pub fn raw_set_cookie(response: &LocalResponse<'_>, name: &str) -> Option<String> {
    let prefix = format!("{name}=");
    response.headers().get("Set-Cookie").find(|h| h.starts_with(&prefix)).map(str::to_owned)
}

/// Submits `body` to `path` with `Origin: origin`, sent to [`HOST`].
pub fn post_from<'a>(
    app: &'a TestApp,
    path: &str,
    origin: &str,
    body: String,
) -> LocalResponse<'a> {
    app.client
        .post(path.to_owned())
        .header(ContentType::Form)
        .header(Header::new("Host", HOST))
        .header(Header::new("Origin", origin.to_owned()))
        .body(body)
        .dispatch()
}

/// Signs `user` in from the site's own `https://` origin and returns the
/// token the next page's forms carry.
pub fn sign_in_over_https(app: &TestApp, user: &str) -> String {
    let body = format!("username={}&password=secret", encode(user));
    let response = post_from(app, "/login", &format!("https://{HOST}"), body);
    assert_eq!(response.status().code, 303, "sign-in from the https origin");
    let home = app.page("/home");
    launcher::page::csrf_token(&home).expect("a signed-in page carries the token")
}
