//! Every hop: the session cookie over plain HTTP and over HTTPS (here:
//! behind a proxy that terminates TLS, `behind_tls_proxy`, and with
//! Rocket's own `tls` configured), the origin the CSRF check expects, and
//! `Cache-Control: no-store` on what a signed-in visitor sees. Every
//! chapter. What a browser does with it is in `tools/browser-tests/tests/tls.rs`.

#![deny(dead_code)]

use behaviour_suite::every_hop::*;
use behaviour_suite::rstest_reuse::apply;
use behaviour_suite::*;
use rocket::http::Status;
use rocket::local::blocking::LocalResponse;
use rstest::rstest;
use tutorial::Chapter;

fn cache_control<'a>(response: &'a LocalResponse<'_>) -> Option<&'a str> {
    response.headers().get_one("Cache-Control")
}

// ANCHOR: plain_http_cookie
/// Over plain HTTP nothing changes: the plain name, no `Secure` (a browser
/// would drop a `Secure` cookie from a plain-HTTP page that is not local).
#[apply(every_chapter)]
fn over_plain_http_the_cookies_are_neither_secure_nor_prefixed(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    let signed_in = app.post_login("ada", None);
    let header = raw_set_cookie(&signed_in, chapter.cookie_name()).expect("a session cookie");
    assert!(!header.contains("Secure"), "{header}");
    assert!(cookie_named(&signed_in, &host_session_name(&chapter)).is_none());
    app.get("/home");
    let signed_out = app.post_logout();
    for cookie in set_cookies(&signed_out) {
        assert!(!cookie.name().starts_with("__Host-"), "{cookie}");
        assert_eq!(cookie.secure(), None, "{cookie}");
    }
}
// ANCHOR_END: plain_http_cookie

// ANCHOR: proxy_cookie
/// Behind a TLS proxy, the session cookie is `__Host-chapterN_session` and
/// `Secure`, with `Path=/` and no `Domain`, as the prefix demands; so are
/// its removal at sign-out (a browser ignores a `__Host-` removal that is
/// not `Secure`) and the "signed out" notice.
#[apply(every_chapter)]
fn behind_a_tls_proxy_the_cookies_are_secure_and_host_prefixed(#[case] chapter: Chapter) {
    let app = behind_tls_proxy(chapter);
    let name = host_session_name(&chapter);
    let signed_in = post_from(&app, "/login", &format!("https://{HOST}"), "username=ada".into());
    assert_is_redirect_to(&signed_in, "/home");
    let cookie = cookie_named(&signed_in, &name).expect("a __Host- session cookie");
    assert_eq!(cookie.secure(), Some(true));
    assert_eq!(cookie.path(), Some("/"));
    assert_eq!(cookie.domain(), None);
    assert!(cookie_named(&signed_in, chapter.cookie_name()).is_none(), "no plain-named cookie");
    let header = raw_set_cookie(&signed_in, &name).unwrap();
    assert!(header.contains("; Secure"), "{header}");

    let home = app.page("/home");
    assert_signed_in_as(&home, "ada");
    assert!(home.contains(&name), "the panel names the cookie the browser holds");
    let token = launcher::page::csrf_token(&home).unwrap();
    let signed_out =
        post_from(&app, "/logout", &format!("https://{HOST}"), format!("csrf_token={token}"));
    let removal = cookie_named(&signed_out, &name).expect("the cookie's removal");
    assert!(is_removal(&removal), "{removal}");
    assert_eq!((removal.secure(), removal.path()), (Some(true), Some("/")), "{removal}");
    let notice = cookie_named(&signed_out, &host_notice_name(&chapter)).expect("the notice");
    assert_eq!((notice.secure(), notice.path()), (Some(true), Some("/")), "{notice}");
    let after = app.page("/home");
    assert_signed_out(&after);
    assert!(after.contains("You have been signed out."), "the __Host- notice is read back");
}
// ANCHOR_END: proxy_cookie

/// With Rocket's own `tls` configured, the same: the setting Rocket reads
/// (`tls.certs` and `tls.key`) is enough; the local client serves no TLS,
/// so the files are not even read here.
#[apply(every_chapter)]
fn served_over_tls_the_cookie_is_secure_and_host_prefixed(#[case] chapter: Chapter) {
    let app =
        TestConfig::new(chapter).set("tls.certs", "cert.pem").set("tls.key", "key.pem").launch();
    let signed_in = post_from(&app, "/login", &format!("https://{HOST}"), "username=ada".into());
    let cookie = cookie_named(&signed_in, &host_session_name(&chapter)).expect("__Host-");
    assert_eq!(cookie.secure(), Some(true));
}

// ANCHOR: proxy_origin
/// Over HTTPS the site's origin is `https://…`: a form posted from an
/// `http://` page of the same host and port comes from another origin, and
/// is refused; over plain HTTP it is the other way round.
#[apply(every_chapter)]
fn the_origin_check_expects_the_scheme_browsers_use(#[case] chapter: Chapter) {
    let app = behind_tls_proxy(chapter);
    let token = sign_in_over_https(&app, "ada");
    let theme =
        |origin: &str| post_from(&app, "/theme", origin, format!("next=/home&csrf_token={token}"));
    assert_eq!(theme(&format!("http://{HOST}")).status(), Status::Forbidden);
    assert_is_redirect_to(&theme(&format!("https://{HOST}")), "/home");

    let plain = TestApp::launch(chapter);
    let body = "username=ada&password=secret".to_owned();
    assert_eq!(
        post_from(&plain, "/login", &format!("https://{HOST}"), body.clone()).status(),
        Status::Forbidden
    );
    assert_eq!(
        post_from(&plain, "/login", &format!("http://{HOST}"), body).status(),
        Status::SeeOther
    );
}
// ANCHOR_END: proxy_origin

// ANCHOR: no_store
/// What a signed-in visitor is sent, pages and redirects alike, is
/// `Cache-Control: no-store`, so that Back after sign-out shows nothing
/// from the cache; the public pages seen signed out stay cacheable. (Error
/// pages show nobody, signed in or not: they hold nothing to keep out of
/// a cache.)
#[apply(every_chapter)]
fn signed_in_answers_are_not_stored(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    for path in ["/", "/home", "/products", "/login", "/logout", "/about"] {
        assert_eq!(cache_control(&app.get(path)), None, "signed out: GET {path}");
    }
    app.sign_in("ada");
    for path in ["/", "/home", "/products", "/about", "/contact", "/logout"] {
        assert_eq!(cache_control(&app.get(path)), Some("no-store"), "signed in: GET {path}");
    }
    assert_eq!(cache_control(&app.post_theme("/about")), Some("no-store"), "the theme's redirect");
    let signed_out = app.post_logout();
    assert_eq!(cache_control(&signed_out), Some("no-store"), "sign-out's redirect");
    assert_eq!(cache_control(&app.get("/home")), None, "signed out again");
}
// ANCHOR_END: no_store

/// A `behind_tls_proxy` that is no boolean stops the launch with Rocket's
/// own configuration error, printed by the session manager's fairing, not
/// a panic and not a guess.
#[apply(every_chapter)]
fn a_bad_proxy_setting_refuses_to_launch(#[case] chapter: Chapter) {
    for bad in ["maybe", "2"] {
        let (rocket, _dir) = TestConfig::new(chapter).set("behind_tls_proxy", bad).into_rocket();
        let error = rocket::execute(rocket.ignite()).expect_err("a bad behind_tls_proxy");
        assert!(
            matches!(error.kind(), rocket::error::ErrorKind::FailedFairings(f)
                if f.iter().any(|f| f.name == "Session manager")),
            "behind_tls_proxy = {bad:?}: {error}"
        );
    }
}
