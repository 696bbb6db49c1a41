//! The Flask tutorial's app itself (`original/`, `scripts/flask-original N`),
//! played to show each flaw the book's "What the tutorial got wrong" names:
//! a cookie anyone can read, a key anyone can sign with, a name that may be
//! empty, `next` followed to another site, a sign-in form any site can
//! post, a `GET /logout` an `<img>` triggers, a cookie that still works
//! after sign-out, a session id kept across sign-in, and what Flask-Session
//! writes to disk. Into `original/`, one scenario per section, each on a
//! server of its own ([`launcher::original::Original`]).

use std::io;
use std::path::Path;
use std::process::{Command, Stdio};

use launcher::original::{self, Original, COOKIE_NAME};
use sha2::{Digest, Sha256};

use crate::beyond::Scenario;
use crate::browser::{Browser, Exchange};
use crate::launch::Setup;
use crate::normalise::Normaliser;
use crate::scenario::{Text, Transcript};

/// The stranger's sites (`cargo run -p stranger`): another site, and
/// another port of the chapters' own host, which is the same site.
const ANOTHER_SITE: &str = "http://localhost:8666";
const SAME_HOST_OTHER_PORT: &str = "http://127.0.0.1:8667";

/// What the tutorial's permanent sections give a session: five minutes.
const PERMANENT_LIFETIME: u64 = 300;

/// Flask's default `PERMANENT_SESSION_LIFETIME`, 31 days: how long
/// Flask-Session keeps the file of a session that is not permanent.
const DEFAULT_LIFETIME: u64 = 31 * 24 * 3600;

/// The four sections, each a scenario of its own for `main`'s `generate`.
pub fn scenarios() -> [(&'static str, Scenario); 4] {
    [
        ("the original, section 1", section_1),
        ("the original, section 2", |setup| server_side(setup, 2)),
        ("the original, section 3", section_3),
        ("the original, section 4", |setup| server_side(setup, 4)),
    ]
}

/// Section `section` on a port and a folder of its own, with the
/// normaliser that shows it as `scripts/flask-original N` runs it.
fn start(setup: &Setup, section: u8) -> io::Result<(Original, Normaliser)> {
    let dir = setup.work.join(format!("original-{section}"));
    let original = Original::start_with(section, launcher::free_port()?, &dir)?;
    let mut n = Normaliser::default();
    n.port(original.port(), original::default_port(section));
    n.session_dir(&dir);
    if section >= 3 {
        n.expires_without_max_age(PERMANENT_LIFETIME);
    }
    Ok((original, n))
}

/// `run-N.txt`: the command and what it prints once it listens.
fn run(original: &mut Original, n: &mut Normaliser) -> Transcript {
    let output = original.new_output();
    let mut lines = vec![format!("$ scripts/flask-original {}", original.section()), "...".into()];
    lines.extend(
        output
            .lines()
            .filter(|l| {
                l.starts_with("The original")
                    || l.contains("in your browser")
                    || l.contains("Flask-Session")
            })
            .map(str::to_owned),
    );
    let mut text = Text::new(n);
    text.block(&lines);
    (format!("original/run-{}.txt", original.section()), text.finish())
}

fn sign_in_as(browser: &mut Browser, name: &str, next: &str) -> Exchange {
    // The tutorial's password field has no `name`: a browser sends the
    // hidden `next` and the username, in the page's order, and no password.
    browser.post("/login", &[("next", next), ("username", name)])
}

/// What a reader sees of one of the tutorial's pages.
fn page(exchange: &Exchange) -> Vec<String> {
    let body = &exchange.body;
    if exchange.location.is_some() {
        return Vec::new();
    }
    if !body.contains("<h2>MyApp</h2>") {
        return vec![format!("  body    {}", body.trim())];
    }
    let mut lines = Vec::new();
    match between(body, "<p>Welcome", "</p>") {
        Some(name) => lines.push(format!("  navbar  Welcome{name}")),
        None => lines.push("  navbar  (no welcome)".into()),
    }
    if let Some(heading) = between(body, "<h3>", "</h3>") {
        lines.push(format!("  page    {heading}"));
    }
    if let Some(next) = between(body, "<input type=\"text\" value=\"", "\" name=\"next\" hidden>") {
        lines.push(format!("  form    hidden next={next}"));
    }
    lines
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    Some(&text[from..from + text[from..].find(end)?])
}

/// An exchange and the page it brought.
fn show(text: &mut Text, exchange: &Exchange) {
    text.exchange(exchange, None);
    let lines = page(exchange);
    if !lines.is_empty() {
        text.block(&lines);
    }
}

/// Section 1, the client-side cookie: most of the flaws show here.
fn section_1(setup: &Setup) -> io::Result<Vec<Transcript>> {
    let (mut original, mut n) = start(setup, 1)?;
    let port = original.port();
    let mut out = vec![run(&mut original, &mut n)];

    // The cookie is only signed: base64 reads it.
    let mut text = Text::new(&mut n);
    let mut browser = Browser::new(port);
    let signed_in = sign_in_as(&mut browser, "ada", "None");
    text.exchange(&signed_in, None);
    let cookie = browser.cookie(COOKIE_NAME).expect("sign-in sets the session cookie");
    decode(&mut text, &cookie);
    out.push(("original/readable-cookie.txt".into(), text.finish()));

    // The key is in the tutorial: anyone signs a cookie of their choice.
    let mut text = Text::new(&mut n);
    let forged = forge("mallory")?;
    text.block(&["$ target/flask-venv/bin/python original/forge_cookie.py mallory".into()]);
    let shown = text.cookie_value(&forged);
    text.block(&[shown]);
    let mut forger = Browser::with_copy_of(port, COOKIE_NAME, &forged);
    show(&mut text, &forger.get("/about"));
    out.push(("original/forged-cookie.txt".into(), text.finish()));

    // An empty name is a name: `"user_name" in session` lets it in.
    let mut text = Text::new(&mut n);
    let mut nobody = Browser::new(port);
    text.exchange(&sign_in_as(&mut nobody, "", "None"), None);
    decode(&mut text, &nobody.cookie(COOKIE_NAME).expect("a session cookie"));
    show(&mut text, &nobody.get("/about"));
    out.push(("original/empty-username.txt".into(), text.finish()));

    // `next` is followed wherever it points.
    let mut text = Text::new(&mut n);
    let mut reader = Browser::new(port);
    let link = format!("/login?next={ANOTHER_SITE}/welcome-back");
    text.note(&format!("the reader follows a link to {link}"));
    show(&mut text, &reader.get(&link));
    let next = format!("{ANOTHER_SITE}/welcome-back");
    text.exchange(&sign_in_as(&mut reader, "ada", &next), None);
    out.push(("original/open-redirect.txt".into(), text.finish()));

    // The sign-in form takes a post from any site.
    let mut text = Text::new(&mut n);
    let mut reader = Browser::new(port);
    text.note(&format!("a page of {ANOTHER_SITE} posts its own form to /login"));
    let form = [("next", "/home"), ("username", "mallory")];
    text.exchange(&reader.post_with_header("/login", &form, ("Origin", ANOTHER_SITE)), None);
    show(&mut text, &reader.get("/home"));
    out.push(("original/login-from-another-site.txt".into(), text.finish()));

    // `GET /logout`: an image of another page signs the reader out.
    let mut text = Text::new(&mut n);
    let mut reader = Browser::new(port);
    sign_in_as(&mut reader, "ada", "None");
    text.header(&[
        &format!("the reader, signed in, opens a page of {SAME_HOST_OTHER_PORT} that holds"),
        &format!("<img src=\"http://127.0.0.1:{}/logout\">;", original::default_port(1)),
        "the browser fetches the image with the reader's cookie",
    ]);
    let image = reader.get_with_headers(
        "/logout",
        &[
            ("Referer", &format!("{SAME_HOST_OTHER_PORT}/")),
            ("Sec-Fetch-Dest", "image"),
            ("Sec-Fetch-Site", "same-site"),
        ],
    );
    show(&mut text, &image);
    text.note("the reader's next page");
    text.exchange(&reader.get("/about"), None);
    out.push(("original/img-logout.txt".into(), text.finish()));

    out.push(replayed(&mut n, port, 1));
    Ok(out)
}

/// Section 3: the same replay, and a cookie that slides on every request.
fn section_3(setup: &Setup) -> io::Result<Vec<Transcript>> {
    let (mut original, mut n) = start(setup, 3)?;
    let port = original.port();
    Ok(vec![run(&mut original, &mut n), replayed(&mut n, port, 3)])
}

/// `replayed-cookie-N.txt`: sign in, keep a copy of the cookie, sign out,
/// and send the copy: nothing on the server knows the session ended.
fn replayed(n: &mut Normaliser, port: u16, section: u8) -> Transcript {
    let mut text = Text::new(n);
    let mut reader = Browser::new(port);
    text.exchange(&sign_in_as(&mut reader, "ada", "None"), None);
    let copy = reader.cookie(COOKIE_NAME).expect("a session cookie");
    text.note("a copy of the cookie is kept, as a thief or a shared computer would");
    show(&mut text, &reader.get("/logout"));
    text.note("the copy, sent after sign-out");
    let mut thief = Browser::with_copy_of(port, COOKIE_NAME, &copy);
    show(&mut text, &thief.get("/about"));
    (format!("original/replayed-cookie-{section}.txt"), text.finish())
}

/// Sections 2 and 4, Flask-Session's files: what is on disk, and a
/// session id that sign-in keeps.
fn server_side(setup: &Setup, section: u8) -> io::Result<Vec<Transcript>> {
    let (mut original, mut n) = start(setup, section)?;
    let port = original.port();
    let dir = original.session_dir().to_owned();
    let lifetime = if section == 2 { DEFAULT_LIFETIME } else { PERMANENT_LIFETIME };
    let mut out = vec![run(&mut original, &mut n)];

    // What Flask-Session keeps on disk.
    let mut text = Text::new(&mut n);
    let mut reader = Browser::new(port);
    text.exchange(&sign_in_as(&mut reader, "ada", "None"), None);
    let id = reader.cookie(COOKIE_NAME).expect("a session cookie");
    let names = FileNames::new(&id, &text.cookie_value(&id));
    list_files(&mut text, &dir, &names)?;
    let file = dir.join(file_name(&format!("session:{id}")));
    show_file(&mut text, &file, &names, lifetime)?;
    show(&mut text, &reader.get("/logout"));
    list_files(&mut text, &dir, &names)?;
    out.push((format!("original/on-disk-{section}.txt"), text.finish()));

    // Sign-in keeps the id the browser brings: whoever knows it shares the
    // session of whoever signs in next.
    let mut text = Text::new(&mut n);
    let mut mallory = Browser::new(port);
    text.note("mallory signs in, on her own computer");
    text.exchange(&sign_in_as(&mut mallory, "mallory", "None"), None);
    let planted = mallory.cookie(COOKIE_NAME).expect("a session cookie");
    text.header(&[
        "she sets the same cookie in the reader's browser (a page of",
        &format!("{SAME_HOST_OTHER_PORT} may set cookies for 127.0.0.1); the reader signs in"),
    ]);
    let mut reader = Browser::with_copy_of(port, COOKIE_NAME, &planted);
    text.exchange(&sign_in_as(&mut reader, "ada", "None"), None);
    let after = reader.cookie(COOKIE_NAME).expect("a session cookie");
    let same = if after == planted { "the same" } else { "a new" };
    text.note(&format!("the reader's cookie after sign-in holds {same} session id"));
    text.note("mallory's next page, with her own cookie");
    show(&mut text, &mallory.get("/about"));
    out.push((format!("original/fixation-{section}.txt"), text.finish()));
    Ok(out)
}

/// `$ echo … | base64 -d` of the cookie's data part, run for real.
fn decode(text: &mut Text, cookie: &str) {
    let (command, decoded) = base64_decoded(cookie);
    text.note("the cookie's first part, decoded with nothing but base64");
    text.block(&[format!("$ {command}"), decoded]);
}

/// The shell command that decodes the data part of a Flask cookie with
/// `base64 -d`, and what it prints.
fn base64_decoded(cookie: &str) -> (String, String) {
    let payload = cookie.split('.').next().unwrap_or_default();
    // Flask leaves out base64's `=` padding, which `base64 -d` wants back.
    let padded = format!("{payload}{}", "=".repeat((4 - payload.len() % 4) % 4));
    let command = if padded.contains(['-', '_']) {
        format!("echo '{padded}' | tr '_-' '/+' | base64 -d")
    } else {
        format!("echo '{padded}' | base64 -d")
    };
    let output = Command::new("sh").args(["-c", &command]).output().expect("sh runs");
    assert!(output.status.success(), "{command}: {}", String::from_utf8_lossy(&output.stderr));
    (command, String::from_utf8(output.stdout).expect("JSON is UTF-8"))
}

/// A cookie signed with the tutorial's key by `original/forge_cookie.py`.
fn forge(name: &str) -> io::Result<String> {
    let root = launcher::workspace_root();
    let output = Command::new(original::venv_python())
        .arg(root.join("original/forge_cookie.py"))
        .arg(name)
        .stdin(Stdio::null())
        .output()?;
    if !output.status.success() {
        return Err(io::Error::other(String::from_utf8_lossy(&output.stderr).into_owned()));
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// cachelib names each file after the SHA-256 of its key: `session:<id>`
/// for a session, `__wz_cache_count` for its count of files.
fn file_name(key: &str) -> String {
    format!("{:x}", Sha256::digest(key.as_bytes()))
}

/// The files' names as the transcripts show them.
struct FileNames(Vec<(String, String)>);

impl FileNames {
    /// The names of the count's file and of session `id`'s, which the
    /// transcript shows as `shown_id`.
    fn new(id: &str, shown_id: &str) -> FileNames {
        FileNames(vec![
            (file_name("__wz_cache_count"), "<sha256 of \"__wz_cache_count\">".into()),
            (
                file_name(&format!("session:{id}")),
                format!("<sha256 of \"session:\" + {}>", shown_id.trim_matches(['<', '>'])),
            ),
        ])
    }

    fn shown(&self, text: &str) -> String {
        self.0.iter().fold(text.to_owned(), |text, (name, shown)| text.replace(name, shown))
    }
}

/// `find <session_dir> -type f`, sorted as shown.
fn list_files(text: &mut Text, dir: &Path, names: &FileNames) -> io::Result<()> {
    let mut files: Vec<String> = std::fs::read_dir(dir)?
        .map(|entry| Ok(names.shown(&entry?.path().display().to_string())))
        .collect::<io::Result<_>>()?;
    files.sort();
    let mut lines = vec![format!("$ find {} -type f", dir.display())];
    lines.extend(files);
    text.block(&lines);
    Ok(())
}

/// `original/show_session_file.py` of a session's file: its expiry, shown
/// relative to now (the run checks it is `lifetime` ahead), and its data.
fn show_file(text: &mut Text, file: &Path, names: &FileNames, lifetime: u64) -> io::Result<()> {
    let root = launcher::workspace_root();
    let output = Command::new(original::venv_python())
        .arg(root.join("original/show_session_file.py"))
        .arg(file)
        .output()?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "show_session_file.py: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    let mut lines = vec![format!(
        "$ target/flask-venv/bin/python original/show_session_file.py {}",
        names.shown(&file.display().to_string())
    )];
    for line in stdout.lines() {
        match line.strip_prefix("expires: ") {
            Some(rest) => {
                let at: u64 =
                    rest.split(' ').next().and_then(|t| t.parse().ok()).expect("a Unix time");
                assert!(
                    at.abs_diff(now + lifetime) <= 5,
                    "the file expires {at}, not now + {lifetime} s"
                );
                lines.push(format!("expires: <now + {lifetime} s>"));
            }
            None => lines.push(line.to_owned()),
        }
    }
    text.block(&lines);
    Ok(())
}

/// The flaws of "What the tutorial got wrong", asserted as facts of the
/// running original (the transcripts show them; these fail if one is gone).
#[cfg(test)]
mod tests {
    use super::*;

    fn signed_in(original: &Original, name: &str) -> Browser {
        let mut browser = Browser::new(original.port());
        let exchange = sign_in_as(&mut browser, name, "None");
        assert_eq!((exchange.status, exchange.location.as_deref()), (302, Some("/home")));
        browser
    }

    #[test]
    fn the_signed_cookie_reads_with_base64_alone() {
        let original = Original::start(1).unwrap();
        let cookie = signed_in(&original, "ada").cookie(COOKIE_NAME).unwrap();
        let (_, json) = base64_decoded(&cookie);
        assert_eq!(json, r#"{"lang":"en","theme":"dark","user_name":"ada"}"#);
    }

    #[test]
    fn anyone_with_the_tutorial_key_signs_a_cookie_it_accepts() {
        let original = Original::start(1).unwrap();
        let mut forger =
            Browser::with_copy_of(original.port(), COOKIE_NAME, &forge("mallory").unwrap());
        let page = forger.get("/about");
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Welcome mallory!"), "{}", page.body);
    }

    #[test]
    fn an_empty_username_counts_as_signed_in() {
        let original = Original::start(1).unwrap();
        assert_eq!(signed_in(&original, "").get("/about").status, 200);
    }

    #[test]
    fn next_is_followed_to_another_site() {
        let original = Original::start(1).unwrap();
        let mut browser = Browser::new(original.port());
        let next = format!("{ANOTHER_SITE}/welcome-back");
        let exchange = sign_in_as(&mut browser, "ada", &next);
        assert_eq!((exchange.status, exchange.location), (302, Some(next)));
    }

    #[test]
    fn a_sign_in_posted_by_another_site_is_accepted() {
        let original = Original::start(1).unwrap();
        let mut browser = Browser::new(original.port());
        let form = [("next", "/home"), ("username", "mallory")];
        let exchange = browser.post_with_header("/login", &form, ("Origin", ANOTHER_SITE));
        assert_eq!(exchange.status, 302);
        assert!(browser.get("/home").body.contains("Welcome mallory!"));
    }

    #[test]
    fn logout_is_a_get_and_post_is_refused() {
        let original = Original::start(1).unwrap();
        let mut browser = signed_in(&original, "ada");
        let logout = browser.get("/logout");
        assert_eq!(logout.status, 200);
        assert!(logout.set_cookies.iter().any(|c| c.starts_with("session=;")), "{logout:?}");
        assert_eq!(browser.get("/about").status, 302, "signed out by a GET");
        assert_eq!(signed_in(&original, "ada").post("/logout", &[]).status, 405);
    }

    #[test]
    fn a_copy_of_the_cookie_still_signs_in_after_sign_out() {
        for section in [1, 3] {
            let original = Original::start(section).unwrap();
            let mut browser = signed_in(&original, "ada");
            let copy = browser.cookie(COOKIE_NAME).unwrap();
            browser.get("/logout");
            let mut thief = Browser::with_copy_of(original.port(), COOKIE_NAME, &copy);
            assert_eq!(thief.get("/about").status, 200, "section {section}");
        }
    }

    #[test]
    fn sign_in_keeps_the_session_id_the_browser_brings() {
        for section in [2, 4] {
            let original = Original::start(section).unwrap();
            let planted = signed_in(&original, "mallory").cookie(COOKIE_NAME).unwrap();
            let mut reader = Browser::with_copy_of(original.port(), COOKIE_NAME, &planted);
            sign_in_as(&mut reader, "ada", "None");
            assert_eq!(reader.cookie(COOKIE_NAME), Some(planted.clone()), "section {section}");
            let mut mallory = Browser::with_copy_of(original.port(), COOKIE_NAME, &planted);
            assert!(mallory.get("/about").body.contains("Welcome ada!"), "section {section}");
        }
    }

    #[test]
    fn flask_session_keeps_the_session_in_a_file_until_sign_out() {
        for section in [2, 4] {
            let original = Original::start(section).unwrap();
            let mut browser = signed_in(&original, "ada");
            let id = browser.cookie(COOKIE_NAME).unwrap();
            let file = original.session_dir().join(file_name(&format!("session:{id}")));
            assert!(file.is_file(), "section {section}: {}", file.display());
            browser.get("/logout");
            assert!(!file.exists(), "section {section}: removed at sign-out");
        }
    }
}
