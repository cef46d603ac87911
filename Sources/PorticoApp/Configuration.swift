import Logging
import PorticoCore
import PorticoHTTP
import PorticoMail
import PorticoPayments

/// `host:port`, with IPv6 hosts in brackets (`[::1]:8080`).
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: UInt16

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT`; the error names `field`.
    public init(_ text: String, field: String) throws {
        let host: Substring
        let port: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw BillingError.invalidField(field, "'\(text)' is not HOST:PORT")
            }
            host = text[text.index(after: text.startIndex)..<close]
            port = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                throw BillingError.invalidField(field, "'\(text)' is not HOST:PORT")
            }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, let p = UInt16(port) else {
            throw BillingError.invalidField(field, "'\(text)' is not HOST:PORT")
        }
        // The listeners bind numeric addresses only (HTTPServerConfiguration resolves no names), so
        // `localhost:80` or a Kubernetes-style `tcp://10.96.0.12:80` is refused here, not at bind.
        guard !host.contains("/"), (try? IPPrefix(String(host))) != nil else {
            throw BillingError.invalidField(
                field, "'\(text)' is not HOST:PORT: the host must be an IP address (names are not resolved)")
        }
        self.host = String(host)
        self.port = p
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// Which walled-garden backend runs.
public enum FirewallBackend: String, Sendable, CaseIterable {
    /// nftables over netlink (needs CAP_NET_ADMIN).
    case nftables
    /// Records what it would do; the default for a first run without privileges.
    case off
}

/// Which payment gateway checkouts go through (`gateway`).
public enum GatewayChoice: String, Sendable, CaseIterable {
    /// The embedded gateway, its page marked TEST MODE (the default).
    case test
    /// Stripe Checkout; needs the `stripe.*` settings.
    case stripe
}

/// Everything Portico reads at start, with defaults. Read once at the edge and passed down.
public struct PorticoConfiguration: Sendable {
    public var databasePath = "/var/lib/portico/portico.db"
    public var templatesDirectory: String?
    public var portalListen = ListenAddress(host: "127.0.0.1", port: 8080)
    public var adminListen = ListenAddress(host: "127.0.0.1", port: 8081)
    /// The portal's public URL; default `http://<portal.listen>`.
    public var portalURL: String?
    public var ispName = "Your ISP"
    public var contact = ""
    public var venueInfoURL: String?
    public var trustedProxies: [IPPrefix] = []
    public var firewall: FirewallBackend = .off
    /// The address suspended clients' port 80 is DNAT-ed to; default the portal's listen host.
    public var dnatIPv4: String?
    public var dnatIPv6: String?
    public var dnsServers: [IPPrefix] = []
    public var allowedDestinations: [IPPrefix] = []
    public var clientInterfaces: [String] = []
    public var networkNamespace: String?
    public var reconcileIntervalSeconds = 60
    // Walled-garden allowlist by name (issue 4): resolved periodically into the allowed sets,
    // together with the payment gateway's hosts.
    public var allowedHosts: [String] = []
    /// Whether the payment gateway's own host names (Stripe's Checkout hosts) join
    /// `allowedHosts`. Off where something else lets them through (dnsmasq's `nftset=`,
    /// `allowedDestinations`) or where the server must not query DNS (the tests).
    public var allowGatewayHosts = true
    public var allowedHostsRefreshSeconds = 300
    public var resolverTimeoutSeconds = 5
    public var schedulerTickSeconds = 30
    /// The portal answers small requests from many phones: 16 KiB of connection memory holds
    /// any real request head (nginx's default header buffers are 8 KiB) and libmicrohttpd
    /// clears the pool between requests, so a smaller pool is measurably faster.
    public var portalHTTP = HTTPServerConfiguration(connectionMemoryLimit: 16 * 1024)
    public var adminHTTP = HTTPServerConfiguration()
    public var gateway: GatewayChoice = .test
    /// `stripe.secretKey[File]`, `stripe.webhookSecret[File]`, `stripe.apiBase`; its
    /// description redacts the secrets.
    public var stripe = StripeSettings()
    /// `smtp.*`: delivery of the outbox; off while `smtp.url` is empty.
    public var smtp = SMTPSettings()
    /// `log.level`: trace, debug, info, notice, warning, error or critical.
    public var logLevel: Logger.Level = .info
    /// `metrics.enabled`: Prometheus text at `/metrics` on the admin listener.
    public var metricsEnabled = true

    /// `portal.tlsListen`: where the portal's HTTPS listener binds when `portal.tlsCertificate`
    /// and `portal.tlsKey` are set; default port 8443 on `portal.listen`'s host. The plain-HTTP
    /// listener stays: DNAT-ed port 80 and the OS probes of stopped clients speak plain HTTP.
    public var portalTLSListen: ListenAddress?

    public init() {}

    /// The host of an `http(s)://host[:port]/…` URL (IPv6 without brackets), or nil.
    static func host(of url: String) -> String? {
        guard let start = url.range(of: "://")?.upperBound else { return nil }
        let authority = url[start...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            return String(authority[authority.index(after: authority.startIndex)..<close])
        }
        let host = authority.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
        return host.isEmpty ? nil : host
    }

    public var effectivePortalURL: String { portalURL ?? "http://\(portalListen)" }

    /// Where the HTTPS listener binds, or nil without a portal certificate.
    public var effectivePortalTLSListen: ListenAddress? {
        guard portalHTTP.tls != nil else { return nil }
        return portalTLSListen ?? ListenAddress(host: portalListen.host, port: 8443)
    }

    /// The portal's HTTPS URL (RFC 8908's `user-portal-url`, Stripe's return URLs), or nil
    /// without a portal certificate: `portal.url` when that is already `https://`, else its host
    /// (or the listen host) with the HTTPS listener's port (left out when 443).
    public var effectivePortalTLSURL: String? {
        guard let listen = effectivePortalTLSListen else { return nil }
        if let portalURL, portalURL.lowercased().hasPrefix("https://") { return portalURL }
        var host = portalURL.flatMap { Self.host(of: $0) } ?? listen.host
        if host.contains(":") && !host.hasPrefix("[") { host = "[\(host)]" }
        return "https://" + host + (listen.port == 443 ? "" : ":\(listen.port)")
    }
}
