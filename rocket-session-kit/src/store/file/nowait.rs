//! Reading a record on an async worker, only with calls that fail rather
//! than wait for the disk.
//!
//! Handing a read to Tokio's blocking threads and back costs more than the
//! read itself when the record is in memory, as a live session's usually
//! is. Linux can be asked to open and read a file from memory alone:
//! `openat2` with `RESOLVE_CACHED` fails rather than look a path up on
//! disk, and `preadv2` with `RWF_NOWAIT` fails rather than wait for a page
//! that is not in the page cache. Either failure, like every other one
//! here (an older kernel, a file system such as tmpfs that cannot read
//! without waiting), sends the read to a blocking thread, which does it
//! the ordinary way and reports any error.

use std::io::IoSliceMut;
use std::path::Path;

use rustix::fs::{openat2, Mode, OFlags, ResolveFlags, CWD};
use rustix::io::{preadv2, ReadWriteFlags};

/// How much of a record one read asks for at first; a larger record takes
/// more reads, each one as unable to wait as the first.
pub const FIRST_READ: usize = 4096;

// ANCHOR: read_if_cached
/// The whole content of the file at `path` when the kernel has it in
/// memory, path and pages; `None` when reading it could wait on the disk,
/// or failed.
pub fn read_if_cached(path: &Path) -> Option<Vec<u8>> {
    // `NOATIME`: a record's modification time is its deadline, in the
    // future, so under `relatime` every read would also write the file's
    // access time, a change to the file system that can wait on its
    // journal. The kernel allows it on the process's own files, which the
    // store's are.
    let flags = OFlags::RDONLY | OFlags::CLOEXEC | OFlags::NOATIME;
    let file = openat2(CWD, path, flags, Mode::empty(), ResolveFlags::CACHED).ok()?;
    let mut bytes = vec![0; FIRST_READ];
    let mut len = 0;
    loop {
        if len == bytes.len() {
            bytes.resize(2 * len, 0);
        }
        let mut buffer = [IoSliceMut::new(&mut bytes[len..])];
        match preadv2(&file, &mut buffer, len as u64, ReadWriteFlags::NOWAIT).ok()? {
            0 => break,
            read => len += read,
        }
    }
    bytes.truncate(len);
    Some(bytes)
}
// ANCHOR_END: read_if_cached
