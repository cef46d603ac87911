import CNetfilter
import PorticoCore

/// The shape of `inet portico`, as plain values: what `rebuild` creates and what `reconcile`
/// expects to find. Built from the configuration only; the elements come from the state.
///
/// Sets: single suspended addresses go to hash sets (`suspended4_hosts`, `suspended6_hosts`),
/// prefixes to interval sets (`suspended4`, `suspended6`). Kernel 6.18's interval sets rebuild a
/// lookup array of the whole set on every commit, so one element changed in a 100,000-element
/// interval set costs ~25 ms; in a hash set it costs microseconds. `allowed4`/`allowed6` are
/// small interval sets. `allowed4_dns`/`allowed6_dns` are hash sets with a one-hour element
/// timeout that dnsmasq fills (`nftset=`) and Portico leaves alone.
///
/// Base chains send suspended sources (either set, `iifname` checked when client interfaces are
/// configured) with `goto` to a regular chain per family, which decides:
/// - `prerouting4/6` (from `prerouting`, nat, dstnat): to `allowed` → accept (no redirect);
///   TCP 80 → DNAT to the portal (IPv6 only when `portalIPv6` is set).
/// - `forward4/6` (from `forward`, filter): to `allowed` → accept; udp/tcp 53 → accept (when
///   `dnsServers` is empty; otherwise the resolvers are in the allowed sets); TCP 443 → reject
///   with a TCP reset; the rest → drop.
/// - `input4/6` (from `input`, filter), for a portal and resolver running on the router itself:
///   to `allowed` → accept; TCP to the portal port, udp/tcp 53, DHCP (udp 67, 547) and
///   ICMP/ICMPv6 (neighbour discovery) → accept; TCP 443 → reset; the rest → drop, so the
///   router's other services (a proxy, say) cannot be used to leave the garden. An accept here
///   cannot override a drop in another table's input chain: the router's own filter must let the
///   portal port in.
/// Every rule carries a comment naming what it does with its parameters; `reconcile` compares
/// these comments to decide whether the rules are still Portico's.
struct Ruleset: Equatable {
    static let table = "portico"

    struct SetSpec: Equatable {
        let name: String
        let family: IPPrefix.Family
        let id: UInt32
        /// Interval set (prefixes, [start, end) pairs) or hash set (single addresses).
        let interval: Bool
        /// A default element timeout (`flags timeout`), for sets others fill (dnsmasq).
        var timeoutSeconds: UInt64? = nil
        /// nftables datatype ids (`ipv4_addr` 7, `ipv6_addr` 8); no public header has them.
        var keyType: UInt32 { family == .ipv4 ? 7 : 8 }
        var keyLength: UInt32 { family == .ipv4 ? 4 : 16 }
        var flags: UInt32 {
            (interval ? UInt32(NFT_SET_INTERVAL.rawValue) : 0)
                | (timeoutSeconds != nil ? UInt32(NFT_SET_TIMEOUT.rawValue) : 0)
        }
        /// The flags `reconcile` compares with the kernel's.
        static let comparedFlags = UInt32(NFT_SET_INTERVAL.rawValue) | UInt32(NFT_SET_TIMEOUT.rawValue)
    }

    static let suspended4 = SetSpec(name: "suspended4", family: .ipv4, id: 1, interval: true)
    static let suspended6 = SetSpec(name: "suspended6", family: .ipv6, id: 2, interval: true)
    static let allowed4 = SetSpec(name: "allowed4", family: .ipv4, id: 3, interval: true)
    static let allowed6 = SetSpec(name: "allowed6", family: .ipv6, id: 4, interval: true)
    static let hosts4 = SetSpec(name: "suspended4_hosts", family: .ipv4, id: 5, interval: false)
    static let hosts6 = SetSpec(name: "suspended6_hosts", family: .ipv6, id: 6, interval: false)
    /// Allowed destinations that dnsmasq's `nftset=` adds as clients resolve the allowlist's
    /// names (deploy/dnsmasq.md). Portico creates them empty and never touches their elements:
    /// `reconcile` would otherwise delete what dnsmasq added, since no database knows it. Their
    /// elements expire after an hour unless dnsmasq adds them again.
    static let allowedDNS4 = SetSpec(name: "allowed4_dns", family: .ipv4, id: 7, interval: false, timeoutSeconds: 3600)
    static let allowedDNS6 = SetSpec(name: "allowed6_dns", family: .ipv6, id: 8, interval: false, timeoutSeconds: 3600)
    /// The sets whose elements Portico derives from the state (and reconciles).
    static let sets = [suspended4, suspended6, hosts4, hosts6, allowed4, allowed6]
    static let suspendedSets = [suspended4, suspended6, hosts4, hosts6]
    static let dnsFilledSets = [allowedDNS4, allowedDNS6]
    /// Every set the table holds: what `rebuild` creates and `reconcile` checks the shape of.
    static let createdSets = sets + dnsFilledSets

    /// Room to give a host set that must hold `count` addresses. A hash set created with a size
    /// gets a fixed-size table (the kernel's `nft_hash`): inserts stay O(1), where an unsized
    /// set (`rhash`) spends half a 100,000-address rebuild growing its table in
    /// `rhashtable_insert_slow`. The size is also the most the set accepts (ENFILE beyond it),
    /// so it leaves room to double; `suspend` rebuilds with more room when a set is full.
    static func hostCapacity(for count: Int) -> UInt32 {
        var capacity = 65_536
        while capacity < 2 * count { capacity *= 2 }
        return UInt32(clamping: capacity)
    }

    /// Where a suspended prefix lives: single addresses in the hash set, prefixes in the interval set.
    static func suspendedSet(for prefix: IPPrefix) -> SetSpec {
        switch (prefix.family, prefix.isSingleAddress) {
        case (.ipv4, true): hosts4
        case (.ipv4, false): suspended4
        case (.ipv6, true): hosts6
        case (.ipv6, false): suspended6
        }
    }

    static func allowedSet(for prefix: IPPrefix) -> SetSpec { prefix.family == .ipv4 ? allowed4 : allowed6 }

    struct ChainSpec: Equatable {
        let name: String
        /// nil for a regular chain (reached by goto).
        let base: (type: String, hook: UInt32, priority: Int32)?

        static func == (a: ChainSpec, b: ChainSpec) -> Bool {
            a.name == b.name && a.base?.type == b.base?.type && a.base?.hook == b.base?.hook
                && a.base?.priority == b.base?.priority
        }
    }

    static let chains =
        [
            ChainSpec(name: "prerouting", base: ("nat", UInt32(NF_INET_PRE_ROUTING.rawValue), -100)),
            ChainSpec(name: "forward", base: ("filter", UInt32(NF_INET_FORWARD.rawValue), 0)),
            ChainSpec(name: "input", base: ("filter", UInt32(NF_INET_LOCAL_IN.rawValue), 0)),
        ]
        + ["prerouting", "forward", "input"].flatMap { hook in
            ["4", "6"].map { ChainSpec(name: hook + $0, base: nil) }
        }

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
        case goto(String)
        /// `ct mark set ct mark | bit` (the other bits kept).
        case setConntrackMarkBit(UInt32)
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
        if let bit = configuration.conntrackMarkBit, bit.nonzeroBitCount != 1 { throw .conntrackMarkBit(bit) }
        var allowed = configuration.allowedDestinations + configuration.dnsServers + [portal4]
        if let portal6 { allowed.append(portal6) }
        configuredAllowed = IPPrefix.normalized(allowed)

        let interfaces: [String?] = configuration.clientInterfaces.isEmpty ? [nil] : configuration.clientInterfaces
        let port = configuration.portalPort
        let dnsAnywhere = configuration.dnsServers.isEmpty
        var rules: [Rule] = []
        // Base chains: suspended sources (prefix set or host set) go to the family's chain.
        for hook in ["prerouting", "forward", "input"] {
            for interface in interfaces {
                let on = interface.map { " iif \($0)" } ?? ""
                for family in [IPPrefix.Family.ipv4, .ipv6] {
                    let n = family == .ipv4 ? "4" : "6"
                    for set in family == .ipv4 ? [Self.suspended4, Self.hosts4] : [Self.suspended6, Self.hosts6] {
                        rules.append(
                            Rule(
                                chain: hook, comment: "portico: saddr @\(set.name)\(on): goto \(hook)\(n)",
                                expressions: Self.match(interface: interface, family: family, set: set) + [
                                    .goto(hook + n)
                                ]))
                    }
                }
            }
        }
        for family in [IPPrefix.Family.ipv4, .ipv6] {
            let n = family == .ipv4 ? "4" : "6"
            let f = family == .ipv4 ? "ip" : "ip6"
            let toAllowed = [
                Self.address(family, source: false),
                .lookup(register: 1, set: family == .ipv4 ? Self.allowed4 : Self.allowed6),
            ]
            let toAllowedByDNS = [
                Self.address(family, source: false),
                .lookup(register: 1, set: family == .ipv4 ? Self.allowedDNS4 : Self.allowedDNS6),
            ]
            func rule(_ hook: String, _ text: String, _ e: [Expression]) {
                rules.append(Rule(chain: hook + n, comment: "portico: \(f) suspended \(text)", expressions: e))
            }
            if let bit = configuration.conntrackMarkBit {
                // The nat chain sees the first packet of each connection: every connection a
                // suspended client opens is marked, and conntrack events for it reach the index.
                rule("prerouting", "ct mark | 0x\(String(bit, radix: 16)): marked", [.setConntrackMarkBit(bit)])
            }
            rule("prerouting", "to allowed: no redirect", toAllowed + [.accept])
            rule("prerouting", "to allowed by dns: no redirect", toAllowedByDNS + [.accept])
            if let portal = family == .ipv4 ? portal4 : portal6 {
                let target = family == .ipv4 ? "\(portal):\(port)" : "[\(portal)]:\(port)"
                rule(
                    "prerouting", "tcp 80: dnat to \(target)",
                    Self.port(tcp: true, 80) + [
                        .counter, .immediate(register: 1, data: portal.bytes),
                        .immediate(register: 2, data: [UInt8(port >> 8), UInt8(port & 0xFF)]),
                        .dnat(family: family, addressRegister: 1, portRegister: 2),
                    ])
            }
            rule("forward", "to allowed: accept", toAllowed + [.accept])
            rule("forward", "to allowed by dns: accept", toAllowedByDNS + [.accept])
            if dnsAnywhere {
                rule("forward", "udp 53: accept", Self.port(tcp: false, 53) + [.accept])
                rule("forward", "tcp 53: accept", Self.port(tcp: true, 53) + [.accept])
            }
            rule("forward", "tcp 443: reset", Self.port(tcp: true, 443) + [.counter, .rejectWithTCPReset])
            rule("forward", "other: drop", [.counter, .drop])

            rule("input", "to allowed: accept", toAllowed + [.accept])
            rule("input", "to allowed by dns: accept", toAllowedByDNS + [.accept])
            rule("input", "tcp \(port) (portal): accept", Self.port(tcp: true, port) + [.accept])
            rule("input", "udp 53: accept", Self.port(tcp: false, 53) + [.accept])
            rule("input", "tcp 53: accept", Self.port(tcp: true, 53) + [.accept])
            rule(
                "input", "udp \(family == .ipv4 ? 67 : 547) (dhcp): accept",
                Self.port(tcp: false, family == .ipv4 ? 67 : 547) + [.accept])
            let icmp: UInt8 = family == .ipv4 ? 1 : 58
            rule(
                "input", "\(family == .ipv4 ? "icmp" : "icmpv6"): accept",
                [.meta(key: NFT_META_L4PROTO.rawValue, register: 1), .compare(register: 1, data: [icmp]), .accept])
            rule("input", "tcp 443: reset", Self.port(tcp: true, 443) + [.counter, .rejectWithTCPReset])
            rule("input", "other: drop", [.counter, .drop])
        }
        self.rules = rules
    }

    static func singleAddress(_ text: String, _ family: IPPrefix.Family) throws(FirewallConfigurationError) -> IPPrefix
    {
        guard let p = try? IPPrefix(text), p.family == family, p.isSingleAddress else { throw .portalAddress(text) }
        return p
    }

    /// `[iifname NAME] meta nfproto FAMILY ip(6) saddr @SET`.
    static func match(interface: String?, family: IPPrefix.Family, set: SetSpec) -> [Expression] {
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
            address(family, source: true), .lookup(register: 1, set: set),
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
