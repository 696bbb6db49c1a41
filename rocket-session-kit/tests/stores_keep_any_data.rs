//! The server-side stores keep whatever data an app defines, not only the
//! tutorial's: here a shop's cart, owned by a customer. One test, run on
//! each store: the file store, and Redis (at `SESSIONS_TEST_REDIS_URL`, or
//! a local Redis on its standard port; `scripts/with-redis` starts one).

mod common;

use std::sync::Arc;

use rocket::time::{Duration, OffsetDateTime};
use rocket_db_pools::deadpool_redis::{Config as PoolConfig, Runtime};

use rocket_session_kit::csrf::CsrfToken;
use rocket_session_kit::policy::ExpiryPolicy;
use rocket_session_kit::record::SessionRecord;
use rocket_session_kit::store::{
    Decision, FileStore, RecordKey, RedisStore, SessionStore, ThreadedFileStore,
};

use common::Cart;

const A_DAY: Duration = Duration::days(1);

fn policy() -> ExpiryPolicy {
    ExpiryPolicy::new(Duration::minutes(30), Duration::hours(12))
}

fn cart_of(customer: &str, items: &[&str]) -> SessionRecord<Cart> {
    let cart = Cart { customer: customer.into(), items: items.iter().map(|&i| i.into()).collect() };
    SessionRecord::new(cart, OffsetDateTime::now_utc(), CsrfToken::generate().unwrap())
}

/// Creates, reads, changes, lists and deletes carts through `store`.
async fn a_cart_goes_through(store: &dyn SessionStore<Cart>) {
    let record = cart_of("customer-7", &["tea"]);
    let id = store.create(&record, A_DAY).await.unwrap();
    assert_eq!(store.get(&id).await.unwrap(), Some(record.clone()));

    let add_biscuits = Arc::new(|record: &mut SessionRecord<Cart>| {
        record.data.items.push("biscuits".into());
        Decision::Write { time_to_live: A_DAY }
    });
    let changed = store.modify(&id, add_biscuits).await.unwrap().expect("the cart");
    assert_eq!(changed.data.items, ["tea", "biscuits"]);
    assert_eq!(store.get(&id).await.unwrap(), Some(changed.clone()));

    let theirs = store.sessions_of("customer-7").await.unwrap();
    assert_eq!(theirs, [(RecordKey::of(&id), changed)], "listed under its owner");
    assert_eq!(store.sessions_of("customer-8").await.unwrap(), []);

    let key = RecordKey::of(&id);
    assert!(!store.delete_of_user("customer-8", &key).await.unwrap(), "not theirs");
    assert!(store.get(&id).await.unwrap().is_some());
    assert!(store.delete_of_user("customer-7", &key).await.unwrap());
    assert_eq!(store.get(&id).await.unwrap(), None);
    assert_eq!(store.sessions_of("customer-7").await.unwrap(), []);
}

#[rocket::async_test]
async fn the_file_store_keeps_a_cart() {
    let root = tempfile::tempdir().unwrap();
    let files = FileStore::<Cart>::new(root.path().join("carts"), policy());
    a_cart_goes_through(&ThreadedFileStore::new(files)).await;

    // On disk, the cart's fields stand beside the session's own.
    let record = cart_of("customer-9", &["jam"]);
    let files = FileStore::<Cart>::new(root.path().join("carts"), policy());
    let id = files.create(&record).unwrap();
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(files.path_of(&id)).unwrap()).unwrap();
    assert_eq!(json["customer"], "customer-9");
    assert_eq!(json["items"][0], "jam");
    assert_eq!(json["csrf_token"], record.csrf_token.as_str());
}

#[rocket::async_test]
async fn the_redis_store_keeps_a_cart() {
    let url = std::env::var("SESSIONS_TEST_REDIS_URL")
        .unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
    let pool = PoolConfig::from_url(url).create_pool(Some(Runtime::Tokio1)).unwrap();
    // A prefix of this run's own, so that no other test's keys are touched.
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).unwrap();
    let prefix: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let store = RedisStore::<Cart>::new(pool, format!("test-{prefix}:carts:"));
    a_cart_goes_through(&store).await;
}
