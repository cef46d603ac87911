import ArgumentParser
import PorticoApp

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

    /// The flags as typed, for the app to check and apply.
    var flags: WalledGardenFlags {
        WalledGardenFlags(
            dnatIPv4: dnatIpv4, dnatIPv6: dnatIpv6, dnsServers: dnsServers, allow: allow, allowHosts: allowHosts,
            clientInterfaces: clientInterfaces, netns: netns, reconcileInterval: reconcileInterval,
            resolveInterval: resolveInterval)
    }
}
