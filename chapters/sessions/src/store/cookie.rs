//! The encrypted-cookie mechanism: the whole session travels in the cookie.
//!
//! Encryption itself is Rocket's: `CookieJar::add_private` seals the value
//! with AES-256-GCM under a key derived from `secret_key`, so the browser
//! can neither read nor alter it. This module only turns a session into the
//! text that gets sealed, and back.

use super::StoredSession;

// ANCHOR: payload
/// The plaintext that goes into the private cookie.
pub fn encode_cookie_payload(session: &StoredSession) -> String {
    serde_json::to_string(session).expect("a session always serializes")
}
// ANCHOR_END: payload

/// Reads a decrypted cookie value; `None` for anything that is not a
/// session this code wrote.
pub fn decode_cookie_payload(plaintext: &str) -> Option<StoredSession> {
    serde_json::from_str(plaintext).ok()
}
