//! What a user does on the chapters' pages, and what the tests read off
//! them. The ids and classes come from `shared-templates/`.

use std::time::{Duration, Instant};

use cookie::Cookie;
use fantoccini::{Client, Locator};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::ChapterServer;

/// How long a page may take to show what a test waits for: milliseconds on
/// a quiet machine, seconds with six browsers on two busy cores.
const WAIT: Duration = Duration::from_secs(30);

/// Signs `name` in through the login form: type the username, click
/// Sign In, wait for the greeting. Where the form offers "Keep me signed
/// in" (chapter 6), it is left as it comes, unticked (checked here): the
/// cookie is then a browser-session one.
pub async fn sign_in(client: &Client, server: &ChapterServer, name: &str) {
    sign_in_choosing(client, server, name, false).await
}

/// Signs `name` in with "Keep me signed in" ticked: a persistent cookie.
/// Only the chapter that offers the choice (chapter 6) has the box.
pub async fn sign_in_remembered(client: &Client, server: &ChapterServer, name: &str) {
    sign_in_choosing(client, server, name, true).await
}

async fn sign_in_choosing(client: &Client, server: &ChapterServer, name: &str, remember: bool) {
    let number = server.chapter.number;
    client.goto(&server.url("/login")).await.unwrap();
    client.find(Locator::Id("username")).await.unwrap().send_keys(name).await.unwrap();
    let boxes = client.find_all(Locator::Id("remember")).await.unwrap();
    if server.chapter.cookie_expiry().is_chosen_at_sign_in() {
        let [checkbox] = boxes.as_slice() else {
            panic!("chapter {number}: {} \"Keep me signed in\" boxes, not one", boxes.len())
        };
        assert!(
            !checkbox.is_selected().await.unwrap(),
            "chapter {number}: \"Keep me signed in\" must start unticked"
        );
        if remember {
            checkbox.click().await.unwrap();
            assert!(
                checkbox.is_selected().await.unwrap(),
                "chapter {number}: the box did not tick"
            );
        }
    } else {
        assert!(
            boxes.is_empty(),
            "chapter {number} offers no \"Keep me signed in\", yet has the box"
        );
        assert!(!remember, "chapter {number} offers no \"Keep me signed in\" to tick");
    }
    client.find(Locator::Id("sign-in")).await.unwrap().click().await.unwrap();
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(".welcome"))
        .await
        .unwrap_or_else(|e| panic!("no greeting after signing {name} in: {e}"));
}

/// The navbar's greeting ("Welcome NAME!"), if the page has one.
pub async fn greeting(client: &Client) -> Option<String> {
    let found = client.find_all(Locator::Css(".welcome")).await.unwrap();
    match found.first() {
        Some(element) => Some(element.text().await.unwrap()),
        None => None,
    }
}

/// Where the browser ended up after asking for a page.
#[derive(Debug, PartialEq, Eq)]
pub enum Visit {
    /// The page was shown, with this greeting.
    SignedIn(String),
    /// The server sent the browser to the login page.
    SentToLogin,
}

/// Loads `/about`, the page only a signed-in user may see.
pub async fn visit_about(client: &Client, server: &ChapterServer) -> Visit {
    client.goto(&server.url("/about")).await.unwrap();
    let url = client.current_url().await.unwrap();
    match url.path() {
        "/login" => Visit::SentToLogin,
        "/about" => Visit::SignedIn(greeting(client).await.expect("a greeting on /about")),
        other => panic!("/about led to {other}"),
    }
}

/// The chapter's session cookie as the browser stores it, as WebDriver
/// reports it (HttpOnly cookies included), for the current page's host;
/// `None` once it has expired. Firefox may keep an expired cookie in its
/// store until it next cleans up, and WebDriver then reports it with its
/// past expiry (seen in `idle_expiry`); Chromium reported none. A cookie past its expiry is never sent
/// (RFC 6265bis's retrieval model), so for a test it is gone. WebDriver
/// gives the expiry in whole seconds: a cookie counts as gone a second
/// after the one it names.
pub async fn session_cookie(client: &Client, server: &ChapterServer) -> Option<Cookie<'static>> {
    live_cookie(client, server.chapter.cookie_name()).await
}

/// The cookie named `name` for the current page's host, by the rule of
/// [`session_cookie`]; `None` once it has expired.
pub async fn live_cookie(client: &Client, name: &str) -> Option<Cookie<'static>> {
    let cookies = client.get_all_cookies().await.unwrap();
    let now = OffsetDateTime::now_utc();
    cookies.into_iter().find(|c| {
        c.name() == name
            && c.expires_datetime().is_none_or(|expires| expires + time::Duration::SECOND > now)
    })
}

/// Whether the browser has let go of the cookie named `name` after the
/// server removed it (`Max-Age=0`): `None` when it has, else the cookie it
/// still holds. Firefox may keep a removed cookie for a moment with an
/// expiry of "now" (seen once over TLS, chapter 4), which WebDriver's whole
/// seconds leave counted as live until the next second (see
/// [`session_cookie`]): so this asks again for up to two seconds.
pub async fn held_after_removal(client: &Client, name: &str) -> Option<Cookie<'static>> {
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let held = live_cookie(client, name).await;
        if held.is_none() || Instant::now() >= deadline {
            return held;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// One of the session panel's deadlines, as the page was served: the idle
/// one or the absolute one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineKind {
    Idle,
    Absolute,
}

impl DeadlineKind {
    fn id(self) -> &'static str {
        match self {
            DeadlineKind::Idle => "session-idle-deadline",
            DeadlineKind::Absolute => "session-absolute-deadline",
        }
    }
}

/// What the panel says of a deadline: what the server wrote, and what the
/// countdown script shows now.
#[derive(Debug, Clone)]
pub struct PanelDeadline {
    /// `data-seconds-left`, as the server wrote it.
    pub seconds_left: i64,
    /// The `<time datetime>`, whole seconds (the deadline itself is up to
    /// a second later).
    pub at: OffsetDateTime,
    /// The countdown's words now (`in 1 minute 2 seconds`), and the seconds
    /// they say; `None` once it reads "now: …".
    pub countdown: String,
    pub countdown_seconds: Option<i64>,
}

/// The panel's `kind` deadline on the current page (a signed-in one).
pub async fn deadline(client: &Client, kind: DeadlineKind) -> PanelDeadline {
    let item = client
        .find(Locator::Id(kind.id()))
        .await
        .unwrap_or_else(|e| panic!("no #{} in the session panel: {e}", kind.id()));
    let seconds_left = item.attr("data-seconds-left").await.unwrap().expect("data-seconds-left");
    let datetime = item
        .find(Locator::Css("time"))
        .await
        .unwrap()
        .attr("datetime")
        .await
        .unwrap()
        .expect("<time datetime>");
    let countdown = item.find(Locator::Css(".countdown")).await.unwrap().text().await.unwrap();
    PanelDeadline {
        seconds_left: seconds_left.parse().expect("data-seconds-left is whole seconds"),
        at: OffsetDateTime::parse(&datetime, &Rfc3339)
            .unwrap_or_else(|e| panic!("<time datetime=\"{datetime}\">: {e}")),
        countdown_seconds: countdown_seconds(&countdown),
        countdown,
    }
}

/// The seconds of a countdown's words: `in 1 day 2 hours 3 minutes 1
/// second` is 93 781; `None` for anything else.
pub fn countdown_seconds(words: &str) -> Option<i64> {
    let words: Vec<&str> = words.strip_prefix("in ")?.split(' ').collect();
    let mut total = 0;
    for pair in words.chunks(2) {
        let [n, unit] = pair else { return None };
        let n: i64 = n.parse().ok()?;
        total += n * match unit.trim_end_matches('s') {
            "day" => 86_400,
            "hour" => 3_600,
            "minute" => 60,
            "second" => 1,
            _ => return None,
        };
    }
    Some(total)
}

/// Is the panel's "Less than a minute left" warning showing?
pub async fn ending_soon_shown(client: &Client) -> bool {
    let warning = client.find(Locator::Id("session-ending-soon")).await.unwrap();
    warning.is_displayed().await.unwrap()
}

/// The page's theme: the class of its `<body>`, `light` or `dark`.
pub async fn theme(client: &Client) -> String {
    let body = client.find(Locator::Css("body")).await.unwrap();
    body.attr("class").await.unwrap().unwrap_or_default()
}

/// Clicks the navbar's theme button (a small POST form) and waits for the
/// page to come back in the other theme.
pub async fn toggle_theme(client: &Client) {
    let other = match theme(client).await.as_str() {
        "dark" => "light",
        _ => "dark",
    };
    client.find(Locator::Id("theme-toggle")).await.unwrap().click().await.unwrap();
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(&format!("body.{other}")))
        .await
        .unwrap_or_else(|e| panic!("no {other} page after the theme toggle: {e}"));
}

/// Clicks the navbar's Log Out button (a small POST form).
pub async fn log_out_from_navbar(client: &Client) {
    let button = client.find(Locator::Css("nav form[action='/logout'] button")).await.unwrap();
    button.click().await.unwrap();
    wait_for_signed_out_page(client).await;
}

/// Opens the GET /logout page and clicks its Log Out button.
pub async fn log_out_from_logout_page(client: &Client, server: &ChapterServer) {
    client.goto(&server.url("/logout")).await.unwrap();
    client.find(Locator::Id("log-out")).await.unwrap().click().await.unwrap();
    wait_for_signed_out_page(client).await;
}

async fn wait_for_signed_out_page(client: &Client) {
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Id("signed-out"))
        .await
        .unwrap_or_else(|e| panic!("no 'Signed Out' page after logging out: {e}"));
}

#[cfg(test)]
mod tests {
    use super::countdown_seconds;

    #[test]
    fn countdown_words_read_as_seconds() {
        assert_eq!(countdown_seconds("in 1 minute 2 seconds"), Some(62));
        assert_eq!(countdown_seconds("in 29 days 23 hours 59 minutes 59 seconds"), Some(2_591_999));
        assert_eq!(countdown_seconds("in 1 day 1 second"), Some(86_401));
        assert_eq!(countdown_seconds("now: the server refuses the session from here on"), None);
        assert_eq!(countdown_seconds("in 3 fortnights"), None);
    }
}
