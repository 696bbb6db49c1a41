//! The session cookie as a chapter sends it: the same attributes whatever
//! the cookie carries (the sealed session, or a session id).

use cookie::Expiration;
use rocket::http::{Cookie, CookieJar, SameSite};
use rocket::time::{Duration, OffsetDateTime};

use crate::config::SessionConfig;
use crate::policy::ExpiryPolicy;
use crate::record::SessionRecord;
use crate::{Chapter, CookieExpiry};

/// Builds and removes the chapter's session cookie.
#[derive(Debug, Clone, Copy)]
pub struct SessionCookie {
    pub name: &'static str,
    pub expiry: CookieExpiry,
    /// How long a persistent cookie lasts: `session_lifetime` in the
    /// sliding chapters, `remember_lifetime` where the user chooses.
    pub lifetime: Duration,
    /// The server's limits: no cookie outlives the absolute one.
    pub policy: ExpiryPolicy,
}

impl SessionCookie {
    pub fn new(chapter: &Chapter, config: &SessionConfig) -> Self {
        let lifetime = match chapter.cookie_expiry {
            CookieExpiry::ChosenAtSignIn { default_remember_lifetime } => {
                config.remember_lifetime().unwrap_or(default_remember_lifetime)
            }
            CookieExpiry::AtBrowserClose | CookieExpiry::SlidingLifetime => config.lifetime(),
        };
        SessionCookie {
            name: chapter.cookie_name,
            expiry: chapter.cookie_expiry,
            lifetime,
            policy: config.expiry_policy(),
        }
    }

    /// Is the cookie of `record` persistent (a `Max-Age`), or a
    /// browser-session cookie?
    pub fn persists(&self, record: &SessionRecord) -> bool {
        match self.expiry {
            CookieExpiry::AtBrowserClose => false,
            CookieExpiry::SlidingLifetime => true,
            CookieExpiry::ChosenAtSignIn { .. } => record.remembered(),
        }
    }

    /// The `Max-Age` of the cookie of `record` sent at `now`; `None` for a
    /// browser-session cookie.
    pub fn max_age(&self, record: &SessionRecord, now: OffsetDateTime) -> Option<Duration> {
        self.persists(record).then(|| self.policy.cookie_max_age(self.lifetime, record, now))
    }

    // ANCHOR: session_cookie
    /// The session cookie holding `value` for `record`, as this chapter
    /// sends it at `now`.
    pub fn build(
        &self,
        value: String,
        record: &SessionRecord,
        now: OffsetDateTime,
    ) -> Cookie<'static> {
        let cookie =
            Cookie::build((self.name, value)).path("/").http_only(true).same_site(SameSite::Lax);
        match self.max_age(record, now) {
            // Without this, Rocket gives private cookies a one-week `Expires`.
            None => cookie.expires(Expiration::Session).build(),
            // Never beyond the absolute deadline (see `ExpiryPolicy::cookie_max_age`).
            Some(max_age) => cookie.max_age(max_age).expires(now + max_age).build(),
        }
    }
    // ANCHOR_END: session_cookie

    /// Does the cookie's own expiry move with every signed-in response?
    /// Only a persistent cookie's does.
    pub fn slides(&self, record: &SessionRecord) -> bool {
        self.persists(record)
    }

    /// The value the request's cookie carries, as the browser sent it.
    pub fn value(&self, jar: &CookieJar<'_>) -> Option<String> {
        jar.get(self.name).map(|c| c.value().to_owned())
    }

    /// Tells the browser to forget the cookie.
    pub fn remove(&self, jar: &CookieJar<'_>) {
        jar.remove(Cookie::build(self.name).path("/"));
    }
}
