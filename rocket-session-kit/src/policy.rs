//! When a session ends: the server's own rules, the same whatever keeps
//! the session. The stores below only store; the session
//! code asks this policy whether a record is still live, whether its
//! activity is worth recording, how long a store may keep it, and how long
//! the browser may keep a persistent cookie.

use rocket::time::{Duration, OffsetDateTime};

use crate::record::SessionRecord;

// ANCHOR: expiry_policy
/// The server's two limits, and how often it records activity.
///
/// - The *idle* limit ends a session that went `idle_lifetime` without a
///   request: a forgotten session dies by itself.
/// - The *absolute* limit ends every session `absolute_lifetime` after its
///   sign-in (`created_at`, sealed in the cookie or stored in the record,
///   never moved), however busy it is: a stolen cookie, or one a script
///   keeps alive, stops working then too (OWASP's "absolute timeout"). The
///   server checks it on its own clock, so a replayed cookie or record is
///   refused like any other.
///
/// A session ends at the *sooner* of the two deadlines, and nothing is kept
/// past it: a store keeps a record until then ([`Self::time_to_live`]), and
/// a persistent cookie's `Max-Age` never reaches beyond it
/// ([`Self::cookie_max_age`]).
///
/// Recording every request would mean re-encrypting the cookie or
/// rewriting the record on every page, for nothing: a request one second
/// after the last changes nothing that matters. So activity is recorded
/// only when the last record is at least `refresh_step` old — 1% of the
/// idle limit, at most a minute. A session may therefore end up to one step
/// *early* (3 s of a 5-minute limit, or a minute of 31 days), never late.
/// The absolute deadline does not move, so it is exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpiryPolicy {
    /// `session_lifetime`: how long a session may go without a request.
    pub idle_lifetime: Duration,
    /// `session_absolute_lifetime`: how long a session may last from its
    /// sign-in, whatever its activity.
    pub absolute_lifetime: Duration,
    /// How far behind `last_seen` may fall before a request records its
    /// activity again: a hundredth of the idle limit, at most
    /// [`Self::MAX_REFRESH_STEP`]. It spares a write per request.
    pub refresh_step: Duration,
}
// ANCHOR_END: expiry_policy

/// What the policy says about a record at a given moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Past one of its limits: the session is over, and the record goes.
    Expired,
    /// Live, and its recorded activity is recent enough: nothing to write.
    Live,
    /// Live, and the activity is worth recording now.
    RefreshDue,
}

impl ExpiryPolicy {
    /// Longest refresh step, whatever the lifetime.
    pub const MAX_REFRESH_STEP: Duration = Duration::minutes(1);

    /// The policy of these two limits, its refresh step worked out from
    /// the idle limit.
    pub fn new(idle_lifetime: Duration, absolute_lifetime: Duration) -> Self {
        let refresh_step = (idle_lifetime / 100_i32).min(Self::MAX_REFRESH_STEP);
        ExpiryPolicy { idle_lifetime, absolute_lifetime, refresh_step }
    }

    // ANCHOR: deadlines
    /// When `record` ends if no request comes: `idle_lifetime` after its
    /// last recorded activity.
    pub fn idle_deadline<T>(&self, record: &SessionRecord<T>) -> OffsetDateTime {
        record.last_seen.saturating_add(self.idle_lifetime)
    }

    /// When `record` ends whatever happens: `absolute_lifetime` after its
    /// sign-in.
    pub fn absolute_deadline<T>(&self, record: &SessionRecord<T>) -> OffsetDateTime {
        record.created_at.saturating_add(self.absolute_lifetime)
    }

    /// When `record` ends if no request comes: the sooner deadline.
    pub fn deadline<T>(&self, record: &SessionRecord<T>) -> OffsetDateTime {
        self.idle_deadline(record).min(self.absolute_deadline(record))
    }
    // ANCHOR_END: deadlines

    // ANCHOR: verdict
    /// Is `record` live at `now`, and is its activity worth recording?
    pub fn verdict<T>(&self, record: &SessionRecord<T>, now: OffsetDateTime) -> Verdict {
        let idle = now - record.last_seen;
        if now >= self.deadline(record) {
            Verdict::Expired
        } else if idle >= self.refresh_step {
            Verdict::RefreshDue
        } else {
            Verdict::Live
        }
    }
    // ANCHOR_END: verdict

    /// Has `record` passed either limit at `now`?
    pub fn is_expired<T>(&self, record: &SessionRecord<T>, now: OffsetDateTime) -> bool {
        self.verdict(record, now) == Verdict::Expired
    }

    /// How long a store may keep `record` from `now` on: until the sooner
    /// deadline, if no request came. At least a millisecond, so that a
    /// store never gets a time-to-live of zero.
    pub fn time_to_live<T>(&self, record: &SessionRecord<T>, now: OffsetDateTime) -> Duration {
        (self.deadline(record) - now).max(Duration::milliseconds(1))
    }

    // ANCHOR: cookie_max_age
    /// The `Max-Age` of a persistent cookie that would last `lifetime`,
    /// sent at `now` for `record`: never beyond the absolute deadline, so
    /// that the browser forgets the cookie when the server stops honouring
    /// it. (The idle deadline moves with every request and the cookie is
    /// re-sent with it, so only the absolute one caps the cookie.) Whole
    /// seconds, rounded down, as `Max-Age` is written.
    pub fn cookie_max_age<T>(
        &self,
        lifetime: Duration,
        record: &SessionRecord<T>,
        now: OffsetDateTime,
    ) -> Duration {
        let left = self.absolute_deadline(record) - now;
        Duration::seconds(lifetime.min(left).whole_seconds().max(0))
    }
    // ANCHOR_END: cookie_max_age
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_data::Visitor;

    /// An absolute limit far beyond what a test plays out.
    const NO_ABSOLUTE: Duration = Duration::days(3650);

    fn record(now: OffsetDateTime) -> SessionRecord<Visitor> {
        let data = Visitor::named("ada");
        SessionRecord::new(data, now, crate::csrf::CsrfToken::for_tests())
    }

    #[test]
    fn refresh_step_is_one_percent_of_the_lifetime_at_most_a_minute() {
        assert_eq!(
            ExpiryPolicy::new(Duration::minutes(5), NO_ABSOLUTE).refresh_step,
            Duration::seconds(3)
        );
        assert_eq!(
            ExpiryPolicy::new(Duration::seconds(3), NO_ABSOLUTE).refresh_step,
            Duration::milliseconds(30)
        );
        assert_eq!(
            ExpiryPolicy::new(Duration::days(31), NO_ABSOLUTE).refresh_step,
            Duration::minutes(1)
        );
    }

    #[test]
    fn idle_is_measured_to_the_nanosecond_from_the_recorded_activity() {
        let policy = ExpiryPolicy::new(Duration::seconds(3), NO_ABSOLUTE);
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
        let policy = ExpiryPolicy::new(Duration::minutes(5), NO_ABSOLUTE);
        let start = OffsetDateTime::now_utc();
        let r = record(start);
        assert_eq!(policy.time_to_live(&r, start), Duration::minutes(5));
        assert_eq!(policy.time_to_live(&r, start + Duration::minutes(2)), Duration::minutes(3));
        assert_eq!(
            policy.time_to_live(&r, start + Duration::minutes(9)),
            Duration::milliseconds(1)
        );
    }

    #[test]
    fn the_absolute_limit_ends_a_busy_session_at_its_sign_in_plus_the_limit() {
        let policy = ExpiryPolicy::new(Duration::minutes(5), Duration::hours(1));
        let start = OffsetDateTime::now_utc();
        let mut r = record(start);
        // Busy: a request every minute keeps the idle deadline ahead.
        r.last_seen = start + Duration::minutes(59);
        let at = |r: &SessionRecord<Visitor>, d: Duration| policy.verdict(r, start + d);
        assert_eq!(at(&r, Duration::minutes(59)), Verdict::Live);
        assert_eq!(at(&r, Duration::hours(1) - Duration::nanoseconds(1)), Verdict::RefreshDue);
        assert_eq!(at(&r, Duration::hours(1)), Verdict::Expired, "exactly at the deadline");
        assert_eq!(policy.deadline(&r), start + Duration::hours(1));
        // A record whose last_seen someone moved past the deadline: still refused.
        r.last_seen = start + Duration::hours(2);
        assert_eq!(at(&r, Duration::hours(2)), Verdict::Expired);
    }

    #[test]
    fn a_store_keeps_a_record_until_the_sooner_deadline() {
        let policy = ExpiryPolicy::new(Duration::minutes(5), Duration::minutes(12));
        let start = OffsetDateTime::now_utc();
        let mut r = record(start);
        assert_eq!(policy.time_to_live(&r, start), Duration::minutes(5), "idle is sooner");
        r.last_seen = start + Duration::minutes(10);
        let now = r.last_seen;
        assert_eq!(policy.time_to_live(&r, now), Duration::minutes(2), "absolute is sooner");
    }

    #[test]
    fn a_persistent_cookie_never_outlives_the_absolute_deadline() {
        let policy = ExpiryPolicy::new(Duration::minutes(5), Duration::minutes(12));
        let start = OffsetDateTime::now_utc();
        let r = record(start);
        let five = Duration::minutes(5);
        assert_eq!(policy.cookie_max_age(five, &r, start), five);
        let late = start + Duration::minutes(10) + Duration::milliseconds(500);
        assert_eq!(policy.cookie_max_age(five, &r, late), Duration::seconds(119), "rounded down");
        assert_eq!(policy.cookie_max_age(five, &r, start + Duration::hours(1)), Duration::ZERO);
    }

    #[test]
    fn a_record_of_any_data_has_the_same_limits() {
        /// Data of another app than the tutorial's.
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        struct Cart {
            items: Vec<String>,
        }
        let start = OffsetDateTime::from_unix_timestamp(1_795_637_576).unwrap();
        let cart = Cart { items: vec!["tea".into()] };
        let record = SessionRecord::new(cart, start, crate::csrf::CsrfToken::for_tests());
        let policy = ExpiryPolicy::new(Duration::minutes(30), Duration::hours(12));
        assert_eq!(policy.verdict(&record, start + Duration::seconds(10)), Verdict::Live);
        assert_eq!(policy.verdict(&record, start + Duration::minutes(29)), Verdict::RefreshDue);
        assert_eq!(policy.verdict(&record, start + Duration::minutes(30)), Verdict::Expired);

        // Kept as the tutorial's is: the data beside the session's own fields.
        let json = serde_json::to_value(&record).unwrap();
        assert_eq!(json["items"][0], "tea");
        assert_eq!(json["created_at"], "2026-11-25T20:12:56.000000000+00:00");
        assert_eq!(serde_json::from_value::<SessionRecord<Cart>>(json).unwrap(), record);
    }
}
