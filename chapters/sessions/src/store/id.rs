//! Session ids for the server-side store.

use std::fmt;
use std::io;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// 256 random bits from the operating system's CSPRNG, base64url-encoded:
/// unguessable, and the only thing the browser holds in the server-side
/// chapters.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SessionId(String);

impl SessionId {
    /// Number of random bytes in an id.
    pub const BYTES: usize = 32;
    /// Length of an id as text (base64url, no padding).
    pub const LEN: usize = 43;

    // ANCHOR: generate
    /// A fresh id, never derived from anything the browser sent.
    pub fn generate() -> io::Result<Self> {
        let mut bytes = [0u8; Self::BYTES];
        getrandom::fill(&mut bytes).map_err(io::Error::other)?;
        Ok(SessionId(URL_SAFE_NO_PAD.encode(bytes)))
    }
    // ANCHOR_END: generate

    /// Accepts exactly the strings `generate` can produce, so a cookie value
    /// of any other shape never reaches the store.
    pub fn parse(value: &str) -> Option<Self> {
        if value.len() != Self::LEN {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(value).ok()?;
        (bytes.len() == Self::BYTES).then(|| SessionId(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    // ANCHOR: hashed
    /// The SHA-256 of the id, in lowercase hex: the name a store files the
    /// record under. Whoever can list the records (a directory listing,
    /// Redis's `SCAN`) learns nothing they could put in a cookie.
    pub fn hashed(&self) -> String {
        format!("{:x}", Sha256::digest(self.0.as_bytes()))
    }
    // ANCHOR_END: hashed
}

/// Ids are secrets: logs show only that there was one.
impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionId(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_carry_256_random_bits_and_parse_back() {
        let a = SessionId::generate().unwrap();
        let b = SessionId::generate().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), SessionId::LEN);
        assert_eq!(SessionId::parse(a.as_str()), Some(a));
    }

    #[test]
    fn parse_refuses_every_other_shape() {
        let valid = SessionId::generate().unwrap();
        let hostile = [
            "",
            "../../etc/passwd",
            &valid.as_str()[..42],
            &format!("{}A", valid.as_str()),
            "..%2F..%2F..%2F..%2F..%2F..%2F..%2F..%2Fetc%2F",
            "/////////////////////////////////////////// ",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa+",
        ];
        for value in hostile {
            assert_eq!(SessionId::parse(value), None, "{value:?}");
        }
    }

    #[test]
    fn debug_output_never_shows_the_id() {
        let id = SessionId::generate().unwrap();
        assert!(!format!("{id:?}").contains(id.as_str()));
    }
}
