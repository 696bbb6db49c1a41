//! Changing `secret_key` without signing everyone out: the keys that
//! sealed cookies before it, `previous_secret_keys`.
//!
//! Rocket opens a private cookie with one key, `secret_key`. Change it and
//! every sealed session in every browser stops opening: everyone is signed
//! out at once. So an app that seals the session in the cookie also reads
//! a list of previous keys. A cookie that the current key does
//! not open is tried with each of them; one that opens is sealed again with
//! the current key on that same response, so the browser holds a cookie of
//! the current key from then on. Nothing is ever sealed with a previous
//! key: they only open. Flask 3.1.0 got exactly that wrong (CVE-2025-47278:
//! it signed with the last fallback key instead of the current one).
//!
//! The keys are written as Rocket's own `secret_key` is (base64 of 32 or 64
//! bytes, or hex of 32), and turned into a key exactly as Rocket turns its
//! own (see [`PreviousKey`]), so that a key moved from `secret_key` to the
//! list opens what it sealed there.

use std::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use cookie::Key;
use rocket::http::Cookie;
use serde::de::{self, Deserializer};
use serde::Deserialize;

// ANCHOR: key_rotation_config
/// The key a sealed-cookie app reads besides Rocket's `secret_key`:
/// `previous_secret_keys` in `Rocket.toml`, or
/// `ROCKET_PREVIOUS_SECRET_KEYS='["<old key>"]'`.
#[derive(Debug, Default, Deserialize)]
pub struct KeyRotationConfig {
    /// Keys that sealed cookies before the current `secret_key`, which
    /// still open them (and never seal anything).
    #[serde(default)]
    pub previous_secret_keys: Vec<PreviousKey>,
}
// ANCHOR_END: key_rotation_config

/// One of `previous_secret_keys`.
#[derive(Clone)]
pub struct PreviousKey(Key);

impl PreviousKey {
    /// Reads a key written as Rocket reads `secret_key`: 44 or 88
    /// characters of base64 or 64 of hex, for at least 32 bytes that are
    /// not all zero. As in Rocket, 64 bytes or more are the key itself, and
    /// fewer are expanded into one (`Key::derive_from`).
    pub fn parse(text: &str) -> Result<Self, String> {
        let bytes = match text.len() {
            44 | 88 => STANDARD.decode(text).map_err(|e| format!("not base64: {e}"))?,
            64 => hex(text).ok_or("not hex")?,
            n => return Err(format!("{n} characters: 44 or 88 for base64, 64 for hex")),
        };
        if bytes.len() < 32 {
            return Err(format!("{} bytes: at least 32", bytes.len()));
        }
        if bytes.iter().all(|&b| b == 0) {
            return Err("a key of zeros".into());
        }
        Ok(PreviousKey(if bytes.len() >= 64 {
            Key::from(&bytes)
        } else {
            Key::derive_from(&bytes)
        }))
    }

    /// Is this the key `text` (written in either of the ways [`parse`](Self::parse)
    /// reads)? `false` when `text` is no key.
    pub fn is_written_as(&self, text: &str) -> bool {
        PreviousKey::parse(text).is_ok_and(|other| other.0 == self.0)
    }
}

impl fmt::Debug for PreviousKey {
    /// Never the key itself: a log line must not leak it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PreviousKey(..)")
    }
}

impl<'de> Deserialize<'de> for PreviousKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        PreviousKey::parse(&text)
            .map_err(|why| de::Error::custom(format!("not a previous secret key: {why}")))
    }
}

/// Decodes hex digits, two per byte.
fn hex(text: &str) -> Option<Vec<u8>> {
    let digits = text.as_bytes();
    if !digits.len().is_multiple_of(2) || !digits.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    digits
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok())
        .collect()
}

// ANCHOR: open_with_previous_keys
/// The keys that sealed cookies before the current one.
#[derive(Debug, Default, Clone)]
pub struct PreviousKeys(Vec<PreviousKey>);

impl PreviousKeys {
    /// The keys `keys`, tried in their order.
    pub fn new(keys: Vec<PreviousKey>) -> Self {
        PreviousKeys(keys)
    }

    /// Are there no previous keys?
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The sealed cookie `sealed`, opened with the first previous key that
    /// decrypts and authenticates it; `None` if none does. Only ever opens:
    /// the caller seals what it found again with the current key.
    pub fn open(&self, sealed: &Cookie<'_>) -> Option<Cookie<'static>> {
        // Rocket's jar opens with `secret_key` only: a jar of our own holds
        // the sealed value, and `private(key)` opens it with another key.
        let mut single = cookie::CookieJar::new();
        single.add_original(sealed.clone().into_owned());
        self.0.iter().find_map(|PreviousKey(key)| single.private(key).get(sealed.name()))
    }
}
// ANCHOR_END: open_with_previous_keys

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_A: &str = "pWkL1yV6o4bJm8FQn8G3zvS0c6y1Uu4Zl7r2d9QxTnE=";

    #[test]
    fn keys_are_read_as_rocket_reads_secret_key() {
        let base64 = PreviousKey::parse(KEY_A).expect("base64 of 32 bytes");
        let bytes = STANDARD.decode(KEY_A).unwrap();
        let hex_text: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let hex = PreviousKey::parse(&hex_text).expect("hex of 32 bytes");
        assert!(base64.0 == hex.0, "the same 32 bytes, however written");
        assert!(base64.0 == Key::derive_from(&bytes), "32 bytes are expanded, as Rocket does");
        let long = STANDARD.encode([7u8; 64]);
        assert!(
            PreviousKey::parse(&long).unwrap().0 == Key::from(&[7u8; 64]),
            "64 bytes are the key"
        );
    }

    #[test]
    fn malformed_keys_are_refused() {
        let bad_keys = [
            "",
            "short",
            &"A".repeat(43),
            &"z".repeat(64),
            &"+f".repeat(32),
            &STANDARD.encode([0u8; 32]),
            // 44 characters of base64, but only 31 bytes.
            &STANDARD.encode([7u8; 31]),
        ];
        for bad in bad_keys {
            assert!(PreviousKey::parse(bad).is_err(), "{bad:?} is no key");
        }
    }

    #[test]
    fn a_key_is_recognised_however_written() {
        let key = PreviousKey::parse(KEY_A).unwrap();
        let hex_text: String =
            STANDARD.decode(KEY_A).unwrap().iter().map(|b| format!("{b:02x}")).collect();
        assert!(key.is_written_as(KEY_A));
        assert!(key.is_written_as(&hex_text));
        assert!(!key.is_written_as(&STANDARD.encode([7u8; 32])));
        assert!(!key.is_written_as("no key"));
    }

    #[test]
    fn the_key_never_appears_in_debug_output() {
        let shown = format!("{:?}", PreviousKey::parse(KEY_A).unwrap());
        assert_eq!(shown, "PreviousKey(..)");
    }
}
