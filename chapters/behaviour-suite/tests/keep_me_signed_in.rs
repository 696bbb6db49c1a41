//! Chapter 6's "Keep me signed in": the user chooses at sign-in between a
//! browser-session cookie and a persistent, sliding one; the server's own
//! limits are the same either way.

// A function that is neither a test nor used by one fails the build:
// no behaviour can be written and then never run.
#![deny(dead_code)]

use rocket::http::Status;
use rocket::time::Duration;

use behaviour_suite::*;
use rstest::rstest;
use rstest_reuse::apply;
use tutorial::{Chapter, CookieExpiry};

/// How long a remembered cookie lasts when nothing is configured.
fn remember_lifetime(chapter: &Chapter) -> Duration {
    match chapter.cookie_expiry() {
        CookieExpiry::ChosenAtSignIn { default_remember_lifetime } => default_remember_lifetime,
        other => panic!("chapter {} decides for its users: {other:?}", chapter.number),
    }
}

/// The one session record's JSON.
fn the_record(app: &TestApp) -> serde_json::Value {
    let names = app.records();
    assert_eq!(names.len(), 1, "one record: {names:?}");
    serde_json::from_slice(&app.record(&names[0]).unwrap()).unwrap()
}

#[apply(chooser_chapters)]
fn chapter_6_defaults(#[case] chapter: Chapter) {
    assert_eq!(chapter.default_port, 8006);
    assert_eq!(chapter.cookie_name(), "chapter6_session");
    assert_eq!(chapter.store_folder(), "chapter-6");
    assert_eq!(chapter.default_session_lifetime(), Duration::seconds(1_800));
    assert_eq!(chapter.default_absolute_lifetime(), Duration::seconds(2_592_000));
    assert_eq!(remember_lifetime(&chapter), Duration::seconds(1_209_600));
}

#[apply(chooser_chapters)]
fn the_form_offers_the_box_unticked(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    let form = app.page("/login");
    assert!(
        form.contains(r#"<input type="checkbox" id="remember" name="remember">"#),
        "unticked by default: {form}"
    );
    assert!(form.contains(r#"<label for="remember">Keep me signed in</label>"#));
    // A refused username brings the form back with the box as it was.
    let response = app.post_login_with("", None, Some("on"));
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let again = response.into_string().unwrap();
    assert!(again.contains(r#"name="remember" checked>"#), "still ticked: {again}");
}

// ANCHOR: unticked
#[apply(chooser_chapters)]
fn unticked_is_a_browser_session_cookie(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    let cookie = app.sign_in_choosing("ada", false);
    assert_eq!(cookie.max_age(), None, "no Max-Age");
    assert_eq!(cookie.expires(), None, "no Expires: the browser drops it when it closes");
    assert_eq!(the_record(&app)["remember"], false, "the choice is in the record");
    app.wait(60);
    let response = app.get("/about");
    assert_eq!(response.status(), Status::Ok);
    assert!(session_cookie(&chapter, &response).is_none(), "nothing to re-send");
    let page = response.into_string().unwrap();
    assert!(page.contains("You chose not to be remembered"), "{page}");
    // The server's idle limit still applies.
    app.wait(chapter.default_session_lifetime().whole_seconds());
    assert_is_redirect_to(&app.get("/about"), "/login?next=/about");
    assert!(app.records().is_empty());
}
// ANCHOR_END: unticked

// ANCHOR: ticked
#[apply(chooser_chapters)]
fn ticked_is_a_persistent_sliding_cookie(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    let lifetime = remember_lifetime(&chapter);
    let cookie = app.sign_in_choosing("ada", true);
    assert_eq!(cookie.max_age(), Some(lifetime), "Max-Age is remember_lifetime");
    assert_eq!(cookie.expires_datetime(), Some(app.now() + lifetime));
    assert_eq!(the_record(&app)["remember"], true, "the choice is in the record");
    for _ in 0..3 {
        app.wait(600);
        let response = app.get("/about");
        assert_eq!(response.status(), Status::Ok);
        let slid = session_cookie(&chapter, &response).expect("re-sent on every response");
        assert_eq!(slid.value(), cookie.value(), "the same id");
        assert_eq!(slid.max_age(), Some(lifetime));
        assert_eq!(slid.expires_datetime(), Some(app.now() + lifetime), "pushed back");
        let page = response.into_string().unwrap();
        assert!(page.contains("You chose to be remembered"), "{page}");
    }
    // Remembered or not, the server refuses a session idle too long.
    app.wait(chapter.default_session_lifetime().whole_seconds());
    assert_is_redirect_to(&app.get("/about"), "/login?next=/about");
}
// ANCHOR_END: ticked

#[apply(chooser_chapters)]
fn remember_lifetime_is_configurable(#[case] chapter: Chapter) {
    let app = TestConfig::new(chapter).set("remember_lifetime", 600).launch();
    assert_eq!(app.sign_in_choosing("ada", true).max_age(), Some(Duration::seconds(600)));
    assert!(app.page("/login").contains("keeps the cookie for 10 minutes"));
}

#[apply(chooser_chapters)]
fn the_choice_survives_in_the_record(#[case] chapter: Chapter) {
    for remember in [false, true] {
        let app = TestApp::launch(chapter);
        app.sign_in_choosing("ada", remember);
        app.post_theme("/home");
        app.wait(300); // a refresh is due: the record is rewritten
        assert_signed_in_as(&app.page("/home"), "ada");
        let record = the_record(&app);
        assert_eq!(record["theme"], "light");
        assert_eq!(record["remember"], remember, "kept through every rewrite");
        let response = app.get("/about");
        assert_eq!(session_cookie(&chapter, &response).is_some(), remember);
    }
}

// ANCHOR: both_end
/// However often the user comes back, within the idle limit every time,
/// the session ends 30 days after sign-in; a remembered cookie's `Max-Age`
/// shrinks to the time left on the way.
#[apply(chooser_chapters)]
fn both_choices_end_at_the_absolute_deadline(#[case] chapter: Chapter) {
    let pause = chapter.default_session_lifetime() - Duration::seconds(1);
    for remember in [false, true] {
        let app = TestApp::launch(chapter);
        let deadline = app.now() + chapter.default_absolute_lifetime();
        app.sign_in_choosing("ada", remember);
        while app.now() + pause < deadline {
            app.wait_for(pause);
            let response = app.get("/about");
            assert_eq!(response.status(), Status::Ok, "remember={remember}");
            let max_age = session_cookie(&chapter, &response).and_then(|c| c.max_age());
            let expected = remember.then(|| remember_lifetime(&chapter).min(deadline - app.now()));
            assert_eq!(max_age, expected, "remember={remember}");
        }
        app.wait_for(deadline - app.now());
        let response = app.get("/about");
        assert_is_redirect_to(&response, "/login?next=/about");
        assert!(is_removal(&session_cookie(&chapter, &response).expect("removed")));
        assert!(app.records().is_empty(), "remember={remember}: the record is deleted");
    }
}
// ANCHOR_END: both_end

// ANCHOR: forged_remember
/// The box sends `on` or nothing. Anything else is no answer to the
/// question: the form comes back (422) saying so, with nothing stored, and
/// the server never guesses.
#[apply(chooser_chapters)]
fn a_forged_remember_value_gets_the_form_again(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    for forged in ["maybe", "", "true", "off", "on on", "ON", "%00", "🦀"] {
        let response = app.post_login_with("ada", Some("/about"), Some(forged));
        assert_eq!(response.status(), Status::UnprocessableEntity, "{forged:?}");
        assert!(set_cookies(&response).is_empty(), "no session for {forged:?}");
        let body = response.into_string().unwrap();
        assert!(body.contains("is a checkbox: tick it or leave it empty"), "{forged:?}: {body}");
        assert!(body.contains(r#"name="username" value="ada""#), "the name is kept");
        assert_eq!(hidden_next(&body), "/about", "next survives the retry");
    }
    // Twice, as a forged form may send it, in either order.
    for body in
        ["remember=maybe&remember=on", "remember=on&remember=maybe", "remember=on&remember=on"]
    {
        let response = app.post_form("/login", format!("username=ada&{body}"));
        assert_eq!(response.status(), Status::UnprocessableEntity, "{body}");
    }
    assert!(app.records().is_empty(), "nothing was stored");
}
// ANCHOR_END: forged_remember

#[apply(deciding_chapters)]
fn chapters_that_decide_offer_no_box_and_ignore_the_field(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    assert!(!app.page("/login").contains("Keep me signed in"), "no box");
    for sent in ["on", "maybe"] {
        let response = app.post_login_with("ada", None, Some(sent));
        assert_is_redirect_to(&response, "/home");
        let cookie = session_cookie(&chapter, &response).expect("a session");
        assert_eq!(cookie.max_age(), cookie_lifetime(&chapter, false), "the chapter decides");
        app.post_logout();
    }
}
