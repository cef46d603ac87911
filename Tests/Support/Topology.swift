import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A namespace test could not be set up: what failed.
public struct LabError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Network namespaces for the kernel and end-to-end tests: each test creates its own with a
/// unique name and deletes it when it ends, failed or not. Nothing touches the host's own
/// namespace.
public enum Lab {
    /// Why the kernel tests cannot run here, or nil when they can.
    public static let unavailableReason: String? = {
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

    public static var available: Bool { unavailableReason == nil }

    /// The traffic tests also run curl and python3 (`http.server`) inside the namespaces.
    public static let trafficUnavailableReason: String? = {
        if let reason = unavailableReason { return reason }
        for tool in ["curl", "python3"] where (try? run("sh", "-c", "command -v \(tool)"))?.status != 0 {
            return "\(tool) is not installed: the traffic tests need it inside the namespaces"
        }
        return nil
    }()
    public static var trafficAvailable: Bool { trafficUnavailableReason == nil }

    /// Runs a program (no shell), returns its status and standard output.
    @discardableResult
    public static func run(_ arguments: String..., input: String? = nil) throws -> (status: Int32, output: String) {
        try run(arguments, input: input)
    }

    public static func run(_ arguments: [String], input: String? = nil, stderr: Bool = false) throws
        -> (status: Int32, output: String)
    {
        try ChildProcess.run(arguments, input: input, mergeError: stderr)
    }

    /// A fresh namespace for the duration of `body`, deleted afterwards whatever happens.
    public static func withNamespace<T>(_ tag: String, _ body: (String) throws -> T) throws -> T {
        let name = "portico-\(tag)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard try run("ip", "netns", "add", name).status == 0 else { throw LabError("ip netns add \(name) failed") }
        defer { _ = try? run("ip", "netns", "delete", name) }
        return try body(name)
    }
}

/// Three namespaces joined by veth pairs: client (10.10.0.2) → router (10.10.0.1 | 10.20.0.1,
/// forwarding, Portico's table) → internet host (10.20.0.2). Everything is deleted (namespaces,
/// their /etc/netns files, and the programs started in them) when `body` ends, failed or not.
public struct Topology {
    public let client: String
    public let router: String
    public let internet: String
    private var servers: [ChildProcess] = []
    private var paths: [URL] = []

    public static func with<T>(_ body: (inout Topology) throws -> T) throws -> T {
        let tag = "\(getpid())-\(UInt16.random(in: 0...UInt16.max))"
        var topology = Topology(client: "portico-c-\(tag)", router: "portico-r-\(tag)", internet: "portico-i-\(tag)")
        defer { topology.tearDown() }
        try topology.setUp()
        return try body(&topology)
    }

    private init(client: String, router: String, internet: String) {
        self.client = client
        self.router = router
        self.internet = internet
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
        for command in commands { try Self.require(command) }
    }

    /// Runs a command that must succeed.
    public static func require(_ command: [String]) throws {
        let result = try Lab.run(command, stderr: true)
        guard result.status == 0 else {
            throw LabError("`\(command.joined(separator: " "))` exited \(result.status): \(result.output)")
        }
    }

    /// One more address on the namespace's only outward interface (`c0`, `r0`, `i0`).
    public func addAddress(_ cidr: String, in namespace: String) throws {
        let device = namespace == client ? "c0" : namespace == router ? "r0" : "i0"
        try Self.require(["ip", "-n", namespace, "addr", "add", cidr, "dev", device])
    }

    /// `/etc/netns/<namespace>/resolv.conf` naming `nameserver`: `ip netns exec` mounts it over
    /// /etc/resolv.conf, so glibc's resolver (getent, curl) in that namespace asks it.
    public mutating func setResolver(_ nameserver: String, for namespace: String) throws {
        let directory = URL(fileURLWithPath: "/etc/netns/\(namespace)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        paths.append(directory)
        try Data("nameserver \(nameserver)\noptions timeout:1 attempts:1\n".utf8).write(
            to: directory.appendingPathComponent("resolv.conf"))
    }

    /// A scratch directory removed with the topology.
    public mutating func temporaryDirectory(_ tag: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "portico-\(tag)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        paths.append(directory)
        return directory
    }

    /// `python3 -m http.server` bound to `address:port` inside `namespace`, serving a directory
    /// that holds one file named `marker` (so its directory listing tells which server answered).
    public mutating func startHTTPServer(in namespace: String, address: String, port: UInt16, marker: String) throws {
        let directory = try temporaryDirectory(marker)
        try Data(marker.utf8).write(to: directory.appendingPathComponent(marker))
        try startBackground(
            in: namespace,
            ["python3", "-m", "http.server", String(port), "--bind", address, "--directory", directory.path])
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
        throw LabError("HTTP server \(marker) on \(address):\(port) did not start")
    }

    /// Waits until a UDP socket in `namespace` is bound to `address:port` (a server started with
    /// `startBackground` is not ready when its process is: python alone takes a second to start
    /// on a loaded machine, longer than a resolver's one-second try).
    public func waitForUDP(_ address: String, port: UInt16, in namespace: String) throws {
        for _ in 0..<100 {
            let sockets = try Lab.run("ip", "netns", "exec", namespace, "ss", "-Hlun", "sport = :\(port)").output
            if sockets.contains("\(address):\(port)") { return }
            usleep(50_000)
        }
        throw LabError("nothing bound UDP \(address):\(port) in \(namespace) within 5 s")
    }

    /// A program left running in `namespace` until the topology is torn down; its standard output
    /// and error go to `log` when given.
    @discardableResult
    public mutating func startBackground(in namespace: String, _ arguments: [String], log: URL? = nil) throws
        -> ChildProcess
    {
        let target: ChildProcess.Output
        if let log {
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            target = .file(log.path)
        } else {
            target = .null
        }
        let process = try ChildProcess(
            ["ip", "netns", "exec", namespace] + arguments, output: target, error: log == nil ? .null : .sameAsOutput)
        servers.append(process)
        return process
    }

    /// curl from the client: (exit status, body). 0 answered, 7 refused/reset, 28 timed out (dropped).
    public func fetch(_ url: String, extra: [String] = []) throws -> (status: Int32, body: String) {
        let result = try Lab.run(["ip", "netns", "exec", client, "curl", "-g", "-s", "-m", "2"] + extra + [url])
        return (result.status, result.output)
    }

    /// Conntrack entries in the router whose original source is `source`.
    public func routerConntrackEntries(source: String = "10.10.0.2") throws -> [String] {
        try Lab.run("ip", "netns", "exec", router, "conntrack", "-L", "-s", source).output
            .split(separator: "\n").map(String.init)
    }

    private func tearDown() {
        for process in servers { process.kill9() }
        for name in [client, router, internet] { _ = try? Lab.run("ip", "netns", "delete", name) }
        for path in paths { try? FileManager.default.removeItem(at: path) }
    }
}
