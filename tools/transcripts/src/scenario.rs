//! The "Try it" steps of a chapter, played against the running chapter.
//! Every chapter plays the same steps; what differs in the transcripts is
//! what the chapter does.

use std::time::Duration;

use launcher::Records;

use crate::browser::{Browser, Exchange};
use crate::launch::{records_of, show_as_the_chapter, Setup};
use crate::normalise::Normaliser;
use crate::page::{excerpt, Excerpt};
use crate::records;

/// The short lifetime of the idle step, and how long that step waits.
pub const SHORT_LIFETIME: u64 = 2;
const IDLE_WAIT: Duration = Duration::from_secs(SHORT_LIFETIME + 1);

/// One transcript file: its name and its text.
pub type Transcript = (String, String);

/// Lines of one transcript, built step by step.
pub struct Text<'n> {
    normaliser: &'n mut Normaliser,
    lines: Vec<String>,
}

impl<'n> Text<'n> {
    pub fn new(normaliser: &'n mut Normaliser) -> Self {
        Text { normaliser, lines: Vec::new() }
    }

    fn blank(&mut self) {
        if self.lines.last().is_some_and(|l| !l.is_empty()) {
            self.lines.push(String::new());
        }
    }

    /// A line as it is, after normalisation (a command, its output).
    pub fn line(&mut self, line: &str) {
        self.blank();
        let line = self.normaliser.text(line);
        self.lines.push(line);
    }

    /// Lines together, after normalisation: a command and its output.
    pub fn block(&mut self, lines: &[String]) {
        self.blank();
        for line in lines {
            let line = self.normaliser.text(line);
            self.lines.push(line);
        }
    }

    /// Output lines, normalised, in the order of their placeholders (as
    /// [`Text::store`] sorts record names).
    pub fn sorted_lines(&mut self, lines: Vec<String>) {
        let mut shown: Vec<String> = lines.iter().map(|l| self.normaliser.text(l)).collect();
        shown.sort();
        if shown.is_empty() {
            shown.push("(none)".into());
        }
        self.lines.extend(shown);
    }

    /// A cookie value as this transcript shows it (and numbers it).
    pub fn cookie_value(&mut self, value: &str) -> String {
        self.normaliser.cookie_value(value)
    }

    /// `text` as this transcript shows it.
    pub fn shown(&self, text: &str) -> String {
        self.normaliser.text(text)
    }

    pub fn note(&mut self, note: &str) {
        self.blank();
        self.lines.push(format!("# {note}"));
        self.blank();
    }

    /// Comment lines, together, then a blank line.
    pub fn header(&mut self, lines: &[&str]) {
        self.blank();
        for line in lines {
            let line = self.normaliser.text(line);
            self.lines.push(format!("# {line}"));
        }
        self.blank();
    }

    pub fn exchange(&mut self, exchange: &Exchange, page: Option<Excerpt>) {
        self.blank();
        self.request_and_response(exchange, page);
    }

    /// An exchange, under a line that says which server it went to.
    pub fn exchange_on(&mut self, server: &str, exchange: &Exchange, page: Option<Excerpt>) {
        self.blank();
        self.lines.push(format!("# {server}"));
        self.request_and_response(exchange, page);
    }

    fn request_and_response(&mut self, exchange: &Exchange, page: Option<Excerpt>) {
        self.normaliser.learn_tokens(exchange.form.as_deref().unwrap_or_default());
        self.normaliser.learn_tokens(&exchange.body);
        self.lines.push(format!("> {} {}", exchange.method, exchange.path));
        for (name, value) in &exchange.headers {
            self.lines.push(format!("> {name}: {value}"));
        }
        if let Some(cookie) = &exchange.cookie {
            let cookie = self.normaliser.cookie_header(cookie);
            self.lines.push(format!("> Cookie: {cookie}"));
        }
        if let Some(form) = exchange.form.as_ref().filter(|f| !f.is_empty()) {
            self.lines.push("> Content-Type: application/x-www-form-urlencoded".into());
            self.lines.push(">".into());
            self.lines.push(format!("> {}", self.normaliser.text(form)));
        }
        self.lines.push(String::new());
        self.lines.push(format!("< HTTP/1.1 {} {}", exchange.status, exchange.reason));
        if let Some(location) = &exchange.location {
            let location = self.normaliser.text(location);
            self.lines.push(format!("< location: {location}"));
        }
        // Rocket sends a response's cookies in no fixed order (its jar is a
        // hash set): by name, so that a transcript only changes with the
        // chapter's behaviour.
        let mut set_cookies: Vec<&String> = exchange.set_cookies.iter().collect();
        set_cookies.sort_by_key(|raw| raw.split('=').next().unwrap_or_default().to_owned());
        for raw in set_cookies {
            let shown = self.normaliser.set_cookie(raw, exchange.sent_at);
            self.lines.extend(wrap_header(&format!("< set-cookie: {shown}")));
        }
        if let Some(how) = page.filter(|_| !exchange.body.is_empty()) {
            self.lines.push(String::new());
            let normaliser = &*self.normaliser;
            for line in excerpt(&exchange.body, how, |text| normaliser.text(text)) {
                self.lines.push(format!("  {line}").trim_end().to_owned());
            }
        }
    }

    /// The records (`find <session_dir> -type f`, or the Redis keys), and
    /// each record's content.
    pub fn store(&mut self, records: &mut Records, show_records: bool) {
        self.blank();
        let command = self.normaliser.text(&records::list_command(records));
        self.lines.push(command);
        let names = records.names().expect("the records can be listed");
        if names.is_empty() {
            self.lines.push(records::none(records).into());
        }
        // In the order of their placeholders (`#1` before `#2`), not of
        // their hashes, which differ on every run.
        let mut names: Vec<_> =
            names.into_iter().map(|name| (self.normaliser.text(&name), name)).collect();
        names.sort();
        for (shown, _) in &names {
            self.lines.push(shown.clone());
        }
        if show_records {
            for (_, name) in &names {
                self.record(records, name);
            }
        }
    }

    /// `cat` of a file, or `GET` of a key.
    pub fn record(&mut self, records: &mut Records, name: &str) {
        self.blank();
        let command = self.normaliser.text(&records::read_command(records, name));
        self.lines.push(command);
        let content = records::read(records, name);
        self.normaliser.learn_tokens(&content);
        let shown = self.normaliser.record(content.trim_end());
        self.lines.extend(shown.lines().map(str::to_owned));
    }

    /// `date -u -r` of a record file: its modification time, which the
    /// file store sets to the record's deadline. Shown as `last_seen` plus
    /// `idle` (the idle limit), which the run checks it is: a record whose
    /// idle deadline comes before its absolute one.
    pub fn file_time(&mut self, name: &str, idle: Duration) {
        use cookie::time::format_description::well_known::Rfc3339;
        use cookie::time::OffsetDateTime;
        self.blank();
        let shown = self.normaliser.text(name);
        self.lines.push(format!("$ date -u -r {shown}"));
        let modified = std::fs::metadata(name).and_then(|m| m.modified()).expect("a record file");
        let content = std::fs::read(name).expect("a record file");
        let record: serde_json::Value = serde_json::from_slice(&content).expect("a JSON record");
        let last_seen = record["last_seen"].as_str().expect("a last_seen");
        let last_seen = OffsetDateTime::parse(last_seen, &Rfc3339).expect("an RFC 3339 time");
        let off = OffsetDateTime::from(modified) - (last_seen + idle);
        assert!(
            off.abs() < cookie::time::Duration::milliseconds(1),
            "the file time is {off} away from last_seen + {idle:?}"
        );
        self.lines.push(format!("<last_seen + {} s>", idle.as_secs()));
    }

    /// `PTTL` of a key, normalised to the `lifetime` it approaches.
    pub fn pttl(&mut self, records: &mut Records, key: &str, lifetime: u64) {
        self.blank();
        let key_shown = self.normaliser.text(key);
        self.lines.push(format!("$ redis-cli PTTL {key_shown}"));
        let pttl = records.pttl(key).expect("Redis answers PTTL").expect("a key has a PTTL");
        self.lines.push(crate::normalise::pttl(pttl, lifetime));
    }

    fn log(&mut self, output: &str, marker: &str) {
        let found: Vec<_> = output.lines().filter(|l| l.contains(marker)).collect();
        assert!(!found.is_empty(), "the server printed no {marker:?}:\n{output}");
        self.blank();
        self.lines.push("server output:".into());
        for line in found {
            let line = self.normaliser.text(line.trim());
            self.lines.push(format!("  {line}"));
        }
    }

    pub fn finish(mut self) -> String {
        while self.lines.last().is_some_and(String::is_empty) {
            self.lines.pop();
        }
        self.lines.join("\n") + "\n"
    }
}

/// Width of a transcript line before a header is continued on the next.
const WIDTH: usize = 78;

/// A long header, broken after a `;` onto indented continuation lines so
/// the book needs no horizontal scrolling.
fn wrap_header(header: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for (i, part) in header.split("; ").enumerate() {
        let part = if i == 0 { part.to_owned() } else { format!(" {part}") };
        if i > 0 && line.len() + 1 + part.len() > WIDTH {
            lines.push(format!("{line};"));
            line = format!("<   {}", part.trim_start());
        } else {
            if i > 0 {
                line.push(';');
            }
            line.push_str(&part);
        }
    }
    lines.push(line);
    lines
}

/// The session cookie's name: the one cookie sign-in sets.
pub fn cookie_name(sign_in: &Exchange) -> String {
    let raw = sign_in.set_cookies.first().expect("sign-in sets the session cookie");
    raw.split_once('=').expect("name=value").0.to_owned()
}

pub fn sign_in(browser: &mut Browser, next: Option<&str>) -> Exchange {
    let mut form = vec![("username", "ada"), ("password", "secret")];
    if let Some(next) = next {
        form.push(("next", next));
    }
    browser.post("/login", &form)
}

/// Plays the steps against chapter `number` and returns its transcripts.
pub fn play(setup: &Setup, number: u8) -> std::io::Result<Vec<Transcript>> {
    let launch = setup.launch(number, &format!("sessions-{number}"))?;
    let chapter = launcher::chapter(number);
    let mut n = Normaliser::default();
    show_as_the_chapter(&mut n, &launch);
    let mut out = Vec::new();

    let mut server = launch.start()?;
    let banner = server.new_output();
    let mut text = Text::new(&mut n);
    text.lines.push(format!("$ cargo run -p {}", launcher::package(&chapter)));
    text.lines.push("...".into());
    for line in banner.lines().filter(|l| {
        l.starts_with("Chapter ") || l.contains("open http") || l.contains("has launched from")
    }) {
        let line = text.normaliser.text(line.trim_end());
        text.lines.push(line);
    }
    out.push(("run.txt".to_owned(), text.finish()));

    let mut browser = Browser::new(launch.listen_port());
    let mut store = records_of(&launch)?;

    // 1. A protected page, signed out.
    let mut text = Text::new(&mut n);
    text.exchange(&browser.get("/about"), None);
    out.push(("01-protected-page.txt".into(), text.finish()));

    // 2. Sign in, coming from /about.
    let mut text = Text::new(&mut n);
    let signed_in = sign_in(&mut browser, Some("/about"));
    let name = cookie_name(&signed_in);
    text.exchange(&signed_in, None);
    text.store(&mut store, true);
    out.push(("02-sign-in.txt".into(), text.finish()));

    // 3. The page the redirect leads to.
    let mut text = Text::new(&mut n);
    text.exchange(&browser.get("/about"), Some(Excerpt::Full));
    out.push(("03-signed-in-page.txt".into(), text.finish()));

    // 4. Change the theme: what changes where.
    let mut text = Text::new(&mut n);
    let records = store.names()?;
    if let Some(record) = records.first() {
        text.note("the record before the change");
        text.record(&mut store, record);
    }
    text.exchange(&browser.submit("/theme", &[("next", "/home")]), None);
    if let Some(record) = records.first() {
        text.note("the record after the change");
        text.store(&mut store, false);
        text.record(&mut store, record);
    }
    out.push(("04-theme.txt".into(), text.finish()));

    // 5. The page the toggle returns to, and the tutorial's print().
    let mut text = Text::new(&mut n);
    server.new_output();
    text.exchange(&browser.get("/home"), Some(Excerpt::Short));
    std::thread::sleep(Duration::from_millis(200));
    text.log(&server.new_output(), "Session data is:");
    out.push(("05-home.txt".into(), text.finish()));

    // 6. Restart the server.
    server.stop();
    let server = launch.start()?;
    let mut text = Text::new(&mut n);
    if launch.redis_keys().is_some() {
        text.note("the server was stopped and started again; Redis kept running");
    } else {
        text.note("the server was stopped and started again");
    }
    text.exchange(&browser.get("/home"), Some(Excerpt::Short));
    out.push(("06-server-restart.txt".into(), text.finish()));

    // 7. Sign out, keeping a copy of the cookie as a thief would have.
    let copy = browser.cookie(&name).expect("the session cookie");
    let mut text = Text::new(&mut n);
    text.exchange(&browser.submit("/logout", &[]), None);
    text.exchange(&browser.get("/logout"), Some(Excerpt::Short));
    text.store(&mut store, false);
    out.push(("07-sign-out.txt".into(), text.finish()));

    // 8. The copy, replayed after sign-out.
    let mut text = Text::new(&mut n);
    let mut thief = Browser::with_copy_of(launch.listen_port(), &name, &copy);
    text.exchange(&thief.get("/about"), Some(Excerpt::Short));
    out.push(("08-stolen-cookie.txt".into(), text.finish()));

    // 9. Close the browser and open it again.
    let mut text = Text::new(&mut n);
    text.exchange(&sign_in(&mut browser, None), None);
    text.note("the browser was closed and opened again");
    browser.restart();
    text.exchange(&browser.get("/about"), Some(Excerpt::Short));
    text.store(&mut store, false);
    out.push(("09-browser-restart.txt".into(), text.finish()));
    server.stop();

    // 10. Idle past a short lifetime.
    // Its own folder, or its own keys: the session of step 9 lives on.
    let idle = setup
        .launch(number, &format!("sessions-{number}.idle"))?
        .session_lifetime(Duration::from_secs(SHORT_LIFETIME));
    show_as_the_chapter(&mut n, &idle);
    let mut idle_store = records_of(&idle)?;
    let _server = idle.start()?;
    let mut browser = Browser::new(idle.listen_port());
    let mut text = Text::new(&mut n);
    text.note(&format!("the server runs with ROCKET_SESSION_LIFETIME={SHORT_LIFETIME}"));
    text.exchange(&sign_in(&mut browser, None), None);
    let copy = browser.cookie(&name).expect("the session cookie");
    text.note(&format!("{} seconds without a request", IDLE_WAIT.as_secs()));
    std::thread::sleep(IDLE_WAIT);
    let by_browser = browser.get("/about");
    let browser_sent_it = by_browser.cookie.is_some();
    text.exchange(&by_browser, None);
    if !browser_sent_it {
        text.note("the browser dropped the cookie; a copy of it is sent anyway");
        let mut thief = Browser::with_copy_of(idle.listen_port(), &name, &copy);
        text.exchange(&thief.get("/about"), None);
    }
    text.store(&mut idle_store, false);
    out.push(("10-idle-expiry.txt".into(), text.finish()));

    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_headers_wrap_after_a_semicolon() {
        let short = "< set-cookie: a=b; Path=/";
        assert_eq!(wrap_header(short), [short]);
        let long = "< set-cookie: chapter3_session=<sealed #1, 164 characters>; HttpOnly; \
                    SameSite=Lax; Path=/; Max-Age=300; Expires=<request time + 300 s>";
        let lines = wrap_header(long);
        assert_eq!(
            lines,
            [
                "< set-cookie: chapter3_session=<sealed #1, 164 characters>; HttpOnly;",
                "<   SameSite=Lax; Path=/; Max-Age=300; Expires=<request time + 300 s>",
            ]
        );
        assert_eq!(lines.join(" ").replace(" <   ", " "), long);
    }
}
