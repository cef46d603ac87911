import Foundation
import Testing

/// Three namespaces joined by veth pairs: client (10.10.0.2) → router (10.10.0.1 | 10.20.0.1,
/// forwarding, Portico's table) → internet host (10.20.0.2). Everything is deleted (namespaces
/// and the programs started in them) when `body` ends, failed or not.
struct Topology {
    let client: String
    let router: String
    let internet: String
    private var servers: [Process] = []
    private var directories: [URL] = []

    static func with<T>(_ body: (inout Topology) throws -> T) throws -> T {
        let tag = "\(getpid())-\(UInt16.random(in: 0...UInt16.max))"
        var topology = Topology(client: "portico-c-\(tag)", router: "portico-r-\(tag)", internet: "portico-i-\(tag)")
        defer { topology.tearDown() }
        try topology.setUp()
        return try body(&topology)
    }

    private func setUp() throws {
        let commands: [[String]] = [
            ["ip", "netns", "add", client], ["ip", "netns", "add", router], ["ip", "netns", "add", internet],
            ["ip", "link", "add", "c0", "netns", client, "type", "veth", "peer", "name", "r0", "netns", router],
            ["ip", "link", "add", "r1", "netns", router, "type", "veth", "peer", "name", "i0", "netns", internet],
            ["ip", "-n", client, "addr", "add", "10.10.0.2/24", "dev", "c0"],
            ["ip", "-n", router, "addr", "add", "10.10.0.1/24", "dev", "r0"],
            ["ip", "-n", router, "addr", "add", "10.20.0.1/24", "dev", "r1"],
            ["ip", "-n", internet, "addr", "add", "10.20.0.2/24", "dev", "i0"],
            ["ip", "-n", client, "link", "set", "c0", "up"], ["ip", "-n", client, "link", "set", "lo", "up"],
            ["ip", "-n", router, "link", "set", "r0", "up"], ["ip", "-n", router, "link", "set", "r1", "up"],
            ["ip", "-n", router, "link", "set", "lo", "up"],
            ["ip", "-n", internet, "link", "set", "i0", "up"], ["ip", "-n", internet, "link", "set", "lo", "up"],
            ["ip", "-n", client, "route", "add", "default", "via", "10.10.0.1"],
            ["ip", "-n", internet, "route", "add", "default", "via", "10.20.0.1"],
            ["ip", "netns", "exec", router, "sysctl", "-qw", "net.ipv4.ip_forward=1"],
            // IPv6: fd00:10::/64 client side, fd00:20::/64 internet side (no DAD: usable at once).
            ["ip", "netns", "exec", router, "sysctl", "-qw", "net.ipv6.conf.all.forwarding=1"],
            ["ip", "-n", client, "addr", "add", "fd00:10::2/64", "dev", "c0", "nodad"],
            ["ip", "-n", router, "addr", "add", "fd00:10::1/64", "dev", "r0", "nodad"],
            ["ip", "-n", router, "addr", "add", "fd00:20::1/64", "dev", "r1", "nodad"],
            ["ip", "-n", internet, "addr", "add", "fd00:20::2/64", "dev", "i0", "nodad"],
            ["ip", "-n", client, "-6", "route", "add", "default", "via", "fd00:10::1"],
            ["ip", "-n", internet, "-6", "route", "add", "default", "via", "fd00:20::1"],
        ]
        for command in commands {
            try #require(try Lab.run(command).status == 0, "\(command.joined(separator: " "))")
        }
    }

    /// `python3 -m http.server` bound to `address:port` inside `namespace`, serving a directory
    /// that holds one file named `marker` (so a listing tells which server answered).
    mutating func startHTTPServer(in namespace: String, address: String, port: UInt16, marker: String) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "portico-\(marker)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(marker.utf8).write(to: directory.appendingPathComponent(marker))
        directories.append(directory)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        process.arguments = [
            "netns", "exec", namespace, "python3", "-m", "http.server", String(port), "--bind", address,
            "--directory", directory.path,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        servers.append(process)
        // Ready when it answers from its own namespace.
        let host = address.contains(":") ? "[\(address)]" : address
        for _ in 0..<50 {
            if try Lab.run("ip", "netns", "exec", namespace, "curl", "-s", "-m", "1", "http://\(host):\(port)/").output
                .contains(marker)
            {
                return
            }
            usleep(100_000)
        }
        Issue.record("HTTP server \(marker) on \(address):\(port) did not start")
    }

    /// A program left running in `namespace` until the topology is torn down.
    mutating func startBackground(in namespace: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        process.arguments = ["netns", "exec", namespace] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        servers.append(process)
    }

    /// curl from the client: (exit status, body). 0 answered, 7 refused/reset, 28 timed out (dropped).
    func fetch(_ url: String) throws -> (status: Int32, body: String) {
        let result = try Lab.run("ip", "netns", "exec", client, "curl", "-g", "-s", "-m", "2", url)
        return (result.status, result.output)
    }

    /// Conntrack entries in the router whose original source is the client.
    func routerConntrackEntries() throws -> [String] {
        try Lab.run("ip", "netns", "exec", router, "conntrack", "-L", "-s", "10.10.0.2").output
            .split(separator: "\n").map(String.init)
    }

    private func tearDown() {
        // SIGKILL: children of the test process inherit a signal mask that blocks SIGTERM.
        for process in servers where process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        for name in [client, router, internet] { _ = try? Lab.run("ip", "netns", "delete", name) }
        for directory in directories { try? FileManager.default.removeItem(at: directory) }
    }
}
