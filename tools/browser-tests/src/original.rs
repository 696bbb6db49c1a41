//! The stranger's attacks on the Flask original (`original/`, started by
//! `launcher::original`): the tutorial's app, run beside the chapter of
//! the same number, which `tests/stranger.rs` attacks with the same pages
//! and the same browser to show that what the chapters refuse works there.
//!
//! The original's pages are the tutorial's: its sign-in form has a
//! `username` field and an unnamed Submit button, its navbar greets a
//! signed-in user with `<p>Welcome NAME!</p>`, and it has no theme to
//! change. So the victim signs in and the outcome is read here, and the
//! rest (the attack pages, how a run waits) is `stranger`'s.

use std::time::Duration;

use fantoccini::{Client, Locator};
use launcher::original::Original;

use crate::stranger::{self, Attack, AttackRun, Outcome, Stranger, StrangerSite, VICTIM};

const WAIT: Duration = Duration::from_secs(20);

/// Starts section `section` of the original on a free port.
pub fn start(section: u8) -> Original {
    Original::start(section).unwrap_or_else(|e| panic!("the original's section {section}: {e}"))
}

/// Runs `attack` from `site` against the original, with [`VICTIM`] freshly
/// signed in, and reads its `/home` afterwards. The original logs nothing
/// of the cookies it receives: `cookie_sent` is `None`.
pub async fn attack(
    client: &Client,
    original: &Original,
    stranger: &Stranger,
    site: StrangerSite,
    attack: Attack,
) -> AttackRun {
    sign_in_afresh(client, original).await;
    let who = format!("the original's section {}", original.section());
    let landed_status =
        stranger::open_at(client, stranger, site, attack, &original.url(""), &who).await;
    client.goto(&original.url("/home")).await.unwrap();
    let outcome = match greeting(client).await {
        None => Outcome::SignedOut,
        Some(name) if name == VICTIM => Outcome::Unchanged,
        Some(name) => Outcome::SignedInAs(name),
    };
    AttackRun { outcome, landed_status, cookie_sent: None }
}

/// Deletes the browser's cookies for 127.0.0.1 and signs [`VICTIM`] in
/// through the tutorial's form.
async fn sign_in_afresh(client: &Client, original: &Original) {
    client.goto(&original.url("/products")).await.unwrap();
    client.delete_all_cookies().await.unwrap();
    client.goto(&original.url("/login")).await.unwrap();
    client.find(Locator::Id("username")).await.unwrap().send_keys(VICTIM).await.unwrap();
    client.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
    let deadline = tokio::time::Instant::now() + WAIT;
    while greeting(client).await.as_deref() != Some(VICTIM) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the original's section {}: no greeting after signing {VICTIM} in",
            original.section()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The name in the navbar's `Welcome NAME!`, if the page has one.
async fn greeting(client: &Client) -> Option<String> {
    for element in client.find_all(Locator::Css(".navbar p")).await.ok()? {
        let text = element.text().await.ok()?;
        if let Some(name) = text.strip_prefix("Welcome ").and_then(|t| t.strip_suffix('!')) {
            return Some(name.to_owned());
        }
    }
    None
}
