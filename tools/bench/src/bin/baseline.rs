//! The benchmark's yardstick: the same pages from the same templates, with
//! no session at all. Every chapter's figure is divided by this one's,
//! measured in the same run, so a shared machine's drift cancels out.
//!
//! Run with `cargo run --release -p bench --bin baseline` (the bench command
//! starts it for you).

use rocket::serde::json::{json, Value};
use rocket::{get, routes};
use rocket_dyn_templates::Template;

/// The context a chapter renders for a signed-in user, frozen: no cookie is
/// read, decrypted, looked up or written.
fn page(path: &str) -> Value {
    json!({
        "chapter": 0,
        "section": "Baseline, no session",
        "user": { "user_name": "ada", "lang": "en", "theme": "dark" },
        "theme": "dark",
        "path": path,
        "panel": {
            "storage": "encrypted-cookie",
            "cookie_expiry": "sliding",
            "cookie_name": "baseline",
            "lifetime": "5 minutes",
            "lifetime_seconds": 300,
            "store_dir": null,
            "record": null,
        },
    })
}

#[get("/about")]
fn about() -> Template {
    Template::render("about", json!({ "page": page("/about") }))
}

#[get("/products")]
fn products() -> Template {
    Template::render("products", json!({ "page": page("/products") }))
}

#[rocket::launch]
fn rocket() -> _ {
    rocket::build().attach(Template::fairing()).mount("/", routes![about, products])
}
