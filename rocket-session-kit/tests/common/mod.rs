//! What the crate's tests share: an app's data that is not the tutorial's.

use rocket_session_kit::record::SessionOwner;
use serde::{Deserialize, Serialize};

/// A shop's session: whose cart it is, and what is in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cart {
    pub customer: String,
    pub items: Vec<String>,
}

impl SessionOwner for Cart {
    fn owner(&self) -> &str {
        &self.customer
    }
}
