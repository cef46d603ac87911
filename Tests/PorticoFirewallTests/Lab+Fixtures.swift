import Foundation
import PorticoCore
import Testing

@testable import PorticoFirewall

/// Network namespaces for the kernel tests: each test creates its own with a unique name and
/// deletes it when it ends, failed or not. Nothing touches the host's own namespace.
enum Lab {
    /// Why the kernel tests cannot run here, or nil when they can.
    static let unavailableReason: String? = {
        if getuid() != 0 { return "the nftables tests need root (CAP_NET_ADMIN, CAP_SYS_ADMIN for setns)" }
        for tool in ["/usr/sbin/ip", "/usr/sbin/nft", "/usr/sbin/conntrack"]
        where !FileManager.default.fileExists(atPath: tool) {
            return "\(tool) is missing (make deps installs iproute2, nftables, conntrack)"
        }
        let name = "portico-probe-\(getpid())"
        guard (try? run("ip", "netns", "add", name))?.status == 0 else {
            return "`ip netns add` failed: no network namespaces here"
        }
        defer { _ = try? run("ip", "netns", "delete", name) }
        guard (try? run("ip", "netns", "exec", name, "nft", "list", "tables"))?.status == 0 else {
            return "nf_tables is not available inside a network namespace"
        }
        return nil
    }()

    static var available: Bool { unavailableReason == nil }

    /// The traffic tests also run curl and python3 (`http.server`) inside the namespaces.
    static let trafficUnavailableReason: String? = {
        if let reason = unavailableReason { return reason }
        for tool in ["curl", "python3"] where (try? run("sh", "-c", "command -v \(tool)"))?.status != 0 {
            return "\(tool) is not installed: the traffic tests need it inside the namespaces"
        }
        return nil
    }()
    static var trafficAvailable: Bool { trafficUnavailableReason == nil }
    static var trafficSkipComment: Comment { Comment(rawValue: trafficUnavailableReason ?? "") }
    static var skipComment: Comment { Comment(rawValue: unavailableReason ?? "") }

    /// Runs a program (no shell), returns its status and standard output.
    @discardableResult
    static func run(_ arguments: String..., input: String? = nil) throws -> (status: Int32, output: String) {
        try run(arguments, input: input)
    }

    static func run(_ arguments: [String], input: String? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        let inPipe = Pipe()
        if input != nil { process.standardInput = inPipe }
        try process.run()
        if let input {
            inPipe.fileHandleForWriting.write(Data(input.utf8))
            try inPipe.fileHandleForWriting.close()
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// A fresh namespace for the duration of `body`, deleted afterwards whatever happens.
    static func withNamespace<T>(_ tag: String, _ body: (String) throws -> T) throws -> T {
        let name = "portico-\(tag)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try #require(run("ip", "netns", "add", name).status == 0, "ip netns add \(name)")
        defer { _ = try? run("ip", "netns", "delete", name) }
        return try body(name)
    }

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
