//! What a chapter stored, looked at from outside the server, as a learner
//! would look: the files of a folder, or the keys under a prefix in Redis.
//!
//! Nothing here starts a server: give it the folder or the Redis and prefix
//! a chapter was configured with, and it lists, reads, overwrites and
//! deletes the records there.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use redis::Commands;
use tutorial::store::file::INDEX_FOLDER;
use tutorial::{Chapter, Storage};

use crate::keys::KeySpace;

/// The records of one server.
pub enum Records {
    /// Every file below this folder (a chapter's store folder, or the whole
    /// `session_dir`). A record's name is its path.
    Files(PathBuf),
    /// Every key of a Redis that starts with `prefix`. A record's name is
    /// its key.
    Redis { connection: redis::Connection, prefix: String },
}

impl Records {
    /// The files below `folder`.
    pub fn folder(folder: impl Into<PathBuf>) -> Records {
        Records::Files(folder.into())
    }

    /// The keys of `space`, over a connection of their own.
    pub fn redis(space: &KeySpace) -> io::Result<Records> {
        Ok(Records::Redis { connection: space.connect()?, prefix: space.prefix.clone() })
    }

    /// Where `chapter`, configured with `session_dir` and (when it keeps
    /// them in Redis) `space`, keeps its records; `None` when the cookie
    /// holds the whole session and the server keeps nothing.
    pub fn of(
        chapter: &Chapter,
        session_dir: &Path,
        space: Option<&KeySpace>,
    ) -> io::Result<Option<Records>> {
        match chapter.storage() {
            Storage::SealedCookie => Ok(None),
            Storage::ServerFiles => {
                Ok(Some(Records::folder(session_dir.join(chapter.store_folder()))))
            }
            Storage::Redis => {
                let space = space.ok_or_else(|| {
                    io::Error::other(format!(
                        "chapter {} keeps its records in Redis: which one?",
                        chapter.number
                    ))
                })?;
                Records::redis(space).map(Some)
            }
            // No chapter has a store of its own: nothing this tool can read.
            Storage::AppStore => Err(io::Error::other(format!(
                "chapter {} keeps its records in a store of its own",
                chapter.number
            ))),
        }
    }

    /// Every record's name (a path, or a key), sorted. In a folder, a
    /// record is a `.json` file: the index of each user's sessions (the
    /// `users` folder's markers, the `user:` sets in Redis) is no record,
    /// and neither are the store's lock files (`.lock-00` …) and
    /// temporary files. A folder that does not exist yet holds none.
    pub fn names(&mut self) -> io::Result<Vec<String>> {
        let mut names: Vec<String> = match self {
            Records::Files(folder) => files_below(folder)?
                .iter()
                .filter(|file| !file.components().any(|c| c.as_os_str() == INDEX_FOLDER))
                .filter(|file| file.extension().is_some_and(|ext| ext == "json"))
                .map(|file| file.display().to_string())
                .collect(),
            // A record key starts with a hex digit; an index's, with `user:`.
            Records::Redis { connection, prefix } => {
                keys(connection, &format!("{prefix}[0-9a-f]"))?
            }
        };
        names.sort();
        Ok(names)
    }

    /// The content of the record `name`.
    pub fn read(&mut self, name: &str) -> io::Result<Vec<u8>> {
        match self {
            Records::Files(_) => fs::read(name),
            Records::Redis { connection, .. } => {
                let value: Option<Vec<u8>> = connection.get(name).map_err(redis_error)?;
                value.ok_or_else(|| {
                    io::Error::new(io::ErrorKind::NotFound, format!("no key {name}"))
                })
            }
        }
    }

    /// Replaces the content of the record `name`, as someone with access to
    /// the store could; a Redis key keeps its time to live (`KEEPTTL`).
    pub fn overwrite(&mut self, name: &str, content: &[u8]) -> io::Result<()> {
        match self {
            Records::Files(_) => fs::write(name, content),
            Records::Redis { connection, .. } => redis::cmd("SET")
                .arg(name)
                .arg(content)
                .arg("KEEPTTL")
                .query::<()>(connection)
                .map_err(redis_error),
        }
    }

    /// A key's time to live in milliseconds (`PTTL`: -1 for none, -2 for no
    /// such key); `None` for a file, which has no time to live.
    pub fn pttl(&mut self, name: &str) -> io::Result<Option<i64>> {
        match self {
            Records::Files(_) => Ok(None),
            Records::Redis { connection, .. } => {
                connection.pttl(name).map(Some).map_err(redis_error)
            }
        }
    }

    /// Deletes every record, and in Redis every index set too; returns how
    /// many records there were.
    pub fn delete_all(&mut self) -> io::Result<usize> {
        let names = self.names()?;
        match self {
            Records::Files(_) => names.iter().try_for_each(fs::remove_file)?,
            Records::Redis { connection, prefix } => {
                let every_key = keys(connection, prefix)?;
                if !every_key.is_empty() {
                    connection.del::<_, ()>(&every_key).map_err(redis_error)?
                }
            }
        }
        Ok(names.len())
    }
}

/// Deletes every key of `space`: what a run wrote, once it is done.
pub fn delete_keys(space: &KeySpace) -> io::Result<usize> {
    Records::redis(space)?.delete_all()
}

/// The keys that start with `prefix`, as `redis-cli --scan` finds them
/// (`SCAN`, which, unlike `KEYS`, does not stop the server while it looks).
fn keys(connection: &mut redis::Connection, prefix: &str) -> io::Result<Vec<String>> {
    Ok(connection.scan_match(format!("{prefix}*")).map_err(redis_error)?.collect())
}

fn redis_error(e: redis::RedisError) -> io::Error {
    io::Error::other(format!("Redis: {e}"))
}

/// Every file below `folder`, at any depth, in no particular order.
fn files_below(folder: &Path) -> io::Result<Vec<PathBuf>> {
    let entries = match fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io::Error::new(e.kind(), format!("{}: {e}", folder.display()))),
    };
    let mut files = Vec::new();
    for entry in entries {
        let path = entry?.path();
        if path.is_dir() {
            files.extend(files_below(&path)?);
        } else {
            files.push(path);
        }
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_listed_at_any_depth_read_overwritten_and_deleted() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("chapter-4")).unwrap();
        fs::write(dir.path().join("chapter-4/b.json"), "{}").unwrap();
        fs::write(dir.path().join("chapter-4/a.json"), "{}").unwrap();
        let mut records = Records::folder(dir.path());
        let names = records.names().unwrap();
        let path = |name: &str| dir.path().join(name).display().to_string();
        assert_eq!(names, [path("chapter-4/a.json"), path("chapter-4/b.json")]);
        records.overwrite(&names[0], b"{\"x\":1}").unwrap();
        assert_eq!(records.read(&names[0]).unwrap(), b"{\"x\":1}");
        assert_eq!(records.pttl(&names[0]).unwrap(), None);
        assert_eq!(records.delete_all().unwrap(), 2);
        assert!(records.names().unwrap().is_empty());
    }

    #[test]
    fn a_folder_not_made_yet_holds_no_records() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Records::folder(dir.path().join("chapter-2")).names().unwrap().is_empty());
    }

    #[test]
    fn the_cookie_chapters_keep_no_records_and_the_file_chapters_one_folder_each() {
        let dir = Path::new("/nowhere");
        for chapter in crate::CHAPTERS {
            let records = match chapter.storage() {
                Storage::SealedCookie | Storage::ServerFiles => {
                    Records::of(&chapter, dir, None).unwrap()
                }
                Storage::Redis | Storage::AppStore => continue,
            };
            match (chapter.storage(), records) {
                (Storage::SealedCookie, None) => {}
                (Storage::ServerFiles, Some(Records::Files(folder))) => {
                    assert_eq!(folder, dir.join(chapter.store_folder()))
                }
                (storage, _) => panic!("chapter {}: {storage:?}", chapter.number),
            }
        }
    }

    /// Needs the Redis of `scripts/with-redis`, as the behaviour suite does.
    #[test]
    fn keys_are_listed_overwritten_with_their_ttl_and_deleted() {
        let space = KeySpace::unique(&crate::chapter(5));
        let mut connection = space.connect().unwrap();
        let key = format!("{}abc", space.prefix);
        redis::cmd("SET")
            .arg(&key)
            .arg("{}")
            .arg("PX")
            .arg(60_000)
            .query::<()>(&mut connection)
            .unwrap();
        // A user's set is the index, not a record: not listed, but deleted.
        let index = tutorial::store::redis::index_key(&space.prefix, "ada");
        redis::cmd("SADD").arg(&index).arg("abc").query::<()>(&mut connection).unwrap();
        let mut records = Records::redis(&space).unwrap();
        assert_eq!(records.names().unwrap(), vec![key.clone()]);
        records.overwrite(&key, b"{\"x\":1}").unwrap();
        assert_eq!(records.read(&key).unwrap(), b"{\"x\":1}");
        let pttl = records.pttl(&key).unwrap().unwrap();
        assert!((1..=60_000).contains(&pttl), "the overwrite kept the TTL: {pttl}");
        assert_eq!(delete_keys(&space).unwrap(), 1);
        assert!(records.names().unwrap().is_empty());
        let left: i64 = redis::cmd("EXISTS").arg(&index).query(&mut connection).unwrap();
        assert_eq!(left, 0, "the set went with the records");
        assert_eq!(records.read(&key).unwrap_err().kind(), io::ErrorKind::NotFound);
    }
}
