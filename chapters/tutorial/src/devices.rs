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

use rocket::form::Form;
use rocket::http::Status;
use rocket::response::Redirect;
use rocket::{get, post, routes, uri, FromForm, Route};
use rocket_dyn_templates::{context, Template};
use serde::Serialize;

use crate::csrf::SameOrigin;
use crate::page::{readable_utc, Page};
use crate::routes::{refuse_without_token, sign_in_first, unavailable, TokenForm};
use crate::session::Ended;
use crate::store::RecordKey;
use crate::SignedIn;

/// The page.
pub fn pages() -> Vec<Route> {
    routes![sessions, sessions_signed_out]
}

/// Its two forms.
pub fn forms() -> Vec<Route> {
    routes![end_session, end_other_sessions]
}

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
#[get("/sessions")]
async fn sessions(_user: SignedIn<'_>, page: Page<'_>) -> Result<Template, (Status, Template)> {
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

#[get("/sessions", rank = 2)]
fn sessions_signed_out() -> Redirect {
    sign_in_first(uri!(sessions))
}
// ANCHOR_END: sessions_page

// ANCHOR: end_session
#[derive(FromForm)]
struct EndForm<'r> {
    record: Option<&'r str>,
    csrf_token: Option<&'r str>,
}

/// "Sign out this one". A record that is not one of the signed-in user's
/// sessions (another user's, an expired one, a made-up or malformed name)
/// is refused with `404`, and nothing changes.
#[post("/sessions/end", data = "<form>")]
async fn end_session(
    _from: SameOrigin,
    page: Page<'_>,
    form: Form<EndForm<'_>>,
) -> Result<Redirect, (Status, Template)> {
    if let Some(refused) = check_form(&page, form.csrf_token) {
        return refused;
    }
    let Some(key) = form.record.and_then(RecordKey::parse) else { return Err(not_yours(&page)) };
    match page.session.end_session(&key).await {
        Ok(Ended::ThisOne) => Ok(Redirect::to(uri!("/logout"))),
        Ok(Ended::Another) => Ok(Redirect::to(uri!(sessions))),
        Ok(Ended::NotYours) => Err(not_yours(&page)),
        Err(e) => Err(unavailable(&page, e)),
    }
}

/// "Sign out everywhere else": every session of the user but this one.
#[post("/sessions/end-others", data = "<form>")]
async fn end_other_sessions(
    _from: SameOrigin,
    page: Page<'_>,
    form: Form<TokenForm<'_>>,
) -> Result<Redirect, (Status, Template)> {
    if let Some(refused) = check_form(&page, form.csrf_token) {
        return refused;
    }
    match page.session.end_other_sessions().await {
        Ok(Some(_)) => Ok(Redirect::to(uri!(sessions))),
        Ok(None) => Err(not_yours(&page)),
        Err(e) => Err(unavailable(&page, e)),
    }
}
// ANCHOR_END: end_session

/// What both forms check first: a store that can say who is signed in,
/// someone signed in, and the session's token.
fn check_form(
    page: &Page<'_>,
    csrf_token: Option<&str>,
) -> Option<Result<Redirect, (Status, Template)>> {
    if let Some(e) = page.session.unavailable() {
        return Some(Err(unavailable(page, e.clone())));
    }
    if page.session.data().is_none() {
        return Some(Ok(sign_in_first(uri!(sessions))));
    }
    if !page.session.token_matches(csrf_token) {
        return Some(Err(refuse_without_token(page, csrf_token)));
    }
    None
}

/// `404` for a session that is not one of the signed-in user's.
fn not_yours(page: &Page<'_>) -> (Status, Template) {
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
