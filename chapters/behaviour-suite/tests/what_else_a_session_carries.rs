//! What a session carries besides the user: one-time messages, and the
//! token that proves a form came from the site itself; and the layers
//! that refuse a form another page made the browser send. Every chapter.

#![deny(dead_code)]

use behaviour_suite::rstest_reuse::apply;
use behaviour_suite::*;
use rocket::http::{ContentType, Header, Method, Status};
use rocket::local::blocking::LocalResponse;
use rstest::rstest;
use tutorial::Chapter;

/// The host the tests' requests say they are sent to, and the origin of a
/// page of the site on it.
const HOST: &str = "127.0.0.1:8000";
const OWN_ORIGIN: &str = "http://127.0.0.1:8000";

/// What a browser sends with a form that another origin's page submitted:
/// the `Origin` it puts on every `POST`, or only `Sec-Fetch-Site`.
const FOREIGN: &[(&str, &str)] = &[
    ("Origin", "http://127.0.0.1:8667"),
    ("Origin", "http://localhost:8000"),
    ("Origin", "http://localhost:8666"),
    ("Origin", "null"),
    ("Origin", "https://127.0.0.1:8000.evil.example"),
    ("Sec-Fetch-Site", "same-site"),
    ("Sec-Fetch-Site", "cross-site"),
];

/// What the session is, as far as the user can tell: who, which theme, and
/// which session (its token, unique to it).
#[derive(Debug, PartialEq, Eq)]
struct Seen {
    user: Option<String>,
    theme: Option<String>,
    token: Option<String>,
}

fn seen(app: &TestApp) -> Seen {
    let record = app.current_record();
    Seen {
        user: record.as_ref().map(|r| r.data.user_name.clone()),
        theme: record.as_ref().map(|r| format!("{:?}", r.data.theme)),
        token: app.csrf_token(),
    }
}

/// `POST path` with `body` and the request headers `headers`, sent to
/// [`HOST`].
fn post<'a>(
    app: &'a TestApp,
    path: &str,
    body: String,
    headers: &[(&str, &str)],
) -> LocalResponse<'a> {
    let mut request = app
        .client
        .post(path.to_owned())
        .header(ContentType::Form)
        .header(Header::new("Host", HOST));
    for (name, value) in headers {
        request = request.header(Header::new(name.to_string(), value.to_string()));
    }
    request.body(body).dispatch()
}

/// A `403` page of the site that says the form was refused.
fn assert_refused(response: LocalResponse<'_>, what: &str) {
    assert_eq!(response.status(), Status::Forbidden, "{what}");
    let body = response.into_string().unwrap();
    assert!(body.contains(r#"id="refused""#), "{what}: {body}");
    assert!(body.contains("nothing changed"), "{what}: {body}");
    assert!(body.contains("session-panel"), "{what}: a page of the site");
}

/// The values of every hidden `csrf_token` field of `body`.
fn hidden_tokens(body: &str) -> Vec<String> {
    let field = r#"name="csrf_token" value=""#;
    body.match_indices(field)
        .map(|(at, _)| {
            let start = at + field.len();
            body[start..start + body[start..].find('"').unwrap()].to_owned()
        })
        .collect()
}

// ANCHOR: forms_carry_the_session_token
/// Every form of a signed-in page carries the session's token; a new
/// sign-in makes a new one; a signed-out page has none.
#[apply(every_chapter)]
fn forms_carry_the_session_token(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    assert!(hidden_tokens(&app.page("/home")).is_empty(), "signed out: no token");
    app.sign_in("ada");
    let token = app.csrf_token().expect("a token in the session");
    assert_eq!(token.len(), 43, "256 bits, base64url");
    let home = app.page("/home");
    assert_eq!(hidden_tokens(&home), [token.clone(), token.clone()], "Log Out and the theme");
    assert_eq!(hidden_tokens(&app.page("/logout")).len(), 3, "and the page's own Log Out");
    assert!(!app.page("/about").contains(&format!("{token}\"\n")), "nowhere but in fields");

    app.sign_in("ada");
    let again = app.csrf_token().unwrap();
    assert_ne!(again, token, "a new sign-in, a new token");
    assert_eq!(hidden_tokens(&app.page("/home")), [again.clone(), again]);
}
// ANCHOR_END: forms_carry_the_session_token

// ANCHOR: forms_from_another_origin_are_refused
/// Layer 1: a form another origin sent is refused with `403` before the
/// session is read, whatever it carries, even the right token.
#[apply(every_chapter)]
fn forms_from_another_origin_are_refused(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    app.sign_in("ada");
    let before = seen(&app);
    let token = before.token.clone().unwrap();
    for &header in FOREIGN {
        let what = format!("{}: {}", header.0, header.1);
        let theme = format!("next=%2Fhome&csrf_token={token}");
        assert_refused(post(&app, "/theme", theme, &[header]), &format!("theme, {what}"));
        assert_refused(post(&app, "/logout", format!("csrf_token={token}"), &[header]), &what);
        let mallory = post(&app, "/login", "username=mallory".into(), &[header]);
        assert!(session_cookie(&chapter, &mallory).is_none(), "{what}: no session for mallory");
        assert_refused(mallory, &format!("login, {what}"));
        assert_eq!(seen(&app), before, "{what}: nothing changed");
    }
    assert_eq!(app.records().len(), usize::from(chapter.storage().is_server_side()));
    // The page says the session was not read, rather than "signed out".
    let body = post(&app, "/theme", String::new(), &[FOREIGN[0]]).into_string().unwrap();
    assert!(body.contains("Not read: this request was refused before"), "{body}");
    assert!(!body.contains("Nothing: you are signed out"), "{body}");
}
// ANCHOR_END: forms_from_another_origin_are_refused

/// Every `POST` route of the site refuses another origin: a route added
/// without the `SameOrigin` guard fails this test.
#[apply(every_chapter)]
fn every_post_route_refuses_another_origin(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    let posts: Vec<String> = app
        .client
        .rocket()
        .routes()
        .filter(|route| route.method == Method::Post)
        .map(|route| route.uri.path().to_string())
        .collect();
    assert!(posts.len() >= 3, "login, logout, theme: {posts:?}");
    for path in posts {
        app.sign_in("ada");
        let token = app.csrf_token().unwrap();
        let response = post(&app, &path, format!("csrf_token={token}"), &[("Origin", "null")]);
        assert_refused(response, &path);
    }
}

// ANCHOR: forms_without_the_token_are_refused
/// Layer 2: a form that changes the signed-in session must carry its
/// token. Missing, empty, another session's, or one from before the last
/// sign-in: `403`, and nothing changed.
#[apply(every_chapter)]
fn forms_without_the_token_are_refused(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    let bob = TestApp::launch(chapter);
    bob.sign_in("bob");
    let bobs_token = bob.csrf_token().unwrap();
    app.sign_in("ada");
    let from_before = app.csrf_token().unwrap();
    app.post_logout();
    app.sign_in("ada");
    let before = seen(&app);
    assert_ne!(before.token.as_deref(), Some(from_before.as_str()));
    let wrong: [(&str, Option<&str>); 4] = [
        ("no token", None),
        ("an empty token", Some("")),
        ("another session's token", Some(&bobs_token)),
        ("a token from before the last sign-in", Some(&from_before)),
    ];
    for (what, token) in wrong {
        let field = token.map(|t| format!("&csrf_token={t}")).unwrap_or_default();
        let response = app.post_form("/theme", format!("next=%2Fhome{field}"));
        assert_refused(response, &format!("theme, {what}"));
        let response = app.post_form("/logout", field.trim_start_matches('&').to_owned());
        assert_refused(response, &format!("logout, {what}"));
        assert_eq!(seen(&app), before, "{what}: nothing changed");
    }
    assert_eq!(seen(&bob).user.as_deref(), Some("bob"), "bob's session is untouched");
}
// ANCHOR_END: forms_without_the_token_are_refused

/// The site's own forms keep working, whether the browser sends `Origin`,
/// only `Sec-Fetch-Site`, or neither (curl).
#[apply(every_chapter)]
fn forms_from_the_site_itself_work(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    let ways: [&[(&str, &str)]; 4] = [
        &[("Origin", OWN_ORIGIN)],
        &[("Sec-Fetch-Site", "same-origin")],
        &[("Sec-Fetch-Site", "none")],
        &[],
    ];
    for headers in ways {
        let what = format!("{headers:?}");
        let response = post(&app, "/login", "username=ada".into(), headers);
        assert_is_redirect_to(&response, "/home");
        drop(response);
        app.page("/home");
        let token = app.csrf_token().unwrap();
        let theme = format!("next=%2Fabout&csrf_token={token}");
        assert_is_redirect_to(&post(&app, "/theme", theme, headers), "/about");
        assert_eq!(seen(&app).theme.as_deref(), Some("Light"), "{what}");
        let response = post(&app, "/logout", format!("csrf_token={token}"), headers);
        assert_is_redirect_to(&response, "/logout");
        drop(response);
        assert_eq!(seen(&app).user, None, "{what}: signed out");
    }
}

/// A signed-out browser has no session for a form to change: the theme
/// form sends it to sign in, whatever token it carries, and sets nothing.
#[apply(every_chapter)]
fn a_signed_out_form_changes_nothing(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    app.sign_in("ada");
    let old = app.csrf_token().unwrap();
    app.post_logout();
    let response = app.post_form("/theme", format!("next=%2Fhome&csrf_token={old}"));
    assert_is_redirect_to(&response, "/login?next=/home");
    assert!(session_cookie(&chapter, &response).is_none(), "no session cookie");
    assert!(app.records().is_empty(), "{:?}", app.records());
}

// ANCHOR: messages_show_once
/// Post/Redirect/Get: after sign-in, a theme change and sign-out, the page
/// the browser is sent to shows a message once; a reload does not.
#[apply(every_chapter)]
fn messages_show_once(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    let flash = |body: &str| {
        let start = body.find(r#"id="flash" role="status">"#)? + 25;
        Some(body[start..start + body[start..].find('<')?].to_owned())
    };
    assert_is_redirect_to(&app.post_login("ada", Some("/about")), "/about");
    assert_eq!(flash(&app.page("/about")).as_deref(), Some("Signed in as ada."));
    assert_eq!(flash(&app.page("/about")), None, "a reload shows it no more");

    assert_is_redirect_to(&app.post_theme("/products"), "/products");
    assert_eq!(flash(&app.page("/products")).as_deref(), Some("Theme changed to light."));
    assert_eq!(flash(&app.page("/products")), None);

    let out = app.post_logout();
    assert_is_redirect_to(&out, "/logout");
    let names: Vec<String> = set_cookies(&out).iter().map(|c| c.name().to_owned()).collect();
    assert_eq!(names.len(), 2, "the session cookie's removal and the notice: {names:?}");
    drop(out);
    let page = app.get("/logout");
    assert!(session_cookie(&chapter, &page).is_none(), "no session cookie for a visitor");
    assert_eq!(flash(&page.into_string().unwrap()).as_deref(), Some("You have been signed out."));
    assert_eq!(flash(&app.page("/logout")), None);
    assert_eq!(flash(&app.page("/home")), None);
}
// ANCHOR_END: messages_show_once

/// The notice cookie is not sealed (any page of the host can set it), so it
/// names a notice rather than carrying text: anything else shows nothing,
/// and is removed.
#[apply(every_chapter)]
fn a_forged_notice_shows_nothing(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    let name = format!("chapter{}_notice", chapter.number);
    for value in ["Your account is locked: call 555-0100", "<script>alert(1)</script>", ""] {
        let cookie = rocket::http::Cookie::new(name.clone(), value.to_owned());
        let response = app.client.get("/home").cookie(cookie).dispatch();
        let removed = set_cookies(&response).into_iter().find(|c| c.name() == name);
        assert!(removed.is_some_and(|c| is_removal(&c)), "{value:?} is removed");
        let body = response.into_string().unwrap();
        assert!(!body.contains(r#"id="flash""#), "{value:?} shows nothing");
        assert!(!body.contains("555-0100") && !body.contains("<script>alert"), "{value:?}");
    }
}
