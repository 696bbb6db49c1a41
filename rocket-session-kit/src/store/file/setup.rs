//! The file store's own configuration and fairing: the folder of records,
//! and the periodic sweep of expired ones.

use std::path::PathBuf;
use std::sync::Arc;

use rocket::fairing::{AdHoc, Fairing};
use rocket::figment::value::magic::RelativePathBuf;
use rocket::tokio::{
    self,
    time::{interval_at, Instant},
};
use rocket::{Build, Orbit, Rocket};
use serde::Deserialize;

use super::{FileStore, ThreadedFileStore};
use crate::record::StoredData;
use crate::store::{RecordPlace, ServerStore};
use crate::{Clock, Sessions};

/// The keys the file store reads from the configuration.
#[derive(Debug, Clone, Deserialize)]
pub struct FileStoreConfig {
    /// Root of the server-side stores; each app uses its own folder
    /// below it ([`Sessions::store_name`]). A relative path is taken from the folder of `Rocket.toml`.
    pub session_dir: RelativePathBuf,
    /// Seconds between two sweeps of expired records.
    pub session_cleanup_interval: u64,
}

impl FileStoreConfig {
    /// Where the app of `sessions` keeps its records.
    pub fn store_dir(&self, sessions: &Sessions) -> PathBuf {
        self.session_dir.relative().join(sessions.store_name())
    }

    fn cleanup_interval(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.session_cleanup_interval.max(1))
    }
}

/// Sets the file store up for `sessions`: its folder at ignition (a folder
/// that cannot be created is logged, and the app still serves public
/// pages), and its sweep once the server runs.
pub(crate) fn attach<T: StoredData>(
    rocket: Rocket<Build>,
    sessions: Sessions,
    clock: Arc<dyn Clock>,
) -> Rocket<Build> {
    rocket.attach(AdHoc::try_on_ignite("File session store", move |rocket| async move {
        let (Some(config), Some(limits)) =
            (sessions.read::<FileStoreConfig>(&rocket), sessions.config(&rocket))
        else {
            return Err(rocket);
        };
        let files = FileStore::<T>::new(config.store_dir(&sessions), limits.expiry_policy());
        if let Err(e) = files.ensure_dir() {
            rocket::error!("session folder {} is unusable: {e}", files.dir().display());
        }
        let folder = files.dir().display().to_string();
        let store = Arc::new(ThreadedFileStore::new(files));
        let sweep = sweep(store.clone(), clock, config.cleanup_interval());
        let place = RecordPlace { folder: Some(folder), name: Some((String::new(), ".json")) };
        Ok(rocket.manage(ServerStore::<T> { store, place }).attach(sweep))
    }))
}

// ANCHOR: sweep
/// The periodic sweep of expired records.
///
/// The request path already refuses and deletes an expired record when its
/// cookie comes back, but most expired sessions never come back: without a
/// sweep their files would pile up for ever. The sweep runs while the
/// server runs and stops with it. (Redis expires records by itself, so the
/// Redis store has no sweep.)
fn sweep<T: StoredData>(
    store: Arc<ThreadedFileStore<T>>,
    clock: Arc<dyn Clock>,
    every: std::time::Duration,
) -> impl Fairing {
    AdHoc::on_liftoff("Expired session sweep", move |rocket: &Rocket<Orbit>| {
        Box::pin(async move {
            // The first sweep runs before the server takes its first request:
            // a restarted server removes what expired while it was down, and
            // no one sees the folder half-swept (on Windows, a folder being
            // read cannot be renamed or deleted).
            purge(&store, clock.as_ref()).await;
            let mut ticks = interval_at(Instant::now() + every, every);
            let mut shutdown = rocket.shutdown();
            tokio::spawn(async move {
                loop {
                    tokio::select! {
                        _ = ticks.tick() => purge(&store, clock.as_ref()).await,
                        _ = &mut shutdown => break,
                    }
                }
            });
        })
    })
}

/// One sweep, logged.
async fn purge<T: StoredData>(store: &ThreadedFileStore<T>, clock: &dyn Clock) {
    match store.purge_expired(clock.now()).await {
        Ok(purge) if purge.removed > 0 => rocket::info!(
            "session sweep: removed {} expired sessions, kept {}",
            purge.removed,
            purge.kept
        ),
        Ok(_) => {}
        Err(e) => rocket::error!("session sweep failed: {e}"),
    }
}
// ANCHOR_END: sweep
