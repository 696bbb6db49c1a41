//! Firefox's own developer tools, Storage → Cookies, after signing in: the
//! view the book's introduction sends Firefox users to, beside Chromium's
//! (`devtools.rs`).
//!
//! As for Chromium, the browser has a window on the X display of
//! `scripts/screenshots`, and ImageMagick's `import` takes the screen. The
//! profile's preferences dock the toolbox at the bottom, this tall. The
//! toolbox is part of Firefox itself, not of a page, so WebDriver reaches
//! it only from Firefox's own windows (the "chrome" context): geckodriver
//! allows that only when started with `--allow-system-access`. A script
//! there does the reader's clicks: F12's toolbox on the Storage panel,
//! Cookies, the chapter's origin, the cookie's row.

use std::path::Path;
use std::time::Duration;

use browser_tests::engine::FIREFOX;
use browser_tests::webdriver::Geckodriver;
use browser_tests::{Chapter, Profile};
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

use super::devtools::{self, WINDOW};

/// How tall the toolbox is, docked at the bottom: as tall as Chromium's
/// DevTools in `devtools.rs`.
const TOOLBOX_HEIGHT: u32 = 360;

/// How wide the sidebar with the selected cookie's attributes is: room
/// for its `Expires / Max-Age` in full (Firefox gives it 300 pixels).
const SIDEBAR_WIDTH: u32 = 380;

/// How wide the table's Name column is: room for `chapter3_session`.
const NAME_WIDTH: u32 = 130;

/// Signs `user` in to `chapter` on the chapter's own port, so that the
/// Storage panel names the origin the book uses (`http://127.0.0.1:800N`),
/// and writes the picture of Firefox showing its cookie in the toolbox to
/// `path`.
pub async fn cookies(chapter: &Chapter, user: &str, path: &Path) {
    let display = std::env::var("DISPLAY").unwrap_or_else(|_| {
        panic!(
            "no DISPLAY: the toolbox needs a window; scripts/screenshots runs this under xvfb-run"
        )
    });
    let server = devtools::start_on_own_port(chapter);
    let profile = Profile::new();
    let geckodriver = Geckodriver::start_with_system_access();
    let client = launch(&profile, &geckodriver).await;
    devtools::sign_in_via_about(&client, &server, user, false).await;

    client.issue_cmd(Context::Chrome).await.unwrap();
    let origin = server.url("");
    let shown = client
        .execute_async(
            SHOW_COOKIE,
            vec![
                json!(origin),
                json!(chapter.cookie_name()),
                json!(NAME_WIDTH),
                json!(SIDEBAR_WIDTH),
            ],
        )
        .await
        .unwrap();
    assert_eq!(
        shown,
        json!("shown"),
        "Firefox's Storage panel did not show the cookie of {origin}"
    );
    // Let the window paint what the script changed.
    tokio::time::sleep(Duration::from_millis(500)).await;
    devtools::capture(&display, path);

    client.issue_cmd(Context::Content).await.unwrap();
    client.close().await.unwrap();
    drop(geckodriver);
    drop(server);
}

/// Firefox with a window on the profile, its toolbox docked at the bottom,
/// the window at the top left of the screen.
async fn launch(profile: &Profile, geckodriver: &Geckodriver) -> Client {
    let capabilities = json!({
        "browserName": "firefox",
        "moz:firefoxOptions": {
            "binary": FIREFOX,
            "args": ["-profile", profile.path().display().to_string()],
            "prefs": {
                "devtools.toolbox.host": "bottom",
                "devtools.toolbox.footer.height": TOOLBOX_HEIGHT,
            },
        },
    });
    let serde_json::Value::Object(capabilities) = capabilities else { unreachable!() };
    let client = ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(geckodriver.url())
        .await
        .unwrap_or_else(|e| panic!("geckodriver could not start {FIREFOX} with a window: {e}"));
    client.set_window_rect(0, 0, WINDOW.0, WINDOW.1).await.unwrap();
    client
}

/// geckodriver's own command (`POST /session/{id}/moz/context`): where
/// the next commands run, in the page or in Firefox's own windows.
#[derive(Debug, Clone, Copy)]
enum Context {
    Content,
    Chrome,
}

impl WebDriverCompatibleCommand for Context {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/moz/context", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let context = match self {
            Context::Content => "content",
            Context::Chrome => "chrome",
        };
        (http::Method::POST, Some(json!({ "context": context }).to_string()))
    }
}

/// Runs in Firefox's browser window: opens the toolbox on the Storage panel
/// (as F12 does), selects Cookies → the origin (`arguments[0]`), waits for
/// the cookie (`arguments[1]`) in the table and selects its row, which
/// opens the sidebar with its attributes.
const SHOW_COOKIE: &str = r#"
const [origin, name, nameWidth, sidebarWidth, done] = arguments;
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));
const until = async (what, test) => {
  for (let i = 0; i < 200; i++) {
    const found = await test();
    if (found) return found;
    await sleep(100);
  }
  throw 'Storage panel: no ' + what;
};
(async () => {
  // No striped address bar with a robot: Firefox marks a window that
  // WebDriver drives, as Chromium's bar does, which devtools.rs turns off.
  document.documentElement.removeAttribute('remotecontrol');
  const { require } = ChromeUtils.importESModule('resource://devtools/shared/loader/Loader.sys.mjs');
  const { gDevTools } = require('devtools/client/framework/devtools');
  const toolbox = await gDevTools.showToolboxForTab(gBrowser.selectedTab, { toolId: 'storage' });
  const panel = await toolbox.selectTool('storage');
  const ui = panel.UI;
  const doc = panel.panelWindow.document;
  const host = ['cookies', origin];
  // The cells keep their whole text in `value`.
  const row = () => [...doc.querySelectorAll('.table-widget-column#name .table-widget-cell')]
    .find(cell => cell.getAttribute('value') === name);
  const cell = await until('row for ' + name + ' under ' + origin, () => {
    if (ui.tree.exists(host) && !ui.tree.isSelected(host)) ui.tree.selectedItem = host;
    return row();
  });
  // Widen the Name column and the sidebar, as a reader does by dragging
  // their borders.
  doc.querySelector('.table-widget-column#name').style.minWidth = nameWidth + 'px';
  const updated = ui.once('sidebar-updated');
  cell.dispatchEvent(new panel.panelWindow.MouseEvent('mousedown', { bubbles: true }));
  await updated;
  ui.sidebar.style.width = sidebarWidth + 'px';
  return 'shown';
})().then(done, e => done(String(e)));
"#;
