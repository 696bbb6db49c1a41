//! Each test proves one thing the book's page says, on the app itself.

use rocket::error::ErrorKind;
use rocket::form::Form;
use rocket::http::{ContentType, Header, Status};
use rocket::local::blocking::{Client, LocalResponse};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::{catchers, post, routes};

use super::{error, hello, hello_visitor, rocket, NameForm, User, Visits};

fn client() -> Client {
    Client::tracked(rocket()).expect("the primer launches")
}

/// `GET /` as `user`.
fn greet<'c>(client: &'c Client, user: &str) -> LocalResponse<'c> {
    client.get("/").header(Header::new("X-User", user.to_string())).dispatch()
}

#[test]
fn the_guard_lets_a_named_user_through() {
    let client = client();
    let response = greet(&client, "ada");
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(response.into_string().unwrap(), "Hello, ada! Greeting number 1.\n");
}

#[test]
fn without_the_header_the_guard_forwards_to_the_rank_2_route() {
    // `hello` has Rocket's default rank for a static path, so it is tried
    // first; `hello_visitor` only after it.
    let ranks: Vec<isize> = routes![hello, hello_visitor].iter().map(|r| r.rank).collect();
    assert_eq!(ranks, [-9, 2]);
    let client = client();
    let response = client.get("/").dispatch();
    assert_eq!(response.status(), Status::Ok);
    let body = response.into_string().unwrap();
    assert_eq!(body, "Hello, visitor! Send an X-User header to be greeted by name.\n");
}

#[test]
fn a_forward_that_no_route_takes_ends_in_its_status() {
    // The primer without its rank-2 route.
    let rocket = rocket::build()
        .mount("/", routes![hello])
        .manage(Visits::default())
        .register("/", catchers![error]);
    let client = Client::tracked(rocket).expect("launches");
    let response = client.get("/").dispatch();
    assert_eq!(response.status(), Status::Unauthorized);
    assert_eq!(response.into_string().unwrap(), "401 Unauthorized for /\n");
}

#[test]
fn a_failing_guard_goes_to_the_catcher_not_to_the_rank_2_route() {
    let client = client();
    let response = greet(&client, "");
    assert_eq!(response.status(), Status::BadRequest);
    assert_eq!(response.into_string().unwrap(), "400 Bad Request for /\n");
}

/// `POST /name` with the form body `body`, as a browser sends it.
fn send_name<'c>(client: &'c Client, body: &str) -> LocalResponse<'c> {
    client.post("/name").header(ContentType::Form).body(body).dispatch()
}

#[test]
fn a_valid_form_redirects_to_the_uri_target() {
    let client = client();
    let response = send_name(&client, "name=ada+lovelace");
    assert_eq!(response.status(), Status::SeeOther);
    let location = response.headers().get_one("Location").unwrap().to_string();
    assert_eq!(location, "/welcome?name=ada%20lovelace");
    let welcome = client.get(location).dispatch();
    assert_eq!(welcome.into_string().unwrap(), "Welcome, ada lovelace!\n");
}

#[test]
fn a_form_that_fails_its_validation_goes_to_the_catcher() {
    let client = client();
    let too_long = format!("name={}", "a".repeat(41));
    for body in ["name=", too_long.as_str(), "nickname=ada"] {
        let response = send_name(&client, body);
        assert_eq!(response.status(), Status::UnprocessableEntity, "{body}");
        assert_eq!(response.into_string().unwrap(), "422 Unprocessable Entity for /name\n");
    }
}

#[test]
fn the_route_s_err_sends_its_status_and_body_without_the_catcher() {
    let client = client();
    let response = send_name(&client, "name=visitor");
    assert_eq!(response.status(), Status::UnprocessableEntity);
    assert_eq!(response.into_string().unwrap(), "Please choose another name.\n");
}

#[test]
fn the_query_parameter_arrives_as_an_argument() {
    let client = client();
    let named = client.get("/welcome?name=ada").dispatch();
    assert_eq!(named.into_string().unwrap(), "Welcome, ada!\n");
    let unnamed = client.get("/welcome").dispatch();
    assert_eq!(unnamed.into_string().unwrap(), "Welcome, visitor!\n");
}

/// A guard that always fails, to show which guard Rocket runs first.
struct Teapot;

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Teapot {
    type Error = ();

    async fn from_request(_request: &'r Request<'_>) -> Outcome<Self, ()> {
        Outcome::Error((Status::ImATeapot, ()))
    }
}

#[post("/user-first", data = "<_form>")]
fn user_first(_user: User, _teapot: Teapot, _form: Form<NameForm<'_>>) {}

#[post("/teapot-first", data = "<_form>")]
fn teapot_first(_teapot: Teapot, _user: User, _form: Form<NameForm<'_>>) {}

#[test]
fn request_guards_run_in_the_order_written_and_the_data_guard_last() {
    let rocket = rocket::build().mount("/", routes![user_first, teapot_first]);
    let client = Client::tracked(rocket).expect("launches");
    let send = |path: &'static str, user: &str| {
        // An empty name: the form would fail too, if Rocket got to it.
        let request = client.post(path).header(ContentType::Form).body("name=");
        request.header(Header::new("X-User", user.to_string())).dispatch().status()
    };
    // An empty `X-User` fails `User`: whichever guard is written first answers.
    assert_eq!(send("/user-first", ""), Status::BadRequest);
    assert_eq!(send("/teapot-first", ""), Status::ImATeapot);
    // `User` succeeds and `Teapot` fails: the form's 422 never comes.
    assert_eq!(send("/user-first", "ada"), Status::ImATeapot);
}

#[test]
fn the_fairing_marks_every_response() {
    let client = client();
    let responses =
        [greet(&client, "ada"), client.get("/").dispatch(), client.get("/nowhere").dispatch()];
    for response in responses {
        assert_eq!(response.headers().get_one("Cache-Control"), Some("no-store"));
    }
}

#[test]
fn every_request_shares_the_managed_state() {
    let client = client();
    assert_eq!(greet(&client, "ada").into_string().unwrap(), "Hello, ada! Greeting number 1.\n");
    assert_eq!(
        greet(&client, "grace").into_string().unwrap(),
        "Hello, grace! Greeting number 2.\n"
    );
    // A visitor's greeting is not by name, and does not count.
    client.get("/").dispatch();
    assert_eq!(greet(&client, "ada").into_string().unwrap(), "Hello, ada! Greeting number 3.\n");
}

#[test]
fn the_catcher_answers_a_path_no_route_matches() {
    let client = client();
    let response = client.get("/nowhere").dispatch();
    assert_eq!(response.status(), Status::NotFound);
    assert_eq!(response.into_string().unwrap(), "404 Not Found for /nowhere\n");
}

#[test]
fn a_route_that_asks_for_unmanaged_state_stops_the_launch() {
    // `hello` asks for `&State<Visits>`, and nothing manages a `Visits`.
    let rocket = rocket::build().mount("/", routes![hello]);
    let Err(error) = Client::tracked(rocket) else { panic!("the app launched") };
    // Looking at the error's kind marks it handled: unhandled, it panics.
    assert!(matches!(error.kind(), ErrorKind::SentinelAborts(_)));
}

#[test]
fn the_configuration_merges_rocket_toml_over_rocket_s_defaults() {
    let client = client();
    let figment = client.rocket().figment();
    // A debug build (the tests are one) reads the `debug` profile.
    assert_eq!(figment.profile(), "debug");
    // Found in the workspace's `Rocket.toml`, two folders above this crate.
    let template_dir: String = figment.extract_inner("template_dir").unwrap();
    assert_eq!(template_dir, "shared-templates");
    assert!(client.rocket().config().secret_key.is_provided());
    // `Rocket.toml` sets no port: Rocket's own default.
    assert_eq!(client.rocket().config().port, 8000);
}
