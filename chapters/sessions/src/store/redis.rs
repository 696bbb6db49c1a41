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
//!   as the other chapters do.
//! - Atomic operations: a record is created with `NX` (never over another
//!   one), and changed with `WATCH`/`MULTI`/`EXEC`, so two requests that
//!   change one session at once on two servers never lose an update, and
//!   a refresh never brings back a session that was signed out meanwhile.
//!
//! Keys are `<session_key_prefix><SHA-256 of the id>`: whoever can list the
//! keys learns no id they could put in a cookie.
//!
//! Connections: most requests send one command (a `GET`), and Redis
//! connections are multiplexed, so all requests share one connection for
//! their single commands. A change needs a connection of its own (`WATCH`
//! belongs to the connection that sent it), so changes take one from Rocket's
//! pool. The pool checks every connection it hands out with a `PING`: one more
//! round trip that the shared connection spares the common request.

use std::future::Future;
use std::io;
use std::sync::{Mutex, PoisonError};
use std::time::Duration as StdDuration;

use rocket::time::OffsetDateTime;
use rocket::tokio::time::timeout;
use rocket_db_pools::deadpool_redis::redis::aio::{ConnectionLike, MultiplexedConnection};
use rocket_db_pools::deadpool_redis::redis::{self, RedisError, RedisResult, Value};
use rocket_db_pools::deadpool_redis::{Connection, Pool};
use rocket_db_pools::Database;

use super::{DataChange, IdleLimit, Purge, SessionId, SessionStore, StoredSession};

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

/// How often a change is tried again when another request changed the
/// same record between our read and our write.
const MAX_OPTIMISTIC_RETRIES: usize = 16;

/// Session records in Redis.
pub struct RedisStore {
    pool: Pool,
    prefix: String,
    /// The connection every request shares for single commands; `None`
    /// until first needed, and again after it broke (Redis restarted).
    shared: Mutex<Option<MultiplexedConnection>>,
}

impl RedisStore {
    /// A store on `pool` that names its keys `<prefix><hash of the id>`.
    pub fn new(pool: Pool, prefix: impl Into<String>) -> Self {
        RedisStore { pool, prefix: prefix.into(), shared: Mutex::new(None) }
    }

    /// The key that holds the session `id`.
    pub fn key_of(&self, id: &SessionId) -> String {
        format!("{}{}", self.prefix, id.hashed())
    }

    /// Runs `operation` on a pooled connection of its own, within
    /// [`OPERATION_TIMEOUT`]: for transactions.
    async fn with_own_connection<T, F>(
        &self,
        operation: impl FnOnce(Connection) -> F,
    ) -> io::Result<T>
    where
        F: Future<Output = RedisResult<T>>,
    {
        let work = async {
            let connection = self.pool.get().await.map_err(io::Error::other)?;
            operation(connection).await.map_err(io::Error::other)
        };
        timeout(OPERATION_TIMEOUT, work).await.unwrap_or_else(|_| Err(timed_out()))
    }

    // ANCHOR: shared_connection
    /// Runs `operation` on the shared connection, within
    /// [`OPERATION_TIMEOUT`]. A connection that broke since the last request
    /// (Redis restarted) is replaced, and the operation tried once more on
    /// the new one, so nobody sees an error for a Redis that is back.
    async fn with_shared_connection<T, F>(
        &self,
        operation: impl Fn(MultiplexedConnection) -> F,
    ) -> io::Result<T>
    where
        F: Future<Output = RedisResult<T>>,
    {
        let work = async {
            let mut retried = false;
            loop {
                let connection = self.shared_connection().await?;
                match operation(connection).await {
                    Ok(value) => return Ok(value),
                    Err(e) if is_broken_connection(&e) => {
                        self.forget_shared_connection();
                        if retried {
                            return Err(io::Error::other(e));
                        }
                        retried = true;
                    }
                    Err(e) => return Err(io::Error::other(e)),
                }
            }
        };
        timeout(OPERATION_TIMEOUT, work).await.unwrap_or_else(|_| {
            // Whatever hangs, the next request starts on a new connection.
            self.forget_shared_connection();
            Err(timed_out())
        })
    }
    // ANCHOR_END: shared_connection

    async fn shared_connection(&self) -> io::Result<MultiplexedConnection> {
        if let Some(connection) = self.lock_shared().as_ref() {
            return Ok(connection.clone());
        }
        // Taken out of the pool for good: it is everyone's from now on.
        let fresh = Connection::take(self.pool.get().await.map_err(io::Error::other)?);
        Ok(self.lock_shared().get_or_insert(fresh).clone())
    }

    fn forget_shared_connection(&self) {
        self.lock_shared().take();
    }

    fn lock_shared(&self) -> std::sync::MutexGuard<'_, Option<MultiplexedConnection>> {
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Reads the record under `key` with the connection `conn`; a corrupt
    /// record is deleted and reads as no session.
    async fn read(
        conn: &mut (impl ConnectionLike + Send),
        key: &str,
    ) -> RedisResult<Option<StoredSession>> {
        let bytes: Option<Vec<u8>> = redis::cmd("GET").arg(key).query_async(conn).await?;
        let Some(bytes) = bytes else { return Ok(None) };
        match serde_json::from_slice(&bytes) {
            Ok(session) => Ok(Some(session)),
            Err(e) => {
                rocket::warn!("removing unreadable session record {key}: {e}");
                redis::cmd("DEL").arg(key).query_async::<_, ()>(conn).await?;
                Ok(None)
            }
        }
    }

    // ANCHOR: modify
    /// Reads the live record of `id`, lets `edit` change it and, when `edit`
    /// returns `true`, writes it back with `last_seen = now` and a fresh
    /// expiry. `WATCH` makes the write fail if anyone (another request,
    /// another server) touched the record since we read it; we then start
    /// again from the new record, so no change is ever lost.
    async fn modify(
        &self,
        id: &SessionId,
        now: OffsetDateTime,
        limit: IdleLimit,
        edit: impl Fn(&mut StoredSession) -> bool + Send + Sync,
    ) -> io::Result<Option<StoredSession>> {
        let key = self.key_of(id);
        self.with_own_connection(|mut conn| async move {
            for _ in 0..MAX_OPTIMISTIC_RETRIES {
                redis::cmd("WATCH").arg(&key).query_async::<_, ()>(&mut conn).await?;
                let Some(mut session) = Self::read(&mut conn, &key).await? else {
                    redis::cmd("UNWATCH").query_async::<_, ()>(&mut conn).await?;
                    return Ok(None);
                };
                if limit.is_idle_past(&session, now) {
                    redis::cmd("UNWATCH").query_async::<_, ()>(&mut conn).await?;
                    redis::cmd("DEL").arg(&key).query_async::<_, ()>(&mut conn).await?;
                    return Ok(None);
                }
                if !edit(&mut session) {
                    redis::cmd("UNWATCH").query_async::<_, ()>(&mut conn).await?;
                    return Ok(Some(session));
                }
                session.last_seen = now;
                let written: Option<Value> = redis::pipe()
                    .atomic()
                    .cmd("SET")
                    .arg(&key)
                    .arg(to_json(&session))
                    .arg("XX")
                    .arg("PX")
                    .arg(expiry_millis(limit))
                    .query_async(&mut conn)
                    .await?;
                if written.is_some() {
                    return Ok(Some(session));
                }
                // `EXEC` answered nil: the record changed under us. Again.
            }
            Err((redis::ErrorKind::TryAgain, "the session kept changing under us").into())
        })
        .await
    }
    // ANCHOR_END: modify
}

#[rocket::async_trait]
impl SessionStore for RedisStore {
    // ANCHOR: create
    async fn create(&self, session: &StoredSession, limit: IdleLimit) -> io::Result<SessionId> {
        let json = &to_json(session);
        loop {
            let id = SessionId::generate()?;
            let key = &self.key_of(&id);
            // `NX`: only if no record has this key, so a fresh id can never
            // land on a live session. With 256 random bits it never does.
            let created: Option<String> = self
                .with_shared_connection(|mut conn| async move {
                    redis::cmd("SET")
                        .arg(key)
                        .arg(json)
                        .arg("NX")
                        .arg("PX")
                        .arg(expiry_millis(limit))
                        .query_async(&mut conn)
                        .await
                })
                .await?;
            if created.is_some() {
                return Ok(id);
            }
        }
    }
    // ANCHOR_END: create

    // ANCHOR: load
    async fn load(
        &self,
        id: &SessionId,
        now: OffsetDateTime,
        limit: IdleLimit,
    ) -> io::Result<Option<StoredSession>> {
        // Most requests only read: one `GET`.
        let key = &self.key_of(id);
        let read = self
            .with_shared_connection(|mut conn| async move {
                let session = Self::read(&mut conn, key).await?;
                if session.as_ref().is_some_and(|s| limit.is_idle_past(s, now)) {
                    redis::cmd("DEL").arg(key).query_async::<_, ()>(&mut conn).await?;
                    return Ok(None);
                }
                Ok(session)
            })
            .await?;
        match read {
            Some(session) if limit.needs_refresh(&session, now) => {
                // Record the activity: `last_seen` and Redis's expiry move on.
                self.modify(id, now, limit, |s| limit.needs_refresh(s, now)).await
            }
            read => Ok(read),
        }
    }
    // ANCHOR_END: load

    async fn update(
        &self,
        id: &SessionId,
        now: OffsetDateTime,
        limit: IdleLimit,
        change: DataChange,
    ) -> io::Result<Option<StoredSession>> {
        self.modify(id, now, limit, move |session| {
            change(&mut session.data);
            true
        })
        .await
    }

    async fn delete(&self, id: &SessionId) -> io::Result<()> {
        let key = &self.key_of(id);
        self.with_shared_connection(|mut conn| async move {
            redis::cmd("DEL").arg(key).query_async::<_, ()>(&mut conn).await
        })
        .await
    }

    fn expires_records_itself(&self) -> bool {
        true
    }

    async fn purge_expired(&self, _: OffsetDateTime, _: IdleLimit) -> io::Result<Purge> {
        Ok(Purge::default())
    }

    fn record_name(&self, id: &SessionId) -> String {
        self.key_of(id)
    }
}

/// Did the connection break (Redis stopped or restarted), as opposed to
/// Redis answering with an error?
fn is_broken_connection(e: &RedisError) -> bool {
    e.is_io_error() || e.is_connection_dropped() || e.is_connection_refusal()
}

fn timed_out() -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, "Redis did not answer in time")
}

fn to_json(session: &StoredSession) -> Vec<u8> {
    serde_json::to_vec(session).expect("a session always serializes")
}

/// Redis's expiry for a record: the idle limit in milliseconds, within what
/// Redis accepts (at least 1; far below `i64::MAX` once added to the clock).
fn expiry_millis(limit: IdleLimit) -> i64 {
    const LONGEST: i64 = i64::MAX / 4;
    i64::try_from(limit.lifetime.whole_milliseconds()).unwrap_or(LONGEST).clamp(1, LONGEST)
}
