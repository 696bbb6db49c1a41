//! Cross-site request forgery: another page making the reader's browser
//! send one of our forms. Refused in layers, each one enough for the cases
//! it sees, so that no single mistake opens the door:
//!
//! 1. [`SameOrigin`], a request guard the app puts first on each route
//!    that changes something: a request whose `Origin` header (or, without
//!    one, `Sec-Fetch-Site`) names another origin is refused before the
//!    route's other guards run. Browsers send these headers themselves,
//!    and no page can change them.
//! 2. [`CsrfToken`]: every form that changes a signed-in session carries a
//!    secret of that session, which another page cannot read; the app
//!    checks it with [`Session::token_matches`](crate::Session::token_matches)
//!    or takes the form as a [`CsrfForm`].
//! 3. `SameSite=Lax` on the session cookie, which the crate always
//!    sends with it: another *site*'s
//!    `POST` arrives without the cookie at all.

use std::io;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rocket::http::uri::{Absolute, Host};
use rocket::http::RawStr;
use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use crate::transport::Transport;

// ANCHOR: token
/// The session's secret for its forms: 256 random bits, base64url, made at
/// sign-in and kept in the session (sealed in the cookie, or in the
/// record). A new sign-in makes a new one, so a token seen before it is
/// worth nothing after it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CsrfToken(String);

impl CsrfToken {
    const BYTES: usize = 32;

    /// A fresh token from the operating system's CSPRNG.
    pub fn generate() -> io::Result<Self> {
        let mut bytes = [0u8; Self::BYTES];
        getrandom::fill(&mut bytes).map_err(io::Error::other)?;
        Ok(CsrfToken(URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// A token that is always the same, for unit tests that compare
    /// records built twice.
    #[cfg(test)]
    pub(crate) fn for_tests() -> Self {
        CsrfToken("token-of-a-unit-test".into())
    }

    /// The token as the forms carry it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Is `given` this token? Compared in constant time, so how long the
    /// answer takes says nothing about how much of a guess was right. A
    /// missing or empty `given` never matches.
    pub fn matches(&self, given: Option<&str>) -> bool {
        let Some(given) = given.filter(|g| !g.is_empty()) else { return false };
        !self.0.is_empty() && bool::from(self.0.as_bytes().ct_eq(given.as_bytes()))
    }
}
// ANCHOR_END: token

/// Never shown in logs or `{:?}`: it is a secret of the session.
impl std::fmt::Debug for CsrfToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CsrfToken(..)")
    }
}

// ANCHOR: provenance
/// Where a request says it comes from, by the headers browsers add to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provenance {
    /// `Origin` is this site's own origin, or `Sec-Fetch-Site` says
    /// `same-origin` (or `none`: the user typed or bookmarked it).
    SameOrigin,
    /// Neither header: not a browser that sends them (curl, an old client).
    /// Such a request cannot have been sent by another page in a modern
    /// browser, and the token still guards what it can change.
    Unknown,
    /// Another origin sent it: what the refusal page says about it.
    Foreign(String),
}

impl Provenance {
    /// Reads `Origin` first and, only without it, `Sec-Fetch-Site`.
    pub fn of(request: &Request<'_>) -> Provenance {
        let headers = request.headers();
        if let Some(origin) = headers.get_one("Origin") {
            // Rocket reads the host from `Host` when it serves HTTP/1.1 (and
            // from `:authority` for HTTP/2); a local test client sets only
            // the header.
            let host = headers.get_one("Host").and_then(|h| Host::parse(h).ok());
            // Over HTTPS (Rocket's own TLS, or behind a TLS proxy) the
            // site's origin is `https://…`; an `http://` page of the same
            // host and port is another origin.
            let transport = request.rocket().state::<Transport>().copied();
            let scheme = transport.unwrap_or(Transport::Plain).scheme();
            return from_origin(origin.trim(), scheme, request.host().or(host.as_ref()));
        }
        match headers.get_one("Sec-Fetch-Site").map(str::trim) {
            None => Provenance::Unknown,
            Some("same-origin" | "none") => Provenance::SameOrigin,
            Some(other) => Provenance::Foreign(format!("Sec-Fetch-Site: {other}")),
        }
    }
}

/// Compares the `Origin` header with the site's own origin: `scheme`
/// (`https` when browsers reach the site over TLS, else `http`) and the
/// `Host` the browser sent the request to. The same scheme, host name and
/// port make the same origin. `127.0.0.1` and `localhost` are different
/// origins (and sites), and so are two ports of one host, and `http://`
/// and `https://` of one host and port.
fn from_origin(origin: &str, scheme: &str, host: Option<&Host<'_>>) -> Provenance {
    let foreign = || Provenance::Foreign(format!("Origin: {origin}"));
    // `null`: a sandboxed frame, a `data:` page, a request redirected across origins.
    let Ok(uri) = Absolute::parse(origin) else { return foreign() };
    if !uri.scheme().eq_ignore_ascii_case(scheme) {
        return foreign();
    }
    let default_port = match scheme {
        "http" => 80,
        "https" => 443,
        _ => return foreign(),
    };
    let (Some(authority), Some(host)) = (uri.authority(), host) else { return foreign() };
    let same_name = authority.host().eq_ignore_ascii_case(host.domain().as_str());
    let same_port = authority.port().unwrap_or(default_port) == host.port().unwrap_or(default_port);
    if same_name && same_port && uri.path().is_empty() && uri.query().is_none() {
        Provenance::SameOrigin
    } else {
        foreign()
    }
}
// ANCHOR_END: provenance

// ANCHOR: same_origin
/// Request guard for each route that changes something, put first among
/// its guards: refuses, with `403`, a request another origin sent, before
/// the other guards run (so before the session is even read, and nothing
/// of it changes). [`refusal`] tells the catcher why.
pub struct SameOrigin;

/// Why [`SameOrigin`] refused a request, for the `403` page.
#[derive(Debug, Clone)]
pub struct Refused(pub String);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for SameOrigin {
    type Error = Refused;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Refused> {
        match Provenance::of(request) {
            Provenance::SameOrigin | Provenance::Unknown => Outcome::Success(SameOrigin),
            Provenance::Foreign(reason) => {
                rocket::warn!("refused a {} from another origin ({reason})", request.uri());
                let reason = request.local_cache(|| Some(Refused(reason))).clone();
                Outcome::Error((Status::Forbidden, reason.expect("cached just now")))
            }
        }
    }
}
// ANCHOR_END: same_origin

/// Why the request was refused, if [`SameOrigin`] or [`CsrfForm`] refused
/// it: for the catcher's page.
pub fn refusal(request: &Request<'_>) -> Option<Refused> {
    request.local_cache(|| None::<Refused>).clone()
}

// ANCHOR: csrf_form
/// A form of the app's own, `F`, that must carry the signed-in session's
/// token in a field `csrf_token` (which `F` need not have): the data guard
/// of a `POST` that changes what a signed-in user has. A form without the
/// session's token, or sent when nobody is signed in, is refused with
/// `403` before the handler runs; [`refusal`] says why. A form that is
/// not an `F` gets `422`, as Rocket's own [`Form`](rocket::form::Form) does.
///
/// ```
/// # use rocket::{post, FromForm};
/// # use rocket_session_kit::csrf::CsrfForm;
/// #[derive(FromForm)]
/// struct Rename<'r> {
///     name: &'r str,
/// }
///
/// #[post("/rename", data = "<form>")]
/// fn rename(form: CsrfForm<Rename<'_>>) -> String {
///     format!("renamed to {}", form.0.name)
/// }
/// ```
#[derive(Debug)]
pub struct CsrfForm<F>(pub F);

impl<F> CsrfForm<F> {
    /// The form itself.
    pub fn into_inner(self) -> F {
        self.0
    }
}

impl<F> std::ops::Deref for CsrfForm<F> {
    type Target = F;

    fn deref(&self) -> &F {
        &self.0
    }
}
// ANCHOR_END: csrf_form

/// Why a [`CsrfForm`] was not accepted.
#[derive(Debug)]
pub enum CsrfFormError<'r> {
    /// The form is larger than the `form` limit, or could not be read.
    Unreadable,
    /// It did not carry the token of the signed-in session.
    Refused(Refused),
    /// It is no form of the handler's type.
    Invalid(rocket::form::Errors<'r>),
}

/// How [`CsrfForm`] learns the token of the request's session without
/// knowing the app's data type: the session manager, which does, puts it
/// in managed state.
pub(crate) struct TokenOf(pub for<'a> fn(&'a Request<'_>) -> TokenLookup<'a>);

/// The future [`TokenOf`] returns.
pub(crate) type TokenLookup<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Option<CsrfToken>> + Send + 'a>>;

/// The fields of a [`CsrfForm`], decoded and kept in the request so that
/// the form's fields may borrow from them.
struct DecodedFields(Vec<(String, String)>);

/// The name and value of each field of an `x-www-form-urlencoded` body,
/// decoded (`%C3%A9` is `é`, `+` a space), as Rocket's own [`Form`](rocket::form::Form) decodes them.
fn decode_fields(body: &str) -> Vec<(String, String)> {
    let decode = |text: &str| RawStr::new(text).url_decode_lossy().into_owned();
    body.split('&')
        .filter(|field| !field.is_empty())
        .map(|field| {
            let (name, value) = field.split_once('=').unwrap_or((field, ""));
            (decode(name), decode(value))
        })
        .collect()
}

#[rocket::async_trait]
impl<'r, F: rocket::form::FromForm<'r> + Send> rocket::data::FromData<'r> for CsrfForm<F> {
    type Error = CsrfFormError<'r>;

    async fn from_data(
        request: &'r Request<'_>,
        data: rocket::Data<'r>,
    ) -> rocket::data::Outcome<'r, Self> {
        use rocket::data::{Limits, Outcome};
        use rocket::form::{Form, ValueField};

        let limit = request.limits().get("form").unwrap_or(Limits::FORM);
        let body = match data.open(limit).into_string().await {
            Ok(body) if body.is_complete() => body.into_inner(),
            Ok(_) => return Outcome::Error((Status::PayloadTooLarge, CsrfFormError::Unreadable)),
            Err(_) => return Outcome::Error((Status::BadRequest, CsrfFormError::Unreadable)),
        };
        let fields = &request.local_cache(|| DecodedFields(decode_fields(&body))).0;
        let given = fields.iter().find(|(name, _)| name == "csrf_token");
        let given = given.map(|(_, value)| value.as_str());
        let expected = match request.rocket().state::<TokenOf>() {
            Some(TokenOf(token_of)) => token_of(request).await,
            None => None,
        };
        if !expected.is_some_and(|token| token.matches(given)) {
            rocket::warn!("refused a {} without the session's token", request.uri());
            let reason = "the form did not carry this session's token".to_owned();
            let refused = request.local_cache(|| Some(Refused(reason))).clone();
            let refused = refused.expect("cached just now");
            return Outcome::Error((Status::Forbidden, CsrfFormError::Refused(refused)));
        }
        let values =
            fields.iter().map(|(name, value)| ValueField::from((name.as_str(), value.as_str())));
        match Form::<F>::parse_iter(values) {
            Ok(form) => Outcome::Success(CsrfForm(form)),
            Err(errors) => {
                Outcome::Error((Status::UnprocessableEntity, CsrfFormError::Invalid(errors)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(text: &str) -> Host<'static> {
        Host::parse_owned(text.to_owned()).unwrap()
    }

    #[test]
    fn the_same_host_and_port_is_the_same_origin() {
        let on = host("127.0.0.1:8003");
        let same = |origin, host| from_origin(origin, "http", Some(host));
        assert_eq!(same("http://127.0.0.1:8003", &on), Provenance::SameOrigin);
        assert_eq!(same("HTTP://127.0.0.1:8003", &on), Provenance::SameOrigin);
        let plain = host("example.com");
        assert_eq!(same("http://example.com", &plain), Provenance::SameOrigin);
        assert_eq!(same("http://EXAMPLE.com:80", &plain), Provenance::SameOrigin);
    }

    #[test]
    fn over_https_only_the_https_origin_is_the_same_origin() {
        let on = host("127.0.0.1:8003");
        let https = |origin| from_origin(origin, "https", Some(&on));
        assert_eq!(https("https://127.0.0.1:8003"), Provenance::SameOrigin);
        assert_eq!(https("HTTPS://127.0.0.1:8003"), Provenance::SameOrigin);
        for origin in ["http://127.0.0.1:8003", "https://127.0.0.1:8004", "https://127.0.0.1"] {
            assert!(matches!(https(origin), Provenance::Foreign(_)), "{origin}");
        }
        let standard = host("example.com");
        let same = from_origin("https://example.com:443", "https", Some(&standard));
        assert_eq!(same, Provenance::SameOrigin);
        let plain_page = from_origin("http://example.com", "https", Some(&standard));
        assert!(matches!(plain_page, Provenance::Foreign(_)), "http:// of an https site");
    }

    #[test]
    fn another_port_host_or_scheme_is_another_origin() {
        let on = host("127.0.0.1:8003");
        for origin in [
            "http://127.0.0.1:8667",
            "http://localhost:8003",
            "http://127.0.0.1",
            "https://127.0.0.1",
            "http://127.0.0.1:8003.evil.example",
            "ftp://127.0.0.1:8003",
            "http://127.0.0.1:8003/path",
            "null",
            "",
            "127.0.0.1:8003",
        ] {
            let verdict = from_origin(origin, "http", Some(&on));
            assert!(matches!(verdict, Provenance::Foreign(_)), "{origin}: {verdict:?}");
        }
        let verdict = from_origin("http://127.0.0.1:8003", "http", None);
        assert!(matches!(verdict, Provenance::Foreign(_)), "no Host to compare with");
    }

    #[test]
    fn tokens_match_only_themselves() {
        let token = CsrfToken::generate().unwrap();
        let other = CsrfToken::generate().unwrap();
        assert_eq!(token.as_str().len(), 43);
        assert!(token.matches(Some(token.as_str())));
        assert!(!token.matches(Some(other.as_str())));
        assert!(!token.matches(Some(&token.as_str()[..42])));
        assert!(!token.matches(Some("")));
        assert!(!token.matches(None));
        assert!(!CsrfToken(String::new()).matches(Some("")), "an empty token matches nothing");
        assert_eq!(format!("{token:?}"), "CsrfToken(..)");
    }
}
