//! A notepad: sign in with a user id, keep a note in your session, sign
//! out. What a reader writes after `cargo new my-app` to put sessions in an
//! app of their own with `rocket-session-kit`.
//!
//! `cargo run -p my-app`, then open http://127.0.0.1:8010.

// ANCHOR: imports
use std::sync::Arc;

use rocket::figment::providers::{Env, Format, Serialized, Toml};
use rocket::figment::{Figment, Profile};
use rocket::form::Form;
use rocket::http::{RawStr, Status};
use rocket::response::content::RawHtml;
use rocket::response::Redirect;
use rocket::time::Duration;
use rocket::{get, launch, post, routes, uri, Build, FromForm, Rocket};
use rocket_session_kit::csrf::{CsrfForm, SameOrigin};
use rocket_session_kit::{
    Clock, Error, Session, SessionOwner, Sessions, SignedIn, Storage, SystemClock,
};
use serde::{Deserialize, Serialize};
// ANCHOR_END: imports

#[cfg(test)]
mod tests;

// ANCHOR: data
/// What a session keeps for a signed-in user: who they are, and a note of
/// their own. Any serde struct will do, as long as it is small (it is read
/// at every request, and a sealed cookie carries it in every one) and none
/// of its fields is named like one the session keeps for itself
/// (`created_at`, `last_seen`, `csrf_token`…).
#[derive(Clone, Serialize, Deserialize)]
struct Notepad {
    user_id: String,
    note: String,
}

/// Whose session it is: a server-side store indexes a user's sessions by
/// it. In a real app, the id your sign-in checked, never something merely
/// typed.
impl SessionOwner for Notepad {
    fn owner(&self) -> &str {
        &self.user_id
    }
}
// ANCHOR_END: data

// ANCHOR: sessions
/// Where the sessions live and how long they last. In files, below
/// `session_dir`; `Storage::Redis` (which reads `databases.sessions.url`)
/// or `Storage::SealedCookie` is a one-word change. The limits are the
/// code's defaults: `session_lifetime` and `session_absolute_lifetime` (in
/// `Rocket.toml` or `ROCKET_*` variables) override them.
const SESSIONS: Sessions = Sessions::new(Storage::ServerFiles)
    .with_cookie_name("my_app_session")
    .with_notice_cookie_name("my_app_notice")
    .with_store_name("my-app")
    .with_idle_limit(Duration::minutes(15))
    .with_absolute_limit(Duration::hours(8));
// ANCHOR_END: sessions

// ANCHOR: launch
#[launch]
fn rocket() -> _ {
    app(Arc::new(SystemClock))
}

/// The whole app, its sessions on `clock`: the system clock when it runs,
/// a clock the tests move by hand.
fn app(clock: Arc<dyn Clock>) -> Rocket<Build> {
    rocket::custom(figment())
        .attach(SESSIONS.fairing_with_clock::<Notepad>(clock))
        .mount("/", routes![home, home_signed_out, sign_in_page, sign_in, save_note, sign_out])
}
// ANCHOR_END: launch

// ANCHOR: figment
/// Rocket's own configuration (`Rocket.toml`, then `ROCKET_*` variables),
/// over one default of this app's: port 8010, clear of the chapters'.
fn figment() -> Figment {
    Figment::from(rocket::Config::default())
        .merge(Serialized::default("port", 8010))
        .merge(Toml::file(Env::var_or("ROCKET_CONFIG", "Rocket.toml")).nested())
        .merge(Env::prefixed("ROCKET_").ignore(&["PROFILE"]).global())
        .select(Profile::from_env_or("ROCKET_PROFILE", rocket::Config::DEFAULT_PROFILE))
}
// ANCHOR_END: figment

// ANCHOR: home
/// The signed-in page. `SignedIn` lets only a signed-in user in; the
/// `Session` gives the token its forms must carry.
#[get("/")]
fn home(user: SignedIn<'_, Notepad>, session: Session<'_, Notepad>) -> RawHtml<String> {
    let token = session.csrf_token().map_or("", |t| t.as_str());
    let user_id = RawStr::new(&user.user_id).html_escape();
    let note = RawStr::new(&user.note).html_escape();
    RawHtml(format!(
        "<p>Signed in as {user_id}.</p>\
         <form method=post action=/note>\
         <input type=hidden name=csrf_token value=\"{token}\">\
         <textarea name=note>{note}</textarea><button>Save</button></form>\
         <form method=post action=/sign-out>\
         <input type=hidden name=csrf_token value=\"{token}\"><button>Sign out</button></form>"
    ))
}

/// Nobody is signed in: `SignedIn` forwarded here.
#[get("/", rank = 2)]
fn home_signed_out() -> Redirect {
    Redirect::to(uri!(sign_in_page))
}
// ANCHOR_END: home

// ANCHOR: sign_in
/// The sign-in form, with the one-time message waiting for it, if any
/// ("You have been signed out.").
#[get("/sign-in")]
async fn sign_in_page(session: Session<'_, Notepad>) -> RawHtml<String> {
    let message = session.take_flash().await.unwrap_or_default();
    let message = RawStr::new(&message).html_escape();
    RawHtml(format!(
        "<p>{message}</p>\
         <form method=post action=/sign-in>\
         <input name=user_id><button>Sign in</button></form>"
    ))
}

#[derive(FromForm)]
struct SignIn<'r> {
    #[field(validate = len(1..=40))]
    user_id: &'r str,
}

/// A demo: whoever types a user id is signed in as it. Check a password
/// (or whatever your app trusts) before `start`. No token here: a visitor
/// who is not signed in has no session to keep one in, so `SameOrigin` is
/// the sign-in form's protection.
#[post("/sign-in", data = "<form>")]
async fn sign_in(
    _same_origin: SameOrigin,
    session: Session<'_, Notepad>,
    form: Form<SignIn<'_>>,
) -> Result<Redirect, Error> {
    let notepad = Notepad { user_id: form.user_id.to_owned(), note: String::new() };
    // Always a fresh session, under a fresh id, with a fresh token.
    session.start(notepad, false, None).await?;
    Ok(Redirect::to(uri!(home)))
}
// ANCHOR_END: sign_in

// ANCHOR: save_note
#[derive(FromForm)]
struct NoteForm<'r> {
    #[field(validate = len(..=1000))]
    note: &'r str,
}

/// Changes the session. `SameOrigin` refuses a form another origin sent,
/// before the session is even read; `CsrfForm` refuses one without the
/// session's token before the handler runs. Both answer `403`. `SignedIn`
/// comes before the form: while the store is out of order it answers `503`
/// (there is no token to compare with), and for a visitor `401`.
#[post("/note", data = "<form>")]
async fn save_note(
    _same_origin: SameOrigin,
    _signed_in: SignedIn<'_, Notepad>,
    session: Session<'_, Notepad>,
    form: CsrfForm<NoteForm<'_>>,
) -> Result<Redirect, Error> {
    let note = form.note.to_owned();
    session
        .modify(move |notepad| {
            notepad.note = note.clone();
            None
        })
        .await?;
    Ok(Redirect::to(uri!(home)))
}
// ANCHOR_END: save_note

// ANCHOR: sign_out
/// The sign-out form carries the token too: without it, another page could
/// sign the user out. `CsrfForm` needs a form with a field of its own, and
/// this one has none, so the handler checks the token itself.
#[derive(FromForm)]
struct SignOut<'r> {
    csrf_token: Option<&'r str>,
}

/// `SignedIn` answers `503` while the store is out of order, and the cookie
/// stays: the user can press Sign out again once the store is back.
#[post("/sign-out", data = "<form>")]
async fn sign_out(
    _same_origin: SameOrigin,
    _signed_in: SignedIn<'_, Notepad>,
    session: Session<'_, Notepad>,
    form: Form<SignOut<'_>>,
) -> Result<Redirect, Status> {
    if !session.token_matches(form.csrf_token) {
        return Err(Status::Forbidden);
    }
    // The record goes from the store, then the cookie from the browser.
    session.sign_out().await.map_err(|_| Status::ServiceUnavailable)?;
    Ok(Redirect::to(uri!(sign_in_page)))
}
// ANCHOR_END: sign_out
