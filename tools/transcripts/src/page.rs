//! What a reader sees of a page: the theme, the navbar, the heading and
//! the "your session" panel, as text.

/// How much of the page a transcript shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Excerpt {
    /// Theme, navbar, heading and what the session holds.
    Short,
    /// All of the panel too.
    Full,
    /// Theme, navbar, heading, and every form with its hidden fields.
    Forms,
    /// Theme, navbar, heading, and the list of the user's sessions (or why
    /// there is none).
    Sessions,
}

const WIDTH: usize = 78;

/// The excerpt of `html`; `normalise` is applied to each piece of text
/// before it is wrapped.
pub fn excerpt(html: &str, how: Excerpt, normalise: impl Fn(&str) -> String) -> Vec<String> {
    let push = |lines: &mut Vec<String>, label: &str, words: &str| {
        push(lines, label, &normalise(words));
    };
    let mut lines = Vec::new();
    if let Some(class) = between(html, "<body class=\"", "\"") {
        lines.push(format!("<body class=\"{class}\">"));
    }
    let navbar = match between(html, "<p class=\"welcome\">", "</p>") {
        Some(welcome) => {
            let toggle = between(html, "id=\"theme-toggle\">", "</button>").unwrap_or("?");
            format!("{}  [Log Out] [{toggle}]", text(welcome))
        }
        None => "[Sign In]".to_owned(),
    };
    push(&mut lines, "navbar", &navbar);
    if let Some(message) = between(html, "id=\"flash\" role=\"status\">", "</p>") {
        push(&mut lines, "message", &text(message));
    }
    if let Some(heading) = between(html, "<h3", "</h3>") {
        push(&mut lines, "page", &text(&format!("<h3{heading}")));
    }
    if let Some(reason) = between(html, "id=\"refused-reason\">", "</p>") {
        push(&mut lines, "", &text(reason));
    }
    if how == Excerpt::Sessions {
        for row in html.split("<tr id=\"session-").skip(1) {
            let record = between(row, "<code class=\"record\">", "</code>").unwrap_or("?");
            let mark = if row.contains("this-one-mark") { "  (this one)" } else { "" };
            push(&mut lines, "session", &format!("{record}{mark}"));
            let browser = between(row, "<td class=\"browser\">", "</td>").unwrap_or("?");
            push(&mut lines, "", &format!("browser: {}", text(browser)));
            // Times differ on every run: shown as what they are.
            push(&mut lines, "", "signed in <time of sign-in>,");
            push(&mut lines, "", "last seen <time of the last recorded request>");
            push(&mut lines, "", "[Sign out this one]");
        }
        if html.contains("id=\"end-others\"") {
            push(&mut lines, "", "[Sign out everywhere else]");
        }
        for id in ["sessions-caveat", "no-list"] {
            if let Some(note) = between(html, &format!("id=\"{id}\">"), "</p>") {
                push(&mut lines, "note", &text(note));
            }
        }
        return lines;
    }
    if how == Excerpt::Forms {
        for form in forms(html) {
            push(&mut lines, "form", &form);
        }
        return lines;
    }
    let mut panel = vec![("What it holds", "session-holds")];
    if how == Excerpt::Full {
        panel.push(("Where it lives", "session-lives"));
        panel.push(("When it ends", "session-ends"));
    }
    for (title, id) in panel {
        if let Some(item) = between(html, &format!("id=\"{id}\">"), "</dd>") {
            push(&mut lines, "panel", &format!("{title}: {}", text(item)));
        }
    }
    lines
}

/// Each `<form>` of the page as `POST /theme  next=/home csrf_token=…`:
/// its action and the fields it sends without the user typing them.
fn forms(html: &str) -> Vec<String> {
    html.split("<form action=\"")
        .skip(1)
        .filter_map(|rest| {
            let action = &rest[..rest.find('"')?];
            let body = &rest[..rest.find("</form>")?];
            let hidden: Vec<String> = body
                .split("<input type=\"hidden\" name=\"")
                .skip(1)
                .filter_map(|field| {
                    let name = &field[..field.find('"')?];
                    let value = between(field, "value=\"", "\"")?;
                    Some(format!("{name}={}", text(value)))
                })
                .collect();
            Some(format!("POST {action}  {}", hidden.join(" ")))
        })
        .collect()
}

/// Adds `label  words…`, wrapped with a hanging indent.
fn push(lines: &mut Vec<String>, label: &str, words: &str) {
    let indent = " ".repeat(8);
    let mut line = format!("{label:<8}");
    let mut empty = true;
    for word in words.split_whitespace() {
        if !empty && line.len() + 1 + word.len() > WIDTH {
            lines.push(line);
            line = indent.clone();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    lines.push(line);
}

fn between<'a>(html: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = html.find(start)? + start.len();
    let to = from + html[from..].find(end)?;
    Some(&html[from..to])
}

/// The text of an HTML fragment: tags dropped, entities decoded.
fn text(fragment: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in fragment.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIGNED_IN: &str = r#"<body class="dark">
  <p class="welcome">Welcome &lt;b&gt;ada&lt;&#x2f;b&gt;!</p>
  <button type="submit" id="theme-toggle">Light theme</button>
  <h3>You are at the About page!!</h3>
  <dd id="session-holds">user_name = <code>ada</code>, lang = <code>en</code></dd>
  <dd id="session-lives">In a file in <code>/tmp/x</code>.</dd>
  <dd id="session-ends">Later.</dd>"#;

    #[test]
    fn a_signed_in_page_in_short_and_in_full() {
        let short = excerpt(SIGNED_IN, Excerpt::Short, str::to_owned);
        assert_eq!(
            short,
            [
                r#"<body class="dark">"#,
                "navbar  Welcome <b>ada</b>! [Log Out] [Light theme]",
                "page    You are at the About page!!",
                "panel   What it holds: user_name = ada, lang = en",
            ]
        );
        let full = excerpt(SIGNED_IN, Excerpt::Full, |text| text.replace("/tmp/x", "<dir>"));
        assert_eq!(full[4], "panel   Where it lives: In a file in <dir>.");
        assert_eq!(full[5], "panel   When it ends: Later.");
    }

    #[test]
    fn long_lines_wrap_under_their_label() {
        let mut lines = Vec::new();
        push(&mut lines, "panel", &"word ".repeat(30));
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| l.len() <= WIDTH), "{lines:#?}");
        assert!(lines[1].starts_with("        word"));
    }

    #[test]
    fn a_signed_out_page_shows_the_sign_in_link() {
        let page = r#"<body class="light"><a href="/login">Sign In</a><h3 id="signed-out">Signed Out!!!</h3>"#;
        let lines = excerpt(page, Excerpt::Short, str::to_owned);
        assert_eq!(lines[1], "navbar  [Sign In]");
        assert_eq!(lines[2], "page    Signed Out!!!");
    }
}
