//! What a session holds: the app's data, the two timestamps the
//! server needs to enforce its own limits, and what else a session
//! carries: the secret its forms prove they came from this site with, and
//! a one-time message for the next page. The sealed cookie and the
//! server-side stores keep exactly this, as JSON.

use std::sync::Arc;

use rocket::time::OffsetDateTime;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::csrf::CsrfToken;

/// What a server-side store asks of the app's session data: whose session
/// it is, for the index of each user's sessions (the list of a user's
/// sessions, and ending one of them from another). It must not change
/// while the session lasts.
pub trait SessionOwner {
    /// The user the session belongs to.
    fn owner(&self) -> &str;
}

/// The app's session data as a store keeps it: written and read as JSON by
/// serde, and owned by a user ([`SessionOwner`]). Every such type is one.
pub trait StoredData:
    Serialize + DeserializeOwned + SessionOwner + Clone + Send + Sync + 'static
{
}

impl<T> StoredData for T where
    T: Serialize + DeserializeOwned + SessionOwner + Clone + Send + Sync + 'static
{
}

/// The record's own fields, which the app's data is written beside.
const RESERVED_FIELDS: [&str; 6] =
    ["created_at", "last_seen", "remember", "csrf_token", "flash", "user_agent"];

/// Can `data` be kept in a session? Its fields are written beside the
/// record's own, so it must be written as a JSON object.
pub(crate) fn check_data<T: Serialize>(data: &T) -> Result<(), crate::Error> {
    match serde_json::to_value(data) {
        Ok(serde_json::Value::Object(fields)) => {
            match RESERVED_FIELDS.iter().find(|name| fields.contains_key(**name)) {
                Some(name) => Err(crate::Error::ReservedField(name)),
                None => Ok(()),
            }
        }
        Ok(other) => Err(crate::Error::NotAnObject(std::sync::Arc::new(
            <serde_json::Error as serde::ser::Error>::custom(format!(
                "it is written as {}",
                kind_of(&other)
            )),
        ))),
        Err(e) => Err(crate::Error::NotAnObject(std::sync::Arc::new(e))),
    }
}

/// What a JSON value is, in words.
fn kind_of(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// A change to a session. It may run more than once: a store with
/// optimistic locking (Redis) applies it again when another request
/// changed the record in between.
pub type RecordChange<T> = Arc<dyn Fn(&mut SessionRecord<T>) + Send + Sync>;

// RFC 3339 with a fixed width (nanoseconds, numeric offset), so a sealed
// cookie is always the same length: `2026-11-25T20:12:56.123456789+00:00`.
time::serde::format_description!(
    rfc3339_nanos,
    OffsetDateTime,
    "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:9][offset_hour sign:mandatory]:[offset_minute]"
);

// ANCHOR: session_record
/// A session as every mechanism keeps it (sealed in the cookie, or a
/// record on the server): the app's data `T` plus the two timestamps the
/// server needs to enforce its idle and absolute limits by itself, whatever
/// the browser does with the cookie; where the user chooses, whether they
/// asked to be remembered; the session's CSRF token;
/// and a message waiting for the next page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRecord<T> {
    /// The application's data, flattened into the same JSON object.
    #[serde(flatten)]
    pub data: T,
    /// When the user signed in. It never moves: the absolute limit counts
    /// from it.
    #[serde(with = "rfc3339_nanos")]
    pub created_at: OffsetDateTime,
    /// The last request the server recorded for this session (see
    /// [`ExpiryPolicy`](crate::policy::ExpiryPolicy)).
    #[serde(with = "rfc3339_nanos")]
    pub last_seen: OffsetDateTime,
    /// "Keep me signed in", as ticked at sign-in, in an app whose users
    /// choose ([`CookieExpiry::ChosenAtSignIn`](crate::CookieExpiry));
    /// `None` (and absent from the JSON) where the app decides. Records
    /// written without it read as `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remember: Option<bool>,
    /// The secret every form of this session carries (see
    /// [`csrf`](crate::csrf)). Required: a record without one is not a
    /// session this code started, and reads as none.
    pub csrf_token: CsrfToken,
    /// A one-time message for the next page (see
    /// [`Session::take_flash`](crate::Session::take_flash)); absent from
    /// the JSON when none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flash: Option<String>,
    /// The `User-Agent` the sign-in came with, cut to
    /// [`USER_AGENT_LIMIT`] bytes, for the list of the user's sessions
    /// (see [`Session::list_sessions`](crate::Session::list_sessions)); absent from the JSON when the browser sent
    /// none, and in records written before it was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
}
// ANCHOR_END: session_record

// ANCHOR: user_agent_limit
/// The most of a `User-Agent` a record keeps, in bytes: real ones are a few
/// hundred, and a record never holds unbounded input from a request.
pub const USER_AGENT_LIMIT: usize = 256;

/// `user_agent` cut to at most [`USER_AGENT_LIMIT`] bytes, at a character
/// boundary; `None` for an empty one.
pub fn bounded_user_agent(user_agent: &str) -> Option<String> {
    let mut end = user_agent.len().min(USER_AGENT_LIMIT);
    while !user_agent.is_char_boundary(end) {
        end -= 1;
    }
    let kept = user_agent[..end].trim();
    (!kept.is_empty()).then(|| kept.to_owned())
}
// ANCHOR_END: user_agent_limit

impl<T> SessionRecord<T> {
    /// A session that starts now, with `csrf_token` as its forms' secret.
    pub fn new(data: T, now: OffsetDateTime, csrf_token: CsrfToken) -> Self {
        SessionRecord {
            data,
            created_at: now,
            last_seen: now,
            remember: None,
            csrf_token,
            flash: None,
            user_agent: None,
        }
    }

    /// Did the user ask to be remembered at sign-in?
    pub fn remembered(&self) -> bool {
        self.remember == Some(true)
    }
}

impl<T: Serialize + DeserializeOwned> SessionRecord<T> {
    /// The record as the stores and the sealed cookie keep it.
    ///
    /// The session code keeps data, or a change to it, only once it is
    /// known to be written as a JSON object (see
    /// [`Error::NotAnObject`](crate::Error::NotAnObject)), so this cannot
    /// fail for data it handled.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("session data is checked before it is kept")
    }

    /// Reads a record; `None` for anything that is not a record this code
    /// wrote.
    pub fn from_json(json: &[u8]) -> Option<Self> {
        serde_json::from_slice(json).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_data::Visitor;

    #[test]
    fn timestamps_are_stored_as_rfc3339() {
        let at = OffsetDateTime::from_unix_timestamp(1_795_637_576).unwrap();
        let data = Visitor::named("ada");
        let record = SessionRecord::new(data, at, CsrfToken::generate().unwrap());
        let json: serde_json::Value = serde_json::from_str(&record.to_json()).unwrap();
        assert_eq!(json["created_at"], "2026-11-25T20:12:56.000000000+00:00");
        assert_eq!(json["last_seen"], "2026-11-25T20:12:56.000000000+00:00");
        assert_eq!(json["csrf_token"], record.csrf_token.as_str());
        assert_eq!(SessionRecord::<Visitor>::from_json(record.to_json().as_bytes()), Some(record));
        assert_eq!(SessionRecord::<Visitor>::from_json(br#"{"user_name":"ad"#), None);
        assert!(json.get("remember").is_none(), "no choice, no field");
        assert!(json.get("flash").is_none(), "no message, no field");
    }

    #[test]
    fn the_choice_to_be_remembered_is_kept_and_old_records_still_read() {
        let at = OffsetDateTime::from_unix_timestamp(1_795_637_576).unwrap();
        let data = Visitor::named("ada");
        let mut record = SessionRecord::new(data, at, CsrfToken::generate().unwrap());
        let old = record.to_json();
        record.remember = Some(true);
        let json: serde_json::Value = serde_json::from_str(&record.to_json()).unwrap();
        assert_eq!(json["remember"], true);
        assert_eq!(SessionRecord::<Visitor>::from_json(record.to_json().as_bytes()), Some(record));
        let read =
            SessionRecord::<Visitor>::from_json(old.as_bytes()).expect("a record from before");
        assert_eq!(read.remember, None);
        assert!(!read.remembered());
    }

    #[test]
    fn a_record_without_a_csrf_token_is_not_a_session() {
        let before = br#"{"user_name":"ada","visits":0,"created_at":"2026-11-25T20:12:56.000000000+00:00","last_seen":"2026-11-25T20:12:56.000000000+00:00"}"#;
        assert_eq!(SessionRecord::<Visitor>::from_json(before), None);
    }

    #[test]
    fn the_user_agent_is_kept_bounded_and_old_records_still_read() {
        let at = OffsetDateTime::from_unix_timestamp(1_795_637_576).unwrap();
        let data = Visitor::named("ada");
        let mut record = SessionRecord::new(data, at, CsrfToken::generate().unwrap());
        let old = record.to_json();
        assert!(!old.contains("user_agent"), "none sent, no field");
        assert_eq!(SessionRecord::<Visitor>::from_json(old.as_bytes()).unwrap().user_agent, None);
        record.user_agent = bounded_user_agent("curl/8.5.0");
        assert_eq!(SessionRecord::<Visitor>::from_json(record.to_json().as_bytes()), Some(record));

        let long = "é".repeat(USER_AGENT_LIMIT);
        let cut = bounded_user_agent(&long).unwrap();
        assert!(cut.len() <= USER_AGENT_LIMIT && cut.len() >= USER_AGENT_LIMIT - 1);
        assert!(cut.chars().all(|c| c == 'é'), "cut at a character boundary");
        assert_eq!(bounded_user_agent("  "), None);
    }

    #[test]
    fn a_waiting_message_is_kept() {
        let at = OffsetDateTime::from_unix_timestamp(1_795_637_576).unwrap();
        let data = Visitor::named("ada");
        let mut record = SessionRecord::new(data, at, CsrfToken::generate().unwrap());
        record.flash = Some("Signed in as ada.".into());
        let json: serde_json::Value = serde_json::from_str(&record.to_json()).unwrap();
        assert_eq!(json["flash"], "Signed in as ada.");
        assert_eq!(SessionRecord::<Visitor>::from_json(record.to_json().as_bytes()), Some(record));
    }
}
