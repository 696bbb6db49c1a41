//! The scenarios, one per row of the book's table, each run against both
//! crates and, where a store matters, both stores.

use std::time::Duration;

use rocket::futures::future::join;
use rocket::local::asynchronous::Client;
use rocket::tokio::time::{sleep, timeout, Instant};

use crate::apps::{app, Crate, Setup, Store};
use crate::browser::{Browser, Me};
use crate::proxy::RedisProxy;

/// The rows, in the order the table shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    ReplayAfterIdle,
    BusyPastAbsolute,
    IdAtSignIn,
    TwoChangesAtOnce,
    StoreDown,
    StoreHanging,
}

pub const SCENARIOS: [Scenario; 6] = [
    Scenario::ReplayAfterIdle,
    Scenario::BusyPastAbsolute,
    Scenario::IdAtSignIn,
    Scenario::TwoChangesAtOnce,
    Scenario::StoreDown,
    Scenario::StoreHanging,
];

/// The idle limit of the replay: short, so the scenario waits seconds.
const IDLE: Duration = Duration::from_secs(2);
/// How long the copy waits before it is replayed: past `IDLE`, with a margin.
const REPLAY_AFTER: Duration = Duration::from_millis(3_500);
/// This crate's absolute limit in the busy scenario; the peer has none.
const ABSOLUTE: Duration = Duration::from_secs(3);
/// How long the busy visitor keeps asking, one request per `BUSY_STEP`.
const BUSY_FOR: Duration = Duration::from_secs(5);
const BUSY_STEP: Duration = Duration::from_millis(500);
/// Pairs of simultaneous changes to one session.
const PAIRS: u32 = 25;
/// How long a request may take while Redis hangs before it counts as
/// hanging too: this crate's operation timeout is 2 s.
const DEADLINE: Duration = Duration::from_secs(6);
/// How long Redis has been down when the page is asked for.
const DOWN_FOR: Duration = Duration::from_secs(1);
/// Limits long enough not to matter in the other scenarios.
const LONG: Duration = Duration::from_secs(600);

impl Scenario {
    /// The row's heading.
    pub fn title(self) -> &'static str {
        match self {
            Scenario::ReplayAfterIdle => "A copy of the cookie, replayed after the idle limit",
            Scenario::BusyPastAbsolute => "A session kept busy past an absolute limit",
            Scenario::IdAtSignIn => "The id at sign-in",
            Scenario::TwoChangesAtOnce => "Two requests change one session at once",
            Scenario::StoreDown => "The store down",
            Scenario::StoreHanging => "The store hanging",
        }
    }

    /// What the scenario does, as the table says it.
    pub fn steps(self) -> String {
        match self {
            Scenario::ReplayAfterIdle => format!(
                "Sign in, make one change, copy the cookies; {} s later (idle limit or `max_age` {} s, the peer's `rolling` left off, its default), send the copy.",
                REPLAY_AFTER.as_secs_f64(),
                IDLE.as_secs()
            ),
            Scenario::BusyPastAbsolute => format!(
                "Sign in, then ask for a page every {} s for {} s. This crate: idle limit {} s, absolute limit {} s. The peer: `max_age` {} s, `rolling` on (it has no absolute limit to set).",
                BUSY_STEP.as_secs_f64(),
                BUSY_FOR.as_secs(),
                LONG.as_secs(),
                ABSOLUTE.as_secs(),
                LONG.as_secs()
            ),
            Scenario::IdAtSignIn => "An attacker signs in as mallory and plants the cookies in a victim's browser; the victim signs in as alice; the attacker sends its copy.".to_owned(),
            Scenario::TwoChangesAtOnce => format!(
                "Sign in, then send {PAIRS} pairs of simultaneous requests that each add one to a count in the session; read the count."
            ),
            Scenario::StoreDown => format!(
                "Sign in; Redis goes away (connections cut, new ones closed at once); {} s later, ask for a signed-in page.",
                DOWN_FOR.as_secs()
            ),
            Scenario::StoreHanging => format!(
                "Sign in; Redis keeps its connections open and answers nothing; ask for a signed-in page, and wait up to {} s.",
                DEADLINE.as_secs()
            ),
        }
    }

    /// Whether the scenario is about a store on the server: it runs on Redis only.
    pub fn needs_a_store(self) -> bool {
        matches!(self, Scenario::TwoChangesAtOnce | Scenario::StoreDown | Scenario::StoreHanging)
    }
}

/// Where the real Redis is: `SESSIONS_TEST_REDIS_URL`, as the crate's own
/// Redis tests take it (`scripts/with-redis` sets it).
fn upstream() -> String {
    let url = std::env::var("SESSIONS_TEST_REDIS_URL")
        .unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
    url.trim_start_matches("redis://").trim_end_matches('/').to_owned()
}

/// A key prefix no other run shares.
fn unique_prefix(which: Crate) -> String {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    format!("safety-{}-{:?}-{n}:", std::process::id(), which).to_lowercase()
}

/// Runs `scenario` against `which` crate on `store`, and says what it did.
pub async fn run(scenario: Scenario, which: Crate, store: Store) -> String {
    let proxy = match store {
        Store::Redis => Some(RedisProxy::start(upstream()).expect("a proxy in front of Redis")),
        Store::Cookie => None,
    };
    let (idle, absolute, rolling) = match scenario {
        Scenario::ReplayAfterIdle => (IDLE, LONG, false),
        Scenario::BusyPastAbsolute => (LONG, ABSOLUTE, true),
        _ => (LONG, LONG, false),
    };
    let redis = proxy.as_ref().map(|proxy| (proxy.url(), unique_prefix(which)));
    let setup = Setup { store, idle, absolute, rolling, redis };
    let client = Client::untracked(app(which, &setup)).await.expect("the app launches");
    let mut browser = Browser::new();
    assert!(browser.sign_in(&client, "alice").await.class().is_success(), "sign-in");
    match scenario {
        Scenario::ReplayAfterIdle => {
            browser.add(&client).await;
            let mut copy = browser.clone();
            sleep(REPLAY_AFTER).await;
            signed_in_or_not(copy.me(&client).await)
        }
        Scenario::BusyPastAbsolute => {
            let start = Instant::now();
            // When it was first not signed in, and what it answered then.
            let mut ended = None;
            while start.elapsed() < BUSY_FOR {
                let me = browser.me(&client).await;
                if ended.is_none() && !matches!(me, Me::SignedIn { .. }) {
                    ended = Some((start.elapsed(), me));
                }
                sleep(BUSY_STEP).await;
            }
            match ended {
                None => format!("**still signed in after {} s**", BUSY_FOR.as_secs()),
                // A second's grace: the clock starts after the sign-in,
                // and a record may keep its start to the second.
                Some((at, Me::SignedOut)) if at + Duration::from_secs(1) >= ABSOLUTE => {
                    "signed out at the absolute limit".to_owned()
                }
                Some((at, me)) => format!("ended early, after {:.1} s: {me:?}", at.as_secs_f64()),
            }
        }
        Scenario::IdAtSignIn => {
            let mut attacker = Browser::new();
            attacker.sign_in(&client, "mallory").await;
            let mut victim = attacker.clone();
            victim.sign_in(&client, "alice").await;
            match attacker.me(&client).await {
                Me::SignedIn { name, .. } if name == "alice" => {
                    "**the copy opens alice's session**".to_owned()
                }
                Me::SignedIn { name, .. } => {
                    format!("the copy still holds {name}'s own session, not alice's")
                }
                Me::SignedOut => {
                    "the copy is signed out: mallory's session ended, alice's has a new id"
                        .to_owned()
                }
                Me::Status(code) => format!("{code}"),
            }
        }
        Scenario::TwoChangesAtOnce => {
            for _ in 0..PAIRS {
                let (mut one, mut two) = (browser.clone(), browser.clone());
                join(one.add(&client), two.add(&client)).await;
            }
            match browser.me(&client).await {
                Me::SignedIn { count, .. } if count == 2 * PAIRS => {
                    format!("all {} changes kept", 2 * PAIRS)
                }
                Me::SignedIn { .. } => "**changes lost**".to_owned(),
                other => format!("{other:?}"),
            }
        }
        Scenario::StoreDown => {
            proxy.as_ref().expect("Redis").go_down();
            // A moment for the app's Redis client to see its connections
            // closed: the store has been down for a while, not a
            // millisecond (in that race, the peer's request can hang).
            sleep(DOWN_FOR).await;
            answer_and_cookie(&mut browser, &client).await
        }
        Scenario::StoreHanging => {
            proxy.as_ref().expect("Redis").hang();
            answer_and_cookie(&mut browser, &client).await
        }
    }
}

fn signed_in_or_not(me: Me) -> String {
    match me {
        Me::SignedIn { .. } => "**still signed in**".to_owned(),
        Me::SignedOut => "signed out".to_owned(),
        Me::Status(code) => format!("{code}"),
    }
}

/// What a signed-in page answers within `DEADLINE`, and whether the
/// browser still holds its cookie after it.
async fn answer_and_cookie(browser: &mut Browser, client: &Client) -> String {
    match timeout(DEADLINE, browser.me(client)).await {
        Err(_) => format!("**no answer in {} s**", DEADLINE.as_secs()),
        Ok(me) => {
            let answer = match me {
                Me::SignedIn { .. } => "200, signed in".to_owned(),
                Me::SignedOut => "**looks signed out** (401)".to_owned(),
                Me::Status(code) => format!("{code}"),
            };
            let cookie = if browser.has_cookies() { "cookie kept" } else { "**cookie removed**" };
            format!("{answer}, {cookie}")
        }
    }
}
