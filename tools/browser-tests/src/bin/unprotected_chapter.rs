//! A chapter without its defences against cross-site request forgery: the
//! control group of the stranger's attacks (`tests/stranger.rs`,
//! `attack_report`).
//!
//! A test that only ever sees an attack fail proves nothing: the stranger's
//! page could be broken, the browser could never have sent the request, the
//! test could look at the wrong thing. So the same test code also runs the
//! same attacks against this program, which must let them through. It is
//! the chapter's own site (`tutorial::site_with`: its sessions, cookie and
//! catchers) with the tutorial's session data and the pages the attacks
//! look at (`/home`, `/products`, `/login`), rendered from the same
//! templates as the chapter's, and the three forms handled the way the
//! Flask tutorial handles them: no look at `Origin` or `Sec-Fetch-Site`, no
//! token, and a `GET /logout` that signs out. Only the session cookie's
//! `SameSite=Lax`, which the chapter's cookie keeps, stands in the way.
//!
//! It is test code in this crate, never a switch of a real chapter: nothing
//! a learner runs can be configured into it. Start it like the chapter,
//! through the launcher (same port, session folder and secret key
//! handling), naming the chapter in `UNPROTECTED_CHAPTER` (or as the first
//! argument):
//!
//! ```text
//! Launch::new(chapter).binary(<target>/debug/unprotected_chapter)
//!     .env("UNPROTECTED_CHAPTER", "2")
//! ```
//!
//! Each request to its forms prints whether the browser sent the session
//! cookie with it (`unprotected chapter 2: POST /theme, session cookie
//! sent: no`): the tests read that to tell "blocked by SameSite" from
//! anything else.

use std::convert::Infallible;
use std::sync::Arc;

use rocket::form::Form;
use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};
use rocket::response::Redirect;
use rocket::{get, post, routes, FromForm};
use rocket_dyn_templates::{context, Template};
use tutorial::safe_next::safe_next;
use tutorial::username::Username;
use tutorial::{signed_in, theme_changed, SystemClock};

/// Every chapter's session data holds the tutorial's three values; the
/// variant, one program for all of them, uses the tools' type of them.
use launcher::SessionData;

type Session<'r> = tutorial::Session<'r, SessionData>;
type SessionManager = tutorial::SessionManager<SessionData>;
type Page<'r> = tutorial::page::Page<'r, SessionData>;

/// The variable, or first argument, that names the chapter.
const CHAPTER_VARIABLE: &str = "UNPROTECTED_CHAPTER";

#[rocket::launch]
fn rocket() -> _ {
    let named = std::env::args().nth(1).or_else(|| std::env::var(CHAPTER_VARIABLE).ok());
    let number: u8 = named
        .as_deref()
        .and_then(|n| n.parse().ok())
        .filter(|n| (1..=launcher::CHAPTERS.len() as u8).contains(n))
        .unwrap_or_else(|| {
            eprintln!(
                "unprotected_chapter: name a chapter, 1 to {}, as the first argument or in \
                 {CHAPTER_VARIABLE} (got {named:?})",
                launcher::CHAPTERS.len()
            );
            std::process::exit(2)
        });
    let chapter = launcher::chapter(number);
    let figment = tutorial::chapter::figment(&chapter);
    tutorial::site_with::<SessionData>(chapter, figment, Arc::new(SystemClock))
        .mount("/", routes![home, products, login_form])
        .mount("/", routes![login, toggle_theme, logout])
        .mount("/", logout_by_get_route())
}

/// [`logout_by_get`], ranked before the site's own `GET /logout` page
/// (whose default rank, for a static path, is -12). The attribute takes no
/// negative rank, so it is set here.
fn logout_by_get_route() -> Vec<rocket::Route> {
    let mut route = routes![logout_by_get];
    route[0].rank = -100;
    route
}

/// Did the request carry the chapter's session cookie? Read from the
/// `Cookie` header itself, before anything can change the jar.
struct CookieSent {
    sent: bool,
    /// The chapter the request came to, for the log line.
    chapter: u8,
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for CookieSent {
    type Error = Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Infallible> {
        let manager = request.rocket().state::<SessionManager>().expect("managed by the app");
        let name = manager.sessions().cookie_name();
        let sent = request.headers().get("Cookie").any(|header| {
            header
                .split(';')
                .any(|pair| pair.trim().split_once('=').is_some_and(|(n, _)| n == name))
        });
        let chapter = request.rocket().state::<tutorial::Chapter>().expect("managed by the app");
        Outcome::Success(CookieSent { sent, chapter: chapter.number })
    }
}

#[get("/home")]
fn home(page: Page<'_>) -> Template {
    page.render("home")
}

#[get("/products")]
fn products(page: Page<'_>) -> Template {
    page.render("products")
}

#[get("/login?<next>")]
fn login_form(page: Page<'_>, next: Option<&str>) -> Template {
    let next = next.and_then(safe_next).map(|n| n.to_string());
    page.render_with("login", context! { next })
}

fn note(what: &str, sent: &CookieSent) {
    let number = sent.chapter;
    let sent = if sent.sent { "yes" } else { "no" };
    println!("unprotected chapter {number}: {what}, session cookie sent: {sent}");
}

#[derive(FromForm)]
struct LoginForm<'r> {
    #[field(default = "")]
    username: &'r str,
    next: Option<&'r str>,
    /// "Keep me signed in", where the chapter offers it: `on` when ticked.
    remember: Option<&'r str>,
}

/// The tutorial's sign-in: whoever posts a name is signed in as that name.
#[post("/login", data = "<form>")]
async fn login(
    sent: CookieSent,
    session: Session<'_>,
    form: Form<LoginForm<'_>>,
) -> Result<Redirect, (Status, String)> {
    note("POST /login", &sent);
    let name = Username::parse(form.username)
        .map_err(|e| (Status::UnprocessableEntity, format!("{e}\n")))?;
    let remember = form.remember == Some("on");
    let message = signed_in(name.as_str());
    session.start(SessionData::new(name), remember, Some(message)).await.map_err(unavailable)?;
    Ok(Redirect::to(form.next.and_then(safe_next).map_or("/home".into(), |n| n.to_string())))
}

#[derive(FromForm)]
struct ThemeForm<'r> {
    next: Option<&'r str>,
}

#[post("/theme", data = "<form>")]
async fn toggle_theme(
    sent: CookieSent,
    session: Session<'_>,
    form: Form<ThemeForm<'_>>,
) -> Result<Redirect, (Status, String)> {
    note("POST /theme", &sent);
    if session.data().is_none() {
        return Ok(Redirect::to("/login?next=/home"));
    }
    let toggle = |data: &mut SessionData| {
        data.theme = data.theme.toggled();
        Some(theme_changed(data.theme))
    };
    session.modify(toggle).await.map_err(unavailable)?;
    Ok(Redirect::to(form.next.and_then(safe_next).map_or("/home".into(), |n| n.to_string())))
}

#[post("/logout")]
async fn logout(sent: CookieSent, session: Session<'_>) -> Result<Redirect, (Status, String)> {
    note("POST /logout", &sent);
    session.sign_out().await.map_err(unavailable)?;
    Ok(Redirect::to("/home"))
}

/// The tutorial's sign-out link, which is what `<img src="/logout">`
/// exploits; see [`logout_by_get_route`] for its rank.
#[get("/logout")]
async fn logout_by_get(
    sent: CookieSent,
    session: Session<'_>,
) -> Result<Redirect, (Status, String)> {
    note("GET /logout", &sent);
    session.sign_out().await.map_err(unavailable)?;
    Ok(Redirect::to("/home"))
}

fn unavailable(e: impl std::fmt::Display) -> (Status, String) {
    (Status::ServiceUnavailable, format!("the session store is out of order: {e}\n"))
}
