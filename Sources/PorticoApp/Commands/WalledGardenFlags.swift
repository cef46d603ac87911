import PorticoCore

/// The walled garden's layout on this router as the command line gives it (`serve`, `demo`,
/// `firewall status|sync`; SPEC §9), as typed. `apply` checks each and sets it over the
/// configuration; repeatable ones replace its list. An error names the flag.
public struct WalledGardenFlags: Sendable {
    public var dnatIPv4: String?
    public var dnatIPv6: String?
    public var dnsServers: [String] = []
    public var allow: [String] = []
    public var allowHosts: [String] = []
    public var clientInterfaces: [String] = []
    public var netns: String?
    public var reconcileInterval: Int?
    public var resolveInterval: Int?

    public init(
        dnatIPv4: String? = nil, dnatIPv6: String? = nil, dnsServers: [String] = [], allow: [String] = [],
        allowHosts: [String] = [], clientInterfaces: [String] = [], netns: String? = nil,
        reconcileInterval: Int? = nil, resolveInterval: Int? = nil
    ) {
        self.dnatIPv4 = dnatIPv4
        self.dnatIPv6 = dnatIPv6
        self.dnsServers = dnsServers
        self.allow = allow
        self.allowHosts = allowHosts
        self.clientInterfaces = clientInterfaces
        self.netns = netns
        self.reconcileInterval = reconcileInterval
        self.resolveInterval = resolveInterval
    }

    public func apply(to c: inout PorticoConfiguration) throws {
        func address(_ text: String, _ family: IPPrefix.Family, field: String) throws -> String {
            guard let p = try? IPPrefix(text), p.family == family, p.isSingleAddress else {
                throw CommandError("\(field): '\(text)' is not an \(family == .ipv4 ? "IPv4" : "IPv6") address")
            }
            return text
        }
        func prefixes(_ texts: [String], field: String) throws -> [IPPrefix] {
            try texts.map { text in
                do { return try IPPrefix(text) } catch {
                    throw CommandError("\(field): '\(text)' is not an address or prefix")
                }
            }
        }
        if let v = dnatIPv4 { c.dnatIPv4 = try address(v, .ipv4, field: "dnat-ipv4") }
        if let v = dnatIPv6 { c.dnatIPv6 = try address(v, .ipv6, field: "dnat-ipv6") }
        if !dnsServers.isEmpty { c.dnsServers = try prefixes(dnsServers, field: "dns-server") }
        if !allow.isEmpty { c.allowedDestinations = try prefixes(allow, field: "allow") }
        if !allowHosts.isEmpty {
            for h in allowHosts where h.isEmpty || h.count > 253 || h.contains(where: { $0 == " " || $0 == "/" }) {
                throw CommandError("allow-host: '\(h)' is not a host name")
            }
            c.allowedHosts = allowHosts
        }
        if !clientInterfaces.isEmpty {
            for name in clientInterfaces where name.isEmpty || name.utf8.count > 15 {
                throw CommandError("client-interface: '\(name)' is empty or longer than 15 bytes")
            }
            c.clientInterfaces = clientInterfaces
        }
        if let v = netns {
            guard !v.isEmpty, !v.contains("/"), v != ".", v != ".." else {
                throw CommandError("netns: '\(v)' is not a namespace name")
            }
            c.networkNamespace = v
        }
        if let v = reconcileInterval {
            guard v >= 1 else { throw CommandError("reconcile-interval: must be at least 1 second") }
            c.reconcileIntervalSeconds = v
        }
        if let v = resolveInterval {
            guard v >= 1 else { throw CommandError("resolve-interval: must be at least 1 second") }
            c.allowedHostsRefreshSeconds = v
        }
    }
}
