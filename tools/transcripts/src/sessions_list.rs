//! A user's sessions (`every-device/`): three browsers sign in as ada on
//! chapter 2, `/sessions` lists them, "Sign out everywhere else" leaves
//! one; the index on disk beside the records; the same index as a Redis
//! set in chapter 5; and chapter 1, which has no list to show.

use std::io;

use launcher::Launch;
use tutorial::store::file::INDEX_FOLDER;

use crate::browser::Browser;
use crate::launch::{records_of, show_as_the_chapter, Setup};
use crate::normalise::Normaliser;
use crate::page::Excerpt;
use crate::scenario::{sign_in, Text, Transcript};

const FOLDER: &str = "every-device";

/// The browsers of the three sign-ins, as they name themselves.
const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const CHROME: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 \
                      (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const CURL: &str = "curl/8.5.0";

pub fn play(setup: &Setup) -> io::Result<Vec<Transcript>> {
    let mut out = files(setup)?;
    out.extend(redis(setup)?);
    out.extend(sealed(setup)?);
    Ok(out.into_iter().map(|(name, text)| (format!("{FOLDER}/{name}"), text)).collect())
}

/// The three browsers, signed in one after the other.
fn three_browsers(text: &mut Text, launch: &Launch) -> [Browser; 3] {
    let port = launch.listen_port();
    let mut browsers = [FIREFOX, CHROME, CURL].map(|ua| Browser::with_user_agent(port, ua));
    for browser in &mut browsers {
        text.exchange(&sign_in(browser, None), None);
        browser.get("/home");
    }
    browsers
}

/// `find` of ada's folder of the index: one empty marker per session.
fn index_on_disk(text: &mut Text, launch: &Launch) {
    let chapter = crate::launch::chapter_of(launch);
    let folder = launch.records_dir().join(chapter.store_folder()).join(INDEX_FOLDER);
    text.line(&format!("$ find {} -type f", folder.display()));
    let mut markers: Vec<String> = Vec::new();
    for user in std::fs::read_dir(&folder).expect("the index folder") {
        for marker in std::fs::read_dir(user.expect("a user folder").path()).expect("markers") {
            let marker = marker.expect("a marker").path();
            assert_eq!(std::fs::metadata(&marker).expect("a marker").len(), 0, "empty");
            markers.push(marker.display().to_string());
        }
    }
    text.sorted_lines(markers);
}

fn files(setup: &Setup) -> io::Result<Vec<Transcript>> {
    let launch = setup.launch(2, "sessions-2.every-device")?;
    let mut n = Normaliser::default();
    show_as_the_chapter(&mut n, &launch);
    let mut store = records_of(&launch)?;
    let mut out = Vec::new();
    let _server = launch.start()?;

    // 1. Three sign-ins as ada, from three browsers: three records, and
    // three markers in ada's folder of the index.
    let mut text = Text::new(&mut n);
    let [mut firefox, mut chrome, mut curl] = three_browsers(&mut text, &launch);
    text.store(&mut store, false);
    index_on_disk(&mut text, &launch);
    out.push(("sessions-01-three-sign-ins.txt", text.finish()));

    // 2. The page, from the second browser.
    let mut text = Text::new(&mut n);
    text.exchange(&chrome.get("/sessions"), Some(Excerpt::Sessions));
    out.push(("sessions-02-three-sessions.txt", text.finish()));

    // 3. "Sign out everywhere else": one session left, one marker; the
    // other two browsers are signed out at their next request.
    let mut text = Text::new(&mut n);
    text.exchange(&chrome.submit("/sessions/end-others", &[]), None);
    text.exchange(&chrome.get("/sessions"), Some(Excerpt::Sessions));
    text.store(&mut store, false);
    index_on_disk(&mut text, &launch);
    text.note("the Firefox and curl browsers, at their next request");
    text.exchange(&firefox.get("/about"), None);
    text.exchange(&curl.get("/about"), None);
    out.push(("sessions-03-everywhere-else.txt", text.finish()));

    // 4. A record key that is not one of ada's sessions.
    let mut text = Text::new(&mut n);
    let made_up = "0".repeat(64);
    chrome.get("/sessions");
    text.exchange(&chrome.submit("/sessions/end", &[("record", &made_up)]), Some(Excerpt::Short));
    out.push(("sessions-04-not-yours.txt", text.finish()));
    Ok(out.into_iter().map(|(name, text)| (name.to_owned(), text)).collect())
}

/// Chapter 5: the index is a set per user, with a time to live at least
/// its longest-lived member's.
fn redis(setup: &Setup) -> io::Result<Vec<Transcript>> {
    let launch = setup.launch(5, "sessions-5.every-device")?;
    let mut n = Normaliser::default();
    show_as_the_chapter(&mut n, &launch);
    let mut store = records_of(&launch)?;
    let space = launch.redis_keys().expect("chapter 5's keys").clone();
    let mut redis = launcher::keys::connect(&space.url)?;
    let _server = launch.start()?;

    let mut text = Text::new(&mut n);
    let [_, mut chrome, _] = three_browsers(&mut text, &launch);
    text.store(&mut store, false);
    let set = tutorial::store::redis::index_key(&space.prefix, "ada");
    let shown = text.shown(&set);
    text.line(&format!("$ redis-cli SMEMBERS {shown}"));
    let members: Vec<String> =
        redis::cmd("SMEMBERS").arg(&set).query(&mut redis).map_err(io::Error::other)?;
    text.sorted_lines(members);
    let lifetime = launcher::chapter(5).default_session_lifetime().whole_seconds() as u64;
    text.pttl(&mut store, &set, lifetime);
    text.exchange(&chrome.get("/sessions"), None);
    text.exchange(&chrome.submit("/sessions/end-others", &[]), None);
    text.line(&format!("$ redis-cli SMEMBERS {shown}"));
    let members: Vec<String> =
        redis::cmd("SMEMBERS").arg(&set).query(&mut redis).map_err(io::Error::other)?;
    text.sorted_lines(members);
    Ok(vec![("sessions-05-redis-set.txt".into(), text.finish())])
}

/// Chapter 1: a sealed cookie, and no list.
fn sealed(setup: &Setup) -> io::Result<Vec<Transcript>> {
    let launch = setup.launch(1, "sessions-1.every-device")?;
    let mut n = Normaliser::default();
    show_as_the_chapter(&mut n, &launch);
    let _server = launch.start()?;
    let mut text = Text::new(&mut n);
    let mut browser = Browser::new(launch.listen_port());
    sign_in(&mut browser, None);
    browser.get("/home");
    text.exchange(&browser.get("/sessions"), Some(Excerpt::Sessions));
    Ok(vec![("sessions-06-chapter-1.txt".into(), text.finish())])
}
