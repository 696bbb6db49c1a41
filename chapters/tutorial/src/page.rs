//! What every page needs to render: who is signed in, the theme, and the
//! "your session" panel that shows what devtools would.

use std::convert::Infallible;

use rocket::http::Method;
use rocket::request::{FromRequest, Outcome, Request};
use rocket::time::{format_description::well_known::Rfc3339, macros::format_description};
use rocket::time::{Duration, OffsetDateTime, UtcOffset};
use rocket_dyn_templates::{context, Template};
use serde::Serialize;

use crate::lifetime::describe;
use crate::session::{SessionView, ThisSession};
use crate::{Chapter, CookieExpiry, Session, SessionRecord, Storage, StoredData};

// ANCHOR: page_guard
/// Request guard for rendering a page of the site. A `GET` takes the
/// one-time message waiting for it, if any, so that the page shows it and
/// no later page does; a form's `POST` leaves it for the page it
/// redirects to. `D` is the chapter's session data.
pub struct Page<'r, D> {
    /// The request's session: read it, start one, change it, end it.
    pub session: Session<'r, D>,
    chapter: &'r Chapter,
    path: &'r str,
    flash: Option<String>,
}

#[rocket::async_trait]
impl<'r, D: StoredData> FromRequest<'r> for Page<'r, D> {
    type Error = Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Infallible> {
        let session = rocket::outcome::try_outcome!(Session::<D>::from_request(request).await);
        let chapter = request.rocket().state::<Chapter>().expect("managed by tutorial::site");
        let flash = match request.method() {
            Method::Get => session.take_flash().await,
            _ => None,
        };
        Outcome::Success(Page { session, chapter, path: request.uri().path().as_str(), flash })
    }
}
// ANCHOR_END: page_guard

/// The values every template can use, under `page`.
#[derive(Serialize)]
pub struct PageContext<'a, D> {
    chapter: u8,
    section: &'static str,
    /// The signed-in user's session data; absent when signed out. The
    /// templates read the tutorial's values from it (`user_name`, `theme`).
    user: Option<&'a D>,
    /// This page's path, so the theme toggle can come back to it.
    path: &'a str,
    /// The session's CSRF token, for the hidden field of every form that
    /// changes the session; absent when signed out.
    csrf_token: Option<&'a str>,
    /// The one-time message this page shows.
    flash: Option<String>,
    panel: Panel,
}

/// The facts of the "your session" panel.
#[derive(Serialize)]
struct Panel {
    /// `sealed-cookie`, `server-files` or `redis`, for the template to
    /// branch on.
    storage: &'static str,
    /// `at-browser-close`, `sliding` or `chosen-at-sign-in`.
    cookie_expiry: &'static str,
    cookie_name: &'static str,
    /// `session_lifetime`, in words and in seconds.
    lifetime: String,
    lifetime_seconds: i64,
    /// `session_absolute_lifetime`, in words and in seconds.
    absolute_lifetime: String,
    absolute_lifetime_seconds: i64,
    /// How long a persistent cookie lasts (`session_lifetime` in the
    /// sliding chapters, `remember_lifetime` where the user chooses), in
    /// words and in seconds; absent where the cookie never persists.
    cookie_lifetime: Option<String>,
    cookie_lifetime_seconds: Option<i64>,
    /// The signed-in session's two deadlines; absent when signed out.
    deadlines: Option<Deadlines>,
    /// The folder of the records (file chapters), and this session's record
    /// (a file name, or a Redis key).
    store_dir: Option<String>,
    record: Option<String>,
    /// The request's cookie could not be looked up: the store is out of
    /// order, so whether it is a live session is unknown.
    store_unavailable: bool,
    /// The request was refused before its session was read (a form from
    /// another origin): the page shows nobody, whoever is signed in.
    session_unread: bool,
}

/// When the signed-in session ends, as the server sees it at this request.
#[derive(Serialize)]
struct Deadlines {
    /// `idle_lifetime` after the last recorded request.
    idle: Deadline,
    /// `absolute_lifetime` after the sign-in.
    absolute: Deadline,
    /// `idle` or `absolute`: the one that comes first.
    sooner: &'static str,
    /// The sooner deadline is less than a minute away.
    ending_soon: bool,
    /// Where the user chose at sign-in: did they tick "Keep me signed in"?
    remember: Option<bool>,
    /// The `Max-Age` this response's cookie carries (or the last one did),
    /// in words and seconds; absent for a browser-session cookie.
    cookie_max_age: Option<String>,
    cookie_max_age_seconds: Option<i64>,
}

/// One deadline: a time, and the whole seconds left until it, for the
/// page's words and for its countdown script.
#[derive(Serialize)]
struct Deadline {
    /// `2026-11-25 20:12:56 UTC`, for reading.
    at: String,
    /// RFC 3339 in UTC, `2026-11-25T20:12:56Z`, for `<time datetime>`.
    datetime: String,
    seconds_left: i64,
    /// `29 minutes 59 seconds`.
    left: String,
}

impl Deadline {
    fn new(at: OffsetDateTime, now: OffsetDateTime) -> Self {
        let (readable, datetime) = readable_utc(at);
        let at = at.to_offset(UtcOffset::UTC).replace_nanosecond(0).unwrap_or(at);
        let left = Duration::seconds((at - now).whole_seconds().max(0));
        Deadline {
            at: readable,
            datetime,
            seconds_left: left.whole_seconds(),
            left: describe(left),
        }
    }
}

/// `at` to the second, in UTC, for reading (`2026-11-25 20:12:56 UTC`) and
/// for `<time datetime>` (`2026-11-25T20:12:56Z`).
pub(crate) fn readable_utc(at: OffsetDateTime) -> (String, String) {
    let at = at.to_offset(UtcOffset::UTC).replace_nanosecond(0).unwrap_or(at);
    let readable = format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
    (at.format(readable).unwrap_or_default(), at.format(&Rfc3339).unwrap_or_default())
}

/// The deadlines of `this`, the session of `record`, at `now`.
fn deadlines<D>(this: &ThisSession, record: &SessionRecord<D>, now: OffsetDateTime) -> Deadlines {
    let (idle, absolute) = (this.idle_deadline, this.absolute_deadline);
    Deadlines {
        sooner: if idle <= absolute { "idle" } else { "absolute" },
        ending_soon: this.deadline() - now < Duration::minutes(1),
        idle: Deadline::new(idle, now),
        absolute: Deadline::new(absolute, now),
        remember: record.remember,
        cookie_max_age: this.cookie_max_age.map(describe),
        cookie_max_age_seconds: this.cookie_max_age.map(|d| d.whole_seconds()),
    }
}

/// What the panel's template calls where sessions live.
fn storage_name(storage: Storage) -> &'static str {
    match storage {
        Storage::SealedCookie => "sealed-cookie",
        Storage::ServerFiles => "server-files",
        Storage::Redis => "redis",
        Storage::AppStore => "app-store",
    }
}

impl<D> PageContext<'_, D> {
    /// For a page answered without reading the session: its panel says so
    /// instead of "signed out".
    pub fn without_the_session(mut self) -> Self {
        self.panel.session_unread = true;
        self
    }
}

impl<'r, D: StoredData> Page<'r, D> {
    /// What the templates see of this page, under `page`.
    pub fn context(&self) -> PageContext<'_, D> {
        let mut context = page_context(
            self.chapter,
            self.session.view(),
            self.session.record(),
            self.path,
            self.session.unavailable().is_some(),
        );
        context.flash = self.flash.clone();
        context
    }

    /// Renders the template `name` with this page's context.
    pub fn render(&self, name: &'static str) -> Template {
        Template::render(name, context! { page: self.context() })
    }

    /// Renders the template `name` with this page's context and `extra`
    /// under `form`.
    pub fn render_with(&self, name: &'static str, form: impl Serialize) -> Template {
        Template::render(name, context! { page: self.context(), form })
    }
}

/// The context of a page, also for error pages rendered outside a route.
pub fn page_context<'a, D>(
    chapter: &Chapter,
    view: SessionView,
    session: Option<&'a SessionRecord<D>>,
    path: &'a str,
    store_unavailable: bool,
) -> PageContext<'a, D> {
    let user = session.map(|s| &s.data);
    let this = view.this_session.as_ref();
    let panel = Panel {
        storage: storage_name(view.storage),
        cookie_expiry: match view.cookie_expiry {
            CookieExpiry::AtBrowserClose => "at-browser-close",
            CookieExpiry::SlidingLifetime => "sliding",
            CookieExpiry::ChosenAtSignIn { .. } => "chosen-at-sign-in",
        },
        cookie_name: view.cookie_name,
        lifetime: describe(view.idle_limit),
        lifetime_seconds: view.idle_limit.whole_seconds(),
        absolute_lifetime: describe(view.absolute_limit),
        absolute_lifetime_seconds: view.absolute_limit.whole_seconds(),
        cookie_lifetime: view.cookie_lifetime.map(describe),
        cookie_lifetime_seconds: view.cookie_lifetime.map(|d| d.whole_seconds()),
        deadlines: this.zip(session).map(|(this, s)| deadlines(this, s, view.now)),
        store_dir: view.folder.clone(),
        record: this.and_then(|this| this.record.clone()),
        store_unavailable,
        session_unread: false,
    };
    PageContext {
        chapter: chapter.number,
        section: chapter.section,
        user,
        path,
        csrf_token: session.map(|s| s.csrf_token.as_str()),
        flash: None,
        panel,
    }
}
