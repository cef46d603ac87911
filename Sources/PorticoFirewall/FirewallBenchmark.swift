import CNetfilter
import Glibc
import Logging
import PorticoCore

/// One measured figure.
public struct FirewallBenchmarkRow: Sendable, Equatable, CustomStringConvertible {
    public let name: String
    public let value: Double
    public let unit: String

    public init(name: String, value: Double, unit: String) {
        self.name = name
        self.value = value
        self.unit = unit
    }

    public var description: String {
        let v = value >= 100 ? String(Int(value.rounded())) : String(Double(Int(value * 1000)) / 1000)
        return "\(name): \(v) \(unit)"
    }
}

/// Measures the nftables backend inside an existing, scratch network namespace (its table
/// `inet portico` is replaced): a rebuild holding `addresses` addresses against `nft -f`
/// loading the same addresses (the `nft` program is run only here, as the reference), and the
/// netlink work of `releases` single releases (set delete, then conntrack delete) against that
/// set. Needs root. Run it from a release build.
public enum FirewallBenchmark {
    public static func run(namespace: String, addresses: Int = 100_000, releases: Int = 1_000) throws
        -> [FirewallBenchmarkRow]
    {
        let configuration = FirewallConfiguration(
            portalIPv4: "10.255.0.1", portalPort: 8080, allowedDestinations: [try IPPrefix("192.0.2.0/24")],
            networkNamespace: namespace)
        // No log lines inside the timed loops.
        let firewall = try NftablesFirewall(
            configuration: configuration,
            logger: Logger(label: "portico.firewall.benchmark", factory: { _ in SwiftLogNoOpLogHandler() }))
        let all = (0..<addresses).map { i -> IPPrefix in
            let v = 0x0A00_0000 + UInt32(i)
            return try! IPPrefix(
                family: .ipv4, bytes: [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)],
                length: 32)
        }
        let state = WalledGardenState(suspended: all)
        var rows: [FirewallBenchmarkRow] = []

        var rebuilds: [Double] = []
        for _ in 0..<3 { rebuilds.append(try seconds { try firewall.rebuild(state) }) }
        let rebuild = rebuilds.sorted()[1]
        rows.append(
            FirewallBenchmarkRow(name: "rebuild with \(addresses) addresses (median of 3)", value: rebuild, unit: "s"))

        let reference = try nftFileReference(namespace: namespace, addresses: all, interval: false)
        rows.append(
            FirewallBenchmarkRow(
                name: "nft -f, the same \(addresses) addresses in a hash set as rebuild does (median of 3)",
                value: reference, unit: "s"))
        rows.append(FirewallBenchmarkRow(name: "rebuild / nft -f", value: rebuild / reference, unit: "×"))
        let intervalReference = try nftFileReference(namespace: namespace, addresses: all, interval: true)
        rows.append(
            FirewallBenchmarkRow(
                name: "nft -f, the same addresses in one interval set (median of 3)", value: intervalReference,
                unit: "s"))

        try firewall.rebuild(state)
        // One marked, established conntrack entry per released address, as a redirected client
        // would have: each release then deletes one entry found through the index.
        let stride = max(1, addresses / max(1, releases))
        let released = (0..<releases).map { all[($0 * stride) % all.count] }
        try createConntrackEntries(for: released, markBit: configuration.conntrackMarkBit ?? 0, namespace: namespace)
        var total: [Double] = []
        var setPart: [Double] = []
        var conntrackPart: [Double] = []
        var adds: [Double] = []
        for prefix in released {
            let parts = try firewall.timedRelease([prefix])
            total.append(seconds(parts.set + parts.conntrack))
            setPart.append(seconds(parts.set))
            conntrackPart.append(seconds(parts.conntrack))
            adds.append(try seconds { try firewall.suspend([prefix]) })
        }
        func add(_ name: String, _ values: [Double]) {
            let sorted = values.sorted()
            rows.append(FirewallBenchmarkRow(name: "\(name) median", value: sorted[sorted.count / 2] * 1e6, unit: "µs"))
            rows.append(
                FirewallBenchmarkRow(
                    name: "\(name) p99", value: sorted[min(sorted.count - 1, sorted.count * 99 / 100)] * 1e6, unit: "µs"
                ))
        }
        add("release (set delete + conntrack delete), \(releases) runs, \(addresses)-address set,", total)
        add("  of which set delete", setPart)
        add("  of which conntrack delete", conntrackPart)
        add("suspend one address", adds)
        return rows
    }

    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = ContinuousClock.now
        try body()
        return seconds(ContinuousClock.now - start)
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    /// `ip netns exec NS nft -f FILE` loading one interval set with the addresses in a table of its
    /// own, median of three; the table is deleted afterwards.
    static func nftFileReference(namespace: String, addresses: [IPPrefix], interval: Bool) throws -> Double {
        let path = "/tmp/portico-bench-\(getpid()).nft"
        var text = "table inet portico_nft_reference {}\ndelete table inet portico_nft_reference\n"
        text +=
            "table inet portico_nft_reference {\n set suspended4 {\n  type ipv4_addr\n"
            + (interval ? "  flags interval\n" : "") + "  elements = { "
        text += addresses.map(\.description).joined(separator: ", ")
        text += " }\n }\n}\n"
        guard let file = fopen(path, "w") else { throw NetlinkError(errno: Glibc.errno, operation: "fopen \(path)") }
        fputs(text, file)
        fclose(file)
        defer { unlink(path) }
        var times: [Double] = []
        for _ in 0..<3 {
            var status: Int32 = 0
            times.append(try seconds { status = try spawn(["ip", "netns", "exec", namespace, "nft", "-f", path]) })
            if status != 0 { throw NetlinkError(errno: EIO, operation: "nft -f exited with \(status)") }
        }
        _ = try spawn(["ip", "netns", "exec", namespace, "nft", "delete", "table", "inet", "portico_nft_reference"])
        return times.sorted()[1]
    }

    /// Creates, over ctnetlink, an established TCP entry to port 80 from each address, marked.
    static func createConntrackEntries(for sources: [IPPrefix], markBit: UInt32, namespace: String) throws {
        let socket = try NetlinkSocket(namespace: namespace)
        let batch = NetlinkBatch(firstSeq: socket.nextSeq)
        for source in sources where source.family == .ipv4 {
            guard let ct = nfct_new() else { throw NetlinkError(errno: ENOMEM, operation: "nfct_new") }
            defer { nfct_destroy(ct) }
            nfct_set_attr_u8(ct, ATTR_L3PROTO, UInt8(AF_INET))
            nfct_set_attr_u32(ct, ATTR_IPV4_SRC, source.bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) })
            nfct_set_attr_u32(ct, ATTR_IPV4_DST, UInt32(0xC000_0201).bigEndian)
            nfct_set_attr_u8(ct, ATTR_L4PROTO, UInt8(IPPROTO_TCP))
            nfct_set_attr_u16(ct, ATTR_PORT_SRC, UInt16(40000).bigEndian)
            nfct_set_attr_u16(ct, ATTR_PORT_DST, UInt16(80).bigEndian)
            // ctnetlink wants both directions' tuples to create an entry: mirror the original.
            _ = nfct_setobjopt(ct, UInt32(NFCT_SOPT_SETUP_REPLY))
            nfct_set_attr_u8(ct, ATTR_TCP_STATE, 3)  // ESTABLISHED
            nfct_set_attr_u32(ct, ATTR_TIMEOUT, 3600)
            nfct_set_attr_u32(ct, ATTR_MARK, markBit)
            batch.append(label: "create conntrack entry for \(source)") { at, seq in
                let nlh = mnl_nlmsg_put_header(at)!
                nlh.pointee.nlmsg_type = UInt16(NFNL_SUBSYS_CTNETLINK) << 8 | UInt16(IPCTNL_MSG_CT_NEW.rawValue)
                nlh.pointee.nlmsg_flags = UInt16(NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK)
                nlh.pointee.nlmsg_seq = seq
                let nfg = mnl_nlmsg_put_extra_header(nlh, MemoryLayout<nfgenmsg>.size)!.assumingMemoryBound(
                    to: nfgenmsg.self)
                nfg.pointee.nfgen_family = UInt8(AF_INET)
                nfg.pointee.version = UInt8(NFNETLINK_V0)
                _ = nfct_nlmsg_build(nlh, ct)
            }
        }
        _ = socket.takeSequenceNumbers(batch.messageCount)
        try socket.send(batch.bytes, operation: "create conntrack entries")
        try socket.awaitAcknowledgements(batch.labels, ignoring: [EEXIST])
    }

    /// Runs a program and waits for it; returns its exit status.
    static func spawn(_ arguments: [String]) throws -> Int32 {
        var pid: pid_t = 0
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let rc = posix_spawnp(&pid, arguments[0], nil, nil, &argv, environ)
        if rc != 0 { throw NetlinkError(errno: rc, operation: "posix_spawnp \(arguments[0])") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && Glibc.errno == EINTR {}
        return (status >> 8) & 0xFF
    }
}
