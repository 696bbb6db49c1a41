//! The pages of the tutorial's site, identical in every chapter.

use rocket::form::Form;
use rocket::http::{uri::Origin, Status};
use rocket::response::Redirect;
use rocket::{catch, catchers, get, post, routes, uri, Catcher, FromForm, Request, Route};
use rocket_dyn_templates::{context, Template};
use serde::Serialize;

use crate::csrf::{self, SameOrigin};
use crate::page::{page_context, Page};
use crate::safe_next::safe_next;
use crate::username::Username;
use crate::Chapter;
use crate::{SessionManager, SignIn, SignedIn};

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

/// The handlers of the site's forms: every `POST`.
pub fn forms() -> Vec<Route> {
    routes![login, logout, toggle_theme]
}

pub fn catchers() -> Vec<Catcher> {
    catchers![any_error]
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

// ANCHOR: sign_in_first
/// `303 See Other` to the login form, which brings the user back to `page`
/// (one of our own routes, so its path needs no escaping).
pub(crate) fn sign_in_first(page: Origin<'static>) -> Redirect {
    Redirect::to(format!("/login?next={}", page.path()))
}
// ANCHOR_END: sign_in_first

/// What the login form shows besides the page.
#[derive(Serialize, Default)]
struct LoginView<'a> {
    /// The page to return to; only ever a local path.
    next: Option<String>,
    username: &'a str,
    error: Option<String>,
    /// "Keep me signed in" stays ticked when the form comes back.
    remember: bool,
}

#[get("/login?<next>")]
fn login_form(page: Page<'_>, next: Option<&str>) -> Template {
    let next = next.and_then(safe_next).map(|n| n.to_string());
    page.render_with("login", LoginView { next, ..Default::default() })
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
    /// The "Keep me signed in" box, in the chapter that offers it: absent
    /// when unticked, `on` when ticked (what a browser sends for a checkbox
    /// without a `value`). Every value sent is kept, so that a repeated or
    /// odd one is refused rather than dropped (an `Option` would read a
    /// field it cannot parse as absent). Ignored by the chapters that offer
    /// no choice.
    remember: Vec<&'r str>,
}

/// What the form says about "Keep me signed in": absent is unticked, one
/// `on` is ticked, and anything else is no answer to the question, so the
/// form comes back rather than the server guessing.
fn parse_remember(values: &[&str]) -> Result<bool, &'static str> {
    match values {
        [] => Ok(false),
        ["on"] => Ok(true),
        _ => Err("\"Keep me signed in\" is a checkbox: tick it or leave it empty."),
    }
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
    let offers_choice = page.session.view().cookie_expiry.is_chosen_at_sign_in();
    let remember = if offers_choice { parse_remember(&form.remember) } else { Ok(false) };
    let again = |error: String| {
        let view = LoginView {
            next: next.as_ref().map(|n| n.to_string()),
            username: form.username,
            error: Some(error),
            remember: *remember.as_ref().unwrap_or(&false),
        };
        (Status::UnprocessableEntity, page.render_with("login", view))
    };
    let user_name = match Username::parse(form.username) {
        Ok(name) => name,
        Err(error) => return Err(again(error.to_string())),
    };
    let remember = remember.map_err(|error| again(error.to_owned()))?;
    if let Err(e) = page.session.sign_in(user_name, remember).await {
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

// ANCHOR: token_form
/// The field every form that changes a signed-in session carries.
#[derive(FromForm)]
pub(crate) struct TokenForm<'r> {
    pub(crate) csrf_token: Option<&'r str>,
}
// ANCHOR_END: token_form

// ANCHOR: refuse_without_token
/// `403` for a form without this session's token: another page made the
/// browser send it, or it comes from before the current sign-in.
pub(crate) fn refuse_without_token(page: &Page<'_>, given: Option<&str>) -> (Status, Template) {
    let reason = match given {
        None | Some("") => "The form carried no token.",
        Some(_) => "The form carried a token that is not this session's.",
    };
    rocket::warn!("refused a form without the session's token: {reason}");
    (Status::Forbidden, page.render_with("refused", context! { reason, layer: "token" }))
}
// ANCHOR_END: refuse_without_token

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
    if let Err(e) = page.session.toggle_theme().await {
        rocket::error!("theme change failed: {e}");
        return Err((Status::ServiceUnavailable, page.render("unavailable")));
    }
    Ok(Redirect::to(form.next.and_then(safe_next).unwrap_or(uri!(home))))
}
// ANCHOR_END: theme

/// `503` for a signed-in form or page whose store is out of order.
pub(crate) fn unavailable(
    page: &Page<'_>,
    e: crate::store::StoreUnavailable,
) -> (Status, Template) {
    rocket::error!("the session store failed: {e}");
    (Status::ServiceUnavailable, page.render("unavailable"))
}

/// Every error (404, 422, …) gets a page of the site rather than Rocket's
/// default. Catchers cannot set cookies, so it shows the visitor signed out.
/// A `403` from [`SameOrigin`] says which origin sent the form.
#[catch(default)]
fn any_error(status: Status, request: &Request<'_>) -> (Status, Template) {
    let manager = request.rocket().state::<SessionManager>().expect("managed by tutorial::app");
    let chapter = request.rocket().state::<Chapter>().expect("managed by tutorial::app");
    let path = request.uri().path().as_str();
    if let Some(csrf::Refused(reason)) = csrf::refusal(request) {
        let page = page_context(chapter, manager.signed_out_view(), None, path, false)
            .without_the_session();
        let form = context! { reason, layer: "origin" };
        return (status, Template::render("refused", context! { page, form }));
    }
    // A 503 here comes from `SignedIn`: a session cookie the store could
    // not look up.
    let unavailable = status == Status::ServiceUnavailable;
    let page = page_context(chapter, manager.signed_out_view(), None, path, unavailable);
    if unavailable {
        return (status, Template::render("unavailable", context! { page }));
    }
    let error = context! { code: status.code, reason: status.reason_lossy() };
    (status, Template::render("error", context! { page, error }))
}
