import Foundation
import PorticoCore
import PorticoTestSupport
import Testing

@testable import PorticoFirewall

// Real kernel, each test in a network namespace of its own. Skipped (with the reason) without
// root, `ip netns` or nf_tables.
@Suite(.enabled(if: Lab.available, Lab.skipComment), .serialized)
struct NftablesFirewallTests {
    @Test func rebuildCreatesExactlyTheTableSetsAndChains() throws {
        try Lab.withNamespace("rebuild") { ns in
            let firewall = try NftablesFirewall(configuration: Lab.configuration(ns))
            try firewall.rebuild(
                WalledGardenState(suspended: [p("10.0.0.5"), p("fd00:1::/64")], allowed: [p("203.0.113.9")]))
            let objects = try #require(try Lab.listTable(ns))
            #expect(Lab.names("table", in: objects) == ["portico"])
            #expect(
                Lab.names("set", in: objects) == [
                    "allowed4", "allowed4_dns", "allowed6", "allowed6_dns", "suspended4", "suspended4_hosts",
                    "suspended6", "suspended6_hosts",
                ])
            #expect(
                Lab.names("chain", in: objects) == [
                    "forward", "forward4", "forward6", "input", "input4", "input6", "prerouting", "prerouting4",
                    "prerouting6",
                ])
            let rules = objects.compactMap { $0["rule"] as? [String: Any] }
            #expect(rules.count == firewall.ruleset.rules.count)
            #expect(try firewall.suspendedPrefixes() == [p("10.0.0.5"), p("fd00:1::/64")])
            // A second rebuild replaces the table rather than failing or duplicating it.
            try firewall.rebuild(WalledGardenState(suspended: [p("10.0.0.6")]))
            #expect(try firewall.suspendedPrefixes() == [p("10.0.0.6")])
            #expect(try Lab.listTable(ns).map { $0.filter { $0["rule"] != nil }.count } == firewall.ruleset.rules.count)
        }
    }
}

extension NftablesFirewallTests {
    @Test func suspendAddsAndReAddingIsHarmless() throws {
        try Lab.withNamespace("suspend") { ns in
            let firewall = try NftablesFirewall(configuration: Lab.configuration(ns))
            try firewall.rebuild(WalledGardenState())
            try firewall.suspend([p("10.0.0.1"), p("10.0.3.0/24")])
            // 10.0.0.1 is already there: the batch must still go through and add 10.0.0.2.
            try firewall.suspend([p("10.0.0.1"), p("10.0.0.2")])
            #expect(try firewall.suspendedPrefixes() == [p("10.0.0.1"), p("10.0.0.2"), p("10.0.3.0/24")])
            let hosts = try Lab.run(
                "ip", "netns", "exec", ns, "nft", "list", "set", "inet", "portico", "suspended4_hosts"
            ).output
            let prefixes = try Lab.run("ip", "netns", "exec", ns, "nft", "list", "set", "inet", "portico", "suspended4")
                .output
            #expect(hosts.contains("10.0.0.1") && hosts.contains("10.0.0.2") && prefixes.contains("10.0.3.0/24"))
        }
    }

    @Test func releaseRemovesAndAbsentElementsDoNotFail() throws {
        try Lab.withNamespace("release") { ns in
            let firewall = try NftablesFirewall(configuration: Lab.configuration(ns))
            try firewall.rebuild(WalledGardenState(suspended: [p("10.0.0.1"), p("10.0.0.2"), p("fd00:1::/64")]))
            // 10.9.9.9 and fd00:2::/64 were never there; one absent element must not abort the batch.
            try firewall.release([p("10.0.0.1"), p("10.9.9.9"), p("fd00:2::/64")])
            #expect(try firewall.suspendedPrefixes() == [p("10.0.0.2"), p("fd00:1::/64")])
            try firewall.release([p("10.0.0.1")])  // twice
            try firewall.release([p("10.0.0.2"), p("fd00:1::/64")])
            #expect(try firewall.suspendedPrefixes() == [])
        }
    }

    @Test(arguments: [10_000, 100_000])
    func storesEveryAddress(count: Int) throws {
        try Lab.withNamespace("many") { ns in
            let firewall = try NftablesFirewall(configuration: Lab.configuration(ns))
            let all = addresses(count)
            try firewall.rebuild(WalledGardenState(suspended: all))
            #expect(try firewall.suspendedPrefixes() == all)
            // Seen by nft too, not only by our own reader: every element is stored (no 4,095 truncation).
            let listed = try Lab.run(
                "ip", "netns", "exec", ns, "nft", "-j", "list", "set", "inet", "portico", "suspended4_hosts")
            let json = try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [String: Any]
            let set = (json?["nftables"] as? [[String: Any]])?.compactMap { $0["set"] as? [String: Any] }.first
            #expect((set?["elem"] as? [Any])?.count == count)
            // The same number added to a live table through suspend (many messages, one batch).
            let more = addresses(count, base: 0x0B00_0000)
            try firewall.suspend(more)
            #expect(try firewall.suspendedPrefixes().count == 2 * count)
        }
    }

    @Test func ipv6PrefixesRoundTrip() throws {
        try Lab.withNamespace("ipv6") { ns in
            let firewall = try NftablesFirewall(configuration: Lab.configuration(ns))
            try firewall.rebuild(WalledGardenState())
            let v6 = [p("2001:db8:1::/48"), p("2001:db8:2::5"), p("fd00::/8"), p("ffff::/16"), p("::/128")]
            try firewall.suspend(v6 + [p("192.0.2.0/24")])
            #expect(try firewall.suspendedPrefixes() == (v6 + [p("192.0.2.0/24")]).sorted())
            try firewall.release([p("2001:db8:2::5"), p("ffff::/16")])
            #expect(
                try firewall.suspendedPrefixes() == [
                    p("192.0.2.0/24"), p("::/128"), p("2001:db8:1::/48"), p("fd00::/8"),
                ])
        }
    }

    @Test func suspendedPrefixesSplitsARangeAddedByHand() throws {
        try Lab.withNamespace("range") { ns in
            let firewall = try NftablesFirewall(configuration: Lab.configuration(ns))
            try firewall.rebuild(WalledGardenState(suspended: [p("10.0.0.0/25"), p("10.0.0.128/25")]))
            try Lab.run(
                "ip", "netns", "exec", ns, "nft", "add", "element", "inet", "portico", "suspended4",
                "{ 10.9.0.1-10.9.0.6 }")
            #expect(
                try firewall.suspendedPrefixes() == [
                    p("10.0.0.0/25"), p("10.0.0.128/25"), p("10.9.0.1"), p("10.9.0.2/31"), p("10.9.0.4/31"),
                    p("10.9.0.6"),
                ])
            // The hand-made range is removed as the one interval it is.
            let report = try firewall.reconcile(WalledGardenState(suspended: [p("10.0.0.0/25"), p("10.0.0.128/25")]))
            #expect(report.removed == [p("10.9.0.1"), p("10.9.0.2/31"), p("10.9.0.4/31"), p("10.9.0.6")])
            #expect(try firewall.suspendedPrefixes() == [p("10.0.0.0/25"), p("10.0.0.128/25")])
        }
    }

    @Test func reconcileRepairsDriftAndRestoresAFlushedOrDeletedTable() throws {
        try Lab.withNamespace("reconcile") { ns in
            let firewall = try NftablesFirewall(configuration: Lab.configuration(ns))
            let state = WalledGardenState(
                suspended: [p("10.0.0.5"), p("10.0.1.0/24"), p("fd00:1::/64")], allowed: [p("203.0.113.9")])
            try firewall.rebuild(state)
            #expect(try firewall.reconcile(state) == ReconcileReport())

            // Elements changed behind Portico's back.
            try Lab.run(
                "ip", "netns", "exec", ns, "nft", "delete", "element", "inet", "portico", "suspended4_hosts",
                "{ 10.0.0.5 }")
            try Lab.run(
                "ip", "netns", "exec", ns, "nft", "add", "element", "inet", "portico", "suspended4", "{ 10.7.7.7 }")
            try Lab.run(
                "ip", "netns", "exec", ns, "nft", "delete", "element", "inet", "portico", "allowed4", "{ 203.0.113.9 }")
            let drift = try firewall.reconcile(state)
            #expect(
                drift
                    == ReconcileReport(
                        added: [p("10.0.0.5")], removed: [p("10.7.7.7")], allowedAdded: [p("203.0.113.9")]))
            #expect(try firewall.suspendedPrefixes() == state.suspended.sorted())
            #expect(try firewall.reconcile(state).isClean)

            // What dnsmasq adds to the dns-filled sets is not drift: reconcile and status leave it.
            for (set, address) in [("allowed4_dns", "198.51.100.77"), ("allowed6_dns", "2001:db8:77::1")] {
                try #require(
                    try Lab.run(
                        "ip", "netns", "exec", ns, "nft", "add", "element", "inet", "portico", set, "{ \(address) }"
                    )
                    .status == 0)
            }
            #expect(try firewall.reconcile(state).isClean)
            #expect(try firewall.status(state).isClean)
            let dnsFilled = try Lab.run(
                "ip", "netns", "exec", ns, "nft", "list", "set", "inet", "portico", "allowed4_dns")
            #expect(dnsFilled.output.contains("198.51.100.77 expires"), "\(dnsFilled.output)")

            // Rules flushed: the table is rebuilt.
            try #require(try Lab.run("ip", "netns", "exec", ns, "nft", "flush", "table", "inet", "portico").status == 0)
            #expect(try Lab.listTable(ns)?.contains { $0["rule"] != nil } == false)
            let flushed = try firewall.reconcile(state)
            #expect(flushed.tableRebuilt)
            #expect(try Lab.listTable(ns)?.filter { $0["rule"] != nil }.count == firewall.ruleset.rules.count)
            #expect(try firewall.suspendedPrefixes() == state.suspended.sorted())

            // Table deleted: rebuilt, and everything reported as added.
            try #require(
                try Lab.run("ip", "netns", "exec", ns, "nft", "delete", "table", "inet", "portico").status == 0)
            let deleted = try firewall.reconcile(state)
            #expect(deleted.tableRebuilt)
            #expect(deleted.added == state.suspended.sorted())
            #expect(try Lab.names("set", in: #require(try Lab.listTable(ns))).count == 8)
            #expect(try firewall.suspendedPrefixes() == state.suspended.sorted())
            #expect(try firewall.reconcile(state).isClean)

            // A rule replaced by hand no longer matches its comment list: rebuilt.
            try Lab.run("ip", "netns", "exec", ns, "nft", "add", "rule", "inet", "portico", "forward", "accept")
            #expect(try firewall.reconcile(state).tableRebuilt)
        }
    }

    @Test func probeListsTablesInANamespace() throws {
        try Lab.withNamespace("probe") { ns in
            let before = NftablesSupport.probe(namespace: ns)
            #expect(before.available && before.reason.contains("absent"), "\(before.reason)")
            try NftablesFirewall(configuration: Lab.configuration(ns)).rebuild(WalledGardenState())
            #expect(NftablesSupport.probe(namespace: ns).reason.contains("present"))
            #expect(!NftablesSupport.probe(namespace: "portico-no-such-namespace").available)
        }
    }

    @Test func badConfigurationIsRefused() {
        #expect(throws: FirewallConfigurationError.portalAddress("10.0.0.0/24")) {
            try NftablesFirewall(configuration: FirewallConfiguration(portalIPv4: "10.0.0.0/24"))
        }
        #expect(throws: FirewallConfigurationError.interfaceName("an-interface-name-too-long")) {
            try NftablesFirewall(
                configuration: FirewallConfiguration(
                    portalIPv4: "10.0.0.1", clientInterfaces: ["an-interface-name-too-long"]))
        }
    }
}

extension NftablesFirewallTests {
    @Test func aFullHostSetIsRebuiltWithMoreRoom() throws {
        try Lab.withNamespace("grow") { ns in
            let firewall = try NftablesFirewall(configuration: Lab.configuration(ns))
            try firewall.rebuild(WalledGardenState(suspended: [p("10.200.0.0/16")]))
            // Sized for 65,536 hosts: the 65,537th does not fit, and suspend grows the set.
            let first = addresses(65_536)
            try firewall.suspend(first)
            let more = addresses(1_000, base: 0x0B00_0000)
            try firewall.suspend(more)
            let held = try firewall.suspendedPrefixes()
            #expect(held.count == 65_536 + 1_000 + 1)
            #expect(held == (first + more + [p("10.200.0.0/16")]).sorted())
        }
    }
}

extension NftablesFirewallTests {
    /// The store refuses overlapping addresses (SPEC §13); if one still reaches the kernel, the
    /// interval set refuses it and the whole batch changes nothing.
    @Test func anOverlappingPrefixIsRefusedAndTheBatchChangesNothing() throws {
        try Lab.withNamespace("overlap") { ns in
            let firewall = try NftablesFirewall(configuration: Lab.configuration(ns))
            try firewall.rebuild(WalledGardenState(suspended: [p("10.0.0.0/24")]))
            #expect(throws: NetlinkError.self) {
                try firewall.suspend([p("10.0.0.0/25"), p("10.9.9.0/24"), p("10.9.8.7")])
            }
            #expect(try firewall.suspendedPrefixes() == [p("10.0.0.0/24")])
            // A single address inside a suspended prefix is a host-set element: no conflict.
            try firewall.suspend([p("10.0.0.7")])
            #expect(try firewall.suspendedPrefixes() == [p("10.0.0.0/24"), p("10.0.0.7")])
        }
    }
}
