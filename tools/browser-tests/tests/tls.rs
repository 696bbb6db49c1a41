//! Every hop, in headless Chromium and Firefox, for every chapter: served over HTTPS
//! with the development certificate, the browser keeps the session cookie
//! as `__Host-chapterN_session`, `Secure`; a `__Host-` cookie sent over
//! plain HTTP to a host that is not the machine itself is refused; and
//! after sign-out, Back shows no signed-in page from the cache.
//!
//! Chromium trusts the development certificate by its public key's hash
//! (`--ignore-certificate-errors-spki-list`), and no other; Firefox, which
//! has no such switch, accepts any certificate (`acceptInsecureCerts`), and
//! these tests serve only that one. Run as
//! tests/browser.rs says; the certificate is made on first use
//! (`cargo run -p dev-cert` makes the same).

use std::time::Duration;

use browser_tests::pages;
use browser_tests::{Browser, ChapterServer, Engine, Options, Profile};
use dev_cert::DevCert;
use fantoccini::{Client, Locator};
use launcher::Launch;

const USER: &str = "Ada";
const WAIT: Duration = Duration::from_secs(30);

/// A name that resolves to 127.0.0.1 for this browser only
/// ([`Options::resolve_to_loopback`]), so that a page is on plain HTTP
/// *and* not on the machine itself: `http://127.0.0.1` counts as a secure
/// context, where both engines keep `Secure` cookies (the last step of
/// `a_host_cookie_over_plain_http_is_refused`).
const NOT_LOCAL: &str = "sessions.test";

macro_rules! tls_suite {
    ($($chapter:ident => $number:literal),* $(,)?) => {
        browser_tests::in_each_engine! {$(
            mod $chapter {
                use super::ENGINE;

                #[tokio::test]
                async fn over_tls_the_cookie_is_host_prefixed_and_secure() {
                    super::super::over_tls_the_cookie_is_host_prefixed_and_secure(ENGINE, $number)
                        .await
                }

                #[tokio::test]
                async fn a_host_cookie_over_plain_http_is_refused() {
                    super::super::a_host_cookie_over_plain_http_is_refused(ENGINE, $number).await
                }

                #[tokio::test]
                async fn back_after_sign_out_shows_no_user_data() {
                    super::super::back_after_sign_out_shows_no_user_data(ENGINE, $number).await
                }
            }
        )*}
    };
}

tls_suite! {
    chapter_1 => 1, chapter_2 => 2, chapter_3 => 3,
    chapter_4 => 4, chapter_5 => 5, chapter_6 => 6,
}

fn dev_cert() -> DevCert {
    DevCert::ensure(&dev_cert::default_dir()).expect("the development certificate")
}

/// Signs `USER` in through the form at `origin` (`https://127.0.0.1:PORT`,
/// say), and waits for the page the form leads to.
async fn sign_in_at(client: &Client, origin: &str) {
    client.goto(&format!("{origin}/login")).await.unwrap();
    client.find(Locator::Id("username")).await.unwrap().send_keys(USER).await.unwrap();
    client.find(Locator::Id("sign-in")).await.unwrap().click().await.unwrap();
    client.wait().at_most(WAIT).for_url(&format!("{origin}/home").parse().unwrap()).await.unwrap();
}

// ANCHOR: over_tls
/// Served by Rocket over TLS: the cookie the browser keeps is
/// `__Host-chapterN_session`, `Secure`; sign-out removes it (its removal is
/// `Secure` too, or the browser would ignore it).
async fn over_tls_the_cookie_is_host_prefixed_and_secure(engine: Engine, number: u8) {
    let cert = dev_cert();
    let launch = Launch::new(launcher::chapter(number)).unwrap().rocket("tls", cert.rocket_tls());
    let server = ChapterServer::start_from(&launch);
    let options = Options::new().trust_certificate(cert.spki_sha256().unwrap());
    let profile = Profile::new();
    let browser = Browser::launch_with(engine, &profile, &options).await;
    let origin = format!("https://127.0.0.1:{}", server.port);

    sign_in_at(&browser, &origin).await;
    assert_eq!(pages::greeting(&browser).await.as_deref(), Some("Welcome Ada!"));
    let name = format!("__Host-{}", server.chapter.cookie_name());
    let cookies = browser.get_all_cookies().await.unwrap();
    let cookie = cookies.iter().find(|c| c.name() == name);
    let cookie = cookie.unwrap_or_else(|| panic!("chapter {number}: no {name} in {cookies:?}"));
    assert_eq!(cookie.secure(), Some(true), "chapter {number}: Secure");
    assert_eq!(cookie.path(), Some("/"), "chapter {number}: Path");
    assert!(cookies.iter().all(|c| c.name() != server.chapter.cookie_name()), "no plain name");

    pages::log_out_from_navbar(&browser).await;
    let held = pages::held_after_removal(&browser, &name).await;
    assert!(held.is_none(), "chapter {number}: not removed: {held:?}");
    browser.close().await;
}
// ANCHOR_END: over_tls

// ANCHOR: plain_http_refused
/// A `__Host-` cookie that arrives over plain HTTP is refused. The chapter
/// itself never sends one there: told it is behind a TLS proxy, its origin
/// check refuses a form from an `http://` page. So the unprotected variant
/// (no origin check, tests/stranger.rs) behind the same setting sends it,
/// and the browser drops it: on a host that is not the machine itself the
/// sign-in does not stick; on 127.0.0.1, a secure context, it does.
async fn a_host_cookie_over_plain_http_is_refused(engine: Engine, number: u8) {
    let launch =
        browser_tests::stranger::launch_unprotected(number).rocket("behind_tls_proxy", "true");
    let server = ChapterServer::start_from(&launch);
    let options = Options::new().resolve_to_loopback(NOT_LOCAL);
    let profile = Profile::new();
    let browser = Browser::launch_with(engine, &profile, &options).await;
    let name = format!("__Host-{}", server.chapter.cookie_name());

    sign_in_at(&browser, &format!("http://{NOT_LOCAL}:{}", server.port)).await;
    assert_eq!(pages::greeting(&browser).await, None, "chapter {number}: the sign-in stuck");
    let cookies = browser.get_all_cookies().await.unwrap();
    assert!(cookies.iter().all(|c| c.name() != name), "chapter {number}: kept {cookies:?}");

    sign_in_at(&browser, &format!("http://127.0.0.1:{}", server.port)).await;
    assert_eq!(
        pages::greeting(&browser).await.as_deref(),
        Some("Welcome Ada!"),
        "chapter {number}: http://127.0.0.1 is a secure context"
    );
    browser.close().await;
}
// ANCHOR_END: plain_http_refused

// ANCHOR: back_button
/// Sign in, open About (the user's data), sign out, press Back: the
/// browser asks the server again (`Cache-Control: no-store` kept no copy)
/// and is sent to sign in; it shows nothing of the user.
async fn back_after_sign_out_shows_no_user_data(engine: Engine, number: u8) {
    let server = ChapterServer::start(number, browser_tests::Lifetime::ChapterDefault);
    let profile = Profile::new();
    let browser = Browser::launch(engine, &profile).await;
    pages::sign_in(&browser, &server, USER).await;
    browser.goto(&server.url("/about")).await.unwrap();
    assert_eq!(pages::greeting(&browser).await.as_deref(), Some("Welcome Ada!"));
    pages::log_out_from_navbar(&browser).await;

    browser.back().await.unwrap();
    browser.wait().at_most(WAIT).for_element(Locator::Css("body")).await.unwrap();
    let url = browser.current_url().await.unwrap();
    let body = browser.find(Locator::Css("body")).await.unwrap().text().await.unwrap();
    assert_eq!(pages::greeting(&browser).await, None, "chapter {number}: Back showed {url}");
    assert_eq!(url.path(), "/login", "chapter {number}: About asked again, sent to sign in");
    assert!(!body.contains(USER), "chapter {number}: {url} shows the user:\n{body}");
    browser.close().await;
}
// ANCHOR_END: back_button
