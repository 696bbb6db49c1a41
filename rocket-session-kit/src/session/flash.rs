//! One-time messages ("flash" messages): a form's handler leaves one, the
//! browser follows the redirect (Post/Redirect/Get), and the next page
//! shows it and forgets it, so a reload does not show it again.
//!
//! A signed-in user's message lives in the session, like everything else
//! about them: sealed in the cookie, or in the record. After sign-out
//! there is no session to keep it in, and starting one for a visitor would
//! break the rule that a signed-out visitor gets no session cookie. So the
//! one message a visitor can get, "signed out", travels in a small cookie
//! of its own, [`NoticeCookie`], like Rocket's own `Flash`. That cookie is
//! not sealed: any page of the same *host* (another port of 127.0.0.1, say)
//! could set it too. It therefore carries the name of a notice, never
//! text: the worst a forged one can do is show "You have been signed out."
//! to a visitor who is signed out.

use rocket::http::{Cookie, CookieJar, SameSite};
use rocket::time::Duration;

use crate::transport::Transport;
use crate::Sessions;

// ANCHOR: messages
/// The message ending other sessions leaves for the next page.
pub fn sessions_ended(count: usize) -> String {
    match count {
        0 => "There was no other session to sign out.".into(),
        1 => "Signed out 1 other session.".into(),
        n => format!("Signed out {n} other sessions."),
    }
}

/// The notices a visitor without a session can get, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// Log Out's notice, for the page it redirects to.
    SignedOut,
}

impl Notice {
    /// What the cookie carries.
    fn name(self) -> &'static str {
        match self {
            Notice::SignedOut => "signed-out",
        }
    }

    fn from_name(name: &str) -> Option<Notice> {
        match name {
            "signed-out" => Some(Notice::SignedOut),
            _ => None,
        }
    }

    /// What the page shows.
    pub fn text(self) -> &'static str {
        match self {
            Notice::SignedOut => "You have been signed out.",
        }
    }
}
// ANCHOR_END: messages

// ANCHOR: notice_cookie
/// The cookie that carries a [`Notice`] to the next page: named by
/// [`Sessions::with_notice_cookie_name`], `HttpOnly`, `SameSite=Lax`, and
/// gone after a minute even if no page reads it. Over HTTPS, like the
/// session cookie, `__Host-` prefixed and `Secure`.
#[derive(Debug, Clone)]
pub struct NoticeCookie {
    /// The app's notice cookie name, `__Host-` prefixed over HTTPS.
    pub name: String,
    /// Over HTTPS: the cookie is `Secure`, and so is its removal.
    pub secure: bool,
}

impl NoticeCookie {
    /// How long an unread notice is kept.
    pub const LIFETIME: Duration = Duration::minutes(1);

    /// The notice cookie of `sessions`, for a site that browsers reach over
    /// `transport`.
    pub fn new(sessions: &Sessions, transport: Transport) -> Self {
        let name = transport.cookie_name(sessions.notice_cookie_name());
        NoticeCookie { name, secure: transport.is_https() }
    }

    /// Leaves `notice` for the next page.
    pub fn leave(&self, jar: &CookieJar<'_>, notice: Notice) {
        let cookie = Cookie::build((self.name.clone(), notice.name()))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .max_age(Self::LIFETIME);
        jar.add(if self.secure { cookie.secure(true) } else { cookie });
    }

    /// The notice the request carries, if any, removing it so that it is
    /// shown once. A value that names no notice is removed and shows
    /// nothing.
    pub fn take(&self, jar: &CookieJar<'_>) -> Option<Notice> {
        let notice = Notice::from_name(jar.get(&self.name)?.value());
        let removal = Cookie::build(self.name.clone()).path("/");
        jar.remove(if self.secure { removal.secure(true) } else { removal });
        notice
    }
}
// ANCHOR_END: notice_cookie

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_named_notices_are_shown() {
        assert_eq!(Notice::from_name(Notice::SignedOut.name()), Some(Notice::SignedOut));
        assert_eq!(Notice::from_name("You won a prize: call 555-0100"), None);
        assert_eq!(Notice::from_name(""), None);
    }
}
