//! Runs every attack of the stranger's site from both of its instances
//! against each chapter, in headless Chromium (or Firefox, `--engine
//! firefox`), and prints what each did as Markdown tables, for the book.
//!
//! ```sh
//! scripts/with-redis cargo run -p browser-tests --bin attack_report
//! scripts/with-redis cargo run -p browser-tests --bin attack_report -- \
//!     --before /tmp/before-bin --before-source /tmp/before-src --chapters 2,5
//! ```
//!
//! The columns are the targets: the chapter as built now, its unprotected
//! variant (`unprotected_chapter`: the tutorial's forms, no checks), and
//! with `--before DIR` another build, `DIR/chapter-N`, run with the
//! templates (and `Rocket.toml`, if any) of `--before-source SRC` (`SRC/
//! shared-templates`; `SRC` defaults to `DIR`): what the attacks did before
//! a change. The rows are the attacks and where they come from. Chapters
//! whose tables come out the same share one table.
//!
//! A cell says what the chapter's `/home` showed afterwards ("worked: theme
//! changed", "worked: signed out", "worked: signed in as mallory") or, when
//! nothing changed, what stopped it: "blocked: 403" when the form's POST
//! landed on a 403 page; "blocked: no cookie sent (SameSite=Lax)" when the
//! browser did not send the session cookie with the request, as the
//! unprotected variant logs it for the same attack (the browser decides
//! that alone, from the cookie's attributes, which every target shares);
//! "blocked: GET /logout only shows a page" for the image, when the cookie
//! went along and still nothing happened.
//!
//! It builds what it runs first (the chapters, the stranger, the variant);
//! chapter 5 needs the Redis of `scripts/with-redis`. Progress and the time
//! left go to stderr, the tables to stdout.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use browser_tests::stranger::{self, rows, tables, Results, Stranger, StrangerSite, Victim};
use browser_tests::{Browser, ChapterServer, Engine, Lifetime, CHAPTERS};
use launcher::progress::Progress;

const USAGE: &str = "\
Usage: attack_report [--chapters 1,2,...] [--before DIR [--before-source SRC]]
                     [--engine chromium|firefox] [--write]

  --chapters LIST       only these chapters (default: all six)
  --engine ENGINE       the browser to run them in (default: chromium)
  --before DIR          also run DIR/chapter-N, another build of each chapter
  --before-source SRC   the templates (SRC/shared-templates) and Rocket.toml
                        of that build (default: DIR)
  --write               also write the tables into the book
                        (book/src/generated/attacks.md); every chapter only

Prints Markdown tables of what every attack of the stranger did against each
chapter, its unprotected variant, and the other build. Run it under
scripts/with-redis (chapter 5 keeps its sessions in Redis).";

/// What the attacks are aimed at: one column.
#[derive(Debug, Clone)]
enum Target {
    /// Another build of the chapter, run from its own folder.
    Before { dir: PathBuf, source: PathBuf },
    /// The chapter as built now.
    Chapter,
    /// `unprotected_chapter`.
    Unprotected,
}

impl Target {
    fn heading(&self) -> String {
        match self {
            Target::Before { dir, .. } => format!("before (`{}`)", dir.display()),
            Target::Chapter => "the chapter".into(),
            Target::Unprotected => "unprotected variant".into(),
        }
    }

    fn start(&self, number: u8) -> ChapterServer {
        match self {
            Target::Before { dir, source } => {
                ChapterServer::start_from(&stranger::launch_other_build(number, dir, source))
            }
            Target::Chapter => ChapterServer::start(number, Lifetime::ChapterDefault),
            Target::Unprotected => ChapterServer::start_from(&stranger::launch_unprotected(number)),
        }
    }
}

struct Options {
    chapters: Vec<u8>,
    before: Option<(PathBuf, PathBuf)>,
    engine: Engine,
    write: bool,
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Option<Options>, String> {
    let mut chapters: Vec<u8> = CHAPTERS.iter().map(|c| c.number).collect();
    let (mut dir, mut source, mut write) = (None, None, false);
    let mut engine = Engine::Chromium;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--chapters" => {
                chapters = value()?
                    .split(',')
                    .map(|n| match n.trim().parse::<u8>() {
                        Ok(n) if CHAPTERS.iter().any(|c| c.number == n) => Ok(n),
                        _ => Err(format!("--chapters: there is no chapter {n:?}")),
                    })
                    .collect::<Result<_, _>>()?;
            }
            "--before" => dir = Some(PathBuf::from(value()?)),
            "--before-source" => source = Some(PathBuf::from(value()?)),
            "--engine" => {
                let name = value()?;
                engine = Engine::ALL
                    .into_iter()
                    .find(|e| e.id() == name)
                    .ok_or(format!("--engine: {name:?} is neither chromium nor firefox"))?;
            }
            "--write" => write = true,
            _ => return Err(format!("unknown argument {arg:?}")),
        }
    }
    let before = match (dir, source) {
        (Some(dir), source) => {
            let source = source.unwrap_or_else(|| dir.clone());
            if !source.join("shared-templates").is_dir() {
                return Err(format!("{} has no shared-templates/", source.display()));
            }
            Some((dir, source))
        }
        (None, Some(_)) => return Err("--before-source needs --before".into()),
        (None, None) => None,
    };
    Ok(Some(Options { chapters, before, engine, write }))
}

/// The chapters, the stranger and the variant, as `cargo run` of this
/// binary alone does not build them.
fn build() -> Result<(), String> {
    launcher::build_chapters(launcher::Profile::Debug).map_err(|e| e.to_string())?;
    stranger::build_binaries()
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(Some(options)) => options,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("attack_report: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if let Err(e) = build() {
        eprintln!("attack_report: {e}");
        return ExitCode::FAILURE;
    }
    let mut targets = Vec::new();
    if let Some((dir, source)) = &options.before {
        targets.push(Target::Before { dir: dir.clone(), source: source.clone() });
    }
    targets.extend([Target::Chapter, Target::Unprotected]);

    let steps = options.chapters.len() * targets.len() * StrangerSite::ALL.len();
    let mut progress =
        Progress::new("attack report", steps as u64).with_estimate(Duration::from_secs(8));
    let stranger = Stranger::start();
    let browser = Browser::fresh(options.engine).await;
    let mut victim = Victim::new(&browser);
    let mut all: Vec<(u8, Results)> = Vec::new();
    for &number in &options.chapters {
        let mut results = Results::new();
        for target in &targets {
            let mut server = target.start(number);
            let mut runs = vec![None; rows().len()];
            for site in StrangerSite::ALL {
                progress.step(format!(
                    "chapter {number}, {}, from {}",
                    target.heading(),
                    site.label()
                ));
                for (row, &(attack, row_site)) in rows().iter().enumerate() {
                    if row_site == site {
                        runs[row] = Some(victim.attack(&mut server, &stranger, site, attack).await);
                    }
                }
            }
            results.push(runs.into_iter().map(|run| run.expect("every row run")).collect());
        }
        all.push((number, results));
    }
    browser.close().await;
    progress.finish();

    let headings: Vec<String> = targets.iter().map(Target::heading).collect();
    let variant = targets.iter().position(|t| matches!(t, Target::Unprotected)).expect("a variant");
    let text = tables(&headings, variant, &all);
    print!("{text}");
    if options.write {
        if options.before.is_some() || options.chapters.len() != CHAPTERS.len() {
            eprintln!("attack_report: --write takes every chapter, without --before");
            return ExitCode::from(2);
        }
        let path = stranger::book_table_path();
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("attack_report: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        eprintln!("attack_report: wrote {}", path.display());
    }
    ExitCode::SUCCESS
}
