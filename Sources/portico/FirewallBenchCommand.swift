import ArgumentParser
import PorticoApp

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
        for line in try FirewallBenchmarkCommand.run(addresses: addresses, releases: releases, netns: netns) {
            print(line)
        }
    }
}
