//! The server-side mechanism: one JSON file per session.
//!
//! What the design guards against, and how:
//! - A torn record after a crash: every write goes to a temporary file in
//!   the same folder, is flushed to disk, then renamed over the record;
//!   a reader sees the old record or the new one, never half of one.
//! - Others reading the data: records are created owner-only (`0600`) in
//!   an owner-only folder (`0700`).
//! - Hijacking from a directory listing: a file is named after the SHA-256
//!   of the session id, not the id, and the id cannot be recovered from it.
//! - A path from the request: the cookie value is parsed as a
//!   [`SessionId`] first and only its hash ever becomes a file name.
//! - Cleanup deleting a live session: reading, refreshing and deleting a
//!   record all hold the same lock, so the sweep never acts on a stale read.

use std::fs::{self, DirBuilder};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration as StdDuration, SystemTime};

use rocket::time::{Duration, OffsetDateTime};
use sha2::{Digest, Sha256};

use super::{SessionId, StoredSession};
use crate::session::SessionData;

/// Number of locks records are spread over: requests for different
/// sessions rarely wait for each other.
const LOCK_SHARDS: usize = 64;

/// A temporary file older than this was left by a writer that died.
const ABANDONED_TEMP_FILE_AGE: StdDuration = StdDuration::from_secs(60);

const TEMP_PREFIX: &str = ".tmp-";

/// A folder of session records.
#[derive(Debug)]
pub struct FileStore {
    dir: PathBuf,
    locks: Vec<Mutex<()>>,
}

/// What a cleanup sweep did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Purge {
    /// Expired or unreadable records deleted.
    pub removed: usize,
    /// Live records left alone.
    pub kept: usize,
}

impl FileStore {
    /// A store in `dir`. The folder is created when first needed, so a store
    /// whose folder is missing or broken still serves public pages.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        let locks = (0..LOCK_SHARDS).map(|_| Mutex::new(())).collect();
        FileStore { dir: dir.into(), locks }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Creates the folder, owner-only, if it is missing.
    pub fn ensure_dir(&self) -> io::Result<()> {
        DirBuilder::new().recursive(true).mode(0o700).create(&self.dir)?;
        if !self.dir.is_dir() {
            return Err(io::Error::other(format!("{} is not a folder", self.dir.display())));
        }
        Ok(())
    }

    /// The name of the file that holds the session `id`.
    pub fn file_name(id: &SessionId) -> String {
        format!("{:x}.json", Sha256::digest(id.as_str().as_bytes()))
    }

    /// Full path of the record of `id`.
    pub fn path_of(&self, id: &SessionId) -> PathBuf {
        self.dir.join(Self::file_name(id))
    }

    /// Stores `session` under a fresh id and returns the id.
    pub fn create(&self, session: &StoredSession) -> io::Result<SessionId> {
        self.ensure_dir()?;
        let id = SessionId::generate()?;
        let name = Self::file_name(&id);
        let _guard = self.lock(&name);
        self.write(&self.dir.join(&name), session)?;
        Ok(id)
    }

    /// Loads the session `id` for a request at `now`: `None` when there is
    /// no such session or it has been idle for `lifetime` (its record is
    /// then deleted). A live session is stored again with `last_seen = now`
    /// after `change` has been applied to its data, unless neither changed.
    pub fn touch(
        &self,
        id: &SessionId,
        now: OffsetDateTime,
        lifetime: Duration,
        change: impl FnOnce(&mut SessionData),
    ) -> io::Result<Option<StoredSession>> {
        let name = Self::file_name(id);
        let path = self.dir.join(&name);
        let _guard = self.lock(&name);
        let Some(mut session) = self.read(&path)? else {
            return Ok(None);
        };
        if session.is_idle_past(lifetime, now) {
            remove_if_present(&path)?;
            return Ok(None);
        }
        let before = session.clone();
        change(&mut session.data);
        session.last_seen = now.unix_timestamp();
        // Timestamps are whole seconds: a burst of requests in one second
        // rewrites the record once, not once per request.
        if session != before {
            self.write(&path, &session)?;
        }
        Ok(Some(session))
    }

    /// Deletes the session `id`, if it exists.
    pub fn delete(&self, id: &SessionId) -> io::Result<()> {
        let name = Self::file_name(id);
        let _guard = self.lock(&name);
        remove_if_present(&self.dir.join(name))
    }

    /// Deletes every record idle for `lifetime` or longer at `now`, every
    /// unreadable record, and temporary files abandoned by a crashed writer.
    pub fn purge_expired(&self, now: OffsetDateTime, lifetime: Duration) -> io::Result<Purge> {
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
            let _guard = self.lock(name);
            let path = entry.path();
            match self.read(&path)? {
                Some(session) if !session.is_idle_past(lifetime, now) => purge.kept += 1,
                Some(_) => {
                    remove_if_present(&path)?;
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
    fn read(&self, path: &Path) -> io::Result<Option<StoredSession>> {
        let bytes = match fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        match serde_json::from_slice(&bytes) {
            Ok(session) => Ok(Some(session)),
            Err(e) => {
                rocket::warn!("removing unreadable session record {}: {e}", path.display());
                remove_if_present(path)?;
                Ok(None)
            }
        }
    }

    /// Writes `session` to `path` atomically, owner-only.
    fn write(&self, path: &Path, session: &StoredSession) -> io::Result<()> {
        let mut temp = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .permissions(fs::Permissions::from_mode(0o600))
            .tempfile_in(&self.dir)?;
        serde_json::to_writer_pretty(&mut temp, session)?;
        temp.write_all(b"\n")?;
        temp.as_file().sync_all()?;
        temp.persist(path).map_err(|e| e.error)?;
        Ok(())
    }

    fn lock(&self, file_name: &str) -> MutexGuard<'_, ()> {
        let shard = u8::from_str_radix(&file_name[..2], 16).unwrap_or(0) as usize % LOCK_SHARDS;
        self.locks[shard].lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// `<64 lowercase hex digits>.json`: the only names this store writes.
fn is_record_name(name: &str) -> bool {
    name.strip_suffix(".json").is_some_and(|stem| {
        stem.len() == 64 && stem.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
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
    use crate::session::Theme;

    const LIFETIME: Duration = Duration::minutes(5);

    fn session(name: &str, now: OffsetDateTime) -> StoredSession {
        let data = SessionData { user_name: name.into(), lang: "en".into(), theme: Theme::Dark };
        StoredSession::new(data, now)
    }

    fn store() -> (tempfile::TempDir, FileStore) {
        let root = tempfile::tempdir().unwrap();
        let store = FileStore::new(root.path().join("chapter-x"));
        (root, store)
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<_> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn creates_the_folder_owner_only_and_records_owner_only() {
        let (_root, store) = store();
        let now = OffsetDateTime::now_utc();
        let id = store.create(&session("ada", now)).unwrap();
        assert_eq!(fs::metadata(store.dir()).unwrap().permissions().mode() & 0o777, 0o700);
        let path = store.path_of(&id);
        assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(
            names(store.dir()),
            vec![FileStore::file_name(&id)],
            "no temporary file is left"
        );
    }

    #[test]
    fn touch_slides_last_seen_and_applies_the_change() {
        let (_root, store) = store();
        let start = OffsetDateTime::now_utc();
        let id = store.create(&session("ada", start)).unwrap();
        let later = start + Duration::seconds(299);
        let touched =
            store.touch(&id, later, LIFETIME, |d| d.theme = Theme::Light).unwrap().unwrap();
        assert_eq!(touched.last_seen, later.unix_timestamp());
        assert_eq!(touched.created_at, start.unix_timestamp());
        let on_disk: StoredSession =
            serde_json::from_slice(&fs::read(store.path_of(&id)).unwrap()).unwrap();
        assert_eq!(on_disk, touched);
        assert_eq!(on_disk.data.theme, Theme::Light);
    }

    #[test]
    fn touch_rewrites_the_record_only_when_it_changes() {
        let (_root, store) = store();
        let start = OffsetDateTime::now_utc();
        let id = store.create(&session("ada", start)).unwrap();
        let inode =
            || std::os::unix::fs::MetadataExt::ino(&fs::metadata(store.path_of(&id)).unwrap());
        let first = inode();
        store.touch(&id, start, LIFETIME, |_| ()).unwrap().unwrap();
        assert_eq!(inode(), first, "same second, same data: not rewritten");
        store.touch(&id, start, LIFETIME, |d| d.theme = Theme::Light).unwrap().unwrap();
        let second = inode();
        assert_ne!(second, first, "new data: rewritten");
        store.touch(&id, start + Duration::seconds(1), LIFETIME, |_| ()).unwrap().unwrap();
        assert_ne!(inode(), second, "a later second: rewritten");
    }

    #[test]
    fn touch_refuses_and_deletes_an_idle_record() {
        let (_root, store) = store();
        let start = OffsetDateTime::now_utc();
        let id = store.create(&session("ada", start)).unwrap();
        assert!(store.touch(&id, start + LIFETIME, LIFETIME, |_| ()).unwrap().is_none());
        assert!(!store.path_of(&id).exists());
    }

    #[test]
    fn unknown_and_corrupt_records_are_no_session() {
        let (_root, store) = store();
        let now = OffsetDateTime::now_utc();
        store.ensure_dir().unwrap();
        let unknown = SessionId::generate().unwrap();
        assert!(store.touch(&unknown, now, LIFETIME, |_| ()).unwrap().is_none());
        assert!(!store.path_of(&unknown).exists(), "nothing is created for an unknown id");

        let torn = SessionId::generate().unwrap();
        fs::write(store.path_of(&torn), br#"{"user_name":"ad"#).unwrap();
        assert!(store.touch(&torn, now, LIFETIME, |_| ()).unwrap().is_none());
        assert!(!store.path_of(&torn).exists(), "a corrupt record is removed");
    }

    #[test]
    fn a_write_replaces_the_record_whole_or_not_at_all() {
        let (_root, store) = store();
        let now = OffsetDateTime::now_utc();
        let id = store.create(&session("ada", now)).unwrap();
        let path = store.path_of(&id);
        let before = fs::read(&path).unwrap();
        let inode = std::os::unix::fs::MetadataExt::ino(&fs::metadata(&path).unwrap());
        store.touch(&id, now + Duration::seconds(1), LIFETIME, |_| ()).unwrap();
        let after = fs::metadata(&path).unwrap();
        assert_ne!(
            std::os::unix::fs::MetadataExt::ino(&after),
            inode,
            "a new file was renamed into place"
        );
        assert_ne!(fs::read(&path).unwrap(), before);
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
        fs::write(store.dir().join(format!("{}.json", "a".repeat(64))), b"not json").unwrap();
        fs::write(store.dir().join("notes.txt"), b"not ours").unwrap();
        let abandoned = store.dir().join(format!("{TEMP_PREFIX}crashed"));
        let fresh = store.dir().join(format!("{TEMP_PREFIX}in-flight"));
        fs::write(&abandoned, b"{").unwrap();
        fs::write(&fresh, b"{").unwrap();
        let old = SystemTime::now() - ABANDONED_TEMP_FILE_AGE;
        fs::File::options().write(true).open(&abandoned).unwrap().set_modified(old).unwrap();

        let purge = store.purge_expired(now, LIFETIME).unwrap();
        assert_eq!(purge, Purge { removed: 1, kept: 1 });
        let mut expected = vec![
            FileStore::file_name(&live),
            format!("{TEMP_PREFIX}in-flight"),
            "notes.txt".to_owned(),
        ];
        expected.sort();
        assert_eq!(names(store.dir()), expected);
        assert!(!store.path_of(&expired).exists());
    }

    #[test]
    fn purge_of_a_missing_folder_is_empty() {
        let (_root, store) = store();
        assert_eq!(
            store.purge_expired(OffsetDateTime::now_utc(), LIFETIME).unwrap(),
            Purge::default()
        );
    }

    #[test]
    fn a_file_where_the_folder_should_be_is_an_error() {
        let (_root, store) = store();
        fs::write(store.dir(), b"").unwrap();
        assert!(store.ensure_dir().is_err());
        assert!(store.create(&session("ada", OffsetDateTime::now_utc())).is_err());
    }
}
