//! Everything the five chapters share: the pages of the tutorial, the login
//! form, safe redirects, the session panel, and the session mechanisms (an
//! encrypted cookie, and server-side stores in files or in Redis).
//!
//! A chapter binary only describes itself with a [`Chapter`] and hands it to
//! [`app`]; that description is the whole difference between the chapters,
//! just as the tutorial's listings differ in a few configuration lines.

pub mod chapter;
mod cleanup;
pub mod clock;
pub mod config;
mod lifetime;
mod page;
mod routes;
pub mod safe_next;
pub mod secret_key;
pub mod session;
pub mod store;
pub mod username;

#[cfg(feature = "testing")]
pub mod testing;

use std::sync::Arc;

use rocket::fairing::AdHoc;
use rocket::figment::Figment;
use rocket::{Build, Rocket};
use rocket_db_pools::Database;
use rocket_dyn_templates::Template;

pub use chapter::{Chapter, CookieExpiry, Storage};
pub use clock::{Clock, ManualClock, SystemClock};
pub use lifetime::{FIVE_MINUTES, THIRTY_ONE_DAYS};
pub use session::{Session, SessionData, SignedIn, Theme};

// ANCHOR: app
/// Builds the Rocket application for `chapter`, configured from
/// `Rocket.toml` and `ROCKET_*` environment variables, on the real clock.
pub fn app(chapter: Chapter) -> Rocket<Build> {
    app_with(chapter, config::figment(&chapter), Arc::new(SystemClock))
}
// ANCHOR_END: app

/// Like [`app`], with the configuration and the clock supplied by the caller:
/// tests use it to point the file store at a temporary folder and to move
/// time forward without sleeping.
pub fn app_with(chapter: Chapter, figment: Figment, clock: Arc<dyn Clock>) -> Rocket<Build> {
    let mut rocket =
        rocket::custom(figment).attach(secret_key::fairing()).attach(Template::fairing());
    if chapter.storage == Storage::Redis {
        // Rocket's own pool, from `databases.sessions`. It connects lazily:
        // the chapter starts, and serves public pages, without Redis.
        rocket = rocket.attach(store::SessionsDb::init());
    }
    rocket
        .attach(AdHoc::try_on_ignite("Session manager", move |rocket| {
            session::SessionManager::ignite(rocket, chapter, clock)
        }))
        .attach(cleanup::fairing())
        .attach(AdHoc::on_liftoff("Address", move |rocket| {
            Box::pin(async move {
                let config = rocket.config();
                println!(
                    "\nChapter {}: {}\n  open http://{}:{} in your browser\n",
                    chapter.number, chapter.section, config.address, config.port
                );
            })
        }))
        .mount("/", routes::routes())
        .register("/", routes::catchers())
}
