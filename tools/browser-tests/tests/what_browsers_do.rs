//! What browsers really do with a cookie, in Chromium and in Firefox: each
//! row of the book's table "What browsers really do" is a test here, once
//! per engine (`chromium::max_age_of_500_days`, `firefox::…`), asserting
//! that engine's finding; a last test checks that the committed table
//! (`book/src/generated/what-browsers-do.md`, written by `--bin
//! browser_facts -- --write` from real runs) says exactly what these tests
//! assert.
//!
//! The probes need no chapter: each starts its own fixture server
//! (`browser_tests::facts::Fixture`) in the test process. One row waits 125
//! seconds (`unmarked_cookie_on_a_late_cross_site_post`); it runs beside
//! the others. `cargo test -p browser-tests --test what_browsers_do`.

use browser_tests::facts::{self, Finding, Row};
use browser_tests::Engine;

/// One `#[tokio::test]` per row and engine, named as the row's
/// [`Row::test_name`] says.
macro_rules! rows {
    ($($test:ident => $row:ident),* $(,)?) => {
        browser_tests::in_each_engine! {$(
            #[tokio::test]
            async fn $test() {
                assert_eq!(stringify!($test), super::Row::$row.test_name());
                super::check(ENGINE, super::Row::$row).await
            }
        )*}
    };
}

rows! {
    session_cookie_after_a_restart => SessionCookieAfterRestart,
    session_cookie_after_a_restored_restart => SessionCookieAfterRestoredRestart,
    max_age_with_expires_in_the_past => MaxAgeWithExpiresInThePast,
    max_age_with_expires_later => MaxAgeWithExpiresLater,
    max_age_of_500_days => MaxAgeOf500Days,
    name_and_value_of_4096_bytes => NameAndValueOf4096Bytes,
    name_and_value_of_4097_bytes => NameAndValueOf4097Bytes,
    name_and_value_of_5000_bytes => NameAndValueOf5000Bytes,
    unmarked_cookie_on_a_cross_site_post => UnmarkedCookieOnCrossSitePost,
    unmarked_cookie_on_a_late_cross_site_post => UnmarkedCookieOnLateCrossSitePost,
    host_cookie_over_http_on_a_name => HostCookieOverHttpOnAName,
    host_cookie_over_http_on_loopback => HostCookieOverHttpOnLoopback,
    cookie_of_one_port_on_another => CookieOfOnePortOnAnother,
}

async fn check(engine: Engine, row: Row) {
    let found: Finding = row.probe(engine).await;
    assert_eq!(found, expected(engine, row), "{engine}: {}", row.label());
}

// ANCHOR: expected
/// What each engine does, as observed with the versions the page names;
/// the comments say why, where a specification or a browser's own notes
/// say so.
fn expected(engine: Engine, row: Row) -> &'static str {
    use Engine::{Chromium, Firefox};
    match (row, engine) {
        // A cookie with neither `Max-Age` nor `Expires` lasts "until the
        // current session is over", and a clean quit ends it.
        (Row::SessionCookieAfterRestart, _) => "dropped",
        // Unless the browser restores the previous session: then it keeps
        // its session cookies too, as if it had never quit.
        (Row::SessionCookieAfterRestoredRestart, _) => "kept",
        // RFC 6265bis: where both are set, `Max-Age` has precedence over
        // `Expires`, whether `Expires` is earlier or later.
        (Row::MaxAgeWithExpiresInThePast, _) => "Max-Age wins: expires in 1 hour",
        (Row::MaxAgeWithExpiresLater, _) => "Max-Age wins: expires in 1 hour",
        // RFC 6265bis caps a lifetime at 400 days; so do Chromium (since
        // 104) and Firefox (its `network.cookie.maxageCap`).
        (Row::MaxAgeOf500Days, _) => "capped: expires in 400 days",
        // RFC 6265bis: a cookie whose name and value pass 4 096 bytes
        // together is ignored whole, not cut to fit.
        (Row::NameAndValueOf4096Bytes, _) => "kept",
        (Row::NameAndValueOf4097Bytes, _) => "dropped",
        (Row::NameAndValueOf5000Bytes, _) => "dropped",
        // Chromium treats a cookie without `SameSite` as `Lax`, which
        // keeps it off a cross-site POST, except in its first two minutes
        // ("Lax+POST", for sign-on flows). Firefox does not default to
        // `Lax`, so it sends the cookie then and later.
        (Row::UnmarkedCookieOnCrossSitePost, _) => "sent",
        (Row::UnmarkedCookieOnLateCrossSitePost, Chromium) => "not sent",
        (Row::UnmarkedCookieOnLateCrossSitePost, Firefox) => "sent",
        // `__Host-` demands `Secure`, and a `Secure` cookie must come from
        // a secure origin: plain HTTP is one only on the machine itself
        // (`127.0.0.1`, `localhost`), never on a name such as
        // `sessions.test`, even one that resolves to 127.0.0.1.
        (Row::HostCookieOverHttpOnAName, _) => "dropped",
        (Row::HostCookieOverHttpOnLoopback, _) => "kept",
        // Cookies belong to a host, not to a port: they "do not provide
        // isolation by port" (RFC 6265, section 8.5).
        (Row::CookieOfOnePortOnAnother, _) => "sent",
    }
}
// ANCHOR_END: expected

// ANCHOR: book_table
/// The book's table (`book/src/generated/what-browsers-do.md`, written by
/// `browser_facts --write` from real runs) says exactly what the tests
/// above assert, in both engines: it fails when either changes alone.
#[test]
fn the_books_table_is_what_these_tests_assert() {
    let path = facts::page_path();
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        facts::recorded_table(&committed),
        facts::table(|row, engine| expected(engine, row).to_owned()),
        "{} is stale: run `cargo run -p browser-tests --bin browser_facts -- --write`",
        path.display()
    );
    for engine in Engine::ALL {
        assert!(committed.contains(&format!("{engine} ")), "the page names {engine}'s version");
    }
}
// ANCHOR_END: book_table
