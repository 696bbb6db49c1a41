//! The session cookie as the app sends it: the same attributes whatever
//! the cookie carries (the sealed session, or a session id).

use std::collections::BTreeSet;
use std::sync::Mutex;

use cookie::Expiration;
use rocket::http::{Cookie, CookieJar, SameSite};
use rocket::time::{Duration, OffsetDateTime};

use crate::config::SessionConfig;
use crate::policy::ExpiryPolicy;
use crate::record::SessionRecord;
use crate::transport::Transport;
use crate::{CookieExpiry, Sessions};

/// Builds and removes the app's session cookie.
#[derive(Debug, Clone, Copy)]
pub struct SessionCookie {
    /// The app's cookie name, `__Host-` prefixed over HTTPS.
    pub name: &'static str,
    /// Over HTTPS (Rocket's own TLS, or `behind_tls_proxy`): the cookie is
    /// `Secure`, and so is its removal.
    pub secure: bool,
    /// When the browser drops the cookie.
    pub expiry: CookieExpiry,
    /// How long a persistent cookie lasts: `session_lifetime` for a
    /// sliding cookie, `remember_lifetime` where the user chooses.
    pub lifetime: Duration,
    /// The server's limits: no cookie outlives the absolute one.
    pub policy: ExpiryPolicy,
}

impl SessionCookie {
    /// The session cookie of `sessions`, its lifetimes from `config`, for a
    /// site that browsers reach over `transport`.
    pub fn new(sessions: &Sessions, config: &SessionConfig, transport: Transport) -> Self {
        let lifetime = match sessions.cookie_expiry() {
            CookieExpiry::ChosenAtSignIn { default_remember_lifetime } => {
                config.remember_lifetime().unwrap_or(default_remember_lifetime)
            }
            CookieExpiry::AtBrowserClose | CookieExpiry::SlidingLifetime => config.lifetime(),
        };
        SessionCookie {
            name: static_name(transport.cookie_name(sessions.cookie_name())),
            secure: transport.is_https(),
            expiry: sessions.cookie_expiry(),
            lifetime,
            policy: config.expiry_policy(),
        }
    }

    /// Is the cookie of `record` persistent (a `Max-Age`), or a
    /// browser-session cookie?
    pub fn persists<T>(&self, record: &SessionRecord<T>) -> bool {
        match self.expiry {
            CookieExpiry::AtBrowserClose => false,
            CookieExpiry::SlidingLifetime => true,
            CookieExpiry::ChosenAtSignIn { .. } => record.remembered(),
        }
    }

    /// The `Max-Age` of the cookie of `record` sent at `now`; `None` for a
    /// browser-session cookie.
    pub fn max_age<T>(&self, record: &SessionRecord<T>, now: OffsetDateTime) -> Option<Duration> {
        self.persists(record).then(|| self.policy.cookie_max_age(self.lifetime, record, now))
    }

    // ANCHOR: session_cookie
    /// The session cookie holding `value` for `record`, as the app sends
    /// it at `now`.
    pub fn build<T>(
        &self,
        value: String,
        record: &SessionRecord<T>,
        now: OffsetDateTime,
    ) -> Cookie<'static> {
        let cookie =
            Cookie::build((self.name, value)).path("/").http_only(true).same_site(SameSite::Lax);
        // Rocket adds `Secure` only when it serves TLS itself; behind a
        // proxy it must be said. Over plain HTTP it is left unsaid.
        let cookie = if self.secure { cookie.secure(true) } else { cookie };
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
    pub fn slides<T>(&self, record: &SessionRecord<T>) -> bool {
        self.persists(record)
    }

    /// The value the request's cookie carries, as the browser sent it.
    pub fn value(&self, jar: &CookieJar<'_>) -> Option<String> {
        jar.get(self.name).map(|c| c.value().to_owned())
    }

    // ANCHOR: remove
    /// Tells the browser to forget the cookie. Over HTTPS the removal is
    /// `Secure` too: a browser ignores a `__Host-` cookie, removal or not,
    /// that is not.
    pub fn remove(&self, jar: &CookieJar<'_>) {
        let removal = Cookie::build(self.name).path("/");
        jar.remove(if self.secure { removal.secure(true) } else { removal });
    }
    // ANCHOR_END: remove
}

/// `name` as the `&'static str` that cookie names are in this crate, made
/// once per distinct name: there are at most two per app (plain and
/// `__Host-`), however often it is ignited.
fn static_name(name: String) -> &'static str {
    static NAMES: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());
    let mut names = NAMES.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    match names.get(name.as_str()) {
        Some(known) => known,
        None => {
            let leaked: &'static str = name.leak();
            names.insert(leaked);
            leaked
        }
    }
}
