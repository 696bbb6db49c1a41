//! The typed session: the only code that touches the session cookie or
//! the store. Handlers ask it who is signed in and tell it to sign in,
//! sign out or change the theme; they never see a raw key or cookie.

mod cookie;
mod flash;
mod sealed;
mod server;
mod view;

use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use rocket::fairing::{AdHoc, Fairing};
use rocket::http::{CookieJar, Status};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::time::OffsetDateTime;

use cookie::SessionCookie;
use flash::{Notice, NoticeCookie};
pub use view::{SessionView, ThisSession};

use crate::config;
use crate::csrf::{CsrfToken, TokenLookup, TokenOf};
use crate::key_rotation::{KeyRotationConfig, PreviousKeys};
use crate::policy::ExpiryPolicy;
use crate::record::{bounded_user_agent, check_data, RecordChange, SessionRecord, StoredData};
use crate::store::{RecordKey, RecordPlace, ServerStore, StoreUnavailable};
use crate::transport::{Transport, TransportConfig};
use crate::{Clock, Error, Sessions, Storage};

// ANCHOR: mechanism
/// Where an app's sessions live, as the session code sees it: sealed in
/// the cookie ([`sealed::SealedCookie`]) or in a server-side store
/// ([`server::StoredSessions`]). Each method gets the request's cookies;
/// the cookie's removal is left to the caller.
#[rocket::async_trait]
trait Mechanism<T>: Send + Sync {
    /// The live session the request's cookie points to, its activity
    /// recorded when due; `None` for anything that is not one.
    async fn resume(
        &self,
        jar: &CookieJar<'_>,
        now: OffsetDateTime,
    ) -> Result<Option<SessionRecord<T>>, StoreUnavailable>;

    /// Starts the session `record`, replacing `previous`, the live session
    /// the request's cookie held, if any.
    async fn start(
        &self,
        jar: &CookieJar<'_>,
        previous: Option<&SessionRecord<T>>,
        record: SessionRecord<T>,
        now: OffsetDateTime,
    ) -> Result<(), StoreUnavailable>;

    /// Applies `change` to the live session `current`.
    async fn change(
        &self,
        jar: &CookieJar<'_>,
        current: &SessionRecord<T>,
        change: RecordChange<T>,
        now: OffsetDateTime,
    ) -> Result<(), StoreUnavailable>;

    /// Ends the session on the server, if anything of it is there.
    async fn end(&self, jar: &CookieJar<'_>) -> Result<(), StoreUnavailable>;

    // The next three answer, by default, as the sealed cookie does: the
    // server keeps no record, so it has no list of sessions to show or end.

    /// The key of the session's record; `None` where there is no record.
    fn record_key(&self, _jar: &CookieJar<'_>) -> Option<RecordKey> {
        None
    }

    /// Every session of `user_name` the server keeps, expired ones
    /// included; `None` where it keeps none (a sealed cookie is known only
    /// to the browser that holds it).
    async fn sessions_of(
        &self,
        _user_name: &str,
    ) -> Result<Option<Vec<(RecordKey, SessionRecord<T>)>>, StoreUnavailable> {
        Ok(None)
    }

    /// Ends the session `key` if it is one of `user_name`'s: whether it was.
    async fn end_session_of(
        &self,
        _user_name: &str,
        _key: &RecordKey,
    ) -> Result<bool, StoreUnavailable> {
        Ok(false)
    }
}
// ANCHOR_END: mechanism

/// The app's session machinery for its data `T`, held in
/// Rocket's managed state.
pub struct SessionManager<T> {
    sessions: Sessions,
    policy: ExpiryPolicy,
    clock: Arc<dyn Clock>,
    cookie: SessionCookie,
    /// Where the "signed out" notice waits for the next page.
    notice: NoticeCookie,
    mechanism: Box<dyn Mechanism<T>>,
    /// Where a server-side store keeps its records, for the view.
    place: RecordPlace,
}

// ANCHOR: resumption
/// What the request's cookie turned out to be, worked out once per request
/// however many guards ask for it.
enum Resumption<T> {
    /// No cookie, or one that is no live session.
    SignedOut,
    SignedIn(SessionRecord<T>),
    /// The cookie may well be a live session, but the store cannot say:
    /// public pages render as signed out, signed-in pages answer 503.
    Unavailable(StoreUnavailable),
}
// ANCHOR_END: resumption

impl<T: StoredData> SessionManager<T> {
    // ANCHOR: manager_fairing
    /// Reads the session limits and how browsers reach the site (the
    /// [`Transport`], also put in managed state for the CSRF check), and
    /// puts the manager in managed state, on the server-side store that the
    /// store's own fairing set up (attached before this one), or on the
    /// sealed cookie where the server keeps nothing.
    pub(crate) fn fairing(sessions: Sessions, clock: Arc<dyn Clock>) -> impl Fairing {
        AdHoc::try_on_ignite("Session manager", move |rocket| async move {
            let Some(config) = sessions.config(&rocket) else { return Err(rocket) };
            // A `behind_tls_proxy` that is no boolean stops the launch.
            let (Some(rocket_config), Some(settings)) =
                (config::read(&rocket), config::read::<TransportConfig>(&rocket))
            else {
                return Err(rocket);
            };
            let transport = Transport::new(&rocket_config, settings);
            let policy = config.expiry_policy();
            let cookie = SessionCookie::new(&sessions, &config, transport);
            let Some(rotation) = config::read::<KeyRotationConfig>(&rocket) else {
                return Err(rocket);
            };
            let previous_keys = PreviousKeys::new(rotation.previous_secret_keys);
            let server_store = rocket.state::<ServerStore<T>>();
            let place = server_store.map(|s| s.place.clone()).unwrap_or_default();
            let mechanism: Box<dyn Mechanism<T>> = match server_store {
                Some(ServerStore { store, .. }) => {
                    if !previous_keys.is_empty() {
                        rocket::warn!(
                            "previous_secret_keys is ignored: the session cookie \
                             carries a session id, which no key seals"
                        );
                    }
                    Box::new(server::StoredSessions { cookie, policy, store: store.clone() })
                }
                None if sessions.storage().is_server_side() => {
                    rocket::error!(
                        "no session store was set up for {:?}{}",
                        sessions.storage(),
                        match sessions.storage() {
                            Storage::AppStore =>
                                ": manage one with rocket.manage(ServerStore::new(…))",
                            _ => "",
                        }
                    );
                    return Err(rocket);
                }
                None => Box::new(sealed::SealedCookie {
                    cookie,
                    policy,
                    previous_keys,
                    data: std::marker::PhantomData,
                }),
            };
            let notice = NoticeCookie::new(&sessions, transport);
            let manager =
                SessionManager { sessions, policy, clock, cookie, notice, mechanism, place };
            Ok(rocket.manage(manager).manage(transport).manage(TokenOf(token_of::<T>)))
        })
    }
    // ANCHOR_END: manager_fairing

    /// The sessions this manager serves, as the app's code describes them.
    pub fn sessions(&self) -> &Sessions {
        &self.sessions
    }

    /// The view of a request that has no session, such as an error page
    /// a catcher renders.
    pub fn signed_out_view(&self) -> SessionView {
        self.view()
    }

    fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    // ANCHOR: resume
    /// Finds the session the request's cookie points to and slides its idle
    /// timer. Anything that is not a live session — no cookie, a tampered,
    /// truncated, unknown or expired one — means signed out, and a bad
    /// cookie is removed. A store that cannot be read keeps the cookie: the
    /// session is back once the store is.
    async fn resume(&self, jar: &CookieJar<'_>) -> Resumption<T> {
        if jar.get(self.cookie.name).is_none() {
            return Resumption::SignedOut;
        }
        match self.mechanism.resume(jar, self.now()).await {
            Ok(Some(record)) => Resumption::SignedIn(record),
            Ok(None) => {
                self.cookie.remove(jar);
                Resumption::SignedOut
            }
            Err(e) => {
                rocket::error!("cannot read a session: {e}");
                Resumption::Unavailable(e)
            }
        }
    }
    // ANCHOR_END: resume
}

/// Did the request come from someone signed in, as far as its session was
/// read: a live session, or a cookie the store could not look up (it may
/// well be one)? `false` for a request that never read its session.
pub(crate) fn came_signed_in<T: Send + Sync + 'static>(request: &Request<'_>) -> bool {
    match request.local_cache(|| Resumption::<T>::SignedOut) {
        Resumption::SignedIn(_) | Resumption::Unavailable(_) => true,
        Resumption::SignedOut => false,
    }
}

/// The CSRF token of the request's session, for [`CsrfForm`](crate::csrf::CsrfForm),
/// which does not know the app's data type `T`.
fn token_of<'a, T: StoredData>(request: &'a Request<'_>) -> TokenLookup<'a> {
    Box::pin(async move {
        match Session::<T>::from_request(request).await {
            Outcome::Success(session) => session.csrf_token().cloned(),
            Outcome::Error(_) | Outcome::Forward(_) => None,
        }
    })
}

// ANCHOR: session_guard
/// The session of the current request: request guard and typed wrapper.
pub struct Session<'r, T> {
    manager: &'r SessionManager<T>,
    jar: &'r CookieJar<'r>,
    resumption: &'r Resumption<T>,
    /// The request's `User-Agent`, kept (bounded) in a session it starts.
    user_agent: Option<&'r str>,
    /// Set once this request started a new session or signed out: what the
    /// request's cookie held is then no session of this request any more.
    replaced: &'r ReplacedThisRequest,
}

/// See [`Session::start`] and [`Session::sign_out`].
#[derive(Default)]
struct ReplacedThisRequest(AtomicBool);

#[rocket::async_trait]
impl<'r, T: StoredData> FromRequest<'r> for Session<'r, T> {
    type Error = Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Infallible> {
        let manager = request.rocket().state::<SessionManager<T>>().unwrap_or_else(|| {
            panic!(
                "no session manager for {}: attach Sessions::fairing::<{0}>()",
                std::any::type_name::<T>()
            )
        });
        let resumption =
            request.local_cache_async(async { manager.resume(request.cookies()).await }).await;
        let user_agent = request.headers().get_one("User-Agent");
        let replaced = request.local_cache(ReplacedThisRequest::default);
        Outcome::Success(Session {
            manager,
            jar: request.cookies(),
            resumption,
            user_agent,
            replaced,
        })
    }
}
// ANCHOR_END: session_guard

impl<'r, T: StoredData> Session<'r, T> {
    /// The live session's record, if someone is signed in.
    pub fn record(&self) -> Option<&'r SessionRecord<T>> {
        self.current()
    }

    fn current(&self) -> Option<&'r SessionRecord<T>> {
        if self.replaced.0.load(Ordering::Relaxed) {
            return None;
        }
        match self.resumption {
            Resumption::SignedIn(record) => Some(record),
            Resumption::SignedOut | Resumption::Unavailable(_) => None,
        }
    }

    /// The session's data, if someone is signed in.
    pub fn data(&self) -> Option<&'r T> {
        self.current().map(|record| &record.data)
    }

    /// Why the request's session cookie could not be looked up, when the
    /// store is out of order.
    pub fn unavailable(&self) -> Option<&'r StoreUnavailable> {
        match self.resumption {
            Resumption::Unavailable(e) => Some(e),
            Resumption::SignedOut | Resumption::SignedIn(_) => None,
        }
    }

    /// A read-only view of the sessions and of this one, for a page that
    /// shows them.
    pub fn view(&self) -> SessionView {
        match self.current() {
            Some(record) => {
                self.manager.view_of(record, self.manager.mechanism.record_key(self.jar))
            }
            None => self.manager.view(),
        }
    }

    /// The session's CSRF token, for its forms, if someone is signed in.
    pub fn csrf_token(&self) -> Option<&'r CsrfToken> {
        self.current().map(|record| &record.csrf_token)
    }

    // ANCHOR: token_matches
    /// Did the form carry this session's token? Never, when nobody is
    /// signed in: there is no token to match.
    pub fn token_matches(&self, given: Option<&str>) -> bool {
        self.csrf_token().is_some_and(|token| token.matches(given))
    }
    // ANCHOR_END: token_matches

    // ANCHOR: start
    /// Starts a fresh session that holds `data`: a new record under a new
    /// id (the session the request had, if any, ends), a new CSRF token,
    /// and `message`, if any, for the next page. `remember` is the "Keep me
    /// signed in" box, kept in the session where the user chooses
    /// ([`CookieExpiry::ChosenAtSignIn`](crate::CookieExpiry::ChosenAtSignIn)),
    /// and ignored elsewhere. The new session is the next request's: after
    /// it, this guard sees nobody signed in, so answer with a redirect.
    pub async fn start(
        &self,
        data: T,
        remember: bool,
        message: Option<String>,
    ) -> Result<(), Error> {
        check_data(&data)?;
        let now = self.manager.now();
        let token = CsrfToken::generate().map_err(StoreUnavailable::from)?;
        let mut record = SessionRecord::new(data, now, token);
        record.flash = message;
        // Only where the server lists sessions: in a sealed cookie it would
        // only make every request longer.
        if self.manager.sessions.storage().is_server_side() {
            record.user_agent = self.user_agent.and_then(bounded_user_agent);
        }
        if self.manager.sessions.cookie_expiry().is_chosen_at_sign_in() {
            record.remember = Some(remember);
        }
        self.manager.mechanism.start(self.jar, self.current(), record, now).await?;
        self.replaced.0.store(true, Ordering::Relaxed);
        Ok(())
    }
    // ANCHOR_END: start

    // ANCHOR: sign_out
    /// Signs out: the server's record goes, then the cookie; afterwards the
    /// old cookie is worthless wherever the server keeps the session. While
    /// the store is out of order the record may well survive, and a copy of
    /// the cookie would work again once the store is back: so the cookie
    /// stays too, the answer is an error, and Log Out can be pressed again
    /// then. After it, this guard sees nobody signed in, so nothing later
    /// in the request can write the session back.
    pub async fn sign_out(&self) -> Result<(), StoreUnavailable> {
        if let Some(e) = self.unavailable() {
            return Err(e.clone());
        }
        self.manager.mechanism.end(self.jar).await?;
        self.manager.cookie.remove(self.jar);
        self.manager.notice.leave(self.jar, Notice::SignedOut);
        self.replaced.0.store(true, Ordering::Relaxed);
        Ok(())
    }
    // ANCHOR_END: sign_out

    // ANCHOR: list_sessions
    /// The signed-in user's live sessions, oldest first, and which one is
    /// this: `None` where the server keeps no list. An expired session the
    /// store still holds (a file not yet swept, a Redis key whose time to
    /// live the server's clock has passed) is ended on the way, as a request
    /// with its cookie would end it.
    pub async fn list_sessions(&self) -> Result<Option<SessionList<T>>, StoreUnavailable> {
        let Some(data) = self.data() else { return Ok(None) };
        let Some(all) = self.manager.mechanism.sessions_of(data.owner()).await? else {
            return Ok(None);
        };
        let now = self.manager.now();
        let mut live = Vec::new();
        for (key, record) in all {
            if self.manager.policy.is_expired(&record, now) {
                self.manager.mechanism.end_session_of(data.owner(), &key).await?;
            } else {
                live.push((key, record));
            }
        }
        Ok(Some(SessionList { this_one: self.manager.mechanism.record_key(self.jar), live }))
    }
    // ANCHOR_END: list_sessions

    // ANCHOR: end_session
    /// Ends the signed-in user's session `key`: this one is a sign-out, as
    /// Log Out is; another one of theirs is deleted, and its browser is
    /// signed out at its next request; any other key changes nothing.
    pub async fn end_session(&self, key: &RecordKey) -> Result<Ended, StoreUnavailable> {
        let Some(data) = self.data() else { return Ok(Ended::NotYours) };
        if self.manager.mechanism.record_key(self.jar).as_ref() == Some(key) {
            self.sign_out().await?;
            return Ok(Ended::ThisOne);
        }
        if !self.manager.mechanism.end_session_of(data.owner(), key).await? {
            return Ok(Ended::NotYours);
        }
        self.leave_message(flash::sessions_ended(1)).await?;
        Ok(Ended::Another)
    }

    /// Ends every session of the signed-in user but this one: how many.
    pub async fn end_other_sessions(&self) -> Result<Option<usize>, StoreUnavailable> {
        let Some(list) = self.list_sessions().await? else { return Ok(None) };
        let Some(data) = self.data() else { return Ok(None) };
        let mut ended = 0;
        for (key, _) in list.live.iter().filter(|(key, _)| Some(key) != list.this_one.as_ref()) {
            if self.manager.mechanism.end_session_of(data.owner(), key).await? {
                ended += 1;
            }
        }
        self.leave_message(flash::sessions_ended(ended)).await?;
        Ok(Some(ended))
    }
    // ANCHOR_END: end_session

    /// Leaves `message` for the next page of this session.
    async fn leave_message(&self, message: String) -> Result<(), StoreUnavailable> {
        let Some(current) = self.current() else { return Ok(()) };
        let leave =
            Arc::new(move |record: &mut SessionRecord<T>| record.flash = Some(message.clone()));
        self.manager.mechanism.change(self.jar, current, leave, self.manager.now()).await
    }

    // ANCHOR: modify
    /// Changes the session's data with `change`, and leaves the message it
    /// returns, if any, for the next page. Nothing happens when nobody is
    /// signed in. `change` may run more than once (see [`RecordChange`]).
    /// Data changed into something a session cannot keep (see
    /// [`Error::NotAnObject`]) is left as it was.
    pub async fn modify(
        &self,
        change: impl Fn(&mut T) -> Option<String> + Send + Sync + 'static,
    ) -> Result<(), Error> {
        let Some(current) = self.current() else { return Ok(()) };
        let refused: Arc<Mutex<Option<Error>>> = Arc::default();
        let refusal = refused.clone();
        let change = Arc::new(move |record: &mut SessionRecord<T>| {
            let mut data = record.data.clone();
            let message = change(&mut data);
            match check_data(&data) {
                Ok(()) => {
                    record.data = data;
                    if let Some(message) = message {
                        record.flash = Some(message);
                    }
                }
                Err(e) => *refusal.lock().unwrap_or_else(PoisonError::into_inner) = Some(e),
            }
        });
        self.manager.mechanism.change(self.jar, current, change, self.manager.now()).await?;
        let refused = refused.lock().unwrap_or_else(PoisonError::into_inner).take();
        refused.map_or(Ok(()), Err)
    }
    // ANCHOR_END: modify

    // ANCHOR: take_flash
    /// The one-time message waiting for this page, if any, forgotten as it
    /// is read: from the session when someone is signed in (written back
    /// without it), else from the notice cookie (removed). While the
    /// session cannot be written, its message waits for a later page, so
    /// that it is shown once and only once.
    pub async fn take_flash(&self) -> Option<String> {
        let Some(current) = self.current() else {
            let notice = self.manager.notice.take(self.jar);
            return notice.map(|notice| notice.text().to_owned());
        };
        let message = current.flash.clone()?;
        let forget = Arc::new(|record: &mut SessionRecord<T>| record.flash = None);
        match self.manager.mechanism.change(self.jar, current, forget, self.manager.now()).await {
            Ok(()) => Some(message),
            Err(e) => {
                rocket::error!("cannot clear a shown message: {e}");
                None
            }
        }
    }
    // ANCHOR_END: take_flash
}

/// The signed-in user's live sessions, as [`Session::list_sessions`] found
/// them.
pub struct SessionList<T> {
    /// Oldest first, by record key.
    pub live: Vec<(RecordKey, SessionRecord<T>)>,
    /// The key of the session that asked.
    pub this_one: Option<RecordKey>,
}

/// What [`Session::end_session`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// The session that asked: signed out.
    ThisOne,
    /// Another session of the same user: deleted.
    Another,
    /// No session of this user (another user's, expired, made up): nothing.
    NotYours,
}

// ANCHOR: signed_in
/// A request guard that succeeds only for a signed-in user. For a visitor
/// it forwards, so a lower-ranked route can send them to sign in; when the
/// store is out of order it fails with `503`, since sending someone who
/// may well be signed in to a sign-in that cannot work helps nobody.
pub struct SignedIn<'r, T>(pub &'r T);

impl<T> std::ops::Deref for SignedIn<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        self.0
    }
}

#[rocket::async_trait]
impl<'r, T: StoredData> FromRequest<'r> for SignedIn<'r, T> {
    type Error = StoreUnavailable;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, StoreUnavailable> {
        let Outcome::Success(session) = Session::<T>::from_request(request).await else {
            return Outcome::Forward(Status::Unauthorized);
        };
        match (session.data(), session.unavailable()) {
            (Some(data), _) => Outcome::Success(SignedIn(data)),
            (None, Some(e)) => Outcome::Error((Status::ServiceUnavailable, e.clone())),
            (None, None) => Outcome::Forward(Status::Unauthorized),
        }
    }
}
// ANCHOR_END: signed_in
