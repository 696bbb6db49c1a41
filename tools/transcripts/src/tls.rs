//! Every hop: chapter 3 served over HTTPS with the development certificate
//! (`ROCKET_TLS`, Rocket's own TLS), and the same chapter over plain HTTP
//! behind a proxy that terminates TLS (`ROCKET_BEHIND_TLS_PROXY=true`).
//! Both show the real `Set-Cookie` of sign-in and sign-out; the sign-in
//! over HTTPS is also on its own, for the closing note of the part.

use std::fs;
use std::io;

use crate::browser::Browser;
use crate::launch::{show_as_the_chapter, Setup};
use crate::normalise::Normaliser;
use crate::page::Excerpt;
use crate::scenario::{sign_in, Text, Transcript};

const CHAPTER: u8 = 3;

/// Plays the steps and returns the transcripts, named below
/// `every-device/`.
pub fn play(setup: &Setup) -> io::Result<Vec<Transcript>> {
    let cert = dev_cert::DevCert::ensure(&dev_cert::default_dir())?;
    let mut out = Vec::new();

    // 1. Rocket serves TLS itself.
    let launch = setup.launch(CHAPTER, "sessions-3.tls")?.rocket("tls", cert.rocket_tls());
    let mut n = Normaliser::default();
    show_as_the_chapter(&mut n, &launch);
    let server = launch.start()?;
    let mut browser = Browser::over_https(launch.listen_port(), &fs::read(&cert.cert)?);
    let mut text = Text::new(&mut n);
    text.note("served over HTTPS: ROCKET_TLS={certs=\"target/dev-cert/cert.pem\",key=\"target/dev-cert/key.pem\"}");
    text.exchange(&sign_in(&mut browser, None), None);
    text.exchange(&browser.get("/home"), Some(Excerpt::Short));
    text.exchange(&browser.submit("/logout", &[]), None);
    out.push(("every-device/tls-served-by-rocket.txt".to_owned(), text.finish()));
    // The sign-in alone, for the part's closing note.
    let mut n = Normaliser::default();
    show_as_the_chapter(&mut n, &launch);
    let mut browser = Browser::over_https(launch.listen_port(), &fs::read(&cert.cert)?);
    let mut text = Text::new(&mut n);
    text.exchange(&sign_in(&mut browser, None), None);
    out.push(("every-device/tls-sign-in.txt".to_owned(), text.finish()));
    drop(server);

    // 2. Plain HTTP from a proxy that terminates TLS.
    let launch = setup.launch(CHAPTER, "sessions-3.tls-proxy")?.rocket("behind_tls_proxy", "true");
    let mut n = Normaliser::default();
    show_as_the_chapter(&mut n, &launch);
    let _server = launch.start()?;
    let mut browser = Browser::new(launch.listen_port());
    let mut text = Text::new(&mut n);
    text.note("plain HTTP, as a proxy that terminates TLS sends it: ROCKET_BEHIND_TLS_PROXY=true");
    text.exchange(&sign_in(&mut browser, None), None);
    text.exchange(&browser.get("/home"), Some(Excerpt::Short));
    out.push(("every-device/tls-behind-a-proxy.txt".to_owned(), text.finish()));
    Ok(out)
}
