//! A simulated browser: one keep-alive connection, a cookie jar, and the
//! expectations a user has of the site.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper::{header, Method, Request};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// What the browsers counted.
#[derive(Debug, Default)]
pub struct Tally {
    pub requests: u64,
    /// Completed sign-in, pages, sign-out cycles.
    pub cycles: u64,
    /// Responses with a 5xx status.
    pub server_errors: u64,
    /// Signed-in browsers that found themselves signed out (or as someone
    /// else) before they signed out.
    pub lost_sessions: u64,
    /// Anything else unexpected: a wrong redirect, a session that outlived
    /// its sign-out, a broken connection.
    pub failures: u64,
    pub first_failure: Option<String>,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.requests += other.requests;
        self.cycles += other.cycles;
        self.server_errors += other.server_errors;
        self.lost_sessions += other.lost_sessions;
        self.failures += other.failures;
        self.first_failure = self.first_failure.take().or(other.first_failure);
    }
}

/// Runs `clients` browsers against `127.0.0.1:port` for `duration`; the
/// chapter sets its session in the cookie `cookie_name`.
pub async fn run(cookie_name: &str, port: u16, clients: usize, duration: Duration) -> Tally {
    let deadline = Instant::now() + duration;
    let browsers: Vec<_> = (0..clients)
        .map(|id| tokio::spawn(Browser::new(cookie_name, port, id).browse(deadline)))
        .collect();
    let mut total = Tally::default();
    for browser in browsers {
        match browser.await {
            Ok(tally) => total.add(tally),
            Err(e) => {
                total.failures += 1;
                total.first_failure.get_or_insert_with(|| format!("a browser task failed: {e}"));
            }
        }
    }
    total
}

struct Answer {
    status: u16,
    location: Option<String>,
    body: String,
}

/// Why a cycle stopped early.
enum Stop {
    /// The time is up.
    Deadline,
    /// Something unexpected, already counted.
    Failed,
}

struct Browser {
    port: u16,
    id: usize,
    sender: Option<SendRequest<Full<Bytes>>>,
    cookies: BTreeMap<String, String>,
    session_cookie: String,
    tally: Tally,
    random: u64,
}

const PAGES: [&str; 4] = ["/home", "/about", "/contact", "/products"];

impl Browser {
    fn new(cookie_name: &str, port: u16, id: usize) -> Self {
        Browser {
            port,
            id,
            sender: None,
            cookies: BTreeMap::new(),
            session_cookie: cookie_name.to_owned(),
            tally: Tally::default(),
            random: 0x9E37_79B9_7F4A_7C15 ^ (id as u64 + 1),
        }
    }

    /// Sign in, view pages, sign out, until `deadline`.
    async fn browse(mut self, deadline: Instant) -> Tally {
        let mut cycle = 0;
        while Instant::now() < deadline {
            let user = format!("load-{}-{cycle}", self.id);
            cycle += 1;
            match self.cycle(&user, deadline).await {
                Ok(()) => self.tally.cycles += 1,
                Err(Stop::Deadline) => break,
                Err(Stop::Failed) => {
                    // Start the next cycle from a clean, signed-out browser.
                    self.cookies.clear();
                }
            }
        }
        self.tally
    }

    async fn cycle(&mut self, user: &str, deadline: Instant) -> Result<(), Stop> {
        let answer = self.send(Method::GET, "/about", None).await?;
        self.expect_redirect(&answer, "/login?next=/about", "a signed-out browser on /about")?;

        let form = format!("username={user}&password=x&next=%2Fabout");
        let answer = self.send(Method::POST, "/login", Some(form)).await?;
        self.expect_redirect(&answer, "/about", "sign-in")?;
        if !self.cookies.contains_key(&self.session_cookie) {
            return self.fail("sign-in set no session cookie".into());
        }
        // Follow the redirect, as a browser does: the page shows the
        // sign-in's message and carries the session's CSRF token, which the
        // theme and Log Out forms send back.
        let answer = self.send(Method::GET, "/about", None).await?;
        let Some(token) = launcher::page::csrf_token(&answer.body) else {
            return self
                .fail(format!("no CSRF token on the page after sign-in: {}", answer.status));
        };

        let views = 3 + self.next_random() % 6;
        for _ in 0..views {
            if Instant::now() >= deadline {
                return Err(Stop::Deadline);
            }
            if self.next_random().is_multiple_of(5) {
                let form = format!("next=%2Fhome&csrf_token={token}");
                let answer = self.send(Method::POST, "/theme", Some(form)).await?;
                self.expect_redirect(&answer, "/home", "theme toggle")?;
            }
            let page = PAGES[(self.next_random() % 4) as usize];
            let answer = self.send(Method::GET, page, None).await?;
            let greeting = format!("Welcome {user}!");
            if answer.status != 200 || !answer.body.contains(&greeting) {
                self.tally.lost_sessions += 1;
                return self.fail(format!("{user} lost the session on {page}: {}", answer.status));
            }
        }

        let answer =
            self.send(Method::POST, "/logout", Some(format!("csrf_token={token}"))).await?;
        self.expect_redirect(&answer, "/logout", "sign-out")?;
        if self.cookies.contains_key(&self.session_cookie) {
            return self.fail("sign-out left the session cookie".into());
        }
        let answer = self.send(Method::GET, "/about", None).await?;
        self.expect_redirect(&answer, "/login?next=/about", "/about after sign-out")
    }

    fn expect_redirect(&mut self, answer: &Answer, to: &str, what: &str) -> Result<(), Stop> {
        if answer.status == 303 && answer.location.as_deref() == Some(to) {
            Ok(())
        } else {
            self.fail(format!(
                "{what}: {} to {:?}, expected 303 to {to}",
                answer.status, answer.location
            ))
        }
    }

    fn fail<T>(&mut self, why: String) -> Result<T, Stop> {
        self.tally.failures += 1;
        self.tally.first_failure.get_or_insert(why);
        Err(Stop::Failed)
    }

    /// xorshift64: enough to vary the browsers' paths, no dependency.
    fn next_random(&mut self) -> u64 {
        self.random ^= self.random << 13;
        self.random ^= self.random >> 7;
        self.random ^= self.random << 17;
        self.random
    }

    /// One request on the browser's connection (reconnecting if the server
    /// closed it), with its cookies; applies the `Set-Cookie`s it gets.
    async fn send(
        &mut self,
        method: Method,
        path: &str,
        form: Option<String>,
    ) -> Result<Answer, Stop> {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, format!("127.0.0.1:{}", self.port));
        if !self.cookies.is_empty() {
            let jar: Vec<_> =
                self.cookies.iter().map(|(name, value)| format!("{name}={value}")).collect();
            request = request.header(header::COOKIE, jar.join("; "));
        }
        let body = match form {
            Some(form) => {
                request = request.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
                Full::new(Bytes::from(form))
            }
            None => Full::new(Bytes::new()),
        };
        let mut request = request.body(body).expect("a valid request");
        self.tally.requests += 1;
        let response = loop {
            let sender = match self.sender.as_mut() {
                Some(sender) if !sender.is_closed() => sender,
                _ => match self.connect().await {
                    Ok(sender) => self.sender.insert(sender),
                    Err(e) => return self.fail(format!("cannot connect: {e}")),
                },
            };
            if sender.ready().await.is_err() {
                self.sender = None;
                continue;
            }
            match sender.try_send_request(request).await {
                Ok(response) => break response,
                // Not sent at all (the connection was closing): send it again.
                Err(mut e) => match e.take_message() {
                    Some(unsent) => {
                        request = unsent;
                        self.sender = None;
                    }
                    None => {
                        self.sender = None;
                        let why = format!("{path}: {}", e.into_error());
                        return self.fail(why);
                    }
                },
            }
        };
        let status = response.status().as_u16();
        if status >= 500 {
            self.tally.server_errors += 1;
        }
        let location = response
            .headers()
            .get(header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .map(str::to_owned);
        for set_cookie in response.headers().get_all(header::SET_COOKIE) {
            self.apply(set_cookie.to_str().unwrap_or_default());
        }
        let body = match response.into_body().collect().await {
            Ok(body) => String::from_utf8_lossy(&body.to_bytes()).into_owned(),
            Err(e) => return self.fail(format!("{path}: body: {e}")),
        };
        if status >= 500 {
            return self.fail(format!("{path}: {status}"));
        }
        Ok(Answer { status, location, body })
    }

    async fn connect(&self) -> Result<SendRequest<Full<Bytes>>, String> {
        let stream =
            TcpStream::connect(("127.0.0.1", self.port)).await.map_err(|e| e.to_string())?;
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| e.to_string())?;
        tokio::spawn(connection);
        Ok(sender)
    }

    /// Stores or deletes a cookie as a browser would; the value is kept
    /// exactly as sent, to be sent back the same way.
    fn apply(&mut self, set_cookie: &str) {
        let Ok(cookie) = cookie::Cookie::parse(set_cookie) else { return };
        let expired = cookie.max_age().is_some_and(|age| age.is_zero() || age.is_negative());
        if expired || cookie.value().is_empty() {
            self.cookies.remove(cookie.name());
        } else {
            self.cookies.insert(cookie.name().to_owned(), cookie.value().to_owned());
        }
    }
}
