//! A rotation of chapter 1's secret key, step by step: one key; the new
//! key with the old one among `previous_secret_keys`; one idle limit
//! later; the old key dropped. Run with a short idle limit so that "one
//! idle limit later" takes seconds. Chapter 1, whose cookie the browser
//! keeps until it closes: so the browser still sends a cookie that timed
//! out, and the transcript shows the server refuse it.

use std::io;
use std::time::Duration;

use cookie::time::OffsetDateTime;
use launcher::Launch;

use crate::browser::{Browser, Exchange};
use crate::launch::{show_as_the_chapter, Setup};
use crate::normalise::Normaliser;
use crate::scenario::{Text, Transcript};

const CHAPTER: u8 = 1;
/// `session_lifetime`, in seconds.
const IDLE: u64 = 4;
/// Demonstration keys, shown as `$OLD_KEY` and `$NEW_KEY`.
const OLD_KEY: &str = "dYsVZ9mX2cHfM0uWq6Jt1eLr8bNa4kPo7iGs3hTv5yE=";
const NEW_KEY: &str = "Qm4zR7wE1tY9uI3oP6aS2dF8gH5jK0lZxC7vB4nM1q8=";

const ADA: &str = "Ada's browser";
const GRACE: &str = "Grace's browser";

/// The folder below `book/src/transcripts`.
const FOLDER: &str = "every-device";

/// Chapter 3 with `secret_key` = `key` and `previous_secret_keys` = `previous`.
fn chapter_with(setup: &Setup, key: &str, previous: &[&str]) -> io::Result<Launch> {
    let list: Vec<String> = previous.iter().map(|key| format!("\"{key}\"")).collect();
    Ok(setup
        .launch(CHAPTER, "keys")?
        .session_lifetime(Duration::from_secs(IDLE))
        .secret_key(key)
        .rocket("previous_secret_keys", format!("[{}]", list.join(", "))))
}

/// Signs `user` in and loads the page the sign-in leads to.
fn sign_in_as(browser: &mut Browser, user: &str) -> (Exchange, Exchange) {
    let signed_in = browser.post("/login", &[("username", user), ("password", "secret")]);
    (signed_in, browser.get("/home"))
}

fn sleep_until(start: OffsetDateTime, millis: u64) {
    let left = start + Duration::from_millis(millis) - OffsetDateTime::now_utc();
    if left.is_positive() {
        std::thread::sleep(left.try_into().expect("a positive wait"));
    }
}

/// The four steps, `every-device/keys-1-…` to `keys-4-…`.
pub fn play(setup: &Setup) -> io::Result<Vec<Transcript>> {
    let mut n = Normaliser::default();
    let mut ada = Browser::new(0);
    let mut grace = Browser::new(0);
    let mut out = Vec::new();

    // 1. One key. Ada and Grace sign in.
    let one_key = chapter_with(setup, OLD_KEY, &[])?;
    show_as_the_chapter(&mut n, &one_key);
    let server = one_key.start()?;
    ada.use_port(one_key.listen_port());
    grace.use_port(one_key.listen_port());
    let mut text = Text::new(&mut n);
    text.header(&[
        "$OLD_KEY and $NEW_KEY stand for two keys made with `openssl rand -base64 32`",
        &format!(
            "ROCKET_SECRET_KEY=$OLD_KEY ROCKET_SESSION_LIFETIME={IDLE} cargo run -p chapter-1"
        ),
        "Ada and Grace sign in, each in a browser of her own",
    ]);
    let (signed_in, home) = sign_in_as(&mut ada, "ada");
    text.exchange_on(ADA, &signed_in, None);
    text.exchange_on(ADA, &home, None);
    let (signed_in, home) = sign_in_as(&mut grace, "grace");
    let grace_last_seen = home.sent_at;
    text.exchange_on(GRACE, &signed_in, None);
    text.exchange_on(GRACE, &home, None);
    out.push((format!("{FOLDER}/keys-1-one-key.txt"), text.finish()));
    drop(server);

    // 2. The new key is secret_key; the old one is a previous key.
    let rotated = chapter_with(setup, NEW_KEY, &[OLD_KEY])?;
    show_as_the_chapter(&mut n, &rotated);
    let server = rotated.start()?;
    ada.use_port(rotated.listen_port());
    grace.use_port(rotated.listen_port());
    let mut text = Text::new(&mut n);
    text.header(&[
        "restarted with the new key, and the old one among the previous keys:",
        &format!(
            "ROCKET_SECRET_KEY=$NEW_KEY ROCKET_PREVIOUS_SECRET_KEYS=\"[\\\"$OLD_KEY\\\"]\" \
             ROCKET_SESSION_LIFETIME={IDLE} cargo run -p chapter-1"
        ),
    ]);
    text.note(
        "Ada comes back: her cookie opens with the old key, and is sealed again with the new one",
    );
    let back = ada.get("/about");
    assert_eq!(back.status, 200, "a cookie of a previous key opens");
    text.exchange_on(ADA, &back, None);
    out.push((format!("{FOLDER}/keys-2-rotated.txt"), text.finish()));

    // 3. One idle limit later.
    let mut text = Text::new(&mut n);
    sleep_until(grace_last_seen, IDLE * 1000 / 2);
    text.note(&format!("{:.0} seconds later, Ada is still busy", IDLE as f64 / 2.0));
    let busy = ada.get("/about");
    assert_eq!(busy.status, 200);
    text.exchange_on(ADA, &busy, None);
    sleep_until(grace_last_seen, IDLE * 1000 + 500);
    text.note(&format!(
        "one idle limit ({IDLE} s) after Grace's last request, she comes back: her cookie, \
         sealed with the old key, has timed out, old key listed or not"
    ));
    let late = grace.get("/about");
    assert_eq!(late.status, 303, "an idle cookie of the old key is signed out");
    text.exchange_on(GRACE, &late, None);
    out.push((format!("{FOLDER}/keys-3-one-idle-limit-later.txt"), text.finish()));
    drop(server);

    // 4. The old key dropped.
    let dropped = chapter_with(setup, NEW_KEY, &[])?;
    show_as_the_chapter(&mut n, &dropped);
    let _server = dropped.start()?;
    ada.use_port(dropped.listen_port());
    let mut text = Text::new(&mut n);
    text.header(&[
        "restarted with the new key alone:",
        &format!(
            "ROCKET_SECRET_KEY=$NEW_KEY ROCKET_SESSION_LIFETIME={IDLE} cargo run -p chapter-1"
        ),
    ]);
    let still = ada.get("/about");
    assert_eq!(still.status, 200, "Ada's cookie is sealed with the new key");
    text.exchange_on(ADA, &still, None);
    out.push((format!("{FOLDER}/keys-4-old-key-dropped.txt"), text.finish()));
    Ok(out)
}
