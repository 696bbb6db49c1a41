//! Everything the six chapters share but is not their lesson: the site
//! their pages are mounted on (its sessions, templates and error pages),
//! the theme and the messages of the tutorial's session data, the username
//! rule, safe redirects, the session panel, and the list of a user's
//! sessions. The sessions
//! themselves are the `rocket-session-kit` crate's, whose items this crate
//! also re-exports for the chapters' tests and tools.
//!
//! A chapter is a small app of its own: a [`Chapter`] (its sessions, the
//! lesson), its session data, and its pages and forms, mounted on the
//! [`site`] this crate builds for it. The chapters differ in their `Chapter`, just as the
//! tutorial's listings differ in a few configuration lines.

#![deny(missing_docs)]

pub mod chapter;
pub mod data;
pub mod devices;
mod lifetime;
pub mod page;
pub mod routes;
pub mod safe_next;
pub mod secret_key;
pub mod username;

use std::sync::Arc;

use rocket::fairing::AdHoc;
use rocket::figment::Figment;
use rocket::{Build, Rocket};
use rocket_dyn_templates::Template;

pub use rocket_session_kit::*;

pub use chapter::Chapter;
pub use data::{signed_in, theme_changed, Theme};
pub use lifetime::{
    FIVE_MINUTES, FOURTEEN_DAYS, THIRTY_DAYS, THIRTY_MINUTES, THIRTY_ONE_DAYS, TWELVE_HOURS,
};

// ANCHOR: site
/// The chapters' shared site for `chapter`, whose session data is `D`,
/// configured from `Rocket.toml` and `ROCKET_*` environment variables, on
/// the real clock: its sessions, templates and error pages, and the list of
/// a user's sessions. A chapter mounts its own pages and forms on it.
pub fn site<D: StoredData>(chapter: Chapter) -> Rocket<Build> {
    site_with::<D>(chapter, chapter::figment(&chapter), Arc::new(SystemClock))
}
// ANCHOR_END: site

/// Like [`site`], with the configuration and the clock supplied by the
/// caller: tests use it to point the file store at a temporary folder and
/// to move time forward without sleeping.
pub fn site_with<D: StoredData>(
    chapter: Chapter,
    figment: Figment,
    clock: Arc<dyn Clock>,
) -> Rocket<Build> {
    rocket::custom(figment)
        .attach(secret_key::fairing())
        .attach(Template::fairing())
        .attach(chapter.sessions.fairing_with_clock::<D>(clock))
        .manage(chapter)
        .manage(routes::SignedOutView::of::<D>())
        .attach(AdHoc::on_liftoff("Address", move |rocket| {
            Box::pin(async move {
                let config = rocket.config();
                let scheme = if config.tls_enabled() { "https" } else { "http" };
                println!(
                    "\nChapter {}: {}\n  open {scheme}://{}:{} in your browser\n",
                    chapter.number, chapter.section, config.address, config.port
                );
            })
        }))
        .mount("/", devices::routes::<D>())
        .register("/", routes::catchers())
}
