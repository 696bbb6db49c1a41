//! `cargo run -p stranger`: serves the stranger's site (see the library,
//! `src/lib.rs`) on <http://localhost:8666> (another site than the
//! chapters) and <http://127.0.0.1:8667> (the same site, another origin).
//! `--help` says how to move them: `--cross-site-port N` and
//! `--same-site-port N`, or `STRANGER_CROSS_SITE_PORT` and
//! `STRANGER_SAME_SITE_PORT` (the flags win).

use std::process::ExitCode;

use stranger::{CROSS_SITE_PORT, SAME_SITE_PORT};

const USAGE: &str = "\
The stranger's site: pages that attack the chapters' forms from another site
(http://localhost:8666) and from another origin of the same site
(http://127.0.0.1:8667).

Usage: stranger [--cross-site-port N] [--same-site-port N]

  --cross-site-port N   the port of http://localhost:N (default 8666;
                        or STRANGER_CROSS_SITE_PORT)
  --same-site-port N    the port of http://127.0.0.1:N (default 8667;
                        or STRANGER_SAME_SITE_PORT)
  -h, --help            this text

Both listen on 127.0.0.1 only.";

/// The two ports, from the flags, else the environment, else the defaults.
#[derive(Debug, PartialEq, Eq)]
struct Ports {
    cross_site: u16,
    same_site: u16,
}

/// What the command line asked for.
#[derive(Debug, PartialEq, Eq)]
enum Command {
    Serve(Ports),
    Help,
}

fn parse_args(
    args: impl IntoIterator<Item = String>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Command, String> {
    let port = |what: &str, value: Option<String>| -> Result<Option<u16>, String> {
        match value {
            None => Ok(None),
            Some(value) => match value.parse::<u16>() {
                Ok(port) if port > 0 => Ok(Some(port)),
                _ => Err(format!("{what}: {value:?} is not a port (1 to 65535)")),
            },
        }
    };
    let mut cross_site = port("STRANGER_CROSS_SITE_PORT", env("STRANGER_CROSS_SITE_PORT"))?;
    let mut same_site = port("STRANGER_SAME_SITE_PORT", env("STRANGER_SAME_SITE_PORT"))?;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) => (flag.to_owned(), Some(value.to_owned())),
            None => (arg.clone(), None),
        };
        let slot = match flag.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--cross-site-port" => &mut cross_site,
            "--same-site-port" => &mut same_site,
            _ => return Err(format!("unknown argument {arg:?}")),
        };
        let value = inline.or_else(|| args.next());
        if value.is_none() {
            return Err(format!("{flag} needs a port"));
        }
        *slot = port(&flag, value)?;
    }
    let ports = Ports {
        cross_site: cross_site.unwrap_or(CROSS_SITE_PORT),
        same_site: same_site.unwrap_or(SAME_SITE_PORT),
    };
    if ports.cross_site == ports.same_site {
        return Err(format!("both instances cannot listen on port {}", ports.cross_site));
    }
    Ok(Command::Serve(ports))
}

#[rocket::main]
async fn main() -> ExitCode {
    let ports = match parse_args(std::env::args().skip(1), |key| std::env::var(key).ok()) {
        Ok(Command::Serve(ports)) => ports,
        Ok(Command::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("stranger: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match stranger::serve(ports.cross_site, ports.same_site).await {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("stranger: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{parse_args, Command, Ports};

    fn parse(args: &[&str], env: &[(&str, &str)]) -> Result<Command, String> {
        let env: Vec<(String, String)> =
            env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        parse_args(args.iter().map(|a| a.to_string()), |key| {
            env.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn ports_come_from_flags_then_environment_then_defaults() {
        let serve = |cross_site, same_site| Ok(Command::Serve(Ports { cross_site, same_site }));
        assert_eq!(parse(&[], &[]), serve(8666, 8667));
        assert_eq!(parse(&[], &[("STRANGER_SAME_SITE_PORT", "9001")]), serve(8666, 9001));
        assert_eq!(
            parse(&["--cross-site-port", "9000"], &[("STRANGER_CROSS_SITE_PORT", "9100")]),
            serve(9000, 8667)
        );
        assert_eq!(parse(&["--same-site-port=9002"], &[]), serve(8666, 9002));
        assert_eq!(parse(&["--help"], &[]), Ok(Command::Help));
    }

    #[test]
    fn bad_ports_and_arguments_are_refused() {
        assert!(parse(&["--cross-site-port"], &[]).is_err());
        assert!(parse(&["--cross-site-port", "0"], &[]).is_err());
        assert!(parse(&["--same-site-port", "70000"], &[]).is_err());
        assert!(parse(&["--same-site-port", "8666"], &[]).is_err());
        assert!(parse(&[], &[("STRANGER_CROSS_SITE_PORT", "x")]).is_err());
        assert!(parse(&["--port", "1"], &[]).is_err());
    }
}
