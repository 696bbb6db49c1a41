//! The session guards on an app whose data is not the tutorial's: a shop
//! keeps a customer's cart in a session in files. What the chapters
//! guarantee holds for it too: a start always issues a fresh id, the data
//! changes in place, and the idle limit ends the session.

mod common;

use std::sync::Arc;

use rocket::http::Status;
use rocket::local::blocking::Client;
use rocket::time::Duration;
use rocket::{post, routes};

use rocket_session_kit::{ManualClock, Session, Sessions, Storage};

use common::Cart;

/// The shop's sessions: in files, a browser-session cookie, the crate's
/// default limits (30 minutes idle, 12 hours in all).
const SHOP: Sessions =
    Sessions::new(Storage::ServerFiles).with_cookie_name("shop_session").with_store_name("shop");

#[post("/start/<customer>")]
async fn start(customer: &str, session: Session<'_, Cart>) -> Status {
    let cart = Cart { customer: customer.into(), items: Vec::new() };
    match session.start(cart, false, Some(format!("Welcome, {customer}."))).await {
        Ok(()) => Status::Ok,
        Err(_) => Status::ServiceUnavailable,
    }
}

/// Two changes in one request, as a handler may make them.
#[post("/add/<first>/<second>")]
async fn add_two(first: String, second: String, session: Session<'_, Cart>) -> Status {
    for item in [first, second] {
        let add = move |cart: &mut Cart| {
            cart.items.push(item.clone());
            None
        };
        if session.modify(add).await.is_err() {
            return Status::ServiceUnavailable;
        }
    }
    Status::Ok
}

/// Signs out, then tries to change the session it just ended.
#[post("/leave-then-add")]
async fn leave_then_add(session: Session<'_, Cart>) -> Status {
    if session.sign_out().await.is_err() {
        return Status::ServiceUnavailable;
    }
    let add = |cart: &mut Cart| {
        cart.items.push("left behind".into());
        None
    };
    match session.modify(add).await {
        Ok(()) => Status::Ok,
        Err(_) => Status::ServiceUnavailable,
    }
}

/// The shop, its sessions kept as `settings` say.
fn shop_keeping_carts(
    settings: Sessions,
    clock: Arc<ManualClock>,
    folder: &std::path::Path,
) -> Client {
    let figment = rocket::Config::figment().merge(("session_dir", folder));
    let rocket = rocket::custom(figment).attach(settings.fairing_with_clock::<Cart>(clock)).mount(
        "/",
        routes![start, common::add, add_two, leave_then_add, common::cart, common::no_cart],
    );
    Client::tracked(rocket).expect("the shop launches")
}

fn cookie_value(client: &Client) -> String {
    client.cookies().get("shop_session").expect("a session cookie").value().to_owned()
}

#[test]
fn a_cart_lives_in_a_session_of_its_own() {
    let folder = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::default());
    let client = shop_keeping_carts(SHOP, clock.clone(), folder.path());

    assert_eq!(client.get("/cart").dispatch().into_string().unwrap(), "no cart");
    assert_eq!(client.post("/start/ada").dispatch().status(), Status::Ok);
    let first_id = cookie_value(&client);
    for item in ["tea", "jam"] {
        assert_eq!(client.post(format!("/add/{item}")).dispatch().status(), Status::Ok);
    }
    assert_eq!(client.get("/cart").dispatch().into_string().unwrap(), "ada: tea,jam");

    // The record, in the shop's own folder, holds the cart's fields.
    let records: Vec<_> = std::fs::read_dir(folder.path().join("shop"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    assert_eq!(records.len(), 1);
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&records[0]).unwrap()).unwrap();
    assert_eq!((json["customer"].as_str(), json["items"][1].as_str()), (Some("ada"), Some("jam")));

    // A new start is a new session under a new id; the old one is gone.
    assert_eq!(client.post("/start/bob").dispatch().status(), Status::Ok);
    assert_ne!(cookie_value(&client), first_id, "a fresh id at every start");
    assert_eq!(client.get("/cart").dispatch().into_string().unwrap(), "bob: ");

    // Thirty minutes without a request: the idle limit ends the session.
    clock.advance(Duration::minutes(31));
    assert_eq!(client.get("/cart").dispatch().into_string().unwrap(), "no cart");
}

#[test]
fn two_changes_in_one_request_are_both_kept() {
    for storage in [Storage::SealedCookie, Storage::ServerFiles] {
        let folder = tempfile::tempdir().unwrap();
        let settings = SHOP.with_storage(storage);
        let client = shop_keeping_carts(settings, Arc::new(ManualClock::default()), folder.path());
        assert_eq!(client.post("/start/ada").dispatch().status(), Status::Ok);
        assert_eq!(client.post("/add/tea/jam").dispatch().status(), Status::Ok);
        let cart = client.get("/cart").dispatch().into_string().unwrap();
        assert_eq!(cart, "ada: tea,jam", "{storage:?}");
    }
}

#[test]
fn the_sessions_table_of_the_configuration_sets_the_limits() {
    let folder = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::default());
    let figment = rocket::Config::figment()
        .merge(("session_dir", folder.path()))
        .merge(("sessions", rocket::figment::util::map! { "lifetime" => 60 }));
    let rocket =
        rocket::custom(figment).attach(SHOP.fairing_with_clock::<Cart>(clock.clone())).mount(
            "/",
            routes![start, common::add, add_two, leave_then_add, common::cart, common::no_cart],
        );
    let client = Client::tracked(rocket).expect("the shop launches");
    assert_eq!(client.post("/start/ada").dispatch().status(), Status::Ok);
    clock.advance(Duration::seconds(59));
    assert_eq!(client.get("/cart").dispatch().into_string().unwrap(), "ada: ");
    clock.advance(Duration::seconds(61));
    assert_eq!(
        client.get("/cart").dispatch().into_string().unwrap(),
        "no cart",
        "idle 61 s > 60 s"
    );
}

#[test]
fn nothing_later_in_the_request_writes_back_a_session_it_ended() {
    for storage in [Storage::SealedCookie, Storage::ServerFiles] {
        let folder = tempfile::tempdir().unwrap();
        let settings = SHOP.with_storage(storage);
        let client = shop_keeping_carts(settings, Arc::new(ManualClock::default()), folder.path());
        assert_eq!(client.post("/start/ada").dispatch().status(), Status::Ok);
        assert_eq!(client.post("/leave-then-add").dispatch().status(), Status::Ok);
        assert!(client.cookies().get("shop_session").is_none(), "{storage:?}: signed out");
        assert_eq!(client.get("/cart").dispatch().into_string().unwrap(), "no cart", "{storage:?}");
    }
}
