import PorticoCore
import Testing

@testable import PorticoFirewall

struct SetIntervalTests {
    @Test func aPrefixIsOneIntervalAndBack() {
        for text in [
            "10.0.0.5", "10.0.0.0/8", "0.0.0.0/0", "255.255.255.255", "255.255.255.0/24", "2001:db8::/32",
            "::/0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fd00::/8", "::/128",
        ] {
            let prefix = p(text)
            #expect(SetInterval(prefix).prefixes == [prefix], "\(text)")
        }
    }

    @Test func aRangeSplitsIntoTheFewestPrefixes() {
        let range = SetInterval(family: .ipv4, start: 0x0A09_0001, end: 0x0A09_0007)
        #expect(range.prefixes == [p("10.9.0.1"), p("10.9.0.2/31"), p("10.9.0.4/31"), p("10.9.0.6")])
        #expect(SetInterval(family: .ipv4, start: 0xFFFF_FFFE, end: nil).prefixes == [p("255.255.255.254/31")])
    }

    @Test func normalizedDropsDuplicatesAndCoveredPrefixes() {
        let out = IPPrefix.normalized([
            p("10.0.0.5"), p("10.0.0.0/24"), p("10.0.0.5"), p("10.0.1.0/25"), p("fd00::1"), p("fd00::/64"),
        ])
        #expect(out == [p("10.0.0.0/24"), p("10.0.1.0/25"), p("fd00::/64")])
    }

    @Test func elementsPairIntoIntervalsWithAdjacentRangesAndTheTopOfTheSpace() {
        // Adjacent: the end of one and the start of the next share a key; the last one has no end.
        let elements: [(key: UInt128, isEnd: Bool)] = [
            (0xFFFF_FF00, false), (0x0A00_0080, false), (0x0A00_0100, true), (0x0A00_0000, false), (0x0A00_0080, true),
        ]
        #expect(
            SetElements.pair(elements, family: .ipv4) == [
                SetInterval(p("10.0.0.0/25")), SetInterval(p("10.0.0.128/25")), SetInterval(p("255.255.255.0/24")),
            ])
        // A lone end element at 0 (written by some tools) is ignored.
        #expect(SetElements.pair([(0, true), (5, false), (6, true)], family: .ipv4) == [SetInterval(p("0.0.0.5"))])
    }
}

struct RulesetTests {
    @Test func dnsGoesAnywhereOnlyWithoutConfiguredResolvers() throws {
        let open = try Ruleset(FirewallConfiguration(portalIPv4: "10.10.0.1", portalPort: 8080))
        #expect(open.rules.contains { $0.comment == "portico: ip suspended udp 53: accept" && $0.chain == "forward4" })
        #expect(open.configuredAllowed == [p("10.10.0.1")])
        let closed = try Ruleset(FirewallConfiguration(portalIPv4: "10.10.0.1", dnsServers: [p("192.0.2.53")]))
        #expect(!closed.rules.contains { $0.chain == "forward4" && $0.comment.contains("53: accept") })
        #expect(closed.configuredAllowed == [p("10.10.0.1"), p("192.0.2.53")])
    }

    @Test func ipv6IsRedirectedOnlyWithAnIPv6Portal() throws {
        let v4only = try Ruleset(FirewallConfiguration(portalIPv4: "10.10.0.1"))
        #expect(
            v4only.rules.filter { $0.comment.contains("dnat") }.map(\.comment) == [
                "portico: ip suspended tcp 80: dnat to 10.10.0.1:80"
            ])
        let both = try Ruleset(FirewallConfiguration(portalIPv4: "10.10.0.1", portalIPv6: "fd00::1", portalPort: 8080))
        #expect(both.rules.filter { $0.comment.contains("dnat") }.count == 2)
        #expect(throws: FirewallConfigurationError.portalAddress("10.10.0.1")) {
            try Ruleset(FirewallConfiguration(portalIPv4: "10.10.0.1", portalIPv6: "10.10.0.1"))
        }
    }

    @Test func rulesRepeatPerClientInterface() throws {
        let one = try Ruleset(FirewallConfiguration(portalIPv4: "10.10.0.1"))
        let two = try Ruleset(FirewallConfiguration(portalIPv4: "10.10.0.1", clientInterfaces: ["eth1", "wlan*"]))
        let base = ["prerouting", "forward", "input"]
        // 3 base chains × 2 families × 2 sets (prefixes, hosts) goto rules per interface.
        #expect(one.rules.filter { base.contains($0.chain) }.count == 12)
        #expect(two.rules.filter { base.contains($0.chain) }.count == 24)
        #expect(
            two.rules.filter { base.contains($0.chain) }.allSatisfy {
                $0.comment.contains("iif eth1") || $0.comment.contains("iif wlan*")
            })
        #expect(two.rules.count - 24 == one.rules.count - 12)
    }
}
