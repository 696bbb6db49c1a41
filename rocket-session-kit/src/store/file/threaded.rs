//! The file store behind the async [`SessionStore`] interface.

use std::io;
use std::sync::Arc;

use rocket::time::{Duration, OffsetDateTime};
use rocket::tokio::sync::Semaphore;
use rocket::tokio::task::spawn_blocking;

use super::{FileStore, Purge};
use crate::record::{SessionRecord, StoredData};
use crate::store::{Decide, RecordKey, SessionId, SessionStore, StoreUnavailable};

/// How many file operations may run at once. Each one holds a blocking
/// thread (a write can take milliseconds on a busy disk); with no bound, a
/// slow disk under load makes Tokio start up to 512 threads and memory
/// grows with every one. Requests beyond the bound wait their turn.
const MAX_CONCURRENT_FILE_IO: usize = 16;

/// A [`FileStore`] whose file operations run on Tokio's blocking threads,
/// off the async workers that serve requests, with one exception: on
/// Linux, `get` first tries the read on the worker with calls that fail
/// rather than wait for the disk or a lock, and hands it off if they fail.
pub struct ThreadedFileStore<T> {
    files: Arc<FileStore<T>>,
    io: Semaphore,
}

impl<T: StoredData> ThreadedFileStore<T> {
    /// `files`, its blocking operations moved to Tokio's blocking threads.
    pub fn new(files: FileStore<T>) -> Self {
        ThreadedFileStore { files: Arc::new(files), io: Semaphore::new(MAX_CONCURRENT_FILE_IO) }
    }

    /// Runs `work` on the file store off the async workers, at most
    /// [`MAX_CONCURRENT_FILE_IO`] at a time.
    async fn blocking<R: Send + 'static>(
        &self,
        work: impl FnOnce(&FileStore<T>) -> io::Result<R> + Send + 'static,
    ) -> Result<R, StoreUnavailable> {
        let _permit = self.io.acquire().await.map_err(StoreUnavailable::new)?;
        let files = self.files.clone();
        Ok(spawn_blocking(move || work(&files)).await.map_err(StoreUnavailable::new)??)
    }

    /// Deletes the records the policy says have expired at `now` (see
    /// [`FileStore::purge_expired`]).
    pub async fn purge_expired(&self, now: OffsetDateTime) -> Result<Purge, StoreUnavailable> {
        // The sweep reads the whole folder: off the workers, but outside
        // the bound, so a long sweep never starves requests of permits.
        let files = self.files.clone();
        let purge = spawn_blocking(move || files.purge_expired(now));
        Ok(purge.await.map_err(StoreUnavailable::new)??)
    }
}

#[rocket::async_trait]
impl<T: StoredData> SessionStore<T> for ThreadedFileStore<T> {
    async fn create(
        &self,
        record: &SessionRecord<T>,
        _: Duration,
    ) -> Result<SessionId, StoreUnavailable> {
        let record = record.clone();
        self.blocking(move |files| files.create(&record)).await
    }

    async fn get(&self, id: &SessionId) -> Result<Option<SessionRecord<T>>, StoreUnavailable> {
        // Most requests only read a record the kernel holds in memory:
        // read then, here, since the hand-off costs more than the read.
        #[cfg(target_os = "linux")]
        if let Some(record) = self.files.get_if_cached(id) {
            return Ok(Some(record));
        }
        let id = id.clone();
        self.blocking(move |files| files.get(&id)).await
    }

    async fn modify(
        &self,
        id: &SessionId,
        decide: Decide<T>,
    ) -> Result<Option<SessionRecord<T>>, StoreUnavailable> {
        let id = id.clone();
        self.blocking(move |files| files.modify(&id, |record| decide(record))).await
    }

    async fn delete(&self, id: &SessionId) -> Result<(), StoreUnavailable> {
        let id = id.clone();
        self.blocking(move |files| files.delete(&id)).await
    }

    async fn sessions_of(
        &self,
        user_name: &str,
    ) -> Result<Vec<(RecordKey, SessionRecord<T>)>, StoreUnavailable> {
        let user_name = user_name.to_owned();
        self.blocking(move |files| files.sessions_of(&user_name)).await
    }

    async fn delete_of_user(
        &self,
        user_name: &str,
        key: &RecordKey,
    ) -> Result<bool, StoreUnavailable> {
        let (user_name, key) = (user_name.to_owned(), key.clone());
        self.blocking(move |files| files.delete_of_user(&user_name, &key)).await
    }
}

#[cfg(test)]
mod tests {
    /// On Linux, a read of a record in memory happens on the worker: it
    /// needs no blocking thread, so it is served even when every one of
    /// the store's turns at the blocking threads is taken.
    #[cfg(target_os = "linux")]
    #[rocket::async_test]
    async fn on_linux_a_read_from_memory_takes_no_blocking_turn() {
        use super::*;
        use crate::csrf::CsrfToken;
        use crate::test_data::Visitor;

        let (_root, files) = crate::store::file::tests::store_on_disk();
        let store = ThreadedFileStore::new(files);
        let now = OffsetDateTime::now_utc();
        let record = SessionRecord::new(Visitor::named("ada"), now, CsrfToken::for_tests());
        let id = store.create(&record, Duration::minutes(5)).await.unwrap();

        let every_turn = store.io.acquire_many(MAX_CONCURRENT_FILE_IO as u32).await.unwrap();
        let read = rocket::tokio::time::timeout(std::time::Duration::from_secs(10), store.get(&id));
        assert_eq!(read.await.expect("the read waited for a turn").unwrap(), Some(record));
        drop(every_turn);
    }
}
