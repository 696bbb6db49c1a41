//! The session cookie as a chapter sends it: the same attributes whatever
//! the cookie carries (the sealed session, or a session id).

use cookie::Expiration;
use rocket::http::{Cookie, CookieJar, SameSite};
use rocket::time::{Duration, OffsetDateTime};

use crate::{Chapter, CookieExpiry};

/// Builds and removes the chapter's session cookie.
#[derive(Debug, Clone, Copy)]
pub struct SessionCookie {
    pub name: &'static str,
    pub expiry: CookieExpiry,
    /// `session_lifetime`: the `Max-Age` of a persistent cookie.
    pub lifetime: Duration,
}

impl SessionCookie {
    pub fn new(chapter: &Chapter, lifetime: Duration) -> Self {
        SessionCookie { name: chapter.cookie_name, expiry: chapter.cookie_expiry, lifetime }
    }

    // ANCHOR: session_cookie
    /// The session cookie holding `value`, as this chapter sends it.
    pub fn build(&self, value: String, now: OffsetDateTime) -> Cookie<'static> {
        let cookie =
            Cookie::build((self.name, value)).path("/").http_only(true).same_site(SameSite::Lax);
        match self.expiry {
            // Without this, Rocket gives private cookies a one-week `Expires`.
            CookieExpiry::AtBrowserClose => cookie.expires(Expiration::Session).build(),
            CookieExpiry::SlidingLifetime => {
                cookie.max_age(self.lifetime).expires(now + self.lifetime).build()
            }
        }
    }
    // ANCHOR_END: session_cookie

    /// Does the cookie's own expiry move with every signed-in response?
    pub fn slides(&self) -> bool {
        self.expiry == CookieExpiry::SlidingLifetime
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
