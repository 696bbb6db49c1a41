//! The probes' server: Rocket in this process, on a thread of its own,
//! answering with exactly the `Set-Cookie` a probe asks for.
//!
//! The chapters cannot serve the probes: they send only the cookies their
//! code makes, through Rocket's `CookieJar`, which would also tidy a raw
//! value up. Here `GET /set?c=<value>` sends `c` as the one `Set-Cookie`
//! header, byte for byte; `/echo` answers the `Cookie` header the browser
//! sent, so a probe reads what the browser sends rather than what it says
//! it keeps; `/post?to=<url>` is a page that submits a form to `url` as
//! soon as it loads, the cross-site POST of a stranger's page.

use std::io::Cursor;
use std::net::Ipv4Addr;
use std::sync::mpsc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use rocket::config::{Config, LogLevel, Shutdown as ShutdownConfig};
use rocket::http::ContentType;
use rocket::request::{FromRequest, Outcome, Request};
use rocket::response::{self, content::RawHtml, Responder, Response};
use rocket::{get, post, routes, uri, Build, Rocket, Shutdown};

/// What `/echo` answers when the request carried no `Cookie` header.
pub const NO_COOKIE: &str = "(no cookie)";

/// One fixture server on 127.0.0.1 and a free port; shut down when dropped.
pub struct Fixture {
    port: u16,
    shutdown: Shutdown,
    thread: Option<JoinHandle<()>>,
}

impl Fixture {
    /// Starts a fixture and waits until it answers.
    pub fn start() -> Fixture {
        let port = launcher::free_port().expect("a free port for the fixture");
        let (ignited, handle) = mpsc::channel();
        let thread = thread::Builder::new()
            .name(format!("fixture-{port}"))
            .spawn(move || {
                rocket::execute(async move {
                    let rocket = match server(port).ignite().await {
                        Ok(rocket) => rocket,
                        Err(e) => return drop(ignited.send(Err(e.to_string()))),
                    };
                    let _ = ignited.send(Ok(rocket.shutdown()));
                    if let Err(e) = rocket.launch().await {
                        eprintln!("the fixture on port {port} stopped: {e}");
                    }
                })
            })
            .expect("a thread for the fixture");
        let shutdown = match handle.recv().expect("the fixture's thread reports back") {
            Ok(shutdown) => shutdown,
            Err(e) => panic!("the fixture on port {port} did not start: {e}"),
        };
        assert!(
            launcher::answers_within(port, Duration::from_secs(60)),
            "the fixture did not listen on port {port} within 60 s"
        );
        Fixture { port, shutdown, thread: Some(thread) }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://HOST:PORT`, on a name of the caller's choosing: `127.0.0.1`,
    /// `localhost` (another site), or a name the browser resolves to
    /// 127.0.0.1.
    pub fn origin(&self, host: &str) -> String {
        format!("http://{host}:{}", self.port)
    }

    /// The page at `origin` whose answer is `Set-Cookie: {set_cookie}`.
    pub fn set_url(&self, host: &str, set_cookie: &str) -> String {
        format!("{}{}", self.origin(host), uri!(set(c = set_cookie)))
    }

    /// The page at `origin` that posts a form to `to` as it loads.
    pub fn post_url(&self, host: &str, to: &str) -> String {
        format!("{}{}", self.origin(host), uri!(post_page(to = to)))
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        self.shutdown.clone().notify();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Quiet, on 127.0.0.1 only, no keep-alive, and quick to shut down: a
/// probe's browser holds no connection that would keep the thread waiting.
fn server(port: u16) -> Rocket<Build> {
    let config = Config {
        address: Ipv4Addr::LOCALHOST.into(),
        port,
        log_level: LogLevel::Off,
        cli_colors: false,
        keep_alive: 0,
        shutdown: ShutdownConfig { ctrlc: false, grace: 0, mercy: 0, ..Default::default() },
        ..Config::debug_default()
    };
    rocket::custom(config).mount("/", routes![set, echo_get, echo_post, post_page])
}

/// An answer whose only cookie header is the raw value given.
struct RawSetCookie(String);

impl<'r> Responder<'r, 'static> for RawSetCookie {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        const BODY: &str = "set";
        Response::build()
            .raw_header("Set-Cookie", self.0)
            .raw_header("Cache-Control", "no-store")
            .header(ContentType::Plain)
            .sized_body(BODY.len(), Cursor::new(BODY))
            .ok()
    }
}

#[get("/set?<c>")]
fn set(c: String) -> RawSetCookie {
    RawSetCookie(c)
}

/// The request's `Cookie` header, as the browser sent it.
struct CookieHeader(String);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for CookieHeader {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let values: Vec<&str> = request.headers().get("Cookie").collect();
        let text = if values.is_empty() { NO_COOKIE.to_owned() } else { values.join("; ") };
        Outcome::Success(CookieHeader(text))
    }
}

#[get("/echo")]
fn echo_get(cookies: CookieHeader) -> String {
    cookies.0
}

#[post("/echo")]
fn echo_post(cookies: CookieHeader) -> String {
    cookies.0
}

/// A page that posts a form to `to` as soon as it loads, as a stranger's
/// page would.
#[get("/post?<to>")]
fn post_page(to: String) -> RawHtml<String> {
    let action = to.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;");
    RawHtml(format!(
        "<!doctype html><title>post</title>\
         <form method=\"post\" action=\"{action}\"><input type=\"hidden\" name=\"x\" value=\"1\"></form>\
         <script>document.forms[0].submit()</script>"
    ))
}
