//! Two servers on one session folder, as two workers behind a proxy would
//! run: real processes, both changing the same session at the same moment.
//! Neither may lose the other's change: the file store's lock is the
//! operating system's, not only a mutex of its own process.
//!
//! The test is its own child: run without `SHOP_CHILD`, it signs a customer
//! in, starts itself twice as the two workers, lets them add items to the
//! cart at once, and counts the items. It runs without libtest's harness
//! (`harness = false` in Cargo.toml), so that the children run `main`
//! alone; `main` answers the little a test runner asks (see [`TEST`]).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use rocket::http::{Cookie, Status};
use rocket::local::blocking::Client;
use rocket::{post, routes};

use rocket_session_kit::{Session, Sessions, Storage};

use common::Cart;

const COOKIE: &str = "shop_session";
/// Items each worker adds.
const ADDS: usize = 200;
/// How long a step may take on a busy two-core machine.
const BUDGET: Duration = Duration::from_secs(60);

/// The child's settings, from the parent.
const CHILD: &str = "SHOP_CHILD";
const CHILD_DIR: &str = "SHOP_CHILD_DIR";
const CHILD_COOKIE: &str = "SHOP_CHILD_COOKIE";

#[post("/start/<customer>")]
async fn start(customer: &str, session: Session<'_, Cart>) -> Status {
    let cart = Cart { customer: customer.into(), items: Vec::new() };
    match session.start(cart, false, None).await {
        Ok(()) => Status::Ok,
        Err(_) => Status::ServiceUnavailable,
    }
}

/// One worker: the shop, its sessions in files in `folder`.
fn worker(folder: &Path) -> Client {
    let sessions =
        Sessions::new(Storage::ServerFiles).with_cookie_name(COOKIE).with_store_name("shop");
    let figment = rocket::Config::figment()
        .merge(("session_dir", folder))
        .merge(("log_level", rocket::config::LogLevel::Off));
    let rocket = rocket::custom(figment)
        .attach(sessions.fairing::<Cart>())
        .mount("/", routes![start, common::add, common::cart, common::no_cart]);
    Client::untracked(rocket).expect("the shop launches")
}

/// The test's name, as `cargo test` and cargo-nextest list and filter it.
const TEST: &str = "two_worker_processes_lose_no_update";

fn main() {
    if let Ok(name) = std::env::var(CHILD) {
        return child(&name);
    }
    // What a test runner asks of a test binary: `--list` (cargo-nextest
    // lists the tests first, and the ignored ones apart), name filters, and
    // `--skip NAME` (scripts/windows-tests skips a few tests by name).
    let (mut flags, mut filters, mut skips) = (Vec::new(), Vec::new(), Vec::new());
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--skip" => skips.extend(args.next()),
            // Options whose value is the next argument.
            "--format" | "--color" | "--test-threads" | "--logfile" | "-Z" => {
                args.next();
            }
            flag if flag.starts_with('-') => flags.push(arg),
            _ => filters.push(arg),
        }
    }
    let flag = |name: &str| flags.iter().any(|arg| arg == name);
    if flag("--list") {
        if !flag("--ignored") {
            println!("{TEST}: test");
        }
        return;
    }
    let exact = flag("--exact");
    let matches =
        |pattern: &String| if exact { pattern == TEST } else { TEST.contains(pattern.as_str()) };
    if (!filters.is_empty() && !filters.iter().any(matches)) || skips.iter().any(matches) {
        println!("{TEST}: filtered out");
        return;
    }
    parent();
}

/// A worker process: says it is ready, waits for the word, then adds its
/// items one request at a time.
fn child(name: &str) {
    let folder = PathBuf::from(std::env::var(CHILD_DIR).expect("the folder"));
    let cookie = std::env::var(CHILD_COOKIE).expect("the session cookie");
    let client = worker(&folder);
    std::fs::write(folder.join(format!("ready-{name}")), "").unwrap();
    wait_for(&folder.join("go"));
    for i in 0..ADDS {
        let response = client
            .post(format!("/add/{name}{i}"))
            .cookie(Cookie::new(COOKIE, cookie.clone()))
            .dispatch();
        assert_eq!(response.status(), Status::Ok, "{name}: add {i}");
    }
}

fn parent() {
    let started = Instant::now();
    let folder = tempfile::tempdir().unwrap();
    let cookie = {
        let client = worker(folder.path());
        let response = client.post("/start/ada").dispatch();
        assert_eq!(response.status(), Status::Ok);
        response.cookies().get(COOKIE).expect("a session cookie").value().to_owned()
    };

    let me = std::env::current_exe().expect("the test's own binary");
    let spawn = |name: &str| -> Child {
        Command::new(&me)
            .env(CHILD, name)
            .env(CHILD_DIR, folder.path())
            .env(CHILD_COOKIE, &cookie)
            .spawn()
            .expect("a worker process")
    };
    let workers = [spawn("a"), spawn("b")];
    for name in ["a", "b"] {
        wait_for(&folder.path().join(format!("ready-{name}")));
    }
    // Both launched: now they add at once.
    std::fs::write(folder.path().join("go"), "").unwrap();
    for (mut worker, name) in workers.into_iter().zip(["a", "b"]) {
        let status = worker.wait().expect("the worker ends");
        assert!(status.success(), "worker {name} failed: {status}");
    }

    let client = worker(folder.path());
    let cart = client.get("/cart").cookie(Cookie::new(COOKIE, cookie)).dispatch();
    let cart = cart.into_string().expect("the cart");
    let items: Vec<&str> = cart.strip_prefix("ada: ").expect("ada's cart").split(',').collect();
    for name in ["a", "b"] {
        let theirs: Vec<&str> =
            items.iter().copied().filter(|item| item.starts_with(name)).collect();
        let expected: Vec<String> = (0..ADDS).map(|i| format!("{name}{i}")).collect();
        assert_eq!(
            theirs,
            expected,
            "worker {name}'s items, in order: {} of {ADDS} kept",
            theirs.len()
        );
    }
    println!(
        "ok: two worker processes on one folder added {} items to one session, none lost ({:.1} s)",
        items.len(),
        started.elapsed().as_secs_f64()
    );
}

/// Waits until `path` exists, within the budget.
fn wait_for(path: &Path) {
    let deadline = Instant::now() + BUDGET;
    while !path.exists() {
        assert!(Instant::now() < deadline, "{} did not appear within {BUDGET:?}", path.display());
        std::thread::sleep(Duration::from_millis(5));
    }
}
