//! What wrk asks of each server.

use std::io::Read;
use std::process::Command;
use std::time::Duration;

use crate::report::Measurement;
use crate::server::Server;

/// Distinct users signed in for the signed-in scenario: each wrk request
/// takes the next one's cookie, so many sessions are in flight at once,
/// as on a real site, rather than one cookie replayed by every connection.
const USERS: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// `GET /products`, signed out.
    PublicPage,
    /// `GET /about`, signed in.
    SignedInPage,
    /// `POST /login`.
    SignIn,
}

impl Scenario {
    pub fn label(self) -> &'static str {
        match self {
            Scenario::PublicPage => "GET /products, signed out",
            Scenario::SignedInPage => "GET /about, signed in",
            Scenario::SignIn => "POST /login",
        }
    }

    /// The wrk script of the session-less baseline (ours, or the peer's
    /// app without its session): the same request, with no session at all.
    pub fn baseline_script(self) -> String {
        match self {
            Scenario::PublicPage => format!("local path = \"/products\"\n{PLAIN_GET}"),
            Scenario::SignedInPage => format!("local path = \"/about\"\n{PLAIN_GET}"),
            Scenario::SignIn => {
                format!("local body = {:?}\n{SIGN_IN}", "username=bench&password=x")
            }
        }
    }

    /// The wrk script for `server`. For the signed-in page this signs
    /// [`USERS`] users in first, once: every round of a row replays the same
    /// cookies, so the rounds add no sessions of their own to the store.
    pub fn script(self, server: &Server) -> String {
        match self {
            Scenario::PublicPage => format!("local path = \"/products\"\n{PLAIN_GET}"),
            Scenario::SignIn => {
                format!("local body = {:?}\n{SIGN_IN}", server.sign_in_form("bench"))
            }
            Scenario::SignedInPage => {
                let cookies: Vec<String> = (0..USERS).map(|i| sign_in(server, i)).collect();
                let list = cookies.iter().map(|c| format!("{c:?}")).collect::<Vec<_>>().join(",\n");
                format!("local cookies = {{\n{list}\n}}\n{ROTATING_COOKIES}")
            }
        }
    }
}

/// Signs user `i` in over HTTP and returns the `Cookie` header value to
/// send: every session cookie the sign-in set, as a browser holds them
/// once it has followed the redirect to About. That first page shows the
/// sign-in's one-time message and may set the cookie again without it; a
/// browser keeps the new value, and so does this. (Replaying the cookie of
/// the sign-in itself would make every request of the row a first page
/// after a sign-in, with its message to show and a cookie to seal again.)
fn sign_in(server: &Server, i: usize) -> String {
    let agent: ureq::Agent = ureq::Agent::config_builder().max_redirects(0).build().into();
    let response = agent
        .post(server.url("/login"))
        .content_type("application/x-www-form-urlencoded")
        .send(server.sign_in_form(&format!("user{i}")))
        .expect("sign-in answers");
    // 303 from the chapters, 302 (Flask's default) from the original.
    assert!(matches!(response.status().as_u16(), 302 | 303), "sign-in redirects");
    let names = server.cookie_names();
    let mut jar = session_cookies(&response, &names);
    assert!(!jar.is_empty(), "{} set no session cookie", server.name);
    let first_page = agent
        .get(server.url("/about"))
        .header("Cookie", cookie_header(&jar))
        .call()
        .expect("About answers");
    assert_eq!(first_page.status().as_u16(), 200, "{}: About after sign-in", server.name);
    for (name, value) in session_cookies(&first_page, &names) {
        match jar.iter_mut().find(|(held, _)| *held == name) {
            Some(held) => held.1 = value,
            None => jar.push((name, value)),
        }
    }
    cookie_header(&jar)
}

/// The `Set-Cookie`s of `response` named in `names`, as name and value.
fn session_cookies(
    response: &ureq::http::Response<ureq::Body>,
    names: &[String],
) -> Vec<(String, String)> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next()?.split_once('='))
        .filter(|(name, _)| names.iter().any(|n| n == name))
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect()
}

fn cookie_header(jar: &[(String, String)]) -> String {
    jar.iter().map(|(name, value)| format!("{name}={value}")).collect::<Vec<_>>().join("; ")
}

/// Prints one machine-readable line when wrk is done.
const DONE: &str = r#"
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %d %d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.status, summary.errors.timeout + summary.errors.connect + summary.errors.read + summary.errors.write))
end
"#;

const PLAIN_GET: &str = r#"
request = function() return wrk.format("GET", path) end
"#;

const SIGN_IN: &str = r#"
local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
request = function() return wrk.format("POST", "/login", headers, body) end
"#;

const ROTATING_COOKIES: &str = r#"
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/about", { ["Cookie"] = cookies[(i % #cookies) + 1] })
end
response = function(status, headers, body)
  if status ~= 200 then wrk.thread:stop() end
end
"#;

/// Drives `server` with wrk running `script` for `duration` (whole
/// seconds: wrk's own unit).
pub fn wrk(server: &Server, duration: Duration, connections: u32, script: &str) -> Measurement {
    // Start every measurement with no dirty pages left by the one before
    // (a previous chapter's thousands of records being written back).
    Command::new("sync").status().expect("sync runs");
    let cpu_before = server.cpu_time();
    let mut file = tempfile::Builder::new().suffix(".lua").tempfile().expect("a script file");
    std::io::Write::write_all(&mut file, format!("{script}\n{DONE}").as_bytes()).expect("write");
    let output = Command::new("wrk")
        .args(["-t2", &format!("-c{connections}"), &format!("-d{}s", duration.as_secs())])
        .args(["--timeout", "5s", "-s"])
        .arg(file.path())
        .arg(server.url("/"))
        .output()
        .expect("wrk runs: scripts/bench installs it");
    let cpu = server.cpu_time().saturating_sub(cpu_before);
    let mut stdout = String::new();
    output.stdout.as_slice().read_to_string(&mut stdout).expect("utf-8");
    let line = stdout.lines().find_map(|l| l.strip_prefix("RESULT ")).unwrap_or_else(|| {
        panic!("wrk printed no result:\n{stdout}\n{}", String::from_utf8_lossy(&output.stderr))
    });
    let n: Vec<u64> = line.split_whitespace().map(|v| v.parse().expect("a number")).collect();
    Measurement {
        requests_per_second: n[0] as f64 / (n[1] as f64 / 1e6),
        p50_ms: n[2] as f64 / 1e3,
        p99_ms: n[3] as f64 / 1e3,
        bad_status: n[4],
        socket_errors: n[5],
        cpu_us_per_request: cpu.as_secs_f64() * 1e6 / n[0].max(1) as f64,
    }
}
