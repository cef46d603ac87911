import PorticoCore
import Testing

@testable import PorticoFirewall

struct OffFirewallTests {
    @Test func recordsWhatItWouldDoAndKeepsTheSets() throws {
        let firewall = OffFirewall(configuredAllowed: [p("10.10.0.1")])
        try firewall.rebuild(WalledGardenState(suspended: [p("10.0.0.1")], allowed: [p("203.0.113.9")]))
        try firewall.suspend([p("10.0.0.2"), p("10.0.0.2")])
        try firewall.release([p("10.0.0.1"), p("10.9.9.9")])
        try firewall.suspend([])
        #expect(try firewall.suspendedPrefixes() == [p("10.0.0.2")])
        #expect(
            firewall.operations == [
                .rebuild(suspended: [p("10.0.0.1")], allowed: [p("10.10.0.1"), p("203.0.113.9")]),
                .suspend([p("10.0.0.2")]),
                .release([p("10.0.0.1"), p("10.9.9.9")]),
            ])
    }

    @Test func reconcileReportsTheDifferenceLikeTheKernelBackend() throws {
        let firewall = OffFirewall()
        let first = try firewall.reconcile(WalledGardenState(suspended: [p("10.0.0.1")]))
        #expect(first == ReconcileReport(added: [p("10.0.0.1")], tableRebuilt: true))
        try firewall.suspend([p("10.0.0.7")])
        let second = try firewall.reconcile(WalledGardenState(suspended: [p("10.0.0.1"), p("fd00::/64")]))
        #expect(second == ReconcileReport(added: [p("fd00::/64")], removed: [p("10.0.0.7")]))
        #expect(try firewall.reconcile(WalledGardenState(suspended: [p("10.0.0.1"), p("fd00::/64")])).isClean)
        #expect(firewall.operations.count == 4)
    }

    @Test func derivesAllowedDestinationsFromTheConfigurationLikeTheKernelBackend() throws {
        let firewall = try OffFirewall(
            configuration: FirewallConfiguration(
                portalIPv4: "10.10.0.1", dnsServers: [p("192.0.2.53")], allowedDestinations: [p("198.51.100.0/24")]))
        try firewall.rebuild(WalledGardenState())
        #expect(
            firewall.operations == [
                .rebuild(suspended: [], allowed: [p("10.10.0.1"), p("192.0.2.53"), p("198.51.100.0/24")])
            ])
        #expect(throws: FirewallConfigurationError.self) {
            try OffFirewall(configuration: FirewallConfiguration(portalIPv4: "x"))
        }
    }
}
