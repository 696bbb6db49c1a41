//! What makes one chapter different from another.

use rocket::time::Duration;

/// One section of the tutorial: where its session lives and how long its
/// cookie lasts. Each chapter binary defines exactly one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chapter {
    /// 1 to 6, as in `cargo run -p chapter-N`.
    pub number: u8,
    /// The tutorial section this chapter rebuilds, e.g. "Non-persistent session, client-side".
    pub section: &'static str,
    /// The session cookie's name. Cookies are shared by every port of a host,
    /// so each chapter needs its own to run beside the others.
    pub cookie_name: &'static str,
    /// Where the session data lives.
    pub storage: Storage,
    /// When the browser drops the cookie.
    pub cookie_expiry: CookieExpiry,
    /// The port used unless `port` is configured.
    pub default_port: u16,
    /// The idle limit the *server* enforces unless `session_lifetime` is configured.
    pub default_session_lifetime: Duration,
    /// The absolute limit the *server* enforces, counted from sign-in,
    /// unless `session_absolute_lifetime` is configured.
    pub default_absolute_lifetime: Duration,
}

// ANCHOR: storage
/// Where a chapter keeps the session data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    /// In the cookie itself, sealed (encrypted and authenticated) with the
    /// server's `secret_key`: a Rocket private cookie. The server keeps
    /// nothing.
    SealedCookie,
    /// In a file on the server; the cookie carries only a random session id.
    ServerFiles,
    /// In Redis, shared by every instance of the server and expired by
    /// Redis itself; the cookie carries only a random session id.
    Redis,
}
// ANCHOR_END: storage

// ANCHOR: cookie_expiry
/// When the browser forgets the session cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CookieExpiry {
    /// No `Expires` and no `Max-Age`: a browser-session cookie, dropped when
    /// the browser closes ("non-persistent").
    AtBrowserClose,
    /// `Max-Age` of `session_lifetime`, re-issued on every signed-in response,
    /// so it ends after that long without a request ("persistent").
    SlidingLifetime,
    /// The user chooses at sign-in, with "Keep me signed in": unchecked, a
    /// browser-session cookie as in [`AtBrowserClose`](Self::AtBrowserClose);
    /// checked, a persistent cookie with a `Max-Age` of `remember_lifetime`
    /// (`default_remember_lifetime` unless configured), re-issued on every
    /// signed-in response as in [`SlidingLifetime`](Self::SlidingLifetime).
    /// The choice is kept in the session
    /// ([`SessionRecord::remember`](crate::SessionRecord::remember)).
    ChosenAtSignIn {
        /// `remember_lifetime` unless configured.
        default_remember_lifetime: Duration,
    },
}
// ANCHOR_END: cookie_expiry

impl CookieExpiry {
    /// Does the user choose, at sign-in, whether the cookie persists?
    pub fn is_chosen_at_sign_in(self) -> bool {
        matches!(self, CookieExpiry::ChosenAtSignIn { .. })
    }
}

impl Storage {
    /// Is the data on the server (so the server can revoke it)?
    pub fn is_server_side(self) -> bool {
        match self {
            Storage::SealedCookie => false,
            Storage::ServerFiles | Storage::Redis => true,
        }
    }
}

impl Chapter {
    /// The folder, below `session_dir`, that holds this chapter's records.
    pub fn store_folder(&self) -> String {
        format!("chapter-{}", self.number)
    }

    /// What this chapter's Redis keys start with, unless configured.
    pub fn key_prefix(&self) -> String {
        format!("{}:session:", self.store_folder())
    }
}
