//! Properties, checked on many generated cases (proptest) rather than a
//! few chosen ones, on the shop of `a_shop_of_its_own.rs`, in a sealed
//! cookie and in files:
//!
//! - whatever the limits, and whatever the order of requests and clock
//!   steps, no session is honoured past either of its limits: not after
//!   its idle limit since the last request it was honoured for, not after
//!   its absolute limit since its sign-in, and never again once it ended;
//!   and it is not ended earlier than one refresh step before its idle
//!   deadline;
//! - no cookie value a browser (or an attacker) sends, and no torn record
//!   in the store, panics, fails the request or is taken for a session.

mod common;

use std::sync::Arc;

use proptest::prelude::*;
use rocket::http::{Cookie, Status};
use rocket::local::blocking::Client;
use rocket::time::Duration;
use rocket::{post, routes, Build, Rocket};

use rocket_session_kit::policy::ExpiryPolicy;
use rocket_session_kit::{ManualClock, Session, Sessions, Storage};

use common::Cart;

const COOKIE: &str = "shop_session";

#[post("/start/<customer>")]
async fn start(customer: &str, session: Session<'_, Cart>) -> Status {
    let cart = Cart { customer: customer.into(), items: vec!["tea".into()] };
    match session.start(cart, false, None).await {
        Ok(()) => Status::Ok,
        Err(_) => Status::ServiceUnavailable,
    }
}

/// The shop's sessions in `storage`, with the crate's default limits (30
/// minutes idle, 12 hours in all).
fn sessions(storage: Storage) -> Sessions {
    Sessions::new(storage).with_cookie_name(COOKIE).with_store_name("shop")
}

/// The shop, its sessions as `sessions` says, on `clock`; its files (if
/// any) in `folder`.
fn shop(sessions: Sessions, clock: Arc<ManualClock>, folder: &std::path::Path) -> Rocket<Build> {
    let figment = rocket::Config::figment().merge(("session_dir", folder));
    rocket::custom(figment)
        .attach(sessions.fairing_with_clock::<Cart>(clock))
        .mount("/", routes![start, common::cart, common::no_cart])
}

/// The shop for a client that keeps no cookies: each request carries only
/// the cookie the test gives it.
fn shop_untracked(storage: Storage, folder: &std::path::Path) -> Client {
    let rocket = shop(sessions(storage), Arc::new(ManualClock::default()), folder);
    Client::untracked(rocket).expect("the shop launches")
}

/// Signs ada in on `client`: the session cookie's value.
fn sign_in(client: &Client) -> String {
    let response = client.post("/start/ada").dispatch();
    assert_eq!(response.status(), Status::Ok);
    response.cookies().get(COOKIE).expect("a session cookie").value().to_owned()
}

/// Asks for the cart: `true` if the session was honoured. Any other answer
/// than the cart or "no cart" (a 5xx, a panic caught by Rocket) fails.
fn signed_in(client: &Client) -> bool {
    honoured(client.get("/cart").dispatch())
}

/// Asks for the cart with this session cookie, and no other.
fn signed_in_with(client: &Client, value: String) -> bool {
    honoured(client.get("/cart").cookie(Cookie::new(COOKIE, value)).dispatch())
}

fn honoured(response: rocket::local::blocking::LocalResponse<'_>) -> bool {
    assert_eq!(response.status(), Status::Ok, "the cart page always answers");
    match response.into_string().expect("a body").as_str() {
        "ada: tea" => true,
        "no cart" => false,
        other => panic!("neither the cart nor \"no cart\": {other}"),
    }
}

fn storage() -> impl Strategy<Value = Storage> {
    prop_oneof![Just(Storage::SealedCookie), Just(Storage::ServerFiles)]
}

proptest! {
    // Each case launches a shop and plays up to 12 requests: 64 cases per
    // run keep the file under a few seconds in a debug build.
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn no_session_is_honoured_past_either_limit(
        storage in storage(),
        idle_seconds in 10_i64..3_600,
        absolute_seconds in 10_i64..7_200,
        // Each step: how far the clock moves before the next request, in
        // milliseconds, up to one and a half idle limits.
        fractions in proptest::collection::vec(0_u32..=1_500, 1..12),
    ) {
        let idle = Duration::seconds(idle_seconds);
        let absolute = Duration::seconds(absolute_seconds);
        let refresh_step = ExpiryPolicy::new(idle, absolute).refresh_step;
        let folder = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::default());
        let limits = sessions(storage).with_idle_limit(idle).with_absolute_limit(absolute);
        let client = Client::tracked(shop(limits, clock.clone(), folder.path()))
            .expect("the shop launches");

        prop_assert_eq!(client.post("/start/ada").dispatch().status(), Status::Ok);
        let mut since_sign_in = Duration::ZERO;
        // Time since the last request the session was honoured for.
        let mut since_honoured = Duration::ZERO;
        let mut ended = false;
        for fraction in fractions {
            // `fraction` thousandths of the idle limit, in milliseconds.
            let step = Duration::milliseconds(idle_seconds * i64::from(fraction));
            clock.advance(step);
            since_sign_in += step;
            since_honoured += step;
            let honoured = signed_in(&client);
            if honoured {
                prop_assert!(!ended, "{storage:?}: honoured again after it ended");
                prop_assert!(
                    since_honoured < idle,
                    "{storage:?}: honoured {since_honoured} after the last request, idle limit {idle}"
                );
                prop_assert!(
                    since_sign_in < absolute,
                    "{storage:?}: honoured {since_sign_in} after sign-in, absolute limit {absolute}"
                );
                since_honoured = Duration::ZERO;
            } else {
                // Ended early only by up to one refresh step (the activity
                // it did not record), or at the absolute limit.
                prop_assert!(
                    ended || since_honoured + refresh_step >= idle || since_sign_in >= absolute,
                    "{storage:?}: ended {since_honoured} after the last request \
                     (idle limit {idle}, step {refresh_step}), {since_sign_in} after sign-in"
                );
                ended = true;
            }
        }
    }

    #[test]
    fn no_cookie_value_is_taken_for_a_session(
        storage in storage(),
        // Cookie-safe characters, of every length a browser might send,
        // and the length of a real value.
        value in "[A-Za-z0-9_=+/.%-]{0,400}",
    ) {
        let folder = tempfile::tempdir().unwrap();
        let client = shop_untracked(storage, folder.path());
        // A session exists, so that a store is not merely empty.
        let real = sign_in(&client);
        prop_assert!(signed_in_with(&client, real), "{storage:?}: the real cookie works");
        prop_assert!(
            !signed_in_with(&client, value),
            "{storage:?}: a made-up cookie signed someone in"
        );
    }

    #[test]
    fn a_real_cookie_changed_anywhere_is_no_session(
        storage in storage(),
        position in any::<prop::sample::Index>(),
        replacement in "[A-Za-z0-9_-]",
    ) {
        let folder = tempfile::tempdir().unwrap();
        let client = shop_untracked(storage, folder.path());
        let real = sign_in(&client);
        prop_assert!(signed_in_with(&client, real.clone()), "{storage:?}: the real cookie works");
        let at = position.index(real.len());
        prop_assume!(real[at..at + 1] != replacement);
        let mut changed = real;
        changed.replace_range(at..at + 1, &replacement);
        prop_assert!(
            !signed_in_with(&client, changed),
            "{storage:?}: a cookie changed at {at} still signed in"
        );
    }

    #[test]
    fn a_torn_record_is_no_session(cut in any::<prop::sample::Index>()) {
        let folder = tempfile::tempdir().unwrap();
        let rocket =
            shop(sessions(Storage::ServerFiles), Arc::new(ManualClock::default()), folder.path());
        let client = Client::tracked(rocket).expect("the shop launches");
        prop_assert_eq!(client.post("/start/ada").dispatch().status(), Status::Ok);
        let record = std::fs::read_dir(folder.path().join("shop"))
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .find(|path| path.extension().is_some_and(|ext| ext == "json"))
            .expect("the session's record");
        let bytes = std::fs::read(&record).unwrap();
        // Any prefix short of the closing brace (the record ends in a
        // newline): what a crash in the middle of a write leaves.
        let whole = bytes.trim_ascii_end().len();
        std::fs::write(&record, &bytes[..cut.index(whole)]).unwrap();
        prop_assert!(!signed_in(&client), "a torn record signed someone in");
    }
}
