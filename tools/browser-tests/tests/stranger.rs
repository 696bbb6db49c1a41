//! The stranger's attacks (cross-site request forgery, `tools/stranger`) on
//! every chapter, in headless Chromium and Firefox: signed in as Ada, one
//! browser opens each attack page, from another site (`localhost`), then
//! from the chapters' own site on another port (`127.0.0.1`), and the chapter's
//! `/home` must show that nothing changed: still Ada, same theme, nobody
//! signed in as mallory. Each form attack must land on the chapter's 403.
//!
//! The same code runs the same attacks against the chapter's unprotected
//! variant (`src/bin/unprotected_chapter.rs`: the tutorial's forms, no
//! checks) and asserts they work there, as far as the browser lets them:
//! proof that the pages attack, the browser sends, and the test looks at
//! the right thing, so that "nothing changed" means the protections held.
//!
//! Each test starts its own chapter (or variant), stranger and browser,
//! and plays the attacks of both sites in them;
//! chapter 5 needs the Redis of `scripts/with-redis`. Build the chapters
//! and the stranger first (`cargo build -p chapter-1 … -p chapter-6 -p
//! stranger`; cargo builds the variant, a binary of this crate, for its
//! tests), then `scripts/with-redis cargo test -p browser-tests --test
//! stranger`.

use browser_tests::stranger::{
    self, rows, tables, Attack, AttackRun, Outcome, Results, Stranger, StrangerSite, Victim,
    ATTACKER,
};
use browser_tests::{original, Browser, ChapterServer, Engine, Lifetime};

/// One `#[test]` per engine, chapter and target, each playing the attacks
/// from both stranger sites in one browser:
/// `chromium::chapter_3::attacks_refused`; for the chapters marked
/// `+ original` (the tutorial's four sections), the same attacks on the
/// Flask original too: `firefox::chapter_3::original::attacks_work`.
macro_rules! stranger_suite {
    ($($chapter:ident => $number:literal $(+ $original:ident)?),* $(,)?) => {
        browser_tests::in_each_engine! {$(
            mod $chapter {
                use super::ENGINE;
                use super::super::{attacks, Target};

                #[tokio::test]
                async fn attacks_refused() {
                    attacks(ENGINE, $number, Target::Chapter).await
                }

                #[tokio::test]
                async fn unprotected_attacks() {
                    attacks(ENGINE, $number, Target::Unprotected).await
                }

                $(
                    mod $original {
                        use super::{attacks, Target, ENGINE};

                        #[tokio::test]
                        async fn attacks_work() {
                            attacks(ENGINE, $number, Target::Original).await
                        }
                    }
                )?
            }
        )*}
    };
}

stranger_suite!(
    chapter_1 => 1 + original,
    chapter_2 => 2 + original,
    chapter_3 => 3 + original,
    chapter_4 => 4 + original,
    chapter_5 => 5,
    chapter_6 => 6,
);

/// What the attacks are aimed at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// The real `chapter-N`.
    Chapter,
    /// `unprotected_chapter`, the control group.
    Unprotected,
    /// The Flask original's section of the same number
    /// (`browser_tests::original`): the tutorial as it is.
    Original,
}

/// What must happen: the outcome on `/home`, the status a form attack
/// lands on (`None`: not checked, or the image), and whether the request
/// carried the session cookie (the variant's log; `None` for a chapter,
/// which logs nothing of it).
fn expected(target: Target, site: StrangerSite, attack: Attack) -> AttackRun {
    let form = attack != Attack::ImageLogout;
    match (target, site) {
        (Target::Original, _) => expected_on_the_original(site, attack),
        // Refused before anything else: the POST's `Origin` is another
        // origin, the same site's as much as another site's. The image is
        // a GET, and the chapter's `GET /logout` only shows a page.
        (Target::Chapter, _) => AttackRun {
            outcome: Outcome::Unchanged,
            landed_status: form.then_some(403),
            cookie_sent: None,
        },
        // Nothing on the server stops them: from the same site the browser
        // sends the `SameSite=Lax` cookie, and every attack works.
        (Target::Unprotected, StrangerSite::SameSite) => AttackRun {
            outcome: match attack {
                Attack::Theme => Outcome::ThemeChanged,
                Attack::Logout | Attack::ImageLogout => Outcome::SignedOut,
                Attack::Login => Outcome::SignedInAs(ATTACKER.into()),
            },
            landed_status: form.then_some(200),
            cookie_sent: Some(true),
        },
        // From another site, observed in both engines: the browser keeps the `SameSite=Lax`
        // cookie off the cross-site POSTs and the image, so the variant
        // sees a visitor who is not signed in: the theme has no session to
        // change, and signing out a session it never saw removes nothing
        // (no cookie came, so no removal is sent). The login attack needs
        // no cookie: the variant signs "mallory" in and sets a fresh
        // cookie, which the browser stores, since the answer to a
        // top-level navigation may set a Lax cookie. SameSite alone does
        // not stop login CSRF.
        (Target::Unprotected, StrangerSite::CrossSite) => AttackRun {
            outcome: match attack {
                Attack::Theme | Attack::Logout | Attack::ImageLogout => Outcome::Unchanged,
                Attack::Login => Outcome::SignedInAs(ATTACKER.into()),
            },
            landed_status: form.then_some(200),
            cookie_sent: Some(false),
        },
    }
}

/// What each attack does to the Flask original, the tutorial's app as it
/// is: nothing on its server stops any of them, so what happens is what
/// the browser lets through.
fn expected_on_the_original(site: StrangerSite, attack: Attack) -> AttackRun {
    let (outcome, landed_status) = match attack {
        // The tutorial has no theme to change: its `/theme` is not found.
        Attack::Theme => (Outcome::Unchanged, Some(404)),
        // Its `/logout` takes only GET: the POST is refused, by the
        // method, not by a check.
        Attack::Logout => (Outcome::Unchanged, Some(405)),
        // Its `GET /logout` signs out whoever's cookie comes with the
        // image. From the same site the cookie comes, and the reader is
        // signed out. From another site neither engine sends it, each for
        // its own reason: Flask's cookie has no `SameSite`, which Chromium
        // reads as `Lax` (no cookie on another site's image). Firefox does
        // not, but it gives what a page of another site embeds a cookie
        // jar of its own, without the original's cookie (Total Cookie
        // Protection: `network.cookie.cookieBehavior` 5, its default; set
        // to 0 for a try, this attack signed the reader out). Neither is
        // the original's doing.
        Attack::ImageLogout => {
            let outcome = match site {
                StrangerSite::SameSite => Outcome::SignedOut,
                StrangerSite::CrossSite => Outcome::Unchanged,
            };
            (outcome, None)
        }
        // Login CSRF: the form posts `username=mallory` and no `next`; the
        // original writes the name into the session and redirects to
        // `next` as given, here `None`, a page that does not exist (404).
        // The browser keeps the cookie of the answer to a top-level
        // navigation: the reader is now mallory, from either site.
        Attack::Login => (Outcome::SignedInAs(ATTACKER.into()), Some(404)),
    };
    AttackRun { outcome, landed_status, cookie_sent: None }
}

/// Every attack from each stranger site in turn (another site, then the
/// chapters' own site on another port) against chapter `number`'s
/// `target`, in one browser, signed in as Ada: again after each attack that
/// changed something, so that each starts from Ada in her theme (on the
/// original, before every attack).
async fn attacks(engine: Engine, number: u8, target: Target) {
    let stranger = Stranger::start();
    let browser = Browser::fresh(engine).await;
    let mut runs = Vec::new();
    match target {
        Target::Chapter | Target::Unprotected => {
            let mut server = match target {
                Target::Chapter => ChapterServer::start(number, Lifetime::ChapterDefault),
                _ => ChapterServer::start_from(&stranger::launch_unprotected(number)),
            };
            let mut victim = Victim::new(&browser);
            for (site, attack) in every_attack() {
                let run = victim.attack(&mut server, &stranger, site, attack).await;
                runs.push((site, attack, run));
            }
        }
        Target::Original => {
            let original = original::start(number);
            for (site, attack) in every_attack() {
                let run = original::attack(&browser, &original, &stranger, site, attack).await;
                runs.push((site, attack, run));
            }
        }
    }
    browser.close().await;
    // All eight at once, so that a failure shows every attack's result.
    let wanted: Vec<(StrangerSite, Attack, AttackRun)> = every_attack()
        .map(|(site, attack)| (site, attack, expected(target, site, attack)))
        .collect();
    assert_eq!(
        runs,
        wanted,
        "chapter {number} ({target:?}): the attacks from {} and from {}, as run (left) and as \
         expected (right)",
        stranger.origin(StrangerSite::CrossSite),
        stranger.origin(StrangerSite::SameSite),
    );
}

/// Every attack from one stranger site, then every attack from the other.
fn every_attack() -> impl Iterator<Item = (StrangerSite, Attack)> {
    StrangerSite::ALL.into_iter().flat_map(|site| Attack::ALL.map(|attack| (site, attack)))
}

// ANCHOR: book_table
/// The book's table of outcomes (`book/src/generated/attacks.md`, written
/// by `attack_report --write` from real runs) says exactly what the tests
/// above assert, for every chapter: it fails when either changes alone.
#[test]
fn the_books_table_is_what_these_tests_assert() {
    let headings = ["the chapter".to_owned(), "unprotected variant".to_owned()];
    let all: Vec<(u8, Results)> = browser_tests::CHAPTERS
        .iter()
        .map(|chapter| {
            let results = [Target::Chapter, Target::Unprotected]
                .iter()
                .map(|&target| {
                    rows().iter().map(|&(attack, site)| expected(target, site, attack)).collect()
                })
                .collect();
            (chapter.number, results)
        })
        .collect();
    let path = stranger::book_table_path();
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        committed,
        tables(&headings, 1, &all),
        "{} is stale: run `scripts/with-redis cargo run -p browser-tests --bin attack_report -- --write`",
        path.display()
    );
}
// ANCHOR_END: book_table
