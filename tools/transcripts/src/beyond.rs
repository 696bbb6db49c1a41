//! The transcripts of "Beyond one server": two instances of chapter 4, a
//! stranger to each other; two instances of chapter 5, sharing one Redis;
//! what Redis holds after a sign-in; and chapter 5 while Redis is down.

use std::io;
use std::path::PathBuf;

use cookie::Cookie;

use crate::browser::{Browser, Exchange};
use crate::normalise::Normaliser;
use crate::page::Excerpt;
use crate::records::Records;
use crate::scenario::{cookie_name, default_key_prefix, records_of, sign_in, Text, Transcript};
use crate::server::{self, Launch, RedisLaunch, RedisServer, Server};

/// The folder below `book/src/transcripts` these transcripts go to.
pub const FOLDER: &str = "beyond-one-server";

/// What the scenarios start, and where.
pub struct Setup {
    pub root: PathBuf,
    pub chapter_4: PathBuf,
    pub chapter_5: PathBuf,
    /// The Redis the chapter-5 instances share (`SESSIONS_TEST_REDIS_URL`).
    pub redis_url: String,
    /// Starts every Redis key prefix of this run.
    pub run_prefix: String,
    pub work: PathBuf,
}

/// One scenario, ready to run on a thread of its own.
pub type Job<'a> = Box<dyn FnOnce() -> io::Result<Vec<Transcript>> + Send + 'a>;

/// The ports the transcripts show: chapter 5's default and the one its
/// documentation gives a second instance; chapter 4's default and one
/// that clashes with no chapter.
const CHAPTER_4_PORTS: (u16, u16) = (8004, 8014);
const CHAPTER_5_PORTS: (u16, u16) = (8005, 8006);

/// The scenarios, each with the ports it needs (taken from `taken`'s range).
pub fn jobs<'a>(setup: &'a Setup, taken: &mut Vec<u16>) -> io::Result<Vec<Job<'a>>> {
    let mut port = || -> io::Result<u16> {
        let port = server::free_port(taken)?;
        taken.push(port);
        Ok(port)
    };
    let files = (port()?, port()?);
    let shared = (port()?, port()?);
    let keys = port()?;
    let (down, redis) = (port()?, port()?);
    Ok(vec![
        Box::new(move || files_two_instances(setup, files)),
        Box::new(move || two_instances(setup, shared)),
        Box::new(move || redis_keys(setup, keys)),
        Box::new(move || redis_down(setup, down, redis)),
    ])
}

impl Setup {
    /// Chapter 4 on `port`, with its own folder `name`.
    fn chapter_4(&self, port: u16, name: &str) -> Launch {
        Launch {
            root: self.root.clone(),
            binary: self.chapter_4.clone(),
            port,
            session_dir: self.work.join(name),
            lifetime: None,
            redis: None,
        }
    }

    /// Chapter 5 on `port`, with the Redis at `url` and keys of this run's
    /// scenario `name`.
    fn chapter_5(&self, port: u16, name: &str, url: &str) -> Launch {
        Launch {
            root: self.root.clone(),
            binary: self.chapter_5.clone(),
            port,
            session_dir: self.work.join(name),
            lifetime: None,
            redis: Some(RedisLaunch {
                url: url.to_owned(),
                key_prefix: format!("{}{name}:{}", self.run_prefix, default_key_prefix(5)),
            }),
        }
    }

    fn log(&self, name: &str) -> PathBuf {
        self.work.join(format!("{name}.log"))
    }
}

/// A normaliser that shows this run's prefix of `launch` as chapter 5's.
fn normaliser_for(launches: &[&Launch]) -> Normaliser {
    let mut n = Normaliser::default();
    for launch in launches {
        if let Some(redis) = &launch.redis {
            n.key_prefix(&redis.key_prefix, &default_key_prefix(5));
        }
    }
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
fn files_two_instances(setup: &Setup, (port_a, port_b): (u16, u16)) -> io::Result<Vec<Transcript>> {
    let a = setup.chapter_4(port_a, "files-instance-a");
    let b = setup.chapter_4(port_b, "files-instance-b");
    let (shown_a, shown_b) = CHAPTER_4_PORTS;
    let mut n = Normaliser::default();
    n.named_session_dir(&a.session_dir, "<session_dir A>");
    n.named_session_dir(&b.session_dir, "<session_dir B>");
    let _server_a = Server::start(&a, &setup.log("files-instance-a"))?;
    let _server_b = Server::start(&b, &setup.log("files-instance-b"))?;

    let mut text = Text::new(&mut n);
    text.header(&[
        "two instances of chapter 4, each with its own folder, as on two machines:",
        &format!(
            "  ROCKET_PORT={shown_a} ROCKET_SESSION_DIR={} cargo run -p chapter-4",
            a.session_dir.display()
        ),
        &format!(
            "  ROCKET_PORT={shown_b} ROCKET_SESSION_DIR={} cargo run -p chapter-4",
            b.session_dir.display()
        ),
    ]);
    let mut browser = Browser::new(port_a);
    text.exchange_on(&instance('A', shown_a), &sign_in(&mut browser, Some("/about")), None);
    text.store(&mut Records::Files(a.session_dir.clone()), false);
    text.store(&mut Records::Files(b.session_dir.clone()), false);
    browser.use_port(port_b);
    text.exchange_on(&instance('B', shown_b), &browser.get("/about"), None);
    Ok(transcript("files-two-instances.txt", text))
}

/// Chapter 5 twice, on one Redis with one key prefix: a session begun on
/// one instance continues on the other, and a sign-out on either is a
/// sign-out on both.
fn two_instances(setup: &Setup, (port_a, port_b): (u16, u16)) -> io::Result<Vec<Transcript>> {
    // The same name, so the same keys: that is the point.
    let a = setup.chapter_5(port_a, "two-instances", &setup.redis_url);
    let b = setup.chapter_5(port_b, "two-instances", &setup.redis_url);
    let (shown_a, shown_b) = CHAPTER_5_PORTS;
    let (on_a, on_b) = (instance('A', shown_a), instance('B', shown_b));
    let mut n = normaliser_for(&[&a]);
    let _server_a = Server::start(&a, &setup.log("two-instances-a"))?;
    let _server_b = Server::start(&b, &setup.log("two-instances-b"))?;

    let mut text = Text::new(&mut n);
    text.header(&[
        "two instances of chapter 5, with the Redis and key prefix of Rocket.toml:",
        &format!("  instance A: ROCKET_PORT={shown_a} cargo run -p chapter-5"),
        &format!("  instance B: ROCKET_PORT={shown_b} cargo run -p chapter-5"),
    ]);
    let mut browser = Browser::new(port_a);
    let signed_in = sign_in(&mut browser, Some("/about"));
    let name = cookie_name(&signed_in);
    text.exchange_on(&on_a, &signed_in, None);

    browser.use_port(port_b);
    text.exchange_on(&on_b, &browser.get("/about"), Some(Excerpt::Short));
    text.exchange_on(&on_b, &browser.post("/theme", &[("next", "/home")]), None);

    browser.use_port(port_a);
    text.exchange_on(&on_a, &browser.get("/home"), Some(Excerpt::Short));

    let copy = browser.cookie(&name).expect("the session cookie");
    browser.use_port(port_b);
    text.exchange_on(&on_b, &browser.post("/logout", &[]), None);

    text.note("a copy of the cookie from before the sign-out, sent to instance A");
    let mut old = Browser::with_copy_of(port_a, &name, &copy);
    text.exchange_on(&on_a, &old.get("/about"), None);
    Ok(transcript("two-instances.txt", text))
}

/// What Redis holds after a sign-in: one key, its time to live, the record.
fn redis_keys(setup: &Setup, port: u16) -> io::Result<Vec<Transcript>> {
    let launch = setup.chapter_5(port, "redis-keys", &setup.redis_url);
    let mut n = normaliser_for(&[&launch]);
    let mut store = records_of(&launch)?;
    let _server = Server::start(&launch, &setup.log("redis-keys"))?;

    let mut text = Text::new(&mut n);
    let mut browser = Browser::new(port);
    let signed_in = sign_in(&mut browser, Some("/about"));
    text.exchange(&signed_in, None);
    text.store(&mut store, false);
    for key in store.names() {
        text.pttl(&mut store, &key, cookie_lifetime(&signed_in));
        text.record(&mut store, &key);
    }
    Ok(transcript("redis-keys.txt", text))
}

/// Chapter 5 while its Redis is down, and after it is back.
fn redis_down(setup: &Setup, port: u16, redis_port: u16) -> io::Result<Vec<Transcript>> {
    let mut redis = RedisServer::new(redis_port, &setup.work.join("redis-down-data"))?;
    redis.start()?;
    let launch = setup.chapter_5(port, "redis-down", &redis.url());
    let mut n = normaliser_for(&[&launch]);
    n.port(redis_port, 6379);
    let _server = Server::start(&launch, &setup.log("redis-down"))?;

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
    text.note("Redis was started again, from its append-only file");
    text.exchange(&browser.get("/about"), Some(Excerpt::Short));
    Ok(transcript("redis-down.txt", text))
}
