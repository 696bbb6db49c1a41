//! The development certificate: self-signed, for `localhost`, `127.0.0.1`
//! and `::1`, made on the learner's machine and never committed. Rocket
//! serves HTTPS with it (`ROCKET_TLS={certs="…",key="…"}`); a browser does
//! not trust it, so the tests trust it by its public key's hash
//! (Chromium's `--ignore-certificate-errors-spki-list`), and the
//! transcripts by adding it as their only root.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rcgen::{CertificateParams, KeyPair};
use sha2::{Digest, Sha256};

/// The names the certificate is for.
pub const NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// How long a certificate is valid, and how old one may be before it is
/// made again (well before it expires).
const VALID_FOR: Duration = Duration::from_secs(365 * 24 * 3600);
const REMADE_AFTER: Duration = Duration::from_secs(300 * 24 * 3600);

/// A development certificate on disk.
#[derive(Debug, Clone)]
pub struct DevCert {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// The folder it lives in: `target/dev-cert` of the workspace, which git
/// ignores.
pub fn default_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/dev-cert")
}

impl DevCert {
    /// The certificate in `dir`, made there if it is missing, unreadable or
    /// older than 300 days; a good one is kept. It is written to a fresh
    /// folder and moved into place whole, so two processes making it at
    /// once never mix one's key with the other's certificate.
    pub fn ensure(dir: &Path) -> io::Result<DevCert> {
        let found = DevCert { cert: dir.join("cert.pem"), key: dir.join("key.pem") };
        if found.is_usable() {
            return Ok(found);
        }
        let parent = dir.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(parent)?;
        let fresh = tempfile_dir(parent)?;
        make(&fresh)?;
        if dir.exists() {
            let _ = fs::remove_dir_all(dir);
        }
        match fs::rename(&fresh, dir) {
            Ok(()) => {}
            // Another process moved its own in first: use that one.
            Err(_) if found.is_usable() => {
                let _ = fs::remove_dir_all(&fresh);
            }
            Err(e) => return Err(e),
        }
        Ok(found)
    }

    fn is_usable(&self) -> bool {
        let young = fs::metadata(&self.cert)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|made| SystemTime::now().duration_since(made).ok())
            .is_some_and(|age| age < REMADE_AFTER);
        let cert_ok = fs::read_to_string(&self.cert)
            .is_ok_and(|pem| pem.starts_with("-----BEGIN CERTIFICATE-----"));
        let key_ok = fs::read_to_string(&self.key).is_ok_and(|pem| KeyPair::from_pem(&pem).is_ok());
        young && cert_ok && key_ok
    }

    /// The base64 SHA-256 of the certificate's public key (its
    /// SubjectPublicKeyInfo), as Chromium's
    /// `--ignore-certificate-errors-spki-list` takes it.
    pub fn spki_sha256(&self) -> io::Result<String> {
        let pem = fs::read_to_string(&self.key)?;
        let key = KeyPair::from_pem(&pem).map_err(io::Error::other)?;
        Ok(STANDARD.encode(Sha256::digest(key.public_key_der())))
    }

    /// `ROCKET_TLS`'s value for this certificate.
    pub fn rocket_tls(&self) -> String {
        format!("{{certs=\"{}\",key=\"{}\"}}", self.cert.display(), self.key.display())
    }
}

fn tempfile_dir(parent: &Path) -> io::Result<PathBuf> {
    for attempt in 0..1000u32 {
        let dir = parent.join(format!(".dev-cert-{}-{attempt}", std::process::id()));
        match fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other("no free folder name for the development certificate"))
}

/// Writes a new certificate and key into `dir`.
fn make(dir: &Path) -> io::Result<()> {
    let names: Vec<String> = NAMES.iter().map(|n| n.to_string()).collect();
    let mut params = CertificateParams::new(names).map_err(io::Error::other)?;
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - Duration::from_secs(3600);
    params.not_after = now + VALID_FOR;
    let key = KeyPair::generate().map_err(io::Error::other)?;
    let cert = params.self_signed(&key).map_err(io::Error::other)?;
    fs::write(dir.join("cert.pem"), cert.pem())?;
    fs::write(dir.join("key.pem"), key.serialize_pem())?;
    Ok(())
}
