//! Rotating the secret key: in the chapters that seal the session into the
//! cookie, `previous_secret_keys` still opens cookies sealed before the
//! current `secret_key`, and every seal uses the current key. In the
//! server-side chapters the key seals nothing, so changing it signs nobody
//! out.

// A function that is neither a test nor used by one fails the build:
// no behaviour can be written and then never run.
#![deny(dead_code)]
// `figment::Jail` closures must return `figment::Error`, which is large.
#![allow(clippy::result_large_err)]

use rocket::figment::Jail;
use rocket::http::{Cookie, Status};
use rocket::local::blocking::Client;

use behaviour_suite::SessionRecord;
use behaviour_suite::*;
use launcher::app;
use rstest::rstest;
use rstest_reuse::apply;
use tutorial::key_rotation::{PreviousKey, PreviousKeys};
use tutorial::{Chapter, ManualClock};

// Three keys, as `openssl rand -base64 32` makes them. Test keys only.
const OLD_KEY: &str = "VOmag5UHGUq10NqfvG0fCp7+mJfALTi7ALBZUIMpCeo=";
const NEW_KEY: &str = "EYZf8KOQiaPIPpGruiQ4BQrh95yJi7YbZX6aDBXvMns=";
const OTHER_KEY: &str = "w1p9HXwqMVF2TWbbYksccqCSAZum6pCCflKM68Ip5UA=";
/// Each key, with the name a failing test shows instead of the key.
const ALL_KEYS: [(&str, &str); 3] = [("old", OLD_KEY), ("new", NEW_KEY), ("other", OTHER_KEY)];

/// The chapter with `secret_key` = `key` and `previous_secret_keys` =
/// `previous`, on `clock`.
fn keyed(chapter: Chapter, clock: &ManualClock, key: &str, previous: &[&str]) -> TestApp {
    TestConfig::new(chapter)
        .set("secret_key", key)
        .set("previous_secret_keys", previous)
        .on_clock(clock.clone())
        .launch()
}

/// The names of the keys among [`ALL_KEYS`] that open the sealed cookie
/// `cookie`: `["new"]` for a cookie sealed with `NEW_KEY`.
fn keys_that_open(cookie: &Cookie<'_>) -> Vec<&'static str> {
    let opens = |key: &str| {
        let key = PreviousKey::parse(key).expect("a well-formed key");
        PreviousKeys::new(vec![key]).open(cookie).is_some()
    };
    ALL_KEYS.into_iter().filter(|(_, key)| opens(key)).map(|(name, _)| name).collect()
}

/// The session in the sealed cookie, opened with `key`.
fn opened_with(key: &str, cookie: &Cookie<'_>) -> SessionRecord {
    let keys = PreviousKeys::new(vec![PreviousKey::parse(key).unwrap()]);
    let opened = keys.open(cookie).expect("the cookie opens with the key");
    SessionRecord::from_json(opened.value().as_bytes()).expect("a session record")
}

// ANCHOR: sealed_again
#[apply(sealed_cookie_chapters)]
fn a_cookie_of_a_previous_key_is_sealed_again_with_the_current_one(#[case] chapter: Chapter) {
    let clock = ManualClock::default();
    let before = keyed(chapter, &clock, OLD_KEY, &[]);
    let old_cookie = before.sign_in("ada");
    assert_eq!(keys_that_open(&old_cookie), ["old"]);

    // The new key is the secret_key; the old one moved to the list.
    let after = keyed(chapter, &clock, NEW_KEY, &[OLD_KEY]);
    let response = after.get_with_cookie("/about", &old_cookie);
    assert_eq!(response.status(), Status::Ok, "still signed in");
    let resealed = session_cookie(&chapter, &response).expect("sealed again, on this response");
    assert_eq!(keys_that_open(&resealed), ["new"], "with the current key only");
    assert_signed_in_as(&response.into_string().unwrap(), "ada");

    // The same session, not a new one: same sign-in time, same token.
    let (old, new) = (opened_with(OLD_KEY, &old_cookie), opened_with(NEW_KEY, &resealed));
    assert_eq!(new.created_at, old.created_at, "the absolute limit still counts from sign-in");
    assert_eq!(new.csrf_token.as_str(), old.csrf_token.as_str());
    assert_eq!(new.data.user_name, old.data.user_name);

    // A form of a page loaded before the change carries the same token.
    let form = format!("next=/home&csrf_token={}", old.csrf_token.as_str());
    assert_is_redirect_to(&after.post_form("/theme", form), "/home");

    // The browser holds the new cookie: the old key is no longer needed.
    let later = keyed(chapter, &clock, NEW_KEY, &[]);
    assert_signed_in_as(&later.get_with_cookie("/about", &resealed).into_string().unwrap(), "ada");
}
// ANCHOR_END: sealed_again

// ANCHOR: every_seal
#[apply(sealed_cookie_chapters)]
fn every_seal_uses_the_current_key(#[case] chapter: Chapter) {
    let clock = ManualClock::default();
    let old_cookie = keyed(chapter, &clock, OLD_KEY, &[]).sign_in("grace");
    let app = keyed(chapter, &clock, NEW_KEY, &[OLD_KEY, OTHER_KEY]);
    let mut seals = 0;
    let mut check = |response: &rocket::local::blocking::LocalResponse<'_>, step: &str| {
        for cookie in set_cookies(response) {
            if cookie.name() == chapter.cookie_name() && !is_removal(&cookie) {
                assert_eq!(keys_that_open(&cookie), ["new"], "{step}: sealed with the wrong key");
                seals += 1;
            }
        }
    };
    // A cookie of a previous key, sealed again.
    check(&app.get_with_cookie("/about", &old_cookie), "a cookie of the old key");
    // Everything else that seals: sign-in, its message shown, a change, its
    // message shown, and activity recorded a refresh step later.
    check(&app.post_login("ada", None), "sign-in");
    check(&app.get("/home"), "the page after sign-in");
    check(&app.post_theme("/home"), "the theme changed");
    check(&app.get("/home"), "the page after the change");
    app.wait_for(default_policy(&chapter).refresh_step);
    check(&app.get("/about"), "activity recorded");
    assert!(seals >= 6, "every step sealed something: {seals} seals");
}
// ANCHOR_END: every_seal

#[apply(sealed_cookie_chapters)]
fn a_cookie_no_listed_key_opens_is_signed_out(#[case] chapter: Chapter) {
    let clock = ManualClock::default();
    let old_cookie = keyed(chapter, &clock, OLD_KEY, &[]).sign_in("ada");
    for previous in [&[][..], &[OTHER_KEY][..]] {
        let app = keyed(chapter, &clock, NEW_KEY, previous);
        let response = app.get_with_cookie("/about", &old_cookie);
        assert_is_redirect_to(&response, "/login?next=/about");
        let removed = session_cookie(&chapter, &response).expect("the cookie is removed");
        assert!(is_removal(&removed), "previous keys {previous:?}: {removed}");
    }
}

#[apply(sealed_cookie_chapters)]
fn any_key_of_the_list_opens(#[case] chapter: Chapter) {
    let clock = ManualClock::default();
    let old_cookie = keyed(chapter, &clock, OLD_KEY, &[]).sign_in("ada");
    let app = keyed(chapter, &clock, NEW_KEY, &[OTHER_KEY, OLD_KEY]);
    let response = app.get_with_cookie("/about", &old_cookie);
    assert_eq!(response.status(), Status::Ok, "the second key of the list opens it");
}

#[apply(sealed_cookie_chapters)]
fn an_expired_cookie_of_a_previous_key_stays_expired(#[case] chapter: Chapter) {
    let clock = ManualClock::default();
    let old_cookie = keyed(chapter, &clock, OLD_KEY, &[]).sign_in("ada");
    let policy = default_policy(&chapter);
    clock.advance(policy.idle_lifetime.min(policy.absolute_lifetime));
    let app = keyed(chapter, &clock, NEW_KEY, &[OLD_KEY]);
    let response = app.get_with_cookie("/about", &old_cookie);
    assert_is_redirect_to(&response, "/login?next=/about");
    let cookie = session_cookie(&chapter, &response).expect("the cookie is removed");
    assert!(is_removal(&cookie), "not sealed again: {cookie}");
}

// ANCHOR: rotation_step_by_step
/// The rotation the book walks through: add the new key, move the old one
/// to the list, wait one idle limit, drop it. Whoever was active in between
/// stays signed in throughout; whoever was not had timed out anyway.
#[apply(sealed_cookie_chapters)]
fn a_rotation_step_by_step(#[case] chapter: Chapter) {
    let clock = ManualClock::default();
    let idle_limit: u64 = 600;
    let config = |key: &str, previous: &[&str]| {
        TestConfig::new(chapter)
            .lifetime(idle_limit)
            .without_absolute_limit()
            .set("secret_key", key)
            .set("previous_secret_keys", previous)
            .on_clock(clock.clone())
    };
    // 1. Before: one key. Ada and Grace sign in.
    let before = config(OLD_KEY, &[]).launch();
    let ada = before.sign_in("ada");
    let grace = before.sign_in("grace");

    // 2. The new key is secret_key, the old one is a previous key. Ada
    //    comes back halfway through the idle limit; Grace does not.
    let during = config(NEW_KEY, &[OLD_KEY]).launch();
    clock.advance(rocket::time::Duration::seconds(idle_limit as i64 / 2));
    let ada = session_cookie(&chapter, &during.get_with_cookie("/about", &ada))
        .expect("Ada's cookie, sealed again");
    assert_eq!(keys_that_open(&ada), ["new"]);

    // 3. One idle limit after the change, every cookie of the old key that
    //    nobody used since has timed out, even with the old key listed.
    clock.advance(rocket::time::Duration::seconds(idle_limit as i64 / 2));
    assert_is_redirect_to(&during.get_with_cookie("/about", &grace), "/login?next=/about");

    // 4. The old key is dropped: Ada, active meanwhile, is still signed in.
    let after = config(NEW_KEY, &[]).launch();
    assert_signed_in_as(&after.get_with_cookie("/about", &ada).into_string().unwrap(), "ada");
}
// ANCHOR_END: rotation_step_by_step

#[apply(every_chapter)]
fn a_malformed_previous_key_stops_the_launch(#[case] chapter: Chapter) {
    let bad_values: [(&str, serde_json::Value); 4] = [
        ("not base64", serde_json::json!(["this is not a key at all, not even close!!"])),
        ("too short", serde_json::json!(["c2hvcnQ="])),
        // 44 characters, as a key is written, but 31 bytes.
        ("31 bytes", serde_json::json!(["BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBw=="])),
        ("a string, not a list", serde_json::json!(OLD_KEY)),
    ];
    for (what, value) in bad_values {
        let (rocket, _root) =
            TestConfig::new(chapter).set("previous_secret_keys", value).into_rocket();
        let error = Client::tracked(rocket).err().unwrap_or_else(|| panic!("{what}: launched"));
        assert!(
            matches!(error.kind(), rocket::error::ErrorKind::FailedFairings(f)
                if f.iter().any(|f| f.name == "Session manager")),
            "{what}: refused by the session manager, not for {error}"
        );
    }
}

#[apply(every_chapter)]
fn the_development_key_is_no_previous_key_outside_debug(#[case] chapter: Chapter) {
    use tutorial::secret_key::DEVELOPMENT_SECRET_KEY;
    Jail::expect_with(|jail| {
        clear_rocket_env(jail);
        jail.create_file("Rocket.toml", &format!("[default]\ntemplate_dir = \"{TEMPLATES}\"\n"))?;
        jail.set_env("ROCKET_SESSION_DIR", jail.directory().display().to_string());
        jail.set_env("ROCKET_SECRET_KEY", NEW_KEY);
        jail.set_env("ROCKET_PREVIOUS_SECRET_KEYS", format!("[\"{DEVELOPMENT_SECRET_KEY}\"]"));
        rocket::execute(app(chapter).ignite()).expect("listed in debug, while learning");
        jail.set_env("ROCKET_PROFILE", "release");
        let error = rocket::execute(app(chapter).ignite()).expect_err("refused in release");
        assert!(
            matches!(error.kind(), rocket::error::ErrorKind::FailedFairings(f)
                if f.iter().any(|f| f.name == "Refuse the development key")),
            "refused because of the development key, not for {error}"
        );
        jail.set_env("ROCKET_PREVIOUS_SECRET_KEYS", format!("[\"{OLD_KEY}\"]"));
        rocket::execute(app(chapter).ignite()).expect("another previous key launches");
        Ok(())
    });
}

/// `ROCKET_PREVIOUS_SECRET_KEYS` is read from the environment, as a list.
#[apply(sealed_cookie_chapters)]
fn previous_keys_can_come_from_the_environment(#[case] chapter: Chapter) {
    let old_cookie = keyed(chapter, &ManualClock::default(), OLD_KEY, &[]).sign_in("ada");
    Jail::expect_with(|jail| {
        clear_rocket_env(jail);
        jail.create_file("Rocket.toml", &format!("[default]\ntemplate_dir = \"{TEMPLATES}\"\n"))?;
        jail.set_env("ROCKET_LOG_LEVEL", "off");
        jail.set_env("ROCKET_SECRET_KEY", NEW_KEY);
        jail.set_env("ROCKET_PREVIOUS_SECRET_KEYS", format!("[\"{OTHER_KEY}\", \"{OLD_KEY}\"]"));
        let client = Client::tracked(app(chapter)).expect("launches");
        let response = client.get("/about").cookie(old_cookie.clone()).dispatch();
        assert_eq!(response.status(), Status::Ok, "opened with a key from the environment");
        Ok(())
    });
}

// ANCHOR: no_key_seals_an_id
/// A server-side chapter's cookie carries a random id that no key seals:
/// a new `secret_key` signs nobody out, and there is nothing to rotate.
#[apply(server_side_chapters)]
fn a_new_key_signs_nobody_out_where_the_cookie_is_an_id(#[case] chapter: Chapter) {
    let (folder, prefix) = (tempfile::tempdir().unwrap(), unique_key_prefix(&chapter));
    let config = |key: &str| {
        TestConfig::new(chapter)
            .set("secret_key", key)
            .set("session_dir", folder.path())
            .set("session_key_prefix", &prefix)
    };
    let before = config(OLD_KEY).launch();
    let cookie = before.sign_in("ada");
    let after = config(NEW_KEY).launch();
    let response = after.get_with_cookie("/about", &cookie);
    assert_eq!(response.status(), Status::Ok);
    assert_signed_in_as(&response.into_string().unwrap(), "ada");
}
// ANCHOR_END: no_key_seals_an_id
