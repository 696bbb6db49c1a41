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

// ANCHOR: stored_session
/// A session as either mechanism stores it: the tutorial's data plus the
/// two timestamps the server needs to enforce an idle limit by itself,
/// whatever the browser does with the cookie.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredSession {
    #[serde(flatten)]
    pub data: SessionData,
    /// When the user signed in (Unix seconds).
    pub created_at: i64,
    /// The last request that used this session (Unix seconds).
    pub last_seen: i64,
}
// ANCHOR_END: stored_session

impl StoredSession {
    /// A session that starts now.
    pub fn new(data: SessionData, now: OffsetDateTime) -> Self {
        let now = now.unix_timestamp();
        StoredSession { data, created_at: now, last_seen: now }
    }

    // ANCHOR: is_idle_past
    /// Has it gone `lifetime` or longer without a request?
    pub fn is_idle_past(&self, lifetime: Duration, now: OffsetDateTime) -> bool {
        now.unix_timestamp().saturating_sub(self.last_seen) >= lifetime.whole_seconds()
    }
    // ANCHOR_END: is_idle_past
}
