//! The shared mechanism: one Redis key per session, which every instance of
//! the server reads and writes.
//!
//! What Redis gives that a folder of files does not:
//! - Shared state: two servers behind a load balancer see the same
//!   sessions, so a user may land on either, and a sign-out on one is a
//!   sign-out everywhere.
//! - Native expiry: every record is written with `PX <lifetime>`, and
//!   Redis deletes it by itself once it is idle that long. There is no
//!   sweep. The server still checks `last_seen` against its own idle limit,
//!   as it does for every store.
//! - Atomic operations: a record is created with `NX` (never over another
//!   one), and changed with `WATCH`/`MULTI`/`EXEC`, so two requests that
//!   change one session at once on two servers never lose an update, and
//!   a refresh never brings back a session that was signed out meanwhile.
//!
//! Keys are `<session_key_prefix><SHA-256 of the id>`: whoever can list the
//! keys learns no id they could put in a cookie.
//!
//! Each user's sessions are indexed by a set, `<session_key_prefix>user:<SHA-256
//! of the name>`, whose members are the record keys: added in the same
//! script as the record's `SET NX`, removed in the same transaction as its
//! `DEL`, and given a time to live at least as long as its longest-lived
//! member's, so a set outlives none of its sessions and no set lingers
//! for ever. A member whose record Redis expired is dropped at the next
//! listing.
//!
//! A Redis that is down or hangs: each operation has `OPERATION_TIMEOUT`,
//! and after one times out or cannot connect, the store answers "unavailable"
//! at once for [`BACK_OFF`] before it tries Redis again. Without that, a
//! hanging Redis would hold every request that carries a session cookie,
//! public pages included, for the whole timeout.
//!
//! Connections: most requests send one command (a `GET`), and Redis
//! connections are multiplexed, so all requests share one connection for
//! their single commands. A change needs a connection of its own (`WATCH`
//! belongs to the connection that sent it), so changes take one from Rocket's
//! pool. The pool checks every connection it hands out with a `PING`: one more
//! round trip that the shared connection spares the common request.

use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration as StdDuration, Instant};

use rocket::fairing::AdHoc;
use rocket::time::Duration;
use rocket::tokio::time::timeout;
use rocket::{Build, Rocket};
use rocket_db_pools::deadpool_redis::redis::aio::{ConnectionLike, MultiplexedConnection};
use rocket_db_pools::deadpool_redis::redis::{self, RedisError, RedisResult, Value};
use rocket_db_pools::deadpool_redis::{Connection, Pool};
use rocket_db_pools::Database;
use serde::Deserialize;

use super::{
    user_index_name, Decide, Decision, RecordKey, RecordPlace, ServerStore, SessionId,
    SessionStore, StoreUnavailable,
};
use crate::record::{SessionRecord, StoredData};
use crate::Sessions;

// ANCHOR: sessions_db
/// The Redis pool, configured by Rocket from `databases.sessions` (its
/// `url`, `max_connections`, `connect_timeout`) in `Rocket.toml` or
/// `ROCKET_DATABASES`.
#[derive(Database)]
#[database("sessions")]
pub struct SessionsDb(Pool);
// ANCHOR_END: sessions_db

/// How long one store operation may take before Redis counts as down. A
/// Redis that is stopped refuses connections at once; this bounds the wait
/// on one that hangs, so a request answers 503 instead of hanging too.
const OPERATION_TIMEOUT: StdDuration = StdDuration::from_secs(2);

/// How long the store answers "unavailable" without trying, after Redis
/// timed out or refused a connection.
pub const BACK_OFF: StdDuration = StdDuration::from_secs(3);

/// How often a change is tried again when another request changed the
/// same record between our read and our write.
const MAX_OPTIMISTIC_RETRIES: usize = 16;

/// The key the Redis store reads from the configuration, besides Rocket's
/// `databases.sessions` for the pool.
#[derive(Debug, Clone, Deserialize)]
pub struct RedisStoreConfig {
    /// What the Redis keys of the sessions start with. Instances that share
    /// sessions share the prefix; anything else in the same Redis keeps out
    /// of their way.
    pub session_key_prefix: String,
}

/// Sets the Redis store up: Rocket's own pool, from `databases.sessions`
/// (it connects lazily: the app starts, and serves public pages,
/// without Redis), and the store on it.
pub(crate) fn attach<T: StoredData>(rocket: Rocket<Build>, sessions: Sessions) -> Rocket<Build> {
    rocket.attach(SessionsDb::init()).attach(AdHoc::try_on_ignite(
        "Redis session store",
        move |rocket| async move {
            let Some(config) = sessions.read::<RedisStoreConfig>(&rocket) else {
                return Err(rocket);
            };
            // `SessionsDb::init()`, attached just before, built the pool.
            let Some(db) = SessionsDb::fetch(&rocket) else { return Err(rocket) };
            let prefix = config.session_key_prefix;
            let store = RedisStore::<T>::new((*db).clone(), prefix.clone());
            let place = RecordPlace { folder: None, name: Some((prefix, "")) };
            Ok(rocket.manage(ServerStore { store: Arc::new(store), place }))
        },
    ))
}

/// Session records in Redis, each holding the app's data `T`.
pub struct RedisStore<T> {
    pool: Pool,
    prefix: String,
    /// The connection every request shares for single commands; `None`
    /// until first needed, and again after it broke (Redis restarted).
    shared: Mutex<Option<MultiplexedConnection>>,
    /// Until when the store answers "unavailable" without trying Redis.
    backing_off_until: Mutex<Option<Instant>>,
    data: PhantomData<fn() -> T>,
}

impl<T: StoredData> RedisStore<T> {
    /// A store on `pool` that names its keys `<prefix><hash of the id>`.
    pub fn new(pool: Pool, prefix: impl Into<String>) -> Self {
        RedisStore {
            pool,
            prefix: prefix.into(),
            shared: Mutex::new(None),
            backing_off_until: Mutex::new(None),
            data: PhantomData,
        }
    }

    /// The key that holds the session `id`.
    pub fn key_of(&self, id: &SessionId) -> String {
        self.key_named(&RecordKey::of(id))
    }

    fn key_named(&self, key: &RecordKey) -> String {
        format!("{}{}", self.prefix, key.as_str())
    }

    /// The key of the set of `user_name`'s record keys.
    pub fn index_key(&self, user_name: &str) -> String {
        index_key(&self.prefix, user_name)
    }

    // ANCHOR: back_off
    /// Runs `work` within [`OPERATION_TIMEOUT`], unless Redis failed less
    /// than [`BACK_OFF`] ago. A timeout or a refused connection starts the
    /// back-off; any answer from Redis, even an error, does not.
    async fn guarded<R>(
        &self,
        work: impl Future<Output = RedisResult<R>>,
    ) -> Result<R, StoreUnavailable> {
        if self.lock(&self.backing_off_until).is_some_and(|until| Instant::now() < until) {
            return Err(StoreUnavailable::new("Redis failed a moment ago; not asking it yet"));
        }
        let result = timeout(OPERATION_TIMEOUT, work).await.unwrap_or_else(|_| Err(timed_out()));
        if let Err(e) = &result {
            if e.is_timeout() || e.is_connection_refusal() {
                *self.lock(&self.backing_off_until) = Some(Instant::now() + BACK_OFF);
                // Whatever hangs, the next try starts on a new connection.
                self.forget_shared_connection();
            }
        }
        result.map_err(StoreUnavailable::new)
    }
    // ANCHOR_END: back_off

    /// Runs `operation` on a pooled connection of its own: for
    /// transactions.
    async fn with_own_connection<R, F>(
        &self,
        operation: impl FnOnce(Connection) -> F,
    ) -> Result<R, StoreUnavailable>
    where
        F: Future<Output = RedisResult<R>>,
    {
        self.guarded(async {
            let connection = self.pool.get().await.map_err(pool_error)?;
            operation(connection).await
        })
        .await
    }

    // ANCHOR: shared_connection
    /// Runs `operation` on the shared connection. A connection that broke
    /// since the last request (Redis restarted) is replaced, and the
    /// operation tried once more on the new one, so nobody sees an error
    /// for a Redis that is back.
    async fn with_shared_connection<R, F>(
        &self,
        operation: impl Fn(MultiplexedConnection) -> F,
    ) -> Result<R, StoreUnavailable>
    where
        F: Future<Output = RedisResult<R>>,
    {
        self.guarded(async {
            let mut retried = false;
            loop {
                let connection = self.shared_connection().await?;
                match operation(connection).await {
                    Err(e) if is_broken_connection(&e) && !retried => {
                        self.forget_shared_connection();
                        retried = true;
                    }
                    Err(e) if is_broken_connection(&e) => {
                        self.forget_shared_connection();
                        return Err(e);
                    }
                    result => return result,
                }
            }
        })
        .await
    }
    // ANCHOR_END: shared_connection

    async fn shared_connection(&self) -> RedisResult<MultiplexedConnection> {
        if let Some(connection) = self.lock(&self.shared).as_ref() {
            return Ok(connection.clone());
        }
        // Taken out of the pool for good: it is everyone's from now on.
        let fresh = Connection::take(self.pool.get().await.map_err(pool_error)?);
        Ok(self.lock(&self.shared).get_or_insert(fresh).clone())
    }

    fn forget_shared_connection(&self) {
        self.lock(&self.shared).take();
    }

    fn lock<'a, M>(&self, mutex: &'a Mutex<M>) -> MutexGuard<'a, M> {
        mutex.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Reads the record under `key` with the connection `conn`; a corrupt
    /// record is deleted and reads as no session.
    async fn read(
        conn: &mut (impl ConnectionLike + Send),
        key: &str,
    ) -> RedisResult<Option<SessionRecord<T>>> {
        let bytes: Option<Vec<u8>> = redis::cmd("GET").arg(key).query_async(conn).await?;
        let Some(bytes) = bytes else { return Ok(None) };
        match SessionRecord::<T>::from_json(&bytes) {
            Some(record) => Ok(Some(record)),
            None => {
                rocket::warn!("removing unreadable session record {key}");
                redis::cmd("DEL").arg(key).query_async::<_, ()>(conn).await?;
                Ok(None)
            }
        }
    }
}

#[rocket::async_trait]
impl<T: StoredData> SessionStore<T> for RedisStore<T> {
    // ANCHOR: create
    async fn create(
        &self,
        record: &SessionRecord<T>,
        time_to_live: Duration,
    ) -> Result<SessionId, StoreUnavailable> {
        let json = &record.to_json();
        let index = &self.index_key(record.data.owner());
        loop {
            let id = SessionId::generate()?;
            let (key, member) = (&self.key_of(&id), &RecordKey::of(&id));
            // `NX`: only if no record has this key, so a fresh id can never
            // land on a live session. With 256 random bits it never does.
            // The script adds the record to its user's set in the same step.
            let created: bool = self
                .with_shared_connection(|mut conn| async move {
                    redis::cmd("EVAL")
                        .arg(CREATE_INDEXED)
                        .arg(2)
                        .arg(key)
                        .arg(index)
                        .arg(json)
                        .arg(millis(time_to_live))
                        .arg(member.as_str())
                        .query_async(&mut conn)
                        .await
                })
                .await?;
            if created {
                return Ok(id);
            }
        }
    }
    // ANCHOR_END: create

    // ANCHOR: get
    async fn get(&self, id: &SessionId) -> Result<Option<SessionRecord<T>>, StoreUnavailable> {
        // Most requests only read: one `GET`.
        let key = &self.key_of(id);
        self.with_shared_connection(|mut conn| async move { Self::read(&mut conn, key).await })
            .await
    }
    // ANCHOR_END: get

    // ANCHOR: modify
    /// `WATCH` makes the write fail if anyone (another request, another
    /// server) touched the record since we read it; we then start again
    /// from the new record, so no change is ever lost, and a refresh never
    /// brings back a session that was signed out meanwhile.
    async fn modify(
        &self,
        id: &SessionId,
        decide: Decide<T>,
    ) -> Result<Option<SessionRecord<T>>, StoreUnavailable> {
        let (key, member) = (self.key_of(id), RecordKey::of(id));
        self.with_own_connection(|mut conn| async move {
            for attempt in 0..MAX_OPTIMISTIC_RETRIES {
                redis::cmd("WATCH").arg(&key).query_async::<_, ()>(&mut conn).await?;
                let Some(mut record) = Self::read(&mut conn, &key).await? else {
                    redis::cmd("UNWATCH").query_async::<_, ()>(&mut conn).await?;
                    return Ok(None);
                };
                let time_to_live = match decide(&mut record) {
                    Decision::Keep => {
                        redis::cmd("UNWATCH").query_async::<_, ()>(&mut conn).await?;
                        return Ok(Some(record));
                    }
                    Decision::Delete => {
                        redis::cmd("UNWATCH").query_async::<_, ()>(&mut conn).await?;
                        let index = self.index_key(record.data.owner());
                        delete_indexed(&mut conn, &key, &index, &member).await?;
                        return Ok(None);
                    }
                    Decision::Write { time_to_live } => time_to_live,
                };
                // The user's set lives at least as long as the record now
                // does: `NX` gives a set without a time to live one, `GT`
                // lengthens a shorter one (alone, `GT` counts "none" as
                // infinite and would never set one). `SADD` also indexes a
                // record written before there was an index.
                let index = self.index_key(record.data.owner());
                let ttl = millis(time_to_live);
                let written: Option<Value> = redis::pipe()
                    .atomic()
                    .cmd("SET")
                    .arg(&key)
                    .arg(record.to_json())
                    .arg("XX")
                    .arg("PX")
                    .arg(ttl)
                    .cmd("SADD")
                    .arg(&index)
                    .arg(member.as_str())
                    .ignore()
                    .cmd("PEXPIRE")
                    .arg(&index)
                    .arg(ttl)
                    .arg("NX")
                    .ignore()
                    .cmd("PEXPIRE")
                    .arg(&index)
                    .arg(ttl)
                    .arg("GT")
                    .ignore()
                    .query_async(&mut conn)
                    .await?;
                if written.is_some() {
                    return Ok(Some(record));
                }
                // `EXEC` answered nil: the record changed under us. Again,
                // after a random pause that grows with each attempt, so that
                // requests that keep colliding spread out instead.
                rocket::tokio::time::sleep(retry_pause(attempt)).await;
            }
            Err((redis::ErrorKind::TryAgain, "the session kept changing under us").into())
        })
        .await
    }
    // ANCHOR_END: modify

    /// Reads the record for its user's name (which never changes, so no
    /// `WATCH` is needed), then deletes it and its set member in one
    /// transaction.
    async fn delete(&self, id: &SessionId) -> Result<(), StoreUnavailable> {
        let (key, member) = (&self.key_of(id), &RecordKey::of(id));
        self.with_shared_connection(|mut conn| async move {
            let Some(record) = Self::read(&mut conn, key).await? else { return Ok(()) };
            let index = self.index_key(record.data.owner());
            delete_indexed(&mut conn, key, &index, member).await
        })
        .await
    }

    // ANCHOR: sessions_of
    async fn sessions_of(
        &self,
        user_name: &str,
    ) -> Result<Vec<(RecordKey, SessionRecord<T>)>, StoreUnavailable> {
        let index = &self.index_key(user_name);
        self.with_shared_connection(|mut conn| async move {
            let members: Vec<String> =
                redis::cmd("SMEMBERS").arg(index).query_async(&mut conn).await?;
            let members: Vec<RecordKey> =
                members.iter().filter_map(|m| RecordKey::parse(m)).collect();
            if members.is_empty() {
                return Ok(Vec::new());
            }
            let keys: Vec<String> = members.iter().map(|m| self.key_named(m)).collect();
            let values: Vec<Option<Vec<u8>>> =
                redis::cmd("MGET").arg(&keys).query_async(&mut conn).await?;
            let mut sessions = Vec::new();
            let mut gone = Vec::new();
            for (member, value) in members.into_iter().zip(values) {
                match value.as_deref().and_then(SessionRecord::<T>::from_json) {
                    Some(record) if record.data.owner() == user_name => {
                        sessions.push((member, record))
                    }
                    Some(_) => {}
                    // Expired by Redis: its key can never come back (a new
                    // session gets a new id), so the member can go.
                    None if value.is_none() => gone.push(member.as_str().to_owned()),
                    None => {}
                }
            }
            if !gone.is_empty() {
                redis::cmd("SREM").arg(index).arg(&gone).query_async::<_, ()>(&mut conn).await?;
            }
            sessions.sort_by(|(a, x), (b, y)| (x.created_at, a).cmp(&(y.created_at, b)));
            Ok(sessions)
        })
        .await
    }
    // ANCHOR_END: sessions_of

    async fn delete_of_user(
        &self,
        user_name: &str,
        member: &RecordKey,
    ) -> Result<bool, StoreUnavailable> {
        let (key, index) = (&self.key_named(member), &self.index_key(user_name));
        self.with_shared_connection(|mut conn| async move {
            redis::cmd("EVAL")
                .arg(DELETE_IF_INDEXED)
                .arg(2)
                .arg(key)
                .arg(index)
                .arg(member.as_str())
                .query_async(&mut conn)
                .await
        })
        .await
    }
}

/// What the key of a user's set has after the prefix: `user:` cannot begin
/// a record key (64 hex digits).
pub const INDEX_INFIX: &str = "user:";

/// The key of the set of `user_name`'s record keys, for a store whose keys
/// start with `prefix`.
pub fn index_key(prefix: &str, user_name: &str) -> String {
    format!("{prefix}{INDEX_INFIX}{}", user_index_name(user_name))
}

// ANCHOR: create_indexed
/// Creates a record and indexes it, in one step (a script, run by `EVAL`,
/// runs whole, with nothing else in between): `SET NX PX` of the record
/// (`KEYS[1]`, `ARGV[1]`, `ARGV[2]` ms), and only if that created it,
/// `SADD` of the record key (`ARGV[3]`) to the user's set (`KEYS[2]`),
/// whose time to live is then made at least the record's. Answers 1 if it
/// created the record.
const CREATE_INDEXED: &str = r"
        if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
          return 0
        end
        redis.call('SADD', KEYS[2], ARGV[3])
        if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[2]) then
          redis.call('PEXPIRE', KEYS[2], ARGV[2])
        end
        return 1
        ";
// ANCHOR_END: create_indexed

// ANCHOR: delete_if_indexed
/// Deletes the record `KEYS[1]` and its member `ARGV[1]` of the set
/// `KEYS[2]`, only if it is a member: a record key from a form ends a
/// session only if it is one of the signed-in user's. Answers 1 if the
/// record was there and is deleted.
const DELETE_IF_INDEXED: &str = r"
        if redis.call('SREM', KEYS[2], ARGV[1]) == 0 then
          return 0
        end
        return redis.call('DEL', KEYS[1])
        ";
// ANCHOR_END: delete_if_indexed

/// `DEL` of a record and `SREM` of its member, in one transaction.
async fn delete_indexed(
    conn: &mut (impl ConnectionLike + Send),
    key: &str,
    index: &str,
    member: &RecordKey,
) -> RedisResult<()> {
    redis::pipe()
        .atomic()
        .cmd("DEL")
        .arg(key)
        .ignore()
        .cmd("SREM")
        .arg(index)
        .arg(member.as_str())
        .ignore()
        .query_async(conn)
        .await
}

/// Did the connection break (Redis stopped or restarted), as opposed to
/// Redis answering with an error?
fn is_broken_connection(e: &RedisError) -> bool {
    e.is_io_error() || e.is_connection_dropped() || e.is_connection_refusal()
}

fn timed_out() -> RedisError {
    std::io::Error::new(std::io::ErrorKind::TimedOut, "Redis did not answer in time").into()
}

/// A pool that could not hand out a connection, as the Redis error it
/// carries when there is one (so a refused connection is seen as one).
fn pool_error(e: rocket_db_pools::deadpool_redis::PoolError) -> RedisError {
    use rocket_db_pools::deadpool_redis::PoolError;
    match e {
        PoolError::Backend(e) => e,
        PoolError::Timeout(_) => timed_out(),
        other => (redis::ErrorKind::IoError, "no Redis connection", other.to_string()).into(),
    }
}

/// A random pause of up to 2^`attempt` × 100 µs (at most 0.2 s) before an
/// optimistic change is tried again.
fn retry_pause(attempt: usize) -> StdDuration {
    let mut bytes = [0u8; 4];
    let _ = getrandom::fill(&mut bytes);
    let ceiling = 100u64 << attempt.min(11);
    StdDuration::from_micros(u64::from(u32::from_le_bytes(bytes)) % ceiling)
}

/// A time-to-live in milliseconds, within what Redis accepts (at least 1;
/// far below `i64::MAX` once added to the clock).
fn millis(time_to_live: Duration) -> i64 {
    const LONGEST: i64 = i64::MAX / 4;
    i64::try_from(time_to_live.whole_milliseconds()).unwrap_or(LONGEST).clamp(1, LONGEST)
}
