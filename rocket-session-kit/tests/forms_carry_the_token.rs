//! `CsrfForm`: a form of the app's own that must carry the signed-in
//! session's token. Without it, with another session's, or with nobody
//! signed in, the handler never runs.

mod common;

use rocket::http::{ContentType, Status};
use rocket::local::blocking::Client;
use rocket::{get, post, routes, FromForm};

use rocket_session_kit::csrf::CsrfForm;
use rocket_session_kit::{Session, Sessions, Storage};

use common::Cart;

#[derive(FromForm)]
struct Rename<'r> {
    customer: &'r str,
}

#[post("/start")]
async fn start(session: Session<'_, Cart>) -> Status {
    let cart = Cart { customer: "ada".into(), items: Vec::new() };
    session.start(cart, false, None).await.map_or_else(|e| e.status(), |()| Status::Ok)
}

#[get("/token")]
fn token(session: Session<'_, Cart>) -> String {
    session.csrf_token().map_or(String::new(), |t| t.as_str().to_owned())
}

#[post("/rename", data = "<form>")]
async fn rename(form: CsrfForm<Rename<'_>>, session: Session<'_, Cart>) -> Status {
    let customer = form.0.customer.to_owned();
    let rename = move |cart: &mut Cart| {
        cart.customer = customer.clone();
        None
    };
    session.modify(rename).await.map_or_else(|e| e.status(), |()| Status::Ok)
}

#[get("/customer")]
fn customer(session: Session<'_, Cart>) -> String {
    session.data().map_or("nobody".into(), |cart| cart.customer.clone())
}

fn shop() -> Client {
    let sessions = Sessions::new(Storage::SealedCookie).with_cookie_name("shop_session");
    let rocket = rocket::build()
        .attach(sessions.fairing::<Cart>())
        .mount("/", routes![start, token, rename, customer]);
    Client::tracked(rocket).expect("the shop launches")
}

fn post_form(client: &Client, body: &str) -> Status {
    client.post("/rename").header(ContentType::Form).body(body).dispatch().status()
}

#[test]
fn a_form_without_the_sessions_token_is_refused() {
    let client = shop();
    // Nobody signed in: there is no token to match, whatever the form says.
    assert_eq!(post_form(&client, "customer=eve&csrf_token=guess"), Status::Forbidden);

    assert_eq!(client.post("/start").dispatch().status(), Status::Ok);
    let token = client.get("/token").dispatch().into_string().unwrap();
    assert_eq!(token.len(), 43, "a token of 256 bits, base64url");
    assert_eq!(post_form(&client, "customer=eve"), Status::Forbidden, "no token");
    let wrong = format!("customer=eve&csrf_token={}", "A".repeat(43));
    assert_eq!(post_form(&client, &wrong), Status::Forbidden, "another token");
    assert_eq!(client.get("/customer").dispatch().into_string().unwrap(), "ada", "unchanged");

    // The session's own token: the handler runs, on the form's own fields.
    assert_eq!(post_form(&client, &format!("customer=bob&csrf_token={token}")), Status::Ok);
    assert_eq!(client.get("/customer").dispatch().into_string().unwrap(), "bob");
    // Its fields decoded, as Rocket's own forms are.
    let encoded = format!("customer=Jos%C3%A9+Smith&csrf_token={token}");
    assert_eq!(post_form(&client, &encoded), Status::Ok);
    assert_eq!(client.get("/customer").dispatch().into_string().unwrap(), "José Smith");
    // With the token but without the form's fields: Rocket's 422.
    let incomplete = format!("csrf_token={token}");
    assert_eq!(post_form(&client, &incomplete), Status::UnprocessableEntity);
}
