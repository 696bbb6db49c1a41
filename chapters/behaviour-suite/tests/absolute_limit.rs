//! The absolute limit, in every chapter: a session ends
//! `session_absolute_lifetime` after its sign-in, however busy, and
//! nothing (no record, no cookie) outlives it.

// A function that is neither a test nor used by one fails the build:
// no behaviour can be written and then never run.
#![deny(dead_code)]

use rocket::http::{Cookie, Status};
use rocket::local::blocking::Client;
use rocket::time::format_description::well_known::Rfc3339;
use rocket::time::{Duration, OffsetDateTime};

use behaviour_suite::SessionRecord;
use behaviour_suite::*;
use rstest::rstest;
use rstest_reuse::apply;
use tutorial::{Chapter, Clock, ManualClock};

/// An absolute limit a busy session reaches in a few dozen requests, each
/// well within the chapter's idle limit: the chapter's own where that is
/// short enough (12 hours in chapters 1 and 2), else 20 idle limits. And
/// the pause between two requests.
fn busy_limits(chapter: &Chapter) -> (Duration, Duration) {
    let idle = chapter.default_session_lifetime();
    let absolute = chapter.default_absolute_lifetime().min(idle * 20_i32);
    (absolute, (idle / 2_i32).min(absolute / 20_i32))
}

fn seconds(duration: Duration) -> u64 {
    duration.whole_seconds().try_into().unwrap()
}

// ANCHOR: busy_session
#[apply(every_chapter)]
fn the_absolute_limit_ends_even_a_busy_session(#[case] chapter: Chapter) {
    let (absolute, pause) = busy_limits(&chapter);
    let app = TestConfig::new(chapter).absolute_lifetime(seconds(absolute)).launch();
    let signed_in_at = app.now();
    app.sign_in("ada");
    let deadline = signed_in_at + absolute;
    while app.now() + pause < deadline {
        app.wait_for(pause);
        assert_signed_in_as(&app.page("/about"), "ada");
    }
    app.wait_for(deadline - Duration::seconds(1) - app.now());
    assert_signed_in_as(&app.page("/about"), "ada"); // a second before the deadline
    app.wait(1);
    let response = app.get("/about");
    assert_is_redirect_to(&response, "/login?next=/about");
    assert!(is_removal(&session_cookie(&chapter, &response).expect("the cookie is removed")));
    assert_signed_out(&app.page("/home"));
    assert!(app.records().is_empty(), "the record is deleted with its session");
}
// ANCHOR_END: busy_session

/// A copy of the cookie kept alive by someone else (a thief who keeps the
/// re-sealed value, or replays the id) stops at the same deadline: the
/// check is on the server's clock against the sign-in time sealed in the
/// cookie or stored in the record.
#[apply(every_chapter)]
fn a_replayed_cookie_is_refused_past_the_absolute_deadline(#[case] chapter: Chapter) {
    let (absolute, pause) = busy_limits(&chapter);
    let clock = ManualClock::default();
    let config = TestConfig::new(chapter).absolute_lifetime(seconds(absolute));
    let (rocket, _root) = config.on_clock(clock.clone()).into_rocket();
    // Untracked: every request sends exactly the cookie it is given.
    let client = Client::untracked(rocket).unwrap();
    let about = |cookie: &Cookie<'static>| client.get("/about").cookie(cookie.clone()).dispatch();
    let deadline = clock.now() + absolute;
    let login = client
        .post("/login")
        .header(rocket::http::ContentType::Form)
        .body("username=ada")
        .dispatch();
    let mut copy = session_cookie(&chapter, &login).expect("sign-in sets the cookie");
    while clock.now() + pause < deadline - Duration::seconds(1) {
        clock.advance(pause);
        let used = about(&copy);
        assert_eq!(used.status(), Status::Ok, "the copy is kept alive");
        // Keep the freshest value, as a thief's cookie jar would.
        if let Some(fresh) = session_cookie(&chapter, &used) {
            copy = fresh;
        }
    }
    clock.advance(deadline - clock.now());
    assert_is_redirect_to(&about(&copy), "/login?next=/about");
}

/// A record whose `last_seen` says "active a moment ago" (restored from a
/// backup, or edited) is refused all the same once its sign-in is that
/// long ago: the absolute limit counts from `created_at`.
#[apply(server_side_chapters)]
fn a_record_with_fresh_activity_is_refused_past_the_absolute_deadline(#[case] chapter: Chapter) {
    let app = TestConfig::new(chapter).absolute_lifetime(3_600).launch();
    let cookie = app.sign_in("ada");
    app.wait(3_600);
    let name = app.records().pop().expect("one record");
    // Written as the server writes it: a record it cannot read would be
    // refused (and deleted) for that alone.
    let mut record = SessionRecord::from_json(&app.record(&name).unwrap()).expect("a record");
    record.last_seen = app.now();
    app.overwrite_record(&name, record.to_json().as_bytes());
    assert_is_redirect_to(&app.get_with_cookie("/about", &cookie), "/login?next=/about");
    assert!(app.records().is_empty(), "the record is deleted");
}

/// The `Max-Age` a response gives the session cookie, and its `Expires`.
fn max_age_and_expires(
    chapter: &Chapter,
    response: &rocket::local::blocking::LocalResponse<'_>,
) -> (Option<Duration>, Option<OffsetDateTime>) {
    let cookie = session_cookie(chapter, response).expect("a session cookie");
    (cookie.max_age(), cookie.expires_datetime())
}

// ANCHOR: max_age_shrinks
/// With an absolute deadline 100 s beyond the cookie's own lifetime, the
/// cookie starts with its full lifetime, and 150 s later (a request within
/// the idle limit) its `Max-Age` is the 50 s less that are left: the
/// browser forgets it when the server stops honouring it. A browser-session
/// cookie has no expiry to shrink.
#[apply(every_chapter)]
fn a_persistent_cookie_never_outlives_the_absolute_deadline(#[case] chapter: Chapter) {
    for &remember in remember_choices(&chapter) {
        let lifetime = cookie_lifetime(&chapter, remember);
        let absolute = lifetime.unwrap_or(Duration::hours(1)) + Duration::seconds(100);
        let app = TestConfig::new(chapter).absolute_lifetime(seconds(absolute)).launch();
        let deadline = app.now() + absolute;
        let response = app.post_login_with("ada", None, remember.then_some("on"));
        assert_is_redirect_to(&response, "/home");
        let (max_age, expires) = max_age_and_expires(&chapter, &response);
        assert_eq!(max_age, lifetime, "the idle deadline is sooner: the whole lifetime");
        assert_eq!(expires, lifetime.map(|l| app.now() + l));

        app.wait(150);
        let response = app.get("/about");
        assert_eq!(response.status(), Status::Ok);
        match lifetime {
            Some(lifetime) => {
                let (max_age, expires) = max_age_and_expires(&chapter, &response);
                assert_eq!(max_age, Some(lifetime - Duration::seconds(50)), "the time left");
                assert_eq!(expires, Some(deadline), "Expires is the absolute deadline");
            }
            None => {
                let reissued = session_cookie(&chapter, &response);
                assert!(reissued.is_none_or(|c| c.max_age().is_none() && c.expires().is_none()));
            }
        }
    }
}
// ANCHOR_END: max_age_shrinks

/// The body of the panel element `id`, from `page`.
fn element<'a>(page: &'a str, id: &str) -> &'a str {
    let start = page.find(&format!(r#"id="{id}""#)).unwrap_or_else(|| panic!("#{id}: {page}"));
    let end = start + page[start..].find("</dd>").expect("the element ends");
    &page[start..end]
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap()
}

// ANCHOR: panel_deadlines
#[apply(every_chapter)]
fn the_panel_shows_both_deadlines(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    let signed_out = app.page("/home");
    let limits = element(&signed_out, "session-limits");
    assert!(limits.contains(&describe(chapter.default_absolute_lifetime())), "{limits}");
    assert!(!signed_out.contains("session-idle-deadline"), "no deadline without a session");

    app.sign_in("ada");
    let start = app.now();
    app.wait(10);
    let page = app.page("/home");
    let (idle, absolute) =
        (chapter.default_session_lifetime(), chapter.default_absolute_lifetime());
    // The activity 10 s after sign-in is recorded (the refresh step is at
    // most a minute, but 10 s is within it in chapters 3 to 5: 3 s steps).
    let step = default_policy(&chapter).refresh_step;
    let last_seen = if step <= Duration::seconds(10) { app.now() } else { start };
    let idle_at = last_seen + idle;
    let idle_left = (idle_at - app.now()).whole_seconds();
    let shown = element(&page, "session-idle-deadline");
    assert!(shown.contains(&format!(r#"data-seconds-left="{idle_left}""#)), "{shown}");
    assert!(shown.contains(&format!(r#"<time datetime="{}">"#, rfc3339(idle_at))), "{shown}");
    assert!(shown.contains("unless you load a page before then"), "{shown}");
    assert!(shown.contains(&format!("in {}", describe(Duration::seconds(idle_left)))));

    let absolute_left = (absolute - Duration::seconds(10)).whole_seconds();
    let shown = element(&page, "session-absolute-deadline");
    assert!(shown.contains(&format!(r#"data-seconds-left="{absolute_left}""#)), "{shown}");
    let at = start + absolute;
    assert!(shown.contains(&format!(r#"<time datetime="{}">"#, rfc3339(at))), "{shown}");
    let readable = format!(
        "{}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    );
    assert!(shown.contains(&readable), "a time anyone can read: {shown}");
    assert!(shown.contains("whatever you do"), "{shown}");

    let soon = element(&page, "session-ending-soon");
    assert!(soon.contains(" hidden>"), "no warning with hours left: {soon}");
    assert!(page.contains("<script>") && page.contains("setInterval(tick, 1000)"), "a countdown");
}
// ANCHOR_END: panel_deadlines

#[apply(every_chapter)]
fn the_panel_warns_when_less_than_a_minute_is_left(#[case] chapter: Chapter) {
    // The absolute deadline first: no activity can push it back.
    let app = TestConfig::new(chapter).absolute_lifetime(90).launch();
    app.sign_in("ada");
    assert!(element(&app.page("/home"), "session-ending-soon").contains(" hidden>"));
    app.wait(31);
    let soon = element(&app.page("/home"), "session-ending-soon").to_owned();
    assert!(!soon.contains(" hidden"), "59 s left: {soon}");
    assert!(soon.contains(r#"data-sooner="absolute""#), "{soon}");
    assert!(soon.contains("Less than a minute left"), "{soon}");
    assert!(soon.contains("no activity can extend it"), "{soon}");

    // The idle deadline first: a page keeps the session, so the page says so.
    let app = TestConfig::new(chapter).lifetime(45).launch();
    app.sign_in("ada");
    let soon = element(&app.page("/home"), "session-ending-soon").to_owned();
    assert!(!soon.contains(" hidden"), "45 s of idle limit: {soon}");
    assert!(soon.contains(r#"data-sooner="idle""#), "{soon}");
    assert!(soon.contains("unless you load a page before then"), "{soon}");
}

/// "5 minutes", as the panel says durations.
fn describe(duration: Duration) -> String {
    let total = duration.whole_seconds();
    let parts = [
        (total / 86_400, "day"),
        (total % 86_400 / 3_600, "hour"),
        (total % 3_600 / 60, "minute"),
        (total % 60, "second"),
    ];
    let words: Vec<_> = parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| format!("{n} {unit}{}", if *n == 1 { "" } else { "s" }))
        .collect();
    if words.is_empty() {
        "0 seconds".into()
    } else {
        words.join(" ")
    }
}
