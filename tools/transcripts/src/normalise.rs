//! Replaces what changes from run to run (cookie values, ids, file names,
//! dates, temporary paths, ports) with stable placeholders, so that a
//! transcript only changes when the chapter's behaviour does.

use cookie::time::OffsetDateTime;
use cookie::Cookie;
use sha2::{Digest, Sha256};

/// Seconds an `Expires` date may differ from "request time + `Max-Age`":
/// the date is whole seconds, read by the server a little after we sent the
/// request (longer on a busy machine). A one-week `Expires` is far outside.
const CLOCK_SLACK: f64 = 5.0;

/// Milliseconds a Redis `PTTL` may fall short of the whole lifetime: the
/// time between the write and our reading it (see [`CLOCK_SLACK`]).
const PTTL_SLACK_MS: i64 = 5_000;

#[derive(Default)]
pub struct Normaliser {
    /// Temporary session folders and how each is shown (`<session_dir>`).
    session_dirs: Vec<(String, String)>,
    /// Redis key prefixes unique to this run, and the chapter's default
    /// prefix they are shown as.
    key_prefixes: Vec<(String, String)>,
    /// `(port of this run, the chapter's default port)`.
    ports: Vec<(u16, u16)>,
    /// Cookie values in order of first appearance: `#1`, `#2`, …
    values: Vec<String>,
    /// SHA-256 (hex) of each session id, with the id's number.
    hashes: Vec<(String, usize)>,
    /// CSRF tokens in order of first appearance: `<csrf token #1>`, …
    tokens: Vec<String>,
    /// The lifetime of an `Expires` sent without `Max-Age` (Flask's way),
    /// when a transcript expects one.
    expires_lifetime: Option<u64>,
}

/// What a CSRF token follows wherever a transcript shows one: a form body,
/// a page's hidden field, a record's JSON.
const TOKEN_MARKERS: [&str; 3] =
    ["csrf_token=", r#"name="csrf_token" value=""#, r#""csrf_token": ""#];

impl Normaliser {
    pub fn session_dir(&mut self, dir: &std::path::Path) {
        self.named_session_dir(dir, "<session_dir>");
    }

    /// A session folder shown as `shown`, to tell two folders apart.
    pub fn named_session_dir(&mut self, dir: &std::path::Path, shown: &str) {
        self.session_dirs.push((dir.display().to_string(), shown.to_owned()));
        // Longest first, so a folder is never replaced by the start of its name.
        self.session_dirs.sort_by_key(|(dir, _)| std::cmp::Reverse(dir.len()));
    }

    /// A Redis key prefix of this run, shown as the chapter's `default`.
    pub fn key_prefix(&mut self, prefix: &str, default: &str) {
        self.key_prefixes.push((prefix.to_owned(), default.to_owned()));
        self.key_prefixes.sort_by_key(|(prefix, _)| std::cmp::Reverse(prefix.len()));
    }

    /// Expects `Expires` without `Max-Age`, `lifetime` seconds after the
    /// request, as Flask sends a permanent session's cookie.
    pub fn expires_without_max_age(&mut self, lifetime: u64) {
        self.expires_lifetime = Some(lifetime);
    }

    pub fn port(&mut self, port: u16, default_port: u16) {
        self.ports.push((port, default_port));
    }

    /// `<sealed #n, L characters>` or `<session id #n>`; the same value
    /// always gets the same number.
    pub fn cookie_value(&mut self, value: &str) -> String {
        if value.is_empty() {
            return String::new();
        }
        let number = match self.values.iter().position(|v| v == value) {
            Some(index) => index + 1,
            None => {
                self.values.push(value.to_owned());
                if is_session_id(value) {
                    let hash = format!("{:x}", Sha256::digest(value.as_bytes()));
                    self.hashes.push((hash, self.values.len()));
                }
                self.values.len()
            }
        };
        if is_session_id(value) {
            format!("<session id #{number}>")
        } else if let Some(payload) = flask_signed_payload(value) {
            // Flask's signed cookie: the data is only base64, shown as it
            // is sent. The time and the signature differ on every run, and
            // two cookies signed within one second are the same, so they
            // get no number: which is which would change from run to run.
            format!("{payload}.<timestamp>.<signature>")
        } else {
            format!("<sealed #{number}, {} characters>", decoded_len(value))
        }
    }

    /// A `Cookie` request header.
    pub fn cookie_header(&mut self, header: &str) -> String {
        header
            .split("; ")
            .map(|pair| match pair.split_once('=') {
                Some((name, value)) if is_notice(name) => format!("{name}={value}"),
                Some((name, value)) => format!("{name}={}", self.cookie_value(value)),
                None => pair.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// A `Set-Cookie` header, attributes in the order the server sent them.
    /// An `Expires` date is shown relative to the request; one that does
    /// not match `Max-Age` is a bug worth stopping for.
    pub fn set_cookie(&mut self, raw: &str, sent_at: OffsetDateTime) -> String {
        let parsed = Cookie::parse(raw.to_owned()).expect("a valid Set-Cookie header");
        let mut parts = raw.split("; ");
        let first = parts.next().unwrap_or_default();
        let (name, value) = first.split_once('=').expect("name=value");
        let value = if is_notice(name) { value.to_owned() } else { self.cookie_value(value) };
        let mut shown = vec![format!("{name}={value}")];
        for attribute in parts {
            if !attribute.to_ascii_lowercase().starts_with("expires=") {
                shown.push(attribute.to_owned());
                continue;
            }
            let expires = parsed.expires_datetime().expect("a parsed Expires");
            let ahead = (expires - sent_at).as_seconds_f64();
            let relative = match parsed.max_age() {
                Some(max_age) if max_age.is_positive() => {
                    let max_age = max_age.whole_seconds();
                    assert!(
                        (ahead - max_age as f64).abs() <= CLOCK_SLACK,
                        "Expires is {ahead} s ahead, Max-Age says {max_age}: {raw}"
                    );
                    format!("<request time + {max_age} s>")
                }
                _ if ahead < 0.0 => "<a date in the past>".to_owned(),
                None if self
                    .expires_lifetime
                    .is_some_and(|lifetime| (ahead - lifetime as f64).abs() <= CLOCK_SLACK) =>
                {
                    format!("<request time + {} s>", self.expires_lifetime.unwrap_or_default())
                }
                _ => panic!("an Expires without a matching Max-Age: {raw}"),
            };
            shown.push(format!("Expires={relative}"));
        }
        shown.join("; ")
    }

    /// Learns the CSRF tokens `text` shows (a form, a page, a record), so
    /// that [`Normaliser::text`] replaces them with their placeholder.
    pub fn learn_tokens(&mut self, text: &str) {
        for marker in TOKEN_MARKERS {
            for (at, _) in text.match_indices(marker) {
                let rest = &text[at + marker.len()..];
                let token = rest.get(..43).filter(|t| is_session_id(t));
                if let Some(token) = token.filter(|t| !self.tokens.iter().any(|k| k == t)) {
                    self.tokens.push(token.to_owned());
                }
            }
        }
    }

    /// Paths, record names, key prefixes, ports and CSRF tokens in free
    /// text.
    pub fn text(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for (index, token) in self.tokens.iter().enumerate() {
            text = text.replace(token.as_str(), &format!("<csrf token #{}>", index + 1));
        }
        for (dir, shown) in &self.session_dirs {
            text = text.replace(dir.as_str(), shown);
        }
        for (prefix, default) in &self.key_prefixes {
            text = text.replace(prefix.as_str(), default);
        }
        for (hash, number) in &self.hashes {
            text = text.replace(hash.as_str(), &format!("<sha256 of session id #{number}>"));
        }
        for (port, default_port) in &self.ports {
            text = text.replace(&format!(":{port}"), &format!(":{default_port}"));
        }
        text
    }

    /// A session record: the timestamps become what they mean.
    pub fn record(&self, json: &str) -> String {
        json.lines()
            .map(|line| {
                let trimmed = line.trim_start();
                let indent = &line[..line.len() - trimmed.len()];
                let comma = if trimmed.ends_with(',') { "," } else { "" };
                if trimmed.starts_with("\"created_at\":") {
                    format!("{indent}\"created_at\": \"<time of sign-in>\"{comma}")
                } else if trimmed.starts_with("\"last_seen\":") {
                    format!("{indent}\"last_seen\": \"<time of the last recorded request>\"{comma}")
                } else {
                    self.text(line)
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// What `redis-cli PTTL` prints for a record written with a lifetime of
/// `lifetime` seconds and read right away: `millis` falls short of the
/// lifetime by the moments in between, so it is shown as the lifetime it
/// approaches. A record without expiry, or one that lost more than a few
/// seconds, is a bug worth stopping for.
pub fn pttl(millis: i64, lifetime: u64) -> String {
    let full = i64::try_from(lifetime).expect("a lifetime in seconds") * 1000;
    match millis {
        -2 => "(integer) -2 (no such key)".to_owned(),
        -1 => panic!("the record has no expiry: Redis would keep it forever"),
        _ => {
            assert!(
                (full - PTTL_SLACK_MS..=full).contains(&millis),
                "PTTL is {millis} ms, the lifetime {full} ms"
            );
            format!("(integer) <≈ {lifetime} s, in milliseconds>")
        }
    }
}

/// The cookie of the notice after sign-out (`chapterN_notice`): its value
/// is the name of the notice, the same on every run, so it is shown as is.
fn is_notice(name: &str) -> bool {
    name.ends_with("_notice")
}

/// The shape of a server-side session id: 43 characters of base64url.
fn is_session_id(value: &str) -> bool {
    value.len() == 43 && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The data part of a Flask session cookie, `<base64url of the JSON>.<time>.<signature>`
/// (itsdangerous' `URLSafeTimedSerializer`); `None` for any other value.
fn flask_signed_payload(value: &str) -> Option<&str> {
    let base64url = |part: &str| {
        !part.is_empty()
            && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    let mut parts = value.split('.');
    let (payload, time, signature) = (parts.next()?, parts.next()?, parts.next()?);
    let signed = parts.next().is_none() && base64url(time) && base64url(signature);
    // `{"` in base64: the JSON of a session.
    (signed && payload.starts_with("eyJ") && base64url(payload)).then_some(payload)
}

/// Length of a cookie value once its `%XX` escapes are decoded: Rocket
/// percent-encodes the `+`, `/` and `=` of base64, so the length as sent
/// changes from run to run while the sealed value's does not.
fn decoded_len(value: &str) -> usize {
    value.len() - 2 * value.matches('%').count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use cookie::time::{format_description::well_known::Rfc2822, Duration};

    const ID: &str = "f_bHs3S6hKKY1gkeYipintajl4blJTbhAe-4SLsfVac";

    #[test]
    fn numbers_values_by_first_appearance_and_counts_decoded_characters() {
        let mut n = Normaliser::default();
        assert_eq!(n.cookie_value("ab%2Fcd+e"), "<sealed #1, 7 characters>");
        assert_eq!(n.cookie_value("xyz"), "<sealed #2, 3 characters>");
        assert_eq!(n.cookie_value("ab%2Fcd+e"), "<sealed #1, 7 characters>");
        assert_eq!(n.cookie_value(""), "");
    }

    #[test]
    fn a_flask_cookie_shows_its_data_and_hides_its_time_and_signature() {
        let mut n = Normaliser::default();
        let cookie = "eyJ1c2VyX25hbWUiOiJhZGEifQ.aw9Yxw.ADlPjldcnqgyT07RDCRe6aYvE_4";
        assert_eq!(n.cookie_value(cookie), "eyJ1c2VyX25hbWUiOiJhZGEifQ.<timestamp>.<signature>");
        assert_eq!(n.cookie_value("eyJ.x"), "<sealed #2, 5 characters>");
    }

    #[test]
    fn an_expires_without_max_age_is_shown_relative_when_expected() {
        let mut n = Normaliser::default();
        n.expires_without_max_age(300);
        let sent_at = OffsetDateTime::now_utc();
        let raw = format!(
            "session=abc; Expires={}; HttpOnly; Path=/",
            http_date(sent_at + Duration::seconds(300))
        );
        assert_eq!(
            n.set_cookie(&raw, sent_at),
            "session=<sealed #1, 3 characters>; Expires=<request time + 300 s>; HttpOnly; Path=/"
        );
    }

    #[test]
    fn session_ids_and_the_files_named_after_them() {
        let mut n = Normaliser::default();
        n.session_dir(std::path::Path::new("/tmp/.tmpAbc/sessions-2"));
        assert_eq!(
            n.cookie_header(&format!("chapter2_session={ID}")),
            "chapter2_session=<session id #1>"
        );
        let hash = format!("{:x}", Sha256::digest(ID.as_bytes()));
        assert_eq!(
            n.text(&format!("/tmp/.tmpAbc/sessions-2/chapter-2/{hash}.json")),
            "<session_dir>/chapter-2/<sha256 of session id #1>.json"
        );
    }

    fn http_date(at: OffsetDateTime) -> String {
        at.format(&Rfc2822).unwrap().replace("+0000", "GMT")
    }

    #[test]
    fn expires_is_shown_relative_to_the_request() {
        let mut n = Normaliser::default();
        let sent_at = OffsetDateTime::now_utc();
        let sliding = format!(
            "chapter4_session={ID}; HttpOnly; Max-Age=300; Expires={}",
            http_date(sent_at + Duration::seconds(300))
        );
        assert_eq!(
            n.set_cookie(&sliding, sent_at),
            "chapter4_session=<session id #1>; HttpOnly; Max-Age=300; Expires=<request time + 300 s>"
        );
        let removal = format!(
            "chapter4_session=; Path=/; Max-Age=0; Expires={}",
            http_date(sent_at - Duration::days(365))
        );
        assert_eq!(
            n.set_cookie(&removal, sent_at),
            "chapter4_session=; Path=/; Max-Age=0; Expires=<a date in the past>"
        );
    }

    #[test]
    #[should_panic(expected = "Max-Age says 300")]
    fn an_expires_that_disagrees_with_max_age_stops_the_run() {
        let sent_at = OffsetDateTime::now_utc();
        let week = format!(
            "chapter3_session=abc; Max-Age=300; Expires={}",
            http_date(sent_at + Duration::weeks(1))
        );
        Normaliser::default().set_cookie(&week, sent_at);
    }

    #[test]
    fn folders_are_named_whole_even_when_one_name_starts_another() {
        let mut n = Normaliser::default();
        n.session_dir(std::path::Path::new("/tmp/x/sessions-4"));
        n.session_dir(std::path::Path::new("/tmp/x/sessions-4.idle"));
        n.named_session_dir(std::path::Path::new("/tmp/x/files-a"), "<session_dir A>");
        assert_eq!(n.text("/tmp/x/sessions-4.idle/chapter-4"), "<session_dir>/chapter-4");
        assert_eq!(n.text("/tmp/x/sessions-4/chapter-4"), "<session_dir>/chapter-4");
        assert_eq!(n.text("/tmp/x/files-a/chapter-4"), "<session_dir A>/chapter-4");
    }

    #[test]
    fn redis_keys_show_the_default_prefix_and_the_hash_placeholder() {
        let mut n = Normaliser::default();
        n.key_prefix("transcripts-41-7:chapter-5:session:", "chapter-5:session:");
        n.key_prefix("transcripts-41-7-idle:chapter-5:session:", "chapter-5:session:");
        n.port(18601, 6379);
        n.cookie_value(ID);
        let hash = format!("{:x}", Sha256::digest(ID.as_bytes()));
        assert_eq!(
            n.text(&format!("transcripts-41-7:chapter-5:session:{hash}")),
            "chapter-5:session:<sha256 of session id #1>"
        );
        assert_eq!(n.text("transcripts-41-7-idle:chapter-5:session:*"), "chapter-5:session:*");
        assert_eq!(n.text("redis://127.0.0.1:18601"), "redis://127.0.0.1:6379");
    }

    #[test]
    fn a_fresh_pttl_is_shown_as_the_lifetime() {
        assert_eq!(pttl(300_000, 300), "(integer) <≈ 300 s, in milliseconds>");
        assert_eq!(pttl(299_981, 300), "(integer) <≈ 300 s, in milliseconds>");
        assert_eq!(pttl(1_700, 2), "(integer) <≈ 2 s, in milliseconds>");
        assert_eq!(pttl(-2, 300), "(integer) -2 (no such key)");
    }

    #[test]
    #[should_panic(expected = "PTTL is 200000 ms")]
    fn a_pttl_far_below_the_lifetime_stops_the_run() {
        pttl(200_000, 300);
    }

    #[test]
    #[should_panic(expected = "no expiry")]
    fn a_record_without_expiry_stops_the_run() {
        pttl(-1, 300);
    }

    #[test]
    fn record_timestamps_become_what_they_mean() {
        let record = "{\n  \"theme\": \"dark\",\n  \"created_at\": \"2026-11-25T20:12:56.5Z\",\n  \"last_seen\": \"2026-11-25T20:13:38Z\"\n}";
        assert_eq!(
            Normaliser::default().record(record),
            "{\n  \"theme\": \"dark\",\n  \"created_at\": \"<time of sign-in>\",\n  \"last_seen\": \"<time of the last recorded request>\"\n}"
        );
    }
}
