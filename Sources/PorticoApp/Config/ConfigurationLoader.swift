import Foundation
import PorticoCore
import PorticoMail

/// Where the configuration comes from, lowest precedence first: the TOML file, `PORTICO_…`
/// environment variables, then flags.
public struct ConfigurationSources: Sendable {
    /// `--config FILE`; nil: `PORTICO_CONFIG`, else `/etc/portico/portico.toml` if it exists.
    public var file: String?
    public var environment: [String: String]
    /// Flags in the order given: the flag as typed (for messages), the key, the text value.
    public var flags: [(flag: String, key: String, value: String)]
    /// Read when no file is named and it exists.
    public var defaultFile: String
    /// Where warnings go (`PORTICO_…` variables that are not settings); they are also in
    /// `LoadedConfiguration.warnings`.
    public var warn: @Sendable (String) -> Void

    public init(
        file: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
        flags: [(flag: String, key: String, value: String)] = [], defaultFile: String = ConfigurationLoader.defaultPath,
        warn: @escaping @Sendable (String) -> Void = ConfigurationWarnings.standardErrorOnce
    ) {
        self.file = file
        self.environment = environment
        self.flags = flags
        self.defaultFile = defaultFile
        self.warn = warn
    }
}

/// A configuration that passed every check, with where each value came from.
public struct LoadedConfiguration: Sendable {
    public var configuration: PorticoConfiguration
    /// The file read, if any.
    public var file: String?
    /// Keys set by the file, the environment or a flag (the last one wins).
    public var origins: [String: ConfigurationOrigin]
    /// The values as given (secrets included; never print them), to tell what a reload changed.
    var values: [String: TOMLValue]
    /// What was ignored, for `portico doctor` (already passed to `ConfigurationSources.warn`).
    public var warnings: [String] = []
}

/// Reads and checks the configuration (SPEC §12: every command takes `--config FILE`).
public enum ConfigurationLoader {
    public static let defaultPath = "/etc/portico/portico.toml"
    /// Environment variables that are not keys but are Portico's.
    static let otherVariables: Set<String> = ["PORTICO_CONFIG", "PORTICO_TEMPLATES", "PORTICO_BIN"]

    /// File < environment < flags, then the checks that involve several keys. The first problem
    /// found is thrown, naming the key and the file line, variable or flag it came from.
    /// `PORTICO_…` variables that are not settings are ignored with one warning (`StrayVariables`).
    ///
    /// With `validate` false only each value's own checks run (for commands that need only the
    /// database path, so an unreadable Stripe key file does not stop `portico migrate`).
    public static func load(_ sources: ConfigurationSources, validate: Bool = true) throws(ConfigurationError)
        -> LoadedConfiguration
    {
        var c = PorticoConfiguration()
        var origins: [String: ConfigurationOrigin] = [:]
        var values: [String: TOMLValue] = [:]
        func apply(_ key: ConfigurationKey, _ value: TOMLValue, _ origin: ConfigurationOrigin)
            throws(ConfigurationError)
        {
            do {
                try key.set(&c, value)
            } catch let problem as ConfigProblem {
                throw ConfigurationError(key: key.name, origin: origin, key.secret ? "invalid value" : problem.message)
            } catch {
                throw ConfigurationError(key: key.name, origin: origin, "\(error)")
            }
            origins[key.name] = origin
            values[key.name] = value
        }

        // First, so the warning shows beside any error that follows.
        let byEnvironmentName = Dictionary(uniqueKeysWithValues: ConfigurationKey.all.map { ($0.environmentName, $0) })
        let stray = sources.environment.keys.filter {
            $0.hasPrefix("PORTICO_") && byEnvironmentName[$0] == nil && !otherVariables.contains($0)
        }
        let warnings = StrayVariables.warning(stray).map { [$0] } ?? []
        for warning in warnings { sources.warn(warning) }

        let path = sources.file ?? sources.environment["PORTICO_CONFIG"]
        let file: String? =
            path ?? (FileManager.default.fileExists(atPath: sources.defaultFile) ? sources.defaultFile : nil)
        if let file {
            let document = try readFile(file, explicit: path != nil)
            for name in document.order {
                let entry = document.entries[name]!
                let origin = ConfigurationOrigin.file(path: file, line: entry.line)
                guard let key = ConfigurationKey.byName[name] else { throw unknownKey(name, origin: origin) }
                try apply(key, entry.value, origin)
            }
        }

        for (variable, text) in sources.environment.sorted(by: { $0.key < $1.key }) where variable.hasPrefix("PORTICO_")
        {
            guard let key = byEnvironmentName[variable] else { continue }
            let origin = ConfigurationOrigin.environment(variable)
            let value: TOMLValue
            do throws(ConfigProblem) {
                value = try key.value(fromText: text)
            } catch {
                throw ConfigurationError(key: key.name, origin: origin, error.message)
            }
            try apply(key, value, origin)
        }

        for (flag, name, text) in sources.flags {
            let origin = ConfigurationOrigin.flag(flag)
            guard let key = ConfigurationKey.byName[name] else { throw unknownKey(name, origin: origin) }
            let value: TOMLValue
            do throws(ConfigProblem) {
                value = try key.value(fromText: text)
            } catch {
                throw ConfigurationError(key: key.name, origin: origin, error.message)
            }
            try apply(key, value, origin)
        }

        if validate { try Self.validate(c, origins: origins) }
        return LoadedConfiguration(configuration: c, file: file, origins: origins, values: values, warnings: warnings)
    }

    static func readFile(_ path: String, explicit: Bool) throws(ConfigurationError) -> TOMLDocument {
        guard let data = FileManager.default.contents(atPath: path) else {
            let why = FileManager.default.fileExists(atPath: path) ? "cannot be read (permissions?)" : "does not exist"
            throw ConfigurationError(key: nil, origin: nil, "configuration file \(path) \(why)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(key: nil, origin: .file(path: path, line: 1), "the file is not UTF-8 text")
        }
        do {
            return try TOMLDocument(parsing: text)
        } catch {
            throw ConfigurationError(key: nil, origin: .file(path: path, line: error.line), error.message)
        }
    }

    static func unknownKey(_ name: String, origin: ConfigurationOrigin) -> ConfigurationError {
        let top = name.split(separator: ".").first.map(String.init) ?? name
        if ["billing", "invoicing", "suspension", "reactivation", "vacationHold"].contains(top) {
            return ConfigurationError(
                key: name, origin: origin,
                "billing settings live in the database, not in this file: change them with "
                    + "PATCH /api/v1/settings (or the admin UI)")
        }
        let hint = ConfigurationKey.suggestion(for: name).map { "; did you mean '\($0)'?" } ?? ""
        return ConfigurationError(key: name, origin: origin, "unknown key\(hint)")
    }

    /// Checks that involve more than one key, or the file system. An error names the key to fix
    /// and where it was set (or, for a missing value, the key that made it necessary).
    static func validate(_ c: PorticoConfiguration, origins: [String: ConfigurationOrigin]) throws(ConfigurationError) {
        func fail(_ key: String, _ message: String, because other: String? = nil) -> ConfigurationError {
            ConfigurationError(key: key, origin: origins[key] ?? other.flatMap { origins[$0] }, message)
        }
        for (prefix, http) in [("portal", c.portalHTTP), ("admin", c.adminHTTP)] {
            guard let tls = http.tls else { continue }
            if tls.certificatePath.isEmpty {
                throw fail("\(prefix).tlsCertificate", "needed with \(prefix).tlsKey", because: "\(prefix).tlsKey")
            }
            if tls.privateKeyPath.isEmpty {
                throw fail(
                    "\(prefix).tlsKey", "needed with \(prefix).tlsCertificate", because: "\(prefix).tlsCertificate")
            }
            for (key, file) in [
                ("\(prefix).tlsCertificate", tls.certificatePath), ("\(prefix).tlsKey", tls.privateKeyPath),
            ]
            where !FileManager.default.isReadableFile(atPath: file) {
                throw fail(key, "cannot read '\(file)'")
            }
        }
        if let dir = c.templatesDirectory {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw fail("templates.directory", "'\(dir)' is not a directory")
            }
        }
        if let v4 = c.dnatIPv4 {
            guard let p = try? IPPrefix(v4), p.family == .ipv4, !v4.contains("/") else {
                throw fail("firewall.dnatIPv4", "'\(v4)' is not an IPv4 address")
            }
        }
        if let v6 = c.dnatIPv6 {
            guard let p = try? IPPrefix(v6), p.family == .ipv6, !v6.contains("/") else {
                throw fail("firewall.dnatIPv6", "'\(v6)' is not an IPv6 address")
            }
        }
        if c.firewall == .nftables && c.dnatIPv4 == nil {
            let host = c.portalListen.host
            if (try? IPPrefix(host))?.family != .ipv4 || host == "0.0.0.0" {
                throw fail(
                    "firewall.dnatIPv4",
                    "needed with firewall.backend = \"nftables\" when portal.listen is "
                        + "\(c.portalListen): the address suspended clients' port 80 is sent to",
                    because: "firewall.backend")
            }
        }
        if c.gateway == .stripe {
            do {
                _ = try c.stripe.resolved()
            } catch let BillingError.invalidField(field, why) {
                let key = origins[field] != nil ? field : (origins[field + "File"] != nil ? field + "File" : field)
                throw fail(key, why, because: "gateway")
            } catch {
                throw fail("gateway", "\(error)")
            }
        }
        do {
            try c.smtp.validate()
        } catch {
            throw fail(error.key, error.message, because: "smtp.url")
        }
    }
}
