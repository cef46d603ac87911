import ArgumentParser
import PorticoApp
import PorticoCore

/// The walled garden's layout on this router, for `serve`, `demo` and `firewall status|sync`
/// (SPEC §9). Flags override the configuration; repeatable ones replace its list.
struct FirewallOptions: ParsableArguments {
    @Option(
        name: .customLong("dnat-ipv4"),
        help: ArgumentHelp(
            "Address suspended clients' TCP port 80 is DNAT-ed to (default: the portal listener's host).",
            valueName: "ipv4"))
    var dnatIpv4: String?
    @Option(
        name: .customLong("dnat-ipv6"),
        help: ArgumentHelp("The same for IPv6 clients; without it their port 80 is dropped.", valueName: "ipv6"))
    var dnatIpv6: String?
    @Option(
        name: .customLong("dns-server"),
        help: ArgumentHelp(
            "A resolver suspended clients may use (repeatable). None: DNS to any destination.", valueName: "address"))
    var dnsServers: [String] = []
    @Option(
        name: .customLong("allow"),
        help: ArgumentHelp(
            "A destination suspended clients may reach, address or prefix (repeatable).", valueName: "prefix"))
    var allow: [String] = []
    @Option(
        name: .customLong("allow-host"),
        help: ArgumentHelp(
            "A host name suspended clients may reach, resolved periodically (repeatable).", valueName: "name"))
    var allowHosts: [String] = []
    @Option(
        name: .customLong("client-interface"),
        help: ArgumentHelp(
            "An interface facing clients (repeatable; a trailing * matches a prefix). None: all.", valueName: "name"))
    var clientInterfaces: [String] = []
    @Option(help: ArgumentHelp("Network namespace (under /var/run/netns) whose nftables to manage.", valueName: "name"))
    var netns: String?
    @Option(help: ArgumentHelp("Seconds between reconciler passes (default 60).", valueName: "seconds"))
    var reconcileInterval: Int?
    @Option(
        help: ArgumentHelp("Seconds between lookups of the allowed host names (default 300).", valueName: "seconds"))
    var resolveInterval: Int?

    func apply(to c: inout PorticoConfiguration) throws {
        func address(_ text: String, _ family: IPPrefix.Family, field: String) throws -> String {
            guard let p = try? IPPrefix(text), p.family == family, p.isSingleAddress else {
                throw CLIError("\(field): '\(text)' is not an \(family == .ipv4 ? "IPv4" : "IPv6") address")
            }
            return text
        }
        func prefixes(_ texts: [String], field: String) throws -> [IPPrefix] {
            try texts.map { text in
                do { return try IPPrefix(text) } catch {
                    throw CLIError("\(field): '\(text)' is not an address or prefix")
                }
            }
        }
        if let v = dnatIpv4 { c.dnatIPv4 = try address(v, .ipv4, field: "dnat-ipv4") }
        if let v = dnatIpv6 { c.dnatIPv6 = try address(v, .ipv6, field: "dnat-ipv6") }
        if !dnsServers.isEmpty { c.dnsServers = try prefixes(dnsServers, field: "dns-server") }
        if !allow.isEmpty { c.allowedDestinations = try prefixes(allow, field: "allow") }
        if !allowHosts.isEmpty {
            for h in allowHosts where h.isEmpty || h.count > 253 || h.contains(where: { $0 == " " || $0 == "/" }) {
                throw CLIError("allow-host: '\(h)' is not a host name")
            }
            c.allowedHosts = allowHosts
        }
        if !clientInterfaces.isEmpty {
            for name in clientInterfaces where name.isEmpty || name.utf8.count > 15 {
                throw CLIError("client-interface: '\(name)' is empty or longer than 15 bytes")
            }
            c.clientInterfaces = clientInterfaces
        }
        if let v = netns {
            guard !v.isEmpty, !v.contains("/"), v != ".", v != ".." else {
                throw CLIError("netns: '\(v)' is not a namespace name")
            }
            c.networkNamespace = v
        }
        if let v = reconcileInterval {
            guard v >= 1 else { throw CLIError("reconcile-interval: must be at least 1 second") }
            c.reconcileIntervalSeconds = v
        }
        if let v = resolveInterval {
            guard v >= 1 else { throw CLIError("resolve-interval: must be at least 1 second") }
            c.allowedHostsRefreshSeconds = v
        }
    }
}
