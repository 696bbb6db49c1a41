//! Chapter 4 of the tutorial: a persistent session, server-side.
//!
//! Run with `cargo run -p chapter-4`, then open http://127.0.0.1:8004.
//!
//! This file is the whole app: its sessions, which are the chapter's
//! lesson, and its pages and forms. What every chapter shows but is not
//! its lesson (the session panel, the list of a user's sessions, safe
//! redirects, the username rule, the error pages) is the chapters' shared
//! library, `tutorial`.

use rocket::form::Form;
use rocket::http::Status;
use rocket::response::Redirect;
use rocket::{get, post, routes, uri, Build, FromForm, Rocket, Route};
use rocket_dyn_templates::{context, Template};
use serde::{Deserialize, Serialize};
use tutorial::csrf::SameOrigin;
use tutorial::routes::{refuse_without_token, sign_in_first, TokenForm};
use tutorial::safe_next::safe_next;
use tutorial::username::Username;
use tutorial::{
    signed_in, theme_changed, Chapter, CookieExpiry, SessionOwner, Sessions, Storage, Theme,
    FIVE_MINUTES, TWELVE_HOURS,
};

// ANCHOR: chapter
/// The chapter's sessions, its lesson: all that sets it apart from chapters
/// 1 to 5, whose pages and forms are the same.
pub const CHAPTER: Chapter = Chapter {
    number: 4,
    section: "Persistent session, server-side",
    default_port: 8004,
    sessions: Sessions::new(Storage::ServerFiles)
        .with_cookie_name("chapter4_session")
        .with_notice_cookie_name("chapter4_notice")
        .with_store_name("chapter-4")
        .with_cookie_expiry(CookieExpiry::SlidingLifetime)
        .with_idle_limit(FIVE_MINUTES)
        .with_absolute_limit(TWELVE_HOURS),
};
// ANCHOR_END: chapter

// ANCHOR: session_data
/// What the session holds once the user signs in: the tutorial's three
/// values. The crate stores it beside the session's own fields (its
/// timestamps, its CSRF token) as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionData {
    /// The name the user signed in with.
    pub user_name: String,
    /// The user's language; the tutorial always stores `"en"`.
    pub lang: String,
    /// The page colours the user chose.
    pub theme: Theme,
}

impl SessionData {
    /// The tutorial's three values for a user who just signed in.
    pub fn new(user_name: Username) -> Self {
        SessionData { user_name: user_name.into_string(), lang: "en".into(), theme: Theme::Dark }
    }
}

/// Whose session it is: the list of a user's sessions goes by this name.
impl SessionOwner for SessionData {
    fn owner(&self) -> &str {
        &self.user_name
    }
}
// ANCHOR_END: session_data

// ANCHOR: guards
/// The guard of every page: the session of this app's data, and what the
/// templates show of it.
type Page<'r> = tutorial::page::Page<'r, SessionData>;
/// The guard of the pages only a signed-in user may see.
type SignedIn<'r> = tutorial::SignedIn<'r, SessionData>;
// ANCHOR_END: guards

// ANCHOR: app
/// What `cargo run -p chapter-4` serves: the chapters' shared site (its
/// session panel, the list of a user's sessions, its error pages) with
/// this chapter's sessions, and this chapter's pages and forms.
pub fn app() -> Rocket<Build> {
    tutorial::site::<SessionData>(CHAPTER).mount("/", pages()).mount("/", forms())
}
// ANCHOR_END: app

/// The pages a browser gets.
pub fn pages() -> Vec<Route> {
    routes![
        index,
        home,
        products,
        about,
        about_signed_out,
        contact,
        contact_signed_out,
        login_form,
        logout_page,
    ]
}

/// The handlers of the forms: every `POST`.
pub fn forms() -> Vec<Route> {
    routes![login, logout, toggle_theme]
}

#[get("/")]
fn index(page: Page<'_>) -> Template {
    home(page)
}

// ANCHOR: home
#[get("/home")]
fn home(page: Page<'_>) -> Template {
    // The tutorial's `print("Session data is: ", session)`.
    rocket::info!("Session data is: {:?}", page.session.data());
    page.render("home")
}
// ANCHOR_END: home

#[get("/products")]
fn products(page: Page<'_>) -> Template {
    page.render("products")
}

// ANCHOR: about
#[get("/about")]
fn about(_user: SignedIn<'_>, page: Page<'_>) -> Template {
    page.render("about")
}

/// Reached when `SignedIn` forwarded: nobody is signed in.
#[get("/about", rank = 2)]
fn about_signed_out() -> Redirect {
    sign_in_first(uri!(about))
}
// ANCHOR_END: about

#[get("/contact")]
fn contact(_user: SignedIn<'_>, page: Page<'_>) -> Template {
    page.render("contact")
}

#[get("/contact", rank = 2)]
fn contact_signed_out() -> Redirect {
    sign_in_first(uri!(contact))
}

#[get("/login?<next>")]
fn login_form(page: Page<'_>, next: Option<&str>) -> Template {
    let next = next.and_then(safe_next).map(|n| n.to_string());
    page.render_with("login", LoginView { next, ..Default::default() })
}

/// What the login form shows besides the page.
#[derive(Serialize, Default)]
struct LoginView<'a> {
    /// The page to return to; only ever a local path.
    next: Option<String>,
    username: &'a str,
    error: Option<String>,
}

// ANCHOR: login_form
#[derive(FromForm)]
struct LoginForm<'r> {
    #[field(default = "")]
    username: &'r str,
    /// Sent by the form and deliberately ignored: see the login page.
    #[allow(dead_code)]
    password: Option<&'r str>,
    next: Option<&'r str>,
}
// ANCHOR_END: login_form

// ANCHOR: login
// `SameOrigin` comes first: a form another origin sent is refused before
// the session is even read. The sign-in form has no session yet to keep a
// token in, so that layer is all it has (see the book on login CSRF).
#[post("/login", data = "<form>")]
async fn login(
    _from: SameOrigin,
    page: Page<'_>,
    form: Form<LoginForm<'_>>,
) -> Result<Redirect, (Status, Template)> {
    let next = form.next.and_then(safe_next);
    let user_name = match Username::parse(form.username) {
        Ok(name) => name,
        Err(error) => {
            let view = LoginView {
                next: next.as_ref().map(|n| n.to_string()),
                username: form.username,
                error: Some(error.to_string()),
            };
            return Err((Status::UnprocessableEntity, page.render_with("login", view)));
        }
    };
    // ANCHOR: sign_in
    // A fresh session (in the server-side chapters, under a new id),
    // whatever the request came with; and a message for the next page.
    let message = signed_in(user_name.as_str());
    let started = page.session.start(SessionData::new(user_name), false, Some(message));
    // ANCHOR_END: sign_in
    if let Err(e) = started.await {
        rocket::error!("sign-in failed: {e}");
        return Err((Status::ServiceUnavailable, page.render("unavailable")));
    }
    Ok(Redirect::to(next.unwrap_or(uri!(home))))
}
// ANCHOR_END: login

#[get("/logout")]
fn logout_page(page: Page<'_>) -> Template {
    page.render("logout")
}

// ANCHOR: logout
#[post("/logout", data = "<form>")]
async fn logout(
    _from: SameOrigin,
    page: Page<'_>,
    form: Form<TokenForm<'_>>,
) -> Result<Redirect, (Status, Template)> {
    // Signed out already, or the store cannot say: no token to check, and
    // nothing a forged request could end.
    if page.session.data().is_some() && !page.session.token_matches(form.csrf_token) {
        return Err(refuse_without_token(&page, form.csrf_token));
    }
    if let Err(e) = page.session.sign_out().await {
        rocket::error!("sign-out failed: {e}");
        let unavailable = page.render_with("unavailable", context! { signing_out: true });
        return Err((Status::ServiceUnavailable, unavailable));
    }
    Ok(Redirect::to(uri!(logout_page)))
}
// ANCHOR_END: logout

// ANCHOR: theme
#[derive(FromForm)]
struct ThemeForm<'r> {
    next: Option<&'r str>,
    csrf_token: Option<&'r str>,
}

#[post("/theme", data = "<form>")]
async fn toggle_theme(
    _from: SameOrigin,
    page: Page<'_>,
    form: Form<ThemeForm<'_>>,
) -> Result<Redirect, (Status, Template)> {
    if page.session.unavailable().is_some() {
        return Err((Status::ServiceUnavailable, page.render("unavailable")));
    }
    if page.session.data().is_none() {
        return Ok(sign_in_first(uri!(home)));
    }
    if !page.session.token_matches(form.csrf_token) {
        return Err(refuse_without_token(&page, form.csrf_token));
    }
    // ANCHOR: toggle_theme
    let toggled = page.session.modify(|data: &mut SessionData| {
        data.theme = data.theme.toggled();
        Some(theme_changed(data.theme))
    });
    // ANCHOR_END: toggle_theme
    if let Err(e) = toggled.await {
        rocket::error!("theme change failed: {e}");
        return Err((Status::ServiceUnavailable, page.render("unavailable")));
    }
    Ok(Redirect::to(form.next.and_then(safe_next).unwrap_or(uri!(home))))
}
// ANCHOR_END: theme
