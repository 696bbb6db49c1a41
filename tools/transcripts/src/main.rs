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
//! Each chapter is built, started from the repository root with its own
//! port and a temporary `ROCKET_SESSION_DIR` (chapter 5: that Redis, and a
//! `ROCKET_SESSION_KEY_PREFIX` unique to the run), and driven over HTTP by
//! a client that keeps cookies like a browser and follows no redirect, so
//! the transcripts show the real `303`s and `Set-Cookie` headers. Every
//! chapter plays the same steps (`scenario`), into `chapter-N/`; the
//! scenarios of "Beyond one server" (`beyond`) start chapters 4 and 5
//! twice, read what Redis holds, and stop a Redis of their own. Values
//! that differ on every run are replaced by placeholders (see `normalise`).
//!
//! The servers listen on 127.0.0.1, on ports 18400 to 18499, or on the
//! hundred ports from `TRANSCRIPTS_FIRST_PORT`.

mod beyond;
mod browser;
mod normalise;
mod page;
mod records;
mod scenario;
mod server;

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{SystemTime, UNIX_EPOCH};

use server::{Launch, RedisLaunch};

const CHAPTERS: [u8; 5] = [1, 2, 3, 4, 5];

/// The chapter that keeps its sessions in Redis.
const REDIS_CHAPTER: u8 = 5;

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
    let redis_url = std::env::var("SESSIONS_TEST_REDIS_URL").map_err(|_| {
        io::Error::other(
            "SESSIONS_TEST_REDIS_URL is not set: chapter 5 needs a Redis. Run the tool under \
             scripts/with-redis, which starts one: `scripts/with-redis cargo run -p transcripts`",
        )
    })?;
    records::connect(&redis_url).map_err(|e| {
        io::Error::other(format!(
            "{e} (SESSIONS_TEST_REDIS_URL); `scripts/with-redis cargo run -p transcripts` \
             starts a Redis for the run"
        ))
    })?;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize()?;
    let binaries = build_chapters(&root)?;
    let work = tempfile::tempdir()?;
    let run_prefix = run_prefix();
    let generated = generate(&root, &binaries, work.path(), &redis_url, &run_prefix);
    // The keys of this run expire by themselves; remove them now anyway.
    let cleaned = records::delete_keys(&redis_url, &run_prefix);
    let generated = generated?;
    cleaned?;
    let committed_dir = root.join("book/src/transcripts");
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

/// What every Redis key of this run starts with: unique to the run, so that
/// runs never see one another's keys.
fn run_prefix() -> String {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_nanos();
    format!("transcripts-{}-{nanos}-", std::process::id())
}

/// `cargo build` of the five chapters; returns their binaries.
fn build_chapters(root: &Path) -> io::Result<Vec<PathBuf>> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command.current_dir(root).args(["build", "--locked"]);
    for number in CHAPTERS {
        command.args(["-p", &format!("chapter-{number}")]);
    }
    let status = command.status()?;
    if !status.success() {
        return Err(io::Error::other(format!("cargo build of the chapters failed: {status}")));
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|dir| if dir.is_absolute() { dir } else { root.join(dir) })
        .unwrap_or_else(|| root.join("target"));
    Ok(CHAPTERS.iter().map(|n| target.join("debug").join(format!("chapter-{n}"))).collect())
}

/// Plays every chapter's steps and the scenarios of "Beyond one server"
/// (all side by side) and returns `path below book/src/transcripts →
/// content`.
fn generate(
    root: &Path,
    binaries: &[PathBuf],
    work: &Path,
    redis_url: &str,
    run_prefix: &str,
) -> io::Result<BTreeMap<String, String>> {
    let binary = |number: u8| binaries[CHAPTERS.iter().position(|&n| n == number).unwrap()].clone();
    let setup = beyond::Setup {
        root: root.to_owned(),
        chapter_4: binary(4),
        chapter_5: binary(REDIS_CHAPTER),
        redis_url: redis_url.to_owned(),
        run_prefix: run_prefix.to_owned(),
        work: work.to_owned(),
    };
    let mut jobs: Vec<beyond::Job> = Vec::new();
    let mut ports = Vec::new();
    for (&number, binary) in CHAPTERS.iter().zip(binaries) {
        let port = server::free_port(&ports)?;
        ports.push(port);
        let redis = (number == REDIS_CHAPTER).then(|| RedisLaunch {
            url: redis_url.to_owned(),
            key_prefix: format!(
                "{run_prefix}chapter-{number}:{}",
                scenario::default_key_prefix(number)
            ),
        });
        let launch = Launch {
            root: root.to_owned(),
            binary: binary.clone(),
            port,
            session_dir: work.join(format!("sessions-{number}")),
            lifetime: None,
            redis,
        };
        jobs.push(Box::new(move || {
            let transcripts = scenario::play(number, launch, work)?;
            Ok(transcripts
                .into_iter()
                .map(|(name, content)| (format!("chapter-{number}/{name}"), content))
                .collect())
        }));
    }
    jobs.extend(beyond::jobs(&setup, &mut ports)?);
    let results: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = jobs.into_iter().map(|job| scope.spawn(job)).collect();
        handles.into_iter().map(|h| h.join().expect("a scenario panicked")).collect()
    });
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
