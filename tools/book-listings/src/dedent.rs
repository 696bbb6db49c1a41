//! The second pass, after mdBook's `links`: every listing the first pass
//! wrapped in a `<figure class="listing">` now holds the included text,
//! which loses the indentation its lines have in common.

use crate::fence::{fences, indentation};
use crate::number::FIGURE_OPENING;

/// `content` with the code of every listing figure dedented.
pub fn dedent_listings(content: &str) -> String {
    let mut lines: Vec<String> = content.split('\n').map(String::from).collect();
    let borrowed: Vec<&str> = lines.iter().map(String::as_str).collect();
    let fences = fences(&borrowed);
    let mut bodies = Vec::new();
    let mut in_figure = false;
    let mut fences = fences.iter().peekable();
    for (number, line) in borrowed.iter().enumerate() {
        if line.trim_start().starts_with(FIGURE_OPENING) {
            in_figure = true;
        } else if line.trim_start().starts_with("</figure>") {
            in_figure = false;
        }
        while fences.next_if(|fence| fence.open < number).is_some() {}
        if let Some(fence) = fences.next_if(|fence| fence.open == number) {
            // The figure's one code block; a block without a closing fence
            // is no listing the first pass made.
            if in_figure && fence.close.is_some() {
                bodies.push(fence.body(borrowed.len()));
            }
            in_figure = false;
        }
    }
    for body in bodies {
        let dedented = dedent(&lines[body.clone()]);
        lines.splice(body, dedented);
    }
    lines.join("\n")
}

/// `lines` without the leading whitespace that all their non-blank lines
/// share; blank lines lose their whitespace.
pub fn dedent<S: AsRef<str>>(lines: &[S]) -> Vec<String> {
    let common = lines
        .iter()
        .map(AsRef::as_ref)
        .filter(|line| !line.trim().is_empty())
        .map(indentation)
        .reduce(|common, indent| {
            let shared = common.bytes().zip(indent.bytes()).take_while(|(a, b)| a == b).count();
            &common[..shared]
        })
        .unwrap_or("");
    lines
        .iter()
        .map(AsRef::as_ref)
        .map(|line| match line.strip_prefix(common) {
            Some(rest) => rest.to_owned(),
            None => line.trim_start_matches([' ', '\t']).to_owned(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_the_indentation_all_lines_share() {
        let lines = ["    pub fn build(&self) {", "        cookie", "    }"];
        assert_eq!(dedent(&lines), ["pub fn build(&self) {", "    cookie", "}"]);
    }

    #[test]
    fn blank_lines_do_not_count() {
        let lines = ["    a", "", "  ", "        b"];
        assert_eq!(dedent(&lines), ["a", "", "", "    b"]);
    }

    #[test]
    fn the_least_indented_line_decides() {
        let lines = ["        a", "    b", "      c"];
        assert_eq!(dedent(&lines), ["    a", "b", "  c"]);
    }

    #[test]
    fn only_a_shared_prefix_of_tabs_and_spaces_is_common() {
        let lines = ["\t  a", "\t\tb"];
        assert_eq!(dedent(&lines), ["  a", "\tb"]);
    }

    #[test]
    fn unindented_lines_are_left_as_they_are() {
        let lines = ["fn main() {", "    run();", "}"];
        assert_eq!(dedent(&lines), lines);
    }

    #[test]
    fn dedents_the_code_of_a_listing_figure() {
        let page = "Text:\n\n\
            <figure class=\"listing\" id=\"listing-1-1\">\n<figcaption>\n\n\
            [Listing 1.1](#listing-1-1): `a.rs`\n\n</figcaption>\n\n\
            ```rust,ignore\n    fn f() {\n        g();\n    }\n```\n\n</figure>\n";
        let expected = page.replace("    fn f() {\n        g();\n    }", "fn f() {\n    g();\n}");
        assert_eq!(dedent_listings(page), expected);
    }

    #[test]
    fn leaves_other_code_blocks_alone() {
        let page = "```text\n    $ curl -i\n    HTTP/1.1 200 OK\n```\n\n    indented code\n";
        assert_eq!(dedent_listings(page), page);
    }

    #[test]
    fn a_block_after_the_figure_is_not_its_listing() {
        let page = "<figure class=\"listing\" id=\"listing-1-1\">\n</figure>\n\n```\n    x\n```";
        assert_eq!(dedent_listings(page), page);
    }
}
