//! A read-only view of a session: what a page that shows the session to
//! its user needs (such as the course's "your session" panel), and nothing it
//! could change.

use rocket::time::{Duration, OffsetDateTime};

use super::SessionManager;
use crate::record::SessionRecord;
use crate::store::RecordKey;
use crate::{CookieExpiry, Storage};

// ANCHOR: session_view
/// The sessions of an app, and the request's own if someone is signed in,
/// as a page may show them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SessionView {
    /// Where sessions live.
    pub storage: Storage,
    /// The session cookie's name as browsers see it (`__Host-` prefixed
    /// over HTTPS).
    pub cookie_name: &'static str,
    /// When the browser drops the cookie.
    pub cookie_expiry: CookieExpiry,
    /// How long a persistent cookie lasts (`session_lifetime`, or
    /// `remember_lifetime` where the user chooses); `None` for a
    /// browser-session cookie.
    pub cookie_lifetime: Option<Duration>,
    /// The idle limit, `session_lifetime`.
    pub idle_limit: Duration,
    /// The absolute limit, `session_absolute_lifetime`.
    pub absolute_limit: Duration,
    /// The folder of the store's records, for a store that has one.
    pub folder: Option<String>,
    /// The time of the request, by the app's clock.
    pub now: OffsetDateTime,
    /// The request's session, if someone is signed in.
    pub this_session: Option<ThisSession>,
}

/// The request's own session, as [`SessionView`] shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ThisSession {
    /// The name of its record (a file, a Redis key), where the store
    /// keeps one and says how it names it.
    pub record: Option<String>,
    /// When it ends unless another request comes first.
    pub idle_deadline: OffsetDateTime,
    /// When it ends whatever its activity.
    pub absolute_deadline: OffsetDateTime,
    /// The `Max-Age` this response's cookie carries (or the last one did);
    /// `None` for a browser-session cookie.
    pub cookie_max_age: Option<Duration>,
}
// ANCHOR_END: session_view

impl ThisSession {
    /// The sooner of the two deadlines: when the session ends.
    pub fn deadline(&self) -> OffsetDateTime {
        self.idle_deadline.min(self.absolute_deadline)
    }
}

impl<T> SessionManager<T> {
    /// The view of a request with no session of its own.
    pub(crate) fn view(&self) -> SessionView {
        let cookie_lifetime = match self.sessions.cookie_expiry() {
            CookieExpiry::AtBrowserClose => None,
            CookieExpiry::SlidingLifetime | CookieExpiry::ChosenAtSignIn { .. } => {
                Some(self.cookie.lifetime)
            }
        };
        SessionView {
            storage: self.sessions.storage(),
            cookie_name: self.cookie.name,
            cookie_expiry: self.sessions.cookie_expiry(),
            cookie_lifetime,
            idle_limit: self.policy.idle_lifetime,
            absolute_limit: self.policy.absolute_lifetime,
            folder: self.place.folder.clone(),
            now: self.clock.now(),
            this_session: None,
        }
    }

    /// The view of a request whose session is `record`, under `key` in a
    /// server-side store.
    pub(crate) fn view_of(&self, record: &SessionRecord<T>, key: Option<RecordKey>) -> SessionView {
        let view = self.view();
        let this_session = ThisSession {
            record: key.and_then(|key| self.place.record_name(&key)),
            idle_deadline: self.policy.idle_deadline(record),
            absolute_deadline: self.policy.absolute_deadline(record),
            cookie_max_age: self.cookie.max_age(record, view.now),
        };
        SessionView { this_session: Some(this_session), ..view }
    }
}
