//! The stranger's attacks (cross-site request forgery, `tools/stranger`) on
//! every chapter, in headless Chromium and Firefox: signed in as Ada, the browser opens
//! each attack page, from another site (`localhost`) and from the
//! chapters' own site on another port (`127.0.0.1`), and the chapter's
//! `/home` must show that nothing changed: still Ada, same theme, nobody
//! signed in as mallory. Each form attack must land on the chapter's 403.
//!
//! The same code runs the same attacks against the chapter's unprotected
//! variant (`src/bin/unprotected_chapter.rs`: the tutorial's forms, no
//! checks) and asserts they work there, as far as the browser lets them:
//! proof that the pages attack, the browser sends, and the test looks at
//! the right thing, so that "nothing changed" means the protections held.
//!
//! Each test starts its own chapter (or variant), stranger and browser;
//! chapter 5 needs the Redis of `scripts/with-redis`. Build the chapters
//! and the stranger first (`cargo build -p chapter-1 … -p chapter-6 -p
//! stranger`; cargo builds the variant, a binary of this crate, for its
//! tests), then `scripts/with-redis cargo test -p browser-tests --test
//! stranger`.

use browser_tests::stranger::{
    self, rows, tables, Attack, AttackRun, Outcome, Results, Stranger, StrangerSite, Victim,
    ATTACKER,
};
use browser_tests::{Browser, ChapterServer, Engine, Lifetime, Profile};

/// One `#[test]` per chapter, stranger and target: `chapter_3::same_site_attacks_refused`.
macro_rules! stranger_suite {
    ($($chapter:ident => $number:literal),* $(,)?) => {
        browser_tests::in_each_engine! {$(
            mod $chapter {
                use super::ENGINE;
                use super::super::{attacks, StrangerSite, Target};

                #[tokio::test]
                async fn cross_site_attacks_refused() {
                    attacks(ENGINE, $number, Target::Chapter, StrangerSite::CrossSite).await
                }

                #[tokio::test]
                async fn same_site_attacks_refused() {
                    attacks(ENGINE, $number, Target::Chapter, StrangerSite::SameSite).await
                }

                #[tokio::test]
                async fn unprotected_cross_site_attacks() {
                    attacks(ENGINE, $number, Target::Unprotected, StrangerSite::CrossSite).await
                }

                #[tokio::test]
                async fn unprotected_same_site_attacks() {
                    attacks(ENGINE, $number, Target::Unprotected, StrangerSite::SameSite).await
                }
            }
        )*}
    };
}

stranger_suite!(
    chapter_1 => 1,
    chapter_2 => 2,
    chapter_3 => 3,
    chapter_4 => 4,
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
}

/// What must happen: the outcome on `/home`, the status a form attack
/// lands on (`None`: not checked, or the image), and whether the request
/// carried the session cookie (the variant's log; `None` for a chapter,
/// which logs nothing of it).
fn expected(target: Target, site: StrangerSite, attack: Attack) -> AttackRun {
    let form = attack != Attack::ImageLogout;
    match (target, site) {
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

/// Every attack from `site` against chapter `number`'s `target`, in one
/// browser, signed in as Ada: again after each attack that changed
/// something, so that each starts from Ada in her theme.
async fn attacks(engine: Engine, number: u8, target: Target, site: StrangerSite) {
    let mut server = match target {
        Target::Chapter => ChapterServer::start(number, Lifetime::ChapterDefault),
        Target::Unprotected => ChapterServer::start_from(&stranger::launch_unprotected(number)),
    };
    let stranger = Stranger::start();
    let browser = Browser::launch(engine, &Profile::new()).await;
    let mut victim = Victim::new(&browser);
    let mut runs = Vec::new();
    for attack in Attack::ALL {
        runs.push((attack, victim.attack(&mut server, &stranger, site, attack).await));
    }
    browser.close().await;
    // All four at once, so that a failure shows every attack's result.
    let wanted: Vec<(Attack, AttackRun)> =
        Attack::ALL.iter().map(|&attack| (attack, expected(target, site, attack))).collect();
    assert_eq!(
        runs,
        wanted,
        "chapter {number} ({target:?}): the attacks from {} ({}), as run (left) and as expected \
         (right)",
        stranger.origin(site),
        site.label()
    );
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
