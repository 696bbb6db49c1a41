//! What the crate's tests share: an app's data that is not the tutorial's,
//! and the page that shows it.

// Each test file compiles this module for itself, and not all of them show
// the cart.
#![allow(dead_code)]

use rocket::http::Status;
use rocket::{get, post};
use rocket_session_kit::record::SessionOwner;
use rocket_session_kit::{Session, SignedIn};
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

/// The cart of the customer signed in.
#[get("/cart")]
pub fn cart(cart: SignedIn<'_, Cart>) -> String {
    format!("{}: {}", cart.customer, cart.items.join(","))
}

/// Nobody is signed in: `cart`'s guard forwarded here.
#[get("/cart", rank = 2)]
pub fn no_cart() -> &'static str {
    "no cart"
}

/// Adds `item` to the cart of the customer signed in.
#[post("/add/<item>")]
pub async fn add(item: String, session: Session<'_, Cart>) -> Status {
    let add = move |cart: &mut Cart| {
        cart.items.push(item.clone());
        None
    };
    match session.modify(add).await {
        Ok(()) => Status::Ok,
        Err(_) => Status::ServiceUnavailable,
    }
}
