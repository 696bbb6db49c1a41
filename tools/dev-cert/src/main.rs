//! Run with `cargo run -p dev-cert`: writes (or keeps) the development
//! certificate in `target/dev-cert/` and says how to serve a chapter with it.

use std::process::ExitCode;

fn main() -> ExitCode {
    let dir = dev_cert::default_dir();
    match dev_cert::DevCert::ensure(&dir) {
        Ok(cert) => {
            let dir = dir.canonicalize().unwrap_or(dir);
            println!(
                "Development certificate for {} in {}",
                dev_cert::NAMES.join(", "),
                dir.display()
            );
            println!("Serve a chapter over HTTPS with it (from the repository's folder):\n");
            println!("  ROCKET_TLS='{{certs=\"target/dev-cert/cert.pem\",key=\"target/dev-cert/key.pem\"}}' cargo run -p chapter-3\n");
            println!("Browsers do not trust it: accept the warning once, or start Chromium on a");
            println!("profile of its own (it ignores the first flag without the second) with");
            match cert.spki_sha256() {
                Ok(hash) => println!(
                    "  --ignore-certificate-errors-spki-list={hash} --user-data-dir=<a new folder>"
                ),
                Err(e) => println!("  (cannot read the key: {e})"),
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cannot make the development certificate in {}: {e}", dir.display());
            ExitCode::FAILURE
        }
    }
}
