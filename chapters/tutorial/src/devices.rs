//! A user's sessions: the page that lists the signed-in user's sessions,
//! one per browser or device they signed in from, and the two forms that
//! end them ("Sign out this one", "Sign out everywhere else").
//!
//! Only a server-side store can do this: it keeps every session, indexed by
//! user (see [`SessionStore::sessions_of`](crate::store::SessionStore)). A
//! sealed cookie lives only in the browser that holds it, so the
//! client-side chapters render a page that says why there is no list.
//!
//! Sessions are named by their record key, the SHA-256 of the id, never by
//! the id: the page and its forms show nothing that could be put in a
//! cookie.

use std::marker::PhantomData;

use rocket::data::{Data, FromData};
use rocket::form::Form;
use rocket::http::{Method, Status};
use rocket::request::{self, FromRequest, Request};
use rocket::response::Redirect;
use rocket::route::{self, Handler, Route};
use rocket::{uri, FromForm};
use rocket_dyn_templates::{context, Template};
use serde::Serialize;

use crate::csrf::SameOrigin;
use crate::page::{readable_utc, Page};
use crate::routes::{refuse_without_token, sign_in_first, unavailable, TokenForm};
use crate::session::Ended;
use crate::store::RecordKey;
use crate::{SignedIn, StoredData};

// ANCHOR: routes
/// The page and its two forms, for a site whose session data is `D`.
///
/// Rocket's `#[get]` and `#[post]` cannot make a generic handler, and
/// these serve every chapter's own data type. So each route is a small
/// [`Handler`] that runs the guards the attribute would, in the order it
/// would, and then the handler function below.
pub fn routes<D: StoredData>() -> Vec<Route> {
    vec![
        Route::new(Method::Get, "/sessions", Sessions::<D>::route(Action::List)),
        Route::new(Method::Post, "/sessions/end", Sessions::<D>::route(Action::End)),
        Route::new(Method::Post, "/sessions/end-others", Sessions::<D>::route(Action::EndOthers)),
    ]
}
// ANCHOR_END: routes

/// The handler of the page and its forms.
struct Sessions<D> {
    action: Action,
    data: PhantomData<fn() -> D>,
}

impl<D> Sessions<D> {
    fn route(action: Action) -> Self {
        Sessions { action, data: PhantomData }
    }
}

// Derived, `Clone` would ask `D: Clone` of the data; the handler holds none.
impl<D> Clone for Sessions<D> {
    fn clone(&self) -> Self {
        Sessions::route(self.action)
    }
}

#[derive(Clone, Copy)]
enum Action {
    /// `GET /sessions`
    List,
    /// `POST /sessions/end`
    End,
    /// `POST /sessions/end-others`
    EndOthers,
}

/// What a request guard's outcome becomes in a handler: its value, or the
/// error (to the site's error page) or forward Rocket would have made.
macro_rules! guard {
    ($guard:ty, $request:expr, $data:expr) => {
        match <$guard as FromRequest>::from_request($request).await {
            request::Outcome::Success(value) => value,
            request::Outcome::Error((status, _)) => return route::Outcome::Error(status),
            request::Outcome::Forward(status) => return route::Outcome::Forward(($data, status)),
        }
    };
}

/// The same for a form, the data guard.
macro_rules! form {
    ($form:ty, $request:expr, $data:expr) => {
        match <Form<$form> as FromData>::from_data($request, $data).await {
            rocket::data::Outcome::Success(form) => form,
            rocket::data::Outcome::Error((status, _)) => return route::Outcome::Error(status),
            rocket::data::Outcome::Forward(forward) => return route::Outcome::Forward(forward),
        }
    };
}

// ANCHOR: handler
#[rocket::async_trait]
impl<D: StoredData> Handler for Sessions<D> {
    async fn handle<'r>(&self, request: &'r Request<'_>, data: Data<'r>) -> route::Outcome<'r> {
        match self.action {
            Action::List => {
                // Where `#[get("/sessions")]` with a `SignedIn` guard would
                // forward to a rank-2 route, the redirect is made here.
                match SignedIn::<D>::from_request(request).await {
                    request::Outcome::Success(_) => {}
                    request::Outcome::Error((status, _)) => return route::Outcome::Error(status),
                    request::Outcome::Forward(_) => {
                        return route::Outcome::from(request, sign_in_first(uri!("/sessions")))
                    }
                }
                let page = guard!(Page<'_, D>, request, data);
                route::Outcome::from(request, sessions(page).await)
            }
            Action::End => {
                guard!(SameOrigin, request, data);
                let page = guard!(Page<'_, D>, request, data);
                let form = form!(EndForm<'_>, request, data);
                route::Outcome::from(request, end_session(page, form.into_inner()).await)
            }
            Action::EndOthers => {
                guard!(SameOrigin, request, data);
                let page = guard!(Page<'_, D>, request, data);
                let form = form!(TokenForm<'_>, request, data);
                route::Outcome::from(request, end_other_sessions(page, form.into_inner()).await)
            }
        }
    }
}
// ANCHOR_END: handler

/// One session as the page lists it.
#[derive(Serialize)]
struct Listed {
    /// The record key: the page's name for the session, and its form's.
    record: String,
    this_one: bool,
    signed_in: String,
    signed_in_datetime: String,
    last_seen: String,
    last_seen_datetime: String,
    browser: String,
}

// ANCHOR: sessions_page
/// `GET /sessions`, for a signed-in user: their sessions, or, in a
/// client-side chapter, why there is no list.
async fn sessions<D: StoredData>(page: Page<'_, D>) -> Result<Template, (Status, Template)> {
    let list = match page.session.list_sessions().await {
        Ok(list) => list,
        Err(e) => return Err(unavailable(&page, e)),
    };
    let Some(list) = list else {
        // A client-side chapter: the server keeps no list of its cookies.
        return Ok(page.render_with("sessions", context! { kept_on_server: false }));
    };
    let listed: Vec<Listed> = list
        .live
        .iter()
        .map(|(key, record)| {
            let (signed_in, signed_in_datetime) = readable_utc(record.created_at);
            let (last_seen, last_seen_datetime) = readable_utc(record.last_seen);
            Listed {
                record: key.as_str().to_owned(),
                this_one: list.this_one.as_ref() == Some(key),
                signed_in,
                signed_in_datetime,
                last_seen,
                last_seen_datetime,
                browser: describe_browser(record.user_agent.as_deref()),
            }
        })
        .collect();
    Ok(page.render_with("sessions", context! { kept_on_server: true, sessions: listed }))
}
// ANCHOR_END: sessions_page

// ANCHOR: end_session
#[derive(FromForm)]
struct EndForm<'r> {
    record: Option<&'r str>,
    csrf_token: Option<&'r str>,
}

/// `POST /sessions/end`: "Sign out this one". A record that is not one of
/// the signed-in user's sessions (another user's, an expired one, a
/// made-up or malformed name) is refused with `404`, and nothing changes.
async fn end_session<D: StoredData>(
    page: Page<'_, D>,
    form: EndForm<'_>,
) -> Result<Redirect, (Status, Template)> {
    if let Some(refused) = check_form(&page, form.csrf_token) {
        return refused;
    }
    let Some(key) = form.record.and_then(RecordKey::parse) else { return Err(not_yours(&page)) };
    match page.session.end_session(&key).await {
        Ok(Ended::ThisOne) => Ok(Redirect::to(uri!("/logout"))),
        Ok(Ended::Another) => Ok(Redirect::to(uri!("/sessions"))),
        Ok(Ended::NotYours) => Err(not_yours(&page)),
        Err(e) => Err(unavailable(&page, e)),
    }
}

/// `POST /sessions/end-others`: "Sign out everywhere else", every session
/// of the user but this one.
async fn end_other_sessions<D: StoredData>(
    page: Page<'_, D>,
    form: TokenForm<'_>,
) -> Result<Redirect, (Status, Template)> {
    if let Some(refused) = check_form(&page, form.csrf_token) {
        return refused;
    }
    match page.session.end_other_sessions().await {
        Ok(Some(_)) => Ok(Redirect::to(uri!("/sessions"))),
        Ok(None) => Err(not_yours(&page)),
        Err(e) => Err(unavailable(&page, e)),
    }
}
// ANCHOR_END: end_session

/// What both forms check first: a store that can say who is signed in,
/// someone signed in, and the session's token.
fn check_form<D: StoredData>(
    page: &Page<'_, D>,
    csrf_token: Option<&str>,
) -> Option<Result<Redirect, (Status, Template)>> {
    if let Some(e) = page.session.unavailable() {
        return Some(Err(unavailable(page, e.clone())));
    }
    if page.session.data().is_none() {
        return Some(Ok(sign_in_first(uri!("/sessions"))));
    }
    if !page.session.token_matches(csrf_token) {
        return Some(Err(refuse_without_token(page, csrf_token)));
    }
    None
}

/// `404` for a session that is not one of the signed-in user's.
fn not_yours<D: StoredData>(page: &Page<'_, D>) -> (Status, Template) {
    rocket::warn!("refused to end a session that is not one of the user's");
    let error = context! { code: 404, reason: "Not Found", not_a_session: true };
    (Status::NotFound, Template::render("error", context! { page: page.context(), error }))
}

// ANCHOR: describe_browser
/// A short description of the browser a `User-Agent` names: "Firefox 128
/// on Linux", "Chrome 131 on Mac OSX", or, for what woothee does not know,
/// the first product token ("curl 8.5.0").
pub fn describe_browser(user_agent: Option<&str>) -> String {
    let Some(user_agent) = user_agent.filter(|ua| !ua.trim().is_empty()) else {
        return "unknown (no User-Agent)".into();
    };
    if let Some(found) = woothee::parser::Parser::new().parse(user_agent) {
        // Browsers only: woothee files curl and the like as "HTTP Library".
        let a_browser = matches!(found.category, "pc" | "smartphone" | "mobilephone");
        if a_browser && found.name != woothee::woothee::VALUE_UNKNOWN {
            let major = found.version.split('.').next().unwrap_or_default();
            let browser = format!("{} {major}", found.name);
            let browser = browser.trim_end().to_owned();
            return match found.os {
                os if os == woothee::woothee::VALUE_UNKNOWN => browser,
                os => format!("{browser} on {os}"),
            };
        }
    }
    let product = user_agent.split_whitespace().next().unwrap_or(user_agent);
    let described: String = product.replacen('/', " ", 1).chars().take(40).collect();
    described
}
// ANCHOR_END: describe_browser

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_are_described_briefly() {
        let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
        assert_eq!(describe_browser(Some(firefox)), "Firefox 128 on Linux");
        let chrome = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 \
                      (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
        assert_eq!(describe_browser(Some(chrome)), "Chrome 131 on Mac OSX");
        assert_eq!(describe_browser(Some("curl/8.5.0")), "curl 8.5.0");
        assert_eq!(describe_browser(None), "unknown (no User-Agent)");
        assert_eq!(describe_browser(Some("   ")), "unknown (no User-Agent)");
        assert_eq!(describe_browser(Some(&"x".repeat(300))).len(), 40, "bounded");
    }
}
