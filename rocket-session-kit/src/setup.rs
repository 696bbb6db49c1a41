//! What the app's code decides about its sessions.
//!
//! The code decides what the app is built around: where sessions live,
//! what the cookie is called, when the browser drops it, and the limits it
//! starts from. The configuration (`Rocket.toml`, `ROCKET_*` variables)
//! can still change the limits, and says where the store is
//! ([`SessionConfig`](crate::config::SessionConfig) and the stores' own
//! keys).

use rocket::figment::providers::Serialized;
use rocket::figment::value::magic::RelativePathBuf;
use rocket::figment::{self, Figment, Provider};
use rocket::time::Duration;
use rocket::{Build, Rocket};

use crate::config::SessionConfig;

// ANCHOR: storage
/// Where the session data lives.
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
    /// In a [`SessionStore`](crate::store::SessionStore) of the app's own,
    /// which the app puts in Rocket's managed state as a
    /// [`ServerStore`](crate::store::ServerStore); the cookie carries only
    /// a random session id.
    AppStore,
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
            Storage::ServerFiles | Storage::Redis | Storage::AppStore => true,
        }
    }
}

// ANCHOR: sessions
/// An app's sessions, as its code describes them: built with `const`
/// methods, so that the description can be a `const` of the app.
///
/// ```
/// use rocket_session_kit::{CookieExpiry, Sessions, Storage};
/// use rocket::time::Duration;
///
/// const SESSIONS: Sessions = Sessions::new(Storage::ServerFiles)
///     .with_cookie_name("shop_session")
///     .with_cookie_expiry(CookieExpiry::SlidingLifetime)
///     .with_idle_limit(Duration::minutes(20));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sessions {
    storage: Storage,
    cookie_name: &'static str,
    notice_cookie_name: &'static str,
    cookie_expiry: CookieExpiry,
    idle_limit: Duration,
    absolute_limit: Duration,
    store_name: &'static str,
}
// ANCHOR_END: sessions

impl Sessions {
    /// Sessions kept in `storage`, with a browser-session cookie named
    /// `session`, an idle limit of 30 minutes, an absolute limit of
    /// 12 hours and the store name `app`, until the methods below say
    /// otherwise.
    pub const fn new(storage: Storage) -> Self {
        Sessions {
            storage,
            cookie_name: "session",
            notice_cookie_name: "session_notice",
            cookie_expiry: CookieExpiry::AtBrowserClose,
            idle_limit: Duration::minutes(30),
            absolute_limit: Duration::hours(12),
            store_name: "app",
        }
    }

    /// The session cookie's name. Browsers share cookies between the ports
    /// of a host, so two apps on one host need two names. Over HTTPS it is
    /// sent with the `__Host-` prefix.
    pub const fn with_cookie_name(self, name: &'static str) -> Self {
        Sessions { cookie_name: name, ..self }
    }

    /// The name of the cookie that carries a message to the next page of a
    /// visitor who has no session (such as "You have been signed out").
    pub const fn with_notice_cookie_name(self, name: &'static str) -> Self {
        Sessions { notice_cookie_name: name, ..self }
    }

    /// When the browser drops the session cookie.
    pub const fn with_cookie_expiry(self, expiry: CookieExpiry) -> Self {
        Sessions { cookie_expiry: expiry, ..self }
    }

    /// How long a session lasts without a request, unless
    /// `session_lifetime` is configured.
    pub const fn with_idle_limit(self, limit: Duration) -> Self {
        Sessions { idle_limit: limit, ..self }
    }

    /// How long a session lasts after it started, however busy, unless
    /// `session_absolute_lifetime` is configured.
    pub const fn with_absolute_limit(self, limit: Duration) -> Self {
        Sessions { absolute_limit: limit, ..self }
    }

    /// Names this app's sessions in a store that others may share: the
    /// folder below `session_dir` that holds its files, and the start of
    /// its Redis keys (`<name>:session:`) unless `session_key_prefix` is
    /// configured.
    pub const fn with_store_name(self, name: &'static str) -> Self {
        Sessions { store_name: name, ..self }
    }

    /// The same sessions, kept in `storage`.
    pub const fn with_storage(self, storage: Storage) -> Self {
        Sessions { storage, ..self }
    }

    /// Where the session data lives.
    pub const fn storage(&self) -> Storage {
        self.storage
    }

    /// The session cookie's name, without a `__Host-` prefix.
    pub const fn cookie_name(&self) -> &'static str {
        self.cookie_name
    }

    /// The notice cookie's name, without a `__Host-` prefix.
    pub const fn notice_cookie_name(&self) -> &'static str {
        self.notice_cookie_name
    }

    /// When the browser drops the session cookie.
    pub const fn cookie_expiry(&self) -> CookieExpiry {
        self.cookie_expiry
    }

    /// The idle limit unless configured.
    pub const fn idle_limit(&self) -> Duration {
        self.idle_limit
    }

    /// The absolute limit unless configured.
    pub const fn absolute_limit(&self) -> Duration {
        self.absolute_limit
    }

    /// The name of this app's sessions in a shared store: the folder,
    /// below `session_dir`, of its session files.
    pub const fn store_name(&self) -> &'static str {
        self.store_name
    }

    /// What this app's Redis keys start with, unless configured.
    pub fn key_prefix(&self) -> String {
        format!("{}:session:", self.store_name)
    }

    /// The configuration keys the code gives a default, as the figment
    /// value beneath whatever `Rocket.toml` and the environment say.
    fn defaults(&self) -> impl Provider {
        let remember_lifetime = match self.cookie_expiry {
            CookieExpiry::ChosenAtSignIn { default_remember_lifetime } => {
                Some(default_remember_lifetime.whole_seconds())
            }
            CookieExpiry::AtBrowserClose | CookieExpiry::SlidingLifetime => None,
        };
        Serialized::defaults(SessionDefaults {
            session_lifetime: self.idle_limit.whole_seconds(),
            session_absolute_lifetime: self.absolute_limit.whole_seconds(),
            remember_lifetime,
            session_dir: "sessions",
            session_cleanup_interval: 60,
            session_key_prefix: self.key_prefix(),
        })
    }

    /// Reads the configuration keys the sessions use from `rocket`'s
    /// figment, with this description's defaults beneath, or prints why it
    /// cannot so that the fairing can refuse to launch.
    ///
    /// The keys can also be written in a table of their own,
    /// `[default.sessions]` in `Rocket.toml` (a profile's table, as
    /// Rocket's own `databases` are), or `ROCKET_SESSIONS={lifetime=120}`,
    /// without
    /// their `session_` prefix: `lifetime`, `absolute_lifetime`,
    /// `remember_lifetime`, `dir`, `cleanup_interval`, `key_prefix`. A key
    /// set under its own name, such as `ROCKET_SESSION_LIFETIME=120`, wins
    /// over the table.
    pub(crate) fn read<C: serde::de::DeserializeOwned>(&self, rocket: &Rocket<Build>) -> Option<C> {
        self.extract(rocket.figment()).map_err(rocket::config::pretty_print_error).ok()
    }

    /// [`SessionConfig`], as [`read`](Self::read).
    pub(crate) fn config(&self, rocket: &Rocket<Build>) -> Option<SessionConfig> {
        self.read(rocket)
    }

    /// The configuration `C` that `figment` sets ([`SessionConfig`], or a
    /// store's: [`FileStoreConfig`](crate::store::file::FileStoreConfig),
    /// [`RedisStoreConfig`](crate::store::redis::RedisStoreConfig)), as the
    /// fairing reads it: with the `[sessions]` table and these defaults.
    /// For tests and tools that read it back.
    // figment's own error, as `Figment::extract` returns it.
    #[allow(clippy::result_large_err)]
    pub fn extract<C: serde::de::DeserializeOwned>(
        &self,
        figment: &Figment,
    ) -> Result<C, figment::Error> {
        self.beneath(figment)?.extract()
    }

    /// `figment` with the `[sessions]` table's values, then these defaults,
    /// beneath it.
    // figment's own error, as `Figment::extract` returns it.
    #[allow(clippy::result_large_err)]
    fn beneath(&self, figment: &Figment) -> Result<Figment, figment::Error> {
        let table = SessionsTable::read(figment)?;
        Ok(figment.clone().join(table.as_keys()).join(self.defaults()))
    }
}

/// The keys [`Sessions::defaults`] gives a value.
#[derive(Debug, Clone, serde::Serialize)]
struct SessionDefaults {
    session_lifetime: i64,
    session_absolute_lifetime: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    remember_lifetime: Option<i64>,
    session_dir: &'static str,
    session_cleanup_interval: u64,
    session_key_prefix: String,
}

/// The `[sessions]` table of the configuration: the session keys without
/// their `session_` prefix, each optional.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionsTable {
    lifetime: Option<u64>,
    absolute_lifetime: Option<u64>,
    remember_lifetime: Option<u64>,
    dir: Option<RelativePathBuf>,
    cleanup_interval: Option<u64>,
    key_prefix: Option<String>,
}

impl SessionsTable {
    /// The table, if the configuration has one (else an empty one); an
    /// error when it is not a table of these keys.
    #[allow(clippy::result_large_err)]
    fn read(figment: &Figment) -> Result<SessionsTable, figment::Error> {
        if figment.find_value(TABLE).is_err() {
            return Ok(SessionsTable::default());
        }
        figment.extract_inner(TABLE)
    }

    /// The table's values under the keys' own names.
    fn as_keys(&self) -> impl Provider {
        let mut keys = serde_json::Map::new();
        let mut set = |name: &str, value: Option<serde_json::Value>| {
            if let Some(value) = value {
                keys.insert(name.to_owned(), value);
            }
        };
        set("session_lifetime", self.lifetime.map(Into::into));
        set("session_absolute_lifetime", self.absolute_lifetime.map(Into::into));
        set("remember_lifetime", self.remember_lifetime.map(Into::into));
        // Relative to the file that set it, as Rocket reads such paths.
        let dir = self.dir.as_ref().map(|dir| dir.relative().display().to_string());
        set("session_dir", dir.map(Into::into));
        set("session_cleanup_interval", self.cleanup_interval.map(Into::into));
        set("session_key_prefix", self.key_prefix.clone().map(Into::into));
        Serialized::defaults(keys)
    }
}

/// The name of the configuration's table of session keys.
const TABLE: &str = "sessions";
