//! What can go wrong when a handler starts or changes a session.

use std::fmt;
use std::sync::Arc;

use rocket::http::Status;

use crate::store::StoreUnavailable;

// ANCHOR: error
/// Why a session could not be started or changed. Nothing was stored, and
/// the request's session is as it was.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Error {
    /// The store is out of order: the visitor may try again later
    /// ([`Status::ServiceUnavailable`]).
    Unavailable(StoreUnavailable),
    /// The app's data cannot be kept in a session: it must be written as a
    /// JSON object (a struct, a map, or an enum variant with fields), since
    /// its fields are kept beside the session's own. A unit variant, a
    /// number or a string is not ([`Status::InternalServerError`]: the
    /// app's code is at fault, not the visitor).
    NotAnObject(Arc<serde_json::Error>),
    /// The app's data has a field of the name the session keeps one of its
    /// own under (`created_at`, `last_seen`, `remember`, `csrf_token`,
    /// `flash`, `user_agent`): written beside each other, the session could
    /// not be read back ([`Status::InternalServerError`]).
    ReservedField(&'static str),
}
// ANCHOR_END: error

impl Error {
    /// The status a handler answers with.
    pub fn status(&self) -> Status {
        match self {
            Error::Unavailable(_) => Status::ServiceUnavailable,
            Error::NotAnObject(_) | Error::ReservedField(_) => Status::InternalServerError,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Unavailable(e) => e.fmt(f),
            Error::NotAnObject(e) => {
                write!(f, "the session data is not written as a JSON object: {e}")
            }
            Error::ReservedField(name) => {
                write!(f, "the session data has a field `{name}`, a name the session keeps")
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Unavailable(e) => Some(e),
            Error::NotAnObject(e) => Some(&**e),
            Error::ReservedField(_) => None,
        }
    }
}

/// A handler may answer with the error itself: its [`status`](Error::status),
/// through the app's catcher for it.
impl<'r> rocket::response::Responder<'r, 'static> for Error {
    fn respond_to(self, _: &'r rocket::Request<'_>) -> rocket::response::Result<'static> {
        rocket::error!("{self}");
        Err(self.status())
    }
}

impl From<StoreUnavailable> for Error {
    fn from(e: StoreUnavailable) -> Self {
        Error::Unavailable(e)
    }
}
