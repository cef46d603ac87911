import PorticoTestSupport
import Testing

@testable import PorticoFirewall

// The benchmark itself, small, so it keeps working; the real figures come from a release build
// with 100,000 addresses and 1,000 releases.
@Suite(.enabled(if: Lab.available, Lab.skipComment))
struct FirewallBenchmarkTests {
    @Test func benchmarkReportsEveryFigure() throws {
        try Lab.withNamespace("bench") { ns in
            let rows = try FirewallBenchmark.run(namespace: ns, addresses: 2_000, releases: 20)
            #expect(rows.count == 12)
            #expect(rows.allSatisfy { $0.value > 0 })
            #expect(rows.contains { $0.name.hasPrefix("rebuild with 2000 addresses") && $0.unit == "s" })
            // Every release found and deleted its marked conntrack entry: none left.
            #expect(
                try Lab.run("ip", "netns", "exec", ns, "conntrack", "-C").output.trimmingCharacters(
                    in: .whitespacesAndNewlines) == "0")
        }
    }

    @Test func probeExplainsAMissingNamespace() {
        let result = NftablesSupport.probe(namespace: "portico-no-such-namespace")
        #expect(!result.available && result.reason.contains("portico-no-such-namespace"))
    }
}
