//! The typed session: the only code that touches the session cookie or
//! the store. Handlers ask it who is signed in and tell it to sign in,
//! sign out or change the theme; they never see a raw key or cookie.

use std::convert::Infallible;
use std::fmt;
use std::io;
use std::sync::Arc;

use cookie::Expiration;
use rocket::http::{Cookie, CookieJar, SameSite, Status};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::time::{Duration, OffsetDateTime};
use rocket::{Build, Rocket};
use rocket_db_pools::Database;
use serde::{Deserialize, Serialize};

use crate::config::SessionConfig;
use crate::store::{
    decode_cookie_payload, encode_cookie_payload, DataChange, FileStore, IdleLimit, RedisStore,
    SessionId, SessionStore, SessionsDb, StoredSession, ThreadedFileStore,
};
use crate::username::Username;
use crate::{Chapter, Clock, CookieExpiry, Storage};

// ANCHOR: session_data
/// What the tutorial puts in the session at sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionData {
    pub user_name: String,
    pub lang: String,
    pub theme: Theme,
}
// ANCHOR_END: session_data

/// The page colours, switched by the toggle in the navbar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    Dark,
    Light,
}

impl Theme {
    pub fn toggled(self) -> Theme {
        match self {
            Theme::Dark => Theme::Light,
            Theme::Light => Theme::Dark,
        }
    }
}

impl SessionData {
    /// The tutorial's three values for a user who just signed in.
    pub fn new(user_name: Username) -> Self {
        SessionData { user_name: user_name.into_string(), lang: "en".into(), theme: Theme::Dark }
    }
}

/// The session could not be saved: the store is out of order.
#[derive(Debug)]
pub struct SessionUnavailable(pub io::Error);

impl From<io::Error> for SessionUnavailable {
    fn from(e: io::Error) -> Self {
        SessionUnavailable(e)
    }
}

impl fmt::Display for SessionUnavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the session store is unavailable: {}", self.0)
    }
}

/// The chapter's session machinery, held in Rocket's managed state.
pub struct SessionManager {
    chapter: Chapter,
    limit: IdleLimit,
    clock: Arc<dyn Clock>,
    /// Where records live in the server-side chapters; `None` when the
    /// cookie is the store.
    store: Option<Arc<dyn SessionStore>>,
    /// The folder of records, in the chapters that keep files.
    files: Option<Arc<FileStore>>,
}

/// A signed-in session, as resumed from the request's cookie.
#[derive(Debug, Clone)]
pub struct ActiveSession {
    pub stored: StoredSession,
    /// Server-side chapters only.
    pub id: Option<SessionId>,
}

// ANCHOR: resumption
/// What the request's cookie turned out to be, worked out once per request
/// however many guards ask for it.
enum Resumption {
    /// No cookie, or one that is no live session.
    SignedOut,
    SignedIn(ActiveSession),
    /// The cookie may well be a live session, but the store cannot say:
    /// public pages render as signed out, signed-in pages answer 503.
    StoreUnavailable,
}
// ANCHOR_END: resumption

impl SessionManager {
    /// Reads the chapter's configuration and puts the manager in managed state.
    pub(crate) async fn ignite(
        rocket: Rocket<Build>,
        chapter: Chapter,
        clock: Arc<dyn Clock>,
    ) -> rocket::fairing::Result {
        let config: SessionConfig = match rocket.figment().extract() {
            Ok(config) => config,
            Err(e) => {
                rocket::config::pretty_print_error(e);
                return Err(rocket);
            }
        };
        let (store, files): (Option<Arc<dyn SessionStore>>, _) = match chapter.storage {
            Storage::EncryptedCookie => (None, None),
            Storage::ServerFiles => {
                let files = Arc::new(FileStore::new(config.store_dir(&chapter)));
                if let Err(e) = files.ensure_dir() {
                    rocket::error!("session folder {} is unusable: {e}", files.dir().display());
                }
                (Some(Arc::new(ThreadedFileStore::new(files.clone()))), Some(files))
            }
            Storage::Redis => {
                // `SessionsDb::init()`, attached before us, built the pool.
                let Some(db) = SessionsDb::fetch(&rocket) else { return Err(rocket) };
                let store = RedisStore::new((*db).clone(), config.session_key_prefix.clone());
                (Some(Arc::new(store)), None)
            }
        };
        let limit = IdleLimit::new(config.lifetime());
        let manager = SessionManager { chapter, limit, clock, store, files };
        Ok(rocket.manage(manager).manage(config))
    }

    pub fn chapter(&self) -> &Chapter {
        &self.chapter
    }

    /// The server-side idle limit (`session_lifetime`).
    pub fn lifetime(&self) -> Duration {
        self.limit.lifetime
    }

    /// The idle limit, with how often activity is recorded.
    pub fn idle_limit(&self) -> IdleLimit {
        self.limit
    }

    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    pub fn clock(&self) -> Arc<dyn Clock> {
        self.clock.clone()
    }

    /// The server-side store, in the chapters that have one.
    pub fn store(&self) -> Option<&Arc<dyn SessionStore>> {
        self.store.as_ref()
    }

    /// The folder of records, in the chapters that keep files.
    pub fn files(&self) -> Option<&Arc<FileStore>> {
        self.files.as_ref()
    }

    // ANCHOR: session_cookie
    /// The session cookie as this chapter sends it.
    fn cookie(&self, value: String, now: OffsetDateTime) -> Cookie<'static> {
        let cookie = Cookie::build((self.chapter.cookie_name, value))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax);
        match self.chapter.cookie_expiry {
            // Without this, Rocket gives private cookies a one-week `Expires`.
            CookieExpiry::AtBrowserClose => cookie.expires(Expiration::Session).build(),
            CookieExpiry::SlidingLifetime => {
                let lifetime = self.limit.lifetime;
                cookie.max_age(lifetime).expires(now + lifetime).build()
            }
        }
    }
    // ANCHOR_END: session_cookie

    fn remove_cookie(&self, jar: &CookieJar<'_>) {
        jar.remove(Cookie::build(self.chapter.cookie_name).path("/"));
    }

    // ANCHOR: resume
    /// Finds the session the request's cookie points to and slides its idle
    /// timer. Anything that is not a live session — no cookie, a tampered,
    /// truncated, unknown or expired one — means signed out, and a bad
    /// cookie is removed. A store that cannot be read keeps the cookie: the
    /// session is back once the store is.
    async fn resume(&self, jar: &CookieJar<'_>) -> Resumption {
        let Some(raw) = jar.get(self.chapter.cookie_name).map(|c| c.value().to_owned()) else {
            return Resumption::SignedOut;
        };
        let now = self.now();
        let resumed = match &self.store {
            None => Ok(self.resume_from_cookie(jar, &raw, now)),
            Some(store) => self.resume_from_store(store.as_ref(), jar, &raw, now).await,
        };
        match resumed {
            Ok(Some(session)) => Resumption::SignedIn(session),
            Ok(None) => {
                self.remove_cookie(jar);
                Resumption::SignedOut
            }
            Err(e) => {
                rocket::error!("session store: cannot read a session: {e}");
                Resumption::StoreUnavailable
            }
        }
    }
    // ANCHOR_END: resume

    // ANCHOR: resume_from_cookie
    fn resume_from_cookie(
        &self,
        jar: &CookieJar<'_>,
        sealed: &str,
        now: OffsetDateTime,
    ) -> Option<ActiveSession> {
        // `get_private` is `None` unless the value decrypts and authenticates
        // under our key: the browser cannot forge or edit it.
        let cookie = jar.get_private(self.chapter.cookie_name)?;
        let mut session = decode_cookie_payload(cookie.value())?;
        if self.limit.is_idle_past(&session, now) {
            return None;
        }
        if self.limit.needs_refresh(&session, now) {
            // Record the activity: seal the session again with a new `last_seen`.
            session.last_seen = now;
            jar.add_private(self.cookie(encode_cookie_payload(&session), now));
        } else if self.chapter.cookie_expiry == CookieExpiry::SlidingLifetime {
            // Nothing new to seal, but the expiry must still slide: the
            // same sealed value goes back with a fresh `Max-Age`.
            jar.add(self.cookie(sealed.to_owned(), now));
        }
        Some(ActiveSession { stored: session, id: None })
    }
    // ANCHOR_END: resume_from_cookie

    // ANCHOR: resume_from_store
    async fn resume_from_store(
        &self,
        store: &dyn SessionStore,
        jar: &CookieJar<'_>,
        raw: &str,
        now: OffsetDateTime,
    ) -> Result<Option<ActiveSession>, SessionUnavailable> {
        let Some(id) = SessionId::parse(raw) else { return Ok(None) };
        let Some(session) = store.load(&id, now, self.limit).await? else { return Ok(None) };
        if self.chapter.cookie_expiry == CookieExpiry::SlidingLifetime {
            jar.add(self.cookie(id.as_str().to_owned(), now));
        }
        Ok(Some(ActiveSession { stored: session, id: Some(id) }))
    }
    // ANCHOR_END: resume_from_store

    // ANCHOR: start
    /// Starts a fresh session for `data`, dropping `previous` if there was one.
    async fn start(
        &self,
        jar: &CookieJar<'_>,
        previous: Option<&ActiveSession>,
        data: SessionData,
    ) -> Result<(), SessionUnavailable> {
        let now = self.now();
        let session = StoredSession::new(data, now);
        let Some(store) = &self.store else {
            jar.add_private(self.cookie(encode_cookie_payload(&session), now));
            return Ok(());
        };
        // A new id at every sign-in: an id someone planted or saw before
        // sign-in is worth nothing after it (session fixation).
        if let Some(old) = previous.and_then(|p| p.id.as_ref()) {
            store.delete(old).await?;
        }
        let id = store.create(&session, self.limit).await?;
        jar.add(self.cookie(id.as_str().to_owned(), now));
        Ok(())
    }
    // ANCHOR_END: start

    // ANCHOR: end
    /// Ends the session: the server's record goes, then the cookie. While
    /// the store is out of order the record may well survive, and a copy
    /// of the cookie would work again once the store is back; so the
    /// cookie stays too, and Log Out can be pressed again then.
    async fn end(
        &self,
        jar: &CookieJar<'_>,
        resumption: &Resumption,
    ) -> Result<(), SessionUnavailable> {
        match resumption {
            Resumption::StoreUnavailable => {
                return Err(io::Error::other("the session could not be looked up").into())
            }
            Resumption::SignedIn(ActiveSession { id: Some(id), .. }) => {
                if let Some(store) = &self.store {
                    store.delete(id).await?;
                }
            }
            Resumption::SignedIn(ActiveSession { id: None, .. }) | Resumption::SignedOut => {}
        }
        self.remove_cookie(jar);
        Ok(())
    }
    // ANCHOR_END: end

    // ANCHOR: update
    /// Changes the data of a live session.
    async fn update(
        &self,
        jar: &CookieJar<'_>,
        current: &ActiveSession,
        change: DataChange,
    ) -> Result<(), SessionUnavailable> {
        let now = self.now();
        match (&self.store, &current.id) {
            (Some(store), Some(id)) => {
                store.update(id, now, self.limit, change).await?;
            }
            _ => {
                // The cookie is the store: re-seal it with the new data.
                let mut session = current.stored.clone();
                change(&mut session.data);
                session.last_seen = now;
                jar.add_private(self.cookie(encode_cookie_payload(&session), now));
            }
        }
        Ok(())
    }
    // ANCHOR_END: update
}

// ANCHOR: session_guard
/// The session of the current request: request guard and typed wrapper.
pub struct Session<'r> {
    manager: &'r SessionManager,
    jar: &'r CookieJar<'r>,
    resumption: &'r Resumption,
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Session<'r> {
    type Error = Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Infallible> {
        let manager = request
            .rocket()
            .state::<SessionManager>()
            .expect("the session manager is attached by sessions::app");
        let resumption =
            request.local_cache_async(async { manager.resume(request.cookies()).await }).await;
        Outcome::Success(Session { manager, jar: request.cookies(), resumption })
    }
}
// ANCHOR_END: session_guard

impl<'r> Session<'r> {
    fn current(&self) -> Option<&'r ActiveSession> {
        match self.resumption {
            Resumption::SignedIn(session) => Some(session),
            Resumption::SignedOut | Resumption::StoreUnavailable => None,
        }
    }

    /// The session's data, if someone is signed in.
    pub fn data(&self) -> Option<&'r SessionData> {
        self.current().map(|c| &c.stored.data)
    }

    /// Did the request bring a session cookie that the store could not
    /// look up, because the store is out of order?
    pub fn store_is_unavailable(&self) -> bool {
        matches!(self.resumption, Resumption::StoreUnavailable)
    }

    pub fn manager(&self) -> &'r SessionManager {
        self.manager
    }

    /// The name of this session's record (a file or a Redis key), in the
    /// server-side chapters.
    pub fn record_name(&self) -> Option<String> {
        let id = self.current()?.id.as_ref()?;
        Some(self.manager.store()?.record_name(id))
    }

    // ANCHOR: sign_in
    /// Signs `user_name` in with a fresh session.
    pub async fn sign_in(&self, user_name: Username) -> Result<(), SessionUnavailable> {
        self.manager.start(self.jar, self.current(), SessionData::new(user_name)).await
    }
    // ANCHOR_END: sign_in

    // ANCHOR: sign_out
    /// Signs out; afterwards the old cookie is worthless wherever the
    /// server keeps the session. Fails, and keeps the cookie, when the
    /// store cannot end the session.
    pub async fn sign_out(&self) -> Result<(), SessionUnavailable> {
        self.manager.end(self.jar, self.resumption).await
    }
    // ANCHOR_END: sign_out

    // ANCHOR: toggle_theme
    /// Switches between the dark and the light theme.
    pub async fn toggle_theme(&self) -> Result<(), SessionUnavailable> {
        let Some(current) = self.current() else { return Ok(()) };
        let toggle = Arc::new(|data: &mut SessionData| data.theme = data.theme.toggled());
        self.manager.update(self.jar, current, toggle).await
    }
    // ANCHOR_END: toggle_theme
}

// ANCHOR: signed_in
/// A request guard that succeeds only for a signed-in user. For a visitor
/// it forwards, so a lower-ranked route can send them to sign in; when the
/// store is out of order it fails with `503`, since sending someone who
/// may well be signed in to a sign-in that cannot work helps nobody.
pub struct SignedIn<'r>(pub &'r SessionData);

/// Why [`SignedIn`] failed: the session store is out of order.
#[derive(Debug)]
pub struct StoreUnavailable;

#[rocket::async_trait]
impl<'r> FromRequest<'r> for SignedIn<'r> {
    type Error = StoreUnavailable;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, StoreUnavailable> {
        let Outcome::Success(session) = Session::from_request(request).await else {
            return Outcome::Forward(Status::Unauthorized);
        };
        match session.data() {
            Some(data) => Outcome::Success(SignedIn(data)),
            None if session.store_is_unavailable() => {
                Outcome::Error((Status::ServiceUnavailable, StoreUnavailable))
            }
            None => Outcome::Forward(Status::Unauthorized),
        }
    }
}
// ANCHOR_END: signed_in
