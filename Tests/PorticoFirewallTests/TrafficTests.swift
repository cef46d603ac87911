import Foundation
import PorticoCore
import PorticoTestSupport
import Testing

@testable import PorticoFirewall

// Real packets: client namespace → router namespace running Portico's table → internet host.
@Suite(.enabled(if: Lab.trafficAvailable, Lab.trafficSkipComment), .serialized)
struct TrafficTests {
    @Test func suspendedClientIsRedirectedResetAndDroppedUntilReleased() throws {
        try Topology.with { lab in
            try lab.startHTTPServer(in: lab.internet, address: "10.20.0.2", port: 80, marker: "INTERNET")
            try lab.startHTTPServer(in: lab.internet, address: "10.20.0.2", port: 443, marker: "INTERNET443")
            try lab.startHTTPServer(in: lab.router, address: "10.10.0.1", port: 8080, marker: "PORTAL")
            let firewall = try NftablesFirewall(
                configuration: FirewallConfiguration(
                    portalIPv4: "10.10.0.1", portalPort: 8080, clientInterfaces: ["r0"], networkNamespace: lab.router))
            try firewall.rebuild(WalledGardenState(suspended: [p("10.10.0.2")]))

            // Port 80 to any host lands on the portal on the router (input path, DNAT).
            let redirected = try lab.fetch("http://10.20.0.2/")
            #expect(redirected.status == 0 && redirected.body.contains("PORTAL"), "\(redirected)")
            // 443 gets a TCP reset at once (curl: connection refused), not a timeout.
            #expect(try lab.fetch("http://10.20.0.2:443/").status == 7)
            // Anything else is dropped (timeout).
            #expect(try lab.fetch("http://10.20.0.2:8000/").status == 28)
            // The portal itself is reachable directly.
            #expect(try lab.fetch("http://10.10.0.1:8080/").body.contains("PORTAL"))

            // A connection redirected before the release: its conntrack entry carries the DNAT.
            try lab.startBackground(
                in: lab.client,
                [
                    "python3", "-c",
                    "import socket,time; s=socket.create_connection(('10.20.0.2',80)); time.sleep(30)",
                ])
            var entries: [String] = []
            let held = { (line: String) in line.contains("ESTABLISHED") && line.contains("dport=80") }
            for _ in 0..<30 where !entries.contains(where: held) {
                usleep(100_000)
                entries = try lab.routerConntrackEntries()
            }
            #expect(entries.contains { held($0) && $0.contains("sport=8080") }, "\(entries)")

            try firewall.release([p("10.10.0.2")])
            let left = try lab.routerConntrackEntries().filter { $0.contains("dport=80") }
            #expect(left.isEmpty, "\(left)")
            #expect(try firewall.suspendedPrefixes().isEmpty)

            // Released: the real hosts answer.
            let direct = try lab.fetch("http://10.20.0.2/")
            #expect(
                direct.status == 0 && direct.body.contains("INTERNET") && !direct.body.contains("PORTAL"), "\(direct)")
            #expect(try lab.fetch("http://10.20.0.2:443/").body.contains("INTERNET443"))
            #expect(try lab.fetch("http://10.20.0.2:8000/").status == 7)  // refused by the host, not dropped

            // Suspended again, as a prefix: redirected again. A connection opened now reaches the
            // conntrack index through events (the index was filled at the first release).
            try firewall.suspend([p("10.10.0.0/24")])
            #expect(try lab.fetch("http://10.20.0.2/").body.contains("PORTAL"))
            try lab.startBackground(
                in: lab.client,
                [
                    "python3", "-c",
                    "import socket,time; s=socket.create_connection(('10.20.0.2',80)); time.sleep(30)",
                ])
            entries = []
            for _ in 0..<30 where !entries.contains(where: { held($0) && $0.contains("sport=8080") }) {
                usleep(100_000)
                entries = try lab.routerConntrackEntries()
            }
            #expect(entries.contains { held($0) && $0.contains("sport=8080") }, "\(entries)")
            try firewall.release([p("10.10.0.0/24")])
            let leftAfterPrefix = try lab.routerConntrackEntries().filter { $0.contains("sport=8080") }
            #expect(leftAfterPrefix.isEmpty, "\(leftAfterPrefix)")
        }
    }

    @Test func allowedDestinationsAndDNSAreReachableWhileSuspended() throws {
        try Topology.with { lab in
            try lab.startHTTPServer(in: lab.internet, address: "10.20.0.2", port: 80, marker: "GATEWAY")
            try lab.startHTTPServer(in: lab.internet, address: "10.20.0.2", port: 53, marker: "DNSPORT")
            try lab.startHTTPServer(in: lab.router, address: "10.10.0.1", port: 8080, marker: "PORTAL")
            // Without a conntrack mark: releases walk the conntrack table instead of using the index.
            let firewall = try NftablesFirewall(
                configuration: FirewallConfiguration(
                    portalIPv4: "10.10.0.1", portalPort: 8080, networkNamespace: lab.router, conntrackMarkBit: nil))
            try firewall.rebuild(WalledGardenState(suspended: [p("10.10.0.2")]))
            // DNS (tcp 53 here) reaches any resolver when none is configured.
            #expect(try lab.fetch("http://10.20.0.2:53/").body.contains("DNSPORT"))
            #expect(try lab.fetch("http://10.20.0.2/").body.contains("PORTAL"))
            // The payment gateway's address joins the allowed set: reached directly, no redirect.
            _ = try firewall.reconcile(WalledGardenState(suspended: [p("10.10.0.2")], allowed: [p("10.20.0.2")]))
            #expect(try lab.fetch("http://10.20.0.2/").body.contains("GATEWAY"))
            // The redirected connections of the fetches above (in TIME_WAIT) go with the release.
            #expect(try lab.routerConntrackEntries().contains { $0.contains("sport=8080") })
            try firewall.release([p("10.10.0.2")])
            #expect(try lab.routerConntrackEntries().filter { $0.contains("sport=8080") }.isEmpty)
        }
    }

    @Test func ipv6ClientIsRedirectedToTheIPv6PortalUntilReleased() throws {
        try Topology.with { lab in
            try lab.startHTTPServer(in: lab.internet, address: "fd00:20::2", port: 80, marker: "INTERNET6")
            try lab.startHTTPServer(in: lab.router, address: "fd00:10::1", port: 8080, marker: "PORTAL6")
            let firewall = try NftablesFirewall(
                configuration: FirewallConfiguration(
                    portalIPv4: "10.10.0.1", portalIPv6: "fd00:10::1", portalPort: 8080, clientInterfaces: ["r0"],
                    networkNamespace: lab.router))
            try firewall.rebuild(WalledGardenState(suspended: [p("fd00:10::/64")]))
            let redirected = try lab.fetch("http://[fd00:20::2]/")
            #expect(redirected.status == 0 && redirected.body.contains("PORTAL6"), "\(redirected)")
            #expect(try lab.fetch("http://[fd00:20::2]:443/").status == 7)
            #expect(try lab.fetch("http://[fd00:20::2]:8000/").status == 28)
            try firewall.release([p("fd00:10::/64")])
            let direct = try lab.fetch("http://[fd00:20::2]/")
            #expect(direct.status == 0 && direct.body.contains("INTERNET6"), "\(direct)")
        }
    }
}
