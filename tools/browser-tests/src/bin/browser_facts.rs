//! The book's table "What browsers really do"
//! (`book/src/generated/what-browsers-do.md`), from real runs: every probe
//! of `browser_tests::facts` in Chromium and in Firefox.
//!
//! The rows that wait two minutes run beside the others, in both engines at
//! once, so a run takes little more than the quick rows or two minutes,
//! whichever is longer. Progress and the time left go to stderr, the
//! table to stdout.

use std::collections::HashMap;
use std::process::ExitCode;
use std::time::Duration;

use browser_tests::facts::{self, Finding, Row};
use browser_tests::Engine;
use launcher::progress::Progress;

const USAGE: &str = "\
Usage: browser_facts [--write | --check]

  --write   write the page (book/src/generated/what-browsers-do.md)
  --check   fail if a cell the page records differs from what the browsers
            do now

Runs every probe of the table in Chromium and in Firefox and prints the
table.";

enum Mode {
    Print,
    Write,
    Check,
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Option<Mode>, String> {
    let mut mode = Mode::Print;
    for arg in args {
        mode = match (arg.as_str(), mode) {
            ("-h" | "--help", _) => return Ok(None),
            ("--write", Mode::Print) => Mode::Write,
            ("--check", Mode::Print) => Mode::Check,
            ("--write" | "--check", _) => return Err("--write or --check, not both".into()),
            _ => return Err(format!("unknown argument {arg:?}")),
        };
    }
    Ok(Some(mode))
}

/// Every probe in both engines: those that wait beside the others, each of
/// the others in turn.
async fn run_all() -> HashMap<(Row, Engine), Finding> {
    let cells = |rows: Vec<Row>| -> Vec<(Row, Engine)> {
        rows.into_iter().flat_map(|row| Engine::ALL.map(|engine| (row, engine))).collect()
    };
    let (waiting, quick): (Vec<Row>, Vec<Row>) = Row::ALL.iter().partition(|row| row.waits());
    let quick = cells(quick);
    let mut progress = Progress::new("browser facts", quick.len() as u64 + 1)
        .with_estimate(Duration::from_secs(6));
    let slow = async {
        let mut found = Vec::new();
        for &row in &waiting {
            // Both engines wait at once.
            let (chromium, firefox) =
                tokio::join!(row.probe(Engine::Chromium), row.probe(Engine::Firefox));
            found.extend([((row, Engine::Chromium), chromium), ((row, Engine::Firefox), firefox)]);
        }
        found
    };
    let fast = async {
        let mut found = Vec::new();
        for &(row, engine) in &quick {
            progress.step(format!("{engine}: {}", row.label()));
            found.push(((row, engine), row.probe(engine).await));
        }
        progress.step("the rows that wait two minutes");
        found
    };
    let (slow, fast) = tokio::join!(slow, fast);
    progress.finish();
    slow.into_iter().chain(fast).collect()
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let mode = match parse_args(std::env::args().skip(1)) {
        Ok(Some(mode)) => mode,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("browser_facts: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let found = run_all().await;
    let table = facts::table(|row, engine| found[&(row, engine)].clone());
    print!("{table}");
    let path = facts::page_path();
    match mode {
        Mode::Print => ExitCode::SUCCESS,
        Mode::Write => {
            let versions: Vec<String> = Engine::ALL.iter().map(|e| e.version()).collect();
            if let Err(e) = std::fs::write(&path, facts::page(&versions, &table)) {
                eprintln!("browser_facts: cannot write {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
            eprintln!("browser_facts: wrote {}", path.display());
            ExitCode::SUCCESS
        }
        Mode::Check => {
            let committed = std::fs::read_to_string(&path).unwrap_or_default();
            let recorded = facts::recorded_table(&committed);
            let differ: Vec<(&str, &str)> =
                recorded.lines().zip(table.lines()).filter(|(was, now)| was != now).collect();
            if differ.is_empty() && recorded.lines().count() == table.lines().count() {
                eprintln!(
                    "browser_facts: every cell of {} is what the browsers do",
                    path.display()
                );
                return ExitCode::SUCCESS;
            }
            eprintln!("browser_facts: {} differs from what the browsers do now:", path.display());
            for (was, now) in differ {
                eprintln!("  recorded: {was}\n  now:      {now}");
            }
            ExitCode::FAILURE
        }
    }
}
