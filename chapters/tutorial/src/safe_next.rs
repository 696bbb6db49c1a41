//! Where to send a user after sign-in.
//!
//! The tutorial redirects to whatever `next` says, which makes its login
//! page an open redirect: a link to `/login?next=https://evil.example`
//! signs the victim in on the real site, then hands them to the attacker's.

use rocket::http::ext::IntoOwned;
use rocket::http::uri::Origin;

/// Longest `next` we follow; a longer one is not a link of ours.
const MAX_LEN: usize = 2048;

// ANCHOR: safe_next
/// `next`, if it is a path on this site; `None` otherwise.
///
/// A local path starts with one `/`. Everything else a browser could
/// resolve to another host is refused: `https://…`, `//host`, `/\host`
/// (browsers read `\` as `/`), `javascript:…`, and any white space or
/// control character (browsers drop tabs and newlines from URLs, and a CR
/// or LF could split the `Location` header).
pub fn safe_next(next: &str) -> Option<Origin<'static>> {
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(|c| c.is_control() || c.is_whitespace())
        && next.len() <= MAX_LEN;
    if !local {
        return None;
    }
    Origin::parse(next).ok().map(|origin| origin.into_owned())
}
// ANCHOR_END: safe_next

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn follows_local_paths() {
        for next in ["/", "/about", "/contact?tab=2", "/a/b/c"] {
            assert_eq!(safe_next(next).map(|o| o.to_string()), Some(next.to_owned()), "{next}");
        }
    }

    #[test]
    fn refuses_anything_that_could_leave_the_site() {
        let hostile = [
            "",
            "None",
            "about",
            "https://evil.example/",
            "http:/evil.example",
            "//evil.example",
            "///evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            " /about",
            "/about\r\nSet-Cookie: x=1",
            "javascript:alert(1)",
            "data:text/html,hi",
            "%2F%2Fevil.example",
            "/<script>",
        ];
        for next in hostile {
            assert_eq!(safe_next(next), None, "{next:?}");
        }
        assert_eq!(safe_next(&format!("/{}", "a".repeat(3000))), None);
    }
}
