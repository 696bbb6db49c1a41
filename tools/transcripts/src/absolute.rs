//! Chapter 3's absolute limit, run with short lifetimes: a busy session
//! whose absolute deadline comes before its idle one, so that every cookie
//! the server sends has a `Max-Age` of the time left, until the server
//! refuses the session at the deadline however recent its last request.

use std::io;
use std::time::Duration;

use cookie::time::OffsetDateTime;
use cookie::Cookie;

use crate::browser::{Browser, Exchange};
use crate::launch::{records_of, show_as_the_chapter, Setup};
use crate::normalise::Normaliser;
use crate::scenario::{cookie_name, sign_in, Text, Transcript};

const CHAPTER: u8 = 3;
/// `session_lifetime` and `session_absolute_lifetime`, in seconds.
const IDLE: u64 = 6;
const ABSOLUTE: u64 = 10;

/// The requests after sign-in: when each is sent, in milliseconds after
/// the sign-in was, and the `Max-Age` its response gives the cookie. The
/// times fall half a second inside a whole second of what is left before
/// the absolute deadline, so the `Max-Age`, rounded down, is the same on
/// every run unless a request takes half a second to arrive.
const PAGES: [(u64, i64); 2] = [(5_500, 4), (8_500, 1)];
/// Past the absolute deadline: the session is refused.
const LATE: u64 = 10_500;

fn max_age(exchange: &Exchange) -> Option<i64> {
    let raw = exchange.set_cookies.first()?;
    Cookie::parse(raw.to_owned()).ok()?.max_age().map(|d| d.whole_seconds())
}

/// The cookie value a response sets.
fn value(exchange: &Exchange) -> String {
    let raw = exchange.set_cookies.first().expect("a signed-in response sets the cookie");
    Cookie::parse(raw.to_owned()).expect("a valid Set-Cookie").value().to_owned()
}

fn sleep_until(start: OffsetDateTime, millis: u64) {
    let at = start + Duration::from_millis(millis);
    let left = at - OffsetDateTime::now_utc();
    if left.is_positive() {
        std::thread::sleep(left.try_into().expect("a positive wait"));
    }
}

/// Plays the steps and returns the transcript, `chapter-3/11-absolute-limit.txt`.
pub fn play(setup: &Setup) -> io::Result<Vec<Transcript>> {
    let chapter = launcher::chapter(CHAPTER);
    let launch = setup
        .launch(CHAPTER, "sessions-3.absolute")?
        .session_lifetime(Duration::from_secs(IDLE))
        .rocket("session_absolute_lifetime", ABSOLUTE.to_string());
    let mut n = Normaliser::default();
    show_as_the_chapter(&mut n, &launch);
    let mut store = records_of(&launch)?;
    let _server = launch.start()?;
    let mut browser = Browser::new(launch.listen_port());
    let mut text = Text::new(&mut n);
    text.header(&[
        &format!("the server runs with ROCKET_SESSION_LIFETIME={IDLE}"),
        &format!("and ROCKET_SESSION_ABSOLUTE_LIFETIME={ABSOLUTE}"),
    ]);

    let signed_in = sign_in(&mut browser, None);
    let start = signed_in.sent_at;
    let name = cookie_name(&signed_in);
    assert_eq!(max_age(&signed_in), Some(IDLE as i64), "the idle deadline is sooner at sign-in");
    text.exchange(&signed_in, None);
    let mut last = value(&signed_in);
    for (at, expected) in PAGES {
        sleep_until(start, at);
        text.note(&format!("{:.1} seconds after sign-in", at as f64 / 1000.0));
        let page = browser.get("/about");
        assert_eq!(page.status, 200, "still signed in {at} ms after sign-in");
        assert_eq!(
            max_age(&page),
            Some(expected),
            "{at} ms after sign-in the cookie should have {expected} s left: \
             was a request delayed by half a second?"
        );
        last = value(&page);
        text.exchange(&page, None);
    }

    sleep_until(start, LATE);
    let since_last = (LATE - PAGES[PAGES.len() - 1].0) as f64 / 1000.0;
    text.note(&format!(
        "{:.1} seconds after sign-in, {since_last} after the last request",
        LATE as f64 / 1000.0,
    ));
    let by_browser = browser.get("/about");
    text.exchange(&by_browser, None);
    if by_browser.cookie.is_none() {
        text.note("the browser dropped the cookie; a copy of it is sent anyway");
        let mut thief = Browser::with_copy_of(launch.listen_port(), &name, &last);
        text.exchange(&thief.get("/about"), None);
    }
    text.store(&mut store, false);
    Ok(vec![(format!("{}/11-absolute-limit.txt", launcher::package(&chapter)), text.finish())])
}
