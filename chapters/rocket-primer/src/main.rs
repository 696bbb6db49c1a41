//! Rocket in one page: a tiny app with each piece of Rocket the course
//! uses, once. The book's page "Rocket in one page" walks through it.
//!
//! Run with `cargo run -p rocket-primer`, then, in another terminal:
//!
//! ```text
//! curl -i http://127.0.0.1:8000/
//! curl -i -H 'X-User: ada' http://127.0.0.1:8000/
//! curl -i -d name=ada http://127.0.0.1:8000/name
//! ```

use std::sync::atomic::{AtomicUsize, Ordering};

use rocket::fairing::AdHoc;
use rocket::form::Form;
use rocket::http::{Header, Status};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::response::Redirect;
use rocket::{catch, catchers, get, launch, post, routes, uri, FromForm, State};

#[cfg(test)]
mod tests;

// ANCHOR: route
/// `GET /` for a user the `User` guard let through. Each argument is built
/// from the request before the function runs.
#[get("/")]
fn hello(user: User, visits: &State<Visits>) -> String {
    let visit = visits.0.fetch_add(1, Ordering::Relaxed) + 1;
    format!("Hello, {}! Greeting number {visit}.\n", user.0)
}
// ANCHOR_END: route

// ANCHOR: guard
/// Whoever the `X-User` header names. Any client can send any header, so
/// this proves nothing about who is asking: the course's guards read a
/// sealed cookie instead. The three outcomes are what matters here.
struct User(String);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for User {
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        match request.headers().get_one("X-User") {
            // A header that names nobody is a mistake: no route should try.
            Some("") => Outcome::Error((Status::BadRequest, ())),
            Some(name) => Outcome::Success(User(name.to_string())),
            // No header: not a mistake, a visitor. Another route may answer.
            None => Outcome::Forward(Status::Unauthorized),
        }
    }
}
// ANCHOR_END: guard

// ANCHOR: forward
/// `GET /` again, tried after `hello` because of its rank: it answers the
/// visitors whom `User` forwarded.
#[get("/", rank = 2)]
fn hello_visitor() -> &'static str {
    "Hello, visitor! Send an X-User header to be greeted by name.\n"
}
// ANCHOR_END: forward

// ANCHOR: form
/// The fields of a form with one text box, `name`. A field that fails its
/// `validate` check fails the whole form.
#[derive(FromForm)]
struct NameForm<'r> {
    #[field(validate = len(1..=40))]
    name: &'r str,
}

/// `POST /name`, from a form. `form` is the data guard: the request's
/// body, parsed and checked.
#[post("/name", data = "<form>")]
fn choose_name(form: Form<NameForm<'_>>) -> Result<Redirect, (Status, String)> {
    if form.name == "visitor" {
        // The route's own refusal: this status, this body, and no catcher.
        return Err((Status::UnprocessableEntity, "Please choose another name.\n".into()));
    }
    // `uri!` writes the path of the `welcome` route, with its query.
    Ok(Redirect::to(uri!(welcome(Some(form.name)))))
}
// ANCHOR_END: form

// ANCHOR: query
/// `GET /welcome`, with or without `?name=…`.
#[get("/welcome?<name>")]
fn welcome(name: Option<&str>) -> String {
    format!("Welcome, {}!\n", name.unwrap_or("visitor"))
}
// ANCHOR_END: query

// ANCHOR: fairing
/// On every response, whichever route or catcher made it: a greeting by
/// name is for one user, so no cache along the way may keep a copy.
fn no_store() -> AdHoc {
    AdHoc::on_response("Cache-Control: no-store", |_, response| {
        Box::pin(async move {
            response.set_header(Header::new("Cache-Control", "no-store"));
        })
    })
}
// ANCHOR_END: fairing

// ANCHOR: state
/// How many greetings by name the server gave: one value for the whole
/// app, which every request shares. Handlers only get `&Visits`, and run
/// at the same time, so it counts with an atomic.
#[derive(Default)]
struct Visits(AtomicUsize);
// ANCHOR_END: state

// ANCHOR: catcher
/// Every error status no route answered: a path no route matches (404),
/// or a guard that failed (the 400 of an empty `X-User`).
#[catch(default)]
fn error(status: Status, request: &Request<'_>) -> String {
    format!("{status} for {}\n", request.uri())
}
// ANCHOR_END: catcher

// ANCHOR: launch
#[launch]
fn rocket() -> _ {
    rocket::build()
        .mount("/", routes![hello, hello_visitor, choose_name, welcome])
        .attach(no_store())
        .manage(Visits::default())
        .register("/", catchers![error])
}
// ANCHOR_END: launch
