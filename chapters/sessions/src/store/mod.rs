//! The two places a session can live, and what both of them store.

mod cookie;
mod file;
mod id;

pub use cookie::{decode_cookie_payload, encode_cookie_payload};
pub use file::{FileStore, Purge};
pub use id::SessionId;

use rocket::time::{Duration, OffsetDateTime};
use serde::{Deserialize, Serialize};

use crate::session::SessionData;

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
