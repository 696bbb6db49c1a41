//! `Cache-Control: no-store` on every answer to a signed-in visitor, so
//! that no copy of a signed-in page is kept by the browser (or anything
//! between): after sign-out, Back shows the server's answer for a visitor
//! who is signed out, never the old page with the user's data.
//!
//! Public pages seen signed out stay cacheable: they hold nothing of
//! anyone.

use std::marker::PhantomData;

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::Header;
use rocket::{Request, Response};

use crate::session;

// ANCHOR: no_store
/// The response fairing. A fairing may set headers (only the cookies it
/// adds are dropped), and it sees every answer: pages, redirects and error
/// pages alike. `T` is the app's session data, whose session the request
/// read.
pub struct NoStoreWhenSignedIn<T>(PhantomData<fn() -> T>);

impl<T> Default for NoStoreWhenSignedIn<T> {
    fn default() -> Self {
        NoStoreWhenSignedIn(PhantomData)
    }
}

#[rocket::async_trait]
impl<T: Send + Sync + 'static> Fairing for NoStoreWhenSignedIn<T> {
    fn info(&self) -> Info {
        Info { name: "Cache-Control: no-store when signed in", kind: Kind::Response }
    }

    async fn on_response<'r>(&self, request: &'r Request<'_>, response: &mut Response<'r>) {
        if session::came_signed_in::<T>(request) {
            response.set_header(Header::new("Cache-Control", "no-store"));
        }
    }
}
// ANCHOR_END: no_store
