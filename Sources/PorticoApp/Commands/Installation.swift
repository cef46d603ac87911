import PorticoCore
import PorticoStore
import PorticoWebSupport

/// What a command of `portico` works on: the configuration read from its sources (file,
/// `PORTICO_…` environment, flags) and the database that configuration names. Every command is
/// one method of this (or of `PorticoServer`, `Doctor`, the benchmarks); the command line only
/// parses options and prints what comes back.
public struct Installation: Sendable {
    public let sources: ConfigurationSources

    public init(_ sources: ConfigurationSources) { self.sources = sources }

    /// Reads and checks the configuration; a problem is one line naming the key and its source.
    public func load(validate: Bool = true) throws -> LoadedConfiguration {
        do { return try ConfigurationLoader.load(sources, validate: validate) } catch { throw CommandError("\(error)") }
    }

    /// A reader of the same sources, for SIGHUP.
    public var reloader: @Sendable () throws -> LoadedConfiguration {
        let sources = sources
        return { try ConfigurationLoader.load(sources) }
    }

    /// Opens the database the configuration names, created and migrated when missing.
    func openStore() throws -> Store {
        let path = try load(validate: false).configuration.databasePath
        do { return try Store(path: path) } catch { throw CommandError("database: \(path): \(error)") }
    }

    /// Today in the installation's time zone (the database's `billing.timeZone`).
    func today(_ store: Store) throws -> LocalDate {
        try InstallationClock(timeZone: store.settings.billing.timeZone).today()
    }
}
