import ArgumentParser
import Foundation
import PorticoFirewall

/// `portico bench firewall`: the nftables backend's netlink work, in a scratch network namespace
/// (never the host's own): a rebuild of N addresses against `nft -f`, and single releases.
struct FirewallBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "firewall",
        abstract: "Rebuild with N addresses vs nft -f, and the netlink work of one release (root; scratch namespace).")
    @Option(help: "Addresses in the suspended set.") var addresses = 100_000
    @Option(help: "Single releases to time.") var releases = 1_000
    @Option(
        help:
            ArgumentHelp(
                "An existing scratch namespace to use (its table inet portico is replaced); "
                    + "default: one created and deleted here.")
    )
    var netns: String?

    func run() throws {
        guard addresses >= 1, releases >= 1, releases <= addresses else {
            throw CLIError("releases: must be between 1 and --addresses")
        }
        let namespace = netns ?? "portico-bench-\(getpid())"
        if netns == nil {
            guard Self.ip(["netns", "add", namespace]) == 0 else {
                throw CLIError("netns: `ip netns add \(namespace)` failed (needs root and iproute2)")
            }
        }
        defer { if netns == nil { _ = Self.ip(["netns", "delete", namespace]) } }
        let rows = try FirewallBenchmark.run(namespace: namespace, addresses: addresses, releases: releases)
        print("| figure | value |")
        print("|---|---:|")
        for row in rows {
            let v = row.value >= 100 ? String(Int(row.value.rounded())) : String(format: "%.3f", row.value)
            print("| \(row.name.trimmingCharacters(in: .whitespaces)) | \(v) \(row.unit) |")
        }
    }

    static func ip(_ arguments: [String]) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["ip"] + arguments
        do { try p.run() } catch { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }
}
