import ArgumentParser
import PorticoApp

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
                throw CommandError("--set \(text): expected KEY=VALUE, e.g. --set portal.listen=0.0.0.0:80")
            }
            out.append(("--set \(text[..<eq])", String(text[..<eq]), String(text[text.index(after: eq)...])))
        }
        if let databaseOption { out.append(("--database", "database.path", databaseOption)) }
        if let server { out += server.flags }
        return out
    }

    /// Where the configuration comes from: the file, the environment and these flags.
    func sources(_ server: ServerOptions? = nil) throws -> ConfigurationSources {
        ConfigurationSources(file: config, flags: try flags(server))
    }

    /// The installation the command works on.
    func installation(_ server: ServerOptions? = nil) throws -> Installation { Installation(try sources(server)) }
}
