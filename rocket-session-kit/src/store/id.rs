//! Session ids for the server-side store.

use std::fmt;
use std::io;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// 256 random bits from the operating system's CSPRNG, base64url-encoded:
/// unguessable, and the only thing the browser holds of a server-side
/// session.
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

    /// The id as the cookie carries it.
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

// ANCHOR: record_key
/// The name of a session's record: the SHA-256 of its id in lowercase hex
/// ([`SessionId::hashed`]). The list of a user's sessions names each one by
/// it, in the page and in its forms, never by the id: a record key cannot
/// be put in a cookie.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordKey(String);

impl RecordKey {
    /// The key of the record of `id`.
    pub fn of(id: &SessionId) -> Self {
        RecordKey(id.hashed())
    }

    /// Accepts exactly 64 lowercase hex digits, the shape of a SHA-256, so
    /// that a name from a form or a folder listing is never anything else
    /// (a path, a Redis pattern).
    pub fn parse(value: &str) -> Option<Self> {
        let hex = |b: u8| b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
        (value.len() == 64 && value.bytes().all(hex)).then(|| RecordKey(value.to_owned()))
    }

    /// The key as records are named by it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The name of the index of `user_name`'s sessions (a folder, a Redis
/// set): the SHA-256 of the name in hex, so that any name, whatever its
/// characters, makes a safe file name and key.
pub fn user_index_name(user_name: &str) -> String {
    format!("{:x}", Sha256::digest(user_name.as_bytes()))
}
// ANCHOR_END: record_key

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
    fn record_keys_are_sha256_hex_and_nothing_else() {
        let id = SessionId::generate().unwrap();
        let key = RecordKey::of(&id);
        assert_eq!(key.as_str(), id.hashed());
        assert_eq!(RecordKey::parse(key.as_str()), Some(key.clone()));
        for bad in ["", "../x", &key.as_str()[..63], &key.as_str().to_uppercase(), id.as_str()] {
            assert_eq!(RecordKey::parse(bad), None, "{bad:?}");
        }
        assert_eq!(user_index_name("ada").len(), 64);
        assert_ne!(user_index_name("ada"), user_index_name("Ada"));
    }

    #[test]
    fn debug_output_never_shows_the_id() {
        let id = SessionId::generate().unwrap();
        assert!(!format!("{id:?}").contains(id.as_str()));
    }
}
