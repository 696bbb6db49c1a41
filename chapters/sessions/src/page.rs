//! What every page needs to render: who is signed in, the theme, and the
//! "your session" panel that shows what devtools would.

use std::convert::Infallible;

use rocket::request::{FromRequest, Outcome, Request};
use rocket_dyn_templates::{context, Template};
use serde::Serialize;

use crate::lifetime::describe;
use crate::record::{SessionData, Theme};
use crate::session::{Session, SessionManager};
use crate::CookieExpiry;

// ANCHOR: page_guard
/// Request guard for rendering a page of the site.
pub struct Page<'r> {
    pub session: Session<'r>,
    path: &'r str,
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Page<'r> {
    type Error = Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Infallible> {
        let session = rocket::outcome::try_outcome!(Session::from_request(request).await);
        Outcome::Success(Page { session, path: request.uri().path().as_str() })
    }
}
// ANCHOR_END: page_guard

/// The values every template can use, under `page`.
#[derive(Serialize)]
pub struct PageContext<'a> {
    chapter: u8,
    section: &'static str,
    /// The signed-in user's session data; absent when signed out.
    user: Option<&'a SessionData>,
    theme: Theme,
    /// This page's path, so the theme toggle can come back to it.
    path: &'a str,
    panel: Panel,
}

/// The facts of the "your session" panel.
#[derive(Serialize)]
struct Panel {
    /// `sealed-cookie`, `server-files` or `redis`: the store's own
    /// [`StoreDescription`](crate::store::StoreDescription).
    storage: &'static str,
    /// `at-browser-close` or `sliding`.
    cookie_expiry: &'static str,
    cookie_name: &'static str,
    /// `session_lifetime`, in words and in seconds.
    lifetime: String,
    lifetime_seconds: i64,
    /// The folder of the records (file chapters), and this session's record
    /// (a file name, or a Redis key).
    store_dir: Option<String>,
    record: Option<String>,
    /// The request's cookie could not be looked up: the store is out of
    /// order, so whether it is a live session is unknown.
    store_unavailable: bool,
}

impl<'r> Page<'r> {
    pub fn context(&self) -> PageContext<'_> {
        page_context(
            self.session.manager(),
            self.session.data(),
            self.path,
            self.session.record_name(),
            self.session.unavailable().is_some(),
        )
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
pub fn page_context<'a>(
    manager: &SessionManager,
    user: Option<&'a SessionData>,
    path: &'a str,
    record: Option<String>,
    store_unavailable: bool,
) -> PageContext<'a> {
    let chapter = manager.chapter();
    let store = manager.describe_store();
    let panel = Panel {
        storage: store.kind,
        cookie_expiry: match chapter.cookie_expiry {
            CookieExpiry::AtBrowserClose => "at-browser-close",
            CookieExpiry::SlidingLifetime => "sliding",
        },
        cookie_name: chapter.cookie_name,
        lifetime: describe(manager.lifetime()),
        lifetime_seconds: manager.lifetime().whole_seconds(),
        store_dir: store.location,
        record,
        store_unavailable,
    };
    PageContext {
        chapter: chapter.number,
        section: chapter.section,
        user,
        theme: user.map_or(Theme::Light, |u| u.theme),
        path,
        panel,
    }
}
