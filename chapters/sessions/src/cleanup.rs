//! The periodic sweep of the file store. (Redis expires records by
//! itself, so the Redis chapter has no sweep.)
//!
//! The request path already refuses and deletes an expired record when its
//! cookie comes back, but most expired sessions never come back: without a
//! sweep their files would pile up for ever. The sweep runs while the
//! server runs and stops with it.

use rocket::fairing::{AdHoc, Fairing};
use rocket::tokio::{self, time::interval};

use crate::config::SessionConfig;
use crate::session::SessionManager;

// ANCHOR: sweep
pub(crate) fn fairing() -> impl Fairing {
    AdHoc::on_liftoff("Expired session sweep", |rocket| {
        Box::pin(async move {
            let (Some(manager), Some(config)) =
                (rocket.state::<SessionManager>(), rocket.state::<SessionConfig>())
            else {
                return;
            };
            let Some(store) = manager.store().cloned() else { return };
            if store.expires_records_itself() {
                return;
            }
            let (clock, limit) = (manager.clock(), manager.idle_limit());
            let mut ticks = interval(config.cleanup_interval());
            let mut shutdown = rocket.shutdown();
            tokio::spawn(async move {
                loop {
                    // The first tick is immediate: a restarted server sweeps
                    // what expired while it was down.
                    tokio::select! {
                        _ = ticks.tick() => {}
                        _ = &mut shutdown => break,
                    }
                    match store.purge_expired(clock.now(), limit).await {
                        Ok(purge) if purge.removed > 0 => rocket::info!(
                            "session sweep: removed {} expired sessions, kept {}",
                            purge.removed,
                            purge.kept
                        ),
                        Ok(_) => {}
                        Err(e) => rocket::error!("session sweep failed: {e}"),
                    }
                }
            });
        })
    })
}
// ANCHOR_END: sweep
