//! Takes the book's screenshots from the real pages, in Chromium.
//!
//! Run with `scripts/screenshots`, which builds the chapters first, starts a
//! throwaway Redis for chapter 5 (`scripts/with-redis`) and an X display
//! (`xvfb-run`), and then records which pages the pictures show, so the
//! book check spots stale ones. It writes `book/src/screenshots/`:
//! `chapter-N-signed-in.png` (each chapter's home page, signed in, with the
//! session panel), `login.png` and `signed-out.png` (the Log Out page after
//! signing out), all in headless Chromium, and `chapter-N-devtools.png`
//! (the browser window with DevTools' Application → Cookies showing the
//! session cookie after signing in; see `screenshots/devtools.rs`).
//!
//! Where the user chooses at sign-in (chapter 6), `chapter-N-signed-in.png`
//! and `chapter-N-devtools.png` are taken with "Keep me signed in" ticked,
//! so they show the persistent cookie; `chapter-N-signed-in-not-remembered.png`
//! and `chapter-N-devtools-not-remembered.png` with it unticked (a
//! browser-session cookie); and `chapter-N-login.png` is its sign-in form,
//! with the box.
//!
//! `stranger-refused.png` is an attack failing: signed in to chapter 2,
//! the browser opens the same-site stranger's theme attack
//! (`tools/stranger`, built here first), and the picture is the 403 page
//! the chapter answers its forged POST with; the stranger listens on its
//! own ports, 8666 and 8667, for it (the page names the form's `Origin`).
//! `sessions-list.png` is chapter 2's list of a user's sessions, with three
//! browsers (three Chromium profiles) signed in as the same user.
//! `chapter-3-firefox-storage.png` is Firefox's toolbox beside Chromium's
//! DevTools: Storage → Cookies, chapter 3's cookie selected, with its
//! attributes in the sidebar (see `screenshots/firefox_storage.rs`).
//! Rerun it whenever the pages change.
//!
//! `--only chapter-3-firefox-storage` takes that one picture alone (under
//! `xvfb-run`, as `scripts/screenshots` runs this), for working on it.

use std::fs;
use std::path::{Path, PathBuf};

use browser_tests::stranger::{self, Attack, Stranger, StrangerSite};
use browser_tests::{
    pages, Browser, Chapter, ChapterServer, Engine, KeySpace, Lifetime, Profile, CHAPTERS,
};
use launcher::progress::Progress;

// Beside this file, not a binary of its own.
#[path = "screenshots/devtools.rs"]
mod devtools;
#[path = "screenshots/firefox_storage.rs"]
mod firefox_storage;

const USER: &str = "Ada";

/// The chapter whose cookie Firefox's Storage panel shows: the first with
/// an expiry, which is where the two browsers' views differ most.
const FIREFOX_STORAGE_CHAPTER: u8 = 3;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let folder = launcher::workspace_root().join("book/src/screenshots");
    fs::create_dir_all(&folder).unwrap();
    let only = only_argument();
    if let Some(name) = only.as_deref() {
        let chapter = &launcher::chapter(FIREFOX_STORAGE_CHAPTER);
        assert_eq!(
            name,
            firefox_storage_name(chapter),
            "--only knows one picture: {}",
            firefox_storage_name(chapter)
        );
        firefox_storage(chapter, &folder).await;
        return;
    }

    // The stranger's binary, for the last picture: `scripts/screenshots`
    // builds only the chapters.
    stranger::build_binaries().unwrap_or_else(|e| panic!("{e}"));
    let mut progress = Progress::new("screenshots", CHAPTERS.len() as u64 + 2);
    for chapter in CHAPTERS {
        progress.step(format!("chapter {}", chapter.number));
        let n = chapter.number;
        let chooses = chapter.cookie_expiry().is_chosen_at_sign_in();
        // Chapter 5 on its own default key prefix, so its panel names the
        // Redis key as `cargo run -p chapter-5` does; the Redis is this
        // run's alone.
        let server = ChapterServer::start_with_keys(
            n,
            Lifetime::ChapterDefault,
            KeySpace::chapter_default(&chapter),
        );
        let profile = Profile::new();
        let browser = Browser::launch(Engine::Chromium, &profile).await;
        if n == 1 || chooses {
            browser.goto(&server.url("/login")).await.unwrap();
            let name = if chooses { format!("chapter-{n}-login.png") } else { "login.png".into() };
            save(&browser, &folder.join(name), &progress).await;
        }
        if chooses {
            // Both choices, each in a fresh session: unticked first, then
            // ticked for the chapter's own picture.
            pages::sign_in(&browser, &server, USER).await;
            let name = format!("chapter-{n}-signed-in-not-remembered.png");
            save(&browser, &folder.join(name), &progress).await;
            pages::log_out_from_navbar(&browser).await;
            pages::sign_in_remembered(&browser, &server, USER).await;
        } else {
            pages::sign_in(&browser, &server, USER).await;
        }
        let name = format!("chapter-{n}-signed-in.png");
        save(&browser, &folder.join(name), &progress).await;
        if n == 1 {
            pages::log_out_from_navbar(&browser).await;
            save(&browser, &folder.join("signed-out.png"), &progress).await;
        }
        browser.close().await;
        drop(server);
        if chooses {
            let name = format!("chapter-{n}-devtools-not-remembered.png");
            devtools::cookies(&chapter, USER, false, &folder.join(&name)).await;
            progress.println(format!("wrote {}", folder.join(name).display()));
        }
        let name = format!("chapter-{n}-devtools.png");
        devtools::cookies(&chapter, USER, chooses, &folder.join(&name)).await;
        progress.println(format!("wrote {}", folder.join(name).display()));
        if n == FIREFOX_STORAGE_CHAPTER {
            let path = firefox_storage(&chapter, &folder).await;
            progress.println(format!("wrote {}", path.display()));
        }
    }
    progress.step("the stranger's attack, refused");
    stranger_refused(&folder.join("stranger-refused.png"), &progress).await;
    progress.step("a user's sessions");
    sessions_list(&folder.join("sessions-list.png"), &progress).await;
    progress.finish();
}

/// The name given after `--only`, if any.
fn only_argument() -> Option<String> {
    let mut args = std::env::args().skip(1);
    match (args.next().as_deref(), args.next(), args.next()) {
        (None, ..) => None,
        (Some("--only"), Some(name), None) => Some(name),
        _ => panic!("usage: screenshots [--only <picture name, without .png>]"),
    }
}

fn firefox_storage_name(chapter: &Chapter) -> String {
    format!("chapter-{}-firefox-storage", chapter.number)
}

/// Firefox's Storage panel with the chapter's cookie; returns the path.
async fn firefox_storage(chapter: &Chapter, folder: &Path) -> PathBuf {
    let path = folder.join(format!("{}.png", firefox_storage_name(chapter)));
    firefox_storage::cookies(chapter, USER, &path).await;
    path
}

/// Chapter 2's `/sessions`, seen from the third of three browsers signed in
/// as the same user.
async fn sessions_list(path: &Path, progress: &Progress) {
    let server = ChapterServer::start(2, Lifetime::ChapterDefault);
    let profiles = [Profile::new(), Profile::new(), Profile::new()];
    let mut browsers = Vec::new();
    for profile in &profiles {
        let browser = Browser::launch(Engine::Chromium, profile).await;
        pages::sign_in(&browser, &server, USER).await;
        browsers.push(browser);
    }
    let third = browsers.last().expect("three browsers");
    third.goto(&server.url("/sessions")).await.unwrap();
    save(third, path, progress).await;
    for browser in browsers {
        browser.close().await;
    }
}

/// Chapter 2, signed in, after the same-site stranger's theme attack: the
/// page the chapter answers the forged POST with, which must be a 403.
async fn stranger_refused(path: &Path, progress: &Progress) {
    let server = ChapterServer::start(2, Lifetime::ChapterDefault);
    // The page names the stranger's origin: the one a learner sees.
    let stranger = Stranger::start_on_own_ports();
    let browser = Browser::fresh(Engine::Chromium).await;
    pages::sign_in(&browser, &server, USER).await;
    let status =
        stranger::open(&browser, &stranger, StrangerSite::SameSite, Attack::Theme, &server).await;
    assert_eq!(status, Some(403), "chapter 2 did not refuse the stranger's theme attack");
    save(&browser, path, progress).await;
    browser.close().await;
}

async fn save(browser: &Browser, path: &Path, progress: &Progress) {
    // No blinking caret in the login form: the same page, the same picture.
    browser.execute("document.activeElement?.blur()", vec![]).await.unwrap();
    // No visited-link colour either: Chromium marks a link visited a moment
    // after the visit, so the same page would come out either way. A link's
    // computed colour is always the unvisited one (a privacy rule); set
    // inline, it holds for both states.
    browser
        .execute(
            "for (const a of document.querySelectorAll('a')) a.style.color = getComputedStyle(a).color",
            vec![],
        )
        .await
        .unwrap();
    let png = browser.screenshot().await.unwrap();
    fs::write(path, png).unwrap();
    progress.println(format!("wrote {}", path.display()));
}
