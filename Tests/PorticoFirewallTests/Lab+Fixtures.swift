import Foundation
import PorticoCore
import PorticoTestSupport
import Testing

@testable import PorticoFirewall

// The namespaces themselves (`Lab`, `Topology`) live in PorticoTestSupport, shared with the
// end-to-end tests; these are the firewall tests' own fixtures.
extension Lab {
    static var trafficSkipComment: Comment { Comment(rawValue: trafficUnavailableReason ?? "") }
    static var skipComment: Comment { Comment(rawValue: unavailableReason ?? "") }

    /// `nft -j list table inet portico` inside `namespace`, decoded; nil when the table is absent.
    static func listTable(_ namespace: String) throws -> [[String: Any]]? {
        let result = try run("ip", "netns", "exec", namespace, "nft", "-j", "list", "table", "inet", "portico")
        guard result.status == 0 else { return nil }
        let json = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        return json?["nftables"] as? [[String: Any]]
    }

    static func names(_ kind: String, in objects: [[String: Any]]) -> [String] {
        objects.compactMap { ($0[kind] as? [String: Any])?["name"] as? String }.sorted()
    }

    static func configuration(_ namespace: String, interfaces: [String] = []) -> FirewallConfiguration {
        FirewallConfiguration(
            portalIPv4: "10.10.0.1", portalIPv6: "fd00:10::1", portalPort: 8080,
            allowedDestinations: [p("198.51.100.10"), p("2001:db8:ff::/64")], clientInterfaces: interfaces,
            networkNamespace: namespace)
    }
}

func p(_ s: String) -> IPPrefix { try! IPPrefix(s) }

/// `count` distinct IPv4 addresses from 10.0.0.0 up, as /32 prefixes.
func addresses(_ count: Int, base: UInt32 = 0x0A00_0000) -> [IPPrefix] {
    (0..<count).map { i in
        let v = base + UInt32(i)
        return try! IPPrefix(
            family: .ipv4, bytes: [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)],
            length: 32)
    }
}
