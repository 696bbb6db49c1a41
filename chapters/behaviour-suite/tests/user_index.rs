//! The store's index of each user's sessions, under load: many sign-ins
//! and sign-outs at once, on one server (files) or two instances on one
//! Redis, leave the index exactly equal to the live records.

use std::collections::BTreeSet;
use std::sync::Arc;

use behaviour_suite::rstest_reuse::apply;
use behaviour_suite::*;
use rocket::http::{ContentType, Header, Status};
use rocket::local::asynchronous::Client;
use rocket_db_pools::deadpool_redis::redis;
use rstest::rstest;
use tutorial::store::{redis::index_key, user_index_name, SessionId};
use tutorial::{Chapter, Storage};

/// How many browsers sign in at once; every third one then signs out with
/// Log Out and every third with "Sign out this one" on its own row.
const BROWSERS: usize = 48;

/// One browser: signs in as ada, then maybe out again. Its record key if
/// its session is still live at the end.
async fn browser(client: Arc<Client>, chapter: Chapter, n: usize) -> Option<String> {
    let response = client
        .post("/login")
        .header(ContentType::Form)
        .header(Header::new("User-Agent", format!("browser/{n}")))
        .body("username=ada&password=secret")
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    let cookie =
        response.cookies().get(chapter.cookie_name()).expect("a cookie").clone().into_owned();
    let key = SessionId::parse(cookie.value()).expect("an id").hashed();
    if n % 3 == 2 {
        return Some(key);
    }
    let page = client.get("/sessions").cookie(cookie.clone()).dispatch().await;
    let token = launcher::page::csrf_token(&page.into_string().await.unwrap()).expect("a token");
    let (path, body) = if n.is_multiple_of(3) {
        ("/logout", format!("csrf_token={token}"))
    } else {
        ("/sessions/end", format!("record={key}&csrf_token={token}"))
    };
    let response =
        client.post(path).header(ContentType::Form).cookie(cookie).body(body).dispatch().await;
    assert_eq!(response.status(), Status::SeeOther, "{path}");
    None
}

// ANCHOR: parallel
#[apply(server_side_chapters)]
fn parallel_sign_ins_and_sign_outs_leave_the_index_equal_to_the_live_records(
    #[case] chapter: Chapter,
) {
    let prefix = unique_key_prefix(&chapter);
    let config = || TestConfig::new(chapter).set("session_key_prefix", &prefix);
    let (first, root) = config().into_rocket();
    // Redis: two instances of the server on one Redis. Files: one server
    // (its locks are the process's own).
    let second = match chapter.storage() {
        Storage::Redis => Some(config().into_rocket()),
        _ => None,
    };
    let runtime = rocket::tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let kept: BTreeSet<String> = runtime.block_on(async {
        let first = Arc::new(Client::untracked(first).await.unwrap());
        let second = match second {
            Some((rocket, _)) => Arc::new(Client::untracked(rocket).await.unwrap()),
            None => first.clone(),
        };
        let tasks: Vec<_> = (0..BROWSERS)
            .map(|n| {
                let client = if n % 2 == 0 { first.clone() } else { second.clone() };
                rocket::tokio::spawn(browser(client, chapter, n))
            })
            .collect();
        let mut kept = BTreeSet::new();
        for task in tasks {
            kept.extend(task.await.unwrap());
        }
        kept
    });
    assert_eq!(kept.len(), BROWSERS / 3);
    let (index, records): (BTreeSet<String>, BTreeSet<String>) = match chapter.storage() {
        Storage::Redis => {
            let mut redis = test_redis();
            let index = redis::cmd("SMEMBERS")
                .arg(index_key(&prefix, "ada"))
                .query::<Vec<String>>(&mut redis)
                .unwrap();
            let space = KeySpace::new(test_redis_url(), prefix.clone());
            let mut store = Records::redis(&space).unwrap();
            let records = store.names().unwrap();
            let _ = launcher::records::delete_keys(&space);
            let records = records.iter().map(|k| k[prefix.len()..].to_owned()).collect();
            (index.into_iter().collect(), records)
        }
        _ => {
            let dir = root.path().join(chapter.store_folder());
            let folder = dir.join("users").join(user_index_name("ada"));
            let index = std::fs::read_dir(folder)
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            let records = std::fs::read_dir(&dir)
                .unwrap()
                .filter_map(|e| {
                    e.unwrap()
                        .file_name()
                        .into_string()
                        .unwrap()
                        .strip_suffix(".json")
                        .map(str::to_owned)
                })
                .collect();
            (index, records)
        }
    };
    assert_eq!(records, kept, "the records are exactly the sessions still signed in");
    assert_eq!(index, kept, "and so is ada's index: nothing lost, nothing brought back");
}
// ANCHOR_END: parallel

/// An index the store cannot read (here a file where the user's folder
/// should be) is the store out of order: the page and its forms answer
/// `503`, and nothing changes; the list is back with the folder.
#[apply(file_store_chapters)]
fn an_unreadable_index_answers_503_and_nothing_changes(#[case] chapter: Chapter) {
    let app = TestApp::launch(chapter);
    app.sign_in("ada");
    let folder = app.store_dir().join("users").join(user_index_name("ada"));
    let aside = folder.with_extension("aside");
    std::fs::rename(&folder, &aside).unwrap();
    std::fs::write(&folder, b"").unwrap();
    assert_eq!(app.get("/sessions").status(), Status::ServiceUnavailable);
    let token = app.csrf_token().expect("signed in");
    let others = app.post_form("/sessions/end-others", format!("csrf_token={token}"));
    assert_eq!(others.status(), Status::ServiceUnavailable);
    assert_eq!(app.records().len(), 1, "nothing changed");
    std::fs::remove_file(&folder).unwrap();
    std::fs::rename(&aside, &folder).unwrap();
    let body = app.page("/sessions");
    assert!(body.contains(r#"class="session this-one""#), "the list is back: {body}");
}
