//! The Redis the tools and tests run the Redis chapter against, and the
//! part of it one server uses.
//!
//! Several tests and tools share one throwaway Redis (`scripts/with-redis`)
//! at the same time, and earlier runs may have left keys in it, so every
//! server gets a key prefix of its own unless it is meant to share one.

use std::io;
use std::time::Duration;

use tutorial::Chapter;

/// The Redis of the tests and tools: `SESSIONS_TEST_REDIS_URL`, which
/// `scripts/with-redis` sets to the Redis it starts, else the chapters' own
/// default (a local Redis on the standard port).
pub fn test_redis_url() -> String {
    std::env::var("SESSIONS_TEST_REDIS_URL")
        .unwrap_or_else(|_| tutorial::chapter::DEFAULT_REDIS_URL.to_owned())
}

/// A key prefix no other server of any run uses: 64 random bits before the
/// chapter's own prefix (`test-1f…:chapter-5:session:`), so that the keys
/// still read as the chapter's.
pub fn unique_key_prefix(chapter: &Chapter) -> String {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("random bytes from the operating system");
    format!("test-{}:{}", hex(&bytes), chapter.key_prefix())
}

/// Lower-case hexadecimal, two digits a byte.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The keys one server reads and writes: a Redis and a key prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySpace {
    /// As in `databases.sessions.url`.
    pub url: String,
    /// As in `session_key_prefix`.
    pub prefix: String,
}

impl KeySpace {
    /// The keys `prefix` of the Redis at `url`.
    pub fn new(url: impl Into<String>, prefix: impl Into<String>) -> KeySpace {
        KeySpace { url: url.into(), prefix: prefix.into() }
    }

    /// A prefix of its own ([`unique_key_prefix`]) in the test Redis.
    pub fn unique(chapter: &Chapter) -> KeySpace {
        KeySpace::new(test_redis_url(), unique_key_prefix(chapter))
    }

    /// The chapter's own prefix (`chapter-5:session:`) in the test Redis:
    /// what a reader running `cargo run -p chapter-5` sees.
    pub fn chapter_default(chapter: &Chapter) -> KeySpace {
        KeySpace::new(test_redis_url(), chapter.key_prefix())
    }

    /// A blocking connection to this Redis.
    pub fn connect(&self) -> io::Result<redis::Connection> {
        connect(&self.url)
    }
}

/// How long a tool waits for Redis to connect or to answer one command: a
/// Redis that hangs fails the tool with an error instead of hanging it.
const REDIS_TIMEOUT: Duration = Duration::from_secs(5);

/// A blocking connection to the Redis at `url`, or an error that says where
/// it was looked for and how to get one.
pub fn connect(url: &str) -> io::Result<redis::Connection> {
    let connection = redis::Client::open(url).and_then(|client| {
        let connection = client.get_connection_with_timeout(REDIS_TIMEOUT)?;
        connection.set_read_timeout(Some(REDIS_TIMEOUT))?;
        connection.set_write_timeout(Some(REDIS_TIMEOUT))?;
        Ok(connection)
    });
    connection.map_err(|e| {
        io::Error::other(format!(
            "cannot reach Redis at {url} ({e}); scripts/with-redis starts a throwaway one \
             and names it in SESSIONS_TEST_REDIS_URL"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_prefixes_differ_and_end_with_the_chapters_own() {
        let chapter = crate::chapter(5);
        let (a, b) = (unique_key_prefix(&chapter), unique_key_prefix(&chapter));
        assert_ne!(a, b);
        assert!(a.starts_with("test-") && a.ends_with(&chapter.key_prefix()), "{a}");
        assert_eq!(a.len(), "test-".len() + 16 + 1 + chapter.key_prefix().len());
    }
}
