//! One function per line of the behaviour table. Each takes the chapter it
//! runs against and asserts what *that* chapter's row says.

// `figment::Jail` closures must return `figment::Error`, which is large.
#![allow(clippy::result_large_err)]

use rocket::figment::Jail;
use rocket::http::{Cookie, Status};
use rocket::time::Duration;

use super::*;
use crate::config::{figment, SessionConfig};
use crate::store::IdleLimit;
use crate::{app, Chapter, CookieExpiry, Storage};

const HOSTILE_NEXT: &[&str] = &[
    "https://evil.example/",
    "http://evil.example",
    "//evil.example",
    "//evil.example/about",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "data:text/html,<h1>hi</h1>",
    "None",
    "about",
    " /about",
    "/\t/evil.example",
];

// ---------------------------------------------------------------- configuration

pub fn chapter_has_its_own_port_and_cookie(chapter: Chapter) {
    // Four chapters side by side on 127.0.0.1 share one cookie jar per host:
    // only distinct cookie names keep them apart.
    assert_eq!(chapter.default_port, 8000 + u16::from(chapter.number));
    assert_eq!(chapter.cookie_name, format!("chapter{}_session", chapter.number));
}

pub fn defaults_come_from_the_chapter(chapter: Chapter) {
    Jail::expect_with(|jail| {
        jail.clear_env();
        let figment = figment(&chapter);
        let rocket: rocket::Config = figment.extract()?;
        let sessions: SessionConfig = figment.extract()?;
        assert_eq!(rocket.port, chapter.default_port);
        assert_eq!(rocket.address.to_string(), "127.0.0.1");
        let expected = match chapter.cookie_expiry {
            CookieExpiry::AtBrowserClose => 31 * 24 * 3600,
            CookieExpiry::SlidingLifetime => 300,
        };
        assert_eq!(sessions.session_lifetime, expected);
        // Without a Rocket.toml, relative to the working directory.
        assert_eq!(
            sessions.store_dir(&chapter),
            std::path::Path::new("sessions").join(chapter.store_folder())
        );
        Ok(())
    });
}

pub fn rocket_toml_and_environment_override_the_defaults(chapter: Chapter) {
    Jail::expect_with(|jail| {
        jail.clear_env();
        jail.create_file(
            "Rocket.toml",
            "[default]\nsession_lifetime = 42\nsession_dir = \"from-toml\"\n",
        )?;
        let sessions: SessionConfig = figment(&chapter).extract()?;
        assert_eq!(sessions.session_lifetime, 42);
        assert_eq!(
            sessions.store_dir(&chapter),
            jail.directory().join("from-toml").join(chapter.store_folder())
        );

        jail.set_env("ROCKET_PORT", 9100);
        jail.set_env("ROCKET_SESSION_LIFETIME", 7);
        jail.set_env("ROCKET_SESSION_DIR", "/tmp/from-env");
        let figment = figment(&chapter);
        let rocket: rocket::Config = figment.extract()?;
        let sessions: SessionConfig = figment.extract()?;
        assert_eq!(rocket.port, 9100);
        assert_eq!(sessions.session_lifetime, 7);
        assert_eq!(
            sessions.store_dir(&chapter),
            std::path::Path::new("/tmp/from-env").join(chapter.store_folder())
        );
        Ok(())
    });
}

pub fn release_build_without_secret_key_refuses_to_launch(chapter: Chapter) {
    Jail::expect_with(|jail| {
        jail.clear_env();
        jail.create_file("Rocket.toml", &format!("[default]\ntemplate_dir = \"{TEMPLATES}\"\n"))?;
        jail.set_env("ROCKET_PROFILE", "release");
        let error = rocket::execute(app(chapter).ignite()).expect_err("no secret key in release");
        assert!(
            matches!(error.kind(), rocket::error::ErrorKind::InsecureSecretKey(_)),
            "refused for the missing key, not for {error}"
        );
        jail.set_env("ROCKET_SECRET_KEY", "hPRYyVRiMyxpw5sBB1XeCMN1kFsDCqKvBi2QJxBVHQk=");
        rocket::execute(app(chapter).ignite()).expect("launches once ROCKET_SECRET_KEY is set");
        Ok(())
    });
}

// ---------------------------------------------------------------- pages and navigation

pub fn public_pages_render_for_anyone(chapter: Chapter) {
    let app = TestApp::launch(chapter);
    for path in ["/", "/home", "/products", "/login", "/logout"] {
        let response = app.get(path);
        assert_eq!(response.status(), Status::Ok, "GET {path}");
        assert!(set_cookies(&response).is_empty(), "no cookie for a visitor on {path}");
        let body = response.into_string().unwrap();
        assert_signed_out(&body);
        assert!(
            body.contains(&format!("chapter {}: {}", chapter.number, chapter.section)),
            "panel"
        );
    }
    let products = app.page("/products");
    for product in ["Sofas", "Chairs", "Tables", "Swings"] {
        assert!(products.contains(&format!("<li>{product}</li>")), "{product}");
    }
}

pub fn protected_pages_send_visitors_to_sign_in(chapter: Chapter) {
    let app = TestApp::launch(chapter);
    for path in ["/about", "/contact"] {
        assert_is_redirect_to(&app.get(path), &format!("/login?next={path}"));
    }
}

pub fn login_form_keeps_only_a_local_next(chapter: Chapter) {
    let app = TestApp::launch(chapter);
    let form = app.page("/login?next=/about");
    assert_eq!(hidden_next(&form), "/about");
    assert!(
        form.contains("the password is not checked"),
        "the page says passwords are not checked"
    );
    for next in HOSTILE_NEXT {
        let form = app.page(&format!("/login?next={}", encode(next)));
        assert_eq!(hidden_next(&form), "", "{next}");
    }
}

pub fn sign_in_returns_to_the_page_that_asked(chapter: Chapter) {
    let app = TestApp::launch(chapter);
    for page in ["/about", "/contact"] {
        assert_is_redirect_to(&app.get(page), &format!("/login?next={page}"));
        assert_is_redirect_to(&app.post_login("ada", Some(page)), page);
        assert_signed_in_as(&app.page(page), "ada");
        app.post_logout();
    }
}

pub fn sign_in_without_next_goes_home(chapter: Chapter) {
    let app = TestApp::launch(chapter);
    assert_is_redirect_to(&app.post_login("ada", None), "/home");
    assert_is_redirect_to(&app.post_login("ada", Some("")), "/home");
    assert_signed_in_as(&app.page("/home"), "ada");
}

pub fn sign_in_never_follows_a_foreign_next(chapter: Chapter) {
    let app = TestApp::launch(chapter);
    for next in HOSTILE_NEXT {
        assert_is_redirect_to(&app.post_login("ada", Some(next)), "/home");
    }
}

// ---------------------------------------------------------------- signing in

pub fn sign_in_holds_the_tutorial_data(chapter: Chapter) {
    let app = TestApp::launch(chapter);
    app.sign_in("  ada lovelace ");
    let home = app.page("/home");
    assert_signed_in_as(&home, "ada lovelace");
    assert!(
        home.contains("user_name = <code>ada lovelace</code>, lang = <code>en</code>, theme = <code>dark</code>"),
        "the panel shows the session data: {home}"
    );
    assert!(home.contains(r#"<body class="dark">"#), "theme dark is applied");
}

pub fn bad_usernames_rerender_the_form_and_set_no_session(chapter: Chapter) {
    let app = TestApp::launch(chapter);
    let too_long = "a".repeat(65);
    let cases = [
        ("", "Please enter a username."),
        ("   ", "Please enter a username."),
        (too_long.as_str(), "A username can be at most 64 characters long."),
        ("a\u{7}b", "A username cannot contain control characters."),
    ];
    for (username, message) in cases {
        let response = app.post_login(username, Some("/about"));
        assert_eq!(response.status(), Status::UnprocessableEntity, "{username:?}");
        assert!(set_cookies(&response).is_empty(), "no session for {username:?}");
        let body = response.into_string().unwrap();
        assert!(body.contains(message), "{username:?}: {body}");
        assert_eq!(hidden_next(&body), "/about", "next survives the retry");
        assert!(body.contains(r#"<form action="/login" method="post">"#), "the form again");
    }
    let form = app.post_form("/login", "password=x".into());
    assert_eq!(form.status(), Status::UnprocessableEntity, "a missing username is an empty one");
    assert!(app.stored_files().is_empty(), "nothing was stored");
    assert_is_redirect_to(&app.get("/about"), "/login?next=/about");
    let longest = "é".repeat(64);
    app.sign_in(&longest);
    assert_signed_in_as(&app.page("/home"), &longest);
}

// ---------------------------------------------------------------- the cookie

/// Asserts the attributes every session cookie of `chapter` carries.
fn assert_chapter_cookie(chapter: &Chapter, app: &TestApp, cookie: &Cookie<'_>) {
    assert_eq!(cookie.name(), chapter.cookie_name);
    assert_eq!(cookie.http_only(), Some(true), "HttpOnly: page scripts cannot read it");
    assert_eq!(cookie.same_site(), Some(rocket::http::SameSite::Lax), "SameSite=Lax");
    assert_eq!(cookie.path(), Some("/"));
    assert_eq!(cookie.secure(), None, "no Secure over plain HTTP");
    match chapter.cookie_expiry {
        CookieExpiry::AtBrowserClose => {
            assert_eq!(cookie.max_age(), None, "a browser-session cookie has no Max-Age");
            assert_eq!(cookie.expires(), None, "a browser-session cookie has no Expires");
        }
        CookieExpiry::SlidingLifetime => {
            let lifetime = chapter.default_session_lifetime;
            assert_eq!(cookie.max_age(), Some(lifetime), "Max-Age is the session lifetime");
            // `Expires` is a date to the second.
            let expires = (app.now() + lifetime).replace_nanosecond(0).unwrap();
            assert_eq!(cookie.expires_datetime(), Some(expires), "a matching Expires");
        }
    }
}

pub fn session_cookie_has_the_chapter_attributes(chapter: Chapter) {
    let app = TestApp::launch(chapter);
    let cookie = app.sign_in("ada");
    assert_chapter_cookie(&chapter, &app, &cookie);
    assert!(!cookie.value().contains("ada"), "the cookie never shows the data in clear");
}

pub fn every_signed_in_response_keeps_the_cookie_expiry(chapter: Chapter) {
    let app = TestApp::launch(chapter);
    app.sign_in("ada");
    let step = IdleLimit::new(chapter.default_session_lifetime).refresh_step;
    for path in ["/home", "/about", "/contact", "/products", "/login", "/logout"] {
        app.wait_for(step);
        let response = app.get(path);
        assert_eq!(response.status(), Status::Ok, "{path}");
        let refreshed = session_cookie(&chapter, &response);
        match (chapter.storage, chapter.cookie_expiry) {
            // The id in the cookie never changes and never expires: nothing to send.
            (Storage::ServerFiles, CookieExpiry::AtBrowserClose) => {
                assert!(refreshed.is_none(), "{path}: no Set-Cookie needed")
            }
            // A sliding cookie, or a sealed timestamp due for a refresh, is re-issued.
            _ => assert_chapter_cookie(&chapter, &app, &refreshed.expect("re-issued")),
        }
    }
}

/// The cheap path: within one refresh step (1% of the lifetime, at most a
/// minute) nothing is re-sealed or rewritten; a sliding cookie still gets
/// its fresh `Max-Age`, with the same value.
pub fn activity_is_recorded_once_per_refresh_step(chapter: Chapter) {
    let app = TestApp::launch(chapter);
    let signed_in = app.sign_in("ada");
    let record = || app.stored_files().first().map(|f| std::fs::read(f).unwrap());
    let written = record();
    let step = IdleLimit::new(chapter.default_session_lifetime).refresh_step;

    app.wait_for(step / 2);
    let response = app.get("/about");
    assert_eq!(response.status(), Status::Ok);
    let reissued = session_cookie(&chapter, &response);
    assert_eq!(record(), written, "the record is only read");
    match chapter.cookie_expiry {
        CookieExpiry::AtBrowserClose => assert!(reissued.is_none(), "nothing to send"),
        CookieExpiry::SlidingLifetime => {
            let reissued = reissued.expect("the expiry slides on every response");
            assert_eq!(reissued.value(), signed_in.value(), "the same value");
            assert_chapter_cookie(&chapter, &app, &reissued);
        }
    }

    app.wait_for(step / 2);
    let response = app.get("/about");
    let reissued = session_cookie(&chapter, &response);
    match chapter.storage {
        Storage::EncryptedCookie => {
            let resealed = reissued.expect("a step later, the activity is sealed in");
            assert_ne!(resealed.value(), signed_in.value());
            assert_chapter_cookie(&chapter, &app, &resealed);
        }
        Storage::ServerFiles => {
            let record: serde_json::Value = serde_json::from_slice(&record().unwrap()).unwrap();
            let last_seen = rocket::time::OffsetDateTime::parse(
                record["last_seen"].as_str().unwrap(),
                &rocket::time::format_description::well_known::Rfc3339,
            )
            .unwrap();
            assert_eq!(last_seen, app.now(), "a step later, the record is rewritten");
        }
    }
}

/// The idle limit counts from the last *recorded* activity, so a session
/// may end up to one refresh step early, never late.
pub fn idle_limit_counts_from_the_recorded_activity(chapter: Chapter) {
    let app = TestApp::launch(chapter);
    let lifetime = chapter.default_session_lifetime;
    let step = IdleLimit::new(lifetime).refresh_step;
    app.sign_in("ada");
    app.wait_for(step / 2);
    assert_signed_in_as(&app.page("/home"), "ada"); // not recorded: within the step
    app.wait_for(lifetime - step / 2 - Duration::milliseconds(1));
    assert_signed_in_as(&app.page("/home"), "ada"); // recorded now
    app.wait_for(lifetime);
    assert_is_redirect_to(&app.get("/about"), "/login?next=/about");
}

pub fn where_the_data_lives(chapter: Chapter) {
    let app = TestApp::launch(chapter);
    let cookie = app.sign_in("ada");
    match chapter.storage {
        Storage::EncryptedCookie => {
            assert!(app.stored_files().is_empty(), "the server stores nothing");
            assert!(crate::store::SessionId::parse(cookie.value()).is_none());
            assert!(cookie.value().len() > 60, "the cookie carries the sealed session");
        }
        Storage::ServerFiles => {
            let id =
                crate::store::SessionId::parse(cookie.value()).expect("the cookie is just an id");
            let files = app.stored_files();
            assert_eq!(files, vec![app.store_dir().join(crate::store::FileStore::file_name(&id))]);
            let record: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&files[0]).unwrap()).unwrap();
            assert_eq!(record["user_name"], "ada");
            assert_eq!(record["lang"], "en");
            assert_eq!(record["theme"], "dark");
            let home = app.page("/home");
            assert!(
                home.contains(&crate::store::FileStore::file_name(&id)),
                "the panel names the file"
            );
        }
    }
}

// ---------------------------------------------------------------- expiry

pub fn activity_within_the_lifetime_keeps_the_session(chapter: Chapter) {
    let app = TestApp::launch(chapter);
    app.sign_in("ada");
    let lifetime = chapter.default_session_lifetime.whole_seconds();
    for _ in 0..3 {
        app.wait(lifetime - 1);
        assert_signed_in_as(&app.page("/about"), "ada");
    }
}

// ANCHOR: idle_past
pub fn idle_past_the_lifetime_is_refused_by_the_server(chapter: Chapter) {
    let app = TestApp::launch(chapter);
    app.sign_in("ada");
    app.wait(chapter.default_session_lifetime.whole_seconds());
    // The tracked client ignores Max-Age and replays the cookie, as a
    // careless or malicious browser may: the server must refuse it itself.
    let response = app.get("/about");
    assert_is_redirect_to(&response, "/login?next=/about");
    assert!(is_removal(&session_cookie(&chapter, &response).expect("the cookie is removed")));
    assert_signed_out(&app.page("/home"));
    assert!(app.stored_files().is_empty(), "no record outlives its session");
}
// ANCHOR_END: idle_past

pub fn configured_lifetime_drives_expiry(chapter: Chapter) {
    let app = TestApp::with_lifetime(chapter, 7);
    let cookie = app.sign_in("ada");
    if chapter.cookie_expiry == CookieExpiry::SlidingLifetime {
        assert_eq!(cookie.max_age(), Some(Duration::seconds(7)));
    }
    app.wait(6);
    assert_signed_in_as(&app.page("/home"), "ada");
    app.wait(7);
    assert_signed_out(&app.page("/home"));
    assert!(app.page("/home").contains("7 seconds"), "the panel states the configured lifetime");
}

// ---------------------------------------------------------------- signing out

pub fn sign_out_removes_the_cookie_and_the_record(chapter: Chapter) {
    let app = TestApp::launch(chapter);
    app.sign_in("ada");
    let response = app.post_logout();
    assert_is_redirect_to(&response, "/logout");
    assert!(is_removal(&session_cookie(&chapter, &response).expect("removed")));
    assert!(app.stored_files().is_empty(), "the record is deleted");
    let page = app.page("/logout");
    assert_signed_out(&page);
    assert!(page.contains("Signed Out!!!"));
    assert_is_redirect_to(&app.get("/about"), "/login?next=/about");
}

// ANCHOR: stolen_cookie
pub fn stolen_cookie_after_sign_out(chapter: Chapter) {
    let app = TestApp::launch(chapter);
    let stolen = app.sign_in("ada");
    app.post_logout();
    let replayed = app.get_with_cookie("/about", &stolen);
    match chapter.storage {
        // The record is gone, so the id points at nothing.
        Storage::ServerFiles => assert_is_redirect_to(&replayed, "/login?next=/about"),
        // The whole session is in the cookie and the server kept no list of
        // revoked cookies: a copy works until its idle limit. The book's
        // point, proven.
        Storage::EncryptedCookie => {
            assert_eq!(replayed.status(), Status::Ok);
            assert_signed_in_as(&replayed.into_string().unwrap(), "ada");
            app.wait(chapter.default_session_lifetime.whole_seconds());
            assert_is_redirect_to(&app.get_with_cookie("/about", &stolen), "/login?next=/about");
        }
    }
}
// ANCHOR_END: stolen_cookie

pub fn sign_in_always_starts_a_fresh_session(chapter: Chapter) {
    let app = TestApp::launch(chapter);
    let first = app.sign_in("ada");
    app.wait(1);
    let second = app.sign_in("bob");
    assert_ne!(first.value(), second.value(), "a new cookie value");
    assert_signed_in_as(&app.page("/home"), "bob");
    if chapter.storage.is_server_side() {
        assert_eq!(app.stored_files().len(), 1, "the earlier record is dropped");
        app.post_logout();
        assert_is_redirect_to(&app.get_with_cookie("/about", &first), "/login?next=/about");
    }
}

// ---------------------------------------------------------------- bad cookies

pub fn bad_cookies_mean_signed_out(chapter: Chapter) {
    let app = TestApp::launch(chapter);
    let genuine = app.sign_in("ada");
    app.post_logout();
    let value = genuine.value();
    let mut flipped = value.as_bytes().to_vec();
    flipped[value.len() / 2] = if flipped[value.len() / 2] == b'A' { b'B' } else { b'A' };
    let unknown_id = crate::store::SessionId::generate().unwrap();
    let bad_values = [
        "garbage".to_owned(),
        value[..value.len() / 2].to_owned(),
        String::from_utf8(flipped).unwrap(),
        unknown_id.as_str().to_owned(),
        "../../../../etc/passwd".to_owned(),
        "x".repeat(4000),
    ];
    let before = app.stored_files();
    for bad in bad_values {
        let cookie = Cookie::new(chapter.cookie_name, bad.clone());
        let response = app.get_with_cookie("/home", &cookie);
        assert_eq!(response.status(), Status::Ok, "{bad:.20}");
        assert!(is_removal(&session_cookie(&chapter, &response).expect("removed")), "{bad:.20}");
        assert_signed_out(&response.into_string().unwrap());
        assert_is_redirect_to(&app.get_with_cookie("/about", &cookie), "/login?next=/about");
    }
    assert_eq!(app.stored_files(), before, "no file was created or touched");
}

// ---------------------------------------------------------------- the theme

// ANCHOR: theme_toggle
pub fn theme_toggle_changes_the_session(chapter: Chapter) {
    let app = TestApp::launch(chapter);
    let before = app.sign_in("ada");
    let record_before = app.stored_files();
    let response = app.post_theme("/products");
    assert_is_redirect_to(&response, "/products");
    let after = session_cookie(&chapter, &response);
    let page = app.page("/products");
    assert!(page.contains(r#"<body class="light">"#), "the light theme is applied");
    assert!(page.contains("theme = <code>light</code>"), "the session holds it");
    match chapter.storage {
        Storage::EncryptedCookie => {
            let after = after.expect("a new sealed cookie");
            assert_ne!(
                after.value(),
                before.value(),
                "the data is in the cookie, so the cookie changes"
            );
            assert_chapter_cookie(&chapter, &app, &after);
        }
        Storage::ServerFiles => {
            if let Some(after) = after {
                assert_eq!(after.value(), before.value(), "the same id");
            }
            assert_eq!(app.stored_files(), record_before, "the same file");
            let record: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&record_before[0]).unwrap()).unwrap();
            assert_eq!(record["theme"], "light", "the file is rewritten");
        }
    }
    app.post_theme("/home");
    assert!(app.page("/home").contains(r#"<body class="dark">"#), "and back");
}
// ANCHOR_END: theme_toggle

pub fn theme_toggle_needs_a_session(chapter: Chapter) {
    let app = TestApp::launch(chapter);
    assert_is_redirect_to(&app.post_theme("/products"), "/login?next=/home");
    app.sign_in("ada");
    assert_is_redirect_to(&app.post_theme("https://evil.example"), "/home");
}

pub fn logout_page_offers_the_button(chapter: Chapter) {
    let app = TestApp::launch(chapter);
    app.sign_in("ada");
    let page = app.page("/logout");
    assert!(page.contains(r#"<button type="submit" id="log-out">Log Out</button>"#), "{page}");
    assert_signed_in_as(&page, "ada");
}

pub fn unknown_pages_get_a_404_page(chapter: Chapter) {
    let app = TestApp::launch(chapter);
    let response = app.get("/no-such-page");
    assert_eq!(response.status(), Status::NotFound);
    let body = response.into_string().unwrap();
    assert!(body.contains("404 Not Found"), "{body}");
    assert!(body.contains("session-panel"), "a page of the site");
}
