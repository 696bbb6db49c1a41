//! What else a session carries, in chapter 2 (its records are files, so
//! the transcripts can show them): the one-time message after sign-in, the
//! CSRF token in the page's forms and in the record, the forms refused
//! without it or from another origin, and the notice after sign-out,
//! which lives in a cookie of its own because no session is left.

use std::io;

use crate::browser::Browser;
use crate::launch::{records_of, show_as_the_chapter, Setup};
use crate::normalise::Normaliser;
use crate::page::Excerpt;
use crate::scenario::{cookie_name, sign_in, Text, Transcript};

const CHAPTER: u8 = 2;

/// The stranger's two sites (`cargo run -p stranger`): another site, and
/// another port of the chapters' own host.
const ANOTHER_SITE: &str = "http://localhost:8666";
const SAME_SITE: &str = "http://127.0.0.1:8667";

/// Plays the steps and returns the transcripts, named below
/// `what-else/`.
pub fn play(setup: &Setup) -> io::Result<Vec<Transcript>> {
    let launch = setup.launch(CHAPTER, "sessions-2.what-else")?;
    let mut n = Normaliser::default();
    show_as_the_chapter(&mut n, &launch);
    let mut store = records_of(&launch)?;
    let mut out = Vec::new();
    let _server = launch.start()?;
    let mut browser = Browser::new(launch.listen_port());

    // 1. The sign-in leaves a message in the session; the next page shows
    // it and the record forgets it; a reload shows nothing.
    let mut text = Text::new(&mut n);
    let signed_in = sign_in(&mut browser, None);
    let name = cookie_name(&signed_in);
    text.exchange(&signed_in, None);
    text.store(&mut store, true);
    text.exchange(&browser.get("/home"), Some(Excerpt::Short));
    text.store(&mut store, true);
    text.note("a reload");
    text.exchange(&browser.get("/home"), Some(Excerpt::Short));
    out.push(("01-sign-in-message.txt", text.finish()));

    // 2. The forms of a signed-in page carry the session's token.
    let mut text = Text::new(&mut n);
    text.exchange(&browser.get("/home"), Some(Excerpt::Forms));
    out.push(("02-forms-carry-the-token.txt", text.finish()));

    // 3. The theme form, with the token, as the page sends it.
    let mut text = Text::new(&mut n);
    text.exchange(&browser.submit("/theme", &[("next", "/home")]), None);
    text.exchange(&browser.get("/home"), Some(Excerpt::Short));
    out.push(("03-theme-with-the-token.txt", text.finish()));

    // 4. The same form without the token, as a script would send it.
    let mut text = Text::new(&mut n);
    text.exchange(&browser.post("/theme", &[("next", "/home")]), Some(Excerpt::Short));
    text.store(&mut store, true);
    out.push(("04-theme-without-the-token.txt", text.finish()));

    // 5. Forms another origin sent: the browser says so in `Origin`.
    let mut text = Text::new(&mut n);
    let token = browser.page_token().expect("the page's token").to_owned();
    text.note(&format!("the theme form, with the right token, posted by a page on {SAME_SITE}"));
    let theme = [("next", "/home"), ("csrf_token", token.as_str())];
    let from_same_site = browser.post_with_header("/theme", &theme, ("Origin", SAME_SITE));
    text.exchange(&from_same_site, Some(Excerpt::Short));
    text.header(&[
        &format!("the sign-in form, for mallory, posted by a page on {ANOTHER_SITE}:"),
        "from another site, SameSite=Lax keeps the session cookie off the request",
    ]);
    let mallory = [("username", "mallory"), ("password", "x")];
    let mut cross_site = Browser::new(launch.listen_port());
    let from_another_site =
        cross_site.post_with_header("/login", &mallory, ("Origin", ANOTHER_SITE));
    text.exchange(&from_another_site, Some(Excerpt::Short));
    text.store(&mut store, true);
    out.push(("05-forms-from-another-origin.txt", text.finish()));

    // 6. Sign-out: no session is left to carry a message, so a notice
    // cookie does, and the next page removes it.
    let mut text = Text::new(&mut n);
    text.exchange(&browser.submit("/logout", &[]), None);
    text.exchange(&browser.get("/logout"), Some(Excerpt::Short));
    text.note("a reload");
    text.exchange(&browser.get("/logout"), Some(Excerpt::Short));
    text.store(&mut store, false);
    assert!(browser.cookie(&name).is_none(), "signed out");
    out.push(("06-sign-out-notice.txt", text.finish()));

    Ok(out.into_iter().map(|(name, text)| (format!("what-else/{name}"), text)).collect())
}
