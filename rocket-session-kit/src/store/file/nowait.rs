//! Reading a record on an async worker, only when that cannot wait.
//!
//! Handing a read to Tokio's blocking threads and back costs more than the
//! read itself when the record is in memory, as a live session's usually
//! is: measured on a signed-in page, the hand-off was about a tenth of the
//! server's CPU time, the read a fortieth. Linux can say, without waiting,
//! whether a file can be opened and read from memory alone:
//! `openat2` with `RESOLVE_CACHED` fails rather than look a path up on
//! disk, and `preadv2` with `RWF_NOWAIT` fails rather than wait for a page
//! that is not in the page cache. Either failure, like every other one
//! here, sends the read to a blocking thread, which does it the ordinary
//! way and reports any error.

use std::io::IoSliceMut;
use std::path::Path;

use rustix::fs::{openat2, Mode, OFlags, ResolveFlags, CWD};
use rustix::io::{preadv2, ReadWriteFlags};

/// How much of a record one read asks for at first; a larger record takes
/// more reads, each one as unable to wait as the first.
const FIRST_READ: usize = 4096;

/// The whole content of the file at `path` when the kernel has it in
/// memory, path and pages; `None` when reading it could wait on the disk,
/// or failed.
pub fn read_if_cached(path: &Path) -> Option<Vec<u8>> {
    let flags = OFlags::RDONLY | OFlags::CLOEXEC;
    let file = openat2(CWD, path, flags, Mode::empty(), ResolveFlags::CACHED).ok()?;
    let mut bytes = vec![0; FIRST_READ];
    let mut len = 0;
    loop {
        if len == bytes.len() {
            bytes.resize(2 * len, 0);
        }
        let read = preadv2(
            &file,
            &mut [IoSliceMut::new(&mut bytes[len..])],
            len as u64,
            ReadWriteFlags::NOWAIT,
        )
        .ok()?;
        if read == 0 {
            bytes.truncate(len);
            return Some(bytes);
        }
        len += read;
    }
}
