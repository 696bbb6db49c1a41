//! Where the workspace and its binaries are, and building the chapters.

use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

use tutorial::Chapter;

use crate::CHAPTERS;

/// Which build of the chapters to run: the release build is what a
/// deployment runs (and it refuses to launch without a secret key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    Debug,
    Release,
}

impl Profile {
    /// The folder of `target/` cargo builds this profile into.
    fn folder(self) -> &'static str {
        match self {
            Profile::Debug => "debug",
            Profile::Release => "release",
        }
    }
}

/// The folder of the workspace's `Cargo.toml` and of `Rocket.toml`.
pub fn workspace_root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.canonicalize().unwrap_or(root)
}

/// The repository's `Rocket.toml`, which every chapter reads.
pub fn rocket_toml() -> PathBuf {
    workspace_root().join("Rocket.toml")
}

/// The chapter's cargo package, as in `cargo run -p chapter-N`, which is
/// also its binary's name.
pub fn package(chapter: &Chapter) -> String {
    format!("chapter-{}", chapter.number)
}

/// Where cargo puts the binaries of `profile`: below `CARGO_TARGET_DIR`
/// (relative to the workspace) when it is set, else below `target/`.
pub fn binary_dir(profile: Profile) -> PathBuf {
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => workspace_root().join(dir),
        None => workspace_root().join("target"),
    };
    target.join(profile.folder())
}

/// The chapter's binary of `profile`.
pub fn chapter_binary(chapter: &Chapter, profile: Profile) -> PathBuf {
    binary_dir(profile).join(package(chapter))
}

/// `cargo build --locked -p chapter-1 … -p chapter-5` of `profile`: the
/// same selection `scripts/test` builds, so the tools reuse its build.
pub fn build_chapters(profile: Profile) -> io::Result<()> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command.current_dir(workspace_root()).args(["build", "--locked"]);
    for chapter in &CHAPTERS {
        command.arg("-p").arg(package(chapter));
    }
    if profile == Profile::Release {
        command.arg("--release");
    }
    let status = command.status()?;
    if status.success() {
        Ok(())
    } else {
        Err(io::Error::other(format!("cargo build of the chapters failed: {status}")))
    }
}
