//! Writes the transcripts the book shows, by running the real chapters.
//!
//! Run with `cargo run -p transcripts` to regenerate `book/src/transcripts/`,
//! or `cargo run -p transcripts -- --check` to fail when a committed
//! transcript no longer matches what the chapters do. Chapter 5 keeps its
//! sessions in Redis, so either runs under `scripts/with-redis`, which
//! starts a throwaway Redis and names it in `SESSIONS_TEST_REDIS_URL`:
//!
//! ```sh
//! scripts/with-redis cargo run -p transcripts
//! scripts/with-redis cargo run -p transcripts -- --check
//! ```
//!
//! Each chapter is built, started by the `launcher` with its own port and a
//! temporary `ROCKET_SESSION_DIR` (chapter 5: that Redis, and a
//! `ROCKET_SESSION_KEY_PREFIX` of its own), and driven over HTTP by
//! a client that keeps cookies like a browser and follows no redirect, so
//! the transcripts show the real `303`s and `Set-Cookie` headers. Every
//! chapter plays the same steps (`scenario`), into `chapter-N/`; chapter 6
//! plays its "Keep me signed in" steps too (`remember`, `chapter-6/11-…` to
//! `15-…`), and chapter 3 a session that meets its absolute limit, run with
//! short lifetimes (`absolute`, `chapter-3/11-absolute-limit.txt`); the
//! scenarios of "Beyond one server" (`beyond`) start chapters 4 and 5
//! twice, read what Redis holds, and stop a Redis of their own; and
//! chapter 2 shows what else a session carries (`carries`, `what-else/`):
//! messages, CSRF tokens, and the forms refused without them; and chapter
//! 1's secret key is rotated step by step (`keys`, `every-device/keys-…`),
//! restarting it with each configuration of the rotation. Values
//! that differ on every run are replaced by placeholders (see `normalise`).
//!
//! The servers listen on 127.0.0.1, on ports the operating system finds
//! free.

mod absolute;
mod beyond;
mod browser;
mod carries;
mod keys;
mod launch;
mod normalise;
mod original;
mod page;
mod records;
mod remember;
mod scenario;
mod sessions_list;
mod tls;

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::Path;
use std::process::ExitCode;

use launch::Setup;
use launcher::progress::Progress;
use launcher::{Profile, CHAPTERS};
use scenario::Transcript;

fn main() -> ExitCode {
    let check = match std::env::args().nth(1).as_deref() {
        None => false,
        Some("--check") => true,
        Some(other) => {
            eprintln!("unknown argument {other:?}; usage: transcripts [--check]");
            return ExitCode::FAILURE;
        }
    };
    match run(check) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("transcripts: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(check: bool) -> io::Result<bool> {
    // Chapter 5 needs a Redis: fail now, and say how to get one.
    launcher::keys::connect(&launcher::test_redis_url()).map_err(|e| {
        io::Error::other(format!(
            "chapter 5 needs a Redis: {e}; `scripts/with-redis cargo run -p transcripts` \
             starts one for the run"
        ))
    })?;
    launcher::build_chapters(Profile::Debug)?;
    let work = tempfile::tempdir()?;
    let setup = Setup::new(work.path());
    let generated = generate(&setup);
    let cleaned = setup.delete_keys();
    let generated = generated?;
    cleaned?;
    let committed_dir = launcher::workspace_root().join("book/src/transcripts");
    if check {
        let committed = read_tree(&committed_dir)?;
        let stale = differences(&committed, &generated);
        for line in &stale {
            eprintln!("stale transcript: {line}");
        }
        if !stale.is_empty() {
            eprintln!(
                "the book's transcripts are out of date: run \
                 `scripts/with-redis cargo run -p transcripts`"
            );
            return Ok(false);
        }
        eprintln!("transcripts: {} files up to date", generated.len());
    } else {
        if committed_dir.exists() {
            fs::remove_dir_all(&committed_dir)?;
        }
        for (name, content) in &generated {
            let path = committed_dir.join(name);
            fs::create_dir_all(path.parent().expect("a parent folder"))?;
            fs::write(path, content)?;
        }
        eprintln!("transcripts: wrote {} files to {}", generated.len(), committed_dir.display());
    }
    Ok(true)
}

/// Plays every chapter's steps and the scenarios of "Beyond one server"
/// (all side by side) and returns `path below book/src/transcripts →
/// content`.
fn generate(setup: &Setup) -> io::Result<BTreeMap<String, String>> {
    type Scenario<'a> = (String, Box<dyn FnOnce() -> io::Result<Vec<Transcript>> + Send + 'a>);
    let mut scenarios: Vec<Scenario> = Vec::new();
    for chapter in CHAPTERS {
        let (number, folder) = (chapter.number, launcher::package(&chapter));
        scenarios.push((
            format!("chapter {number}"),
            Box::new(move || {
                let transcripts = scenario::play(setup, number)?;
                Ok(transcripts
                    .into_iter()
                    .map(|(name, content)| (format!("{folder}/{name}"), content))
                    .collect())
            }),
        ));
    }
    scenarios
        .push(("chapter 6's choice at sign-in".into(), Box::new(move || remember::play(setup))));
    scenarios.push(("chapter 3's absolute limit".into(), Box::new(move || absolute::play(setup))));
    scenarios.push(("what else a session carries".into(), Box::new(move || carries::play(setup))));
    scenarios.push(("a rotation of chapter 1's key".into(), Box::new(move || keys::play(setup))));
    scenarios.push(("a user's sessions".into(), Box::new(move || sessions_list::play(setup))));
    scenarios.push(("every hop: TLS".into(), Box::new(move || tls::play(setup))));
    for (name, scenario) in beyond::scenarios() {
        scenarios.push((name.to_owned(), Box::new(move || scenario(setup))));
    }
    for (name, scenario) in original::scenarios() {
        scenarios.push((name.to_owned(), Box::new(move || scenario(setup))));
    }
    // They all run at once; the progress follows them in order.
    let mut progress = Progress::new("transcripts", scenarios.len() as u64);
    let results: Vec<_> = std::thread::scope(|scope| {
        let running: Vec<_> =
            scenarios.into_iter().map(|(name, job)| (name, scope.spawn(job))).collect();
        running
            .into_iter()
            .map(|(name, handle)| {
                progress.step(format!("waiting for {name}"));
                handle.join().expect("a scenario panicked")
            })
            .collect()
    });
    progress.finish();
    let mut all = BTreeMap::new();
    for transcripts in results {
        all.extend(transcripts?);
    }
    Ok(all)
}

fn read_tree(dir: &Path) -> io::Result<BTreeMap<String, String>> {
    let mut tree = BTreeMap::new();
    if !dir.exists() {
        return Ok(tree);
    }
    for chapter in fs::read_dir(dir)? {
        let chapter = chapter?;
        if !chapter.path().is_dir() {
            let name = chapter.file_name().to_string_lossy().into_owned();
            tree.insert(name, fs::read_to_string(chapter.path())?);
            continue;
        }
        for file in fs::read_dir(chapter.path())? {
            let file = file?;
            let name = format!(
                "{}/{}",
                chapter.file_name().to_string_lossy(),
                file.file_name().to_string_lossy()
            );
            tree.insert(name, fs::read_to_string(file.path())?);
        }
    }
    Ok(tree)
}

/// What differs between the committed transcripts and fresh ones.
fn differences(
    committed: &BTreeMap<String, String>,
    generated: &BTreeMap<String, String>,
) -> Vec<String> {
    let mut found = Vec::new();
    for (name, content) in generated {
        match committed.get(name) {
            None => found.push(format!("{name} is missing")),
            Some(old) if old != content => {
                let line = old
                    .lines()
                    .zip(content.lines())
                    .position(|(a, b)| a != b)
                    .unwrap_or(old.lines().count().min(content.lines().count()));
                found.push(format!("{name} differs from line {}", line + 1));
            }
            Some(_) => {}
        }
    }
    for name in committed.keys().filter(|name| !generated.contains_key(*name)) {
        found.push(format!("{name} is no longer generated"));
    }
    found
}
