//! Chapter 6's "Keep me signed in": two browsers sign in as Ada, one with
//! the box unticked (A), one with it ticked (B), and the transcripts show
//! what each choice sets, what a later page re-sends, what survives closing
//! the browser, and that the server's idle limit applies either way.

use std::io;
use std::time::Duration;

use crate::browser::{Browser, Exchange};
use crate::launch::{records_of, show_as_the_chapter, Setup};
use crate::normalise::Normaliser;
use crate::page::Excerpt;
use crate::scenario::{cookie_name, Text, Transcript, SHORT_LIFETIME};

const CHAPTER: u8 = 6;
const UNTICKED: &str = "browser A: \"Keep me signed in\" left unticked";
const TICKED: &str = "browser B: \"Keep me signed in\" ticked";

/// Signs in as Ada, ticking the box or not, as the form sends it: the box
/// sends `remember=on` when ticked, and nothing when not.
fn sign_in(browser: &mut Browser, remember: bool) -> Exchange {
    let mut form = vec![("username", "ada"), ("password", "secret")];
    if remember {
        form.push(("remember", "on"));
    }
    browser.post("/login", &form)
}

/// The chapter's idle limit, `session_lifetime`, as the record files show it.
fn idle_limit() -> Duration {
    let seconds = launcher::chapter(CHAPTER).default_session_lifetime().whole_seconds();
    Duration::from_secs(seconds.try_into().expect("a positive idle limit"))
}

/// Plays the steps and returns the transcripts, named below `chapter-6/`.
pub fn play(setup: &Setup) -> io::Result<Vec<Transcript>> {
    let chapter = launcher::chapter(CHAPTER);
    let folder = launcher::package(&chapter);
    let launch = setup.launch(CHAPTER, "sessions-6.remember")?;
    let mut n = Normaliser::default();
    show_as_the_chapter(&mut n, &launch);
    let mut store = records_of(&launch)?;
    let mut out = Vec::new();
    let server = launch.start()?;
    let mut a = Browser::new(launch.listen_port());
    let mut b = Browser::new(launch.listen_port());

    // 11. Unticked: a browser-session cookie; the choice is in the record.
    let mut text = Text::new(&mut n);
    let signed_in = sign_in(&mut a, false);
    let name = cookie_name(&signed_in);
    text.exchange_on(UNTICKED, &signed_in, None);
    text.store(&mut store, true);
    let first = store.names()?.pop().expect("A's record");
    text.file_time(&first, idle_limit());
    out.push(("11-sign-in-unticked.txt", text.finish()));

    // 12. Ticked: a persistent cookie with Max-Age `remember_lifetime`.
    let mut text = Text::new(&mut n);
    text.exchange_on(TICKED, &sign_in(&mut b, true), None);
    let second = store.names()?.into_iter().find(|r| *r != first).expect("B's record");
    text.store(&mut store, false);
    text.record(&mut store, &second);
    text.file_time(&second, idle_limit());
    out.push(("12-sign-in-ticked.txt", text.finish()));

    // 13. A page later: B's cookie is sent again with a fresh Max-Age, A's
    // is not sent again at all.
    let mut text = Text::new(&mut n);
    text.exchange_on(TICKED, &b.get("/about"), Some(Excerpt::Full));
    text.exchange_on(UNTICKED, &a.get("/about"), None);
    out.push(("13-a-page-later.txt", text.finish()));

    // 14. Both browsers closed and opened again.
    let mut text = Text::new(&mut n);
    text.note("both browsers were closed and opened again");
    a.restart();
    b.restart();
    text.exchange_on(UNTICKED, &a.get("/about"), None);
    text.exchange_on(TICKED, &b.get("/about"), Some(Excerpt::Short));
    text.store(&mut store, false);
    out.push(("14-browser-restart.txt", text.finish()));
    server.stop();

    // 15. Ticked, then idle past a short idle limit: the browser still has
    // the cookie, and the server refuses it.
    let idle = setup
        .launch(CHAPTER, "sessions-6.remember-idle")?
        .session_lifetime(Duration::from_secs(SHORT_LIFETIME));
    show_as_the_chapter(&mut n, &idle);
    let mut idle_store = records_of(&idle)?;
    let _server = idle.start()?;
    let mut b = Browser::new(idle.listen_port());
    let mut text = Text::new(&mut n);
    text.note(&format!("the server runs with ROCKET_SESSION_LIFETIME={SHORT_LIFETIME}"));
    text.exchange_on(TICKED, &sign_in(&mut b, true), None);
    let wait = SHORT_LIFETIME + 1;
    text.note(&format!("{wait} seconds without a request"));
    std::thread::sleep(Duration::from_secs(wait));
    let refused = b.get("/about");
    assert!(refused.cookie.is_some(), "the browser keeps a remembered {name}");
    text.exchange_on(TICKED, &refused, None);
    text.store(&mut idle_store, false);
    out.push(("15-remembered-idle.txt", text.finish()));

    Ok(out.into_iter().map(|(file, content)| (format!("{folder}/{file}"), content)).collect())
}
