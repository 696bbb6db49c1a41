//! An mdBook preprocessor for the book's listings: numbers them, captions
//! each with the file it comes from, and dedents the code.
//!
//! # What a listing is
//!
//! A fenced code block whose only non-blank line is an `{{#include …}}` of a
//! file outside the book's `src` directory:
//!
//! ````markdown
//! ```rust,ignore
//! {{#include ../../rocket-session-kit/src/session/cookie.rs:session_cookie}}
//! ```
//! ````
//!
//! What the book includes from inside `src` (the transcripts, the generated
//! figures) is output the book shows, not a listing, and so is any other code
//! block. `{{#rustdoc_include}}` makes no listing either.
//!
//! # Numbers
//!
//! A page titled "Chapter N…" numbers its listings N.1, N.2, … in the order
//! they come; every other page with listings gets a letter in the order of
//! `SUMMARY.md` (the app: A, and so on), and its listings are A.1, A.2, …
//! Pages without listings take no letter. Listing 1.3's figure has the id
//! `listing-1-3`, so that prose can link to it: `[Listing 1.3](#listing-1-3)`.
//!
//! # Captions
//!
//! Every listing is captioned, above the code, with its number and its file,
//! relative to the `source-root` directory (below):
//!
//! > Listing 1.3: `rocket-session-kit/src/session/cookie.rs`
//!
//! An author who wants to say more writes a one-line HTML comment directly
//! above the opening fence; its text (Markdown) follows the file name:
//!
//! ````markdown
//! <!-- listing: The cookie the chapter sends -->
//! ```rust,ignore
//! {{#include ../../rocket-session-kit/src/session/cookie.rs:session_cookie}}
//! ```
//! ````
//!
//! > Listing 1.3: `rocket-session-kit/src/session/cookie.rs` — The cookie the
//! > chapter sends
//!
//! A plain Markdown viewer (GitHub) shows nothing of the comment. A
//! `<!-- listing: … -->` anywhere else, or an empty one, fails the build.
//!
//! The listing becomes (`listings.css` styles it):
//!
//! ````markdown
//! <figure class="listing" id="listing-1-3">
//! <figcaption>
//!
//! [Listing 1.3](#listing-1-3): `chapters/…/cookie.rs` — The cookie the chapter sends
//!
//! </figcaption>
//!
//! ```rust,ignore
//! …
//! ```
//!
//! </figure>
//! ````
//!
//! # Dedent
//!
//! The code of every listing loses the leading whitespace that all its
//! non-blank lines share, so a method taken from inside an `impl` starts at
//! the left margin.
//!
//! # Two passes
//!
//! Numbering needs the `{{#include}}` (to name the file), so it runs before
//! mdBook's `links` preprocessor; dedenting needs the included text, so it
//! runs after. The same binary is registered twice, told its pass by its
//! first argument (mdBook appends `supports RENDERER` to it when it asks):
//!
//! ```toml
//! [preprocessor.listings]
//! command = "cargo run --quiet --locked -p book-listings -- number"
//! before = ["links"]
//! # Captions name files relative to this directory (relative to the book's
//! # root; default: the book's root).
//! source-root = ".."
//!
//! [preprocessor.listings-dedent]
//! command = "cargo run --quiet --locked -p book-listings -- dedent"
//! after = ["links"]
//! ```
//!
//! The `number` pass reads its options from `[preprocessor.listings]`. Both
//! passes work for the renderers that take Markdown with HTML in it: `html`,
//! `markdown` and the link checkers (`linkcheck`, `linkcheck2`).

mod dedent;
mod fence;
mod number;

use std::io;
use std::path::PathBuf;
use std::process::ExitCode;

use mdbook_preprocessor::book::Book;
use mdbook_preprocessor::errors::{Error, Result};
use mdbook_preprocessor::{Preprocessor, PreprocessorContext};

use number::Paths;

const USAGE: &str = "usage: book-listings (number | dedent) [supports RENDERER]";

/// The table of book.toml the `number` pass reads its options from.
const OPTIONS: &str = "preprocessor.listings";

/// The renderers both passes work for.
const RENDERERS: &[&str] = &["html", "markdown", "linkcheck", "linkcheck2"];

/// One of the two passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Listings {
    /// Before `links`: numbers and captions the listings.
    Number,
    /// After `links`: dedents their code.
    Dedent,
}

impl Listings {
    fn from_argument(argument: &str) -> Result<Listings> {
        match argument {
            "number" => Ok(Listings::Number),
            "dedent" => Ok(Listings::Dedent),
            _ => Err(Error::msg(format!("unknown pass `{argument}`; {USAGE}"))),
        }
    }
}

impl Preprocessor for Listings {
    fn name(&self) -> &str {
        match self {
            Listings::Number => "listings",
            Listings::Dedent => "listings-dedent",
        }
    }

    fn run(&self, ctx: &PreprocessorContext, mut book: Book) -> Result<Book> {
        match self {
            Listings::Number => {
                let source_root: PathBuf = ctx
                    .config
                    .get(&format!("{OPTIONS}.source-root"))?
                    .unwrap_or_else(|| PathBuf::from("."));
                let paths = Paths {
                    src: ctx.root.join(&ctx.config.book.src),
                    shown_from: ctx.root.join(source_root),
                };
                number::number_book(&mut book, &paths)?;
            }
            Listings::Dedent => book.for_each_chapter_mut(|chapter| {
                chapter.content = dedent::dedent_listings(&chapter.content);
            }),
        }
        Ok(book)
    }

    fn supports_renderer(&self, renderer: &str) -> Result<bool> {
        Ok(RENDERERS.contains(&renderer))
    }
}

fn main() -> ExitCode {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    match run(&arguments) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("book-listings: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(arguments: &[String]) -> Result<ExitCode> {
    let Some((pass, rest)) = arguments.split_first() else {
        return Err(Error::msg(USAGE));
    };
    let pass = Listings::from_argument(pass)?;
    match rest {
        [] => {
            let (ctx, book) = mdbook_preprocessor::parse_input(io::stdin().lock())?;
            warn_of_another_mdbook(&ctx.mdbook_version);
            let book = pass.run(&ctx, book)?;
            serde_json::to_writer(io::stdout().lock(), &book)?;
            Ok(ExitCode::SUCCESS)
        }
        [supports, renderer] if supports == "supports" => {
            Ok(if pass.supports_renderer(renderer)? {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        _ => Err(Error::msg(USAGE)),
    }
}

/// The book comes as JSON in the shape of the mdBook release this was
/// built for; another minor release may have changed it.
fn warn_of_another_mdbook(calling: &str) {
    let release = |version: &str| version.splitn(3, '.').take(2).collect::<Vec<_>>().join(".");
    if release(calling) != release(mdbook_preprocessor::MDBOOK_VERSION) {
        eprintln!(
            "book-listings: warning: built for mdBook {}, called by mdBook {calling}",
            mdbook_preprocessor::MDBOOK_VERSION
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_passes_support_the_html_renderer_and_the_link_checker() {
        for pass in [Listings::Number, Listings::Dedent] {
            assert!(pass.supports_renderer("html").unwrap());
            assert!(pass.supports_renderer("linkcheck2").unwrap());
            assert!(!pass.supports_renderer("epub").unwrap());
        }
    }

    #[test]
    fn the_first_argument_names_the_pass() {
        assert_eq!(Listings::from_argument("number").unwrap(), Listings::Number);
        assert_eq!(Listings::from_argument("dedent").unwrap(), Listings::Dedent);
        assert!(Listings::from_argument("links").is_err());
        assert_eq!(Listings::Number.name(), "listings");
        assert_eq!(Listings::Dedent.name(), "listings-dedent");
    }

    #[test]
    fn supports_answers_by_exit_code() {
        let arguments = |words: &[&str]| words.iter().map(|w| w.to_string()).collect::<Vec<_>>();
        let code = |words| run(&arguments(words)).unwrap();
        assert_eq!(code(&["number", "supports", "html"]), ExitCode::SUCCESS);
        assert_eq!(code(&["dedent", "supports", "linkcheck2"]), ExitCode::SUCCESS);
        assert_eq!(code(&["number", "supports", "epub"]), ExitCode::FAILURE);
        assert!(run(&arguments(&["number", "supports"])).is_err());
        assert!(run(&[]).is_err());
    }
}
