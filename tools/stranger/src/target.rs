//! The origin an attack page aims at, from its `?target=` parameter.
//!
//! Only an http(s) origin on this machine is accepted (`127.0.0.1` or
//! `localhost`, with or without a port; nothing after it but an optional
//! `/`): the stranger is a teaching tool, and it cannot be turned into a
//! page that attacks some other site. What passes is also plain enough
//! (letters, digits, `:`, `/`, `.`) to be written into the page as is.

use std::fmt;

/// An accepted origin, as `http://127.0.0.1:8002` (no trailing slash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target(String);

impl Target {
    pub fn parse(raw: &str) -> Result<Target, String> {
        let refuse =
            |why: &str| Err(format!("{raw:?} is not an origin the stranger attacks: {why}"));
        let Some((scheme, rest)) = raw.split_once("://") else {
            return refuse("it must start with http:// or https://");
        };
        if scheme != "http" && scheme != "https" {
            return refuse("only http and https");
        }
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        let (host, port) = match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        };
        if host != "127.0.0.1" && host != "localhost" {
            return refuse("only 127.0.0.1 or localhost, with no path");
        }
        if let Some(port) = port {
            let digits = !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit());
            if !digits || port.parse::<u16>().map_or(true, |p| p == 0) {
                return refuse("the port must be 1 to 65535");
            }
        }
        Ok(Target(format!("{scheme}://{authority}")))
    }

    /// `path` on the target: `http://127.0.0.1:8002/theme`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.0)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::Target;

    #[test]
    fn origins_on_this_machine_are_accepted() {
        for (raw, origin) in [
            ("http://127.0.0.1:8002", "http://127.0.0.1:8002"),
            ("http://127.0.0.1:8002/", "http://127.0.0.1:8002"),
            ("https://localhost", "https://localhost"),
            ("http://localhost:65535", "http://localhost:65535"),
        ] {
            assert_eq!(Target::parse(raw).map(|t| t.as_str().to_owned()), Ok(origin.to_owned()));
        }
    }

    #[test]
    fn anything_else_is_refused() {
        for raw in [
            "",
            "127.0.0.1:8002",
            "ftp://127.0.0.1",
            "javascript://127.0.0.1",
            "http://example.com",
            "http://127.0.0.1.example.com",
            "http://user@127.0.0.1",
            "http://127.0.0.1:8002/theme",
            "http://127.0.0.1:8002?x",
            "http://127.0.0.1:",
            "http://127.0.0.1:0",
            "http://127.0.0.1:99999",
            "http://127.0.0.1:80\"><script>",
            "http://[::1]:8002",
        ] {
            assert!(Target::parse(raw).is_err(), "{raw:?} was accepted");
        }
    }
}
