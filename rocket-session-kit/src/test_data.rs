//! Session data for the crate's own unit tests: whose session it is, and a
//! count to change.

use serde::{Deserialize, Serialize};

use crate::record::SessionOwner;

/// A visitor's session: their name, and how many pages they have seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visitor {
    pub user_name: String,
    pub visits: u32,
}

impl Visitor {
    /// `user_name`, who has seen no page yet.
    pub fn named(user_name: &str) -> Self {
        Visitor { user_name: user_name.into(), visits: 0 }
    }
}

impl SessionOwner for Visitor {
    fn owner(&self) -> &str {
        &self.user_name
    }
}
