//! Does the visitor's browser reach the site over HTTPS? The answer
//! decides the session cookie's name and `Secure` flag, and the scheme of
//! the one origin the CSRF check accepts.
//!
//! Rocket knows when it serves TLS itself (`tls.certs` and `tls.key`
//! configured), and only then adds `Secure` to cookies that do not say.
//! Behind a proxy that terminates TLS (nginx, Caddy, a load balancer),
//! Rocket hears plain HTTP from the proxy and cannot tell: the operator
//! says so with `behind_tls_proxy`. It is a setting, not a header such as
//! `X-Forwarded-Proto`, because a header is something any client can send
//! when the proxy does not strip it, and Rocket 0.5 has no trusted-proxy
//! mechanism to read it from.

use serde::Deserialize;

// ANCHOR: transport_config
/// The configuration key of this module: `behind_tls_proxy` in
/// `Rocket.toml`, or `ROCKET_BEHIND_TLS_PROXY=true`.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
pub struct TransportConfig {
    /// A proxy in front of the app terminates TLS: browsers reach the
    /// site over HTTPS although Rocket hears plain HTTP. `false` unless set.
    #[serde(default)]
    pub behind_tls_proxy: bool,
}
// ANCHOR_END: transport_config

// ANCHOR: transport
/// How browsers reach the app, read once at ignite and kept in managed
/// state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// Plain HTTP: no `Secure`, the app's plain cookie names, and
    /// `http://` origins.
    Plain,
    /// Rocket serves TLS itself (`tls.certs` and `tls.key`).
    ServedTls,
    /// A proxy in front terminates TLS (`behind_tls_proxy`).
    TlsProxy,
}

impl Transport {
    /// How browsers reach a site with Rocket's configuration `rocket` (does
    /// Rocket serve TLS itself?) and the setting `behind_tls_proxy`.
    pub fn new(rocket: &rocket::Config, settings: TransportConfig) -> Transport {
        if rocket.tls_enabled() {
            Transport::ServedTls
        } else if settings.behind_tls_proxy {
            Transport::TlsProxy
        } else {
            Transport::Plain
        }
    }

    /// Does the browser reach the site over HTTPS?
    pub fn is_https(self) -> bool {
        match self {
            Transport::Plain => false,
            Transport::ServedTls | Transport::TlsProxy => true,
        }
    }

    /// The scheme of the site's own origin, as browsers write it in `Origin`.
    pub fn scheme(self) -> &'static str {
        if self.is_https() {
            "https"
        } else {
            "http"
        }
    }

    /// The name a cookie of the site gets: over HTTPS, with the `__Host-`
    /// prefix, which browsers accept only on a cookie that is `Secure`,
    /// has `Path=/` and no `Domain`, set by a page served over HTTPS.
    pub fn cookie_name(self, name: &str) -> String {
        if self.is_https() {
            format!("__Host-{name}")
        } else {
            name.to_owned()
        }
    }
}
// ANCHOR_END: transport

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn over_https_a_cookie_gets_the_host_prefix() {
        assert_eq!(Transport::Plain.cookie_name("chapter3_session"), "chapter3_session");
        for https in [Transport::ServedTls, Transport::TlsProxy] {
            assert_eq!(https.cookie_name("chapter3_session"), "__Host-chapter3_session");
            assert_eq!(https.scheme(), "https");
        }
        assert_eq!(Transport::Plain.scheme(), "http");
    }

    #[test]
    fn rocket_serving_tls_comes_before_the_proxy_setting() {
        let plain = rocket::Config::default();
        let tls = rocket::Config {
            tls: Some(rocket::config::TlsConfig::from_paths("cert.pem", "key.pem")),
            ..rocket::Config::default()
        };
        let proxy = TransportConfig { behind_tls_proxy: true };
        let no_proxy = TransportConfig::default();
        assert_eq!(Transport::new(&plain, no_proxy), Transport::Plain);
        assert_eq!(Transport::new(&plain, proxy), Transport::TlsProxy);
        assert_eq!(Transport::new(&tls, no_proxy), Transport::ServedTls);
        assert_eq!(Transport::new(&tls, proxy), Transport::ServedTls);
    }
}
