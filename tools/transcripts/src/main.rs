//! Writes the transcripts the book shows, by running the real chapters.
//!
//! Run with `cargo run -p transcripts` to regenerate `book/src/transcripts/`,
//! or `cargo run -p transcripts -- --check` to fail when a committed
//! transcript no longer matches what the chapters do.
//!
//! Each chapter is built, started from the repository root with its own
//! port and a temporary `ROCKET_SESSION_DIR`, and driven over HTTP by a
//! client that keeps cookies like a browser and follows no redirect, so the
//! transcripts show the real `303`s and `Set-Cookie` headers. Values that
//! differ on every run are replaced by placeholders (see `normalise`).

mod browser;
mod normalise;
mod page;
mod scenario;
mod server;

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use server::Launch;

const CHAPTERS: [u8; 4] = [1, 2, 3, 4];

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
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize()?;
    let binaries = build_chapters(&root)?;
    let work = tempfile::tempdir()?;
    let generated = generate(&root, &binaries, work.path())?;
    let committed_dir = root.join("book/src/transcripts");
    if check {
        let committed = read_tree(&committed_dir)?;
        let stale = differences(&committed, &generated);
        for line in &stale {
            eprintln!("stale transcript: {line}");
        }
        if !stale.is_empty() {
            eprintln!("the book's transcripts are out of date: run `cargo run -p transcripts`");
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

/// `cargo build` of the four chapters; returns their binaries.
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

/// Plays every chapter's steps (the chapters run side by side) and returns
/// `path below book/src/transcripts → content`.
fn generate(
    root: &Path,
    binaries: &[PathBuf],
    work: &Path,
) -> io::Result<BTreeMap<String, String>> {
    let mut launches = Vec::new();
    let mut ports = Vec::new();
    for (&number, binary) in CHAPTERS.iter().zip(binaries) {
        let port = server::free_port(&ports)?;
        ports.push(port);
        let launch = Launch {
            root: root.to_owned(),
            binary: binary.clone(),
            port,
            session_dir: work.join(format!("sessions-{number}")),
            lifetime: None,
        };
        launches.push((number, launch));
    }
    let results: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = launches
            .into_iter()
            .map(|(number, launch)| {
                scope.spawn(move || (number, scenario::play(number, launch, work)))
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("a chapter's steps panicked")).collect()
    });
    let mut all = BTreeMap::new();
    for (number, transcripts) in results {
        for (name, content) in transcripts? {
            all.insert(format!("chapter-{number}/{name}"), content);
        }
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
