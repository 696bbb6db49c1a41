//! The places a session can live, and what all of them store: the cookie
//! itself, or a server-side [`SessionStore`] (files, or Redis).

mod cookie;
mod file;
mod id;
mod redis;
mod threaded;

pub use self::redis::{RedisStore, SessionsDb};
pub use cookie::{decode_cookie_payload, encode_cookie_payload};
pub use file::{FileStore, Purge};
pub use id::SessionId;
pub use threaded::ThreadedFileStore;

use std::io;
use std::sync::Arc;

use rocket::time::{Duration, OffsetDateTime};
use serde::{Deserialize, Serialize};

use crate::session::SessionData;

// ANCHOR: session_store
/// A server-side home for session records, keyed by [`SessionId`].
///
/// Chapters 2 and 4 keep records in files ([`ThreadedFileStore`]),
/// chapter 5 in Redis ([`RedisStore`]); the session code above this trait
/// is the same for both. Every method answers `Err` only when the store
/// itself is out of order: "no such session" is `Ok(None)`.
#[rocket::async_trait]
pub trait SessionStore: Send + Sync {
    /// Stores `session` under a fresh id and returns the id.
    async fn create(&self, session: &StoredSession, limit: IdleLimit) -> io::Result<SessionId>;

    /// The live session `id` at `now`: `None` when there is none, or when it
    /// has been idle past `limit` (the record is then deleted). Records the
    /// activity when `limit` says it is due.
    async fn load(
        &self,
        id: &SessionId,
        now: OffsetDateTime,
        limit: IdleLimit,
    ) -> io::Result<Option<StoredSession>>;

    /// Applies `change` to the live session `id` and records the activity.
    async fn update(
        &self,
        id: &SessionId,
        now: OffsetDateTime,
        limit: IdleLimit,
        change: DataChange,
    ) -> io::Result<Option<StoredSession>>;

    /// Deletes the session `id`, if it exists.
    async fn delete(&self, id: &SessionId) -> io::Result<()>;

    /// Does the store drop idle records by itself (Redis's expiry), or does
    /// it need the periodic sweep of [`SessionStore::purge_expired`]?
    fn expires_records_itself(&self) -> bool;

    /// Deletes the records idle past `limit` at `now`.
    async fn purge_expired(&self, now: OffsetDateTime, limit: IdleLimit) -> io::Result<Purge>;

    /// The name of the record of `id`, as the session panel shows it.
    fn record_name(&self, id: &SessionId) -> String;
}
// ANCHOR_END: session_store

/// A change to a session's data. It may run more than once: a store with
/// optimistic locking (Redis) applies it again when another request
/// changed the record in between.
pub type DataChange = Arc<dyn Fn(&mut SessionData) + Send + Sync>;

// RFC 3339 with a fixed width (nanoseconds, numeric offset), so a sealed
// cookie is always the same length: `2026-11-25T20:12:56.123456789+00:00`.
time::serde::format_description!(
    rfc3339_nanos,
    OffsetDateTime,
    "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:9][offset_hour sign:mandatory]:[offset_minute]"
);

// ANCHOR: stored_session
/// A session as either mechanism stores it: the tutorial's data plus the
/// two timestamps the server needs to enforce an idle limit by itself,
/// whatever the browser does with the cookie.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredSession {
    #[serde(flatten)]
    pub data: SessionData,
    /// When the user signed in.
    #[serde(with = "rfc3339_nanos")]
    pub created_at: OffsetDateTime,
    /// The last request the server recorded for this session (see [`IdleLimit`]).
    #[serde(with = "rfc3339_nanos")]
    pub last_seen: OffsetDateTime,
}
// ANCHOR_END: stored_session

impl StoredSession {
    /// A session that starts now.
    pub fn new(data: SessionData, now: OffsetDateTime) -> Self {
        StoredSession { data, created_at: now, last_seen: now }
    }
}

// ANCHOR: idle_limit
/// The server's own idle limit, and how often it records activity.
///
/// Recording every request would mean re-encrypting the cookie or
/// rewriting the record on every page, for nothing: a request one second
/// after the last changes nothing that matters. So activity is recorded
/// only when the last record is at least `refresh_step` old — 1% of the
/// lifetime, at most a minute. A session may therefore end up to one step
/// *early* (2.97 s of a 5-minute limit, or a minute of 31 days), never late.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdleLimit {
    pub lifetime: Duration,
    pub refresh_step: Duration,
}

impl IdleLimit {
    /// Longest refresh step, whatever the lifetime.
    pub const MAX_REFRESH_STEP: Duration = Duration::minutes(1);

    pub fn new(lifetime: Duration) -> Self {
        IdleLimit { lifetime, refresh_step: (lifetime / 100_i32).min(Self::MAX_REFRESH_STEP) }
    }

    /// Has `session` gone `lifetime` or longer without recorded activity?
    pub fn is_idle_past(&self, session: &StoredSession, now: OffsetDateTime) -> bool {
        now - session.last_seen >= self.lifetime
    }

    /// Is the recorded activity old enough to be worth recording again?
    pub fn needs_refresh(&self, session: &StoredSession, now: OffsetDateTime) -> bool {
        now - session.last_seen >= self.refresh_step
    }
}
// ANCHOR_END: idle_limit

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Theme;

    fn session(now: OffsetDateTime) -> StoredSession {
        let data = SessionData { user_name: "ada".into(), lang: "en".into(), theme: Theme::Dark };
        StoredSession::new(data, now)
    }

    #[test]
    fn refresh_step_is_one_percent_of_the_lifetime_at_most_a_minute() {
        assert_eq!(IdleLimit::new(Duration::minutes(5)).refresh_step, Duration::seconds(3));
        assert_eq!(IdleLimit::new(Duration::seconds(3)).refresh_step, Duration::milliseconds(30));
        assert_eq!(IdleLimit::new(Duration::days(31)).refresh_step, Duration::minutes(1));
    }

    #[test]
    fn idle_is_measured_to_the_nanosecond_from_the_recorded_activity() {
        let limit = IdleLimit::new(Duration::seconds(3));
        let start = OffsetDateTime::now_utc();
        let s = session(start);
        assert!(!limit.is_idle_past(&s, start + Duration::milliseconds(2_999)));
        assert!(limit.is_idle_past(&s, start + Duration::seconds(3)));
        assert!(!limit.needs_refresh(&s, start + Duration::milliseconds(29)));
        assert!(limit.needs_refresh(&s, start + Duration::milliseconds(30)));
    }

    #[test]
    fn timestamps_are_stored_as_rfc3339() {
        let at = OffsetDateTime::from_unix_timestamp(1_795_637_576).unwrap();
        let json = serde_json::to_value(session(at)).unwrap();
        assert_eq!(json["created_at"], "2026-11-25T20:12:56.000000000+00:00");
        assert_eq!(json["last_seen"], "2026-11-25T20:12:56.000000000+00:00");
        let back: StoredSession = serde_json::from_value(json).unwrap();
        assert_eq!(back, session(at));
    }
}
