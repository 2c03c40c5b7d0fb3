//! The admin surface's guards: what names the admin listener, and which webhook URLs may be
//! registered and delivered to.
//!
//! The admin API resets every tenant and loads fault rules, so nothing a provider client controls
//! may reach it. A provider client controls webhook URLs: one that names the admin listener is
//! refused unless it is one of the listener's inboxes (`/__admin/inbox/<name>`, where a delivery
//! is only recorded). With an allow-list (`--webhook-allow-hosts`) a URL's host must also be in
//! it (the inboxes are always allowed). The admin router's own checks of `Host` and `Origin`
//! (`admin::guard`) use the same reading of "names the admin listener".
//!
//! - [`AdminListener`]: the admin listener's bound address and token, given to the engine once
//!   bound ([`crate::Engine::set_admin_listener`])
//! - [`names_listener`]: whether a host and port reach a socket bound at an address
//! - [`check_webhook_url`]: the registration check; [`resolves_to_listener`], the delivery one,
//!   which also resolves host names

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// The admin listener, once bound: its address, and the admin token deliveries to its inboxes
/// carry when one is set.
#[derive(Clone, Debug)]
pub struct AdminListener {
    pub addr: SocketAddr,
    pub token: Option<String>,
}

/// The addresses a host names without asking DNS: an IP literal (IPv6 in brackets or not), or
/// `localhost` and its subdomains (loopback). `None` for any other name.
fn literal_ips(host: &str) -> Option<Vec<IpAddr>> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Some(vec![ip]);
    }
    let lower = host.trim_end_matches('.').to_ascii_lowercase();
    (lower == "localhost" || lower.ends_with(".localhost")).then(|| {
        vec![
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(Ipv6Addr::LOCALHOST),
        ]
    })
}

/// Whether a connection to `ip` reaches a socket bound at `bound`, reading it widely: any
/// loopback or unspecified address, the bound address itself, and with an unspecified bind any
/// address of this machine (one a socket can be bound to).
fn ip_reaches(ip: IpAddr, bound: IpAddr) -> bool {
    let (ip, bound) = (ip.to_canonical(), bound.to_canonical());
    ip.is_loopback()
        || ip.is_unspecified()
        || ip == bound
        || (bound.is_unspecified() && std::net::UdpSocket::bind((ip, 0)).is_ok())
}

/// Whether `host:port` names the socket bound at `addr` (without DNS: a host name other than
/// `localhost` does not).
pub fn names_listener(host: &str, port: u16, addr: SocketAddr) -> bool {
    port == addr.port()
        && literal_ips(host).is_some_and(|ips| ips.into_iter().any(|ip| ip_reaches(ip, addr.ip())))
}

/// Whether `host` is a loopback literal or `localhost` (the admin router's reading of `Host`
/// before the engine knows where the listener is bound: `oneshot` tests).
pub fn is_loopback_host(host: &str) -> bool {
    literal_ips(host).is_some_and(|ips| ips.iter().all(|ip| ip.to_canonical().is_loopback()))
}

/// Whether `path` is exactly an inbox of the admin listener: `/__admin/inbox/<name>`.
fn is_inbox(path: &str) -> bool {
    let mut parts = path.split('/');
    matches!(
        (parts.next(), parts.next(), parts.next(), parts.next(), parts.next()),
        (Some(""), Some("__admin"), Some("inbox"), Some(name), None) if !name.is_empty()
    )
}

/// A webhook URL as a client sends it, read the way the sender will (WHATWG: dot segments
/// resolved, IPv4 numbers in any form normalised).
fn parse(url: &str) -> Option<(reqwest::Url, String, u16)> {
    let parsed = reqwest::Url::parse(url).ok()?;
    let host = parsed.host_str()?.to_string();
    let port = parsed.port_or_known_default()?;
    Some((parsed, host, port))
}

/// Why a webhook URL is refused, worded to follow "the url field" / "`url`".
pub fn check_webhook_url(
    url: &str,
    listener: Option<&AdminListener>,
    allow_hosts: &[String],
) -> Result<(), String> {
    let Some((parsed, host, port)) = parse(url) else {
        return Err("must be an absolute http:// or https:// URL".into());
    };
    if let Some(l) = listener
        && names_listener(&host, port, l.addr)
    {
        return if is_inbox(parsed.path()) {
            Ok(())
        } else {
            Err(
                "must not point at the simulator's admin listener (only at its inbox, \
                 /__admin/inbox/<name>)"
                    .into(),
            )
        };
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let allowed = |h: &String| {
        let h = h.trim().trim_start_matches('[').trim_end_matches(']');
        h.eq_ignore_ascii_case(bare)
    };
    if allow_hosts.is_empty() || allow_hosts.iter().any(allowed) {
        Ok(())
    } else {
        Err(format!(
            "must have a host allowed by --webhook-allow-hosts ({}), not `{host}`",
            allow_hosts.join(", ")
        ))
    }
}

/// Whether a delivery to `url` would reach the admin listener anywhere but an inbox, resolving
/// a host name (a name the registration check could not judge, or one that resolves elsewhere
/// now). An unresolvable name is left to the sender, which will fail to connect.
pub async fn resolves_to_listener(url: &str, listener: &AdminListener) -> bool {
    let Some((parsed, host, port)) = parse(url) else {
        return false;
    };
    if port != listener.addr.port() || is_inbox(parsed.path()) {
        return false;
    }
    if literal_ips(&host).is_some() {
        return names_listener(&host, port, listener.addr);
    }
    match tokio::net::lookup_host((host.as_str(), port)).await {
        Ok(mut addrs) => addrs.any(|a| ip_reaches(a.ip(), listener.addr.ip())),
        Err(_) => false,
    }
}

/// Whether a delivery to `url` goes to one of the admin listener's inboxes (it then carries the
/// admin token, when one is set).
pub fn is_inbox_of(url: &str, listener: &AdminListener) -> bool {
    parse(url).is_some_and(|(parsed, host, port)| {
        names_listener(&host, port, listener.addr) && is_inbox(parsed.path())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admin(addr: &str) -> AdminListener {
        AdminListener {
            addr: addr.parse().unwrap(),
            token: None,
        }
    }

    #[test]
    fn every_spelling_of_a_loopback_admin_url_is_refused() {
        let l = admin("127.0.0.1:4700");
        for url in [
            "http://127.0.0.1:4700/__admin/reset",
            "http://localhost:4700/__admin/reset",
            "http://LOCALHOST.:4700/__admin/faults",
            "http://app.localhost:4700/__admin/reset",
            "http://[::1]:4700/__admin/reset",
            "http://[::ffff:127.0.0.1]:4700/__admin/reset",
            "http://127.1.2.3:4700/__admin/reset",
            "http://2130706433:4700/__admin/reset",
            "http://0x7f.1:4700/__admin/reset",
            "http://0.0.0.0:4700/__admin/reset",
            "http://127.0.0.1:4700/__admin/inbox/a/../../reset",
            "http://127.0.0.1:4700/__admin/inbox/",
            "http://127.0.0.1:4700/__admin/inbox/a/b",
        ] {
            let refused = check_webhook_url(url, Some(&l), &[]);
            assert!(
                refused.is_err_and(|e| e.contains("admin listener")),
                "{url}"
            );
        }
    }

    #[test]
    fn the_admin_inbox_and_other_ports_and_hosts_are_allowed() {
        let l = admin("127.0.0.1:4700");
        for url in [
            "http://127.0.0.1:4700/__admin/inbox/my-app",
            "http://localhost:4700/__admin/inbox/my-app?x=1",
            "http://127.0.0.1:4702/__admin/reset",
            "http://127.0.0.1:8080/hooks",
            "https://example.com:4700/__admin/reset",
        ] {
            assert_eq!(check_webhook_url(url, Some(&l), &[]), Ok(()), "{url}");
        }
    }

    #[test]
    fn an_allow_list_admits_its_hosts_and_the_admin_inbox_only() {
        let l = admin("127.0.0.1:4700");
        let allow = ["hooks.example.com".to_string(), "[::1]".to_string()];
        let check = |url: &str| check_webhook_url(url, Some(&l), &allow);

        assert_eq!(check("https://HOOKS.example.com/a"), Ok(()));
        assert_eq!(check("http://[::1]:9000/a"), Ok(()));
        assert_eq!(check("http://127.0.0.1:4700/__admin/inbox/x"), Ok(()));
        let refused = check("http://127.0.0.1:9000/a").unwrap_err();
        assert!(refused.contains("--webhook-allow-hosts"), "{refused}");
        assert!(refused.contains("`127.0.0.1`"), "{refused}");
    }

    #[test]
    fn a_listener_bound_to_every_address_is_named_by_this_machine_s_addresses() {
        let any = "0.0.0.0:4700".parse().unwrap();

        assert!(names_listener("127.0.0.1", 4700, any));
        assert!(names_listener("0.0.0.0", 4700, any));
        assert!(!names_listener("127.0.0.1", 4701, any));
        assert!(!names_listener("203.0.113.9", 4700, any));
        assert!(!names_listener("evil.example", 4700, any));
    }

    #[tokio::test]
    async fn a_delivery_to_a_name_that_resolves_to_the_admin_listener_is_caught() {
        let l = admin("127.0.0.1:4700");

        assert!(resolves_to_listener("http://localhost:4700/__admin/reset", &l).await);
        assert!(!resolves_to_listener("http://localhost:4700/__admin/inbox/a", &l).await);
        assert!(!resolves_to_listener("http://localhost:4701/__admin/reset", &l).await);
        assert!(is_inbox_of("http://127.0.0.1:4700/__admin/inbox/a", &l));
        assert!(!is_inbox_of("http://127.0.0.1:4701/__admin/inbox/a", &l));
    }
}
