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
    public static func run(namespace: String, addresses: Int = 100_000, releases: Int = 1_000) throws -> [FirewallBenchmarkRow] {
        let configuration = FirewallConfiguration(
            portalIPv4: "10.255.0.1", portalPort: 8080, allowedDestinations: [try IPPrefix("192.0.2.0/24")],
            networkNamespace: namespace)
        // No log lines inside the timed loops.
        let firewall = try NftablesFirewall(configuration: configuration, logger: Logger(label: "portico.firewall.benchmark", factory: { _ in SwiftLogNoOpLogHandler() }))
        let all = (0..<addresses).map { i -> IPPrefix in
            let v = 0x0A00_0000 + UInt32(i)
            return try! IPPrefix(family: .ipv4, bytes: [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)], length: 32)
        }
        let state = WalledGardenState(suspended: all)
        var rows: [FirewallBenchmarkRow] = []

        var rebuilds: [Double] = []
        for _ in 0..<3 { rebuilds.append(try seconds { try firewall.rebuild(state) }) }
        let rebuild = rebuilds.sorted()[1]
        rows.append(FirewallBenchmarkRow(name: "rebuild with \(addresses) addresses (median of 3)", value: rebuild, unit: "s"))

        let reference = try nftFileReference(namespace: namespace, addresses: all)
        rows.append(FirewallBenchmarkRow(name: "nft -f with the same \(addresses) addresses (median of 3)", value: reference, unit: "s"))
        rows.append(FirewallBenchmarkRow(name: "rebuild / nft -f", value: rebuild / reference, unit: "×"))

        try firewall.rebuild(state)
        var total: [Double] = []
        var setPart: [Double] = []
        var conntrackPart: [Double] = []
        var adds: [Double] = []
        let stride = max(1, addresses / max(1, releases))
        for i in 0..<releases {
            let prefix = all[(i * stride) % all.count]
            let parts = try firewall.timedRelease([prefix])
            total.append(seconds(parts.set + parts.conntrack))
            setPart.append(seconds(parts.set))
            conntrackPart.append(seconds(parts.conntrack))
            adds.append(try seconds { try firewall.suspend([prefix]) })
        }
        func add(_ name: String, _ values: [Double]) {
            let sorted = values.sorted()
            rows.append(FirewallBenchmarkRow(name: "\(name) median", value: sorted[sorted.count / 2] * 1e6, unit: "µs"))
            rows.append(FirewallBenchmarkRow(name: "\(name) p99", value: sorted[min(sorted.count - 1, sorted.count * 99 / 100)] * 1e6, unit: "µs"))
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
    static func nftFileReference(namespace: String, addresses: [IPPrefix]) throws -> Double {
        let path = "/tmp/portico-bench-\(getpid()).nft"
        var text = "table inet portico_nft_reference {}\ndelete table inet portico_nft_reference\n"
        text += "table inet portico_nft_reference {\n set suspended4 {\n  type ipv4_addr\n  flags interval\n  elements = { "
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
