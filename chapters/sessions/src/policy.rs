//! When a session ends: the server's own rules, the same in every chapter
//! whatever keeps the session. The stores below only store; the session
//! code asks this policy whether a record is still live, whether its
//! activity is worth recording, and how long a store may keep it.

use rocket::time::{Duration, OffsetDateTime};

use crate::record::SessionRecord;

// ANCHOR: expiry_policy
/// The server's own idle limit, and how often it records activity.
///
/// Recording every request would mean re-encrypting the cookie or
/// rewriting the record on every page, for nothing: a request one second
/// after the last changes nothing that matters. So activity is recorded
/// only when the last record is at least `refresh_step` old — 1% of the
/// lifetime, at most a minute. A session may therefore end up to one step
/// *early* (3 s of a 5-minute limit, or a minute of 31 days), never late.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpiryPolicy {
    /// `session_lifetime`: how long a session may go without a request.
    pub idle_lifetime: Duration,
    pub refresh_step: Duration,
}
// ANCHOR_END: expiry_policy

/// What the policy says about a record at a given moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Past its limit: the session is over, and the record goes.
    Expired,
    /// Live, and its recorded activity is recent enough: nothing to write.
    Live,
    /// Live, and the activity is worth recording now.
    RefreshDue,
}

impl ExpiryPolicy {
    /// Longest refresh step, whatever the lifetime.
    pub const MAX_REFRESH_STEP: Duration = Duration::minutes(1);

    pub fn new(idle_lifetime: Duration) -> Self {
        let refresh_step = (idle_lifetime / 100_i32).min(Self::MAX_REFRESH_STEP);
        ExpiryPolicy { idle_lifetime, refresh_step }
    }

    // ANCHOR: verdict
    /// Is `record` live at `now`, and is its activity worth recording?
    pub fn verdict(&self, record: &SessionRecord, now: OffsetDateTime) -> Verdict {
        let idle = now - record.last_seen;
        if idle >= self.idle_lifetime {
            Verdict::Expired
        } else if idle >= self.refresh_step {
            Verdict::RefreshDue
        } else {
            Verdict::Live
        }
    }
    // ANCHOR_END: verdict

    pub fn is_expired(&self, record: &SessionRecord, now: OffsetDateTime) -> bool {
        self.verdict(record, now) == Verdict::Expired
    }

    /// How long a store may keep `record` from `now` on: until it would be
    /// expired, if no request came. At least a millisecond, so that a store
    /// never gets a time-to-live of zero.
    pub fn time_to_live(&self, record: &SessionRecord, now: OffsetDateTime) -> Duration {
        (record.last_seen + self.idle_lifetime - now).max(Duration::milliseconds(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{SessionData, Theme};

    fn record(now: OffsetDateTime) -> SessionRecord {
        let data = SessionData { user_name: "ada".into(), lang: "en".into(), theme: Theme::Dark };
        SessionRecord::new(data, now)
    }

    #[test]
    fn refresh_step_is_one_percent_of_the_lifetime_at_most_a_minute() {
        assert_eq!(ExpiryPolicy::new(Duration::minutes(5)).refresh_step, Duration::seconds(3));
        assert_eq!(
            ExpiryPolicy::new(Duration::seconds(3)).refresh_step,
            Duration::milliseconds(30)
        );
        assert_eq!(ExpiryPolicy::new(Duration::days(31)).refresh_step, Duration::minutes(1));
    }

    #[test]
    fn idle_is_measured_to_the_nanosecond_from_the_recorded_activity() {
        let policy = ExpiryPolicy::new(Duration::seconds(3));
        let start = OffsetDateTime::now_utc();
        let r = record(start);
        let at = |ms| policy.verdict(&r, start + Duration::milliseconds(ms));
        assert_eq!(at(29), Verdict::Live);
        assert_eq!(at(30), Verdict::RefreshDue);
        assert_eq!(at(2_999), Verdict::RefreshDue);
        assert_eq!(at(3_000), Verdict::Expired);
    }

    #[test]
    fn a_store_keeps_a_record_until_its_idle_deadline() {
        let policy = ExpiryPolicy::new(Duration::minutes(5));
        let start = OffsetDateTime::now_utc();
        let r = record(start);
        assert_eq!(policy.time_to_live(&r, start), Duration::minutes(5));
        assert_eq!(policy.time_to_live(&r, start + Duration::minutes(2)), Duration::minutes(3));
        assert_eq!(
            policy.time_to_live(&r, start + Duration::minutes(9)),
            Duration::milliseconds(1)
        );
    }
}
