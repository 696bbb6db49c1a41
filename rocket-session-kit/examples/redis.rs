//! The visits app with its sessions in Redis, which every instance of the
//! app shares and which expires them by itself; the cookie holds only a
//! random id. Needs a Redis:
//! `ROCKET_DATABASES='{sessions={url="redis://127.0.0.1:6379"}}' cargo run -p rocket-session-kit --example redis`.

mod common;

use rocket_session_kit::{Sessions, Storage};

const SESSIONS: Sessions =
    Sessions::new(Storage::Redis).with_cookie_name("visits").with_store_name("visits");

#[rocket::launch]
fn rocket() -> _ {
    common::app(SESSIONS)
}

/// Needs the Redis of `scripts/with-redis`, as the crate's other Redis
/// test does, and keys of its own.
#[test]
fn visits_are_counted_in_redis() {
    let url = std::env::var("SESSIONS_TEST_REDIS_URL")
        .unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).unwrap();
    let prefix: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let app = common::app(SESSIONS);
    let figment = app
        .figment()
        .clone()
        .merge(("databases.sessions.url", url))
        .merge(("session_key_prefix", format!("test-{prefix}:visits:")));
    common::check(app.configure(figment));
}
