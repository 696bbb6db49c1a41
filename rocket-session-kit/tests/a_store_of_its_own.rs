//! The store trait is public, so an app can keep its sessions where it
//! likes: here, in memory, the way a reader would write a store of their
//! own. The session code above the trait is the same as for files and
//! Redis: a fresh id at every start, the idle limit for a replayed cookie,
//! the user's list of sessions.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use rocket::http::Status;
use rocket::local::blocking::Client;
use rocket::time::Duration;
use rocket::{get, post, routes};

use rocket_session_kit::store::{
    Decide, Decision, RecordKey, ServerStore, SessionId, SessionStore, StoreUnavailable,
};
use rocket_session_kit::{Error, Storage};
use rocket_session_kit::{ManualClock, Session, SessionOwner, SessionRecord, Sessions};

use common::Cart;

/// Sessions in a map, keyed by the hash of their id, as the crate's own
/// stores key them: the id itself is never stored.
#[derive(Default)]
struct MemoryStore {
    records: Mutex<HashMap<RecordKey, SessionRecord<Cart>>>,
}

#[rocket::async_trait]
impl SessionStore<Cart> for MemoryStore {
    async fn create(
        &self,
        record: &SessionRecord<Cart>,
        _time_to_live: Duration,
    ) -> Result<SessionId, StoreUnavailable> {
        let id = SessionId::generate()?;
        self.records.lock().unwrap().insert(RecordKey::of(&id), record.clone());
        Ok(id)
    }

    async fn get(&self, id: &SessionId) -> Result<Option<SessionRecord<Cart>>, StoreUnavailable> {
        Ok(self.records.lock().unwrap().get(&RecordKey::of(id)).cloned())
    }

    async fn modify(
        &self,
        id: &SessionId,
        decide: Decide<Cart>,
    ) -> Result<Option<SessionRecord<Cart>>, StoreUnavailable> {
        let mut records = self.records.lock().unwrap();
        let key = RecordKey::of(id);
        let Some(mut record) = records.get(&key).cloned() else { return Ok(None) };
        match decide(&mut record) {
            Decision::Keep => Ok(records.get(&key).cloned()),
            Decision::Write { .. } => {
                records.insert(key, record.clone());
                Ok(Some(record))
            }
            Decision::Delete => {
                records.remove(&key);
                Ok(None)
            }
        }
    }

    async fn delete(&self, id: &SessionId) -> Result<(), StoreUnavailable> {
        self.records.lock().unwrap().remove(&RecordKey::of(id));
        Ok(())
    }

    async fn sessions_of(
        &self,
        user_name: &str,
    ) -> Result<Vec<(RecordKey, SessionRecord<Cart>)>, StoreUnavailable> {
        let records = self.records.lock().unwrap();
        let mut theirs: Vec<_> = records
            .iter()
            .filter(|(_, record)| record.data.owner() == user_name)
            .map(|(key, record)| (key.clone(), record.clone()))
            .collect();
        theirs.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
        Ok(theirs)
    }

    async fn delete_of_user(
        &self,
        user_name: &str,
        key: &RecordKey,
    ) -> Result<bool, StoreUnavailable> {
        let mut records = self.records.lock().unwrap();
        let theirs = records.get(key).is_some_and(|record| record.data.owner() == user_name);
        if theirs {
            records.remove(key);
        }
        Ok(theirs)
    }
}

fn answer(result: Result<(), Error>) -> Status {
    result.map_or_else(|e| e.status(), |()| Status::Ok)
}

#[post("/start/<customer>")]
async fn start(customer: &str, session: Session<'_, Cart>) -> Status {
    let cart = Cart { customer: customer.into(), items: Vec::new() };
    answer(session.start(cart, false, None).await)
}

#[post("/add/<item>")]
async fn add(item: String, session: Session<'_, Cart>) -> Status {
    answer(
        session
            .modify(move |cart| {
                cart.items.push(item.clone());
                None
            })
            .await,
    )
}

#[get("/sessions")]
async fn sessions(session: Session<'_, Cart>) -> String {
    let list = session.list_sessions().await.unwrap().expect("a list, from the store");
    let view = session.view();
    let this = view.this_session.expect("signed in");
    format!("{} live, this one named {:?}, in {:?}", list.live.len(), this.record, view.storage)
}

fn shop(clock: Arc<ManualClock>) -> Client {
    let sessions = Sessions::new(Storage::AppStore).with_cookie_name("shop_session");
    let rocket = rocket::build()
        .manage(ServerStore::new(MemoryStore::default()))
        .attach(sessions.fairing_with_clock::<Cart>(clock))
        .mount("/", routes![start, add, common::cart, common::no_cart, sessions]);
    Client::tracked(rocket).expect("the shop launches")
}

#[test]
fn a_store_of_the_apps_own_keeps_its_sessions() {
    let clock = Arc::new(ManualClock::default());
    let client = shop(clock.clone());

    assert_eq!(client.post("/start/ada").dispatch().status(), Status::Ok);
    let first = client.cookies().get("shop_session").expect("a session").value().to_owned();
    assert!(SessionId::parse(&first).is_some(), "the cookie holds only an id");
    assert_eq!(client.post("/add/tea").dispatch().status(), Status::Ok);
    assert_eq!(client.get("/cart").dispatch().into_string().unwrap(), "ada: tea");

    // The user's list of sessions comes from the store; the view says
    // where sessions live, and no record name, since this store gives none.
    assert_eq!(
        client.get("/sessions").dispatch().into_string().unwrap(),
        "1 live, this one named None, in AppStore"
    );

    // A new start is a new session under a new id, and the old one ends.
    assert_eq!(client.post("/start/ada").dispatch().status(), Status::Ok);
    let second = client.cookies().get("shop_session").unwrap().value().to_owned();
    assert_ne!(second, first, "a fresh id at every start");
    assert_eq!(client.get("/cart").dispatch().into_string().unwrap(), "ada: ");
    assert!(client.get("/sessions").dispatch().into_string().unwrap().starts_with("1 live"));

    // The idle limit (30 minutes by default) holds for this store too.
    clock.advance(Duration::minutes(31));
    assert_eq!(client.get("/cart").dispatch().into_string().unwrap(), "no cart");
}

#[test]
fn a_store_of_the_apps_own_that_is_not_managed_stops_the_launch() {
    let sessions = Sessions::new(Storage::AppStore);
    let rocket = rocket::build().attach(sessions.fairing::<Cart>());
    let Err(error) = Client::tracked(rocket) else { panic!("no store, no launch") };
    assert!(
        matches!(error.kind(), rocket::error::ErrorKind::FailedFairings(f)
            if f.iter().any(|f| f.name == "Session manager")),
        "{error:?}"
    );
}
