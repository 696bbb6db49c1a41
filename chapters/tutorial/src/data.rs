//! What every chapter's session data shares: the page colours, and the
//! messages that sign-in and the theme toggle leave for the next page.

use serde::{Deserialize, Serialize};

/// The page colours, switched by the toggle in the navbar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    /// Light text on a dark background: every session starts with it.
    Dark,
    /// Dark text on a light background.
    Light,
}

impl Theme {
    /// The other theme.
    pub fn toggled(self) -> Theme {
        match self {
            Theme::Dark => Theme::Light,
            Theme::Light => Theme::Dark,
        }
    }
}

// ANCHOR: messages
/// The message a sign-in leaves for the next page.
pub fn signed_in(user_name: &str) -> String {
    format!("Signed in as {user_name}.")
}

/// The message a theme change leaves for the next page.
pub fn theme_changed(theme: Theme) -> String {
    match theme {
        Theme::Dark => "Theme changed to dark.".into(),
        Theme::Light => "Theme changed to light.".into(),
    }
}
// ANCHOR_END: messages
