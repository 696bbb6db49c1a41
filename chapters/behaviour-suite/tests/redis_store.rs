//! What the Redis chapter adds to the behaviour table: records that Redis
//! expires by itself, sessions shared by two instances, changes that are
//! never lost between them, and a clear 503 while Redis is down.

// A function that is neither a test nor used by one fails the build:
// no behaviour can be written and then never run.
#![deny(dead_code)]
// `figment::Jail` closures must return `figment::Error`, which is large.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use rocket::figment::Jail;
use rocket::http::Status;
use rocket::local::blocking::LocalResponse;
use rocket_db_pools::deadpool_redis::redis::{self, Commands};
use rocket_db_pools::deadpool_redis::{Config as PoolConfig, Runtime};

use behaviour_suite::SessionRecord;
use behaviour_suite::*;
use launcher::RedisServer;
use rstest::rstest;
use rstest_reuse::apply;
use tutorial::chapter::{figment, DEFAULT_REDIS_URL};
use tutorial::store::redis::{RedisStoreConfig, BACK_OFF};
use tutorial::store::{Decision, RedisStore, SessionId, SessionStore};
use tutorial::{Chapter, Storage, Theme};

/// The PTTL of `key`, in milliseconds (negative when there is no key).
fn pttl(key: &str) -> i64 {
    test_redis().pttl(key).expect("PTTL")
}

fn session_id(cookie: &rocket::http::Cookie<'_>) -> SessionId {
    SessionId::parse(cookie.value()).expect("the cookie holds a session id")
}

// ---------------------------------------------------------------- configuration

#[apply(redis_chapter)]
fn redis_url_comes_from_rocket_toml_or_environment(#[case] chapter: Chapter) {
    #[derive(serde::Deserialize)]
    struct Db {
        url: String,
    }
    let url = |figment: rocket::figment::Figment| {
        figment.extract_inner::<Db>("databases.sessions").map(|db| db.url)
    };
    Jail::expect_with(|jail| {
        clear_rocket_env(jail);
        assert_eq!(url(figment(&chapter))?, DEFAULT_REDIS_URL);
        assert_eq!(DEFAULT_REDIS_URL, "redis://127.0.0.1:6379");
        let prefix: RedisStoreConfig = chapter.sessions.extract(&figment(&chapter))?;
        assert_eq!(prefix.session_key_prefix, "chapter-5:session:");

        jail.create_file(
            "Rocket.toml",
            "[default.databases.sessions]\nurl = \"redis://127.0.0.1:7000\"\n",
        )?;
        assert_eq!(url(figment(&chapter))?, "redis://127.0.0.1:7000");
        jail.set_env("ROCKET_DATABASES", r#"{sessions={url="redis://10.0.0.5:6380/2"}}"#);
        assert_eq!(url(figment(&chapter))?, "redis://10.0.0.5:6380/2");
        Ok(())
    });
    // And the repository's Rocket.toml names the default explicitly.
    let toml = std::fs::read_to_string(ROCKET_TOML).expect("the repository's Rocket.toml");
    assert!(toml.contains("[default.databases.sessions]"), "Rocket.toml shows the key");
}

// ---------------------------------------------------------------- the records

// ANCHOR: records_are_keys
#[apply(redis_chapter)]
fn records_are_redis_keys_named_by_hash_that_expire(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    let cookie = app.sign_in("ada");
    let id = session_id(&cookie);
    let key = format!("{}{}", app.key_prefix(), id.hashed());
    assert_eq!(app.records(), vec![key.clone()], "one key: the prefix and the id's SHA-256");
    assert!(!key.contains(id.as_str()), "the key does not give the id away");
    let lifetime_ms = chapter.default_session_lifetime().whole_milliseconds() as i64;
    let ttl = pttl(&key);
    assert!(
        lifetime_ms - 5_000 < ttl && ttl <= lifetime_ms,
        "Redis expires the record after the idle limit: PTTL {ttl} ms"
    );
    let record: serde_json::Value = serde_json::from_slice(&app.record(&key).unwrap()).unwrap();
    assert_eq!(record["user_name"], "ada");
    assert!(app.page("/home").contains(&key), "the panel names the key");
}
// ANCHOR_END: records_are_keys

// ANCHOR: activity_pushes_expiry
#[apply(redis_chapter)]
fn activity_pushes_redis_expiry_back(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    let key = app.record_name_of(&session_id(&app.sign_in("ada")));
    let step = default_policy(&chapter).refresh_step;
    // Pretend most of the lifetime went by, as far as Redis knows.
    let _: () = test_redis().pexpire(&key, 10_000).unwrap();

    app.wait_for(step / 2);
    assert_signed_in_as(&app.page("/about"), "ada");
    assert!(pttl(&key) <= 10_000, "within a refresh step the record is only read");

    app.wait_for(step / 2);
    assert_signed_in_as(&app.page("/about"), "ada");
    let lifetime_ms = chapter.default_session_lifetime().whole_milliseconds() as i64;
    assert!(pttl(&key) > lifetime_ms - 5_000, "a step later, the expiry starts again");
}
// ANCHOR_END: activity_pushes_expiry

// ANCHOR: pttl_sooner
/// Redis keeps a record until the sooner of its two deadlines: the idle one
/// at sign-in, the absolute one once that is nearer. (The app's clock moves
/// 200 s; Redis's only a moment, so the PTTL is what the app asked for.)
#[apply(redis_chapter)]
fn redis_keeps_a_record_until_the_sooner_deadline(#[case] chapter: Chapter) {
    let idle_ms = chapter.default_session_lifetime().whole_milliseconds() as i64;
    let absolute = chapter.default_session_lifetime() + rocket::time::Duration::seconds(100);
    let app = TestConfig::new(chapter).absolute_lifetime(absolute.whole_seconds() as u64).launch();
    let key = app.record_name_of(&session_id(&app.sign_in("ada")));
    let ttl = pttl(&key);
    assert!(idle_ms - 5_000 < ttl && ttl <= idle_ms, "the idle deadline first: PTTL {ttl} ms");

    app.wait(200);
    assert_signed_in_as(&app.page("/about"), "ada");
    let left_ms = (absolute.whole_seconds() - 200) * 1_000;
    let ttl = pttl(&key);
    assert!(
        left_ms - 5_000 < ttl && ttl <= left_ms,
        "then the absolute one, {left_ms} ms away, not the idle one: PTTL {ttl} ms"
    );
}
// ANCHOR_END: pttl_sooner

// ANCHOR: redis_expires
/// No sweep and no request needed: Redis deletes an idle record by itself.
/// The app's clock does not move here; only Redis's does (one real second).
#[apply(redis_chapter)]
fn redis_expires_idle_sessions_by_itself(#[case] chapter: Chapter) {
    let app = TestConfig::new(chapter).lifetime(1).launch();
    let cookie = app.sign_in("ada");
    let key = app.record_name_of(&session_id(&cookie));
    assert_eq!(app.records(), vec![key]);
    eventually("Redis expires the record", || app.records().is_empty());
    let response = app.get_with_cookie("/about", &cookie);
    assert_is_redirect_to(&response, "/login?next=/about");
    assert!(is_removal(&session_cookie(&chapter, &response).expect("the cookie is removed")));
}
// ANCHOR_END: redis_expires

#[apply(redis_chapter)]
fn corrupt_records_mean_signed_out_and_are_removed(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    let corruptions: [(&str, &[u8]); 4] = [
        ("truncated", b"{\"user_name\": \"ad"),
        ("empty", b""),
        ("binary", &[0xff, 0x00, 0xfe]),
        ("wrong shape", br#"{"user_name": 5}"#),
    ];
    for (what, bytes) in corruptions {
        let cookie = app.sign_in("ada");
        let key = app.records().pop().unwrap();
        app.overwrite_record(&key, bytes);
        let response = app.get_with_cookie("/about", &cookie);
        assert_is_redirect_to(&response, "/login?next=/about");
        assert!(is_removal(&session_cookie(&chapter, &response).expect("removed")), "{what}");
        assert!(app.records().is_empty(), "{what}: the record is removed");
    }
    // A key of another type (a list, say) where the record should be.
    let cookie = app.sign_in("ada");
    let key = app.records().pop().unwrap();
    let _: () = test_redis().del(&key).unwrap();
    let _: () = test_redis().rpush(&key, "not a session").unwrap();
    let response = app.get_with_cookie("/home", &cookie);
    assert_eq!(response.status(), Status::Ok, "a page, not a 5xx");
    assert_signed_out(&response.into_string().unwrap());
    let _: () = test_redis().del(&key).unwrap();
}

// ---------------------------------------------------------------- two instances

/// A second instance of `app`'s chapter sharing its Redis and its keys, as
/// a second server behind the same load balancer would.
fn second_instance(app: &TestApp) -> TestApp {
    let prefix = app.key_prefix().to_owned();
    TestConfig::new(app.chapter).set("session_key_prefix", prefix).launch()
}

// ANCHOR: two_instances
#[apply(redis_chapter)]
fn two_instances_share_one_session(#[case] chapter: Chapter) {
    let first = TestApp::launch(chapter);
    let second = second_instance(&first);

    // Signed in on the first instance...
    let cookie = first.sign_in("ada");
    // ...the browser's next request lands on the second: still signed in.
    let response = second.get_with_cookie("/about", &cookie);
    assert_eq!(response.status(), Status::Ok);
    assert_signed_in_as(&response.into_string().unwrap(), "ada");

    // A change made on the second is seen by the first.
    assert_is_redirect_to(&second.post_theme("/home"), "/home");
    assert!(first.page("/home").contains(r#"<body class="light">"#), "one session, one theme");

    // Signing out on the second signs out everywhere.
    assert_is_redirect_to(&second.post_logout(), "/logout");
    assert!(first.records().is_empty(), "the one record is gone");
    let response = first.get_with_cookie("/about", &cookie);
    assert_is_redirect_to(&response, "/login?next=/about");
    assert!(is_removal(&session_cookie(&chapter, &response).expect("the cookie is removed")));
}
// ANCHOR_END: two_instances

// ANCHOR: files_do_not_share
/// Why chapter 4 cannot do this: two instances that each keep files on
/// their own machine (here: their own folder) do not know each other's users.
#[apply(redis_chapter)]
fn two_instances_on_files_do_not_share(#[case] chapter: Chapter) {
    let on_files =
        Chapter { sessions: chapter.sessions.with_storage(Storage::ServerFiles), ..chapter };
    let first = TestApp::launch(on_files);
    let second = TestApp::launch(on_files);
    let cookie = first.sign_in("ada");
    assert_signed_in_as(&first.page("/about"), "ada");
    let response = second.get_with_cookie("/about", &cookie);
    assert_is_redirect_to(&response, "/login?next=/about");
    assert!(is_removal(&session_cookie(&on_files, &response).expect("a stranger's cookie")));
}
// ANCHOR_END: files_do_not_share

// ANCHOR: no_lost_update
/// Forty-one theme toggles, from two instances' worth of concurrent
/// requests on one session: with a plain read-then-write, some toggles
/// would overwrite others. `WATCH`/`MULTI`/`EXEC` retries them instead, so
/// the theme ends where forty-one toggles must leave it: light.
#[apply(redis_chapter)]
fn concurrent_changes_lose_no_update(#[case] chapter: Chapter) {
    const TOGGLES: usize = 41;
    let prefix = unique_key_prefix(&chapter);
    let runtime = rocket::tokio::runtime::Runtime::new().unwrap();
    let pool = PoolConfig::from_url(test_redis_url()).create_pool(Some(Runtime::Tokio1)).unwrap();
    let stores: Vec<Arc<RedisStore<behaviour_suite::SessionData>>> =
        (0..2).map(|_| Arc::new(RedisStore::new(pool.clone(), prefix.clone()))).collect();
    let lifetime = chapter.default_session_lifetime();
    let now = rocket::time::OffsetDateTime::now_utc();
    let session = record_of("ada", now);
    let final_theme = runtime.block_on(async {
        let id = stores[0].create(&session, lifetime).await.unwrap();
        let toggles = (0..TOGGLES).map(|i| {
            let (store, id) = (stores[i % 2].clone(), id.clone());
            rocket::tokio::spawn(async move {
                let toggle = Arc::new(move |r: &mut SessionRecord| {
                    r.data.theme = r.data.theme.toggled();
                    Decision::Write { time_to_live: lifetime }
                });
                store.modify(&id, toggle).await.unwrap().expect("a live session")
            })
        });
        for toggle in toggles.collect::<Vec<_>>() {
            toggle.await.unwrap();
        }
        let loaded = stores[1].get(&id).await.unwrap().unwrap();
        stores[1].delete(&id).await.unwrap();
        loaded.data.theme
    });
    assert_eq!(final_theme, Theme::Light, "every one of {TOGGLES} toggles counted");
}
// ANCHOR_END: no_lost_update

// ---------------------------------------------------------------- Redis down

/// A Redis server of the test's own, on a port of its own, that the test
/// stops and starts again. Its append-only file is flushed at every write,
/// so a restarted Redis comes back with its sessions.
fn own_redis() -> RedisServer {
    RedisServer::new().expect("a folder and a port for our own Redis")
}

/// Lets the store's back-off after a failure run out: until then it
/// answers "unavailable" without asking Redis.
fn wait_out_the_back_off() {
    std::thread::sleep(BACK_OFF + std::time::Duration::from_millis(100));
}

/// What a signed-in page looks like while the store is out of order.
fn assert_unavailable(response: LocalResponse<'_>, what: &str) {
    assert_eq!(response.status(), Status::ServiceUnavailable, "{what}");
    assert!(set_cookies(&response).is_empty(), "{what}: the cookie is left alone");
    let body = response.into_string().unwrap();
    assert!(body.contains("Sessions are unavailable"), "{what}: {body}");
}

// ANCHOR: redis_down
#[apply(redis_chapter)]
fn redis_down_answers_503_and_service_resumes_by_itself(#[case] chapter: Chapter) {
    let mut redis = own_redis();
    let url = redis.url();
    let app = TestConfig::new(chapter).set("databases.sessions.url", url).launch();

    // Redis is not running: the chapter still starts and serves public pages.
    for path in ["/", "/home", "/products", "/login", "/logout"] {
        assert_signed_out(&app.page(path));
    }
    assert_is_redirect_to(&app.get("/about"), "/login?next=/about");
    assert_unavailable(app.post_login("ada", Some("/about")), "sign-in");

    // Redis starts: sign-in works, with nothing restarted, as soon as the
    // back-off after the refused connections has run out.
    redis.start().expect("our Redis starts");
    wait_out_the_back_off();
    let cookie = app.sign_in("ada");
    assert_signed_in_as(&app.page("/about"), "ada");

    // Redis goes down under a signed-in user.
    redis.kill();
    assert_unavailable(app.get("/about"), "a signed-in page");
    assert_unavailable(app.get("/contact"), "another signed-in page");
    assert_unavailable(app.post_theme("/home"), "a change to the session");
    assert_unavailable(app.post_login("bob", None), "sign-in");
    let home = app.get("/home");
    assert_eq!(home.status(), Status::Ok, "public pages keep working");
    assert!(session_cookie(&chapter, &home).is_none(), "the cookie is kept");
    let home = home.into_string().unwrap();
    assert_signed_out(&home);
    assert!(home.contains("Unknown: the server cannot reach its session store"), "{home}");
    // Sign-out cannot delete the key: it says so, and keeps the cookie.
    assert_sign_out_refused(&chapter, app.post_logout());

    // Redis is back (with its append-only file): so is the session.
    redis.start().expect("our Redis starts");
    wait_out_the_back_off();
    let response = app.get_with_cookie("/about", &cookie);
    assert_eq!(response.status(), Status::Ok);
    assert_signed_in_as(&response.into_string().unwrap(), "ada");

    // A restart between two requests: the connection the app held is dead,
    // and the next request still gets its page, not an error.
    redis.kill();
    redis.start().expect("our Redis starts");
    assert_signed_in_as(&app.page("/about"), "ada");
    assert_is_redirect_to(&app.post_logout(), "/logout");
    assert_is_redirect_to(&app.get_with_cookie("/about", &cookie), "/login?next=/about");
}
// ANCHOR_END: redis_down

// ANCHOR: redis_hangs
/// A Redis that accepts connections but never answers (an overloaded or
/// half-dead server, a black-holed network) must not hang the site: each
/// store operation gets two seconds, then the request gets its 503.
#[apply(redis_chapter)]
fn redis_that_never_answers_gets_503_in_seconds(#[case] chapter: Chapter) {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let url = format!("redis://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        // Accept, and keep every connection open without a word.
        let held: Vec<_> = listener.incoming().map_while(Result::ok).collect();
        drop(held);
    });
    let app = TestConfig::new(chapter).set("databases.sessions.url", url).launch();
    assert_signed_out(&app.page("/products"));
    let start = std::time::Instant::now();
    assert_unavailable(app.post_login("ada", None), "sign-in");
    let cookie = rocket::http::Cookie::new(
        chapter.cookie_name(),
        SessionId::generate().unwrap().as_str().to_owned(),
    );
    assert_unavailable(app.get_with_cookie("/about", &cookie), "a signed-in page");
    let waited = start.elapsed();
    assert!(waited < std::time::Duration::from_secs(6), "two answers in {waited:?}");
}
// ANCHOR_END: redis_hangs

// ANCHOR: redis_full
/// A full Redis (`maxmemory` reached, with the `noeviction` policy) still
/// answers reads and refuses every write with an error. So a signed-in
/// page that only reads works; whatever must write — a theme change, a
/// page whose refresh step is due, sign-out then, sign-in — answers 503;
/// a public page whose refresh is due shows the visitor signed out. An
/// answer, even an error, starts no back-off: once Redis has room again,
/// the next write works at once.
#[apply(redis_chapter)]
fn a_full_redis_refuses_writes_with_503_and_no_back_off(#[case] chapter: Chapter) {
    let mut redis = own_redis();
    redis.start().expect("our Redis starts");
    let app = TestConfig::new(chapter).set("databases.sessions.url", redis.url()).launch();
    let ada = app.sign_in("ada");
    // 503, and the session is not ended: the cookie, if sent again with a
    // fresh Max-Age (the read worked), is the same id.
    let assert_write_refused = |response: LocalResponse<'_>, what: &str| {
        assert_eq!(response.status(), Status::ServiceUnavailable, "{what}");
        for cookie in set_cookies(&response) {
            assert!(!is_removal(&cookie) && cookie.value() == ada.value(), "{what}: {cookie}");
        }
        let body = response.into_string().unwrap();
        assert!(body.contains("Sessions are unavailable"), "{what}: {body}");
    };
    let set_maxmemory = |bytes: &str| {
        let mut redis = redis::Client::open(redis.url()).unwrap().get_connection().unwrap();
        let _: () = redis::cmd("CONFIG")
            .arg("SET")
            .arg("maxmemory-policy")
            .arg("noeviction")
            .query(&mut redis)
            .unwrap();
        let _: () =
            redis::cmd("CONFIG").arg("SET").arg("maxmemory").arg(bytes).query(&mut redis).unwrap();
    };
    set_maxmemory("1");

    assert_signed_in_as(&app.page("/about"), "ada");
    assert_write_refused(app.post_theme("/home"), "a theme change");
    let step = default_policy(&chapter).refresh_step;
    app.wait_for(step);
    assert_unavailable(app.get("/about"), "a signed-in page whose refresh is due");
    let products = app.get("/products");
    assert_eq!(products.status(), Status::Ok, "public pages keep working");
    assert_signed_out(&products.into_string().unwrap());
    assert_sign_out_refused(&chapter, app.post_logout());
    assert_write_refused(app.post_login("bob", None), "sign-in");

    // Room again: the very next write works, with no back-off to wait out,
    // and Ada's session was never lost.
    set_maxmemory("0");
    assert_signed_in_as(&app.page("/about"), "ada");
    assert_is_redirect_to(&app.post_theme("/home"), "/home");
}
// ANCHOR_END: redis_full

// ANCHOR: redis_tls_refused
/// This build of the Redis client has no TLS: a `rediss://` URL stops the
/// launch, rather than leaving the chapter to fail on every request.
#[apply(redis_chapter)]
fn a_tls_redis_url_is_refused_at_launch(#[case] chapter: Chapter) {
    let (rocket, _session_root) = TestConfig::new(chapter)
        .set("databases.sessions.url", "rediss://127.0.0.1:6379")
        .into_rocket();
    let error = rocket::execute(rocket.ignite()).expect_err("a rediss:// URL does not launch");
    assert!(matches!(error.kind(), rocket::error::ErrorKind::FailedFairings(_)), "{error}");
}
// ANCHOR_END: redis_tls_refused

// ANCHOR: redis_stopped
/// A Redis that hangs under a signed-in user (stopped with `SIGSTOP`: it
/// accepts connections and never answers). One request waits for the
/// timeout; for the back-off after it, every request that carries the
/// cookie is answered at once without asking Redis: public pages as signed
/// out, signed-in pages 503. Then service resumes by itself.
#[apply(redis_chapter)]
fn a_hanging_redis_is_left_alone_for_a_few_seconds(#[case] chapter: Chapter) {
    use std::time::{Duration as StdDuration, Instant};
    let mut redis = own_redis();
    redis.start().expect("our Redis starts");
    let url = redis.url();
    let app = TestConfig::new(chapter).set("databases.sessions.url", url).launch();
    let cookie = app.sign_in("ada");
    assert_signed_in_as(&app.page("/about"), "ada");
    // The theme form's token, as the page shows it: reading it from the
    // store would hang with the store.
    let theme = format!("next=%2Fhome&csrf_token={}", app.csrf_token().unwrap());

    redis.signal("STOP").expect("Redis is stopped");
    let start = Instant::now();
    assert_unavailable(app.get("/about"), "the request that meets the hang");
    let first = start.elapsed();
    assert!(first >= StdDuration::from_secs(1), "it waited for the timeout: {first:?}");

    let start = Instant::now();
    let public = app.get("/products");
    assert_eq!(public.status(), Status::Ok, "public pages keep working");
    assert_signed_out(&public.into_string().unwrap());
    assert_unavailable(app.get("/contact"), "a signed-in page during the back-off");
    assert_unavailable(app.post_form("/theme", theme), "a change during the back-off");
    let answered = start.elapsed();
    // Not one of the three waited for Redis: together they took less time
    // than the one request that did (a busy machine may take a while for
    // each, and for that one too).
    assert!(answered < first, "answered at once: {answered:?}, against {first:?}");

    redis.signal("CONT").expect("Redis goes on");
    wait_out_the_back_off();
    let response = app.get_with_cookie("/about", &cookie);
    assert_eq!(response.status(), Status::Ok, "service resumes by itself");
    assert_signed_in_as(&response.into_string().unwrap(), "ada");
}
// ANCHOR_END: redis_stopped
