import PorticoCore

/// What the app asks of the router: the walled-garden sets and the rules that use them.
///
/// Every method is synchronous and returns once the kernel acknowledged the change, so the
/// request that caused it can answer knowing the client is (or is no longer) redirected.
public protocol WalledGardenFirewall: AnyObject, Sendable {
    /// Builds the whole `inet portico` table in ONE atomic netlink batch (delete table if
    /// present, then create table, sets, chains, rules, elements).
    func rebuild(_ state: WalledGardenState) throws
    /// One batch adding elements; adding an element already present does not abort the batch.
    func suspend(_ prefixes: [IPPrefix]) throws
    /// One batch deleting elements (absent elements are ignored), then deletes the conntrack
    /// entries whose original source is in those prefixes, so a connection that was already
    /// redirected stops reaching the portal.
    func release(_ prefixes: [IPPrefix]) throws
    /// What the kernel holds now in the suspended sets (read back, intervals turned back into
    /// prefixes), sorted.
    func suspendedPrefixes() throws -> [IPPrefix]
    /// Compares the kernel with `state` (and the table's existence and shape), repairs the
    /// difference in one batch (rebuilding the table if it is missing or damaged), and returns what
    /// it repaired.
    func reconcile(_ state: WalledGardenState) throws -> ReconcileReport
}

/// What the sets should hold, derived from the database.
public struct WalledGardenState: Sendable, Equatable {
    /// Addresses and prefixes of suspended (or ended) services.
    public var suspended: [IPPrefix]
    /// Destinations suspended clients may reach besides the configured ones (for example the
    /// payment gateway's hosts, resolved periodically).
    public var allowed: [IPPrefix]

    public init(suspended: [IPPrefix] = [], allowed: [IPPrefix] = []) {
        self.suspended = suspended
        self.allowed = allowed
    }
}

/// How the firewall is laid out on this router. Read once at start-up.
public struct FirewallConfiguration: Sendable, Equatable {
    /// DNAT target for suspended clients' IPv4 port-80 traffic (an address of the portal).
    public var portalIPv4: String
    /// DNAT target for IPv6; without it suspended IPv6 clients' port 80 is only dropped.
    public var portalIPv6: String?
    /// The portal's listening port (the DNAT target port).
    public var portalPort: UInt16
    /// Resolvers suspended clients may use. Empty: DNS (udp/tcp 53) to any destination.
    /// Otherwise they join the allowed sets and DNS goes only to them.
    public var dnsServers: [IPPrefix]
    /// Destinations suspended clients may always reach (portal, gateway hosts, ...).
    public var allowedDestinations: [IPPrefix]
    /// Interfaces facing clients (`iifname`; a trailing `*` matches a prefix). Empty: all.
    public var clientInterfaces: [String]
    /// A network namespace under `/var/run/netns` in which to open the netlink sockets (the
    /// router's namespace in tests and the lab); nil: the process's own namespace.
    public var networkNamespace: String?
    /// One conntrack mark bit Portico ORs into every connection a suspended client opens, so a
    /// release finds that client's connections in an index fed by conntrack events instead of
    /// walking the whole conntrack table (~13 ms with 262,144 buckets). Other bits of the mark
    /// are left alone. nil: no marking, and every release walks the table.
    public var conntrackMarkBit: UInt32?

    public init(
        portalIPv4: String, portalIPv6: String? = nil, portalPort: UInt16 = 80, dnsServers: [IPPrefix] = [],
        allowedDestinations: [IPPrefix] = [], clientInterfaces: [String] = [], networkNamespace: String? = nil,
        conntrackMarkBit: UInt32? = 0x0100_0000
    ) {
        self.portalIPv4 = portalIPv4
        self.portalIPv6 = portalIPv6
        self.portalPort = portalPort
        self.dnsServers = dnsServers
        self.allowedDestinations = allowedDestinations
        self.clientInterfaces = clientInterfaces
        self.networkNamespace = networkNamespace
        self.conntrackMarkBit = conntrackMarkBit
    }
}

/// What `reconcile` found different and repaired.
public struct ReconcileReport: Sendable, Equatable {
    /// Suspended prefixes the kernel was missing.
    public var added: [IPPrefix]
    /// Suspended prefixes the kernel held that the state does not.
    public var removed: [IPPrefix]
    /// True when the table was missing or its sets, chains or rules differed, and it was rebuilt.
    public var tableRebuilt: Bool
    /// Allowed destinations the kernel was missing.
    public var allowedAdded: [IPPrefix]
    /// Allowed destinations the kernel held that it should not.
    public var allowedRemoved: [IPPrefix]

    public init(
        added: [IPPrefix] = [], removed: [IPPrefix] = [], tableRebuilt: Bool = false,
        allowedAdded: [IPPrefix] = [], allowedRemoved: [IPPrefix] = []
    ) {
        self.added = added
        self.removed = removed
        self.tableRebuilt = tableRebuilt
        self.allowedAdded = allowedAdded
        self.allowedRemoved = allowedRemoved
    }

    /// Nothing differed.
    public var isClean: Bool {
        added.isEmpty && removed.isEmpty && !tableRebuilt && allowedAdded.isEmpty && allowedRemoved.isEmpty
    }
}

/// Why a configuration cannot be turned into rules.
public enum FirewallConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    case portalAddress(String)
    case interfaceName(String)
    case conntrackMarkBit(UInt32)

    public var description: String {
        switch self {
        case .conntrackMarkBit(let v): "conntrack mark bit \(v) is not a single bit"
        case .portalAddress(let s): "portal address '\(s)' is not a single address of the right family"
        case .interfaceName(let s): "interface name '\(s)' is empty or longer than 15 bytes"
        }
    }
}
