//! The app every example runs: the crate's quick start (its README), with
//! the store left to the example. A visitor signs in with a name, and the
//! home page counts their visits.

use rocket::form::Form;
use rocket::http::{RawStr, Status};
use rocket::response::content::RawHtml;
use rocket::response::Redirect;
use rocket::{get, post, routes, Build, FromForm, Rocket};
use rocket_session_kit::csrf::SameOrigin;
use rocket_session_kit::{Error, Session, SessionOwner, Sessions, SignedIn};
use serde::{Deserialize, Serialize};

/// What this app keeps in a session: any serde struct of its own.
#[derive(Clone, Serialize, Deserialize)]
struct Visitor {
    name: String,
    visits: u32,
}

/// Whose session it is, for the list of a user's sessions: in a real app,
/// the id your sign-in checked, never something the visitor just typed.
impl SessionOwner for Visitor {
    fn owner(&self) -> &str {
        &self.name
    }
}

#[get("/")]
async fn home(
    visitor: SignedIn<'_, Visitor>,
    session: Session<'_, Visitor>,
) -> Result<RawHtml<String>, Error> {
    // A change to the session, sealed into this response's cookie (or
    // written to the store). It adds one to what is there, rather than
    // setting a number: a store may run it again on a fresher copy.
    session
        .modify(|v| {
            v.visits += 1;
            None
        })
        .await?;
    let visits = visitor.visits + 1;
    let name = RawStr::new(&visitor.name).html_escape();
    let token = session.csrf_token().map_or("", |t| t.as_str());
    Ok(RawHtml(format!(
        "<p>Hello {name}, this is visit {visits}.</p>\
         <form method=post action=/sign-out>\
         <input type=hidden name=csrf_token value=\"{token}\"><button>Sign out</button></form>"
    )))
}

#[get("/", rank = 2)]
fn sign_in_page() -> RawHtml<&'static str> {
    RawHtml("<form method=post action=/sign-in><input name=name><button>Sign in</button></form>")
}

#[derive(FromForm)]
struct SignIn<'r> {
    name: &'r str,
}

/// A demo: whoever types a name is signed in as that name. Check a
/// password (or whatever your app trusts) before `start`.
#[post("/sign-in", data = "<form>")]
async fn sign_in(
    _same_origin: SameOrigin,
    session: Session<'_, Visitor>,
    form: Form<SignIn<'_>>,
) -> Result<Redirect, Error> {
    let visitor = Visitor { name: form.name.into(), visits: 0 };
    // Always a fresh session, under a fresh id.
    session.start(visitor, false, None).await?;
    Ok(Redirect::to("/"))
}

#[derive(FromForm)]
struct SignOut<'r> {
    csrf_token: Option<&'r str>,
}

#[post("/sign-out", data = "<form>")]
async fn sign_out(
    _same_origin: SameOrigin,
    session: Session<'_, Visitor>,
    form: Form<SignOut<'_>>,
) -> Result<Redirect, Status> {
    if !session.token_matches(form.csrf_token) {
        return Err(Status::Forbidden);
    }
    session.sign_out().await.map_err(|_| Status::ServiceUnavailable)?;
    Ok(Redirect::to("/"))
}

/// The visits app, its sessions as `sessions` describe them.
pub fn app(sessions: Sessions) -> Rocket<Build> {
    rocket::build()
        .attach(sessions.fairing::<Visitor>())
        .mount("/", routes![home, sign_in_page, sign_in, sign_out])
}

/// Signs in, counts two visits, signs out: what every example's test
/// checks, whatever the store.
#[cfg(test)]
pub fn check(rocket: Rocket<Build>) {
    use rocket::local::blocking::Client;

    let client = Client::tracked(rocket).expect("the app launches");
    let home = client.get("/").dispatch().into_string().unwrap();
    assert!(home.contains("Sign in"), "{home}");
    let signed_in =
        client.post("/sign-in").header(rocket::http::ContentType::Form).body("name=ada").dispatch();
    assert_eq!(signed_in.status(), Status::SeeOther);
    let first = client.get("/").dispatch().into_string().unwrap();
    assert!(first.contains("Hello ada, this is visit 1."), "{first}");
    let second = client.get("/").dispatch().into_string().unwrap();
    assert!(second.contains("this is visit 2."), "{second}");
    let token = second.split("value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let signed_out = client
        .post("/sign-out")
        .header(rocket::http::ContentType::Form)
        .body(format!("csrf_token={token}"))
        .dispatch();
    assert_eq!(signed_out.status(), Status::SeeOther);
    assert!(client.get("/").dispatch().into_string().unwrap().contains("Sign in"));
}
