//! The first pass, before mdBook's `links`: finds the listings while their
//! `{{#include …}}` still names the file, numbers them, and wraps each in a
//! captioned `<figure class="listing">`.

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

use mdbook_preprocessor::book::{Book, Chapter};
use mdbook_preprocessor::errors::{Error, Result};

use crate::fence::{fences, indentation, Fence};

/// How every listing figure starts; the second pass looks for it.
pub const FIGURE_OPENING: &str = "<figure class=\"listing\"";

/// Where the book's pages live, and what a caption's path is relative to.
#[derive(Debug, Clone)]
pub struct Paths {
    /// The book's `src` directory.
    pub src: PathBuf,
    /// The directory captions name files from (`source-root`).
    pub shown_from: PathBuf,
}

/// A listing on a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// The code block.
    pub fence: Fence,
    /// The line of its `<!-- listing: … -->`, if it has one.
    pub description_line: Option<usize>,
    /// The included file, as the caption names it.
    pub file: String,
    /// The author's description.
    pub description: Option<String>,
}

/// Numbers and captions the listings of every page of `book`.
///
/// A page titled "Chapter N…" numbers its listings N.1, N.2, …; the other
/// pages that have listings get a letter each, A, B, …, in the order of
/// `SUMMARY.md`.
pub fn number_book(book: &mut Book, paths: &Paths) -> Result<()> {
    let mut labels = HashMap::new();
    let mut letters = 0;
    let mut taken = HashSet::new();
    for chapter in book.chapters() {
        let Some(page) = page_file(chapter) else { continue };
        let found = find_listings(&chapter.content, &page_dir(paths, page), paths)
            .map_err(|error| error.context(page.display().to_string()))?;
        if found.is_empty() {
            continue;
        }
        let label = match chapter_number(&chapter.name) {
            Some(number) => number.to_string(),
            None => {
                letters += 1;
                letter(letters)
            }
        };
        if !taken.insert(label.clone()) {
            return Err(Error::msg(format!(
                "{}: another page already numbers its listings {label}.1, {label}.2, …",
                page.display()
            )));
        }
        labels.insert(page.to_owned(), label);
    }
    let mut outcome = Ok(());
    book.for_each_chapter_mut(|chapter| {
        let Some(page) = page_file(chapter) else { return };
        let Some(label) = labels.get(page) else { return };
        if outcome.is_ok() {
            match number_listings(&chapter.content, label, &page_dir(paths, page), paths) {
                Ok(content) => chapter.content = content,
                Err(error) => outcome = Err(error.context(page.display().to_string())),
            }
        }
    });
    outcome
}

/// `content`, a page in `page_dir`, with its listings numbered `label.1`,
/// `label.2`, … and captioned.
pub fn number_listings(
    content: &str,
    label: &str,
    page_dir: &Path,
    paths: &Paths,
) -> Result<String> {
    let lines: Vec<&str> = content.split('\n').collect();
    let listings = find_listings(content, page_dir, paths)?;
    let mut out: Vec<String> = Vec::with_capacity(lines.len() + 10 * listings.len());
    let mut next = 0;
    for (count, listing) in listings.iter().enumerate() {
        let first = listing.description_line.unwrap_or(listing.fence.open);
        let close = listing.fence.close.expect("a listing's block is closed");
        out.extend(lines[next..first].iter().map(|line| line.to_string()));
        let indent = indentation(lines[listing.fence.open]);
        let number = format!("{label}.{}", count + 1);
        let id = format!("listing-{label}-{}", count + 1);
        let mut caption = format!("{indent}[Listing {number}](#{id}): `{}`", listing.file);
        if let Some(description) = &listing.description {
            caption.push_str(" — ");
            caption.push_str(description);
        }
        // The blank lines end the HTML blocks, so that mdBook renders the
        // caption and the code block inside them as Markdown.
        out.extend([
            format!("{indent}{FIGURE_OPENING} id=\"{id}\">"),
            format!("{indent}<figcaption>"),
            String::new(),
            caption,
            String::new(),
            format!("{indent}</figcaption>"),
            String::new(),
        ]);
        out.extend(lines[listing.fence.open..=close].iter().map(|line| line.to_string()));
        out.extend([String::new(), format!("{indent}</figure>"), String::new()]);
        next = close + 1;
    }
    out.extend(lines[next..].iter().map(|line| line.to_string()));
    Ok(out.join("\n"))
}

/// The listings of `content`, a page in `page_dir`: fenced code blocks
/// whose only non-blank line is an `{{#include …}}` of a file outside the
/// book's `src` (the transcripts and generated text inside it are output,
/// not listings).
///
/// Fails on a `<!-- listing: … -->` that is not on the line above a
/// listing's opening fence, or says nothing.
pub fn find_listings(content: &str, page_dir: &Path, paths: &Paths) -> Result<Vec<Listing>> {
    let lines: Vec<&str> = content.split('\n').collect();
    let mut listings = Vec::new();
    for fence in fences(&lines) {
        let Some(close) = fence.close else { continue };
        let mut body = lines[fence.open + 1..close].iter().filter(|line| !line.trim().is_empty());
        let (Some(only), None) = (body.next(), body.next()) else { continue };
        let Some(target) = included_file(only.trim()) else { continue };
        let file = normalize(&page_dir.join(target));
        if file.starts_with(normalize(&paths.src)) {
            continue;
        }
        let file = match file.strip_prefix(normalize(&paths.shown_from)) {
            Ok(relative) => relative
                .components()
                .map(|part| part.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/"),
            Err(_) => target.to_owned(),
        };
        let above = fence.open.checked_sub(1);
        let description = above.and_then(|line| description(lines[line]));
        listings.push(Listing {
            fence,
            description_line: description.is_some().then(|| fence.open - 1),
            file,
            description: description.map(str::to_owned),
        });
    }
    for (number, line) in lines.iter().enumerate() {
        let Some(text) = description(line) else { continue };
        if !listings.iter().any(|listing| listing.description_line == Some(number)) {
            return Err(Error::msg(format!(
                "line {}: `{}` is not on the line above the opening fence of a listing \
                 (a code block holding only an {{{{#include}}}} of a source file)",
                number + 1,
                line.trim()
            )));
        }
        if text.is_empty() {
            return Err(Error::msg(format!("line {}: an empty listing description", number + 1)));
        }
    }
    Ok(listings)
}

/// The file part of an `{{#include path}}` or `{{#include path:anchor}}`
/// directive, spelt as mdBook's `links` reads it.
fn included_file(line: &str) -> Option<&str> {
    let inner = line.strip_prefix("{{")?.strip_suffix("}}")?.trim_start();
    let rest = inner.strip_prefix("#include")?;
    if !rest.starts_with(char::is_whitespace) || inner.contains('}') {
        return None;
    }
    let argument = rest.split_whitespace().next()?;
    argument.split(':').next().filter(|path| !path.is_empty())
}

/// The text of a `<!-- listing: text -->` line (possibly empty).
fn description(line: &str) -> Option<&str> {
    let inner = line.trim().strip_prefix("<!--")?.strip_suffix("-->")?.trim_start();
    Some(inner.strip_prefix("listing:")?.trim())
}

/// N for a title "Chapter N" or "Chapter N: …".
pub fn chapter_number(title: &str) -> Option<u32> {
    let rest = title.strip_prefix("Chapter ")?;
    let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let after = rest[digits..].chars().next();
    if digits == 0 || after.is_some_and(char::is_alphanumeric) {
        return None;
    }
    rest[..digits].parse().ok()
}

/// The `n`th letter label: A, …, Z, AA, AB, …
pub fn letter(mut n: usize) -> String {
    let mut label = Vec::new();
    while n > 0 {
        n -= 1;
        label.push(b'A' + (n % 26) as u8);
        n /= 26;
    }
    label.reverse();
    String::from_utf8(label).expect("ASCII letters")
}

fn page_file(chapter: &Chapter) -> Option<&Path> {
    chapter.source_path.as_deref().or(chapter.path.as_deref())
}

fn page_dir(paths: &Paths, page: &Path) -> PathBuf {
    paths.src.join(page).parent().map(Path::to_owned).unwrap_or_else(|| paths.src.clone())
}

/// `path` with its `.` and `..` resolved without the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut normal = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !normal.pop() {
                    normal.push("..");
                }
            }
            other => normal.push(other),
        }
    }
    normal
}

#[cfg(test)]
mod tests {
    use super::*;
    use mdbook_preprocessor::book::BookItem;

    fn paths() -> Paths {
        Paths { src: "/repo/book/src".into(), shown_from: "/repo/book/..".into() }
    }

    fn page_dir() -> PathBuf {
        "/repo/book/src".into()
    }

    const COOKIE: &str = "```rust,ignore\n\
        {{#include ../../rocket-session-kit/src/session/cookie.rs:session_cookie}}\n```";

    #[test]
    fn numbers_the_listings_of_a_page_in_order() {
        let page = format!("# Chapter 3\n\nThe cookie:\n\n{COOKIE}\n\nAnd again:\n\n{COOKIE}\n");
        let numbered = number_listings(&page, "3", &page_dir(), &paths()).unwrap();
        assert!(numbered.contains("<figure class=\"listing\" id=\"listing-3-1\">"));
        assert!(numbered.contains("[Listing 3.1](#listing-3-1)"));
        assert!(numbered.contains("<figure class=\"listing\" id=\"listing-3-2\">"));
        assert!(numbered.contains("[Listing 3.2](#listing-3-2)"));
        assert!(!numbered.contains("3.3"));
    }

    #[test]
    fn captions_a_listing_with_its_file_from_the_repository_root() {
        let page = format!("The cookie:\n\n{COOKIE}\n\nText.\n");
        let expected = "The cookie:\n\n\
            <figure class=\"listing\" id=\"listing-1-1\">\n<figcaption>\n\n\
            [Listing 1.1](#listing-1-1): `rocket-session-kit/src/session/cookie.rs`\n\n\
            </figcaption>\n\n"
            .to_owned()
            + COOKIE
            + "\n\n</figure>\n\n\nText.\n";
        assert_eq!(number_listings(&page, "1", &page_dir(), &paths()).unwrap(), expected);
    }

    #[test]
    fn a_description_comment_joins_the_caption_and_leaves_the_page() {
        let page = format!("Text:\n<!-- listing: The cookie *this* chapter sends -->\n{COOKIE}\n");
        let numbered = number_listings(&page, "1", &page_dir(), &paths()).unwrap();
        assert!(numbered.contains(
            "[Listing 1.1](#listing-1-1): `rocket-session-kit/src/session/cookie.rs` \
             — The cookie *this* chapter sends\n"
        ));
        assert!(!numbered.contains("<!--"));
    }

    #[test]
    fn a_description_away_from_a_listing_is_an_error() {
        let page = format!("<!-- listing: lost -->\n\n{COOKIE}\n");
        let error = find_listings(&page, &page_dir(), &paths()).unwrap_err();
        assert!(error.to_string().starts_with("line 1: `<!-- listing: lost -->`"), "{error}");
        let page = "<!-- listing: not code -->\n```text\n{{#include transcripts/run.txt}}\n```";
        assert!(find_listings(page, &page_dir(), &paths()).is_err());
        let page = format!("<!-- listing: -->\n{COOKIE}");
        assert!(find_listings(&page, &page_dir(), &paths()).is_err());
    }

    #[test]
    fn leaves_blocks_that_are_not_listings_alone() {
        let page = "\
            ```text\n{{#include transcripts/chapter-1/run.txt}}\n```\n\n\
            ```text\n{{#include generated/costs.md}}\n```\n\n\
            {{#include ../../chapters/chapter-1/src/lib.rs:chapter}}\n\n\
            ```rust\nfn main() {}\n```\n\n\
            ```rust\n{{#include ../../a.rs}}\n{{#include ../../b.rs}}\n```\n\n\
            ```rust\n// see {{#include ../../a.rs}}\n```\n\n\
            ```rust\n{{#rustdoc_include ../../a.rs}}\n```\n\n\
            ```rust\n\\{{#include ../../a.rs}}\n```\n\n\
            ```rust\n{{#include ../../unclosed.rs}}\n";
        assert_eq!(find_listings(page, &page_dir(), &paths()).unwrap(), []);
        assert_eq!(number_listings(page, "1", &page_dir(), &paths()).unwrap(), page);
    }

    #[test]
    fn reads_the_file_of_every_spelling_of_include() {
        assert_eq!(included_file("{{#include ../../a.rs}}"), Some("../../a.rs"));
        assert_eq!(included_file("{{#include ../../a.rs:anchor}}"), Some("../../a.rs"));
        assert_eq!(included_file("{{ #include  ../../a.rs:2:5 }}"), Some("../../a.rs"));
        assert_eq!(included_file("{{#includes ../../a.rs}}"), None);
        assert_eq!(included_file("{{#include}}"), None);
    }

    #[test]
    fn a_file_outside_the_shown_root_keeps_its_spelling() {
        let paths = Paths { src: "/repo/book/src".into(), shown_from: "/repo/book".into() };
        let page = "```toml\n{{#include ../../Rocket.toml}}\n```";
        let listings = find_listings(page, &page_dir(), &paths).unwrap();
        assert_eq!(listings[0].file, "../../Rocket.toml");
        let listings = find_listings(page, &page_dir(), &self::paths()).unwrap();
        assert_eq!(listings[0].file, "Rocket.toml");
    }

    #[test]
    fn chapters_are_numbered_by_their_title_and_other_pages_lettered() {
        assert_eq!(chapter_number("Chapter 3: persistent, client-side"), Some(3));
        assert_eq!(chapter_number("Chapter 12"), Some(12));
        assert_eq!(chapter_number("Chapter 1b"), None);
        assert_eq!(chapter_number("The app"), None);
        assert_eq!(chapter_number("Chapters"), None);
        assert_eq!([1, 2, 26, 27, 28].map(letter), ["A", "B", "Z", "AA", "AB"]);
    }

    #[test]
    fn numbers_a_whole_book_in_summary_order() {
        let mut book = Book::new();
        let listing = format!("{COOKIE}\n");
        for (title, file, content) in [
            ("Introduction", "introduction.md", "No code.\n"),
            ("The app", "the-app.md", listing.as_str()),
            ("Chapter 1: client-side", "chapter-1.md", listing.as_str()),
            ("Chapter 2: server-side", "chapter-2.md", "```text\n{{#include t.txt}}\n```"),
            ("Testing", "testing.md", listing.as_str()),
        ] {
            let chapter = Chapter::new(title, content.to_owned(), file, Vec::new());
            book.push_item(BookItem::Chapter(chapter));
        }
        number_book(&mut book, &paths()).unwrap();
        let contents: Vec<&str> = book.chapters().map(|c| c.content.as_str()).collect();
        assert_eq!(contents[0], "No code.\n");
        assert!(contents[1].contains("[Listing A.1](#listing-A-1)"), "{}", contents[1]);
        assert!(contents[2].contains("[Listing 1.1](#listing-1-1)"));
        assert_eq!(contents[3], "```text\n{{#include t.txt}}\n```");
        assert!(contents[4].contains("[Listing B.1](#listing-B-1)"));
    }

    #[test]
    fn two_pages_with_one_number_are_an_error() {
        let mut book = Book::new();
        for file in ["one.md", "two.md"] {
            let chapter = Chapter::new("Chapter 1", COOKIE.to_owned(), file, Vec::new());
            book.push_item(BookItem::Chapter(chapter));
        }
        assert!(number_book(&mut book, &paths()).is_err());
    }
}
