//! The stranger's attacks (cross-site request forgery, `tools/stranger`),
//! run in a browser (Chromium or Firefox) against a signed-in chapter: what `tests/stranger.rs`
//! asserts and `attack_report` tabulates.
//!
//! A run signs Ada in to the target, opens one attack page of one stranger
//! aimed at it, waits until the attack is over, and loads the target's
//! `/home` to see what changed. The targets are the real chapters, the
//! unprotected variant of a chapter (`src/bin/unprotected_chapter.rs`, the
//! control group: the attacks must work there, or the test proves
//! nothing), and any other build of a chapter (an older one, to record what
//! the attacks did before the protections).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use launcher::{Launch, Server};

pub use stranger::Attack;

use crate::{pages, ChapterServer};

/// The user the attacks are aimed at.
pub const VICTIM: &str = "Ada";

/// The name the login attack signs the browser in with.
pub const ATTACKER: &str = "mallory";

/// How long an attack may take: two navigations (the stranger's page, then
/// the target's answer and its redirect) on a machine that runs four
/// browser tests at once.
const WAIT: Duration = Duration::from_secs(20);

/// Which of the stranger's two instances an attack comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrangerSite {
    /// `http://localhost:<port>`: another site than the chapters, which
    /// live on 127.0.0.1. The browser keeps their `SameSite=Lax` cookie
    /// off its POSTs and images.
    CrossSite,
    /// `http://127.0.0.1:<port>`: the chapters' own site on another port,
    /// so another origin; `SameSite` does not tell it apart.
    SameSite,
}

impl StrangerSite {
    pub const ALL: [StrangerSite; 2] = [StrangerSite::CrossSite, StrangerSite::SameSite];

    /// For a table: `another site (localhost)`.
    pub fn label(self) -> &'static str {
        match self {
            StrangerSite::CrossSite => "another site (localhost)",
            StrangerSite::SameSite => "same site (127.0.0.1, other port)",
        }
    }
}

/// The `stranger` binary, both instances on free ports; killed when
/// dropped.
pub struct Stranger {
    _server: Server,
    cross_site_port: u16,
    same_site_port: u16,
}

impl Stranger {
    /// Starts `target/debug/stranger` (`cargo build -p stranger`) on two
    /// free ports and waits until both instances answer.
    pub fn start() -> Stranger {
        let same_site_port = launcher::free_port().expect("a free port for the stranger");
        Stranger::start_launch(Stranger::launch(), same_site_port)
    }

    /// Starts it on its own ports, 8666 and 8667, as `cargo run -p
    /// stranger` does: where a page shows the stranger's origin (the
    /// chapter's 403 page names the `Origin`), it is the one a learner sees.
    pub fn start_on_own_ports() -> Stranger {
        let launch = Stranger::launch().port(stranger::CROSS_SITE_PORT);
        Stranger::start_launch(launch, stranger::SAME_SITE_PORT)
    }

    fn launch() -> Launch {
        let binary = launcher::cargo::binary_dir(launcher::Profile::Debug).join("stranger");
        Launch::program(&binary).unwrap_or_else(|e| panic!("the stranger: {e}"))
    }

    fn start_launch(launch: Launch, same_site_port: u16) -> Stranger {
        let cross_site_port = launch.listen_port();
        let server = launch
            .env("STRANGER_CROSS_SITE_PORT", cross_site_port.to_string())
            .env("STRANGER_SAME_SITE_PORT", same_site_port.to_string())
            .start()
            .unwrap_or_else(|e| panic!("{e}\n(build it with `cargo build -p stranger`)"));
        assert!(
            launcher::answers_within(same_site_port, Duration::from_secs(60)),
            "the stranger's same-site instance did not listen on port {same_site_port}"
        );
        Stranger { _server: server, cross_site_port, same_site_port }
    }

    /// The instance's origin: `http://localhost:PORT` or
    /// `http://127.0.0.1:PORT`.
    pub fn origin(&self, site: StrangerSite) -> String {
        match site {
            StrangerSite::CrossSite => format!("http://localhost:{}", self.cross_site_port),
            StrangerSite::SameSite => format!("http://127.0.0.1:{}", self.same_site_port),
        }
    }

    /// The page of `attack` on the `site` instance, aimed at the origin
    /// `target` (`http://127.0.0.1:PORT`).
    pub fn attack_url(&self, site: StrangerSite, attack: Attack, target: &str) -> String {
        attack.url(&self.origin(site), target)
    }
}

/// `http://127.0.0.1:PORT`, the server's origin.
fn origin_of(server: &ChapterServer) -> String {
    server.url("")
}

/// The unprotected variant of chapter `number` (`target/debug/
/// unprotected_chapter`, `cargo build -p browser-tests --bin
/// unprotected_chapter`), launched exactly like the chapter: same port,
/// session folder, secret key and Redis handling.
pub fn launch_unprotected(number: u8) -> Launch {
    let binary = launcher::cargo::binary_dir(launcher::Profile::Debug).join("unprotected_chapter");
    crate::chapters::launch(number, crate::Lifetime::ChapterDefault)
        .binary(binary)
        .env("UNPROTECTED_CHAPTER", number.to_string())
}

/// Another build of chapter `number`: `dir/chapter-N`, with the templates
/// of `source` (its `shared-templates/`, and its `Rocket.toml` when it has
/// one), as the build was when it was made.
pub fn launch_other_build(number: u8, dir: &Path, source: &Path) -> Launch {
    let mut launch = crate::chapters::launch(number, crate::Lifetime::ChapterDefault)
        .binary(dir.join(format!("chapter-{number}")))
        .env("ROCKET_TEMPLATE_DIR", source.join("shared-templates"));
    let rocket_toml: PathBuf = source.join("Rocket.toml");
    if rocket_toml.is_file() {
        launch = launch.env("ROCKET_CONFIG", rocket_toml);
    }
    launch
}

/// What the target's `/home` shows after an attack, compared with before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Still the victim, in the same theme.
    Unchanged,
    /// Still the victim, in the other theme.
    ThemeChanged,
    /// Nobody is signed in.
    SignedOut,
    /// Someone else is: the login attack's name.
    SignedInAs(String),
}

/// One attack, run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttackRun {
    pub outcome: Outcome,
    /// The HTTP status of the page a form attack left the browser on (after
    /// any redirect): 403 where the target refused the POST. `None` for the
    /// image, which leaves the browser on the stranger's page.
    pub landed_status: Option<u16>,
    /// Whether the attack's request carried the session cookie, as the
    /// unprotected variant logs it; `None` for other targets.
    pub cookie_sent: Option<bool>,
}

/// The victim's browser, and what it is known to show: signed in as
/// [`VICTIM`] to one server, in one theme. An attack that changed nothing
/// leaves it so, and the next one starts from there; after one that worked,
/// the victim signs in again.
pub struct Victim<'a> {
    client: &'a Client,
    /// The server's origin and the theme, while known.
    known: Option<(String, String)>,
}

impl<'a> Victim<'a> {
    pub fn new(client: &'a Client) -> Victim<'a> {
        Victim { client, known: None }
    }

    /// Runs `attack` from the `site` stranger against `server`: signs
    /// [`VICTIM`] in unless the browser already is, opens the attack page,
    /// waits until it is over, and loads `/home` to compare.
    pub async fn attack(
        &mut self,
        server: &mut ChapterServer,
        stranger: &Stranger,
        site: StrangerSite,
        attack: Attack,
    ) -> AttackRun {
        let origin = origin_of(server);
        let theme = match self.known.take() {
            Some((known, theme)) if known == origin => theme,
            _ => sign_in_afresh(self.client, server).await,
        };
        let run = run(self.client, server, stranger, site, attack, &theme).await;
        if run.outcome == Outcome::Unchanged {
            self.known = Some((origin, theme));
        }
        run
    }
}

/// Deletes the browser's cookies for 127.0.0.1 (every chapter's, every
/// port's: a browser keeps cookies per host) and signs [`VICTIM`] in;
/// returns the theme.
async fn sign_in_afresh(client: &Client, server: &ChapterServer) -> String {
    let on_server = client.current_url().await.unwrap().origin().ascii_serialization();
    if on_server != origin_of(server) {
        client.goto(&server.url("/products")).await.unwrap();
    }
    client.delete_all_cookies().await.unwrap();
    pages::sign_in(client, server, VICTIM).await;
    pages::theme(client).await
}

/// Opens `attack` with [`VICTIM`] signed in in `theme`, waits until it is
/// over, and loads `/home` to compare.
async fn run(
    client: &Client,
    server: &mut ChapterServer,
    stranger: &Stranger,
    site: StrangerSite,
    attack: Attack,
    theme: &str,
) -> AttackRun {
    server.new_output();
    let landed_status = open(client, stranger, site, attack, server).await;
    let cookie_sent = cookie_sent(&server.new_output(), attack);

    client.goto(&server.url("/home")).await.unwrap();
    let outcome = match pages::greeting(client).await {
        None => Outcome::SignedOut,
        Some(greeting) if greeting == format!("Welcome {VICTIM}!") => {
            if pages::theme(client).await == theme {
                Outcome::Unchanged
            } else {
                Outcome::ThemeChanged
            }
        }
        Some(greeting) => {
            let name = greeting.strip_prefix("Welcome ").and_then(|g| g.strip_suffix('!'));
            Outcome::SignedInAs(name.unwrap_or(&greeting).to_owned())
        }
    };
    AttackRun { outcome, landed_status, cookie_sent }
}

/// Opens the page of `attack` on the `site` stranger, aimed at `server`,
/// and waits until the attack is over. Returns the HTTP status of the page
/// a form attack leaves the browser on; `None` for the image.
pub async fn open(
    client: &Client,
    stranger: &Stranger,
    site: StrangerSite,
    attack: Attack,
    server: &ChapterServer,
) -> Option<u16> {
    let who = format!("chapter {}", server.chapter.number);
    open_at(client, stranger, site, attack, &origin_of(server), &who).await
}

/// [`open`], aimed at any `target` origin (`http://127.0.0.1:PORT`);
/// `who` names the target in a failure.
pub async fn open_at(
    client: &Client,
    stranger: &Stranger,
    site: StrangerSite,
    attack: Attack,
    target: &str,
    who: &str,
) -> Option<u16> {
    let failed = |e: String| -> ! {
        panic!("{who}: the {attack:?} attack from {}: {e}", stranger.origin(site))
    };
    client.goto(&stranger.attack_url(site, attack, target)).await.unwrap();
    match attack {
        Attack::ImageLogout => {
            wait_for_image(client).await.unwrap_or_else(|e| failed(e));
            None
        }
        Attack::Theme | Attack::Logout | Attack::Login => {
            Some(wait_for_landing(client, target).await.unwrap_or_else(|e| failed(e)))
        }
    }
}

/// `cargo build` of the stranger and of the unprotected variant, for the
/// tools run with `cargo run --bin`, which builds nothing else.
pub fn build_binaries() -> Result<(), String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = std::process::Command::new(cargo)
        .current_dir(launcher::workspace_root())
        .args(["build", "--locked", "-p", "stranger", "-p", "browser-tests"])
        .args(["--bin", "stranger", "--bin", "unprotected_chapter"])
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    status.success().then_some(()).ok_or(format!("cargo build of the stranger failed: {status}"))
}

/// Waits until the form attack has taken the browser to `target`'s origin
/// and that page has loaded; returns its HTTP status (Navigation Timing's
/// `responseStatus`, the last response after any redirect).
async fn wait_for_landing(client: &Client, target: &str) -> Result<u16, String> {
    let deadline = Instant::now() + WAIT;
    loop {
        let url = client.current_url().await.map_err(|e| e.to_string())?;
        if url.origin().ascii_serialization() == target {
            let script = "return document.readyState === 'complete' \
                ? performance.getEntriesByType('navigation')[0].responseStatus : null";
            let status = client.execute(script, vec![]).await.map_err(|e| e.to_string())?;
            if let Some(status) = status.as_u64() {
                return u16::try_from(status).map_err(|e| e.to_string());
            }
        }
        if Instant::now() > deadline {
            return Err(format!("still on {url} after {WAIT:?}, not on {target}"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until the image attack's page says its request is over.
async fn wait_for_image(client: &Client) -> Result<(), String> {
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("body[data-attack^='done:']"))
        .await
        .map(|_| ())
        .map_err(|e| format!("the image did not finish loading: {e}"))
}

/// What the unprotected variant logged of the attack's request: did it
/// carry the session cookie? `None` if it logged nothing of it (another
/// target, or the request never came).
fn cookie_sent(log: &str, attack: Attack) -> Option<bool> {
    let request = match attack {
        Attack::Theme => "POST /theme",
        Attack::Logout => "POST /logout",
        Attack::Login => "POST /login",
        Attack::ImageLogout => "GET /logout",
    };
    let line = log.lines().find(|line| {
        line.starts_with("unprotected chapter ") && line.contains(&format!(": {request},"))
    })?;
    match line.rsplit_once("session cookie sent: ")?.1.trim() {
        "yes" => Some(true),
        "no" => Some(false),
        other => panic!("the variant logged {other:?} in {line:?}"),
    }
}

// ---------------------------------------------------------------- the book's table

/// One chapter's results: `runs[target][row]`, the rows in [`rows`] order.
pub type Results = Vec<Vec<AttackRun>>;

/// Every attack from every instance, in table order.
pub fn rows() -> Vec<(Attack, StrangerSite)> {
    Attack::ALL
        .iter()
        .flat_map(|&attack| StrangerSite::ALL.iter().map(move |&site| (attack, site)))
        .collect()
}

/// Where the book keeps the tables: written by `attack_report --write`
/// from real runs, and checked by the stranger tests against the outcomes
/// they assert (`the_books_table_is_what_these_tests_assert`).
pub fn book_table_path() -> std::path::PathBuf {
    launcher::cargo::workspace_root().join("book/src/generated/attacks.md")
}

/// Markdown tables of `all` (chapter, results), one per group of chapters
/// whose cells are all the same; `headings` name the targets, and
/// `variant` is the index of the unprotected one, whose log says whether
/// the browser sent the cookie.
pub fn tables(headings: &[String], variant: usize, all: &[(u8, Results)]) -> String {
    use std::fmt::Write;
    let cells = |results: &Results| -> Vec<Vec<String>> {
        rows()
            .iter()
            .enumerate()
            .map(|(row, &(attack, _))| {
                let sent = results[variant][row].cookie_sent;
                results.iter().map(|runs| cell(&runs[row], attack, sent)).collect()
            })
            .collect()
    };
    let mut groups: Vec<(Vec<u8>, Vec<Vec<String>>)> = Vec::new();
    for (number, results) in all {
        let table = cells(results);
        match groups.iter_mut().find(|(_, t)| *t == table) {
            Some((numbers, _)) => numbers.push(*number),
            None => groups.push((vec![*number], table)),
        }
    }
    let mut out = String::new();
    for (numbers, table) in groups {
        let names: Vec<String> = numbers.iter().map(u8::to_string).collect();
        let title = if numbers.len() == 1 { "Chapter" } else { "Chapters" };
        let _ = writeln!(out, "#### {title} {}\n", names.join(", "));
        let _ = writeln!(out, "| attack | from | {} |", headings.join(" | "));
        let _ = writeln!(out, "| --- | --- |{}", " --- |".repeat(headings.len()));
        for ((attack, site), cells) in rows().into_iter().zip(table) {
            // In a code span, `<img …>` needs no escaping.
            let _ = writeln!(
                out,
                "| `{}` | {} | {} |",
                attack.label(),
                site.label(),
                cells.join(" | ")
            );
        }
        out.push('\n');
    }
    out.push_str(
        "A form attack is \"blocked: 403\" when the browser landed on the chapter's 403 page; \
         \"no cookie sent\" is what the unprotected variant logged of the same request; the \
         outcome is what the chapter's /home showed next.\n",
    );
    out
}

/// The words of one cell. `sent`: whether the browser sent the session
/// cookie with this attack's request, as the variant logged it.
pub fn cell(run: &AttackRun, attack: Attack, sent: Option<bool>) -> String {
    match &run.outcome {
        Outcome::ThemeChanged => "worked: theme changed".into(),
        Outcome::SignedOut => "worked: signed out".into(),
        Outcome::SignedInAs(name) => format!("worked: signed in as {name}"),
        Outcome::Unchanged => match (run.landed_status, sent) {
            (Some(403), _) => "blocked: 403".into(),
            (_, Some(false)) if attack != Attack::Login => {
                "blocked: no cookie sent (SameSite=Lax)".into()
            }
            (None, _) => "blocked: GET /logout only shows a page".into(),
            (Some(status), _) => format!("blocked: answered {status}, nothing changed"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::{cell, cookie_sent, Attack, AttackRun, Outcome};

    fn run(outcome: Outcome, landed_status: Option<u16>) -> AttackRun {
        AttackRun { outcome, landed_status, cookie_sent: None }
    }

    #[test]
    fn a_cell_says_what_happened_and_what_stopped_it() {
        let theme = Attack::Theme;
        let changed = run(Outcome::ThemeChanged, Some(200));
        assert_eq!(cell(&changed, theme, Some(true)), "worked: theme changed");
        let mallory = run(Outcome::SignedInAs("mallory".into()), Some(200));
        assert_eq!(cell(&mallory, Attack::Login, Some(false)), "worked: signed in as mallory");
        let refused = run(Outcome::Unchanged, Some(403));
        assert_eq!(cell(&refused, theme, Some(false)), "blocked: 403");
        let unsent = run(Outcome::Unchanged, Some(200));
        assert_eq!(cell(&unsent, theme, Some(false)), "blocked: no cookie sent (SameSite=Lax)");
        assert_eq!(cell(&unsent, theme, Some(true)), "blocked: answered 200, nothing changed");
        let image = run(Outcome::Unchanged, None);
        assert_eq!(
            cell(&image, Attack::ImageLogout, Some(true)),
            "blocked: GET /logout only shows a page"
        );
    }

    #[test]
    fn reads_the_variants_log() {
        let log = "GET /home\nunprotected chapter 2: POST /theme, session cookie sent: no\n\
                   unprotected chapter 2: GET /logout, session cookie sent: yes\n";
        assert_eq!(cookie_sent(log, Attack::Theme), Some(false));
        assert_eq!(cookie_sent(log, Attack::ImageLogout), Some(true));
        assert_eq!(cookie_sent(log, Attack::Logout), None);
    }
}
