//! A user's sessions: `/sessions` lists every session of the signed-in
//! user in the server-side chapters, and ends one or all the others; the
//! client-side chapters say why they cannot.

use behaviour_suite::devices::*;
use behaviour_suite::*;
use rocket::http::{Header, Status};
use rocket_db_pools::deadpool_redis::redis;
use rstest::rstest;
use rstest_reuse::apply;
use tutorial::Chapter;

/// Three browsers signed in as ada (and one as grace), on one server, with
/// the lifetime of `seconds` everywhere.
fn three_browsers_and_grace(chapter: Chapter, seconds: u64) -> [TestApp; 4] {
    let firefox = TestConfig::new(chapter).lifetime(seconds).launch();
    let chrome = another_browser(&firefox);
    let curl = another_browser(&firefox);
    let grace = another_browser(&firefox);
    sign_in_from(&firefox, "ada", FIREFOX);
    firefox.wait(1);
    sign_in_from(&chrome, "ada", CHROME);
    firefox.wait(1);
    sign_in_from(&curl, "ada", CURL);
    sign_in_from(&grace, "grace", FIREFOX);
    [firefox, chrome, curl, grace]
}

// ANCHOR: listed
#[apply(server_side_chapters)]
fn every_session_of_the_user_is_listed_with_this_one_marked(#[case] chapter: Chapter) {
    let [firefox, chrome, curl, grace] = three_browsers_and_grace(chapter, 300);
    let body = chrome.page("/sessions");
    let ada = [own_record(&firefox), own_record(&chrome), own_record(&curl)];
    assert_eq!(listed(&body), ada, "ada's three sessions, oldest first");
    assert_eq!(marked_this_one(&body), [own_record(&chrome)], "this one is marked");
    for browser in ["Firefox 128 on Linux", "Chrome 131 on Mac OSX", "curl 8.5.0"] {
        assert!(body.contains(browser), "{browser}: {body}");
    }
    assert!(!listed(&body).contains(&own_record(&grace)), "not grace's session");
    for other in [&firefox, &chrome, &curl, &grace] {
        assert!(!body.contains(&cookie_value(other)), "no session id is on the page");
    }
    assert!(body.contains(r#"id="sessions-caveat""#), "the page says anyone can sign in as ada");
    let mut all = ada.to_vec();
    all.push(own_record(&grace));
    all.sort();
    assert_eq!(record_keys(&firefox), all, "the page names the records themselves");
    assert_eq!(index_entries(&firefox, "ada"), sorted(&ada), "the index: ada's three");
    assert_eq!(index_entries(&firefox, "grace"), [own_record(&grace)]);
}
// ANCHOR_END: listed

fn sorted(keys: &[String]) -> Vec<String> {
    let mut keys = keys.to_vec();
    keys.sort();
    keys
}

#[apply(every_chapter)]
fn the_page_is_for_signed_in_users_and_the_navbar_links_it(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    assert_is_redirect_to(&app.get("/sessions"), "/login?next=/sessions");
    app.sign_in("ada");
    assert!(app.page("/home").contains(r#"<a href="/sessions" id="your-sessions">"#));
    assert_eq!(app.get("/sessions").status(), Status::Ok);
}

#[apply(server_side_chapters)]
fn a_hostile_or_huge_user_agent_is_kept_bounded_and_shown_escaped(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    let hostile = format!("<script>alert(1)</script>/1 {}", "é".repeat(1000));
    sign_in_from(&app, "ada", &hostile);
    let record = app.current_record().expect("signed in");
    let kept = record.user_agent.expect("the User-Agent is kept");
    assert!(kept.len() <= 256 && hostile.starts_with(&kept), "cut to 256 bytes: {}", kept.len());
    let body = app.page("/sessions");
    assert!(body.contains("&lt;script&gt;alert(1)&lt;"), "shown escaped");
    assert!(!body.contains("<script>alert(1)"), "never raw");
}

// ANCHOR: client_side
#[apply(client_side_chapters)]
fn client_side_chapters_say_why_there_is_no_list(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    let other = TestApp::launch(chapter);
    other.sign_in("ada");
    app.sign_in("ada");
    let body = app.page("/sessions");
    assert!(body.contains(r#"id="no-list""#), "{body}");
    assert!(body.contains("the server keeps no list of the cookies it sealed"));
    assert!(listed(&body).is_empty());
    let response = post_end_others(&app);
    assert_eq!(response.status(), Status::NotFound, "nothing to end");
    let response = post_end(&app, &"a".repeat(64));
    assert_eq!(response.status(), Status::NotFound);
    assert_signed_in_as(&other.page("/home"), "ada");
    assert_signed_in_as(&app.page("/home"), "ada");
}
// ANCHOR_END: client_side

// ANCHOR: end_another
#[apply(server_side_chapters)]
fn sign_out_this_one_on_another_session_signs_that_browser_out(#[case] chapter: Chapter) {
    let [firefox, chrome, curl, _grace] = three_browsers_and_grace(chapter, 300);
    let response = post_end(&firefox, &own_record(&curl));
    assert_is_redirect_to(&response, "/sessions");
    let body = firefox.page("/sessions");
    assert!(body.contains("Signed out 1 other session."), "a one-time message");
    assert_eq!(listed(&body), [own_record(&firefox), own_record(&chrome)]);
    assert_is_redirect_to(&curl.get("/about"), "/login?next=/about");
    assert_signed_in_as(&chrome.page("/home"), "ada");
    assert_eq!(
        index_entries(&firefox, "ada"),
        sorted(&[own_record(&firefox), own_record(&chrome)])
    );
}
// ANCHOR_END: end_another

#[apply(server_side_chapters)]
fn sign_out_this_one_on_this_session_is_a_sign_out(#[case] chapter: Chapter) {
    let [firefox, chrome, _curl, _grace] = three_browsers_and_grace(chapter, 300);
    let mine = own_record(&firefox);
    let response = post_end(&firefox, &mine);
    assert_is_redirect_to(&response, "/logout");
    let removed = session_cookie(&chapter, &response).expect("the cookie is removed");
    assert!(is_removal(&removed));
    assert!(!record_keys(&firefox).contains(&mine), "the record is deleted");
    assert!(!index_entries(&firefox, "ada").contains(&mine), "and its index entry");
    assert!(firefox.page("/logout").contains("You have been signed out."));
    assert_signed_in_as(&chrome.page("/home"), "ada");
}

// ANCHOR: end_others
#[apply(server_side_chapters)]
fn sign_out_everywhere_else_leaves_only_this_one(#[case] chapter: Chapter) {
    let [firefox, chrome, curl, grace] = three_browsers_and_grace(chapter, 300);
    let response = post_end_others(&chrome);
    assert_is_redirect_to(&response, "/sessions");
    let body = chrome.page("/sessions");
    assert!(body.contains("Signed out 2 other sessions."));
    assert_eq!(listed(&body), [own_record(&chrome)]);
    for signed_out in [&firefox, &curl] {
        assert_is_redirect_to(&signed_out.get("/about"), "/login?next=/about");
    }
    assert_signed_in_as(&grace.page("/home"), "grace");
    assert_eq!(index_entries(&firefox, "ada"), [own_record(&chrome)]);
    assert_eq!(record_keys(&firefox), sorted(&[own_record(&chrome), own_record(&grace)]));
}
// ANCHOR_END: end_others

// ANCHOR: refused
#[apply(server_side_chapters)]
fn a_record_that_is_not_one_of_the_users_sessions_is_refused(#[case] chapter: Chapter) {
    let [firefox, chrome, _curl, grace] = three_browsers_and_grace(chapter, 300);
    let before = record_keys(&firefox);
    let forged = [
        ("grace's session", own_record(&grace)),
        ("a made-up record", "0".repeat(64)),
        ("a malformed record", "../../etc/passwd".to_owned()),
        ("ada's session id itself", cookie_value(&chrome)),
        ("no record at all", String::new()),
    ];
    for (what, record) in forged {
        let response = post_end(&firefox, &record);
        assert_eq!(response.status(), Status::NotFound, "{what}");
        assert!(response.into_string().unwrap().contains(r#"id="not-a-session""#), "{what}");
        assert_eq!(record_keys(&firefox), before, "{what}: nothing changed");
    }
    assert_signed_in_as(&grace.page("/home"), "grace");
    assert_signed_in_as(&chrome.page("/home"), "ada");
}
// ANCHOR_END: refused

#[apply(server_side_chapters)]
fn forms_without_the_token_or_from_another_origin_are_refused(#[case] chapter: Chapter) {
    let [firefox, chrome, _curl, _grace] = three_browsers_and_grace(chapter, 300);
    let before = record_keys(&firefox);
    let theirs = own_record(&chrome);
    for token in ["", "not-the-token"] {
        let end = format!("record={theirs}&csrf_token={token}");
        assert_eq!(firefox.post_form("/sessions/end", end).status(), Status::Forbidden);
        let others = format!("csrf_token={token}");
        assert_eq!(firefox.post_form("/sessions/end-others", others).status(), Status::Forbidden);
    }
    let without = firefox.post_form("/sessions/end", format!("record={theirs}"));
    assert_eq!(without.status(), Status::Forbidden, "no token field");
    let token = firefox.csrf_token().unwrap();
    for (path, body) in [
        ("/sessions/end", format!("record={theirs}&csrf_token={token}")),
        ("/sessions/end-others", format!("csrf_token={token}")),
    ] {
        let response = firefox
            .client
            .post(path)
            .header(rocket::http::ContentType::Form)
            .header(Header::new("Origin", "http://evil.example"))
            .body(body)
            .dispatch();
        assert_eq!(response.status(), Status::Forbidden, "{path} from another origin");
    }
    assert_eq!(record_keys(&firefox), before, "nothing changed");
}

// ANCHOR: expired
#[apply(server_side_chapters)]
fn expired_sessions_are_not_listed_and_their_index_entry_goes(#[case] chapter: Chapter) {
    let old = TestConfig::new(chapter).lifetime(300).without_absolute_limit().launch();
    let new = another_browser(&old);
    sign_in_from(&old, "ada", FIREFOX);
    let expired = own_record(&old);
    old.wait(200);
    sign_in_from(&new, "ada", CURL);
    old.wait(150);
    let body = new.page("/sessions");
    assert_eq!(listed(&body), [own_record(&new)], "idle for 350 s of 300: not listed");
    assert_eq!(index_entries(&old, "ada"), [own_record(&new)], "its index entry is gone");
    assert!(!record_keys(&old).contains(&expired), "and its record");
}
// ANCHOR_END: expired

// ANCHOR: crash
#[apply(server_side_chapters)]
fn an_index_entry_left_behind_by_a_crash_is_dropped_and_brings_nothing_back(
    #[case] chapter: Chapter,
) {
    let app = TestApp::launch(chapter);
    app.sign_in("ada");
    let stray = "f".repeat(64);
    leave_stray_entry(&app, "ada", &stray);
    assert_eq!(index_entries(&app, "ada").len(), 2);
    let body = app.page("/sessions");
    assert_eq!(listed(&body), [own_record(&app)], "the stray entry is not listed");
    assert_eq!(index_entries(&app, "ada"), [own_record(&app)], "and is dropped");
    assert_eq!(post_end(&app, &stray).status(), Status::NotFound, "nor can it be ended");
}
// ANCHOR_END: crash

// ANCHOR: redis_instances
/// Two instances of the server on one Redis: a sign-in on one is listed on
/// the other, and "Sign out everywhere else" on one ends the session the
/// other holds. The user's set lives at least as long as its sessions.
#[apply(redis_chapter)]
fn two_instances_share_the_index(#[case] chapter: Chapter) {
    let one = TestApp::launch(chapter);
    let two = another_browser(&one);
    // Right after the sign-in, before any other write: the set already
    // lives as long as the record.
    let response = one.post_login("ada", None);
    assert_is_redirect_to(&response, "/home");
    let mut redis = test_redis();
    let set = tutorial::store::redis::index_key(one.key_prefix(), "ada");
    let first = format!("{}{}", one.key_prefix(), own_record(&one));
    let set_ttl: i64 = redis::cmd("PTTL").arg(&set).query(&mut redis).unwrap();
    let record_ttl: i64 = redis::cmd("PTTL").arg(&first).query(&mut redis).unwrap();
    assert!(set_ttl >= record_ttl && record_ttl > 0, "set {set_ttl} ms, record {record_ttl} ms");
    let members: Vec<String> = redis::cmd("SMEMBERS").arg(&set).query(&mut redis).unwrap();
    assert_eq!(members, [own_record(&one)], "indexed by the sign-in itself");
    sign_in_from(&one, "ada", FIREFOX);
    one.wait(1);
    sign_in_from(&two, "ada", CURL);
    assert_eq!(listed(&two.page("/sessions")), [own_record(&one), own_record(&two)]);
    let record = format!("{}{}", one.key_prefix(), own_record(&two));
    let set_ttl: i64 = redis::cmd("PTTL").arg(&set).query(&mut redis).unwrap();
    let record_ttl: i64 = redis::cmd("PTTL").arg(&record).query(&mut redis).unwrap();
    assert!(set_ttl >= record_ttl && record_ttl > 0, "set {set_ttl} ms, record {record_ttl} ms");
    assert_is_redirect_to(&post_end_others(&one), "/sessions");
    assert_is_redirect_to(&two.get("/about"), "/login?next=/about");
    assert_eq!(index_entries(&one, "ada"), [own_record(&one)]);
    one.post_logout();
    let exists: i64 = redis::cmd("EXISTS").arg(&set).query(&mut redis).unwrap();
    assert_eq!(exists, 0, "the last sign-out removes the set with its last member");
}
// ANCHOR_END: redis_instances
