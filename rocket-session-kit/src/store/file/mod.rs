//! The server-side mechanism: one JSON file per session.
//!
//! What the design guards against, and how:
//! - A torn record after a crash: every write goes to a temporary file in
//!   the same folder, then is renamed over the record; a reader, or the
//!   server after a crash of its process, sees the old record or the new
//!   one, never half of one. There is no `fsync`: it costs milliseconds per
//!   write, and what it guards against, a power cut, can at worst lose or
//!   empty a record, which then reads as "signed out". A session is cheap
//!   to create again (Django's file backend makes the same choice).
//! - Others reading the data: on Unix, records are created owner-only
//!   (`0600`) in an owner-only folder (`0700`). Windows has no mode bits: a
//!   new file or folder inherits the access-control list of the folder it is
//!   created in, so the records are exactly as private as `session_dir`'s
//!   parent (below your user profile, readable by you, by administrators and
//!   by the system). See the module `private` below.
//! - Hijacking from a directory listing: a file is named after the SHA-256
//!   of the session id, not the id, and the id cannot be recovered from it.
//! - A path from the request: the cookie value is parsed as a
//!   [`SessionId`] first and only its hash ever becomes a file name.
//! - Cleanup deleting a live session: reading, refreshing and deleting a
//!   record all hold the same lock, so the sweep never acts on a stale read.
//! - Two servers on one folder (two workers behind a proxy): that lock is
//!   the operating system's too, a lock file per shard of records
//!   (`.lock-00` to `.lock-3f`), taken with [`File::lock`], so a process
//!   never writes over another's change it did not read. The operating
//!   system releases it when a process dies.
//! - An index of each user's sessions that loses or resurrects none: see
//!   [`FileStore::sessions_of`] for its layout and protocol.

use std::fs::{self, File};
use std::io::{self, Write};
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
#[cfg(target_os = "linux")]
use std::sync::TryLockError;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration as StdDuration, SystemTime};

use rocket::time::OffsetDateTime;

use super::{user_index_name, Decision, RecordKey, SessionId};
use crate::policy::ExpiryPolicy;
use crate::record::{SessionRecord, StoredData};

#[cfg(target_os = "linux")]
mod nowait;
mod setup;
mod threaded;

pub(crate) use setup::attach;
pub use setup::FileStoreConfig;
pub use threaded::ThreadedFileStore;

/// Number of locks records are spread over: requests for different
/// sessions rarely wait for each other.
const LOCK_SHARDS: usize = 64;

/// A temporary file older than this was left by a writer that died.
const ABANDONED_TEMP_FILE_AGE: StdDuration = StdDuration::from_secs(60);

const TEMP_PREFIX: &str = ".tmp-";

/// The folder, in the store's folder, of the index of each user's
/// sessions: one folder per user, named by [`user_index_name`].
pub const INDEX_FOLDER: &str = "users";

/// The name of shard `shard`'s lock file in the store's folder.
fn lock_file_name(shard: usize) -> String {
    format!("{LOCK_PREFIX}{shard:02x}")
}

const LOCK_PREFIX: &str = ".lock-";

/// A folder of session records, each holding the app's data `T`.
#[derive(Debug)]
pub struct FileStore<T> {
    dir: PathBuf,
    /// One lock per shard of records: the mutex for this process's
    /// threads, and the shard's lock file, opened at its first use, for
    /// the other processes on the same folder.
    locks: Vec<Mutex<Option<File>>>,
    /// The server's limits: a file has no time-to-live of its own, so each
    /// record's modification time is set to its deadline, for the sweep.
    policy: ExpiryPolicy,
    data: PhantomData<fn() -> T>,
}

/// What a cleanup sweep did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Purge {
    /// Expired or unreadable records deleted.
    pub removed: usize,
    /// Live records left alone.
    pub kept: usize,
}

// ANCHOR: file_name
/// The name of the file that holds the session `id`, whatever the
/// store's data.
pub fn file_name(id: &SessionId) -> String {
    format!("{}.json", id.hashed())
}
// ANCHOR_END: file_name

impl<T: StoredData> FileStore<T> {
    /// A store in `dir` whose sweep follows `policy`. The folder is created
    /// when first needed, so a store whose folder is missing or broken still
    /// serves public pages.
    pub fn new(dir: impl Into<PathBuf>, policy: ExpiryPolicy) -> Self {
        let locks = (0..LOCK_SHARDS).map(|_| Mutex::new(None)).collect();
        FileStore { dir: dir.into(), locks, policy, data: PhantomData }
    }

    /// The folder that holds the records.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Creates the folder, owner-only on Unix, if it is missing.
    pub fn ensure_dir(&self) -> io::Result<()> {
        private::create_dir_all(&self.dir)?;
        if !self.dir.is_dir() {
            return Err(io::Error::other(format!("{} is not a folder", self.dir.display())));
        }
        Ok(())
    }

    /// Full path of the record of `id`.
    pub fn path_of(&self, id: &SessionId) -> PathBuf {
        self.dir.join(file_name(id))
    }

    /// Stores `record` under a fresh id and returns the id. A file has no
    /// time-to-live of its own: the sweep deletes it once the policy says
    /// it has expired.
    pub fn create(&self, record: &SessionRecord<T>) -> io::Result<SessionId> {
        let id = SessionId::generate()?;
        let name = file_name(&id);
        // The folder is made only when its lock file is missing: checking
        // it at every sign-in would cost three system calls more.
        let mut guard = self.lock(&name)?;
        if !guard.holds_lock_file() {
            drop(guard);
            self.ensure_dir()?;
            guard = self.lock(&name)?;
        }
        // ANCHOR: create_marker
        // The marker first: a record is never without one, even if the
        // process dies between the two writes (a marker without a record
        // is what a listing cleans up).
        self.write_marker(record.data.owner(), &RecordKey::of(&id))?;
        self.write(&self.dir.join(&name), record)?;
        // ANCHOR_END: create_marker
        drop(guard);
        Ok(id)
    }

    // ANCHOR: get
    /// The record of `id`, read under its lock; most requests only read.
    pub fn get(&self, id: &SessionId) -> io::Result<Option<SessionRecord<T>>> {
        let name = file_name(id);
        let _guard = self.lock(&name)?;
        self.read(&self.dir.join(&name))
    }
    // ANCHOR_END: get

    // ANCHOR: get_if_cached
    /// The record of `id` if it can be read with calls that fail rather
    /// than wait: its lock free (and its shard's lock file opened by an
    /// earlier call), its file in memory. `None` says only that this could
    /// not be done; [`FileStore::get`] then gives the answer.
    #[cfg(target_os = "linux")]
    pub(crate) fn get_if_cached(&self, id: &SessionId) -> Option<SessionRecord<T>> {
        let name = file_name(id);
        let _guard = self.try_lock(&name)?;
        let bytes = nowait::read_if_cached(&self.dir.join(&name))?;
        SessionRecord::<T>::from_json(&bytes)
    }
    // ANCHOR_END: get_if_cached

    /// Reads the record of `id` under its lock, lets `decide` change it,
    /// and writes it back or deletes it as `decide` says.
    pub fn modify(
        &self,
        id: &SessionId,
        decide: impl FnOnce(&mut SessionRecord<T>) -> Decision,
    ) -> io::Result<Option<SessionRecord<T>>> {
        let name = file_name(id);
        let path = self.dir.join(&name);
        let _guard = self.lock(&name)?;
        let Some(mut record) = self.read(&path)? else {
            return Ok(None);
        };
        match decide(&mut record) {
            Decision::Keep => Ok(Some(record)),
            Decision::Write { .. } => {
                self.write(&path, &record)?;
                Ok(Some(record))
            }
            Decision::Delete => {
                self.remove(&path, &record, &RecordKey::of(id))?;
                Ok(None)
            }
        }
    }

    /// Deletes the session `id`, if it exists, and its index entry.
    pub fn delete(&self, id: &SessionId) -> io::Result<()> {
        let name = file_name(id);
        let path = self.dir.join(&name);
        let _guard = self.lock(&name)?;
        match self.read(&path)? {
            Some(record) => self.remove(&path, &record, &RecordKey::of(id)),
            // An unreadable record is removed by `read`; its marker, if any,
            // goes at the next listing.
            None => Ok(()),
        }
    }

    // ANCHOR: index_protocol
    /// The sessions of `user_name`, read from their index: the folder
    /// `users/<SHA-256 of the name>/` holds one empty marker file per
    /// session, named by its record key. Each marker is checked under its
    /// record's lock: a marker whose record is gone (the process died
    /// between deleting the record and its marker, or between writing the
    /// marker and the record) is removed then, and only then, since no one
    /// else can write that record meanwhile.
    ///
    /// The protocol, every step under the record's lock:
    /// - create: write the marker, then the record;
    /// - delete (sign-out, expiry, the sweep): remove the record, then the
    ///   marker;
    ///
    /// so a live record always has its marker, and a marker never brings a
    /// session back: the record is the session, the marker only points to
    /// it.
    pub fn sessions_of(&self, user_name: &str) -> io::Result<Vec<(RecordKey, SessionRecord<T>)>> {
        let folder = self.index_folder(user_name);
        let entries = match fs::read_dir(&folder) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let mut sessions = Vec::new();
        for entry in entries {
            let entry = entry?;
            let Some(key) = entry.file_name().to_str().and_then(RecordKey::parse) else {
                continue;
            };
            let name = format!("{}.json", key.as_str());
            let _guard = self.lock(&name)?;
            match self.read(&self.dir.join(&name))? {
                Some(record) if record.data.owner() == user_name => sessions.push((key, record)),
                Some(_) => {}
                None => remove_if_present(&entry.path())?,
            }
        }
        sessions.sort_by(|(a, x), (b, y)| (x.created_at, a).cmp(&(y.created_at, b)));
        Ok(sessions)
    }
    // ANCHOR_END: index_protocol

    /// Deletes the record `key` and its marker, if `key` is in `user_name`'s
    /// index and its record is that user's: whether it was.
    pub fn delete_of_user(&self, user_name: &str, key: &RecordKey) -> io::Result<bool> {
        let name = format!("{}.json", key.as_str());
        let path = self.dir.join(&name);
        let _guard = self.lock(&name)?;
        if !self.index_folder(user_name).join(key.as_str()).exists() {
            return Ok(false);
        }
        match self.read(&path)? {
            Some(record) if record.data.owner() == user_name => {
                self.remove(&path, &record, key)?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// The folder of `user_name`'s markers.
    pub fn index_folder(&self, user_name: &str) -> PathBuf {
        self.dir.join(INDEX_FOLDER).join(user_index_name(user_name))
    }

    /// Writes the empty marker of the record `key` in its user's folder
    /// (owner-only on Unix, as the records are). The caller holds the
    /// record's lock.
    fn write_marker(&self, user_name: &str, key: &RecordKey) -> io::Result<()> {
        let folder = self.index_folder(user_name);
        let marker = folder.join(key.as_str());
        // The user's folder is made at their first sign-in, or when it has
        // gone: not checked at every one.
        match private::create_empty(&marker) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                private::create_dir_all(&folder)?;
                private::create_empty(&marker)
            }
            done => done,
        }
    }

    /// Removes the record at `path`, then its marker. The caller holds the
    /// record's lock.
    fn remove(&self, path: &Path, record: &SessionRecord<T>, key: &RecordKey) -> io::Result<()> {
        remove_if_present(path)?;
        remove_if_present(&self.index_folder(record.data.owner()).join(key.as_str()))
    }

    /// Deletes every record the policy says has expired at `now`, every
    /// unreadable record, and temporary files abandoned by a crashed writer.
    ///
    /// A record's modification time is its deadline, the sooner of its idle
    /// and absolute ones (see `write`), so a live record is recognised from
    /// the directory entry alone; only the ones that look expired are read,
    /// under their lock, and deleted if their content agrees.
    pub fn purge_expired(&self, now: OffsetDateTime) -> io::Result<Purge> {
        let policy = &self.policy;
        let mut purge = Purge::default();
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(purge),
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if name.starts_with(TEMP_PREFIX) {
                remove_abandoned_temp_file(&entry.path())?;
                continue;
            }
            if !is_record_name(name) {
                continue;
            }
            let modified = match entry.metadata().and_then(|m| m.modified()) {
                Ok(modified) => OffsetDateTime::from(modified),
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            if now < modified {
                purge.kept += 1;
                continue;
            }
            let _guard = self.lock(name)?;
            let path = entry.path();
            match self.read(&path)? {
                Some(record) if !policy.is_expired(&record, now) => purge.kept += 1,
                Some(record) => {
                    let key = RecordKey::parse(&name[..64]).expect("a record's name");
                    self.remove(&path, &record, &key)?;
                    purge.removed += 1;
                }
                // Gone meanwhile, or unreadable (`read` logged and removed it).
                None => {}
            }
        }
        Ok(purge)
    }

    /// Reads a record; a missing one is `None`, and so is a corrupt one,
    /// which is deleted so it cannot trouble the next request.
    fn read(&self, path: &Path) -> io::Result<Option<SessionRecord<T>>> {
        let bytes = match fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return self.check_folder().map(|()| None)
            }
            Err(e) => return Err(e),
        };
        match SessionRecord::<T>::from_json(&bytes) {
            Some(record) => Ok(Some(record)),
            None => {
                rocket::warn!("removing unreadable session record {}", path.display());
                remove_if_present(path)?;
                Ok(None)
            }
        }
    }

    /// Tells a record that is missing from a folder that is broken, after a
    /// read found nothing. Below a regular file, Unix fails with
    /// `ENOTDIR`, but Windows answers "not found" as for a missing record:
    /// so the nearest part of the path that exists must be a folder.
    fn check_folder(&self) -> io::Result<()> {
        for dir in self.dir.ancestors() {
            match fs::metadata(dir) {
                Ok(meta) if meta.is_dir() => return Ok(()),
                Ok(_) => {
                    return Err(io::Error::other(format!("{} is not a folder", dir.display())))
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    // ANCHOR: write
    /// Writes `record` to `path` atomically, owner-only on Unix, with the
    /// file's modification time set to the record's deadline for the
    /// cleanup sweep: the moment the policy would expire it if no request
    /// came (usually in the future).
    fn write(&self, path: &Path, record: &SessionRecord<T>) -> io::Result<()> {
        let mut temp = private::temp_file_in(&self.dir, TEMP_PREFIX)?;
        // Serialised in memory, then written at once: the file is not
        // buffered, and serde_json writes a record token by token.
        let mut json = serde_json::to_vec_pretty(record)?;
        json.push(b'\n');
        temp.write_all(&json)?;
        temp.as_file().set_modified(file_time(self.policy.deadline(record), record))?;
        // `std::fs::rename`, not `persist`: on Windows it replaces a record
        // that a reader has open (POSIX semantics, Windows 10 and later),
        // where `persist`'s `MoveFileExW` fails. `keep` makes the file an
        // ordinary one first (on Windows it drops the temporary attribute).
        let temp = temp.into_temp_path().keep().map_err(|e| e.error)?;
        fs::rename(&temp, path).inspect_err(|_| {
            let _ = fs::remove_file(&temp);
        })
    }
    // ANCHOR_END: write

    /// Takes the lock of the shard the record `file_name` belongs to: its
    /// mutex, then its lock file. Without a folder there is no lock file,
    /// and no record to guard either: the mutex alone is taken then.
    fn lock(&self, file_name: &str) -> io::Result<RecordLock<'_>> {
        let shard = shard_of(file_name);
        let mut guard = self.locks[shard].lock().unwrap_or_else(PoisonError::into_inner);
        if guard.is_none() {
            match private::open_lock_file(&self.dir.join(lock_file_name(shard))) {
                Ok(file) => *guard = Some(file),
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(RecordLock(guard)),
                Err(e) => return Err(e),
            }
        }
        if let Some(file) = guard.as_ref() {
            file.lock()?;
        }
        Ok(RecordLock(guard))
    }

    /// Takes the lock of the shard the record `file_name` belongs to if no
    /// thread or process holds it and its lock file is open already: never
    /// waits.
    #[cfg(target_os = "linux")]
    fn try_lock(&self, file_name: &str) -> Option<RecordLock<'_>> {
        let shard = shard_of(file_name);
        let guard = match self.locks[shard].try_lock() {
            Ok(guard) => guard,
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            Err(TryLockError::WouldBlock) => return None,
        };
        guard.as_ref()?.try_lock().ok()?;
        Some(RecordLock(guard))
    }
}

/// A shard's lock, held: released (the lock file's first, then the mutex)
/// when dropped.
struct RecordLock<'a>(MutexGuard<'a, Option<File>>);

impl RecordLock<'_> {
    /// Whether the shard's lock file is held as well as the mutex: it is
    /// not when the store's folder was missing.
    fn holds_lock_file(&self) -> bool {
        self.0.is_some()
    }
}

impl Drop for RecordLock<'_> {
    fn drop(&mut self) {
        if let Some(file) = self.0.as_ref() {
            // Closing the process releases it too; an error here leaves
            // nothing to undo.
            let _ = file.unlock();
        }
    }
}

// ANCHOR: private
/// Who may read what the store writes: the one place that differs by
/// operating system.
mod private {
    use std::io;
    use std::path::Path;

    use tempfile::NamedTempFile;

    /// The mode of the session folder on Unix: only its owner may list it.
    #[cfg(unix)]
    pub const DIR_MODE: u32 = 0o700;

    /// The mode of a record on Unix: only its owner may read or write it.
    #[cfg(unix)]
    pub const FILE_MODE: u32 = 0o600;

    /// Creates `dir` and its missing parents; on Unix the folders it
    /// creates are [`DIR_MODE`].
    #[cfg(unix)]
    pub fn create_dir_all(dir: &Path) -> io::Result<()> {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new().recursive(true).mode(DIR_MODE).create(dir)
    }

    /// Creates `dir` and its missing parents. Windows has no mode bits to
    /// set: the new folders inherit the access-control list of the folder
    /// they are created in, and that list is what protects the records.
    #[cfg(not(unix))]
    pub fn create_dir_all(dir: &Path) -> io::Result<()> {
        std::fs::DirBuilder::new().recursive(true).create(dir)
    }

    /// A new temporary file in `dir`, [`FILE_MODE`] on Unix from the moment
    /// it exists, so no other user can open it before it is renamed.
    #[cfg(unix)]
    pub fn temp_file_in(dir: &Path, prefix: &str) -> io::Result<NamedTempFile> {
        use std::os::unix::fs::PermissionsExt;
        tempfile::Builder::new()
            .prefix(prefix)
            .permissions(std::fs::Permissions::from_mode(FILE_MODE))
            .tempfile_in(dir)
    }

    /// A new temporary file in `dir`. On Windows it inherits the folder's
    /// access-control list, as the folder inherited its parent's.
    #[cfg(not(unix))]
    pub fn temp_file_in(dir: &Path, prefix: &str) -> io::Result<NamedTempFile> {
        tempfile::Builder::new().prefix(prefix).tempfile_in(dir)
    }

    /// Opens the lock file `path`, created empty if it is missing,
    /// [`FILE_MODE`] on Unix. It is only ever locked, never written.
    #[cfg(unix)]
    pub fn open_lock_file(path: &Path) -> io::Result<std::fs::File> {
        use std::os::unix::fs::OpenOptionsExt;
        lock_file_options().mode(FILE_MODE).open(path)
    }

    /// Opens the lock file `path`, created empty if it is missing.
    #[cfg(not(unix))]
    pub fn open_lock_file(path: &Path) -> io::Result<std::fs::File> {
        lock_file_options().open(path)
    }

    /// Read and write access: Windows locks a file only through a handle
    /// that may read or write it (`LockFileEx`).
    fn lock_file_options() -> std::fs::OpenOptions {
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        options
    }

    /// Creates the empty file `path` if it is missing, [`FILE_MODE`] on
    /// Unix.
    #[cfg(unix)]
    pub fn create_empty(path: &Path) -> io::Result<()> {
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new().create(true).append(true).mode(FILE_MODE).open(path).map(drop)
    }

    /// Creates the empty file `path` if it is missing.
    #[cfg(not(unix))]
    pub fn create_empty(path: &Path) -> io::Result<()> {
        std::fs::OpenOptions::new().create(true).append(true).open(path).map(drop)
    }
}
// ANCHOR_END: private

/// The shard of locks the record `file_name` belongs to, from the first
/// two hex digits of its name.
fn shard_of(file_name: &str) -> usize {
    u8::from_str_radix(&file_name[..2], 16).unwrap_or(0) as usize % LOCK_SHARDS
}

/// `<64 lowercase hex digits>.json`: the only names this store writes.
fn is_record_name(name: &str) -> bool {
    name.strip_suffix(".json").is_some_and(|stem| {
        stem.len() == 64 && stem.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// The modification time that stands for `deadline`: within a century of
/// the record's `last_seen`, since file systems store only so far ahead (a
/// record kept longer is merely read by a sweep before its deadline).
fn file_time<T>(deadline: OffsetDateTime, record: &SessionRecord<T>) -> SystemTime {
    const CENTURY: rocket::time::Duration = rocket::time::Duration::days(36_525);
    SystemTime::from(deadline.min(record.last_seen.saturating_add(CENTURY)))
}

fn remove_if_present(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

fn remove_abandoned_temp_file(path: &Path) -> io::Result<()> {
    let modified = match fs::metadata(path).and_then(|m| m.modified()) {
        Ok(modified) => modified,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    let age = SystemTime::now().duration_since(modified).unwrap_or_default();
    if age >= ABANDONED_TEMP_FILE_AGE {
        remove_if_present(path)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_data::Visitor;

    use rocket::time::Duration;

    const LIFETIME: Duration = Duration::minutes(5);

    /// An absolute limit beyond what most tests play out.
    const ABSOLUTE: Duration = Duration::hours(12);

    fn policy() -> ExpiryPolicy {
        ExpiryPolicy::new(LIFETIME, ABSOLUTE)
    }

    fn session(name: &str, now: OffsetDateTime) -> SessionRecord<Visitor> {
        let data = Visitor::named(name);
        SessionRecord::new(data, now, crate::csrf::CsrfToken::for_tests())
    }

    fn on_disk(store: &FileStore<Visitor>, id: &SessionId) -> SessionRecord<Visitor> {
        SessionRecord::from_json(&fs::read(store.path_of(id)).unwrap()).unwrap()
    }

    const WRITE: Decision = Decision::Write { time_to_live: LIFETIME };

    fn store() -> (tempfile::TempDir, FileStore<Visitor>) {
        let root = tempfile::tempdir().unwrap();
        let store = FileStore::new(root.path().join("chapter-x"), policy());
        (root, store)
    }

    fn set_modified(path: &Path, time: SystemTime) {
        fs::File::options().write(true).open(path).unwrap().set_modified(time).unwrap();
    }

    /// The files of `dir`, without the index's folder and the lock files.
    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<_> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|name| name != INDEX_FOLDER && !name.starts_with(LOCK_PREFIX))
            .collect();
        names.sort();
        names
    }

    #[test]
    fn creates_the_folder_and_one_record_in_it() {
        let (_root, store) = store();
        let now = OffsetDateTime::now_utc();
        let id = store.create(&session("ada", now)).unwrap();
        assert!(store.path_of(&id).is_file());
        assert_eq!(names(store.dir()), vec![file_name(&id)], "no temporary file is left");
    }

    #[cfg(unix)]
    #[test]
    fn on_unix_the_folder_and_the_records_are_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |path: &Path| fs::metadata(path).unwrap().permissions().mode() & 0o777;
        let (_root, store) = store();
        let id = store.create(&session("ada", OffsetDateTime::now_utc())).unwrap();
        assert_eq!(mode(store.dir()), 0o700);
        assert_eq!(mode(&store.path_of(&id)), 0o600);
    }

    #[test]
    fn get_only_reads() {
        let (_root, store) = store();
        let start = OffsetDateTime::now_utc();
        let id = store.create(&session("ada", start)).unwrap();
        let written = fs::read(store.path_of(&id)).unwrap();
        assert_eq!(store.get(&id).unwrap(), Some(session("ada", start)));
        assert_eq!(fs::read(store.path_of(&id)).unwrap(), written, "the file was only read");
    }

    #[test]
    fn modify_writes_keeps_or_deletes_as_decided() {
        let (_root, store) = store();
        let start = OffsetDateTime::now_utc();
        let id = store.create(&session("ada", start)).unwrap();
        let later = start + Duration::seconds(299);

        let kept = store.modify(&id, |r| {
            r.data.visits = 1;
            Decision::Keep
        });
        assert_eq!(kept.unwrap().unwrap().data.visits, 1, "the caller sees the change");
        assert_eq!(on_disk(&store, &id), session("ada", start), "but nothing was written");

        let written = store.modify(&id, |r| {
            r.data.visits = 1;
            r.last_seen = later;
            WRITE
        });
        let written = written.unwrap().unwrap();
        assert_eq!((written.data.visits, written.last_seen), (1, later));
        assert_eq!(on_disk(&store, &id), written);
        let modified = fs::metadata(store.path_of(&id)).unwrap().modified().unwrap();
        let deadline = later + LIFETIME;
        assert_eq!(OffsetDateTime::from(modified), deadline, "the file's time is its deadline");

        assert_eq!(store.modify(&id, |_| Decision::Delete).unwrap(), None);
        assert!(!store.path_of(&id).exists());
        assert_eq!(store.modify(&id, |_| WRITE).unwrap(), None, "nothing to modify");
        assert!(!store.path_of(&id).exists(), "and nothing created");
    }

    #[test]
    fn unknown_and_corrupt_records_are_no_session() {
        let (_root, store) = store();
        store.ensure_dir().unwrap();
        let unknown = SessionId::generate().unwrap();
        assert!(store.get(&unknown).unwrap().is_none());
        assert!(!store.path_of(&unknown).exists(), "nothing is created for an unknown id");

        let torn = SessionId::generate().unwrap();
        fs::write(store.path_of(&torn), br#"{"user_name":"ad"#).unwrap();
        assert!(store.get(&torn).unwrap().is_none());
        assert!(!store.path_of(&torn).exists(), "a corrupt record is removed");
    }

    #[test]
    fn a_write_replaces_the_record_whole_or_not_at_all() {
        let (_root, store) = store();
        let now = OffsetDateTime::now_utc();
        let id = store.create(&session("ada", now)).unwrap();
        let path = store.path_of(&id);
        let before = fs::read(&path).unwrap();
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(&fs::metadata(&path).unwrap());
        store
            .modify(&id, |r| {
                r.last_seen = now + Duration::seconds(1);
                WRITE
            })
            .unwrap();
        #[cfg(unix)]
        assert_ne!(
            std::os::unix::fs::MetadataExt::ino(&fs::metadata(&path).unwrap()),
            inode,
            "a new file was renamed into place"
        );
        assert_ne!(fs::read(&path).unwrap(), before);
        assert_eq!(names(store.dir()), vec![file_name(&id)], "no temporary file");
    }

    #[test]
    fn delete_removes_the_record_and_tolerates_a_missing_one() {
        let (_root, store) = store();
        let id = store.create(&session("ada", OffsetDateTime::now_utc())).unwrap();
        store.delete(&id).unwrap();
        assert!(!store.path_of(&id).exists());
        store.delete(&id).unwrap();
    }

    #[test]
    fn purge_removes_expired_corrupt_and_abandoned_files_and_keeps_the_rest() {
        let (_root, store) = store();
        let now = OffsetDateTime::now_utc();
        let live = store.create(&session("live", now - LIFETIME + Duration::seconds(1))).unwrap();
        let expired = store.create(&session("gone", now - LIFETIME)).unwrap();
        // The file's time only says which records to read: a live record
        // whose file looks old (copied, say) is read and kept.
        let copied = store.create(&session("copied", now)).unwrap();
        let long_ago = SystemTime::from(now - LIFETIME * 2);
        set_modified(&store.path_of(&copied), long_ago);
        let corrupt = store.dir().join(format!("{}.json", "a".repeat(64)));
        fs::write(&corrupt, b"not json").unwrap();
        set_modified(&corrupt, long_ago);
        fs::write(store.dir().join("notes.txt"), b"not ours").unwrap();
        let abandoned = store.dir().join(format!("{TEMP_PREFIX}crashed"));
        let fresh = store.dir().join(format!("{TEMP_PREFIX}in-flight"));
        fs::write(&abandoned, b"{").unwrap();
        fs::write(&fresh, b"{").unwrap();
        set_modified(&abandoned, SystemTime::now() - ABANDONED_TEMP_FILE_AGE);

        let purge = store.purge_expired(now).unwrap();
        assert_eq!(purge, Purge { removed: 1, kept: 2 });
        let mut expected = vec![
            file_name(&live),
            file_name(&copied),
            format!("{TEMP_PREFIX}in-flight"),
            "notes.txt".to_owned(),
        ];
        expected.sort();
        assert_eq!(names(store.dir()), expected);
        assert!(!store.path_of(&expired).exists());
    }

    #[test]
    fn purge_removes_a_busy_record_past_its_absolute_deadline() {
        let (_root, store) = store();
        let now = OffsetDateTime::now_utc();
        let mut busy = session("busy", now - ABSOLUTE);
        busy.last_seen = now - Duration::seconds(1);
        let mut younger = session("younger", now - ABSOLUTE + Duration::seconds(1));
        younger.last_seen = now - Duration::seconds(1);
        let busy = store.create(&busy).unwrap();
        let younger = store.create(&younger).unwrap();
        let modified = fs::metadata(store.path_of(&younger)).unwrap().modified().unwrap();
        assert_eq!(
            OffsetDateTime::from(modified),
            now - ABSOLUTE + Duration::seconds(1) + ABSOLUTE,
            "the file's time is its sooner deadline, the absolute one"
        );
        assert_eq!(store.purge_expired(now).unwrap(), Purge { removed: 1, kept: 1 });
        assert!(!store.path_of(&busy).exists(), "active a second ago, yet signed in too long ago");
        assert!(store.path_of(&younger).exists());
    }

    #[test]
    fn purge_of_a_missing_folder_is_empty() {
        let (_root, store) = store();
        assert_eq!(store.purge_expired(OffsetDateTime::now_utc()).unwrap(), Purge::default());
    }

    #[test]
    fn a_folder_below_a_file_is_an_error_not_a_missing_record() {
        // Windows answers "not found" here, as for a missing record: the
        // store must still say that the folder is broken, not "signed out".
        let root = tempfile::tempdir().unwrap();
        fs::write(root.path().join("a-file"), b"").unwrap();
        let store =
            FileStore::<Visitor>::new(root.path().join("a-file").join("chapter-x"), policy());
        let id = SessionId::generate().unwrap();
        assert!(store.get(&id).is_err());
        fs::remove_file(root.path().join("a-file")).unwrap();
        assert!(store.get(&id).unwrap().is_none(), "a missing folder: no session");
    }

    #[test]
    fn a_folder_removed_under_a_running_store_is_made_again_at_the_next_sign_in() {
        let (root, store) = store();
        let now = OffsetDateTime::now_utc();
        store.create(&session("ada", now)).unwrap();
        // Every shard's lock file open, as in a server that has run a while:
        // a sign-in then finds no lock file missing to tell it the folder is.
        for shard in 0..LOCK_SHARDS {
            drop(store.lock(&format!("{shard:02x}")).unwrap());
        }
        // Moved away rather than deleted: Windows (and Wine) keep a file
        // that is open until its last handle closes, and the folder with it.
        fs::rename(store.dir(), root.path().join("moved away")).unwrap();
        let id = store.create(&session("ada", now)).unwrap();
        assert_eq!(store.get(&id).unwrap().unwrap().data.user_name, "ada");
        assert_eq!(keys(&store.sessions_of("ada").unwrap()), [RecordKey::of(&id)]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(store.dir()).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, private::DIR_MODE, "made again owner-only");
        }
    }

    #[test]
    fn a_file_where_the_folder_should_be_is_an_error() {
        let (_root, store) = store();
        fs::write(store.dir(), b"").unwrap();
        assert!(store.ensure_dir().is_err());
        assert!(store.create(&session("ada", OffsetDateTime::now_utc())).is_err());
    }

    fn keys(sessions: &[(RecordKey, SessionRecord<Visitor>)]) -> Vec<RecordKey> {
        sessions.iter().map(|(key, _)| key.clone()).collect()
    }

    #[test]
    fn the_index_lists_a_users_sessions_and_follows_every_deletion() {
        let (_root, store) = store();
        let now = OffsetDateTime::now_utc();
        let first = store.create(&session("ada", now)).unwrap();
        let second = store.create(&session("ada", now + Duration::seconds(1))).unwrap();
        let third = store.create(&session("ada", now + Duration::seconds(2))).unwrap();
        let other = store.create(&session("grace", now)).unwrap();
        let all = [first.clone(), second.clone(), third.clone()].map(|id| RecordKey::of(&id));
        assert_eq!(keys(&store.sessions_of("ada").unwrap()), all, "oldest first");
        assert_eq!(keys(&store.sessions_of("grace").unwrap()), [RecordKey::of(&other)]);
        assert!(store.sessions_of("nobody").unwrap().is_empty());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
            let folder = store.index_folder("ada");
            assert_eq!(mode(&folder), 0o700);
            assert_eq!(mode(&folder.join(all[0].as_str())), 0o600);
        }

        store.delete(&first).unwrap();
        store.modify(&second, |_| Decision::Delete).unwrap();
        assert_eq!(keys(&store.sessions_of("ada").unwrap()), [all[2].clone()]);
        assert!(!store.delete_of_user("grace", &all[2]).unwrap(), "not grace's");
        assert!(store.path_of(&third).exists());
        assert!(store.delete_of_user("ada", &all[2]).unwrap());
        assert!(!store.path_of(&third).exists());
        assert!(fs::read_dir(store.index_folder("ada")).unwrap().next().is_none(), "no marker");

        let expired = store.create(&session("ada", now - LIFETIME)).unwrap();
        assert_eq!(store.purge_expired(now).unwrap().removed, 1);
        assert!(!store.index_folder("ada").join(RecordKey::of(&expired).as_str()).exists());
    }

    #[test]
    fn a_marker_left_behind_by_a_crash_is_removed_and_brings_nothing_back() {
        let (_root, store) = store();
        let now = OffsetDateTime::now_utc();
        let live = store.create(&session("ada", now)).unwrap();
        let crashed = store.create(&session("ada", now)).unwrap();
        // The process died after removing the record, before its marker.
        fs::remove_file(store.path_of(&crashed)).unwrap();
        let marker = store.index_folder("ada").join(RecordKey::of(&crashed).as_str());
        assert!(marker.exists());
        assert_eq!(keys(&store.sessions_of("ada").unwrap()), [RecordKey::of(&live)]);
        assert!(!marker.exists(), "the listing removed the stray marker");
        assert!(!store.delete_of_user("ada", &RecordKey::of(&crashed)).unwrap());
        assert_eq!(store.get(&crashed).unwrap(), None, "and no session came back");
    }

    #[test]
    fn parallel_sign_ins_and_sign_outs_leave_the_index_equal_to_the_records() {
        let (_root, store) = store();
        let store = std::sync::Arc::new(store);
        let now = OffsetDateTime::now_utc();
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let store = store.clone();
                std::thread::spawn(move || {
                    let mut kept = Vec::new();
                    for i in 0..40 {
                        let id = store.create(&session("ada", now)).unwrap();
                        // Listings run meanwhile, and clean up as they go.
                        if i % 5 == 0 {
                            store.sessions_of("ada").unwrap();
                        }
                        match (t + i) % 3 {
                            0 => store.delete(&id).unwrap(),
                            1 => assert!(store.delete_of_user("ada", &RecordKey::of(&id)).unwrap()),
                            _ => kept.push(RecordKey::of(&id)),
                        }
                    }
                    kept
                })
            })
            .collect();
        let mut kept: Vec<RecordKey> =
            threads.into_iter().flat_map(|t| t.join().unwrap()).collect();
        kept.sort();
        let mut markers: Vec<RecordKey> = fs::read_dir(store.index_folder("ada"))
            .unwrap()
            .map(|e| RecordKey::parse(e.unwrap().file_name().to_str().unwrap()).unwrap())
            .collect();
        markers.sort();
        let mut records: Vec<RecordKey> =
            names(store.dir()).iter().map(|name| RecordKey::parse(&name[..64]).unwrap()).collect();
        records.sort();
        assert_eq!(markers, kept, "every live session has its marker, and only those");
        assert_eq!(records, kept, "the records are exactly the live sessions");
        let mut listed = keys(&store.sessions_of("ada").unwrap());
        listed.sort();
        assert_eq!(listed, kept);
    }

    /// A store in a folder below this crate's, which is on a disk: tmpfs,
    /// where `tempfile` may put its folders, cannot read without waiting
    /// and ignores eviction, so the reads below would all be handed off
    /// (and so would the threaded store's in its own test).
    #[cfg(target_os = "linux")]
    pub(super) fn store_on_disk() -> (tempfile::TempDir, FileStore<Visitor>) {
        let root = tempfile::Builder::new()
            .prefix(".test-sessions-")
            .tempdir_in(env!("CARGO_MANIFEST_DIR"))
            .unwrap();
        let store = FileStore::new(root.path().join("chapter-x"), policy());
        (root, store)
    }

    /// Evicts the file at `path` from the page cache: written to the disk
    /// first, its clean pages are then dropped, until the kernel reports
    /// none of them in memory. Dropping them is advice, which the kernel
    /// passes over for a page that someone holds at that moment (reclaim
    /// or compaction moving it, on a machine busy writing), so it is given
    /// again until it took, within a budget.
    #[cfg(target_os = "linux")]
    fn evict_from_memory(path: &Path) {
        let file = fs::File::open(path).unwrap();
        file.sync_all().unwrap();
        let deadline = std::time::Instant::now() + StdDuration::from_secs(10);
        loop {
            rustix::fs::fadvise(&file, 0, None, rustix::fs::Advice::DontNeed).unwrap();
            let in_memory = pages_in_memory(&file);
            if in_memory == 0 {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{in_memory} page(s) of {path:?} still in memory after 10 s of evictions"
            );
            std::thread::sleep(StdDuration::from_millis(10));
        }
    }

    /// How many pages of `file` are in the page cache, as `mincore` reports
    /// them for a mapping of the file that is never touched, so that the
    /// count reads the cache without filling it.
    #[cfg(target_os = "linux")]
    fn pages_in_memory(file: &fs::File) -> usize {
        use std::os::fd::AsRawFd;

        let len = usize::try_from(file.metadata().unwrap().len()).unwrap();
        assert!(len > 0, "an empty file has no pages to count");
        // SAFETY: `sysconf` reads a constant of the system.
        let page_size = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap();
        let mut resident = vec![0u8; len.div_ceil(page_size)];
        // SAFETY: a read-only mapping of `len` bytes of an open file, which
        // nothing reads through; `mincore` writes one byte for each of its
        // pages into `resident`, sized for them, before it is unmapped.
        unsafe {
            let fd = file.as_raw_fd();
            let map =
                libc::mmap(std::ptr::null_mut(), len, libc::PROT_READ, libc::MAP_SHARED, fd, 0);
            assert_ne!(map, libc::MAP_FAILED, "{}", io::Error::last_os_error());
            let counted = libc::mincore(map, len, resident.as_mut_ptr());
            let error = io::Error::last_os_error();
            libc::munmap(map, len);
            assert_eq!(counted, 0, "{error}");
        }
        resident.iter().filter(|page| *page & 1 == 1).count()
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn on_linux_a_record_in_memory_is_read_without_waiting() {
        let (_root, store) = store_on_disk();
        let start = OffsetDateTime::now_utc();
        let id = store.create(&session("ada", start)).unwrap();
        assert_eq!(store.get_if_cached(&id), Some(session("ada", start)));

        let long_name = "a".repeat(3 * nowait::FIRST_READ);
        let long = store.create(&session(&long_name, start)).unwrap();
        assert!(fs::metadata(store.path_of(&long)).unwrap().len() > 2 * nowait::FIRST_READ as u64);
        assert_eq!(store.get_if_cached(&long), Some(session(&long_name, start)), "read whole");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn on_linux_a_read_from_memory_leaves_the_access_time_as_it_was() {
        let (_root, store) = store_on_disk();
        let id = store.create(&session("ada", OffsetDateTime::now_utc())).unwrap();
        let path = store.path_of(&id);
        let long_ago = SystemTime::now() - StdDuration::from_secs(3600);
        fs::File::open(&path)
            .unwrap()
            .set_times(fs::FileTimes::new().set_accessed(long_ago))
            .unwrap();
        assert!(store.get_if_cached(&id).is_some());
        let accessed = fs::metadata(&path).unwrap().accessed().unwrap();
        assert_eq!(accessed, long_ago, "the read wrote the access time");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn on_linux_a_record_on_the_disk_only_is_left_to_the_blocking_read() {
        let (_root, store) = store_on_disk();
        let start = OffsetDateTime::now_utc();
        let id = store.create(&session("ada", start)).unwrap();
        evict_from_memory(&store.path_of(&id));
        assert_eq!(store.get_if_cached(&id), None, "reading it would wait on the disk");
        assert_eq!(store.get(&id).unwrap(), Some(session("ada", start)));
        assert_eq!(store.get_if_cached(&id), Some(session("ada", start)), "in memory again");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn on_linux_a_held_lock_is_left_to_the_blocking_read() {
        let (_root, store) = store_on_disk();
        let start = OffsetDateTime::now_utc();
        let id = store.create(&session("ada", start)).unwrap();
        let name = file_name(&id);

        let held = std::sync::Barrier::new(2);
        std::thread::scope(|scope| {
            scope.spawn(|| {
                let _lock = store.lock(&name).unwrap();
                held.wait();
                held.wait();
            });
            held.wait();
            assert_eq!(store.get_if_cached(&id), None, "another thread holds the lock");
            held.wait();
        });

        // The lock file, opened again, is locked as another process would.
        let lock_file = store.dir().join(lock_file_name(shard_of(&name)));
        let other_process = private::open_lock_file(&lock_file).unwrap();
        other_process.lock().unwrap();
        assert_eq!(store.get_if_cached(&id), None, "another process holds the lock");
        other_process.unlock().unwrap();
        assert_eq!(store.get_if_cached(&id), Some(session("ada", start)));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn on_linux_a_lock_file_not_yet_opened_is_left_to_the_blocking_read() {
        let (_root, writer) = store_on_disk();
        let start = OffsetDateTime::now_utc();
        let id = writer.create(&session("ada", start)).unwrap();
        // A second store on the folder, as after a restart: no lock file open.
        let restarted = FileStore::<Visitor>::new(writer.dir(), policy());
        assert_eq!(restarted.get_if_cached(&id), None);
        assert_eq!(restarted.get(&id).unwrap(), Some(session("ada", start)));
        assert_eq!(restarted.get_if_cached(&id), Some(session("ada", start)));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn on_linux_missing_and_corrupt_records_are_left_to_the_blocking_read() {
        let (_root, store) = store_on_disk();
        let now = OffsetDateTime::now_utc();
        let missing = store.create(&session("ada", now)).unwrap();
        store.delete(&missing).unwrap();
        assert_eq!(store.get_if_cached(&missing), None);

        let torn = store.create(&session("ada", now)).unwrap();
        assert!(store.get_if_cached(&torn).is_some(), "its lock and file are in reach");
        fs::write(store.path_of(&torn), br#"{"user_name":"ad"#).unwrap();
        assert_eq!(store.get_if_cached(&torn), None);
        assert!(store.path_of(&torn).exists(), "the blocking read removes it, not this one");
    }
}
