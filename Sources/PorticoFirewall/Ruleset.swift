import CNetfilter
import PorticoCore

/// The shape of `inet portico`, as plain values: what `rebuild` creates and what `reconcile`
/// expects to find. Built from the configuration only; the elements come from the state.
///
/// Rules (each once per client interface, or once when all interfaces are client-facing), for
/// IPv4 and IPv6 alike, matching suspended sources through the `suspended4/6` sets:
/// - `prerouting` (nat, dstnat): to `allowed` destinations → accept (no redirect); TCP 80 → DNAT
///   to the portal (IPv6 only when `portalIPv6` is set).
/// - `forward` (filter): to `allowed` → accept; udp/tcp 53 → accept (when `dnsServers` is empty;
///   otherwise the resolvers are in the allowed sets); TCP 443 → reject with a TCP reset; the rest
///   → drop.
/// - `input` (filter), for a portal and resolver running on the router itself: to `allowed` →
///   accept; TCP to the portal port, udp/tcp 53, DHCP (udp 67, 547) and ICMP/ICMPv6 (neighbour
///   discovery) → accept; TCP 443 → reset; the rest → drop, so the router's other services (a
///   proxy, say) cannot be used to leave the garden. An accept here cannot override a drop in
///   another table's input chain: the router's own filter must let the portal port in.
/// Every rule carries a comment naming what it does with its parameters; `reconcile` compares
/// these comments to decide whether the rules are still Portico's.
struct Ruleset: Equatable {
    static let table = "portico"

    struct SetSpec: Equatable {
        let name: String
        let family: IPPrefix.Family
        let id: UInt32
        /// nftables datatype ids (`ipv4_addr` 7, `ipv6_addr` 8); no public header has them.
        var keyType: UInt32 { family == .ipv4 ? 7 : 8 }
        var keyLength: UInt32 { family == .ipv4 ? 4 : 16 }
    }

    static let suspended4 = SetSpec(name: "suspended4", family: .ipv4, id: 1)
    static let suspended6 = SetSpec(name: "suspended6", family: .ipv6, id: 2)
    static let allowed4 = SetSpec(name: "allowed4", family: .ipv4, id: 3)
    static let allowed6 = SetSpec(name: "allowed6", family: .ipv6, id: 4)
    static let sets = [suspended4, suspended6, allowed4, allowed6]

    static func suspendedSet(_ family: IPPrefix.Family) -> SetSpec { family == .ipv4 ? suspended4 : suspended6 }
    static func allowedSet(_ family: IPPrefix.Family) -> SetSpec { family == .ipv4 ? allowed4 : allowed6 }

    struct ChainSpec: Equatable {
        let name: String
        let type: String
        let hook: UInt32
        let priority: Int32
    }

    static let chains = [
        ChainSpec(name: "prerouting", type: "nat", hook: UInt32(NF_INET_PRE_ROUTING.rawValue), priority: -100),
        ChainSpec(name: "forward", type: "filter", hook: UInt32(NF_INET_FORWARD.rawValue), priority: 0),
        ChainSpec(name: "input", type: "filter", hook: UInt32(NF_INET_LOCAL_IN.rawValue), priority: 0),
    ]

    enum Expression: Equatable {
        case meta(key: UInt32, register: UInt32)
        case compare(register: UInt32, data: [UInt8])
        case payload(base: UInt32, offset: UInt32, length: UInt32, register: UInt32)
        case lookup(register: UInt32, set: SetSpec)
        case immediate(register: UInt32, data: [UInt8])
        case dnat(family: IPPrefix.Family, addressRegister: UInt32, portRegister: UInt32)
        case rejectWithTCPReset
        case counter
        case accept
        case drop
    }

    struct Rule: Equatable {
        let chain: String
        let comment: String
        let expressions: [Expression]
    }

    let rules: [Rule]
    /// Allowed destinations that come from the configuration (portal, resolvers, the list).
    let configuredAllowed: [IPPrefix]

    init(_ configuration: FirewallConfiguration) throws(FirewallConfigurationError) {
        let portal4 = try Self.singleAddress(configuration.portalIPv4, .ipv4)
        let portal6 = try configuration.portalIPv6.map { (s) throws(FirewallConfigurationError) in
            try Self.singleAddress(s, .ipv6)
        }
        for name in configuration.clientInterfaces where name.isEmpty || name.utf8.count > 15 {
            throw .interfaceName(name)
        }
        var allowed = configuration.allowedDestinations + configuration.dnsServers + [portal4]
        if let portal6 { allowed.append(portal6) }
        configuredAllowed = IPPrefix.normalized(allowed)

        let interfaces: [String?] = configuration.clientInterfaces.isEmpty ? [nil] : configuration.clientInterfaces
        let port = configuration.portalPort
        let dnsAnywhere = configuration.dnsServers.isEmpty
        var rules: [Rule] = []
        for interface in interfaces {
            let on = interface.map { " iif \($0)" } ?? ""
            for family in [IPPrefix.Family.ipv4, .ipv6] {
                let f = family == .ipv4 ? "ip" : "ip6"
                let from = Self.match(interface: interface, family: family)
                let toAllowed = from + [Self.address(family, source: false), .lookup(register: 1, set: Self.allowedSet(family))]
                func rule(_ chain: String, _ text: String, _ e: [Expression]) {
                    rules.append(Rule(chain: chain, comment: "portico: \(f) suspended\(on) \(text)", expressions: e))
                }
                rule("prerouting", "to allowed: no redirect", toAllowed + [.accept])
                if let portal = family == .ipv4 ? portal4 : portal6 {
                    let target = family == .ipv4 ? "\(portal):\(port)" : "[\(portal)]:\(port)"
                    rule("prerouting", "tcp 80: dnat to \(target)",
                         from + Self.port(tcp: true, 80) + [
                            .counter, .immediate(register: 1, data: portal.bytes),
                            .immediate(register: 2, data: [UInt8(port >> 8), UInt8(port & 0xFF)]),
                            .dnat(family: family, addressRegister: 1, portRegister: 2),
                         ])
                }
                rule("forward", "to allowed: accept", toAllowed + [.accept])
                if dnsAnywhere {
                    rule("forward", "udp 53: accept", from + Self.port(tcp: false, 53) + [.accept])
                    rule("forward", "tcp 53: accept", from + Self.port(tcp: true, 53) + [.accept])
                }
                rule("forward", "tcp 443: reset", from + Self.port(tcp: true, 443) + [.counter, .rejectWithTCPReset])
                rule("forward", "other: drop", from + [.counter, .drop])

                rule("input", "to allowed: accept", toAllowed + [.accept])
                rule("input", "tcp \(port) (portal): accept", from + Self.port(tcp: true, port) + [.accept])
                rule("input", "udp 53: accept", from + Self.port(tcp: false, 53) + [.accept])
                rule("input", "tcp 53: accept", from + Self.port(tcp: true, 53) + [.accept])
                rule("input", "udp \(family == .ipv4 ? 67 : 547) (dhcp): accept",
                     from + Self.port(tcp: false, family == .ipv4 ? 67 : 547) + [.accept])
                let icmp: UInt8 = family == .ipv4 ? 1 : 58
                rule("input", "\(family == .ipv4 ? "icmp" : "icmpv6"): accept",
                     from + [.meta(key: NFT_META_L4PROTO.rawValue, register: 1), .compare(register: 1, data: [icmp]), .accept])
                rule("input", "tcp 443: reset", from + Self.port(tcp: true, 443) + [.counter, .rejectWithTCPReset])
                rule("input", "other: drop", from + [.counter, .drop])
            }
        }
        self.rules = rules
    }

    static func singleAddress(_ text: String, _ family: IPPrefix.Family) throws(FirewallConfigurationError) -> IPPrefix {
        guard let p = try? IPPrefix(text), p.family == family, p.isSingleAddress else { throw .portalAddress(text) }
        return p
    }

    /// `[iifname NAME] meta nfproto FAMILY ip(6) saddr @suspendedN`.
    static func match(interface: String?, family: IPPrefix.Family) -> [Expression] {
        var out: [Expression] = []
        if let interface {
            var name = Array(interface.utf8)
            if name.last == UInt8(ascii: "*") {
                name.removeLast()  // "wlan*": compare the prefix only
            } else {
                name += [UInt8](repeating: 0, count: 16 - name.count)  // IFNAMSIZ, NUL-padded
            }
            out += [.meta(key: NFT_META_IIFNAME.rawValue, register: 1), .compare(register: 1, data: name)]
        }
        out += [
            .meta(key: NFT_META_NFPROTO.rawValue, register: 1),
            .compare(register: 1, data: [UInt8(family == .ipv4 ? NFPROTO_IPV4 : NFPROTO_IPV6)]),
            address(family, source: true), .lookup(register: 1, set: suspendedSet(family)),
        ]
        return out
    }

    static func address(_ family: IPPrefix.Family, source: Bool) -> Expression {
        let base = NFT_PAYLOAD_NETWORK_HEADER.rawValue
        return family == .ipv4
            ? .payload(base: base, offset: source ? 12 : 16, length: 4, register: 1)
            : .payload(base: base, offset: source ? 8 : 24, length: 16, register: 1)
    }

    /// `meta l4proto tcp|udp th dport PORT`.
    static func port(tcp: Bool, _ port: UInt16) -> [Expression] {
        [
            .meta(key: NFT_META_L4PROTO.rawValue, register: 1), .compare(register: 1, data: [tcp ? 6 : 17]),
            .payload(base: NFT_PAYLOAD_TRANSPORT_HEADER.rawValue, offset: 2, length: 2, register: 1),
            .compare(register: 1, data: [UInt8(port >> 8), UInt8(port & 0xFF)]),
        ]
    }

    /// The comments of each chain's rules, in order: what `reconcile` compares with the kernel.
    var fingerprint: [String: [String]] {
        var out: [String: [String]] = [:]
        for chain in Self.chains { out[chain.name] = [] }
        for rule in rules { out[rule.chain, default: []].append(rule.comment) }
        return out
    }
}
