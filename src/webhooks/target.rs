//! Where a webhook may point. Its URL is `http(s)` and, unless private targets are allowed,
//! never reaches an address inside the network Folio runs in (loopback, private, link-local,
//! cloud metadata): checked when the webhook is saved, and again on every delivery against
//! the addresses the name resolves to then, which are the only ones connected to.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};

use ipnet::{IpNet, Ipv6Net};

/// Whether deliveries may go to addresses inside the network (single-machine setups, tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TargetPolicy {
    pub allow_private: bool,
}

/// Networks no webhook reaches by default.
fn internal_networks() -> Vec<IpNet> {
    [
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "::/128",
        "::1/128",
        "64:ff9b:1::/48",
        "fc00::/7",
        "fe80::/10",
        "ff00::/8",
    ]
    .iter()
    .map(|net| net.parse().expect("a valid network"))
    .collect()
}

/// Whether `ip` is on the public internet, as far as a webhook may reach. IPv4 addresses
/// written as IPv6 (mapped or NAT64) are judged as the IPv4 address they carry.
pub fn is_public(ip: IpAddr) -> bool {
    let ip = match ip {
        IpAddr::V6(v6) => match embedded_v4(v6) {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(v6),
        },
        v4 => v4,
    };
    !internal_networks().iter().any(|net| net.contains(&ip))
}

fn embedded_v4(v6: Ipv6Addr) -> Option<Ipv4Addr> {
    if let Some(v4) = v6.to_ipv4_mapped() {
        return Some(v4);
    }
    let nat64: Ipv6Net = "64:ff9b::/96".parse().expect("a valid network");
    nat64.contains(&v6).then(|| {
        let octets = v6.octets();
        Ipv4Addr::new(octets[12], octets[13], octets[14], octets[15])
    })
}

/// Why a target is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("must be an absolute http or https URL with a host")]
    NotHttp,
    #[error("`{host}` does not resolve")]
    Unresolved { host: String },
    #[error("`{host}` resolves to {address}, inside the network Folio runs in")]
    Internal { host: String, address: IpAddr },
}

/// The host and port a URL connects to.
fn host_port(url: &url::Url) -> Result<(String, u16), Refusal> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Refusal::NotHttp);
    }
    let host = match url.host() {
        Some(url::Host::Domain(d)) => d.to_owned(),
        Some(url::Host::Ipv4(v4)) => v4.to_string(),
        Some(url::Host::Ipv6(v6)) => v6.to_string(),
        None => return Err(Refusal::NotHttp),
    };
    Ok((host, url.port_or_known_default().ok_or(Refusal::NotHttp)?))
}

/// The addresses `url` may be delivered to under `policy`: all those its host resolves to,
/// or a refusal if any of them is internal (a name that answers both is not trusted with
/// either). Blocking: resolves names.
pub fn addresses(url: &url::Url, policy: TargetPolicy) -> Result<Vec<SocketAddr>, Refusal> {
    let (host, port) = host_port(url)?;
    let resolved: Vec<SocketAddr> = (host.as_str(), port)
        .to_socket_addrs()
        .map_err(|_| Refusal::Unresolved { host: host.clone() })?
        .collect();
    if resolved.is_empty() {
        return Err(Refusal::Unresolved { host });
    }
    vet(&host, resolved, policy)
}

fn vet(
    host: &str,
    resolved: Vec<SocketAddr>,
    policy: TargetPolicy,
) -> Result<Vec<SocketAddr>, Refusal> {
    if !policy.allow_private
        && let Some(internal) = resolved.iter().find(|a| !is_public(a.ip()))
    {
        return Err(Refusal::Internal {
            host: host.to_owned(),
            address: internal.ip(),
        });
    }
    Ok(resolved)
}

/// The resolver deliveries connect through: the system's, with every answer vetted, so the
/// address checked is the address connected to (no second lookup to rebind).
#[derive(Debug)]
pub struct GuardedResolver {
    pub policy: TargetPolicy,
}

impl ureq::unversioned::resolver::Resolver for GuardedResolver {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: ureq::unversioned::transport::NextTimeout,
    ) -> Result<ureq::unversioned::resolver::ResolvedSocketAddrs, ureq::Error> {
        let system = ureq::unversioned::resolver::DefaultResolver::default();
        let resolved = system.resolve(uri, config, timeout)?;
        let host = uri.host().unwrap_or_default().to_owned();
        let vetted = vet(&host, resolved.to_vec(), self.policy)
            .map_err(|refusal| ureq::Error::Other(Box::new(refusal)))?;
        let mut out = self.empty();
        for address in vetted {
            out.push(address);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_refused_and_public_ones_allowed() {
        for internal in [
            "127.0.0.1",
            "10.1.2.3",
            "172.20.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "::",
            "fd00:ec2::254",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a00:1",
        ] {
            let ip: IpAddr = internal.parse().unwrap();
            assert!(!is_public(ip), "{internal} is internal");
        }
        for public in [
            "93.184.216.34",
            "1.1.1.1",
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            let ip: IpAddr = public.parse().unwrap();
            assert!(is_public(ip), "{public} is public");
        }
    }

    #[test]
    fn urls_are_vetted_by_what_they_resolve_to() {
        let strict = TargetPolicy::default();
        let open = TargetPolicy {
            allow_private: true,
        };
        let local = url::Url::parse("http://127.0.0.1:9/hook").unwrap();
        assert!(matches!(
            addresses(&local, strict),
            Err(Refusal::Internal { .. })
        ));
        assert!(addresses(&local, open).is_ok());
        let named = url::Url::parse("http://localhost:9/hook").unwrap();
        assert!(matches!(
            addresses(&named, strict),
            Err(Refusal::Internal { .. })
        ));
        let v6 = url::Url::parse("http://[::ffff:10.0.0.1]/").unwrap();
        assert!(matches!(
            addresses(&v6, strict),
            Err(Refusal::Internal { .. })
        ));
        let ftp = url::Url::parse("ftp://example.com/").unwrap();
        assert_eq!(addresses(&ftp, open), Err(Refusal::NotHttp));
    }
}
