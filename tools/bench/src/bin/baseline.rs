//! The benchmark's yardstick: the same pages from the same templates, with
//! no session at all. Every chapter's figure is divided by this one's,
//! measured in the same run, so a shared machine's drift cancels out.
//!
//! Run with `cargo run --release -p bench --bin baseline` (the bench command
//! starts it for you).

use rocket::form::{Form, FromForm};
use rocket::response::Redirect;
use rocket::serde::json::{json, Value};
use rocket::{get, post, routes};
use rocket_dyn_templates::Template;

/// The context a chapter renders, frozen: for a signed-in user on About,
/// for a visitor on Products (the bench asks for that page signed out).
/// No cookie is read, decrypted, looked up or written.
fn page(path: &str, user: Option<Value>) -> Value {
    // A session signed in a moment ago, as the panel shows it.
    let deadline = |at: &str, seconds: i64, left: &str| json!({ "at": at, "datetime": at, "seconds_left": seconds, "left": left });
    let deadlines = user.is_some().then(|| {
        json!({
            "idle": deadline("2026-11-25 20:17:56 UTC", 300, "5 minutes"),
            "absolute": deadline("2026-11-26 08:12:56 UTC", 43_200, "12 hours"),
            "sooner": "idle",
            "ending_soon": false,
            "remember": null,
            "cookie_max_age": "5 minutes",
            "cookie_max_age_seconds": 300,
        })
    });
    json!({
        "chapter": 0,
        "section": "Baseline, no session",
        "user": user,
        "path": path,
        "panel": {
            "storage": "sealed-cookie",
            "cookie_expiry": "sliding",
            "cookie_name": "baseline",
            "lifetime": "5 minutes",
            "lifetime_seconds": 300,
            "absolute_lifetime": "12 hours",
            "absolute_lifetime_seconds": 43_200,
            "cookie_lifetime": "5 minutes",
            "cookie_lifetime_seconds": 300,
            "deadlines": deadlines,
            "store_dir": null,
            "record": null,
        },
    })
}

#[get("/about")]
fn about() -> Template {
    let ada = json!({ "user_name": "ada", "lang": "en", "theme": "dark" });
    Template::render("about", json!({ "page": page("/about", Some(ada)) }))
}

#[get("/products")]
fn products() -> Template {
    Template::render("products", json!({ "page": page("/products", None) }))
}

/// The chapters' sign-in form.
#[derive(FromForm)]
struct SignIn<'r> {
    username: &'r str,
    password: &'r str,
}

/// Signing in without a session: the form is read, nothing is kept, and
/// the browser is sent on as a chapter sends it.
#[post("/login", data = "<form>")]
fn login(form: Form<SignIn<'_>>) -> Redirect {
    let _ = (form.username, form.password);
    Redirect::to("/about")
}

#[rocket::launch]
fn rocket() -> _ {
    rocket::build().attach(Template::fairing()).mount("/", routes![about, products, login])
}
