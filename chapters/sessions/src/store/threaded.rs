//! The file store behind the async [`SessionStore`] interface.

use std::io;
use std::sync::Arc;

use rocket::time::OffsetDateTime;
use rocket::tokio::sync::Semaphore;
use rocket::tokio::task::spawn_blocking;

use super::{DataChange, FileStore, IdleLimit, Purge, SessionId, SessionStore, StoredSession};

/// How many file operations may run at once. Each one holds a blocking
/// thread (a write can take milliseconds on a busy disk); with no bound, a
/// slow disk under load makes Tokio start up to 512 threads and memory
/// grows with every one. Requests beyond the bound wait their turn.
const MAX_CONCURRENT_FILE_IO: usize = 16;

/// A [`FileStore`] whose blocking file I/O runs on Tokio's blocking
/// threads, never on the async workers that serve requests.
pub struct ThreadedFileStore {
    files: Arc<FileStore>,
    io: Semaphore,
}

impl ThreadedFileStore {
    pub fn new(files: Arc<FileStore>) -> Self {
        ThreadedFileStore { files, io: Semaphore::new(MAX_CONCURRENT_FILE_IO) }
    }

    /// Runs `work` on the file store off the async workers, at most
    /// [`MAX_CONCURRENT_FILE_IO`] at a time.
    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&FileStore) -> io::Result<T> + Send + 'static,
    ) -> io::Result<T> {
        let _permit = self.io.acquire().await.map_err(io::Error::other)?;
        let files = self.files.clone();
        spawn_blocking(move || work(&files)).await.map_err(io::Error::other)?
    }
}

#[rocket::async_trait]
impl SessionStore for ThreadedFileStore {
    async fn create(&self, session: &StoredSession, _: IdleLimit) -> io::Result<SessionId> {
        let session = session.clone();
        self.blocking(move |files| files.create(&session)).await
    }

    async fn load(
        &self,
        id: &SessionId,
        now: OffsetDateTime,
        limit: IdleLimit,
    ) -> io::Result<Option<StoredSession>> {
        let id = id.clone();
        self.blocking(move |files| files.load(&id, now, limit)).await
    }

    async fn update(
        &self,
        id: &SessionId,
        now: OffsetDateTime,
        limit: IdleLimit,
        change: DataChange,
    ) -> io::Result<Option<StoredSession>> {
        let id = id.clone();
        self.blocking(move |files| files.update(&id, now, limit, |data| change(data))).await
    }

    async fn delete(&self, id: &SessionId) -> io::Result<()> {
        let id = id.clone();
        self.blocking(move |files| files.delete(&id)).await
    }

    fn expires_records_itself(&self) -> bool {
        false
    }

    async fn purge_expired(&self, now: OffsetDateTime, limit: IdleLimit) -> io::Result<Purge> {
        // The sweep reads the whole folder: off the workers, but outside
        // the bound, so a long sweep never starves requests of permits.
        let files = self.files.clone();
        spawn_blocking(move || files.purge_expired(now, limit)).await.map_err(io::Error::other)?
    }

    fn record_name(&self, id: &SessionId) -> String {
        FileStore::file_name(id)
    }
}
