//! How the transcripts start the chapters: as a learner starts them, each
//! on a port and a session folder of its own (chapter 5: a key prefix of its
//! own in the test Redis), noting every prefix so that the run removes its
//! keys at the end.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use launcher::{Chapter, KeySpace, Launch, Records, Storage};

use crate::normalise::Normaliser;

/// What every scenario starts its chapters with.
pub struct Setup {
    /// Holds the session folders, which the transcripts show as
    /// `<session_dir>`.
    pub work: PathBuf,
    /// Every key space a launch was given in the test Redis.
    spaces: Mutex<Vec<KeySpace>>,
}

impl Setup {
    pub fn new(work: &Path) -> Setup {
        Setup { work: work.to_owned(), spaces: Mutex::new(Vec::new()) }
    }

    /// Chapter `number` with the session folder `folder` of the work
    /// folder. It counts as started once its launch banner is printed,
    /// which the transcripts show.
    pub fn launch(&self, number: u8, folder: &str) -> io::Result<Launch> {
        let launch = Launch::new(launcher::chapter(number))?
            .session_dir(self.work.join(folder))
            .ready_when_logged("has launched from");
        if let Some(space) = launch.redis_keys() {
            self.spaces.lock().expect("no scenario panicked").push(space.clone());
        }
        Ok(launch)
    }

    /// Deletes the keys of every launch: they expire by themselves, but
    /// need not wait for it.
    pub fn delete_keys(&self) -> io::Result<()> {
        for space in self.spaces.lock().expect("no scenario panicked").iter() {
            launcher::records::delete_keys(space)?;
        }
        Ok(())
    }
}

/// The chapter that `launch` starts.
pub fn chapter_of(launch: &Launch) -> Chapter {
    *launch.chapter().expect("the transcripts launch chapters")
}

/// Shows the launch's Redis key prefix as the chapter's own.
pub fn show_default_prefix(n: &mut Normaliser, launch: &Launch) {
    if let Some(space) = launch.redis_keys() {
        n.key_prefix(&space.prefix, &chapter_of(launch).key_prefix());
    }
}

/// Shows `launch` in a transcript as the chapter a learner runs: its
/// session folder as `<session_dir>`, its port as the chapter's own, and its
/// key prefix (Redis) as the default one.
pub fn show_as_the_chapter(n: &mut Normaliser, launch: &Launch) {
    n.session_dir(&launch.records_dir());
    n.port(launch.listen_port(), chapter_of(launch).default_port);
    show_default_prefix(n, launch);
}

/// What `find <session_dir>` or `redis-cli --scan` shows of a launch: the
/// whole session folder, also for the chapters that write nothing there.
pub fn records_of(launch: &Launch) -> io::Result<Records> {
    match chapter_of(launch).storage() {
        Storage::SealedCookie | Storage::ServerFiles | Storage::AppStore => {
            Ok(Records::folder(launch.records_dir()))
        }
        Storage::Redis => Records::redis(launch.redis_keys().expect("the Redis chapter's keys")),
    }
}
