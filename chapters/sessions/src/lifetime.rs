//! Durations, and how the pages say them.

use rocket::time::Duration;

// ANCHOR: lifetimes
/// Flask's default `PERMANENT_SESSION_LIFETIME`, used as the server-side idle
/// limit of the non-persistent chapters.
pub const THIRTY_ONE_DAYS: Duration = Duration::days(31);

/// The tutorial's persistent session: five minutes of inactivity.
pub const FIVE_MINUTES: Duration = Duration::minutes(5);
// ANCHOR_END: lifetimes

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
        assert_eq!(describe(Duration::seconds(3)), "3 seconds");
        assert_eq!(describe(Duration::seconds(3_661)), "1 hour 1 minute 1 second");
        assert_eq!(describe(Duration::ZERO), "0 seconds");
    }
}
