//! Durations, and how the pages say them.

use rocket::time::Duration;

// ANCHOR: lifetimes
/// Flask's default `PERMANENT_SESSION_LIFETIME`, used as the server-side idle
/// limit of the non-persistent chapters.
pub const THIRTY_ONE_DAYS: Duration = Duration::days(31);

/// The tutorial's persistent session: five minutes of inactivity.
pub const FIVE_MINUTES: Duration = Duration::minutes(5);

/// The absolute limit of chapters 1 to 5: a working day, counted from
/// sign-in, however busy the session.
pub const TWELVE_HOURS: Duration = Duration::hours(12);
// ANCHOR_END: lifetimes

// ANCHOR: remember_lifetimes
/// Chapter 6's idle limit, whether or not the user asked to be remembered.
pub const THIRTY_MINUTES: Duration = Duration::minutes(30);

/// Chapter 6's "Keep me signed in": how long the browser keeps the cookie.
pub const FOURTEEN_DAYS: Duration = Duration::days(14);

/// Chapter 6's absolute limit: a month after sign-in, sign in again.
pub const THIRTY_DAYS: Duration = Duration::days(30);
// ANCHOR_END: remember_lifetimes

/// "31 days", "5 minutes", "1 hour 30 seconds": what a learner reads in the
/// session panel, exact to the second.
pub fn describe(duration: Duration) -> String {
    let total = duration.whole_seconds().max(0);
    if total == 0 {
        return "0 seconds".into();
    }
    let parts = [
        (total / 86_400, "day"),
        (total % 86_400 / 3_600, "hour"),
        (total % 3_600 / 60, "minute"),
        (total % 60, "second"),
    ];
    parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| format!("{n} {unit}{}", if *n == 1 { "" } else { "s" }))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_the_chapter_defaults() {
        assert_eq!(describe(THIRTY_ONE_DAYS), "31 days");
        assert_eq!(describe(FIVE_MINUTES), "5 minutes");
        assert_eq!(describe(TWELVE_HOURS), "12 hours");
        assert_eq!(describe(FOURTEEN_DAYS), "14 days");
        assert_eq!(describe(Duration::seconds(3)), "3 seconds");
        assert_eq!(describe(Duration::seconds(3_661)), "1 hour 1 minute 1 second");
        assert_eq!(describe(Duration::ZERO), "0 seconds");
    }
}
