//! Who the client is, by address. Behind a reverse proxy the connection comes from the
//! proxy, so the client is read from the header the proxy sets, but only when the connection
//! really comes from a proxy the operator named: anyone else could write that header.

use std::net::IpAddr;

use actix_web::HttpRequest;
use actix_web::http::header::{HeaderMap, HeaderName};
use actix_web::web;
use ipnet::IpNet;

pub struct ClientAddress {
    trusted: Vec<IpNet>,
    header: HeaderName,
}

impl ClientAddress {
    pub fn new(trusted: Vec<IpNet>, header: HeaderName) -> ClientAddress {
        ClientAddress { trusted, header }
    }

    fn is_trusted(&self, address: IpAddr) -> bool {
        self.trusted.iter().any(|net| net.contains(&address))
    }

    /// Walks the header's hops from the nearest, past every trusted proxy: the first address
    /// that is not one is the client. A hop that is not an address stops the walk there.
    pub fn of(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let mut client = peer?;
        if !self.is_trusted(client) {
            return Some(client);
        }
        let hops: Vec<&str> = headers
            .get_all(&self.header)
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        for hop in hops.into_iter().rev() {
            if !self.is_trusted(client) {
                break;
            }
            match parse_hop(hop) {
                Some(address) => client = address,
                None => break,
            }
        }
        Some(client)
    }
}

/// One hop of a forwarding header: an address, possibly with a port (`192.0.2.1:4711`,
/// `[2001:db8::1]:4711`), as some proxies write them.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<std::net::SocketAddr>().ok().map(|a| a.ip()))
}

/// A trusted proxy as configured: one address, or a CIDR range.
pub fn parse_proxy(s: &str) -> Result<IpNet, String> {
    let s = s.trim();
    s.parse::<IpNet>()
        .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("`{s}` is neither an IP address nor a CIDR range"))
}

/// The client address of `req`, as configured.
pub fn client_ip(req: &HttpRequest) -> Option<IpAddr> {
    let peer = req.peer_addr().map(|a| a.ip());
    match req.app_data::<web::Data<ClientAddress>>() {
        Some(config) => config.of(peer, req.headers()),
        None => peer,
    }
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::HeaderValue;

    use super::*;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for v in xff {
            map.append(
                HeaderName::from_static("x-forwarded-for"),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        map
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn behind(proxies: &[&str]) -> ClientAddress {
        ClientAddress::new(
            proxies.iter().map(|p| parse_proxy(p).unwrap()).collect(),
            HeaderName::from_static("x-forwarded-for"),
        )
    }

    #[test]
    fn proxies_are_addresses_or_ranges() {
        assert_eq!(parse_proxy("10.0.0.1").unwrap().prefix_len(), 32);
        assert_eq!(parse_proxy(" 10.0.0.0/8").unwrap().prefix_len(), 8);
        assert_eq!(parse_proxy("::1").unwrap().prefix_len(), 128);
        assert!(parse_proxy("proxy.local").is_err());
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        let direct = behind(&[]);
        let forged = headers(&["1.2.3.4"]);
        assert_eq!(
            direct.of(Some(ip("203.0.113.9")), &forged),
            Some(ip("203.0.113.9"))
        );
        assert_eq!(direct.of(None, &forged), None);
    }

    #[test]
    fn the_header_counts_only_from_a_trusted_proxy() {
        let config = behind(&["10.0.0.0/8"]);
        let h = headers(&["198.51.100.7"]);
        assert_eq!(
            config.of(Some(ip("10.1.2.3")), &h),
            Some(ip("198.51.100.7"))
        );
        assert_eq!(
            config.of(Some(ip("203.0.113.9")), &h),
            Some(ip("203.0.113.9"))
        );
    }

    #[test]
    fn the_client_is_the_first_untrusted_hop_from_the_right() {
        let config = behind(&["10.0.0.0/8", "192.0.2.1"]);
        // The client forged the first entry; the proxies appended the rest.
        let h = headers(&["6.6.6.6, 198.51.100.7", "192.0.2.1"]);
        assert_eq!(
            config.of(Some(ip("10.0.0.5")), &h),
            Some(ip("198.51.100.7"))
        );
        let garbage = headers(&["198.51.100.7, not-an-address"]);
        assert_eq!(
            config.of(Some(ip("10.0.0.5")), &garbage),
            Some(ip("10.0.0.5"))
        );
        let v6 = headers(&["2001:db8::1"]);
        assert_eq!(
            config.of(Some(ip("10.0.0.5")), &v6),
            Some(ip("2001:db8::1"))
        );
    }

    #[test]
    fn hops_may_carry_ports() {
        let config = behind(&["10.0.0.0/8"]);
        let ports = headers(&["[2001:db8::1]:4711, 198.51.100.7:80"]);
        assert_eq!(
            config.of(Some(ip("10.0.0.5")), &ports),
            Some(ip("198.51.100.7"))
        );
        let v6 = headers(&["[2001:db8::1]:4711"]);
        assert_eq!(
            config.of(Some(ip("10.0.0.5")), &v6),
            Some(ip("2001:db8::1"))
        );
    }
}
