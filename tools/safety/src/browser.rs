//! A browser, as far as the scenarios need one: it keeps the cookies each
//! response sets, drops the ones a response removes, and sends them back.
//! A copy of its cookies is what an attacker who copied them would send.

use rocket::http::{Cookie, Status};
use rocket::local::asynchronous::{Client, LocalResponse};

/// What `/me` answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Me {
    /// `200`: signed in as this name, with this count.
    SignedIn { name: String, count: u32 },
    /// `401`: nobody.
    SignedOut,
    /// Anything else.
    Status(u16),
}

/// The cookies one browser holds.
#[derive(Debug, Clone, Default)]
pub struct Browser {
    cookies: Vec<(String, String)>,
}

impl Browser {
    pub fn new() -> Browser {
        Browser::default()
    }

    fn cookies(&self) -> Vec<Cookie<'static>> {
        self.cookies.iter().map(|(name, value)| Cookie::new(name.clone(), value.clone())).collect()
    }

    /// Keeps what `response` sets and forgets what it removes.
    fn keep(&mut self, response: &LocalResponse<'_>) {
        for header in response.headers().get("Set-Cookie") {
            let Ok(cookie) = Cookie::parse_encoded(header.to_owned()) else { continue };
            let name = cookie.name().to_owned();
            self.cookies.retain(|(held, _)| *held != name);
            let removed = cookie.value().is_empty()
                || cookie.max_age().is_some_and(|age| age.is_zero() || age.is_negative());
            if !removed {
                self.cookies.push((name, cookie.value().to_owned()));
            }
        }
    }

    /// Whether it holds a cookie at all.
    pub fn has_cookies(&self) -> bool {
        !self.cookies.is_empty()
    }

    pub async fn sign_in(&mut self, client: &Client, name: &str) -> Status {
        let response = client
            .post("/sign-in")
            .header(rocket::http::ContentType::Form)
            .body(format!("name={name}"))
            .cookies(self.cookies())
            .dispatch()
            .await;
        self.keep(&response);
        response.status()
    }

    pub async fn add(&mut self, client: &Client) -> Status {
        let response = client.post("/add").cookies(self.cookies()).dispatch().await;
        self.keep(&response);
        response.status()
    }

    pub async fn me(&mut self, client: &Client) -> Me {
        let response = client.get("/me").cookies(self.cookies()).dispatch().await;
        self.keep(&response);
        let status = response.status();
        let body = response.into_string().await.unwrap_or_default();
        match status.code {
            200 => {
                let (name, count) = body.split_once(' ').expect("`<name> <count>`");
                Me::SignedIn { name: name.to_owned(), count: count.parse().expect("a count") }
            }
            401 => Me::SignedOut,
            code => Me::Status(code),
        }
    }
}
