import Foundation
import PorticoCore
import PorticoFirewall
import PorticoHTTP
import PorticoMail
import PorticoPayments
import PorticoStore
import PorticoWebSupport
import Synchronization

/// One finding of `portico doctor`.
public struct DoctorFinding: Sendable, Equatable {
    public enum Status: String, Sendable {
        case ok = "ok"
        case warning = "warn"
        case failure = "FAIL"
    }

    public var status: Status
    public var area: String
    public var detail: String
    /// What to do about it (empty when nothing).
    public var fix: String

    public init(_ status: Status, _ area: String, _ detail: String, fix: String = "") {
        self.status = status
        self.area = area
        self.detail = detail
        self.fix = fix
    }

    public var line: String {
        let head =
            "\(status.rawValue.padding(toLength: 5, withPad: " ", startingAt: 0)) \(area.padding(toLength: 13, withPad: " ", startingAt: 0)) \(detail)"
        return fix.isEmpty ? head : head + "\n      → " + fix
    }
}

/// `portico doctor`: checks an installation without changing it (the database is opened read
/// only, listeners are bound and released at once) and says what to fix.
public enum Doctor {
    public static func check(_ sources: ConfigurationSources) -> [DoctorFinding] {
        // Warnings become findings here, after the configuration's, rather than lines on standard error.
        let warnings = Warnings()
        var sources = sources
        sources.warn = { text in warnings.texts.withLock { if !$0.contains(text) { $0.append(text) } } }
        var findings = checkEverything(sources)
        let ignored = warnings.texts.withLock { $0 }.map {
            DoctorFinding(.warning, "environment", $0, fix: "unset them where Portico runs, or name the setting meant")
        }
        findings.insert(contentsOf: ignored, at: min(1, findings.count))
        return findings
    }

    private final class Warnings: Sendable {
        let texts = Mutex<[String]>([])
    }

    static func checkEverything(_ sources: ConfigurationSources) -> [DoctorFinding] {
        var findings: [DoctorFinding] = []
        let c: PorticoConfiguration
        do {
            let loaded = try ConfigurationLoader.load(sources)
            c = loaded.configuration
            findings.append(
                .init(
                    .ok, "configuration", loaded.file.map { "read \($0)" } ?? "no file; defaults, environment and flags"
                ))
        } catch {
            findings.append(
                .init(
                    .failure, "configuration", error.description,
                    fix: "correct the value (deploy/portico.toml documents every key)"))
            guard let partial = try? ConfigurationLoader.load(sources, validate: false) else { return findings }
            c = partial.configuration
        }
        findings += database(c)
        findings.append(templates(c))
        findings += privileges(c)
        findings.append(nftables(c))
        findings += listeners(c)
        findings.append(smtp(c))
        findings.append(gateway(c))
        return findings
    }

    static func database(_ c: PorticoConfiguration) -> [DoctorFinding] {
        let path = c.databasePath
        let directory = (path as NSString).deletingLastPathComponent
        guard FileManager.default.fileExists(atPath: path) else {
            let writable = FileManager.default.isWritableFile(atPath: directory.isEmpty ? "." : directory)
            return [
                .init(
                    writable ? .warning : .failure, "database", "\(path) does not exist yet",
                    fix: writable
                        ? "it is created on first start, or now with `portico migrate`"
                        : "create \(directory) writable by the portico user (StateDirectory=portico in the unit does)")
            ]
        }
        var out: [DoctorFinding] = []
        if !FileManager.default.isWritableFile(atPath: directory) || !FileManager.default.isWritableFile(atPath: path) {
            out.append(
                .init(
                    .failure, "database", "\(path) or its directory is not writable by this user",
                    fix:
                        "SQLite in WAL mode writes \(path)-wal and -shm beside it: chown the directory to the portico user"
                ))
        }
        do {
            let db = try Database(path: path, readOnly: true)
            defer { db.close() }
            let version = Int(try db.scalarInt("PRAGMA user_version") ?? 0)
            let newest = Schema.migrations.map(\.version).max() ?? 0
            if version < newest {
                out.append(
                    .init(
                        .warning, "migrations", "schema version \(version), this Portico has \(newest)",
                        fix: "back up (sqlite3 \(path) \".backup …\"), then `portico migrate` or start Portico"))
            } else if version > newest {
                out.append(
                    .init(
                        .failure, "migrations", "schema version \(version) is newer than this Portico (\(newest))",
                        fix: "install the Portico version that wrote this database, or restore a backup"))
            } else {
                out.append(.init(.ok, "migrations", "schema version \(version) (current)"))
            }
            let problems = try db.queryAll("PRAGMA quick_check") { $0.string(0) }.filter { $0 != "ok" }
            out.append(
                problems.isEmpty
                    ? .init(.ok, "database", "\(path): integrity ok")
                    : .init(
                        .failure, "database", "integrity: \(problems.prefix(3).joined(separator: "; "))",
                        fix: "stop Portico and restore the latest backup"))
            if version >= 1 {
                var zone = "UTC"
                try db.query("SELECT value FROM settings WHERE key = 'billing.timeZone'") { zone = $0.string(0) }
                if TimeZone(identifier: zone) == nil {
                    out.append(
                        .init(
                            .failure, "settings", "billing.timeZone '\(zone)' is not an IANA time zone",
                            fix: "PATCH /api/v1/settings with a zone such as Europe/Madrid"))
                }
            }
        } catch {
            out.append(
                .init(.failure, "database", "\(path): \(error)", fix: "check the file's owner and that it is SQLite"))
        }
        return out
    }

    static func templates(_ c: PorticoConfiguration) -> DoctorFinding {
        let directory = c.templatesDirectory ?? Templates.defaultDirectory()
        do {
            let t = try Templates(directory: directory)
            let missing = ["portal/page", "portal/active", "portal/checkout", "portal/message"].filter { !t.has($0) }
            if !missing.isEmpty {
                return .init(
                    .failure, "templates", "\(directory) lacks \(missing.joined(separator: ", "))",
                    fix: "reinstall the templates (make install) or point templates.directory at them")
            }
            return .init(.ok, "templates", "\(directory)")
        } catch {
            return .init(
                .failure, "templates", "\(error)",
                fix: "set templates.directory to the installed share/portico/templates")
        }
    }

    /// Effective capabilities from /proc/self/status (`CapEff`).
    static func effectiveCapabilities() -> UInt64 {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("CapEff:") })
        else { return 0 }
        return UInt64(line.dropFirst("CapEff:".count).trimmingCharacters(in: .whitespaces), radix: 16) ?? 0
    }

    static func privileges(_ c: PorticoConfiguration) -> [DoctorFinding] {
        let caps = effectiveCapabilities()
        let netAdmin = caps & (1 << 12) != 0
        let bindService = caps & (1 << 10) != 0
        var out: [DoctorFinding] = []
        out.append(
            .init(
                geteuid() == 0 ? .warning : .ok, "privileges",
                geteuid() == 0 ? "running as root" : "running as uid \(geteuid())",
                fix: geteuid() == 0
                    ? "run as the portico user with only CAP_NET_ADMIN and CAP_NET_BIND_SERVICE (deploy/portico.service)"
                    : ""))
        if c.firewall == .nftables && !netAdmin {
            out.append(
                .init(
                    .failure, "privileges", "firewall.backend is nftables but CAP_NET_ADMIN is missing",
                    fix: "AmbientCapabilities=CAP_NET_ADMIN CAP_NET_BIND_SERVICE (as in deploy/portico.service)"))
        }
        let unprivilegedStart =
            (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_unprivileged_port_start", encoding: .utf8))
            .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 1024
        for (key, address) in [("portal.listen", c.portalListen), ("admin.listen", c.adminListen)]
        where Int(address.port) < unprivilegedStart && address.port != 0 && !bindService {
            out.append(
                .init(
                    .failure, "privileges", "\(key) \(address) needs CAP_NET_BIND_SERVICE",
                    fix: "add CAP_NET_BIND_SERVICE, or listen on a port ≥ \(unprivilegedStart)"))
        }
        return out
    }

    static func nftables(_ c: PorticoConfiguration) -> DoctorFinding {
        // The probe's socket setup needs CAP_NET_ADMIN (SO_RCVBUFFORCE); without it the probe
        // cannot tell anything about the kernel, and NetlinkSocket's failed init is not safe to
        // run (it frees its handle twice), so it is not attempted.
        guard effectiveCapabilities() & (1 << 12) != 0 else {
            return .init(
                c.firewall == .nftables ? .failure : .warning, "nftables",
                "cannot probe nftables without CAP_NET_ADMIN",
                fix: "run `portico doctor` as the service runs (systemd-run -p User=portico "
                    + "-p AmbientCapabilities=CAP_NET_ADMIN …) or as root")
        }
        let probe = NftablesSupport.probe(namespace: c.networkNamespace)
        if c.firewall == .off {
            return .init(
                .warning, "nftables", "firewall.backend is off: nobody is redirected (\(probe.reason))",
                fix: probe.available ? "set firewall.backend = \"nftables\" on the gateway" : "")
        }
        return probe.available
            ? .init(.ok, "nftables", probe.reason)
            : .init(
                .failure, "nftables", probe.reason,
                fix: "needs a kernel with nf_tables (modprobe nf_tables) and CAP_NET_ADMIN")
    }

    /// Binds each listener the way the server does, then lets it go.
    static func listeners(_ c: PorticoConfiguration) -> [DoctorFinding] {
        [("portal.listen", c.portalListen, c.portalHTTP), ("admin.listen", c.adminListen, c.adminHTTP)].map {
            key, address, http in
            var config = HTTPServerConfiguration(host: address.host, port: address.port, threadPoolSize: 1)
            config.tls = http.tls
            let server = HTTPServer(configuration: config) { _ in HTTPResponse(status: 503) }
            do {
                try server.start()
                server.stop()
                return .init(.ok, "listeners", "\(key) \(address) can be bound\(http.tls == nil ? "" : " (TLS)")")
            } catch {
                return .init(
                    .failure, "listeners", "\(key) \(address): \(error)",
                    fix: "is Portico (or another server) already listening there? Is the address on this host?")
            }
        }
    }

    static func smtp(_ c: PorticoConfiguration) -> DoctorFinding {
        guard c.smtp.isEnabled else {
            return .init(
                .warning, "smtp", "smtp.url is not set: messages stay queued in the outbox",
                fix: "set smtp.url, smtp.from (and smtp.username / smtp.passwordFile)")
        }
        guard let (host, port) = hostPort(c.smtp.url) else {
            return .init(
                .failure, "smtp", "smtp.url '\(c.smtp.url)' has no host", fix: "smtp://HOST:587 or smtps://HOST:465")
        }
        switch greeting(host: host, port: port, timeoutSeconds: 5) {
        case .success(let banner) where banner.hasPrefix("220"):
            return .init(.ok, "smtp", "\(host):\(port) answers: \(banner.prefix(60))")
        case .success(let banner):
            let tls = c.smtp.url.lowercased().hasPrefix("smtps://")
            return tls
                ? .init(.ok, "smtp", "\(host):\(port) accepts connections (implicit TLS)")
                : .init(.warning, "smtp", "\(host):\(port) answered '\(banner.prefix(60))' instead of 220")
        case .failure(let why):
            return .init(
                .failure, "smtp", "\(host):\(port): \(why)", fix: "check smtp.url and that this host may reach it")
        }
    }

    static func gateway(_ c: PorticoConfiguration) -> DoctorFinding {
        switch c.gateway {
        case .test:
            return .init(
                .warning, "gateway", "test gateway: checkouts are marked TEST MODE and take no money",
                fix: "gateway = \"stripe\" with stripe.secretKeyFile and stripe.webhookSecretFile for real payments")
        case .stripe:
            do {
                let credentials = try c.stripe.resolved()
                let live =
                    credentials.secretKey.value.hasPrefix("sk_live_")
                    || credentials.secretKey.value.hasPrefix("rk_live_")
                return .init(
                    live ? .ok : .warning, "gateway",
                    "stripe, \(live ? "live" : "test") key, api \(credentials.apiBase)",
                    fix: live ? "" : "a test key takes no real payments")
            } catch {
                return .init(.failure, "gateway", "\(error)", fix: "set the stripe.* keys (README \"Stripe\")")
            }
        }
    }

    static func hostPort(_ url: String) -> (String, UInt16)? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let authority = url[schemeEnd.upperBound...].prefix { $0 != "/" }
        let defaultPort: UInt16 = url.lowercased().hasPrefix("smtps") ? 465 : 25
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            let host = String(authority[authority.index(after: authority.startIndex)..<close])
            let rest = authority[authority.index(after: close)...]
            return (host, rest.hasPrefix(":") ? UInt16(rest.dropFirst()) ?? defaultPort : defaultPort)
        }
        let parts = authority.split(separator: ":")
        guard let host = parts.first, !host.isEmpty else { return nil }
        return (String(host), parts.count > 1 ? UInt16(parts[1]) ?? defaultPort : defaultPort)
    }

    /// Connects and reads the server's first line (an SMTP server greets with `220`).
    static func greeting(host: String, port: UInt16, timeoutSeconds: Int) -> Result<String, DoctorError> {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else {
            return .failure(DoctorError("cannot resolve \(host)"))
        }
        defer { freeaddrinfo(list) }
        let fd = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard fd >= 0 else { return .failure(DoctorError("socket: errno \(errno)")) }
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
            return .failure(DoctorError("cannot connect (\(String(cString: strerror(errno))))"))
        }
        var buffer = [UInt8](repeating: 0, count: 512)
        let n = read(fd, &buffer, buffer.count)
        guard n > 0 else { return .success("") }
        return .success(String(decoding: buffer[..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

public struct DoctorError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
