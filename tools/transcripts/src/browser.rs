//! A client that treats cookies the way a browser does, follows no
//! redirect by itself, and records every exchange.

use cookie::time::OffsetDateTime;
use cookie::Cookie;

/// One request and its response, as sent and received.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub method: &'static str,
    pub path: String,
    /// Request headers sent besides `Cookie` and `Content-Type` (the
    /// `Origin` of a form another page sent, say).
    pub headers: Vec<(String, String)>,
    /// The `Cookie` header the client sent, if any.
    pub cookie: Option<String>,
    /// The form body of a `POST`.
    pub form: Option<String>,
    pub status: u16,
    pub reason: String,
    pub location: Option<String>,
    /// Every `Set-Cookie` header, verbatim.
    pub set_cookies: Vec<String>,
    pub body: String,
    /// When the request was sent, to relate `Expires` dates to it.
    pub sent_at: OffsetDateTime,
}

struct StoredCookie {
    name: String,
    value: String,
    /// `None`: a browser-session cookie, forgotten when the browser closes.
    expires_at: Option<OffsetDateTime>,
}

/// A browser's cookie jar for one host, and an HTTP client without
/// redirects, so every `303` and `Set-Cookie` is seen as sent.
pub struct Browser {
    agent: ureq::Agent,
    base: String,
    jar: Vec<StoredCookie>,
    /// The CSRF token of the last page that had a form with one.
    token: Option<String>,
    /// The `User-Agent` this browser sends, shown with each request; the
    /// HTTP client's own (`ureq/…`, not shown) when `None`.
    user_agent: Option<String>,
}

impl Browser {
    pub fn new(port: u16) -> Self {
        let agent = ureq::Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .build()
            .into();
        let base = format!("http://127.0.0.1:{port}");
        Browser { agent, base, jar: Vec::new(), token: None, user_agent: None }
    }

    /// A browser that names itself `user_agent`, as Firefox or curl would.
    pub fn with_user_agent(port: u16, user_agent: &str) -> Self {
        Browser { user_agent: Some(user_agent.to_owned()), ..Browser::new(port) }
    }

    /// A browser that reaches the chapter on `port` over HTTPS, trusting
    /// the certificate `cert_pem` (the development certificate) and no other.
    pub fn over_https(port: u16, cert_pem: &[u8]) -> Self {
        let cert = ureq::tls::Certificate::from_pem(cert_pem).expect("a PEM certificate");
        let roots = ureq::tls::RootCerts::Specific(std::sync::Arc::new(vec![cert]));
        let tls = ureq::tls::TlsConfig::builder().root_certs(roots).build();
        let agent = ureq::Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .tls_config(tls)
            .build()
            .into();
        let base = format!("https://127.0.0.1:{port}");
        Browser { agent, base, jar: Vec::new(), token: None, user_agent: None }
    }

    /// A second browser that holds a copy of one cookie: how a stolen
    /// cookie is replayed.
    pub fn with_copy_of(port: u16, name: &str, value: &str) -> Self {
        let mut browser = Browser::new(port);
        browser.jar.push(StoredCookie { name: name.into(), value: value.into(), expires_at: None });
        browser
    }

    pub fn get(&mut self, path: &str) -> Exchange {
        self.send("GET", path, None, &[])
    }

    /// A `GET` with request headers added: what a browser sends for an
    /// `<img>` of another page (`Sec-Fetch-Dest: image`, `Referer: …`).
    pub fn get_with_headers(&mut self, path: &str, headers: &[(&str, &str)]) -> Exchange {
        self.send("GET", path, None, headers)
    }

    /// Posts `form` as typed, with nothing the page added: the sign-in
    /// form, or a request a script writes.
    pub fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Exchange {
        self.send("POST", path, Some(form_body(form)), &[])
    }

    /// Posts `form` with the request header `header` added: what a browser
    /// sends when another page submitted the form (`Origin: …`).
    pub fn post_with_header(
        &mut self,
        path: &str,
        form: &[(&str, &str)],
        header: (&str, &str),
    ) -> Exchange {
        self.send("POST", path, Some(form_body(form)), &[header])
    }

    /// Submits a form of the last page loaded, as a browser does: `fields`
    /// and the page's hidden CSRF token.
    pub fn submit(&mut self, path: &str, fields: &[(&str, &str)]) -> Exchange {
        let token = self.token.clone().expect("a page with the session's forms was loaded");
        let mut form = fields.to_vec();
        form.push(("csrf_token", &token));
        self.send("POST", path, Some(form_body(&form)), &[])
    }

    /// The CSRF token of the last page that had one.
    pub fn page_token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// Sends the next requests to the server on `port` of the same host, as
    /// a load balancer would: the jar is the same, for a browser keeps
    /// cookies per host, not per port.
    pub fn use_port(&mut self, port: u16) {
        self.base = format!("http://127.0.0.1:{port}");
    }

    /// The current value of the cookie `name`, as the browser would send it.
    pub fn cookie(&self, name: &str) -> Option<String> {
        let now = OffsetDateTime::now_utc();
        self.live_cookies(now).find(|c| c.name == name).map(|c| c.value.clone())
    }

    /// Quits and reopens the browser: cookies without `Expires` or
    /// `Max-Age` are gone, the others stay.
    pub fn restart(&mut self) {
        self.jar.retain(|c| c.expires_at.is_some());
    }

    fn live_cookies(&self, now: OffsetDateTime) -> impl Iterator<Item = &StoredCookie> {
        self.jar.iter().filter(move |c| c.expires_at.is_none_or(|at| at > now))
    }

    fn send(
        &mut self,
        method: &'static str,
        path: &str,
        form: Option<String>,
        headers: &[(&str, &str)],
    ) -> Exchange {
        let sent_at = OffsetDateTime::now_utc();
        let cookie = Some(
            self.live_cookies(sent_at)
                .map(|c| format!("{}={}", c.name, c.value))
                .collect::<Vec<_>>()
                .join("; "),
        )
        .filter(|header| !header.is_empty());
        let url = format!("{}{path}", self.base);
        let user_agent = self.user_agent.clone();
        let mut headers = headers.to_vec();
        if let Some(user_agent) = &user_agent {
            headers.insert(0, ("User-Agent", user_agent.as_str()));
        }
        let headers = &headers[..];
        let result = match &form {
            None => {
                let mut request = self.agent.get(&url);
                for (name, value) in headers {
                    request = request.header(*name, *value);
                }
                if let Some(cookie) = &cookie {
                    request = request.header("Cookie", cookie);
                }
                request.call()
            }
            Some(body) => {
                let mut request = self
                    .agent
                    .post(&url)
                    .header("Content-Type", "application/x-www-form-urlencoded");
                for (name, value) in headers {
                    request = request.header(*name, *value);
                }
                if let Some(cookie) = &cookie {
                    request = request.header("Cookie", cookie);
                }
                request.send(body.as_str())
            }
        };
        let mut response = result.unwrap_or_else(|e| panic!("{method} {url}: {e}"));
        let header = |name: &str| {
            response
                .headers()
                .get_all(name)
                .iter()
                .map(|v| v.to_str().expect("an ASCII header").to_owned())
                .collect::<Vec<_>>()
        };
        let location = header("location").into_iter().next();
        let set_cookies = header("set-cookie");
        let status = response.status();
        let body = response.body_mut().read_to_string().expect("a text body");
        for raw in &set_cookies {
            self.store(raw, sent_at);
        }
        if let Some(token) = launcher::page::csrf_token(&body) {
            self.token = Some(token);
        }
        Exchange {
            method,
            path: path.to_owned(),
            headers: headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect(),
            cookie,
            form,
            status: status.as_u16(),
            reason: status.canonical_reason().unwrap_or("").to_owned(),
            location,
            set_cookies,
            body,
            sent_at,
        }
    }

    /// Applies a `Set-Cookie` header as a browser does.
    fn store(&mut self, raw: &str, received_at: OffsetDateTime) {
        let parsed = Cookie::parse(raw.to_owned()).expect("a valid Set-Cookie header");
        self.jar.retain(|c| c.name != parsed.name());
        let expires_at = match (parsed.max_age(), parsed.expires_datetime()) {
            (Some(max_age), _) => Some(received_at + max_age),
            (None, Some(at)) => Some(at),
            (None, None) => None,
        };
        let removed = expires_at.is_some_and(|at| at <= received_at);
        if !removed {
            self.jar.push(StoredCookie {
                name: parsed.name().to_owned(),
                value: parsed.value().to_owned(),
                expires_at,
            });
        }
    }
}

/// A form's fields as a browser sends them.
fn form_body(form: &[(&str, &str)]) -> String {
    form.iter()
        .map(|(key, value)| format!("{key}={}", form_encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// `application/x-www-form-urlencoded`, as a browser writes a form value.
fn form_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                (b as char).to_string()
            }
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
