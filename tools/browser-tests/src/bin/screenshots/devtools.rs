//! Chromium's own DevTools, Application → Cookies, after signing in: the
//! view the book sends the reader to at every step.
//!
//! DevTools does not show in headless mode, so this browser has a window,
//! on the X display that `scripts/screenshots` starts (`xvfb-run`).
//! `--auto-open-devtools-for-tabs` opens DevTools, and the profile's
//! preferences dock it at the bottom. chromedriver lists DevTools' own page
//! beside the tab (the `windowTypes` option), so a script in that page does
//! the reader's clicks: the Application panel, Cookies, the chapter's
//! origin, the cookie's row. ImageMagick's `import` then takes the screen:
//! the whole browser window, address bar, page and DevTools.

use std::fs;
use std::net::{Ipv4Addr, TcpListener};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use browser_tests::engine::CHROMIUM;
use browser_tests::{chapters, webdriver, Chapter, KeySpace, Lifetime, Profile};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use launcher::Server;
use serde_json::json;

/// The browser window, in pixels: wide enough for the cookie table's
/// columns, shown at about two thirds in the book.
pub const WINDOW: (u32, u32) = (1050, 680);

/// How tall DevTools is, docked at the bottom of the window.
const DEVTOOLS_HEIGHT: u32 = 360;

/// How wide the Application panel's sidebar is: room for
/// `http://127.0.0.1:8001`.
const SIDEBAR_WIDTH: u32 = 240;

pub const WAIT: Duration = Duration::from_secs(20);

/// Signs `user` in to `chapter` on the chapter's own port, so that DevTools
/// names the origin the book uses (`http://127.0.0.1:800N`), ticking "Keep
/// me signed in" if `remember` (only the chapter that offers it has the
/// box), and writes the picture of the browser showing its cookie in
/// DevTools to `path`.
pub async fn cookies(chapter: &Chapter, user: &str, remember: bool, path: &Path) {
    let display = std::env::var("DISPLAY").unwrap_or_else(|_| {
        panic!("no DISPLAY: DevTools needs a window; scripts/screenshots runs this under xvfb-run")
    });
    let server = start_on_own_port(chapter);
    let profile = Profile::new();
    dock_devtools_at_the_bottom(&profile);
    let client = launch(&profile).await;
    let page = client.window().await.unwrap();
    sign_in_via_about(&client, &server, user, remember).await;

    switch_to_devtools(&client, &page).await;
    let origin = server.url("");
    let shown = client
        .execute_async(SHOW_COOKIE, vec![json!(origin), json!(chapter.cookie_name())])
        .await
        .unwrap();
    assert_eq!(shown, json!("shown"), "DevTools did not show the cookie of {origin}");
    // Let the window paint what the script changed.
    tokio::time::sleep(Duration::from_millis(500)).await;
    capture(&display, path);

    client.switch_to_window(page).await.unwrap();
    client.close().await.unwrap();
    drop(server);
}

/// As in the book: asks for /about, signs `user` in on the login form it
/// sends you to (ticking "Keep me signed in" if `remember`), and lands on
/// /about, with no focused field.
pub async fn sign_in_via_about(client: &Client, server: &Server, user: &str, remember: bool) {
    client.goto(&server.url("/about")).await.unwrap();
    let username = client.wait().at_most(WAIT).for_element(Locator::Id("username")).await.unwrap();
    username.send_keys(user).await.unwrap();
    if remember {
        client.find(Locator::Id("remember")).await.unwrap().click().await.unwrap();
    }
    client.find(Locator::Id("sign-in")).await.unwrap().click().await.unwrap();
    client.wait().at_most(WAIT).for_element(Locator::Css(".welcome")).await.unwrap();
    client.execute("document.activeElement?.blur()", vec![]).await.unwrap();
}

/// The chapter on its default port, or a clear stop when something else
/// (a `cargo run -p chapter-N`?) holds that port.
pub fn start_on_own_port(chapter: &Chapter) -> Server {
    let port = chapter.default_port;
    if TcpListener::bind((Ipv4Addr::LOCALHOST, port)).is_err() {
        panic!(
            "port {port} is taken (a `cargo run -p chapter-{}`?): the DevTools picture shows \
             127.0.0.1:{port}, so stop it and retry",
            chapter.number
        );
    }
    // Chapter 5 on its default key prefix, as for the page screenshots.
    chapters::launch(chapter.number, Lifetime::ChapterDefault)
        .key_space(KeySpace::chapter_default(chapter))
        .port(port)
        .start()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// DevTools keeps its settings in the profile's preferences, each as a JSON
/// text: docked at the bottom and this tall, the Application sidebar this
/// wide, no drawer, no "What's new".
fn dock_devtools_at_the_bottom(profile: &Profile) {
    let setting = |value: serde_json::Value| json!(value.to_string());
    let preferences = json!({
        "devtools": { "preferences": {
            "currentDockState": setting(json!("bottom")),
            "inspector-view.split-view-state": setting(json!({
                "vertical": { "size": 0 },
                "horizontal": { "size": DEVTOOLS_HEIGHT },
            })),
            "inspector.drawer-split-view-state":
                setting(json!({ "horizontal": { "size": 0, "showMode": "OnlyMain" } })),
            "resources-panel-split-view-state":
                setting(json!({ "vertical": { "size": SIDEBAR_WIDTH } })),
            "releaseNoteVersionSeen": setting(json!(9999)),
        }}
    });
    let folder = profile.path().join("Default");
    fs::create_dir_all(&folder).unwrap();
    fs::write(folder.join("Preferences"), preferences.to_string()).unwrap();
}

/// Chromium with a window, at the top left of the screen, and DevTools
/// open on every tab.
async fn launch(profile: &Profile) -> Client {
    let args = [
        "--no-sandbox".to_string(),
        // No infobar about --no-sandbox.
        "--test-type".into(),
        "--disable-gpu".into(),
        "--disable-quic".into(),
        "--no-first-run".into(),
        "--no-default-browser-check".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        // Bounce-tracking detection counts the automated sign-in's redirects
        // as a bounce without user interaction, and DevTools would show an
        // issue that a reader signing in by hand does not get.
        "--disable-features=DIPS".into(),
        "--auto-open-devtools-for-tabs".into(),
        format!("--user-data-dir={}", profile.path().display()),
        format!("--window-size={},{}", WINDOW.0, WINDOW.1),
        "--window-position=0,0".into(),
    ];
    let capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": args,
            // No "Chrome is being controlled by automated test software" bar.
            "excludeSwitches": ["enable-automation"],
            // DevTools' own page is one of the windows too.
            "windowTypes": ["page", "other"],
        },
    });
    let serde_json::Value::Object(capabilities) = capabilities else { unreachable!() };
    ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(webdriver::chromedriver_url())
        .await
        .unwrap_or_else(|e| panic!("chromedriver could not start {CHROMIUM} with a window: {e}"))
}

/// Makes DevTools' page (`devtools://devtools/...`) the current window.
async fn switch_to_devtools(client: &Client, page: &fantoccini::wd::WindowHandle) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        for handle in client.windows().await.unwrap() {
            if &handle == page {
                continue;
            }
            client.switch_to_window(handle).await.unwrap();
            if client.current_url().await.is_ok_and(|url| url.scheme() == "devtools") {
                return;
            }
        }
        assert!(tokio::time::Instant::now() < deadline, "no DevTools window within {WAIT:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Runs in DevTools' page, with its own modules: opens Application →
/// Cookies → the origin (`arguments[0]`), waits for the cookie
/// (`arguments[1]`) in the table, widens the columns and selects its row.
const SHOW_COOKIE: &str = r#"
const [origin, name, done] = arguments;
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));
const until = async (what, test) => {
  for (let i = 0; i < 200; i++) {
    const found = test();
    if (found) return found;
    await sleep(100);
  }
  throw 'DevTools: no ' + what;
};
// DevTools is made of shadow roots: search them all.
const deep = (root, selector) => [
  ...root.querySelectorAll(selector),
  ...[...root.querySelectorAll('*')].filter(e => e.shadowRoot).flatMap(e => deep(e.shadowRoot, selector)),
];
(async () => {
  const UI = await import('./ui/legacy/legacy.js');
  await until('main view', () => UI.InspectorView.InspectorView.maybeGetInspectorViewInstance());
  const Application = await import('./panels/application/application.js');
  const sidebar = await Application.ResourcesPanel.ResourcesPanel.showAndGetSidebar();
  const cookies = sidebar.cookieListTreeElement;
  const item = await until('Cookies entry for ' + origin,
    () => cookies.children().find(child => child.cookieDomain() === origin));
  cookies.expand();
  item.select();
  const grid = await until('cookie table', () => deep(document, 'devtools-data-grid')[0]);
  const row = () => deep(grid.shadowRoot ?? grid, 'tr.data-grid-data-grid-node td')
    .find(td => td.textContent.trim() === name);
  await until('row for ' + name, row);
  // Widen the columns, as a reader does by dragging their borders: by
  // default Domain, Expires / Max-Age and SameSite get a few letters each.
  // The table reads each column's share from its header's weight.
  const widths = {
    'name': 148, 'value': 55, 'domain': 72, 'path': 36, 'expires': 178, 'size': 40,
    'http-only': 64, 'secure': 50, 'same-site': 68, 'partition-key-site': 30,
    'has-cross-site-ancestor': 30, 'priority': 30,
  };
  for (const th of grid.querySelectorAll('th[id]')) {
    if (th.id in widths) th.setAttribute('weight', widths[th.id]);
  }
  await sleep(300);
  // Select the row (the table selects on mousedown): DevTools then shows
  // the whole value below the table.
  (await until('row after widening', row))
    .dispatchEvent(new MouseEvent('mousedown', { bubbles: true, composed: true }));
  await until('Cookie Value pane', () => deep(document, '*').some(e => e.textContent === 'Cookie Value'));
  document.activeElement?.blur();
  return 'shown';
})().then(done, e => done(String(e)));
"#;

/// The screen of `display`, as far as the window reaches, into `path`: an
/// 8-bit PNG of at most 256 colours (no dithering), which the picture does
/// not need more than, at a quarter of the size of `import`'s own.
pub fn capture(display: &str, path: &Path) {
    let status = Command::new("import")
        .args(["-display", display, "-window", "root"])
        .args(["-crop", &format!("{}x{}+0+0", WINDOW.0, WINDOW.1), "+repage"])
        .args(["-strip", "+dither", "-colors", "256", "-depth", "8"])
        .args(["-define", "png:compression-level=9"])
        .arg(format!("PNG8:{}", path.display()))
        .status()
        .expect("ImageMagick's import (scripts/screenshots installs it)");
    assert!(status.success(), "import failed: {status}");
}
