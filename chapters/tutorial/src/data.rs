//! The tutorial's session data, and what its handlers do with it.

use rocket_session_kit::{Error, SessionOwner};
use serde::{Deserialize, Serialize};

use crate::username::Username;
use crate::Session;

// ANCHOR: session_data
/// What the tutorial puts in the session at sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionData {
    /// The name the user signed in with.
    pub user_name: String,
    /// The user's language; the tutorial always stores `"en"`.
    pub lang: String,
    /// The page colours the user chose.
    pub theme: Theme,
}
// ANCHOR_END: session_data

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

impl SessionData {
    /// The tutorial's three values for a user who just signed in.
    pub fn new(user_name: Username) -> Self {
        SessionData { user_name: user_name.into_string(), lang: "en".into(), theme: Theme::Dark }
    }
}

impl SessionOwner for SessionData {
    fn owner(&self) -> &str {
        &self.user_name
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

/// What the tutorial's handlers do with a session of its data. A trait,
/// because the session type is the session crate's: bring it into scope
/// (`use tutorial::SignIn`) to call its methods on a [`Session`].
#[rocket::async_trait]
pub trait SignIn {
    /// Signs `user_name` in with a fresh session of the tutorial's data,
    /// and says so on the next page.
    async fn sign_in(&self, user_name: Username, remember: bool) -> Result<(), Error>;

    /// Switches between the dark and the light theme, and says so on the
    /// next page.
    async fn toggle_theme(&self) -> Result<(), Error>;
}

#[rocket::async_trait]
impl SignIn for Session<'_> {
    // ANCHOR: sign_in
    /// Signs `user_name` in with a fresh session of the tutorial's data
    /// (see [`Session::start`](rocket_session_kit::Session::start)), and
    /// says so on the next page.
    async fn sign_in(&self, user_name: Username, remember: bool) -> Result<(), Error> {
        let message = signed_in(user_name.as_str());
        self.start(SessionData::new(user_name), remember, Some(message)).await
    }
    // ANCHOR_END: sign_in

    // ANCHOR: toggle_theme
    /// Switches between the dark and the light theme, and says so on the
    /// next page.
    async fn toggle_theme(&self) -> Result<(), Error> {
        self.modify(|data: &mut SessionData| {
            data.theme = data.theme.toggled();
            Some(theme_changed(data.theme))
        })
        .await
    }
    // ANCHOR_END: toggle_theme
}
