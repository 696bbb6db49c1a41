//! What only the server-side chapters promise: the records themselves.

// A function that is neither a test nor used by one fails the build:
// no behaviour can be written and then never run.
#![deny(dead_code)]

use std::time::{Duration as StdDuration, Instant};

use rocket::http::{Cookie, Status};
use rocket::time::Duration;
use tempfile::TempDir;

use behaviour_suite::SessionRecord;
use behaviour_suite::*;
use rstest::rstest;
use rstest_reuse::apply;
use tutorial::store::{Decision, FileStore, SessionId};
use tutorial::{Chapter, Clock, ManualClock, Theme};

/// On Unix, asserts that `path` has the permission bits `expected`.
///
/// Windows has no permission bits: the folder and its records inherit the
/// access-control list of `session_dir`'s parent (see `store::file`), which
/// the store does not set and so this suite does not check there.
fn assert_mode(path: &std::path::Path, expected: u32, what: &str) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, expected, "{what}: {}", path.display());
    }
    #[cfg(not(unix))]
    let _ = (path, expected, what);
}

#[apply(file_store_chapters)]
fn records_are_private_files_named_by_hash(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    let cookie = app.sign_in("ada");
    let id = SessionId::parse(cookie.value()).expect("an id");
    const { assert!(SessionId::BYTES * 8 >= 128, "at least 128 random bits") };
    let files = app.stored_files();
    assert_eq!(files.len(), 1);
    assert_mode(&files[0], 0o600, "only the server's user can read a record");
    assert_mode(&app.store_dir(), 0o700, "or list the folder");
    let name = files[0].file_name().unwrap().to_str().unwrap();
    assert_eq!(name, tutorial::store::file::file_name(&id));
    let content = std::fs::read_to_string(&files[0]).unwrap();
    assert!(
        !name.contains(id.as_str()) && !content.contains(id.as_str()),
        "the id is nowhere on disk"
    );
}

#[apply(file_store_chapters)]
fn sweep_removes_expired_records_and_keeps_live_ones(#[case] chapter: Chapter) {
    let clock = ManualClock::default();
    // The idle limit alone (`absolute_limit.rs` sweeps by the other one).
    let config = TestConfig::new(chapter)
        .set("session_cleanup_interval", 1)
        .without_absolute_limit()
        .on_clock(clock.clone());
    let lifetime = chapter.default_session_lifetime();
    let store = FileStore::new(config.store_dir(), config.policy());
    let expired = store.create(&record_of("gone", clock.now() - lifetime)).unwrap();
    let live =
        store.create(&record_of("live", clock.now() - lifetime + Duration::seconds(1))).unwrap();
    // A torn record, left long ago by some crash.
    let torn = store.dir().join(format!("{}.json", "0".repeat(64)));
    std::fs::write(&torn, b"{ torn").unwrap();
    let long_ago = std::time::SystemTime::from(clock.now() - lifetime * 2);
    std::fs::File::options().write(true).open(&torn).unwrap().set_modified(long_ago).unwrap();

    let app = config.launch();
    // The first sweep is over before the server takes its first request.
    assert_eq!(app.stored_files().len(), 1, "the expired and the corrupt record are swept");
    assert!(store.path_of(&live).exists(), "the live session stays");
    assert!(!store.path_of(&expired).exists());

    clock.advance(Duration::seconds(1));
    eventually("the next sweep removes the newly expired record", || app.stored_files().is_empty());
}

/// The sweep follows the same verdict as a request: a record active a
/// second ago is swept once its sign-in is `session_absolute_lifetime`
/// ago, and its file's time (its deadline) is what tells the sweep to look.
#[apply(file_store_chapters)]
fn sweep_removes_busy_records_past_the_absolute_deadline(#[case] chapter: Chapter) {
    let clock = ManualClock::default();
    let config = TestConfig::new(chapter)
        .set("session_cleanup_interval", 1)
        .absolute_lifetime(3_600)
        .on_clock(clock.clone());
    let store = FileStore::new(config.store_dir(), config.policy());
    let now = clock.now();
    let busy = |signed_in_ago: i64| {
        let mut record = record_of("busy", now - Duration::seconds(signed_in_ago));
        record.last_seen = now - Duration::seconds(1);
        store.create(&record).unwrap()
    };
    let too_old = busy(3_600);
    let younger = busy(3_590);

    let app = config.launch();
    assert_eq!(app.stored_files().len(), 1, "the record signed in an hour ago is swept");
    assert!(!store.path_of(&too_old).exists());
    assert!(store.path_of(&younger).exists(), "ten seconds short of the limit, it stays");

    clock.advance(Duration::seconds(10));
    eventually("the next sweep removes it at its deadline", || app.stored_files().is_empty());
}

#[apply(file_store_chapters)]
fn unusable_session_folder_answers_503_and_public_pages_work(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    // Put a plain file where the chapter's folder should be.
    std::fs::remove_dir_all(app.store_dir()).ok();
    std::fs::write(app.store_dir(), b"not a folder").unwrap();
    let response = app.post_login("ada", None);
    assert_eq!(response.status(), Status::ServiceUnavailable);
    assert!(set_cookies(&response).is_empty(), "no cookie for a session that was not stored");
    assert!(response.into_string().unwrap().contains("Sessions are unavailable"));
    assert_signed_out(&app.page("/products"));
    assert_signed_out(&app.page("/home"));

    std::fs::remove_file(app.store_dir()).unwrap();
    app.sign_in("ada");
    assert_signed_in_as(&app.page("/about"), "ada");
}

// ---------------------------------------------------------------- faults of the store

/// Does creating a file in `dir` fail for this process? Tests run as root
/// in CI, and root ignores permission bits, so each fault below is one
/// the kernel refuses even to root; this proves it before relying on it.
fn assert_unwritable(dir: &std::path::Path) {
    let probe = dir.join("probe");
    assert!(std::fs::write(&probe, b"x").is_err(), "{} is writable", dir.display());
}

/// The ways [`break_store_dir`] breaks a folder on this system: the two
/// made of symbolic links need Unix (Windows lets only administrators
/// create them, and has no `/proc`).
#[cfg(unix)]
const STORE_DIR_FAULTS: &[&str] = &["proc", "below-file", "loop"];
#[cfg(not(unix))]
const STORE_DIR_FAULTS: &[&str] = &["below-file"];

/// The faults that can break the folder of a signed-in user; `proc` is
/// left out because the session's record cannot be moved into it.
#[cfg(unix)]
const SIGNED_IN_FAULTS: &[&str] = &["loop", "below-file"];
#[cfg(not(unix))]
const SIGNED_IN_FAULTS: &[&str] = &["below-file"];

/// Replaces the chapter's (empty) folder of `app` by a broken one:
/// - `proc`: a link to `/proc/self`, a real folder no one may create files in;
/// - `below-file`: the folder would be below a regular file (`ENOTDIR`);
/// - `loop`: a symbolic link to itself (`ELOOP`).
fn break_store_dir(app: &TestApp, fault: &str) {
    let dir = app.store_dir();
    std::fs::remove_dir_all(&dir).ok();
    std::fs::remove_file(&dir).ok();
    match fault {
        #[cfg(unix)]
        "proc" => std::os::unix::fs::symlink("/proc/self", &dir).unwrap(),
        "below-file" => {
            // `session_dir` itself is the chapter folder's parent: make it a file.
            let root = app.session_root();
            std::fs::remove_dir_all(root).unwrap();
            std::fs::write(root, b"a file, not a folder").unwrap();
        }
        #[cfg(unix)]
        "loop" => std::os::unix::fs::symlink(&dir, &dir).unwrap(),
        _ => unreachable!("{fault}"),
    }
    assert_unwritable(&dir);
}

/// Moves the chapter's folder, with the records in it, aside and breaks
/// the folder by `fault`; [`restore_store_dir`] puts the records back.
fn break_store_dir_keeping_records(app: &TestApp, fault: &str) -> TempDir {
    let aside = tempfile::tempdir().unwrap();
    std::fs::rename(app.store_dir(), aside.path().join("kept")).unwrap();
    break_store_dir(app, fault);
    aside
}

/// Repairs the folder and moves back the records that
/// [`break_store_dir_keeping_records`] set `aside`.
fn restore_store_dir(app: &TestApp, aside: TempDir) {
    repair_store_dir(app);
    std::fs::rename(aside.path().join("kept"), app.store_dir()).unwrap();
}

fn repair_store_dir(app: &TestApp) {
    let root = app.session_root();
    if root.is_file() {
        std::fs::remove_file(root).unwrap();
        std::fs::create_dir(root).unwrap();
    }
    std::fs::remove_file(app.store_dir()).ok();
}

#[apply(file_store_chapters)]
fn missing_session_folder_is_created(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    std::fs::remove_dir_all(app.session_root()).unwrap();
    assert_signed_out(&app.page("/home"));
    app.sign_in("ada");
    assert_signed_in_as(&app.page("/about"), "ada");
    assert_mode(&app.store_dir(), 0o700, "created owner-only");
    assert_eq!(app.stored_files().len(), 1);
}

#[apply(file_store_chapters)]
fn unwritable_session_folder_answers_503(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    for &fault in STORE_DIR_FAULTS {
        break_store_dir(&app, fault);
        let response = app.post_login("ada", Some("/about"));
        assert_eq!(response.status(), Status::ServiceUnavailable, "{fault}");
        assert!(set_cookies(&response).is_empty(), "{fault}: no cookie for an unstored session");
        let body = response.into_string().unwrap();
        assert!(body.contains("Sessions are unavailable"), "{fault}: {body}");
        for path in ["/", "/home", "/products", "/login", "/logout"] {
            assert_signed_out(&app.page(path));
        }
        assert_is_redirect_to(&app.get("/about"), "/login?next=/about");
        repair_store_dir(&app);
        app.sign_in("ada");
        assert_signed_in_as(&app.page("/about"), "ada");
        app.post_logout();
    }
    // A signed-in user whose store breaks sees public pages signed out and
    // signed-in pages answer 503, and keeps the cookie: the session is back
    // with the store.
    for &fault in SIGNED_IN_FAULTS {
        let cookie = app.sign_in("ada");
        let aside = break_store_dir_keeping_records(&app, fault);
        let response = app.get_with_cookie("/home", &cookie);
        assert_eq!(response.status(), Status::Ok, "{fault}");
        assert!(session_cookie(&chapter, &response).is_none(), "{fault}: the cookie is kept");
        assert_signed_out(&response.into_string().unwrap());
        assert_eq!(app.get("/about").status(), Status::ServiceUnavailable, "{fault}");
        assert_eq!(app.post_theme("/home").status(), Status::ServiceUnavailable, "{fault}");
        restore_store_dir(&app, aside);
        assert_signed_in_as(&app.page("/about"), "ada");
        app.post_logout();
    }
}

/// Sign-out while the folder is broken ends nothing on the server, so it
/// says so and keeps the cookie; once the folder is back, the session is
/// too, and Log Out works.
#[apply(file_store_chapters)]
fn sign_out_while_the_folder_is_broken_keeps_the_session(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    let cookie = app.sign_in("ada");
    let aside = break_store_dir_keeping_records(&app, "below-file");
    assert_sign_out_refused(&chapter, app.post_logout());

    restore_store_dir(&app, aside);
    assert_signed_in_as(&app.page("/about"), "ada");
    assert_is_redirect_to(&app.post_logout(), "/logout");
    assert!(app.stored_files().is_empty(), "this time the record is deleted");
    assert_is_redirect_to(&app.get_with_cookie("/about", &cookie), "/login?next=/about");
}

#[apply(file_store_chapters)]
fn corrupt_records_mean_signed_out_and_are_removed(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    let corruptions: [(&str, &[u8]); 6] = [
        ("truncated", b"{\n  \"user_name\": \"ad"),
        ("empty", b""),
        ("binary", &[0xff, 0x00, 0xfe, 0x13, 0x37]),
        ("wrong shape", br#"{"user_name": 5, "lang": [], "theme": "blue"}"#),
        ("null", b"null"),
        (
            "huge number",
            br#"{"user_name":"ada","lang":"en","theme":"dark","created_at":1e999,"last_seen":0}"#,
        ),
    ];
    for (what, bytes) in corruptions {
        let cookie = app.sign_in("ada");
        let record = app.stored_files().pop().unwrap();
        std::fs::write(&record, bytes).unwrap();
        let response = app.get_with_cookie("/about", &cookie);
        assert_is_redirect_to(&response, "/login?next=/about");
        assert!(is_removal(&session_cookie(&chapter, &response).expect("removed")), "{what}");
        assert!(!record.exists(), "{what}: the record is removed");
        assert_signed_out(&app.page("/home"));
    }
    // A folder where the record should be cannot be removed as a file:
    // still signed out, still a page.
    let cookie = app.sign_in("ada");
    let record = app.stored_files().pop().unwrap();
    std::fs::remove_file(&record).unwrap();
    std::fs::create_dir(&record).unwrap();
    let response = app.get_with_cookie("/home", &cookie);
    assert_eq!(response.status(), Status::Ok);
    assert_signed_out(&response.into_string().unwrap());
    app.sign_in("bob");
    assert_signed_in_as(&app.page("/about"), "bob");
}

#[apply(file_store_chapters)]
fn store_faults_are_logged(#[case] chapter: Chapter) {
    if child_scenario().as_deref() == Some("log") {
        // In the child: the chapter with its log on, through both faults.
        let app = TestConfig::new(chapter).set("log_level", "normal").launch();
        break_store_dir(&app, STORE_DIR_FAULTS[0]);
        assert_eq!(app.post_login("ada", None).status(), Status::ServiceUnavailable);
        repair_store_dir(&app);
        let cookie = app.sign_in("ada");
        std::fs::write(app.stored_files().pop().unwrap(), b"{ torn").unwrap();
        assert_is_redirect_to(&app.get_with_cookie("/about", &cookie), "/login?next=/about");
        return;
    }
    let output = child_command("log", &[]).output().expect("the child runs");
    let log = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the child passed:\n{log}");
    assert!(
        log.contains("sign-in failed: the session store is unavailable:")
            && log.contains("os error"),
        "the log says why sign-in failed:\n{log}"
    );
    assert!(
        log.contains("removing unreadable session record"),
        "the log names the corrupt record:\n{log}"
    );
}

// ---------------------------------------------------------------- crashes and races

/// How big a record the crash test writes: big enough that a write takes
/// long, so the kill lands inside one.
const BIG_NAME: usize = 1 << 20;

#[apply(file_store_chapters)]
fn a_killed_writer_never_leaves_a_torn_record(#[case] chapter: Chapter) {
    if child_scenario().as_deref() == Some("writer") {
        // In the child: rewrite a few big records for ever, until killed.
        let dir = std::env::var_os("SESSIONS_WRITER_DIR").unwrap();
        let store = FileStore::new(dir, default_policy(&chapter));
        let now = rocket::time::OffsetDateTime::now_utc();
        let ids: Vec<_> =
            (0..4).map(|_| store.create(&record_of(&"a".repeat(BIG_NAME), now)).unwrap()).collect();
        // Bounded, in case the test that should kill it has died first.
        let started = Instant::now();
        for round in 0u64.. {
            let letter = if round % 2 == 0 { "b" } else { "a" };
            for id in &ids {
                let rewrite = |r: &mut SessionRecord| {
                    r.data.user_name = letter.repeat(BIG_NAME);
                    Decision::Write { time_to_live: Duration::days(1) }
                };
                store.modify(id, rewrite).unwrap();
            }
            if started.elapsed() > StdDuration::from_secs(60) {
                break;
            }
        }
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("records");
    let (mut kills, mut torn_writes_caught) = (0, 0);
    while kills < 20 && !(kills >= 5 && torn_writes_caught >= 2) {
        let mut child = spawn(
            child_command("writer", &[("SESSIONS_WRITER_DIR", &dir)])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null()),
        );
        // Let it get going, then SIGKILL it at a varying moment.
        let records_before = count_records(&dir);
        eventually("the writer has created its records", || {
            count_records(&dir) >= records_before + 4
        });
        std::thread::sleep(StdDuration::from_millis(7 * (kills % 5) as u64 + 3));
        child.kill().unwrap();
        child.wait().unwrap();
        kills += 1;

        let mut temp_files = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_owned();
            if name == tutorial::store::file::INDEX_FOLDER || name.starts_with(".lock-") {
                continue; // the per-user index, the lock files: no records
            }
            if name.starts_with(".tmp-") {
                temp_files += 1;
                std::fs::remove_file(&path).unwrap();
                continue;
            }
            let record: SessionRecord = serde_json::from_slice(&std::fs::read(&path).unwrap())
                .unwrap_or_else(|e| panic!("torn record {name} after kill {kills}: {e}"));
            let whole = record.data.user_name.len() == BIG_NAME
                && (record.data.user_name.bytes().all(|b| b == b'a')
                    || record.data.user_name.bytes().all(|b| b == b'b'));
            assert!(whole, "record {name} holds a whole user_name");
        }
        // A temporary file left behind is a write the kill interrupted.
        if temp_files > 0 {
            torn_writes_caught += 1;
        }
    }
    assert!(
        torn_writes_caught >= 1,
        "no kill landed inside a write in {kills} tries: the test proved nothing"
    );
    println!("{kills} kills, {torn_writes_caught} inside a write; every record parsed");
}

fn count_records(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries.flatten().filter(|e| e.file_name().to_string_lossy().ends_with(".json")).count()
        })
        .unwrap_or(0)
}

/// Every record in `dir` parses; the number of records.
fn assert_all_records_parse(dir: &std::path::Path) -> usize {
    let mut records = 0;
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".json") {
            continue;
        }
        // A record may be deleted between the listing and the read.
        let Ok(bytes) = std::fs::read(entry.path()) else { continue };
        serde_json::from_slice::<SessionRecord>(&bytes)
            .unwrap_or_else(|e| panic!("record {name} does not parse: {e}"));
        records += 1;
    }
    records
}

/// An async client, for requests that really run at the same time.
struct AsyncApp {
    client: rocket::local::asynchronous::Client,
    root: tempfile::TempDir,
    chapter: Chapter,
}

impl AsyncApp {
    async fn launch(chapter: Chapter) -> Self {
        let (rocket, root) = TestConfig::new(chapter).into_rocket();
        let client = rocket::local::asynchronous::Client::untracked(rocket).await.unwrap();
        AsyncApp { client, root, chapter }
    }

    fn store_dir(&self) -> std::path::PathBuf {
        self.root.path().join(self.chapter.store_folder())
    }

    fn cookie(&self, value: &str) -> Cookie<'static> {
        Cookie::new(self.chapter.cookie_name(), value.to_owned())
    }

    /// The `csrf_token=…` field of the forms of the session `value`, read
    /// from its record; empty once the record is gone (the server then
    /// checks no token: there is no session to change).
    fn token_field(&self, value: &str) -> String {
        let token = tutorial::store::SessionId::parse(value)
            .map(|id| self.store_dir().join(tutorial::store::file::file_name(&id)))
            .and_then(|path| std::fs::read(path).ok())
            .and_then(|json| SessionRecord::from_json(&json))
            .map(|record| record.csrf_token.as_str().to_owned());
        format!("csrf_token={}", token.unwrap_or_default())
    }

    /// Signs in (as the browser holding `current`, if any); the new cookie value.
    async fn sign_in(&self, name: &str, current: Option<&str>) -> String {
        let mut request = self
            .client
            .post("/login")
            .header(rocket::http::ContentType::Form)
            .body(format!("username={name}"));
        if let Some(value) = current {
            request = request.cookie(self.cookie(value));
        }
        let response = request.dispatch().await;
        assert_eq!(response.status(), Status::SeeOther, "sign-in of {name}");
        let cookie = response.cookies().get(self.chapter.cookie_name()).expect("a session cookie");
        cookie.value().to_owned()
    }

    async fn sign_out(&self, value: &str) {
        let response = self
            .client
            .post("/logout")
            .header(rocket::http::ContentType::Form)
            .cookie(self.cookie(value))
            .body(self.token_field(value))
            .dispatch()
            .await;
        assert_eq!(response.status(), Status::SeeOther);
    }

    /// `GET /about` with the cookie `value`: the user greeted, if any.
    async fn about(&self, value: &str) -> Option<String> {
        let response = self.client.get("/about").cookie(self.cookie(value)).dispatch().await;
        match response.status() {
            Status::SeeOther => None,
            Status::Ok => {
                let body = response.into_string().await.unwrap();
                let start = body.find("Welcome ").expect("a greeting") + 8;
                Some(body[start..start + body[start..].find('!').unwrap()].to_owned())
            }
            status => panic!("GET /about answered {status}"),
        }
    }

    async fn toggle_theme(&self, value: &str) {
        let response = self
            .client
            .post("/theme")
            .header(rocket::http::ContentType::Form)
            .cookie(self.cookie(value))
            .body(format!("next=/about&{}", self.token_field(value)))
            .dispatch()
            .await;
        assert_eq!(response.status(), Status::SeeOther);
    }
}

/// Reads every record again and again on another thread while `work`
/// runs, so a torn record would be seen the moment it existed. The work
/// starts only after the first scan, and one more scan follows it, so the
/// checker overlaps the work even on a loaded machine.
async fn while_checking_records<T>(
    dir: std::path::PathBuf,
    work: impl std::future::Future<Output = T>,
) -> T {
    use std::sync::atomic::{AtomicBool, Ordering};
    let done = std::sync::Arc::new(AtomicBool::new(false));
    let (first_scan, scanned) = rocket::tokio::sync::oneshot::channel();
    let checker = {
        let done = done.clone();
        std::thread::spawn(move || {
            assert_all_records_parse(&dir);
            let _ = first_scan.send(());
            loop {
                let last = done.load(Ordering::Acquire);
                assert_all_records_parse(&dir);
                if last {
                    break;
                }
            }
        })
    };
    // Err: the checker panicked during its first scan; join reports it.
    if scanned.await.is_ok() {
        let result = work.await;
        done.store(true, Ordering::Release);
        checker.join().expect("every record parsed at every scan");
        return result;
    }
    checker.join().expect("every record parsed at every scan");
    unreachable!("the checker stopped before its first scan without panicking")
}

#[apply(file_store_chapters)]
fn fifty_concurrent_requests_on_one_session(#[case] chapter: Chapter) {
    use rocket::futures::future::join_all;
    rocket::execute(async {
        let app = AsyncApp::launch(chapter).await;
        let ada = app.sign_in("ada", None).await;
        let toggles = 17;
        let requests = (0..50).map(|i| {
            let (app, ada) = (&app, ada.as_str());
            async move {
                if i % 3 == 0 && i / 3 < toggles {
                    app.toggle_theme(ada).await;
                    None
                } else {
                    Some(app.about(ada).await)
                }
            }
        });
        let seen = while_checking_records(app.store_dir(), join_all(requests)).await;
        for greeted in seen.into_iter().flatten() {
            assert_eq!(greeted.as_deref(), Some("ada"), "every request saw the session");
        }
        assert_eq!(assert_all_records_parse(&app.store_dir()), 1, "one session, one record");
        let record: SessionRecord = serde_json::from_slice(
            &std::fs::read(
                app.store_dir()
                    .join(tutorial::store::file::file_name(&SessionId::parse(&ada).unwrap())),
            )
            .unwrap(),
        )
        .unwrap();
        // Each toggle read and wrote the record under its lock: none was lost.
        assert_eq!(record.data.theme, if toggles % 2 == 1 { Theme::Light } else { Theme::Dark });
        assert_eq!(app.about(&ada).await.as_deref(), Some("ada"));
    });
}

#[apply(file_store_chapters)]
fn sign_ins_racing_sign_outs(#[case] chapter: Chapter) {
    use rocket::futures::future::join_all;
    rocket::execute(async {
        let app = AsyncApp::launch(chapter).await;
        let users: Vec<String> = (0..20).map(|i| format!("user{i}")).collect();
        let first: Vec<String> = join_all(users.iter().map(|u| app.sign_in(u, None))).await;

        // Each browser signs in again, signs out and loads pages, all at
        // once, with the same first cookie.
        let races = users.iter().zip(&first).map(|(user, old)| {
            let app = &app;
            async move {
                let (renewed, _, _) = rocket::tokio::join!(
                    app.sign_in(user, Some(old)),
                    app.sign_out(old),
                    join_all((0..3).map(|_| app.about(old))),
                );
                renewed
            }
        });
        let renewed: Vec<String> = while_checking_records(app.store_dir(), join_all(races)).await;

        for ((user, old), new) in users.iter().zip(&first).zip(&renewed) {
            assert_eq!(app.about(old).await, None, "{user}'s old session stays dead");
            assert_eq!(
                app.about(new).await.as_deref(),
                Some(user.as_str()),
                "{user}'s new session lives"
            );
        }
        assert_eq!(
            assert_all_records_parse(&app.store_dir()),
            users.len(),
            "exactly the new sessions"
        );

        // Now sign every new session out while it is still being used.
        let endings = renewed.iter().map(|new| {
            let app = &app;
            async move {
                rocket::tokio::join!(app.sign_out(new), app.about(new), app.toggle_theme(new));
            }
        });
        while_checking_records(app.store_dir(), join_all(endings)).await;
        for new in &renewed {
            assert_eq!(app.about(new).await, None, "no session is resurrected");
        }
        assert_eq!(assert_all_records_parse(&app.store_dir()), 0, "no record is left");
    });
}

// ---------------------------------------------------------------- cleanup under load

#[apply(file_store_chapters)]
fn sweep_of_100_000_records_keeps_live_ones_and_requests_flowing(#[case] chapter: Chapter) {
    use sha2::{Digest, Sha256};
    const TOTAL: usize = 100_000;
    const LIVE: usize = 5_000;
    const SIGNED_IN: usize = 16;
    /// The slowest request allowed while the sweep runs, on a busy 2-core
    /// CI machine in a debug build; a request waiting for the sweep would
    /// wait for all of it (seconds).
    const STALL: StdDuration = StdDuration::from_millis(1_000);

    let clock = ManualClock::default();
    // Every record is live at launch, so the first sweep (before the first
    // request) keeps them all; they expire two seconds later, and a sweep
    // of the running server, one per second, removes them while requests
    // flow.
    let config = TestConfig::new(chapter)
        .set("session_cleanup_interval", 1)
        .without_absolute_limit()
        .on_clock(clock.clone());
    let lifetime = chapter.default_session_lifetime();
    let now = clock.now();
    let policy = config.policy();
    let store = FileStore::new(config.store_dir(), policy);
    let users: Vec<(String, SessionId)> = (0..SIGNED_IN)
        .map(|i| {
            let name = format!("user{i}");
            let id = store.create(&record_of(&name, now - lifetime / 2)).unwrap();
            (name, id)
        })
        .collect();
    // The other records are written once per 10 000 and hard-linked under
    // the names the store would give them (a file has at most 65 000
    // links on ext4): 100 000 records in seconds, on any disk.
    let expires_in = Duration::seconds(2);
    let (live, expired) =
        (record_of("live", now - lifetime / 2), record_of("gone", now - lifetime + expires_in));
    let deadlines = (policy.deadline(&live), policy.deadline(&expired));
    let live = serde_json::to_vec(&live).unwrap();
    let expired = serde_json::to_vec(&expired).unwrap();
    let written = Instant::now();
    let mut template = std::path::PathBuf::new();
    for i in 0..TOTAL - SIGNED_IN {
        let is_live = i < LIVE - SIGNED_IN;
        if i % 10_000 == 0 || i == LIVE - SIGNED_IN {
            template = store.dir().join(format!("template-{i}"));
            std::fs::write(&template, if is_live { &live } else { &expired }).unwrap();
            // As the store does: a record's file time is its deadline.
            let deadline = if is_live { deadlines.0 } else { deadlines.1 };
            std::fs::File::options()
                .write(true)
                .open(&template)
                .unwrap()
                .set_modified(deadline.into())
                .unwrap();
        }
        let name = format!("{:x}.json", Sha256::digest(i.to_le_bytes()));
        std::fs::hard_link(&template, store.dir().join(name)).unwrap();
    }
    for entry in std::fs::read_dir(store.dir()).unwrap().flatten() {
        if entry.file_name().to_string_lossy().starts_with("template-") {
            std::fs::remove_file(entry.path()).unwrap();
        }
    }
    let written = written.elapsed();

    let app = config.launch();
    assert_eq!(count_records(store.dir()), TOTAL, "nothing has expired at launch");
    clock.advance(expires_in);
    let swept = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watcher = {
        let (swept, dir) = (swept.clone(), store.dir().to_path_buf());
        std::thread::spawn(move || {
            let start = Instant::now();
            while count_records(&dir) > LIVE {
                assert!(start.elapsed() < StdDuration::from_secs(120), "the sweep finishes");
                std::thread::sleep(StdDuration::from_millis(300));
            }
            swept.store(true, std::sync::atomic::Ordering::Relaxed);
            start.elapsed()
        })
    };
    let mut latencies = Vec::new();
    while !swept.load(std::sync::atomic::Ordering::Relaxed) {
        let (name, id) = &users[latencies.len() % SIGNED_IN];
        // Time moves on, so requests rewrite their records
        // while the sweep deletes; never so far that a live one expires.
        if latencies.len() % 50 == 0 && clock.now() - now < lifetime / 4 {
            clock.advance(Duration::seconds(1));
        }
        let cookie = Cookie::new(chapter.cookie_name(), id.as_str().to_owned());
        let start = Instant::now();
        let response = app.get_with_cookie("/about", &cookie);
        latencies.push(start.elapsed());
        assert_eq!(response.status(), Status::Ok, "{name} stays signed in during the sweep");
        assert_signed_in_as(&response.into_string().unwrap(), name);
        if latencies.len() > 100_000 {
            break;
        }
    }
    let sweep = watcher.join().expect("the sweep finished in time");

    assert_eq!(count_records(store.dir()), LIVE, "every live record is kept");
    for (_, id) in &users {
        assert!(store.path_of(id).exists());
    }
    assert_eq!(assert_all_records_parse(store.dir()), LIVE);
    latencies.sort();
    let max = *latencies.last().expect("requests ran during the sweep");
    let median = latencies[latencies.len() / 2];
    println!(
        "chapter {}: wrote {TOTAL} records in {written:?}; swept {} in {sweep:?}; \
         {} requests meanwhile, median {median:?}, max {max:?}",
        chapter.number,
        TOTAL - LIVE,
        latencies.len()
    );
    assert!(latencies.len() >= 10, "requests ran while the sweep did");
    assert!(max < STALL, "a request waited {max:?} during the sweep");
}
