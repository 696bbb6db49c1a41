//! What a user does on the chapters' pages, and what the tests read off
//! them. The ids and classes come from `shared-templates/`.

use std::time::Duration;

use cookie::Cookie;
use fantoccini::{Client, Locator};

use crate::ChapterServer;

const WAIT: Duration = Duration::from_secs(10);

/// Signs `name` in through the login form: type the username, click
/// Sign In, wait for the greeting.
pub async fn sign_in(client: &Client, server: &ChapterServer, name: &str) {
    client.goto(&server.url("/login")).await.unwrap();
    client.find(Locator::Id("username")).await.unwrap().send_keys(name).await.unwrap();
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
/// reports it (HttpOnly cookies included), for the current page's host.
pub async fn session_cookie(client: &Client, server: &ChapterServer) -> Option<Cookie<'static>> {
    let cookies = client.get_all_cookies().await.unwrap();
    cookies.into_iter().find(|c| c.name() == server.chapter.cookie_name)
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
