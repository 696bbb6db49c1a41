//! What browsers really do with a cookie: one probe per row of the book's
//! table "What browsers really do" (`book/src/generated/what-browsers-do.md`).
//!
//! A probe starts its own [`Fixture`] server and its own browser, has the
//! server send one exact `Set-Cookie`, and reads what the browser did with
//! it: the cookies WebDriver says it keeps, or the `Cookie` header it sent
//! to `/echo`. Its [`Finding`] is that, in the few words of a table cell.
//! Nothing is assumed: where the issue that asked for the page said what a
//! browser does, the probe checks it, and the cell is what happened.
//! `tests/what_browsers_do.rs` asserts each engine's findings, and
//! `--bin browser_facts` writes the page from real runs.

mod fixture;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use cookie::Cookie;
use time::OffsetDateTime;

pub use fixture::{Fixture, NO_COOKIE};

use crate::{Browser, Engine, Options, Profile};

/// What a probe saw, as a table cell: "kept", "not sent", "capped: expires
/// in 400 days".
pub type Finding = String;

/// A name that resolves to 127.0.0.1 for the probe's browser only, so that
/// a page is on plain HTTP and not on the machine itself: `http://127.0.0.1`
/// and `http://localhost` count as secure contexts.
pub const NOT_LOCAL: &str = "sessions.test";

/// How long the late cross-site POST waits after the cookie was set: past
/// the two minutes in which Chromium is said to send an unmarked cookie on
/// a cross-site POST anyway.
pub const LATE: Duration = Duration::from_secs(125);

/// How long a page may take to load after a form posted itself.
const WAIT: Duration = Duration::from_secs(20);

/// One row of the table: one cookie, one thing done with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Row {
    SessionCookieAfterRestart,
    SessionCookieAfterRestoredRestart,
    MaxAgeWithExpiresInThePast,
    MaxAgeWithExpiresLater,
    MaxAgeOf500Days,
    NameAndValueOf4096Bytes,
    NameAndValueOf4097Bytes,
    NameAndValueOf5000Bytes,
    UnmarkedCookieOnCrossSitePost,
    UnmarkedCookieOnLateCrossSitePost,
    HostCookieOverHttpOnAName,
    HostCookieOverHttpOnLoopback,
    CookieOfOnePortOnAnother,
}

impl Row {
    /// In table order.
    pub const ALL: [Row; 13] = [
        Row::SessionCookieAfterRestart,
        Row::SessionCookieAfterRestoredRestart,
        Row::MaxAgeWithExpiresInThePast,
        Row::MaxAgeWithExpiresLater,
        Row::MaxAgeOf500Days,
        Row::NameAndValueOf4096Bytes,
        Row::NameAndValueOf4097Bytes,
        Row::NameAndValueOf5000Bytes,
        Row::UnmarkedCookieOnCrossSitePost,
        Row::UnmarkedCookieOnLateCrossSitePost,
        Row::HostCookieOverHttpOnAName,
        Row::HostCookieOverHttpOnLoopback,
        Row::CookieOfOnePortOnAnother,
    ];

    /// The row's first cell: the cookie, and what is done with it.
    pub fn label(self) -> &'static str {
        match self {
            Row::SessionCookieAfterRestart => {
                "a session cookie (no `Max-Age`, no `Expires`), after a clean restart"
            }
            Row::SessionCookieAfterRestoredRestart => {
                "the same, after a restart that restores the previous session"
            }
            Row::MaxAgeWithExpiresInThePast => "`Max-Age=3600` with an `Expires` in the past",
            Row::MaxAgeWithExpiresLater => "`Max-Age=3600` with an `Expires` 10 days ahead",
            Row::MaxAgeOf500Days => "`Max-Age` of 500 days",
            Row::NameAndValueOf4096Bytes => "name and value of 4 096 bytes",
            Row::NameAndValueOf4097Bytes => "name and value of 4 097 bytes",
            Row::NameAndValueOf5000Bytes => "name and value of 5 000 bytes",
            Row::UnmarkedCookieOnCrossSitePost => {
                "no `SameSite`, on a cross-site top-level POST at once"
            }
            Row::UnmarkedCookieOnLateCrossSitePost => {
                "no `SameSite`, on a cross-site top-level POST 125 s after it was set"
            }
            Row::HostCookieOverHttpOnAName => {
                "`__Host-` (`Secure; Path=/`) over plain HTTP from `http://sessions.test`"
            }
            Row::HostCookieOverHttpOnLoopback => {
                "`__Host-` (`Secure; Path=/`) over plain HTTP from `http://127.0.0.1`"
            }
            Row::CookieOfOnePortOnAnother => "set by `127.0.0.1:A`, on a request to `127.0.0.1:B`",
        }
    }

    /// The test of `tests/what_browsers_do.rs` that asserts this row, in
    /// each engine's module (`chromium::…`, `firefox::…`).
    pub fn test_name(self) -> &'static str {
        match self {
            Row::SessionCookieAfterRestart => "session_cookie_after_a_restart",
            Row::SessionCookieAfterRestoredRestart => "session_cookie_after_a_restored_restart",
            Row::MaxAgeWithExpiresInThePast => "max_age_with_expires_in_the_past",
            Row::MaxAgeWithExpiresLater => "max_age_with_expires_later",
            Row::MaxAgeOf500Days => "max_age_of_500_days",
            Row::NameAndValueOf4096Bytes => "name_and_value_of_4096_bytes",
            Row::NameAndValueOf4097Bytes => "name_and_value_of_4097_bytes",
            Row::NameAndValueOf5000Bytes => "name_and_value_of_5000_bytes",
            Row::UnmarkedCookieOnCrossSitePost => "unmarked_cookie_on_a_cross_site_post",
            Row::UnmarkedCookieOnLateCrossSitePost => "unmarked_cookie_on_a_late_cross_site_post",
            Row::HostCookieOverHttpOnAName => "host_cookie_over_http_on_a_name",
            Row::HostCookieOverHttpOnLoopback => "host_cookie_over_http_on_loopback",
            Row::CookieOfOnePortOnAnother => "cookie_of_one_port_on_another",
        }
    }

    /// Whether the probe waits [`LATE`]: the tools run those beside the
    /// others.
    pub fn waits(self) -> bool {
        self == Row::UnmarkedCookieOnLateCrossSitePost
    }

    /// Runs the row's probe in a browser of its own.
    pub async fn probe(self, engine: Engine) -> Finding {
        match self {
            Row::SessionCookieAfterRestart => session_cookie_after_restart(engine, false).await,
            Row::SessionCookieAfterRestoredRestart => {
                session_cookie_after_restart(engine, true).await
            }
            Row::MaxAgeWithExpiresInThePast => {
                max_age_against_expires(engine, -time::Duration::days(1)).await
            }
            Row::MaxAgeWithExpiresLater => {
                max_age_against_expires(engine, time::Duration::days(10)).await
            }
            Row::MaxAgeOf500Days => max_age_of_500_days(engine).await,
            Row::NameAndValueOf4096Bytes => name_and_value_of(engine, 4096).await,
            Row::NameAndValueOf4097Bytes => name_and_value_of(engine, 4097).await,
            Row::NameAndValueOf5000Bytes => name_and_value_of(engine, 5000).await,
            Row::UnmarkedCookieOnCrossSitePost => cross_site_post(engine, Duration::ZERO).await,
            Row::UnmarkedCookieOnLateCrossSitePost => cross_site_post(engine, LATE).await,
            Row::HostCookieOverHttpOnAName => host_cookie_over_http(engine, NOT_LOCAL).await,
            Row::HostCookieOverHttpOnLoopback => host_cookie_over_http(engine, "127.0.0.1").await,
            Row::CookieOfOnePortOnAnother => cookie_of_one_port_on_another(engine).await,
        }
    }
}

// ---------------------------------------------------------------- the probes

/// Set `s=1`, no lifetime, quit the browser cleanly, start it again on the
/// same profile, and see whether `/echo` gets the cookie. The tab is left
/// on `/echo`, so a restored session reopens a page that sets nothing.
async fn session_cookie_after_restart(engine: Engine, restore: bool) -> Finding {
    let fixture = Fixture::start();
    let profile = Profile::new();
    let options = if restore { Options::new().restore_session() } else { Options::new() };
    let browser = Browser::launch_with(engine, &profile, &options).await;
    browser.goto(&fixture.set_url("127.0.0.1", "s=1")).await.unwrap();
    if !sends(&browser, &fixture, "s").await {
        browser.close().await;
        return "never stored".into();
    }
    browser.close().await;
    let browser = Browser::launch_with(engine, &profile, &options).await;
    let sent = sends(&browser, &fixture, "s").await;
    browser.close().await;
    if sent { "kept" } else { "dropped" }.into()
}

/// `Max-Age=3600` and an `Expires` `offset` from now: which one the
/// browser's expiry follows.
async fn max_age_against_expires(engine: Engine, offset: time::Duration) -> Finding {
    let hour = time::Duration::hours(1);
    let expires = OffsetDateTime::now_utc() + offset;
    let set_cookie = Cookie::build(("m", "1")).max_age(hour).expires(expires).build();
    let lifetime = lifetime_of(engine, "m", &set_cookie.to_string()).await;
    if lifetime == format!("expires in {}", in_words(hour)) {
        format!("Max-Age wins: {lifetime}")
    } else if lifetime == format!("expires in {}", in_words(offset))
        || (offset.is_negative() && lifetime == "dropped")
    {
        format!("Expires wins: {lifetime}")
    } else {
        lifetime
    }
}

/// `Max-Age` of 500 days: kept for that long, or capped?
async fn max_age_of_500_days(engine: Engine) -> Finding {
    let asked = time::Duration::days(500);
    let set_cookie = Cookie::build(("long", "1")).max_age(asked).build();
    let lifetime = lifetime_of(engine, "long", &set_cookie.to_string()).await;
    match lifetime.strip_prefix("expires in ") {
        Some(words) if words == in_words(asked) => format!("not capped: {lifetime}"),
        Some(_) => format!("capped: {lifetime}"),
        None => lifetime,
    }
}

/// A cookie whose name and value together are `bytes` long: `big=xxx…`.
/// Did the browser keep it whole, keep it cut short, or drop it?
async fn name_and_value_of(engine: Engine, bytes: usize) -> Finding {
    let name = "big";
    let value = "x".repeat(bytes - name.len());
    let fixture = Fixture::start();
    let browser = Browser::fresh(engine).await;
    browser.goto(&fixture.set_url("127.0.0.1", &format!("{name}={value}"))).await.unwrap();
    let stored_value = stored(&browser, name).await.map(|cookie| cookie.value().to_owned());
    browser.close().await;
    match stored_value {
        Some(stored) if stored == value => "kept",
        Some(_) => "cut short",
        None => "dropped",
    }
    .into()
}

/// An unmarked cookie (`u=1`, no `SameSite`) set by `127.0.0.1:Q`, then,
/// `after` later, a page of `localhost:P` (another site) that posts a form
/// to `127.0.0.1:Q/echo`: was the cookie sent with the POST?
async fn cross_site_post(engine: Engine, after: Duration) -> Finding {
    let target = Fixture::start();
    let stranger = Fixture::start();
    let browser = Browser::fresh(engine).await;
    browser.goto(&target.set_url("127.0.0.1", "u=1")).await.unwrap();
    let set_at = Instant::now();
    if stored(&browser, "u").await.is_none() {
        browser.close().await;
        return "never stored".into();
    }
    tokio::time::sleep(after.saturating_sub(set_at.elapsed())).await;
    let echo = format!("{}/echo", target.origin("127.0.0.1"));
    browser.goto(&stranger.post_url("localhost", &echo)).await.unwrap();
    let body = wait_for_page(&browser, &echo).await;
    browser.close().await;
    if cookie_names(&body).contains(&"u") { "sent" } else { "not sent" }.into()
}

/// `__Host-h=1; Secure; Path=/` from `http://{host}:P`.
async fn host_cookie_over_http(engine: Engine, host: &str) -> Finding {
    let fixture = Fixture::start();
    let options = Options::new().resolve_to_loopback(NOT_LOCAL);
    let browser = Browser::fresh_with(engine, &options).await;
    browser.goto(&fixture.set_url(host, "__Host-h=1; Secure; Path=/")).await.unwrap();
    let kept = stored(&browser, "__Host-h").await.is_some();
    browser.close().await;
    if kept { "kept" } else { "dropped" }.into()
}

/// `p=1` set by `127.0.0.1:A`; then a request to `127.0.0.1:B/echo`.
async fn cookie_of_one_port_on_another(engine: Engine) -> Finding {
    let (a, b) = (Fixture::start(), Fixture::start());
    let browser = Browser::fresh(engine).await;
    browser.goto(&a.set_url("127.0.0.1", "p=1")).await.unwrap();
    let sent = sends(&browser, &b, "p").await;
    browser.close().await;
    if sent { "sent" } else { "not sent" }.into()
}

// ---------------------------------------------------------------- reading the browser

/// Loads `fixture`'s `/echo` on 127.0.0.1: did the request carry `name`?
async fn sends(browser: &Browser, fixture: &Fixture, name: &str) -> bool {
    browser.goto(&format!("{}/echo", fixture.origin("127.0.0.1"))).await.unwrap();
    let body = body_text(browser).await;
    cookie_names(&body).contains(&name)
}

/// The names in `/echo`'s answer, a `Cookie` header.
fn cookie_names(echo: &str) -> Vec<&str> {
    if echo.trim() == NO_COOKIE {
        return Vec::new();
    }
    echo.split(';').filter_map(|pair| pair.split('=').next()).map(str::trim).collect()
}

async fn body_text(browser: &Browser) -> String {
    let body = browser.find(fantoccini::Locator::Css("body")).await.unwrap();
    body.text().await.unwrap()
}

/// The cookie `name` as WebDriver reports it for the current page.
async fn stored(browser: &Browser, name: &str) -> Option<Cookie<'static>> {
    let cookies = browser.get_all_cookies().await.unwrap();
    cookies.into_iter().find(|cookie| cookie.name() == name)
}

/// Waits until the browser is on `url` and the page has loaded; its text.
async fn wait_for_page(browser: &Browser, url: &str) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        let current = browser.current_url().await.unwrap();
        if current.as_str() == url {
            let complete = browser.execute("return document.readyState", vec![]).await.unwrap();
            if complete == "complete" {
                return body_text(browser).await;
            }
        }
        assert!(Instant::now() < deadline, "still on {current} after {WAIT:?}, not on {url}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Sets `set_cookie` from 127.0.0.1 and says how long the browser keeps
/// `name`: "dropped", "a session cookie", "expires in 400 days".
async fn lifetime_of(engine: Engine, name: &str, set_cookie: &str) -> Finding {
    let fixture = Fixture::start();
    let browser = Browser::fresh(engine).await;
    browser.goto(&fixture.set_url("127.0.0.1", set_cookie)).await.unwrap();
    let cookie = stored(&browser, name).await;
    browser.close().await;
    match cookie.map(|cookie| cookie.expires_datetime()) {
        None => "dropped".into(),
        Some(None) => "a session cookie".into(),
        Some(Some(at)) => format!("expires in {}", in_words(at - OffsetDateTime::now_utc())),
    }
}

/// A lifetime in whole hours up to two days, in whole days beyond:
/// "1 hour", "10 days". A probe's own seconds round away.
pub fn in_words(lifetime: time::Duration) -> String {
    let plural = |n: i64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    let seconds = lifetime.whole_seconds();
    if seconds.abs() < 2 * 86_400 {
        plural((seconds as f64 / 3600.0).round() as i64, "hour")
    } else {
        plural((seconds as f64 / 86_400.0).round() as i64, "day")
    }
}

// ---------------------------------------------------------------- the book's page

/// Where the book keeps the page: written by `browser_facts --write` from
/// real runs, and checked by `tests/what_browsers_do.rs` against what its
/// tests assert (`the_books_table_is_what_these_tests_assert`).
pub fn page_path() -> PathBuf {
    launcher::cargo::workspace_root().join("book/src/generated/what-browsers-do.md")
}

/// The table: one row per [`Row`], one column per engine, each cell what
/// `cell` says of that row in that engine.
pub fn table(mut cell: impl FnMut(Row, Engine) -> String) -> String {
    let mut text =
        String::from("| the cookie | test | Chromium | Firefox |\n| --- | --- | --- | --- |\n");
    for row in Row::ALL {
        let [chromium, firefox] = Engine::ALL.map(|engine| cell(row, engine));
        text += &format!("| {} | `{}` | {chromium} | {firefox} |\n", row.label(), row.test_name());
    }
    text
}

/// The whole generated page: which browsers the cells were recorded with
/// (`versions`, as [`Engine::version`] gives them, in [`Engine::ALL`]
/// order), then the table.
pub fn page(versions: &[String], table: &str) -> String {
    format!(
        "Recorded with {} (`cargo run -p browser-tests --bin browser_facts -- --write`). \
         Each cell is what the browser did in that run; `cargo test -p browser-tests --test \
         what_browsers_do` asserts every cell again, in the browsers installed, on each run.\n\n\
         {table}",
        versions.join(" and ")
    )
}

/// The table of a page [`page`] wrote: from its first table line on.
pub fn recorded_table(page: &str) -> &str {
    page.find("\n| ").map_or("", |start| &page[start + 1..])
}
