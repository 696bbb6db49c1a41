//! Data a session cannot keep gets a clear answer, not a panic: a session
//! keeps the app's fields beside its own, so the data must be written as
//! a JSON object. An enum whose unit variant is written as a bare string
//! is refused when a session would start with it, or change into it, and
//! the session stays as it was.

use rocket::http::Status;
use rocket::local::blocking::Client;
use rocket::{get, post, routes};
use serde::{Deserialize, Serialize};

use rocket_session_kit::{Error, ManualClock, Session, SessionOwner, Sessions, Storage};

/// A visitor's mood: `Calm` is written as `"Calm"`, a string, and
/// `Angry { level }` as `{"Angry":{"level":…}}`, an object.
#[derive(Debug, Clone, Serialize, Deserialize)]
enum Mood {
    Calm,
    Angry { level: u8 },
}

impl SessionOwner for Mood {
    fn owner(&self) -> &str {
        "the visitor"
    }
}

fn mood(name: &str) -> Mood {
    match name {
        "calm" => Mood::Calm,
        _ => Mood::Angry { level: 1 },
    }
}

fn answer(result: Result<(), Error>) -> Status {
    result.map_or_else(|e| e.status(), |()| Status::Ok)
}

#[post("/start/<name>")]
async fn start(name: &str, session: Session<'_, Mood>) -> Status {
    answer(session.start(mood(name), false, None).await)
}

#[post("/become/<name>")]
async fn become_(name: &str, session: Session<'_, Mood>) -> Status {
    let next = mood(name);
    answer(
        session
            .modify(move |m| {
                *m = next.clone();
                None
            })
            .await,
    )
}

#[get("/mood")]
fn show(session: Session<'_, Mood>) -> String {
    format!("{:?}", session.data())
}

fn app(storage: Storage, folder: &std::path::Path) -> Client {
    let sessions = Sessions::new(storage).with_cookie_name("mood");
    let figment = rocket::Config::figment().merge(("session_dir", folder));
    let rocket = rocket::custom(figment)
        .attach(sessions.fairing_with_clock::<Mood>(std::sync::Arc::new(ManualClock::default())))
        .mount("/", routes![start, become_, show]);
    Client::tracked(rocket).expect("the app launches")
}

#[test]
fn data_that_is_no_object_is_refused_and_the_session_kept() {
    for storage in [Storage::SealedCookie, Storage::ServerFiles] {
        let folder = tempfile::tempdir().unwrap();
        let client = app(storage, folder.path());

        let refused = client.post("/start/calm").dispatch();
        assert_eq!(refused.status(), Status::InternalServerError, "{storage:?}");
        assert!(refused.headers().get_one("Set-Cookie").is_none(), "{storage:?}: no session");
        assert_eq!(client.get("/mood").dispatch().into_string().unwrap(), "None");

        assert_eq!(client.post("/start/angry").dispatch().status(), Status::Ok, "{storage:?}");
        let cookie = client.cookies().get("mood").expect("a session").value().to_owned();
        let refused = client.post("/become/calm").dispatch();
        assert_eq!(refused.status(), Status::InternalServerError, "{storage:?}");
        let kept = client.get("/mood").dispatch().into_string().unwrap();
        assert_eq!(kept, "Some(Angry { level: 1 })", "{storage:?}: the data as it was");
        assert_eq!(client.cookies().get("mood").unwrap().value().len(), cookie.len());
    }
}

/// Data with a field the session keeps one of its own under.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Note {
    owner: String,
    flash: String,
}

impl SessionOwner for Note {
    fn owner(&self) -> &str {
        &self.owner
    }
}

#[post("/note")]
async fn note(session: Session<'_, Note>) -> Status {
    let note = Note { owner: "ada".into(), flash: "hello".into() };
    answer(session.start(note, false, None).await)
}

#[test]
fn data_with_a_field_the_session_keeps_is_refused() {
    let sessions = Sessions::new(Storage::SealedCookie).with_cookie_name("note");
    let rocket = rocket::build().attach(sessions.fairing::<Note>()).mount("/", routes![note]);
    let client = Client::tracked(rocket).expect("the app launches");
    let refused = client.post("/note").dispatch();
    assert_eq!(refused.status(), Status::InternalServerError);
    assert!(refused.headers().get_one("Set-Cookie").is_none(), "no session");
}
