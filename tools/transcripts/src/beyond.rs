//! The transcripts of "Beyond one server": two instances of chapter 4, a
//! stranger to each other; two instances of chapter 5, sharing one Redis;
//! what Redis holds after a sign-in; and chapter 5 while Redis is down.

use std::io;
use tutorial::store::redis::BACK_OFF;

use cookie::Cookie;
use launcher::{KeySpace, Launch};

use crate::browser::{Browser, Exchange};
use crate::launch::{records_of, show_default_prefix, Setup};
use crate::normalise::Normaliser;
use crate::page::Excerpt;
use crate::scenario::{cookie_name, sign_in, Text, Transcript};
use launcher::RedisServer;

/// The folder below `book/src/transcripts` these transcripts go to.
pub const FOLDER: &str = "beyond-one-server";

/// One scenario's work: its transcripts.
pub type Scenario = fn(&Setup) -> io::Result<Vec<Transcript>>;

/// The scenarios, each a name (to say what the run waits for) and its
/// work, ready to run on a thread of its own.
pub fn scenarios() -> [(&'static str, Scenario); 4] {
    [
        ("two instances of chapter 4", files_two_instances),
        ("two instances of chapter 5", two_instances),
        ("what Redis holds", redis_keys),
        ("chapter 5 while Redis is down", redis_down),
    ]
}

/// The ports the transcripts show for two instances of `number`: its
/// default and `step` above it (chapter 5's documentation gives a second
/// instance 8055, clear of chapter 6's 8006), or for chapter 4 one that
/// clashes with no chapter.
fn shown_ports(number: u8, step: u16) -> (u16, u16) {
    let port = launcher::chapter(number).default_port;
    (port, port + step)
}

/// A normaliser that shows this run's prefix of `launch` as chapter 5's.
fn normaliser_for(launch: &Launch) -> Normaliser {
    let mut n = Normaliser::default();
    show_default_prefix(&mut n, launch);
    n
}

fn instance(name: char, shown_port: u16) -> String {
    format!("instance {name} (port {shown_port})")
}

fn transcript(name: &str, text: Text) -> Vec<Transcript> {
    vec![(format!("{FOLDER}/{name}"), text.finish())]
}

/// The lifetime a sign-in gave its cookie (`Max-Age`), in seconds.
fn cookie_lifetime(sign_in: &Exchange) -> u64 {
    let raw = sign_in.set_cookies.first().expect("sign-in sets the session cookie");
    let max_age = Cookie::parse(raw.as_str()).ok().and_then(|c| c.max_age());
    let seconds = max_age.expect("the session cookie has a Max-Age").whole_seconds();
    u64::try_from(seconds).expect("a positive Max-Age")
}

/// Chapter 4 twice, each with its own folder as on two machines: the
/// second has never heard of a session the first created.
fn files_two_instances(setup: &Setup) -> io::Result<Vec<Transcript>> {
    let a = setup.launch(4, "files-instance-a")?;
    let b = setup.launch(4, "files-instance-b")?;
    let (shown_a, shown_b) = shown_ports(4, 10);
    let mut n = Normaliser::default();
    n.named_session_dir(&a.records_dir(), "<session_dir A>");
    n.named_session_dir(&b.records_dir(), "<session_dir B>");
    let _server_a = a.start()?;
    let _server_b = b.start()?;

    let mut text = Text::new(&mut n);
    text.header(&[
        "two instances of chapter 4, each with its own folder, as on two machines:",
        &format!(
            "  ROCKET_PORT={shown_a} ROCKET_SESSION_DIR={} cargo run -p chapter-4",
            a.records_dir().display()
        ),
        &format!(
            "  ROCKET_PORT={shown_b} ROCKET_SESSION_DIR={} cargo run -p chapter-4",
            b.records_dir().display()
        ),
    ]);
    let mut browser = Browser::new(a.listen_port());
    text.exchange_on(&instance('A', shown_a), &sign_in(&mut browser, Some("/about")), None);
    text.store(&mut records_of(&a)?, false);
    text.store(&mut records_of(&b)?, false);
    browser.use_port(b.listen_port());
    text.exchange_on(&instance('B', shown_b), &browser.get("/about"), None);
    Ok(transcript("files-two-instances.txt", text))
}

/// Chapter 5 twice, on one Redis with one key prefix: a session begun on
/// one instance continues on the other, and a sign-out on either is a
/// sign-out on both.
fn two_instances(setup: &Setup) -> io::Result<Vec<Transcript>> {
    let a = setup.launch(5, "two-instances")?;
    // The same keys: that is the point.
    let shared = a.redis_keys().expect("chapter 5's keys").clone();
    let b = setup.launch(5, "two-instances")?.key_space(shared);
    let (port_a, port_b) = (a.listen_port(), b.listen_port());
    let (shown_a, shown_b) = shown_ports(5, 50);
    let (on_a, on_b) = (instance('A', shown_a), instance('B', shown_b));
    let mut n = normaliser_for(&a);
    let _server_a = a.start()?;
    let _server_b = b.start()?;

    let mut text = Text::new(&mut n);
    text.header(&[
        "two instances of chapter 5, with the same Redis and the same key prefix (the defaults):",
        &format!("  instance A: ROCKET_PORT={shown_a} cargo run -p chapter-5"),
        &format!("  instance B: ROCKET_PORT={shown_b} cargo run -p chapter-5"),
    ]);
    let mut browser = Browser::new(port_a);
    let signed_in = sign_in(&mut browser, Some("/about"));
    let name = cookie_name(&signed_in);
    text.exchange_on(&on_a, &signed_in, None);

    browser.use_port(port_b);
    text.exchange_on(&on_b, &browser.get("/about"), Some(Excerpt::Short));
    text.exchange_on(&on_b, &browser.submit("/theme", &[("next", "/home")]), None);

    browser.use_port(port_a);
    text.exchange_on(&on_a, &browser.get("/home"), Some(Excerpt::Short));

    let copy = browser.cookie(&name).expect("the session cookie");
    browser.use_port(port_b);
    text.exchange_on(&on_b, &browser.submit("/logout", &[]), None);

    text.note("a copy of the cookie from before the sign-out, sent to instance A");
    let mut old = Browser::with_copy_of(port_a, &name, &copy);
    text.exchange_on(&on_a, &old.get("/about"), None);
    Ok(transcript("two-instances.txt", text))
}

/// What Redis holds after a sign-in: one key, its time to live, the record.
fn redis_keys(setup: &Setup) -> io::Result<Vec<Transcript>> {
    let launch = setup.launch(5, "redis-keys")?;
    let mut n = normaliser_for(&launch);
    let mut store = records_of(&launch)?;
    let _server = launch.start()?;

    let mut text = Text::new(&mut n);
    let mut browser = Browser::new(launch.listen_port());
    let signed_in = sign_in(&mut browser, Some("/about"));
    text.exchange(&signed_in, None);
    text.store(&mut store, false);
    for key in store.names()? {
        text.pttl(&mut store, &key, cookie_lifetime(&signed_in));
        text.record(&mut store, &key);
    }
    Ok(transcript("redis-keys.txt", text))
}

/// Chapter 5 while its Redis is down, and after it is back.
fn redis_down(setup: &Setup) -> io::Result<Vec<Transcript>> {
    let mut redis = RedisServer::keeping_files_in(&setup.work.join("redis-down-data"))?;
    redis.start()?;
    let launch = setup.launch(5, "redis-down")?;
    let prefix = launch.redis_keys().expect("chapter 5's keys").prefix.clone();
    let launch = launch.key_space(KeySpace::new(redis.url(), prefix));
    let mut n = normaliser_for(&launch);
    n.port(redis.port(), 6379);
    let _server = launch.start()?;
    let port = launch.listen_port();

    let mut text = Text::new(&mut n);
    text.header(&[
        "Redis, keeping an append-only file that is written at every change:",
        "  redis-server --appendonly yes --appendfsync always",
        "and chapter 5: cargo run -p chapter-5",
    ]);
    let mut browser = Browser::new(port);
    text.exchange(&sign_in(&mut browser, Some("/about")), None);

    redis.kill();
    text.note("Redis was stopped (killed)");
    text.exchange(&browser.get("/about"), Some(Excerpt::Short));
    text.exchange(&browser.get("/products"), Some(Excerpt::Short));

    redis.start()?;
    // For a moment after a failure the chapter does not ask Redis at all.
    std::thread::sleep(BACK_OFF + std::time::Duration::from_millis(200));
    text.header(&[
        "Redis was started again, from its append-only file.",
        &format!(
            "{} s later (the chapter's back-off: it does not ask a Redis that just failed):",
            BACK_OFF.as_secs()
        ),
    ]);
    text.exchange(&browser.get("/about"), Some(Excerpt::Short));
    Ok(transcript("redis-down.txt", text))
}
