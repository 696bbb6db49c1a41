//! Where a chapter keeps its session records, looked at as a learner would
//! look: `find` and `cat` for a folder, `redis-cli` for Redis.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;

/// A chapter's records.
pub enum Records {
    /// Files below the chapter's session folder (chapters 1 to 4; the
    /// folder stays empty for the chapters that keep no records).
    Files(PathBuf),
    /// Keys that start with `prefix` in a Redis (chapter 5).
    Redis { connection: redis::Connection, prefix: String },
}

impl Records {
    /// The keys with `prefix` in the Redis at `url`.
    pub fn redis(url: &str, prefix: &str) -> io::Result<Records> {
        let connection = connect(url)?;
        Ok(Records::Redis { connection, prefix: prefix.to_owned() })
    }

    /// The command that lists the records (before normalisation).
    pub fn list_command(&self) -> String {
        match self {
            Records::Files(dir) => format!("$ find {} -type f", dir.display()),
            Records::Redis { prefix, .. } => format!("$ redis-cli --scan --pattern '{prefix}*'"),
        }
    }

    /// What the listing shows when there are no records.
    pub fn none(&self) -> &'static str {
        match self {
            Records::Files(_) => "(no files)",
            Records::Redis { .. } => "(no keys)",
        }
    }

    /// Every record's name (a path, or a key), sorted.
    pub fn names(&mut self) -> Vec<String> {
        match self {
            Records::Files(dir) => {
                files_below(dir).iter().map(|file| file.display().to_string()).collect()
            }
            Records::Redis { connection, prefix } => {
                let mut keys = scan(connection, prefix).expect("Redis lists the keys");
                keys.sort();
                keys
            }
        }
    }

    /// The command that shows one record (before normalisation).
    pub fn read_command(&self, name: &str) -> String {
        match self {
            Records::Files(_) => format!("$ cat {name}"),
            Records::Redis { .. } => format!("$ redis-cli GET {name} | jq ."),
        }
    }

    /// A record's content, as the command shows it.
    pub fn read(&mut self, name: &str) -> String {
        match self {
            Records::Files(_) => fs::read_to_string(name).expect("a readable record"),
            Records::Redis { connection, .. } => {
                let json: Vec<u8> = redis::cmd("GET")
                    .arg(name)
                    .query(connection)
                    .expect("Redis holds the record it listed");
                as_jq_shows(&json)
            }
        }
    }

    /// The record's `PTTL` in milliseconds (Redis only).
    pub fn pttl(&mut self, name: &str) -> i64 {
        match self {
            Records::Files(_) => panic!("a file has no PTTL"),
            Records::Redis { connection, .. } => {
                redis::cmd("PTTL").arg(name).query(connection).expect("Redis answers PTTL")
            }
        }
    }
}

/// A blocking connection to the Redis at `url`, or an error that says
/// where it was looked for.
pub fn connect(url: &str) -> io::Result<redis::Connection> {
    redis::Client::open(url)
        .and_then(|client| client.get_connection())
        .map_err(|e| io::Error::other(format!("cannot reach Redis at {url}: {e}")))
}

/// Deletes every key that starts with `prefix`: what this run wrote.
pub fn delete_keys(url: &str, prefix: &str) -> io::Result<()> {
    let mut connection = connect(url)?;
    let keys = scan(&mut connection, prefix).map_err(io::Error::other)?;
    if !keys.is_empty() {
        redis::cmd("DEL").arg(keys).query::<()>(&mut connection).map_err(io::Error::other)?;
    }
    Ok(())
}

/// The keys that start with `prefix`, as `redis-cli --scan` finds them.
fn scan(connection: &mut redis::Connection, prefix: &str) -> redis::RedisResult<Vec<String>> {
    use redis::Commands;
    Ok(connection.scan_match(format!("{prefix}*"))?.collect())
}

/// A JSON object laid out as `jq .` lays it out (two spaces, one field a
/// line, in the order it was written), which is also how chapter 4 writes
/// its files: the two chapters' records read alike.
fn as_jq_shows(json: &[u8]) -> String {
    let object: IndexMap<String, serde_json::Value> =
        serde_json::from_slice(json).expect("a session record is a JSON object");
    serde_json::to_string_pretty(&object).expect("JSON serializes")
}

/// Every file in `dir` and in its folders (a store keeps its records
/// one level down, in `chapter-N/`), sorted.
pub fn files_below(dir: &Path) -> Vec<PathBuf> {
    let entries = |dir: &Path| -> Vec<PathBuf> {
        fs::read_dir(dir).into_iter().flatten().flatten().map(|e| e.path()).collect()
    };
    let mut files: Vec<PathBuf> = entries(dir)
        .into_iter()
        .flat_map(|path| if path.is_dir() { entries(&path) } else { vec![path] })
        .collect();
    files.sort();
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_from_redis_reads_like_the_file_of_chapter_4() {
        let stored = br#"{"user_name":"ada","lang":"en","theme":"dark","created_at":"2026-11-25T20:12:56.5Z","last_seen":"2026-11-25T20:12:56.5Z"}"#;
        assert_eq!(
            as_jq_shows(stored),
            "{\n  \"user_name\": \"ada\",\n  \"lang\": \"en\",\n  \"theme\": \"dark\",\n  \
             \"created_at\": \"2026-11-25T20:12:56.5Z\",\n  \"last_seen\": \"2026-11-25T20:12:56.5Z\"\n}"
        );
    }

    #[test]
    fn files_are_listed_one_level_down_and_sorted() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("chapter-4")).unwrap();
        fs::write(dir.path().join("chapter-4/b.json"), "{}").unwrap();
        fs::write(dir.path().join("chapter-4/a.json"), "{}").unwrap();
        let mut records = Records::Files(dir.path().to_owned());
        let names = records.names();
        assert_eq!(
            names,
            [
                dir.path().join("chapter-4/a.json").display().to_string(),
                dir.path().join("chapter-4/b.json").display().to_string()
            ]
        );
        assert_eq!(records.read(&names[0]), "{}");
        assert_eq!(records.none(), "(no files)");
    }
}
