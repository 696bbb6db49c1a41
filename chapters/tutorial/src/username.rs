//! The one rule the login form checks. The tutorial checks no password and
//! neither do we; a username only has to be something we can show back.

use std::fmt;

/// A username that passed [`Username::parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

/// Why a username was refused; the text is what the form shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsernameError {
    /// Nothing but white space.
    Empty,
    /// More than [`Username::MAX_CHARS`] characters.
    TooLong,
    /// A control character, which no keyboard types.
    ControlCharacter,
}

impl Username {
    /// Longest accepted username, in characters.
    pub const MAX_CHARS: usize = 64;

    /// Trims surrounding white space, then accepts 1 to 64 characters with
    /// no control characters (they could never be typed, only forged).
    pub fn parse(raw: &str) -> Result<Self, UsernameError> {
        let name = raw.trim();
        if name.is_empty() {
            Err(UsernameError::Empty)
        } else if name.chars().count() > Self::MAX_CHARS {
            Err(UsernameError::TooLong)
        } else if name.chars().any(char::is_control) {
            Err(UsernameError::ControlCharacter)
        } else {
            Ok(Username(name.to_owned()))
        }
    }

    /// The username as the user typed it, trimmed.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The username, as an owned string.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for UsernameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UsernameError::Empty => write!(f, "Please enter a username."),
            UsernameError::TooLong => {
                write!(f, "A username can be at most {} characters long.", Username::MAX_CHARS)
            }
            UsernameError::ControlCharacter => {
                write!(f, "A username cannot contain control characters.")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_accepts_any_printable_name() {
        assert_eq!(Username::parse("  ada ").unwrap().as_str(), "ada");
        assert_eq!(Username::parse("Zoë 李").unwrap().as_str(), "Zoë 李");
        assert_eq!(Username::parse("<script>").unwrap().as_str(), "<script>");
        let longest = "é".repeat(Username::MAX_CHARS);
        assert_eq!(Username::parse(&longest).unwrap().as_str(), longest);
    }

    #[test]
    fn refuses_empty_blank_long_and_control_characters() {
        assert_eq!(Username::parse(""), Err(UsernameError::Empty));
        assert_eq!(Username::parse(" \t\n "), Err(UsernameError::Empty));
        assert_eq!(Username::parse(&"a".repeat(65)), Err(UsernameError::TooLong));
        assert_eq!(Username::parse("a\u{0}b"), Err(UsernameError::ControlCharacter));
        assert_eq!(Username::parse("a\rb"), Err(UsernameError::ControlCharacter));
    }
}
