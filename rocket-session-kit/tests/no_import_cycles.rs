//! The crate's modules form layers: each one imports only modules below
//! it, never one that imports it back, directly or through others. A
//! cycle makes a module impossible to read, test or move on its own.
//!
//! The test reads the sources: every `crate::module` a module names outside
//! comments and its unit tests (an item the crate root re-exports counts
//! for the module it comes from), between top-level modules.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

type Graph = BTreeMap<String, BTreeSet<String>>;

#[test]
fn the_modules_import_one_another_without_a_cycle() {
    let graph = import_graph(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    // The reading works: an import the session module is known to have.
    assert!(graph["session"].contains("store"), "the sources were not read: {graph:?}");
    let cycles = cycles(&graph);
    assert!(cycles.is_empty(), "import cycles between modules:\n{}", cycles.join("\n"));
}

#[test]
fn a_cycle_is_found() {
    let mut graph = Graph::new();
    for (from, to) in [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")] {
        graph.entry(from.into()).or_default().insert(to.into());
    }
    assert_eq!(cycles(&graph), ["a -> b -> c -> a"]);
}

/// Top-level module → the top-level modules it names.
fn import_graph(src: &Path) -> Graph {
    let root = fs::read_to_string(src.join("lib.rs")).unwrap();
    let re_exports = re_exports(&root);
    let mut graph = Graph::new();
    for file in rust_files(src) {
        let relative = file.strip_prefix(src).unwrap();
        let first = relative.iter().next().unwrap().to_str().unwrap();
        let module = first.trim_end_matches(".rs").to_owned();
        if module == "lib" {
            continue;
        }
        let code = code_of(&fs::read_to_string(&file).unwrap());
        let named = graph.entry(module.clone()).or_default();
        for name in crate_paths(&code) {
            let target = match re_exports.get(&name) {
                Some(origin) => origin.clone(),
                None => name,
            };
            if target != module {
                named.insert(target);
            }
        }
    }
    graph
}

/// The source without comments and without its unit tests.
fn code_of(source: &str) -> String {
    let source = match source.find("#[cfg(test)]") {
        Some(at) => &source[..at],
        None => source,
    };
    source
        .lines()
        .map(|line| match line.find("//") {
            // A `//` inside a string ("redis://…") is not a comment.
            Some(at) if line[..at].matches('"').count() % 2 == 0 => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first segment of every path that starts with `crate::`, groups
/// (`crate::{a::B, c}`) included.
fn crate_paths(code: &str) -> Vec<String> {
    let mut names = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Items end at a comma or at the group's closing brace, never
            // inside a nested group.
            let (mut depth, mut item_start) = (0, 0);
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth > 0 => depth -= 1,
                    '}' | ',' if depth == 0 => {
                        names.push(first_segment(&group[item_start..i]));
                        if c == '}' {
                            break;
                        }
                        item_start = i + 1;
                    }
                    _ => {}
                }
            }
        } else {
            names.push(first_segment(rest));
        }
    }
    names.retain(|name| !name.is_empty() && name != "self");
    names
}

fn first_segment(path: &str) -> String {
    path.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect()
}

/// Item → the module it comes from, for the crate root's `pub use`s.
fn re_exports(root: &str) -> BTreeMap<String, String> {
    let mut origins = BTreeMap::new();
    let code = code_of(root);
    for statement in code.split(';') {
        let Some(path) = statement.trim().strip_prefix("pub use ") else { continue };
        let module = first_segment(path);
        let items = match (path.find('{'), path.rfind('}')) {
            (Some(open), Some(close)) => path[open + 1..close].to_owned(),
            _ => path.rsplit("::").next().unwrap().to_owned(),
        };
        for item in items.split(',') {
            let item = item.trim();
            let name = item.rsplit(" as ").next().unwrap().rsplit("::").next().unwrap();
            if !name.is_empty() {
                origins.insert(name.to_owned(), module.clone());
            }
        }
    }
    origins
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// Every cycle a depth-first walk meets, each written from its first
/// module in the walk: `a -> b -> a`.
fn cycles(graph: &Graph) -> Vec<String> {
    fn walk(
        module: &str,
        graph: &Graph,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
        found: &mut Vec<String>,
    ) {
        if let Some(at) = path.iter().position(|m| m == module) {
            let mut cycle = path[at..].to_vec();
            cycle.push(module.to_owned());
            found.push(cycle.join(" -> "));
            return;
        }
        if !done.insert(module.to_owned()) {
            return;
        }
        path.push(module.to_owned());
        for next in graph.get(module).into_iter().flatten() {
            walk(next, graph, path, done, found);
        }
        path.pop();
    }
    let (mut done, mut found) = (BTreeSet::new(), Vec::new());
    for module in graph.keys() {
        walk(module, graph, &mut Vec::new(), &mut done, &mut found);
    }
    found
}
