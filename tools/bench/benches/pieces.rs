//! Micro-benchmarks of the pieces a session costs per request:
//! sealing and opening the encrypted cookie, reading and refreshing a stored
//! record, and one cleanup sweep over 100 000 records.
//!
//! Run with `cargo bench -p bench`.

use std::hint::black_box;

use cookie::{Cookie, CookieJar, Key};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use rocket::time::{Duration, OffsetDateTime};
use sessions::store::{
    decode_cookie_payload, encode_cookie_payload, FileStore, IdleLimit, SessionId, StoredSession,
};
use sessions::username::Username;
use sessions::SessionData;

const LIFETIME: Duration = Duration::minutes(5);

fn session(now: OffsetDateTime) -> StoredSession {
    StoredSession::new(SessionData::new(Username::parse("ada lovelace").unwrap()), now)
}

fn cookie(c: &mut Criterion) {
    let key = Key::generate();
    let payload = encode_cookie_payload(&session(OffsetDateTime::now_utc()));
    c.bench_function("cookie: seal a session (JSON + AES-256-GCM)", |b| {
        b.iter(|| {
            let mut jar = CookieJar::new();
            jar.private_mut(&key).add(Cookie::new("session", black_box(payload.clone())));
            jar.get("session").map(|c| c.value().len())
        })
    });
    let mut jar = CookieJar::new();
    jar.private_mut(&key).add(Cookie::new("session", payload.clone()));
    let sealed = jar.get("session").unwrap().clone();
    c.bench_function("cookie: open a session (AES-256-GCM + JSON)", |b| {
        b.iter(|| {
            let mut jar = CookieJar::new();
            jar.add_original(black_box(sealed.clone()));
            let opened = jar.private(&key).get("session").unwrap();
            decode_cookie_payload(opened.value()).unwrap()
        })
    });
}

fn file_store(c: &mut Criterion) {
    let root = tempfile::tempdir().unwrap();
    let store = FileStore::new(root.path().join("store"));
    let start = OffsetDateTime::now_utc();
    let id = store.create(&session(start)).unwrap();
    c.bench_function("file store: create a record (write, rename)", |b| {
        b.iter(|| store.create(black_box(&session(start))).unwrap())
    });
    let limit = IdleLimit::new(LIFETIME);
    c.bench_function("file store: load a record (read only, within the refresh step)", |b| {
        b.iter(|| store.load(black_box(&id), start, limit).unwrap().unwrap())
    });
    let mut now = start;
    c.bench_function("file store: load and record activity (read, write, rename)", |b| {
        b.iter(|| {
            // Each iteration is a request one refresh step after the last.
            now += limit.refresh_step;
            store.load(black_box(&id), now, limit).unwrap().unwrap()
        })
    });
}

fn sweep(c: &mut Criterion) {
    let root = tempfile::tempdir().unwrap();
    let store = FileStore::new(root.path().join("store"));
    store.ensure_dir().unwrap();
    let now = OffsetDateTime::now_utc();
    let json = serde_json::to_vec(&session(now)).unwrap();
    for _ in 0..100_000 {
        let id = SessionId::generate().unwrap();
        std::fs::write(store.path_of(&id), &json).unwrap();
    }
    let mut group = c.benchmark_group("sweep");
    group.sample_size(10);
    group.bench_function("sweep 100 000 live records (directory entries only)", |b| {
        b.iter_batched(
            || now,
            |now| store.purge_expired(now, IdleLimit::new(LIFETIME)).unwrap(),
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, cookie, file_store, sweep);
criterion_main!(benches);
