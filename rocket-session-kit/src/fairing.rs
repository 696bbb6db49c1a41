//! The one fairing that sets an app's sessions up, as its [`Sessions`]
//! describe them.

use std::sync::Arc;

use rocket::fairing::{AdHoc, Fairing};
use rocket::{Build, Rocket};

use crate::clock::{Clock, SystemClock};
use crate::no_store::NoStoreWhenSignedIn;
use crate::record::StoredData;
use crate::session::SessionManager;
use crate::setup::{Sessions, Storage};
use crate::store;

impl Sessions {
    // ANCHOR: fairing
    /// The fairing that sets the sessions up, for the app's session data
    /// `T`, on the system clock: the store, the
    /// [`Session`](crate::Session) guard's manager, and
    /// `Cache-Control: no-store` on every answer to someone signed in.
    pub fn fairing<T: StoredData>(self) -> impl Fairing {
        self.fairing_with_clock::<T>(Arc::new(SystemClock))
    }

    /// Like [`fairing`](Self::fairing), on `clock`: tests move time forward
    /// without sleeping.
    pub fn fairing_with_clock<T: StoredData>(self, clock: Arc<dyn Clock>) -> impl Fairing {
        AdHoc::on_ignite("Sessions", move |rocket| async move {
            // Fairings attached while Rocket ignites run next, in order:
            // the store's own fairings before the manager, which uses it.
            let rocket = self.attach_store::<T>(rocket, clock.clone());
            rocket
                .attach(SessionManager::<T>::fairing(self, clock))
                .attach(NoStoreWhenSignedIn::<T>::default())
        })
    }
    // ANCHOR_END: fairing

    // ANCHOR: storage_setup
    /// The one place that tells the stores apart: each brings its own
    /// configuration and fairings, and puts itself in managed state.
    fn attach_store<T: StoredData>(
        self,
        rocket: Rocket<Build>,
        clock: Arc<dyn Clock>,
    ) -> Rocket<Build> {
        match self.storage() {
            // Nothing on the server: the sealed cookie is the store.
            Storage::SealedCookie => rocket,
            Storage::ServerFiles => store::file::attach::<T>(rocket, self, clock),
            Storage::Redis => store::redis::attach::<T>(rocket, self),
            // The app manages its own store.
            Storage::AppStore => rocket,
        }
    }
    // ANCHOR_END: storage_setup
}
