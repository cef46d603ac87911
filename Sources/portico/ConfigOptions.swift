import ArgumentParser
import Foundation
import PorticoApp
import PorticoStore
import PorticoWebSupport

/// Options every command takes: the configuration file, the database, and `--set KEY=VALUE`
/// for any key of the file. Precedence: file < `PORTICO_…` environment < flags.
struct CommonOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Configuration file (default: $PORTICO_CONFIG, else \(ConfigurationLoader.defaultPath) if it exists).",
            valueName: "file"))
    var config: String?

    @Option(
        name: .customLong("database"),
        help: ArgumentHelp(
            "SQLite database file, created and migrated when missing (database.path; default /var/lib/portico/portico.db).",
            valueName: "path"))
    var databaseOption: String?

    @Option(
        name: .customLong("set"),
        help: ArgumentHelp(
            "Set any configuration key, e.g. --set smtp.url=smtp://mail.isp.example:587 (repeatable).",
            valueName: "key=value"))
    var overrides: [String] = []

    /// The flags as configuration keys, in the order of precedence among themselves.
    func flags(_ server: ServerOptions?) throws -> [(flag: String, key: String, value: String)] {
        var out: [(flag: String, key: String, value: String)] = []
        for text in overrides {
            guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
                throw CLIError("--set \(text): expected KEY=VALUE, e.g. --set portal.listen=0.0.0.0:80")
            }
            out.append(("--set \(text[..<eq])", String(text[..<eq]), String(text[text.index(after: eq)...])))
        }
        if let databaseOption { out.append(("--database", "database.path", databaseOption)) }
        if let server { out += server.flags }
        return out
    }

    /// Reads and checks the configuration; a problem is one line naming the key and its source.
    func load(server: ServerOptions? = nil, validate: Bool = true) throws -> LoadedConfiguration {
        let sources = ConfigurationSources(file: config, flags: try flags(server))
        do { return try ConfigurationLoader.load(sources, validate: validate) } catch { throw CLIError("\(error)") }
    }

    /// A reader of the same sources, for SIGHUP.
    func reloader(server: ServerOptions?) throws -> @Sendable () throws -> LoadedConfiguration {
        let file = config
        let flags = try flags(server)
        return { try ConfigurationLoader.load(ConfigurationSources(file: file, flags: flags)) }
    }

    /// The database path the configuration names.
    var database: String {
        get throws { try load(validate: false).configuration.databasePath }
    }

    func openStore() throws -> Store {
        let path = try database
        do { return try Store(path: path) } catch { throw CLIError("database: \(path): \(error)") }
    }

    func clock(_ store: Store) throws -> InstallationClock {
        try InstallationClock(timeZone: store.settings.billing.timeZone)
    }
}
