//! Fenced code blocks, found line by line as CommonMark defines them: an
//! opening fence of three or more backticks (or tildes) indented by at most
//! three spaces, closed by a fence of the same character, at least as long,
//! with nothing after it.

/// A fenced code block in a page's lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fence {
    /// The line of the opening fence.
    pub open: usize,
    /// The line of the closing fence; `None` when the block runs to the end
    /// of the page.
    pub close: Option<usize>,
}

impl Fence {
    /// The lines between the fences.
    pub fn body(&self, line_count: usize) -> std::ops::Range<usize> {
        self.open + 1..self.close.unwrap_or(line_count)
    }
}

/// The fenced code blocks of `lines`, in order.
pub fn fences(lines: &[&str]) -> Vec<Fence> {
    let mut found = Vec::new();
    let mut line = 0;
    while line < lines.len() {
        let Some(opener) = opening(lines[line]) else {
            line += 1;
            continue;
        };
        let close = (line + 1..lines.len()).find(|&l| closes(opener, lines[l]));
        found.push(Fence { open: line, close });
        match close {
            Some(close) => line = close + 1,
            None => break,
        }
    }
    found
}

/// The indentation of a line: its leading spaces and tabs.
pub fn indentation(line: &str) -> &str {
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

#[derive(Clone, Copy)]
struct Opener {
    mark: char,
    len: usize,
}

fn opening(line: &str) -> Option<Opener> {
    let rest = up_to_three_spaces(line)?;
    let mark = rest.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let len = rest.len() - rest.trim_start_matches(mark).len();
    let info = &rest[len..];
    // A backtick fence's info string cannot hold a backtick (that would be
    // inline code).
    (len >= 3 && !(mark == '`' && info.contains('`'))).then_some(Opener { mark, len })
}

fn closes(opener: Opener, line: &str) -> bool {
    let Some(rest) = up_to_three_spaces(line) else { return false };
    let len = rest.len() - rest.trim_start_matches(opener.mark).len();
    len >= opener.len && rest[len..].trim().is_empty()
}

fn up_to_three_spaces(line: &str) -> Option<&str> {
    let rest = line.trim_start_matches(' ');
    (line.len() - rest.len() <= 3).then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<&str> {
        text.split('\n').collect()
    }

    #[test]
    fn finds_backtick_and_tilde_fences() {
        let page = lines("text\n```rust\nfn f() {}\n```\n\n~~~~\n```\n~~~~\nend");
        assert_eq!(
            fences(&page),
            [Fence { open: 1, close: Some(3) }, Fence { open: 5, close: Some(7) }]
        );
    }

    #[test]
    fn a_longer_fence_is_closed_only_by_one_as_long() {
        let page = lines("````markdown\n```rust\n```\n````");
        assert_eq!(fences(&page), [Fence { open: 0, close: Some(3) }]);
    }

    #[test]
    fn an_indented_code_block_is_no_fence() {
        assert_eq!(fences(&lines("    ```\n    code\n    ```")), []);
    }

    #[test]
    fn an_unclosed_fence_runs_to_the_end() {
        let page = lines("```\ncode");
        assert_eq!(fences(&page), [Fence { open: 0, close: None }]);
        assert_eq!(fences(&page)[0].body(page.len()), 1..2);
    }

    #[test]
    fn inline_code_is_no_fence() {
        assert_eq!(fences(&lines("```inline``` code")), []);
    }
}
