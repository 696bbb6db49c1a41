//! The stranger's site: another web site, open in the same browser as a
//! chapter, whose pages make that browser send requests to the chapter
//! (cross-site request forgery, CSRF). It shows what the chapters'
//! protections are for, and the browser tests (`tools/browser-tests`,
//! `tests/stranger.rs`) use it to prove they hold.
//!
//! ```sh
//! cargo run -p stranger
//! ```
//!
//! One process serves two instances of the same pages:
//!
//! - <http://localhost:8666>, a *cross-site* stranger. The chapters live on
//!   `127.0.0.1`, and to a browser `localhost` is another site (a site is
//!   the scheme and the registrable domain; an IP address is a site of its
//!   own), so the chapters' `SameSite=Lax` session cookie is not sent with
//!   this stranger's POSTs or images.
//! - <http://127.0.0.1:8667>, a *same-site* stranger: another origin (the
//!   port differs), but the same site as every chapter, so `SameSite` does
//!   not help; only the server's own checks (the `Origin` header, the
//!   form's secret token) do. Think of another application on a sibling
//!   port, or a compromised page of the same domain.
//!
//! Both listen on 127.0.0.1 only. `--cross-site-port N` and
//! `--same-site-port N` (or `STRANGER_CROSS_SITE_PORT` and
//! `STRANGER_SAME_SITE_PORT`; the flags win) move them, which is how the
//! tests start one on free ports.
//!
//! Its index lists, for every chapter, four attack pages; each takes the
//! origin it attacks as `?target=http://127.0.0.1:8002` (only http(s)
//! origins on 127.0.0.1 or localhost are accepted), and runs as soon as it
//! opens: see [`pages::Attack`].

pub mod pages;
pub mod target;

use std::net::Ipv4Addr;

use rocket::config::{LogLevel, SecretKey};
use rocket::fairing::AdHoc;
use rocket::{Build, Config, Rocket};

pub use crate::pages::{Attack, Instance};
pub use crate::target::Target;

/// The ports of a learner's run.
pub const CROSS_SITE_PORT: u16 = 8666;
pub const SAME_SITE_PORT: u16 = 8667;

/// One instance: Rocket on 127.0.0.1:`port`, quiet (its own lines say what
/// it does), and with a key of its own. It sets no cookie, but Rocket's
/// `secrets` feature, on for the whole workspace, refuses a release build
/// without one.
pub fn instance(instance: Instance, port: u16) -> Rocket<Build> {
    let config = Config {
        address: Ipv4Addr::LOCALHOST.into(),
        port,
        log_level: LogLevel::Off,
        cli_colors: false,
        secret_key: SecretKey::generate().expect("random bytes from the operating system"),
        ..Config::debug_default()
    };
    let origin = instance.origin.clone();
    let description = instance.description();
    rocket::custom(config)
        .manage(instance)
        .mount("/", pages::routes())
        .register("/", pages::catchers())
        .attach(AdHoc::on_liftoff("Address", move |_| {
            Box::pin(async move {
                println!("The stranger's site, {description}\n  open {origin} in your browser\n");
            })
        }))
}

/// Serves both instances until both have shut down (Ctrl-C), or one fails:
/// the error names its address.
pub async fn serve(cross_site_port: u16, same_site_port: u16) -> Result<(), String> {
    let cross_site = Instance::cross_site(cross_site_port, same_site_port);
    let same_site = Instance::same_site(same_site_port, cross_site_port);
    let launch = |instance: Instance, port: u16| {
        let origin = instance.origin.clone();
        let rocket = self::instance(instance, port);
        async move { rocket.launch().await.map(drop).map_err(|e| format!("{origin}: {e}")) }
    };
    rocket::tokio::try_join!(
        launch(cross_site, cross_site_port),
        launch(same_site, same_site_port),
    )?;
    Ok(())
}
