//! Micro-benchmarks of the pieces a session costs per request:
//! sealing and opening the sealed cookie, reading and refreshing a stored
//! record, and one cleanup sweep over 100 000 records.
//!
//! Run with `cargo bench -p bench`.

use std::hint::black_box;

use cookie::{Cookie, CookieJar, Key};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use launcher::SessionData;
use rocket::time::{Duration, OffsetDateTime};
use tutorial::policy::{ExpiryPolicy, Verdict};
use tutorial::store::{Decision, FileStore, SessionId};
use tutorial::username::Username;

type SessionRecord = tutorial::SessionRecord<SessionData>;

const LIFETIME: Duration = Duration::minutes(5);

/// An absolute limit no benchmark reaches, however many requests, one
/// refresh step apart, it plays out.
const ABSOLUTE: Duration = Duration::days(36_500);

fn policy() -> ExpiryPolicy {
    ExpiryPolicy::new(LIFETIME, ABSOLUTE)
}

fn session(now: OffsetDateTime) -> SessionRecord {
    SessionRecord::new(
        SessionData::new(Username::parse("ada lovelace").unwrap()),
        now,
        tutorial::csrf::CsrfToken::generate().unwrap(),
    )
}

fn cookie(c: &mut Criterion) {
    let key = Key::generate();
    let payload = session(OffsetDateTime::now_utc()).to_json();
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
            SessionRecord::from_json(opened.value().as_bytes()).unwrap()
        })
    });
}

fn file_store(c: &mut Criterion) {
    let root = tempfile::tempdir().unwrap();
    let store = FileStore::new(root.path().join("store"), policy());
    let start = OffsetDateTime::now_utc();
    let id = store.create(&session(start)).unwrap();
    c.bench_function("file store: create a record (write, rename)", |b| {
        b.iter(|| store.create(black_box(&session(start))).unwrap())
    });
    let policy = policy();
    c.bench_function("file store: get a record (read only)", |b| {
        b.iter(|| store.get(black_box(&id)).unwrap().unwrap())
    });
    let mut now = start;
    c.bench_function("file store: record activity (read, write, rename)", |b| {
        b.iter(|| {
            // Each iteration is a request one refresh step after the last.
            now += policy.refresh_step;
            store
                .modify(black_box(&id), |record| {
                    assert_eq!(policy.verdict(record, now), Verdict::RefreshDue);
                    record.last_seen = now;
                    Decision::Write { time_to_live: policy.time_to_live(record, now) }
                })
                .unwrap()
                .unwrap()
        })
    });
}

fn sweep(c: &mut Criterion) {
    let root = tempfile::tempdir().unwrap();
    let store = FileStore::<SessionData>::new(root.path().join("store"), policy());
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
        b.iter_batched(|| now, |now| store.purge_expired(now).unwrap(), BatchSize::PerIteration)
    });
    group.finish();
}

criterion_group!(benches, cookie, file_store, sweep);
criterion_main!(benches);
