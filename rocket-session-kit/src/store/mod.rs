//! Where the server keeps session records: in files ([`FileStore`]) or in
//! Redis ([`RedisStore`]). A store only stores: when a session ends, and
//! when its activity is worth writing down, is decided above it (see
//! [`crate::policy`]), so every store follows the same rules.

pub mod file;
mod id;
pub mod redis;

pub use self::redis::{RedisStore, SessionsDb};
pub use file::{FileStore, Purge, ThreadedFileStore};
pub use id::{user_index_name, RecordKey, SessionId};

use std::error::Error;
use std::fmt;
use std::sync::Arc;

use rocket::time::Duration;

use crate::record::SessionRecord;

// ANCHOR: session_store
/// A server-side home for session records of the app's data `T`, keyed by
/// [`SessionId`].
///
/// The crate keeps records in files ([`FileStore`]) or in Redis
/// ([`RedisStore`]), and an app may bring a store of its own; the session
/// code above this trait is the same for all. Each store also keeps an
/// index of every user's sessions, changed with the records themselves
/// (`create` adds to it, every deletion removes from it), for the list of a
/// user's sessions; a record's owner (its
/// [`SessionOwner::owner`](crate::record::SessionOwner::owner), such as a
/// user name) never changes, so neither does the index entry
/// it has. Every method answers `Err`
/// only when the store itself is out of order: "no such session" is
/// `Ok(None)`.
#[rocket::async_trait]
pub trait SessionStore<T>: Send + Sync {
    /// Stores `record` under a fresh id, to be kept for `time_to_live`.
    async fn create(
        &self,
        record: &SessionRecord<T>,
        time_to_live: Duration,
    ) -> Result<SessionId, StoreUnavailable>;

    /// The record of `id`, if there is one.
    async fn get(&self, id: &SessionId) -> Result<Option<SessionRecord<T>>, StoreUnavailable>;

    /// Reads the record of `id` and lets `decide` change it and say what
    /// becomes of it, with nobody else changing the record in between. The
    /// record afterwards, or `None` if there was none or it was deleted.
    /// `decide` may run more than once (see [`RedisStore`]).
    async fn modify(
        &self,
        id: &SessionId,
        decide: Decide<T>,
    ) -> Result<Option<SessionRecord<T>>, StoreUnavailable>;

    /// Deletes the record of `id`, if there is one.
    async fn delete(&self, id: &SessionId) -> Result<(), StoreUnavailable>;

    // ANCHOR: user_index
    /// The sessions of `user_name`, by record key, as the store's index of
    /// that user's sessions lists them (expired ones included: the caller
    /// applies the policy). An entry whose record is gone (expired in
    /// Redis, or left behind by a crash) is dropped from the index.
    async fn sessions_of(
        &self,
        user_name: &str,
    ) -> Result<Vec<(RecordKey, SessionRecord<T>)>, StoreUnavailable>;

    /// Deletes the record `key` and its index entry, only if `key` is in
    /// `user_name`'s index: whether it was (and so is now deleted).
    async fn delete_of_user(
        &self,
        user_name: &str,
        key: &RecordKey,
    ) -> Result<bool, StoreUnavailable>;
    // ANCHOR_END: user_index
}
// ANCHOR_END: session_store

/// Changes a record that [`SessionStore::modify`] read, and says what
/// becomes of it. It may run more than once: a store with optimistic
/// locking (Redis) runs it again when another request changed the record
/// in between.
pub type Decide<T> = Arc<dyn Fn(&mut SessionRecord<T>) -> Decision + Send + Sync>;

/// What [`SessionStore::modify`] does with the record it read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Leave it as it was.
    Keep,
    /// Write the changed record, to be kept for `time_to_live`.
    Write {
        /// How long the store keeps the record from now.
        time_to_live: Duration,
    },
    /// Delete it.
    Delete,
}

/// A server-side store in Rocket's managed state, where the session
/// manager finds it: put there by the fairing of the crate's own stores,
/// or by the app for a store of its own ([`Storage::AppStore`](crate::Storage::AppStore)).
#[derive(Clone)]
pub struct ServerStore<T> {
    pub(crate) store: Arc<dyn SessionStore<T>>,
    pub(crate) place: RecordPlace,
}

impl<T> ServerStore<T> {
    /// The app's own `store`, for Rocket's managed state.
    pub fn new(store: impl SessionStore<T> + 'static) -> Self {
        ServerStore { store: Arc::new(store), place: RecordPlace::default() }
    }
}

/// Where a store keeps its records, as a
/// [`SessionView`](crate::session::SessionView) shows it: a folder, and
/// what a record's name is made of besides its key.
#[derive(Debug, Clone, Default)]
pub(crate) struct RecordPlace {
    pub folder: Option<String>,
    /// Before and after the record key in a record's name; `None` for a
    /// store that does not say.
    pub name: Option<(String, &'static str)>,
}

impl RecordPlace {
    /// The name of the record `key`, where the store says.
    pub fn record_name(&self, key: &RecordKey) -> Option<String> {
        let (before, after) = self.name.as_ref()?;
        Some(format!("{before}{}{after}", key.as_str()))
    }
}

// ANCHOR: store_unavailable
/// The session store is out of order: a folder that cannot be read or
/// written, a Redis that is down or does not answer. Signed-in pages answer
/// `503` with it; the cookie is kept, since the session may well be live.
#[derive(Debug, Clone)]
pub struct StoreUnavailable(Arc<dyn Error + Send + Sync>);
// ANCHOR_END: store_unavailable

impl StoreUnavailable {
    /// The store is out of order because of `cause`.
    pub fn new(cause: impl Into<Box<dyn Error + Send + Sync>>) -> Self {
        StoreUnavailable(Arc::from(cause.into()))
    }
}

impl fmt::Display for StoreUnavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the session store is unavailable: {}", self.0)
    }
}

impl Error for StoreUnavailable {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&*self.0)
    }
}

impl From<std::io::Error> for StoreUnavailable {
    fn from(e: std::io::Error) -> Self {
        StoreUnavailable::new(e)
    }
}
