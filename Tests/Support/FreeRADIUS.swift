import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A real FreeRADIUS 3.2 (Debian's `freeradius`, `freeradius-rest`) on loopback for the tests,
/// running the operators' configuration from `deploy/freeradius/` with only its URL, token,
/// addresses and ports replaced, in a temporary directory of its own (`freeradius -X -d DIR`).
///
/// It runs as the user running the tests (no `user`/`group` in its radiusd.conf, ports above
/// 1024), so it needs no root. Dates in rlm_rest's JSON are in UTC (`ENV { TZ = "UTC" }`).
public final class FreeRADIUSServer: @unchecked Sendable {
    // @unchecked: every stored property is set once in init; ChildProcess is safe to share.

    /// A NAS allowed to talk to this server.
    public struct Client: Sendable {
        public var address: String
        public var secret: String
        public init(address: String = "127.0.0.1", secret: String) {
            self.address = address
            self.secret = secret
        }
    }

    public let authPort: UInt16
    public let acctPort: UInt16
    public let directory: TestDirectory
    private let process: ChildProcess

    /// Writes the configuration and starts FreeRADIUS; returns once it is ready to process
    /// requests. `restURL` is what replaces the module's `connect_uri`, e.g. "http://127.0.0.1:PORT".
    public init(restURL: String, token: String, clients: [Client]) throws {
        let directory = try TestDirectory("portico-freeradius")
        var lastFailure = ""
        // Ports are picked free, then bound by FreeRADIUS: another process may take one in
        // between, so a start that failed to bind is tried again with new ones.
        for _ in 0..<3 {
            let auth = try Self.freeUDPPort()
            let acct = try Self.freeUDPPort()
            try Self.writeConfiguration(
                in: directory.path, restURL: restURL, token: token, clients: clients, authPort: auth, acctPort: acct)
            let log = directory.path + "/debug.log"
            try? FileManager.default.removeItem(atPath: log)
            let process = try ChildProcess(
                ["/usr/sbin/freeradius", "-X", "-d", directory.path], output: .file(log), error: .sameAsOutput)
            let deadline = Date().addingTimeInterval(30)
            var text = ""
            while Date() < deadline {
                text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                if text.contains("Ready to process requests") || !process.isRunning { break }
                usleep(20_000)
            }
            if process.isRunning && text.contains("Ready to process requests") {
                self.directory = directory
                self.process = process
                self.authPort = auth
                self.acctPort = acct
                return
            }
            process.kill9()
            lastFailure = String(text.suffix(3000))
            if !text.contains("Address already in use") { break }
        }
        throw LabError("FreeRADIUS did not start (make deps installs freeradius and freeradius-rest):\n\(lastFailure)")
    }

    deinit { stop() }

    /// SIGTERM, then SIGKILL if it has not ended after 5 s.
    public func stop() {
        process.signal(SIGTERM)
        if process.waitForExit(seconds: 5) == nil { process.kill9() }
    }

    /// FreeRADIUS's debug output so far (for a failing test's message).
    public var log: String {
        (try? String(contentsOfFile: directory.path + "/debug.log", encoding: .utf8)) ?? ""
    }

    /// The operators' files from deploy/freeradius with the test's values put in, plus a small
    /// radiusd.conf and clients.conf of the test's own.
    static func writeConfiguration(
        in path: String, restURL: String, token: String, clients: [Client], authPort: UInt16, acctPort: UInt16
    ) throws {
        let deploy = RepositoryPaths.root + "/deploy/freeradius"
        let fm = FileManager.default
        for sub in ["log", "run", "mods-enabled", "policy.d", "sites-enabled"] {
            try fm.createDirectory(atPath: path + "/" + sub, withIntermediateDirectories: true)
        }
        func install(_ from: String, _ to: String, _ replacements: [(String, String)]) throws {
            var text = try String(contentsOfFile: deploy + "/" + from, encoding: .utf8)
            for (old, new) in replacements {
                let parts = text.components(separatedBy: old)
                guard parts.count == 2 else {
                    throw LabError("deploy/freeradius/\(from) has \(parts.count - 1) times \"\(old)\", expected once")
                }
                text = parts.joined(separator: new)
            }
            try text.write(toFile: path + "/" + to, atomically: true, encoding: .utf8)
        }
        try install(
            "mods-available/portico", "mods-enabled/portico",
            [("connect_uri = \"http://127.0.0.1:8081\"", "connect_uri = \"\(restURL)\"")])
        try install("policy.d/portico", "policy.d/portico", [("Bearer CHANGE-ME", "Bearer \(token)")])
        try install(
            "sites-available/portico", "sites-enabled/portico",
            [
                ("ipaddr = *\n\t\tport = 1812", "ipaddr = 127.0.0.1\n\t\tport = \(authPort)"),
                ("ipaddr = *\n\t\tport = 1813", "ipaddr = 127.0.0.1\n\t\tport = \(acctPort)"),
            ])
        let clientsText = clients.enumerated().map { index, client in
            """
            client nas\(index) {
            \tipaddr = \(client.address)
            \tsecret = "\(client.secret)"
            \trequire_message_authenticator = yes
            }

            """
        }.joined()
        try clientsText.write(toFile: path + "/clients.conf", atomically: true, encoding: .utf8)
        let radiusd = """
            prefix = /usr
            exec_prefix = /usr
            sysconfdir = /etc
            localstatedir = /var
            sbindir = ${exec_prefix}/sbin
            logdir = \(path)/log
            raddbdir = \(path)
            radacctdir = ${logdir}/radacct
            name = freeradius
            confdir = ${raddbdir}
            modconfdir = ${confdir}/mods-config
            certdir = ${confdir}/certs
            cadir = ${confdir}/certs
            run_dir = \(path)/run
            db_dir = ${raddbdir}
            libdir = /usr/lib/freeradius
            pidfile = ${run_dir}/${name}.pid
            max_request_time = 30
            cleanup_delay = 5
            max_requests = 16384
            hostname_lookups = no
            ENV {
            \tTZ = "UTC"
            }
            log {
            \tdestination = files
            \tfile = ${logdir}/radius.log
            \tauth = yes
            }
            security {
            \tallow_core_dumps = no
            \tmax_attributes = 200
            \treject_delay = 0
            \tstatus_server = yes
            }
            $INCLUDE clients.conf
            thread pool {
            \tstart_servers = 2
            \tmax_servers = 8
            \tmin_spare_servers = 1
            \tmax_spare_servers = 4
            \tmax_requests_per_server = 0
            }
            modules {
            \tpap {
            \t}
            \tchap {
            \t}
            \t$INCLUDE mods-enabled/portico
            }
            instantiate {
            }
            policy {
            \t$INCLUDE policy.d/portico
            }
            $INCLUDE sites-enabled/portico

            """
        try radiusd.write(toFile: path + "/radiusd.conf", atomically: true, encoding: .utf8)
    }

    /// A UDP port on 127.0.0.1 that was free a moment ago.
    static func freeUDPPort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw LabError("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw LabError("bind: \(String(cString: strerror(errno)))") }
        return UInt16(bigEndian: address.sin_port)
    }
}

/// FreeRADIUS's `radclient` (Debian's `freeradius-utils`): one request, its reply.
public enum Radclient {
    public struct Reply: Sendable {
        public let status: Int32
        /// "Access-Accept", "Access-Reject", "Accounting-Response"; nil when nothing acceptable came.
        public let code: String?
        /// The reply's attributes as radclient prints them, values without their quotes.
        public let attributes: [(name: String, value: String)]
        public let output: String

        /// Every value of `name`, in order.
        public func values(_ name: String) -> [String] { attributes.filter { $0.name == name }.map(\.value) }
    }

    /// Sends `lines` ("Name = value", radclient's input) as `kind` ("auth" or "acct") to
    /// 127.0.0.1:`port` with `secret`: one try, waiting `timeout` seconds.
    public static func send(_ kind: String, _ lines: [String], port: UInt16, secret: String, timeout: Int = 2) throws
        -> Reply
    {
        let (status, output) = try ChildProcess.run(
            ["radclient", "-x", "-r", "1", "-t", "\(timeout)", "127.0.0.1:\(port)", kind, secret],
            input: lines.joined(separator: "\n") + "\n", mergeError: true)
        var code: String?
        var attributes: [(String, String)] = []
        var inReply = false
        for line in output.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("Received ") {
                code = line.split(separator: " ").dropFirst().first.map(String.init)
                inReply = true
            } else if inReply, line.hasPrefix("\t"), let equals = line.range(of: " = ") {
                let name = line[..<equals.lowerBound].trimmingCharacters(in: .whitespaces)
                var value = String(line[equals.upperBound...])
                if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                    value = String(value.dropFirst().dropLast())
                }
                attributes.append((name, value))
            } else if !line.hasPrefix("\t") {
                inReply = false
            }
        }
        return Reply(status: status, code: code, attributes: attributes, output: output)
    }
}
