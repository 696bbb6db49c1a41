//! What the tools read from a chapter's pages as a browser would.

/// The value of a page's first hidden `csrf_token` field: the session's
/// token, which the theme and Log Out forms send back. `None` when the page
/// has no such field, or an empty one (nobody is signed in).
pub fn csrf_token(html: &str) -> Option<String> {
    let field = r#"name="csrf_token" value=""#;
    let start = html.find(field)? + field.len();
    let token = &html[start..start + html[start..].find('"')?];
    (!token.is_empty()).then(|| token.to_owned())
}

#[cfg(test)]
mod tests {
    use super::csrf_token;

    #[test]
    fn reads_the_first_non_empty_token() {
        let page = r#"<form><input type="hidden" name="csrf_token" value="abc"></form>
                      <form><input type="hidden" name="csrf_token" value="xyz"></form>"#;
        assert_eq!(csrf_token(page).as_deref(), Some("abc"));
        assert_eq!(csrf_token(r#"<input name="csrf_token" value="">"#), None);
        assert_eq!(csrf_token("<p>signed out</p>"), None);
    }
}
