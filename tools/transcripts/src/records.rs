//! A chapter's records shown as a learner would look at them: `find` and
//! `cat` for a folder, `redis-cli` for Redis. What is there comes from
//! [`launcher::records`]; this is only how the transcripts show it.

use indexmap::IndexMap;
use launcher::Records;

/// The command that lists the records (before normalisation).
pub fn list_command(records: &Records) -> String {
    match records {
        // The records (`*.json`), without the index of each user's
        // sessions (the markers in the `users` folder, the `user:` sets)
        // or the store's lock files, as `Records::names` lists them.
        Records::Files(dir) => format!("$ find {} -name '*.json'", dir.display()),
        Records::Redis { prefix, .. } => {
            format!("$ redis-cli --scan --pattern '{prefix}[0-9a-f]*'")
        }
    }
}

/// What the listing shows when there are no records.
pub fn none(records: &Records) -> &'static str {
    match records {
        Records::Files(_) => "(no files)",
        Records::Redis { .. } => "(no keys)",
    }
}

/// The command that shows one record (before normalisation).
pub fn read_command(records: &Records, name: &str) -> String {
    match records {
        Records::Files(_) => format!("$ cat {name}"),
        Records::Redis { .. } => format!("$ redis-cli GET {name} | jq ."),
    }
}

/// A record's content, as that command shows it.
pub fn read(records: &mut Records, name: &str) -> String {
    let content = records.read(name).expect("the record it listed");
    match records {
        Records::Files(_) => String::from_utf8(content).expect("a record is UTF-8 JSON"),
        Records::Redis { .. } => as_jq_shows(&content),
    }
}

/// A JSON object laid out as `jq .` lays it out (two spaces, one field a
/// line, in the order it was written), which is also how chapter 4 writes
/// its files: the two chapters' records read alike.
fn as_jq_shows(json: &[u8]) -> String {
    let object: IndexMap<String, serde_json::Value> =
        serde_json::from_slice(json).expect("a session record is a JSON object");
    serde_json::to_string_pretty(&object).expect("JSON serializes")
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
    fn files_are_shown_with_find_and_cat() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("chapter-4")).unwrap();
        std::fs::write(dir.path().join("chapter-4/a.json"), "{}").unwrap();
        // The index of each user's sessions is no record, nor is a lock
        // file, and `find` says so.
        std::fs::create_dir_all(dir.path().join("chapter-4/users/ada")).unwrap();
        std::fs::write(dir.path().join("chapter-4/users/ada/a"), "").unwrap();
        std::fs::write(dir.path().join("chapter-4/.lock-00"), "").unwrap();
        let mut records = Records::folder(dir.path());
        let names = records.names().unwrap();
        assert_eq!(names.len(), 1, "{names:?}");
        let command = format!("$ find {} -name '*.json'", dir.path().display());
        assert_eq!(list_command(&records), command);
        assert_eq!(read_command(&records, &names[0]), format!("$ cat {}", names[0]));
        assert_eq!(read(&mut records, &names[0]), "{}");
        assert_eq!(none(&records), "(no files)");
    }
}
