import Foundation
import Logging
import PorticoCore
import PorticoHTTP
import PorticoMail
import PorticoPayments
import PorticoWebSupport

/// One key of the configuration file, with how to read it from text (environment, flags) and
/// where it goes in `PorticoConfiguration`.
public struct ConfigurationKey: Sendable {
    public enum Kind: Sendable {
        case string, integer, boolean, list
    }

    /// Dotted name as written in the file: `portal.listen`.
    public let name: String
    public let kind: Kind
    /// Whether SIGHUP applies a new value without a restart.
    public let live: Bool
    /// Whether the value is a secret (never echoed in errors or `portico doctor`).
    public let secret: Bool
    let set: @Sendable (inout PorticoConfiguration, TOMLValue) throws -> Void

    /// `PORTICO_` and the name in upper snake case: `portal.trustedProxies` →
    /// `PORTICO_PORTAL_TRUSTED_PROXIES`, `firewall.dnatIPv4` → `PORTICO_FIREWALL_DNAT_IPV4`.
    public var environmentName: String {
        var out = "PORTICO_"
        var previous: Character = "."
        for ch in name {
            if ch == "." {
                out.append("_")
            } else {
                if ch.isUppercase && (previous.isLowercase || previous.isNumber) { out.append("_") }
                out.append(contentsOf: ch.uppercased())
            }
            previous = ch
        }
        return out
    }

    /// A value given as text (environment variable, flag) in this key's type.
    func value(fromText text: String) throws(ConfigProblem) -> TOMLValue {
        switch kind {
        case .string:
            return .string(text)
        case .integer:
            guard let i = Int(text.trimmingCharacters(in: .whitespaces)) else {
                throw ConfigProblem("'\(text)' is not a whole number")
            }
            return .integer(i)
        case .boolean:
            switch text.trimmingCharacters(in: .whitespaces).lowercased() {
            case "true", "yes", "on", "1": return .bool(true)
            case "false", "no", "off", "0": return .bool(false)
            default: throw ConfigProblem("'\(text)' is not true or false")
            }
        case .list:
            let items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                !$0.isEmpty
            }
            return .array(items.map { .string($0) })
        }
    }
}

extension ConfigurationKey {
    static func string(
        _ name: String, live: Bool = false, secret: Bool = false,
        _ set: @escaping @Sendable (inout PorticoConfiguration, String) throws -> Void
    ) -> Self {
        Self(name: name, kind: .string, live: live, secret: secret) { c, v in
            guard case .string(let s) = v else { throw ConfigProblem("expected a string, found \(v.kind)") }
            try set(&c, s)
        }
    }

    /// An optional string: empty means unset.
    static func optional(
        _ name: String, live: Bool = false, secret: Bool = false,
        _ set: @escaping @Sendable (inout PorticoConfiguration, String?) throws -> Void
    ) -> Self {
        string(name, live: live, secret: secret) { c, s in try set(&c, s.isEmpty ? nil : s) }
    }

    static func integer(
        _ name: String, _ range: ClosedRange<Int>, live: Bool = false,
        _ set: @escaping @Sendable (inout PorticoConfiguration, Int) -> Void
    ) -> Self {
        Self(name: name, kind: .integer, live: live, secret: false) { c, v in
            guard case .integer(let i) = v else { throw ConfigProblem("expected a whole number, found \(v.kind)") }
            guard range.contains(i) else {
                throw ConfigProblem("\(i) is out of range (\(range.lowerBound)…\(range.upperBound))")
            }
            set(&c, i)
        }
    }

    static func boolean(
        _ name: String, live: Bool = false,
        _ set: @escaping @Sendable (inout PorticoConfiguration, Bool) -> Void
    ) -> Self {
        Self(name: name, kind: .boolean, live: live, secret: false) { c, v in
            guard case .bool(let b) = v else { throw ConfigProblem("expected true or false, found \(v.kind)") }
            set(&c, b)
        }
    }

    static func list(
        _ name: String, live: Bool = false,
        _ set: @escaping @Sendable (inout PorticoConfiguration, [String]) throws -> Void
    ) -> Self {
        Self(name: name, kind: .list, live: live, secret: false) { c, v in
            guard case .array(let items) = v else { throw ConfigProblem("expected a list of strings, found \(v.kind)") }
            let strings = try items.map { item in
                guard case .string(let s) = item else {
                    throw ConfigProblem("expected strings in the list, found \(item.kind)")
                }
                return s
            }
            try set(&c, strings)
        }
    }

    static func prefixes(_ name: String, _ set: @escaping @Sendable (inout PorticoConfiguration, [IPPrefix]) -> Void)
        -> Self
    {
        list(name) { c, items in
            set(
                &c,
                try items.map { text in
                    do { return try IPPrefix(text) } catch {
                        throw ConfigProblem("'\(text)' is not an IP address or prefix")
                    }
                })
        }
    }

    static func listen(_ name: String, _ set: @escaping @Sendable (inout PorticoConfiguration, ListenAddress) -> Void)
        -> Self
    {
        string(name) { c, s in
            do { set(&c, try ListenAddress(s, field: name)) } catch let BillingError.invalidField(_, why) {
                throw ConfigProblem(why + " (IPv6 in brackets: [::]:80)")
            }
        }
    }

    /// The limits of one listener, `portal.*` or `admin.*`.
    static func httpLimits(
        _ prefix: String, _ path: WritableKeyPath<PorticoConfiguration, HTTPServerConfiguration> & Sendable
    ) -> [Self] {
        [
            integer("\(prefix).threads", 1...64) { $0[keyPath: path].threadPoolSize = $1 },
            integer("\(prefix).connectionLimit", 1...1_000_000) { $0[keyPath: path].connectionLimit = $1 },
            integer("\(prefix).connectionsPerAddress", 1...100_000) {
                $0[keyPath: path].perAddressConnectionLimit = $1
            },
            integer("\(prefix).idleTimeoutSeconds", 1...3600) { $0[keyPath: path].idleTimeoutSeconds = $1 },
            integer("\(prefix).headerTimeoutSeconds", 0...3600) { $0[keyPath: path].headerTimeoutSeconds = $1 },
            integer("\(prefix).connectionMemoryBytes", 4096...16 << 20) {
                $0[keyPath: path].connectionMemoryLimit = $1
            },
            integer("\(prefix).maxBodyBytes", 1024...64 << 20) { $0[keyPath: path].maxBodyBytes = $1 },
            integer("\(prefix).stopGraceSeconds", 0...600) { $0[keyPath: path].stopGracePeriodSeconds = $1 },
            optional("\(prefix).tlsCertificate") { c, v in
                var files = c[keyPath: path].tls ?? TLSFiles(certificatePath: "", privateKeyPath: "")
                files.certificatePath = v ?? ""
                c[keyPath: path].tls = files.certificatePath.isEmpty && files.privateKeyPath.isEmpty ? nil : files
            },
            optional("\(prefix).tlsKey") { c, v in
                var files = c[keyPath: path].tls ?? TLSFiles(certificatePath: "", privateKeyPath: "")
                files.privateKeyPath = v ?? ""
                c[keyPath: path].tls = files.certificatePath.isEmpty && files.privateKeyPath.isEmpty ? nil : files
            },
        ]
    }

    /// Every key Portico reads, in the order of `deploy/portico.toml`.
    public static let all: [ConfigurationKey] = {
        var keys: [ConfigurationKey] = [
            string("database.path") { c, v in
                guard !v.isEmpty else { throw ConfigProblem("must not be empty") }
                c.databasePath = v
            },
            optional("templates.directory") { c, v in c.templatesDirectory = v },
            listen("portal.listen") { $0.portalListen = $1 },
            optional("portal.url") { c, v in
                if let v, !(v.hasPrefix("http://") || v.hasPrefix("https://")) || URLText.host(of: v)?.isEmpty != false
                {
                    throw ConfigProblem("'\(v)' is not an http:// or https:// URL")
                }
                c.portalURL = v
            },
            prefixes("portal.trustedProxies") { $0.trustedProxies = $1 },
            string("portal.tlsListen") { c, s in
                do { c.portalTLSListen = try ListenAddress(s, field: "portal.tlsListen") } catch {
                    throw ConfigProblem("'\(s)' is not HOST:PORT (IPv6 in brackets: [::]:443)")
                }
            },
        ]
        keys += httpLimits("portal", \.portalHTTP)
        keys += [listen("admin.listen") { $0.adminListen = $1 }]
        keys += httpLimits("admin", \.adminHTTP)
        keys += [
            string("isp.name") { c, v in c.ispName = v },
            string("isp.contact") { c, v in c.contact = v },
            optional("isp.venueInfoURL") { c, v in c.venueInfoURL = v },
            string("firewall.backend") { c, v in
                guard let b = FirewallBackend(rawValue: v) else { throw ConfigProblem("'\(v)' is not nftables or off") }
                c.firewall = b
            },
            optional("firewall.dnatIPv4") { c, v in c.dnatIPv4 = v },
            optional("firewall.dnatIPv6") { c, v in c.dnatIPv6 = v },
            prefixes("firewall.dnsServers") { $0.dnsServers = $1 },
            prefixes("firewall.allowedDestinations") { $0.allowedDestinations = $1 },
            list("firewall.clientInterfaces") { c, v in c.clientInterfaces = v },
            optional("firewall.networkNamespace") { c, v in c.networkNamespace = v },
            list("firewall.allowedHosts") { c, v in c.allowedHosts = v },
            boolean("firewall.allowGatewayHosts") { $0.allowGatewayHosts = $1 },
            integer("firewall.allowedHostsRefreshSeconds", 10...86_400) { $0.allowedHostsRefreshSeconds = $1 },
            integer("firewall.resolverTimeoutSeconds", 1...60) { $0.resolverTimeoutSeconds = $1 },
            integer("reconciler.intervalSeconds", 1...86_400, live: true) { $0.reconcileIntervalSeconds = $1 },
            integer("scheduler.tickSeconds", 1...3600, live: true) { $0.schedulerTickSeconds = $1 },
            string("gateway") { c, v in
                guard let g = GatewayChoice(rawValue: v) else { throw ConfigProblem("'\(v)' is not test or stripe") }
                c.gateway = g
            },
            optional("stripe.secretKey", secret: true) { c, v in c.stripe.secretKey = v.map(Secret.init) },
            optional("stripe.secretKeyFile") { c, v in c.stripe.secretKeyFile = v },
            optional("stripe.webhookSecret", secret: true) { c, v in c.stripe.webhookSecret = v.map(Secret.init)
            },
            optional("stripe.webhookSecretFile") { c, v in c.stripe.webhookSecretFile = v },
            string("stripe.apiBase") { c, v in c.stripe.apiBase = v },
            integer("stripe.requestTimeoutSeconds", 1...300) { $0.stripe.requestTimeoutSeconds = $1 },
            integer("stripe.signatureToleranceSeconds", 1...86_400) { $0.stripe.signatureToleranceSeconds = $1 },
            string("smtp.url", live: true) { c, v in c.smtp.url = v },
            boolean("smtp.starttls", live: true) { $0.smtp.starttls = $1 },
            string("smtp.username", live: true) { c, v in c.smtp.username = v },
            optional("smtp.password", live: true, secret: true) { c, v in c.smtp.password = v.map(Secret.init) },
            optional("smtp.passwordFile", live: true) { c, v in c.smtp.passwordFile = v },
            string("smtp.from", live: true) { c, v in c.smtp.from = v },
            optional("smtp.caFile", live: true) { c, v in c.smtp.caFile = v },
            integer("smtp.timeoutSeconds", 1...600, live: true) { $0.smtp.timeoutSeconds = $1 },
            integer("smtp.maxAttempts", 1...100, live: true) { $0.smtp.maxAttempts = $1 },
            integer("smtp.retryBaseSeconds", 1...86_400, live: true) { $0.smtp.retryBaseSeconds = $1 },
            integer("smtp.retryMaxSeconds", 1...7 * 86_400, live: true) { $0.smtp.retryMaxSeconds = $1 },
            integer("smtp.pollSeconds", 1...3600, live: true) { $0.smtp.pollSeconds = $1 },
            string("log.level", live: true) { c, v in
                guard let level = Logger.Level(rawValue: v.lowercased()) else {
                    throw ConfigProblem(
                        "'\(v)' is not one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                c.logLevel = level
            },
            boolean("metrics.enabled") { $0.metricsEnabled = $1 },
        ]
        return keys
    }()

    public static let byName: [String: ConfigurationKey] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    /// The known key closest to a misspelt one (at most 3 edits away).
    static func suggestion(for name: String) -> String? {
        let scored = all.map { ($0.name, editDistance($0.name.lowercased(), name.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= 3 else { return nil }
        return best.0
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let saved = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = saved
            }
        }
        return row[b.count]
    }
}
