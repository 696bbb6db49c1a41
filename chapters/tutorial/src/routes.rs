//! What the chapters' routes share: the way to the sign-in form, the
//! refusal of a form without the session's token, the answer when the store
//! is out of order, and the site's error pages.

use rocket::http::{uri::Origin, Status};
use rocket::response::Redirect;
use rocket::{catch, catchers, Catcher, FromForm, Orbit, Request, Rocket};
use rocket_dyn_templates::{context, Template};

use crate::csrf;
use crate::page::{page_context, Page};
use crate::session::SessionView;
use crate::{Chapter, SessionManager, StoredData};

/// The site's error pages.
pub fn catchers() -> Vec<Catcher> {
    catchers![any_error]
}

/// How an error page finds the view of a visitor with no session: the
/// session manager in managed state is typed by the chapter's data, which
/// a catcher cannot name, so [`site`](crate::site) leaves this beside it.
pub(crate) struct SignedOutView(pub fn(&Rocket<Orbit>) -> SessionView);

impl SignedOutView {
    /// The one for a site whose session data is `D`.
    pub(crate) fn of<D: StoredData>() -> Self {
        SignedOutView(|rocket| {
            let manager = rocket.state::<SessionManager<D>>().expect("managed by tutorial::site");
            manager.signed_out_view()
        })
    }
}

// ANCHOR: sign_in_first
/// `303 See Other` to the login form, which brings the user back to `page`
/// (one of our own routes, so its path needs no escaping).
pub fn sign_in_first(page: Origin<'static>) -> Redirect {
    Redirect::to(format!("/login?next={}", page.path()))
}
// ANCHOR_END: sign_in_first

// ANCHOR: token_form
/// The field every form that changes a signed-in session carries.
#[derive(FromForm)]
pub struct TokenForm<'r> {
    /// The token, if the form carried one.
    pub csrf_token: Option<&'r str>,
}
// ANCHOR_END: token_form

// ANCHOR: refuse_without_token
/// `403` for a form without this session's token: another page made the
/// browser send it, or it comes from before the current sign-in.
pub fn refuse_without_token<D: StoredData>(
    page: &Page<'_, D>,
    given: Option<&str>,
) -> (Status, Template) {
    let reason = match given {
        None | Some("") => "The form carried no token.",
        Some(_) => "The form carried a token that is not this session's.",
    };
    rocket::warn!("refused a form without the session's token: {reason}");
    (Status::Forbidden, page.render_with("refused", context! { reason, layer: "token" }))
}
// ANCHOR_END: refuse_without_token

/// `503` for a signed-in form or page whose store is out of order.
pub fn unavailable<D: StoredData>(
    page: &Page<'_, D>,
    e: crate::store::StoreUnavailable,
) -> (Status, Template) {
    rocket::error!("the session store failed: {e}");
    (Status::ServiceUnavailable, page.render("unavailable"))
}

/// Every error (404, 422, …) gets a page of the site rather than Rocket's
/// default. Catchers cannot set cookies, so it shows the visitor signed out.
/// A `403` from [`SameOrigin`](csrf::SameOrigin) says which origin sent the form.
#[catch(default)]
fn any_error(status: Status, request: &Request<'_>) -> (Status, Template) {
    let rocket = request.rocket();
    let SignedOutView(signed_out) = rocket.state().expect("managed by tutorial::site");
    let chapter = rocket.state::<Chapter>().expect("managed by tutorial::site");
    let path = request.uri().path().as_str();
    // Nobody is shown signed in, so the page has no session data: `()`.
    let page_of =
        |unavailable| page_context::<()>(chapter, signed_out(rocket), None, path, unavailable);
    if let Some(csrf::Refused(reason)) = csrf::refusal(request) {
        let page = page_of(false).without_the_session();
        let form = context! { reason, layer: "origin" };
        return (status, Template::render("refused", context! { page, form }));
    }
    // A 503 here comes from `SignedIn`: a session cookie the store could
    // not look up.
    let unavailable = status == Status::ServiceUnavailable;
    let page = page_of(unavailable);
    if unavailable {
        return (status, Template::render("unavailable", context! { page }));
    }
    let error = context! { code: status.code, reason: status.reason_lossy() };
    (status, Template::render("error", context! { page, error }))
}
