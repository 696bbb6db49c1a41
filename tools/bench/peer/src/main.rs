//! The benchmark's peer: the chapters' About and Products pages, signed in
//! with [rocket_flex_session], written the way its documentation and its
//! Redis example do it. `PEER_STORAGE` picks what keeps the session:
//!
//! - `cookie`: its cookie storage (an encrypted cookie, as chapter 3's);
//! - `redis`: its Redis storage through fred, at `PEER_REDIS_URL` (as
//!   chapter 5's);
//! - `none`: no session at all, the same pages and handlers: the peer's own
//!   session-less yardstick, so that what each session costs is measured
//!   against its own app (see tools/bench/src/main.rs).
//!
//! The session lives five minutes and slides with every request
//! (`rolling`), as chapters 3 and 5 do; its cookies drop `Secure`, because
//! the benchmark speaks plain HTTP on loopback. `scripts/bench` builds and
//! starts it.

use fred::prelude::{Builder, ClientLike, Config};
use rocket::form::{Form, FromForm};
use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};
use rocket::response::Redirect;
use rocket::{get, post, routes, Build, Responder, Rocket};
use rocket_dyn_templates::Template;
use rocket_flex_session::storage::cookie::CookieStorage;
use rocket_flex_session::storage::redis::{
    RedisFormat, RedisFredStorage, RedisValue, SessionRedis,
};
use rocket_flex_session::{RocketFlexSession, Session, SessionIdentifier};
use serde::{Deserialize, Serialize};

/// The chapters' idle lifetime: five minutes, refreshed by every request.
const LIFETIME_SECONDS: u32 = 300;

/// The session's data: the tutorial's signed-in user.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct User {
    user_name: String,
    lang: String,
    theme: String,
}

/// Its Redis storage wants an identifier to index sessions by user.
impl SessionIdentifier for User {
    type Id = String;

    fn identifier(&self) -> Option<Self::Id> {
        Some(self.user_name.clone())
    }
}

/// And a conversion to and from a Redis value: JSON in a string, as in
/// its example.
impl SessionRedis for User {
    const REDIS_FORMAT: RedisFormat = RedisFormat::String;
    type Error = serde_json::Error;

    fn into_redis(self) -> Result<RedisValue, Self::Error> {
        Ok(RedisValue::String(serde_json::to_string(&self)?))
    }

    fn from_redis(value: RedisValue) -> Result<Self, Self::Error> {
        let value = value.into_string().unwrap_or_default();
        serde_json::from_str(&value)
    }
}

/// What keeps the session, from `PEER_STORAGE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Storage {
    None,
    Cookie,
    Redis,
}

/// The signed-in user, if any: from the session, or nobody at all when
/// the peer runs without one.
struct Visitor(Option<User>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Visitor {
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        let storage = request.rocket().state::<Storage>().copied().unwrap_or(Storage::None);
        if storage == Storage::None {
            // The yardstick: About as a signed-in user sees it, read from
            // nowhere (as the chapters' baseline does).
            let about = request.uri().path() == "/about";
            return Outcome::Success(Visitor(about.then(|| user("ada"))));
        }
        match request.guard::<Session<User>>().await {
            Outcome::Success(session) => Outcome::Success(Visitor(session.get())),
            Outcome::Error((status, _)) => Outcome::Error((status, ())),
            Outcome::Forward(status) => Outcome::Forward(status),
        }
    }
}

fn user(name: &str) -> User {
    User { user_name: name.to_owned(), lang: "en".to_owned(), theme: "dark".to_owned() }
}

/// The page the shared templates render, as a typed context: the same
/// fields the chapters' baseline fills, frozen the same way.
#[derive(Serialize)]
struct Page {
    chapter: u8,
    section: &'static str,
    user: Option<User>,
    path: &'static str,
    panel: Panel,
}

#[derive(Serialize)]
struct Panel {
    storage: &'static str,
    cookie_expiry: &'static str,
    cookie_name: &'static str,
    lifetime: &'static str,
    lifetime_seconds: u32,
    absolute_lifetime: &'static str,
    absolute_lifetime_seconds: u32,
    cookie_lifetime: &'static str,
    cookie_lifetime_seconds: u32,
    deadlines: Option<Deadlines>,
    store_dir: Option<String>,
    record: Option<String>,
}

#[derive(Serialize)]
struct Deadlines {
    idle: Deadline,
    absolute: Deadline,
    sooner: &'static str,
    ending_soon: bool,
    remember: Option<Deadline>,
    cookie_max_age: &'static str,
    cookie_max_age_seconds: u32,
}

#[derive(Serialize)]
struct Deadline {
    at: &'static str,
    datetime: &'static str,
    seconds_left: u32,
    left: &'static str,
}

#[derive(Serialize)]
struct Context {
    page: Page,
}

fn page(path: &'static str, user: Option<User>) -> Context {
    let deadline = |at, seconds_left, left| Deadline { at, datetime: at, seconds_left, left };
    let deadlines = user.is_some().then(|| Deadlines {
        idle: deadline("2026-11-25 20:17:56 UTC", 300, "5 minutes"),
        absolute: deadline("2026-11-26 08:12:56 UTC", 43_200, "12 hours"),
        sooner: "idle",
        ending_soon: false,
        remember: None,
        cookie_max_age: "5 minutes",
        cookie_max_age_seconds: 300,
    });
    let panel = Panel {
        storage: "rocket_flex_session",
        cookie_expiry: "sliding",
        cookie_name: "rocket",
        lifetime: "5 minutes",
        lifetime_seconds: LIFETIME_SECONDS,
        absolute_lifetime: "none",
        absolute_lifetime_seconds: 0,
        cookie_lifetime: "5 minutes",
        cookie_lifetime_seconds: LIFETIME_SECONDS,
        deadlines,
        store_dir: None,
        record: None,
    };
    Context { page: Page { chapter: 0, section: "rocket_flex_session", user, path, panel } }
}

/// About, or the way to sign in.
#[derive(Responder)]
enum About {
    Page(Template),
    SignIn(Redirect),
}

#[get("/about")]
fn about(visitor: Visitor) -> About {
    match visitor.0 {
        Some(user) => About::Page(Template::render("about", page("/about", Some(user)))),
        None => About::SignIn(Redirect::to("/login")),
    }
}

#[get("/products")]
fn products(visitor: Visitor) -> Template {
    Template::render("products", page("/products", visitor.0))
}

#[derive(FromForm)]
struct SignIn<'r> {
    username: &'r str,
    #[allow(dead_code)]
    password: &'r str,
}

/// Signing in as its quick start does: `set()` the session's data.
#[post("/login", data = "<form>")]
fn login(mut session: Session<'_, User>, form: Form<SignIn<'_>>) -> Redirect {
    session.set(user(form.username));
    Redirect::to("/about")
}

/// Without a session, the form is read and nothing is kept.
#[post("/login", data = "<form>", rank = 2)]
fn login_without_session(form: Form<SignIn<'_>>) -> Redirect {
    let _ = form.username;
    Redirect::to("/about")
}

#[get("/login")]
fn login_page() -> Status {
    Status::NoContent
}

fn storage() -> Storage {
    match std::env::var("PEER_STORAGE").as_deref() {
        Ok("cookie") => Storage::Cookie,
        Ok("redis") => Storage::Redis,
        Ok("none") | Err(_) => Storage::None,
        Ok(other) => panic!("PEER_STORAGE={other}: cookie, redis or none"),
    }
}

async fn session_fairing(storage: Storage) -> Option<RocketFlexSession<User>> {
    let options = |opt: &mut rocket_flex_session::RocketFlexSessionOptions| {
        opt.cookie_name = "rocket".to_owned();
        opt.max_age = LIFETIME_SECONDS;
        opt.rolling = true;
        opt.secure = false;
    };
    match storage {
        Storage::None => None,
        Storage::Cookie => {
            let cookies = CookieStorage::builder()
                .with_options(|opt| {
                    opt.cookie_name = "rocket_session".to_owned();
                    opt.secure = false;
                })
                .build();
            Some(
                RocketFlexSession::<User>::builder().storage(cookies).with_options(options).build(),
            )
        }
        Storage::Redis => {
            let url =
                std::env::var("PEER_REDIS_URL").expect("PEER_REDIS_URL for PEER_STORAGE=redis");
            let config = Config::from_url(&url).expect("a Redis URL");
            let pool = Builder::from_config(config).build_pool(4).expect("a Redis pool");
            pool.init().await.expect("Redis answers");
            let redis = RedisFredStorage::builder()
                .pool(pool)
                .prefix("peer:sess:")
                .index_prefix("peer:sess:user:")
                .build();
            Some(RocketFlexSession::<User>::builder().storage(redis).with_options(options).build())
        }
    }
}

#[rocket::launch]
async fn rocket() -> Rocket<Build> {
    let storage = storage();
    let rocket = rocket::build()
        .attach(Template::fairing())
        .manage(storage)
        .mount("/", routes![about, products, login_page]);
    match session_fairing(storage).await {
        Some(sessions) => rocket.attach(sessions).mount("/", routes![login]),
        None => rocket.mount("/", routes![login_without_session]),
    }
}
