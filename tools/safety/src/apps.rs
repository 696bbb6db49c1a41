//! One small app, written twice: on this project's crate and on
//! rocket_flex_session, each the way its documentation shows. A visitor
//! signs in with a name; `/me` says who is signed in and their count;
//! `/add` adds one to the count.
//!
//! Both answer `/me` with `200 <name> <count>` when signed in and `401`
//! when not, so that a scenario reads both the same way.

use std::time::Duration;

use rocket::form::{Form, FromForm};
use rocket::http::Status;
use rocket::{get, post, routes, Build, Rocket};
use serde::{Deserialize, Serialize};

/// Which crate keeps the sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crate {
    /// This project's `rocket-session-kit`.
    Kit,
    /// rocket_flex_session 0.2.0.
    Flex,
}

/// Where the session lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    /// The whole session in an encrypted cookie.
    Cookie,
    /// An id in the cookie, the data in Redis.
    Redis,
}

/// How a scenario sets the app up.
#[derive(Debug, Clone)]
pub struct Setup {
    pub store: Store,
    /// The idle limit: this crate's `with_idle_limit`, the peer's `max_age`.
    pub idle: Duration,
    /// This crate's absolute limit; the peer has none to set.
    pub absolute: Duration,
    /// The peer's `rolling` (its default is off): whether each request
    /// renews its time to live.
    pub rolling: bool,
    /// The Redis, for `Store::Redis`, and a key prefix of the scenario's own.
    pub redis: Option<(String, String)>,
}

/// The session's data, the same in both apps.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Counter {
    name: String,
    count: u32,
}

#[derive(FromForm)]
struct SignIn<'r> {
    name: &'r str,
}

/// The app on `which` crate.
pub fn app(which: Crate, setup: &Setup) -> Rocket<Build> {
    let rocket = match which {
        Crate::Kit => kit::app(setup),
        Crate::Flex => flex::app(setup),
    };
    // A fixed key: the cookie of one run opens in the same run only, and
    // the debug profile's warning about a generated key stays quiet.
    let figment =
        rocket.figment().clone().merge(("secret_key", "07".repeat(32))).merge(("log_level", "off"));
    rocket.configure(figment)
}

mod kit {
    use super::*;
    use rocket_session_kit::{Error, Session, SessionOwner, Sessions, SignedIn, Storage};

    impl SessionOwner for Counter {
        fn owner(&self) -> &str {
            &self.name
        }
    }

    pub fn app(setup: &Setup) -> Rocket<Build> {
        let storage = match setup.store {
            Store::Cookie => Storage::SealedCookie,
            Store::Redis => Storage::Redis,
        };
        let sessions = Sessions::new(storage)
            .with_cookie_name("kit")
            .with_store_name("safety")
            .with_idle_limit(setup.idle.try_into().expect("a duration"))
            .with_absolute_limit(setup.absolute.try_into().expect("a duration"));
        let mut figment = rocket::Config::figment();
        if let Some((url, prefix)) = &setup.redis {
            figment = figment
                .merge(("databases.sessions.url", url.as_str()))
                .merge(("session_key_prefix", prefix.as_str()));
        }
        rocket::custom(figment)
            .attach(sessions.fairing::<Counter>())
            .mount("/", routes![sign_in, me, signed_out, add])
    }

    /// Always a fresh session, under a fresh id.
    #[post("/sign-in", data = "<form>")]
    async fn sign_in(session: Session<'_, Counter>, form: Form<SignIn<'_>>) -> Result<(), Error> {
        session.start(Counter { name: form.name.into(), count: 0 }, false, None).await
    }

    #[get("/me")]
    fn me(counter: SignedIn<'_, Counter>) -> String {
        format!("{} {}", counter.name, counter.count)
    }

    #[get("/me", rank = 2)]
    fn signed_out() -> Status {
        Status::Unauthorized
    }

    #[post("/add")]
    async fn add(
        _counter: SignedIn<'_, Counter>,
        session: Session<'_, Counter>,
    ) -> Result<(), Error> {
        session
            .modify(|counter| {
                counter.count += 1;
                None
            })
            .await
    }
}

mod flex {
    use super::*;
    use fred::prelude::{Builder, ClientLike, Config};
    use rocket::fairing::AdHoc;
    use rocket_flex_session::storage::cookie::CookieStorage;
    use rocket_flex_session::storage::redis::{
        RedisFormat, RedisFredStorage, RedisValue, SessionRedis,
    };
    use rocket_flex_session::{
        RocketFlexSession, RocketFlexSessionOptions, Session, SessionIdentifier,
    };

    impl SessionIdentifier for Counter {
        type Id = String;

        fn identifier(&self) -> Option<Self::Id> {
            Some(self.name.clone())
        }
    }

    impl SessionRedis for Counter {
        const REDIS_FORMAT: RedisFormat = RedisFormat::String;
        type Error = serde_json::Error;

        fn into_redis(self) -> Result<RedisValue, Self::Error> {
            Ok(RedisValue::String(serde_json::to_string(&self)?))
        }

        fn from_redis(value: RedisValue) -> Result<Self, Self::Error> {
            serde_json::from_str(&value.into_string().unwrap_or_default())
        }
    }

    pub fn app(setup: &Setup) -> Rocket<Build> {
        let idle = u32::try_from(setup.idle.as_secs()).expect("seconds");
        let rolling = setup.rolling;
        let options = move |opt: &mut RocketFlexSessionOptions| {
            opt.cookie_name = "flex".to_owned();
            opt.max_age = idle;
            opt.rolling = rolling;
            // The scenarios speak plain HTTP, as this crate's do.
            opt.secure = false;
        };
        let rocket = rocket::build().mount("/", routes![sign_in, me, add]);
        match (setup.store, setup.redis.clone()) {
            (Store::Cookie, _) => {
                let cookie = CookieStorage::builder()
                    .with_options(|opt| {
                        opt.cookie_name = "flex_data".to_owned();
                        opt.secure = false;
                    })
                    .build();
                rocket.attach(
                    RocketFlexSession::<Counter>::builder()
                        .storage(cookie)
                        .with_options(options)
                        .build(),
                )
            }
            (Store::Redis, Some((url, prefix))) => {
                rocket.attach(AdHoc::on_ignite("Sessions", move |rocket| async move {
                    // As its Redis example sets it up.
                    let config = Config::from_url(&url).expect("a Redis URL");
                    let pool = Builder::from_config(config).build_pool(4).expect("a Redis pool");
                    pool.init().await.expect("Redis answers");
                    let storage = RedisFredStorage::builder()
                        .pool(pool)
                        .prefix(format!("{prefix}sess:"))
                        .index_prefix(format!("{prefix}user:"))
                        .build();
                    rocket.attach(
                        RocketFlexSession::<Counter>::builder()
                            .storage(storage)
                            .with_options(options)
                            .build(),
                    )
                }))
            }
            (Store::Redis, None) => panic!("Store::Redis needs a Redis"),
        }
    }

    /// As its quick start signs in: `set()`.
    #[post("/sign-in", data = "<form>")]
    fn sign_in(mut session: Session<'_, Counter>, form: Form<SignIn<'_>>) {
        session.set(Counter { name: form.name.into(), count: 0 });
    }

    #[get("/me")]
    fn me(session: Session<'_, Counter>) -> Result<String, Status> {
        let counter = session.get().ok_or(Status::Unauthorized)?;
        Ok(format!("{} {}", counter.name, counter.count))
    }

    #[post("/add")]
    fn add(mut session: Session<'_, Counter>) -> Status {
        session.tap_mut(|counter| match counter {
            Some(counter) => {
                counter.count += 1;
                Status::Ok
            }
            None => Status::Unauthorized,
        })
    }
}
